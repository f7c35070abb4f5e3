//! Gemini generateContent: the Developer API and Vertex AI (one body, two URLs and auths).
