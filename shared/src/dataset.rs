//! Dataset records: what a trial receives and what it is expected to produce.

use serde::{Deserialize, Serialize};

use crate::report::ReportSet;

/// An image sent inline with a record (base64 of the raw bytes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InlineImage {
    /// e.g. "image/jpeg".
    pub mime_type: String,
    /// Standard base64, no `data:` prefix.
    pub data: String,
}

/// The input of one record. Any mix of OCR text and images; every list may be empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecordInput {
    /// Name of the scanned image set, e.g. "บางบำหรุ1".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub form_set_name: Option<String>,
    /// OCR-style text of the form pages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Paths relative to the server's image root.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub image_paths: Vec<String>,
    /// Remote images (fetched only from an allowlist).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub image_urls: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inline_images: Vec<InlineImage>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub num_pages: Option<u32>,
}

impl RecordInput {
    /// True when the record carries nothing a model could read.
    pub fn is_empty(&self) -> bool {
        self.text.as_deref().is_none_or(|t| t.trim().is_empty())
            && self.image_paths.is_empty()
            && self.image_urls.is_empty()
            && self.inline_images.is_empty()
    }
}

/// One record of a dataset version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DatasetRecord {
    /// Unique within a dataset.
    pub id: String,
    pub input: RecordInput,
    /// The label: one report or both forms of the unit.
    pub expected_output: ReportSet,
    /// Free-form provenance and notes.
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub metadata: serde_json::Map<String, serde_json::Value>,
}

/// Whether a dataset version's images can be read by this server, found before anything
/// runs (`GET /api/v1/datasets/{name}/images`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImageCheck {
    pub dataset_name: String,
    pub version: u32,
    /// Records in the version.
    pub records: u64,
    /// Records naming at least one image.
    pub records_with_images: u64,
    /// Records with an image path that does not resolve.
    pub records_unresolved: u64,
    /// Image paths that resolve to a file under `IMAGE_ROOT`.
    pub resolved: u64,
    /// Image paths that do not (why is in `problems`).
    pub unresolved: u64,
    /// Image URLs (fetched when the record runs, under the server's URL policy).
    pub remote: u64,
    /// Images carried in the record itself.
    pub inline: u64,
    /// Whether the server has an `IMAGE_ROOT` (local paths need one).
    pub image_root_set: bool,
    /// The first unresolved paths, at most 100.
    pub problems: Vec<ImageProblem>,
}

/// An image path that does not resolve.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImageProblem {
    pub record_id: String,
    pub image: String,
    pub reason: String,
}
