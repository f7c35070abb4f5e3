//! Image inputs, resolved safely: paths only under the configured image root, remote URLs
//! only from an allowlist of hosts, every image within a size limit and of a known type
//! (checked by its bytes, not its name). The server is never an open proxy.

use std::path::{Component, Path, PathBuf};

use base64::Engine;
use shared::RecordInput;

use super::ProviderError;

/// Where images may come from.
#[derive(Debug, Clone)]
pub struct ImagePolicy {
    /// `IMAGE_ROOT`: relative image paths resolve under it; unset means no local images.
    pub root: Option<PathBuf>,
    /// `IMAGE_URL_ALLOWLIST`: hosts (comma-separated; ".example.org" allows subdomains).
    pub url_allowlist: Vec<String>,
    /// `MAX_IMAGE_BYTES` (default 20 MiB) per image.
    pub max_bytes: usize,
}

impl Default for ImagePolicy {
    fn default() -> Self {
        ImagePolicy {
            root: None,
            url_allowlist: Vec::new(),
            max_bytes: 20 * 1024 * 1024,
        }
    }
}

/// An image ready for a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImageData {
    /// Bytes sent inline as standard base64.
    Inline { mime_type: String, base64: String },
    /// A reference the provider fetches itself (gs:// on Vertex).
    Uri { mime_type: String, uri: String },
}

/// The mime type of an image or PDF from its first bytes.
pub fn sniff_mime(bytes: &[u8]) -> Option<&'static str> {
    match bytes {
        [0xFF, 0xD8, 0xFF, ..] => Some("image/jpeg"),
        [0x89, b'P', b'N', b'G', ..] => Some("image/png"),
        [b'R', b'I', b'F', b'F', _, _, _, _, b'W', b'E', b'B', b'P', ..] => Some("image/webp"),
        [b'G', b'I', b'F', b'8', ..] => Some("image/gif"),
        [b'%', b'P', b'D', b'F', ..] => Some("application/pdf"),
        _ => None,
    }
}

impl ImagePolicy {
    /// The policy of the configured `IMAGE_ROOT`, `IMAGE_URL_ALLOWLIST` and `MAX_IMAGE_BYTES`.
    pub fn from_settings(p: &crate::config::ProviderSettings) -> Self {
        ImagePolicy {
            root: p.image_root.clone(),
            url_allowlist: p.image_url_allowlist.clone(),
            max_bytes: p
                .max_image_bytes
                .unwrap_or(ImagePolicy::default().max_bytes),
        }
    }
}

fn bad(msg: String) -> ProviderError {
    ProviderError::UnsupportedInput(msg)
}

impl ImagePolicy {
    /// Resolves every image of a record. `allow_gs` passes gs:// URIs through (Vertex).
    pub async fn resolve(
        &self,
        client: &reqwest::Client,
        input: &RecordInput,
        allow_gs: bool,
    ) -> Result<Vec<ImageData>, ProviderError> {
        let mut out = Vec::new();
        for img in &input.inline_images {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(img.data.trim())
                .map_err(|e| bad(format!("inline image is not base64: {e}")))?;
            out.push(self.inline(&bytes, "inline image")?);
        }
        for p in &input.image_paths {
            let path = self.local_path(p)?;
            let bytes = tokio::fs::read(&path)
                .await
                .map_err(|e| bad(format!("cannot read image {p}: {e}")))?;
            out.push(self.inline(&bytes, p)?);
        }
        for u in &input.image_urls {
            if let Some(rest) = u.strip_prefix("gs://") {
                if !allow_gs {
                    return Err(bad(format!("{u}: gs:// images need a Vertex AI model")));
                }
                let mime =
                    mime_from_name(rest).ok_or_else(|| bad(format!("{u}: unknown image type")))?;
                out.push(ImageData::Uri {
                    mime_type: mime.into(),
                    uri: u.clone(),
                });
                continue;
            }
            let bytes = self.fetch(client, u).await?;
            out.push(self.inline(&bytes, u)?);
        }
        Ok(out)
    }

    fn inline(&self, bytes: &[u8], what: &str) -> Result<ImageData, ProviderError> {
        if bytes.len() > self.max_bytes {
            return Err(bad(format!(
                "{what} is {} bytes, over the limit of {}",
                bytes.len(),
                self.max_bytes
            )));
        }
        let mime = sniff_mime(bytes)
            .ok_or_else(|| bad(format!("{what} is not a JPEG, PNG, WebP, GIF or PDF")))?;
        Ok(ImageData::Inline {
            mime_type: mime.into(),
            base64: base64::engine::general_purpose::STANDARD.encode(bytes),
        })
    }

    /// A relative path under the image root; `..`, absolute paths and symlinks out of the
    /// root are refused.
    pub fn local_path(&self, p: &str) -> Result<PathBuf, ProviderError> {
        let root = self
            .root
            .as_ref()
            .ok_or_else(|| bad(format!("{p}: local images need IMAGE_ROOT")))?;
        let rel = Path::new(p);
        if rel.components().any(|c| !matches!(c, Component::Normal(_))) {
            return Err(bad(format!(
                "{p}: image paths must be relative, without '..'"
            )));
        }
        let root = root
            .canonicalize()
            .map_err(|e| bad(format!("IMAGE_ROOT: {e}")))?;
        let full = root
            .join(rel)
            .canonicalize()
            .map_err(|e| bad(format!("{p}: {e}")))?;
        if !full.starts_with(&root) {
            return Err(bad(format!("{p}: resolves outside IMAGE_ROOT")));
        }
        Ok(full)
    }

    /// True when `url` may be fetched.
    pub fn url_allowed(&self, url: &str) -> bool {
        let Ok(parsed) = reqwest::Url::parse(url) else {
            return false;
        };
        if !matches!(parsed.scheme(), "https" | "http") {
            return false;
        }
        let Some(host) = parsed.host_str() else {
            return false;
        };
        self.url_allowlist
            .iter()
            .any(|a| match a.strip_prefix('.') {
                Some(suffix) => host == suffix || host.ends_with(&format!(".{suffix}")),
                None => host == a,
            })
    }

    async fn fetch(&self, client: &reqwest::Client, url: &str) -> Result<Vec<u8>, ProviderError> {
        if !self.url_allowed(url) {
            return Err(bad(format!("{url}: host not in IMAGE_URL_ALLOWLIST")));
        }
        let mut resp = client
            .get(url)
            .send()
            .await
            .map_err(|e| bad(format!("cannot fetch image: {}", e.without_url())))?;
        if !resp.status().is_success() {
            return Err(bad(format!(
                "image fetch answered HTTP {}",
                resp.status().as_u16()
            )));
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = resp
            .chunk()
            .await
            .map_err(|e| bad(format!("image fetch: {}", e.without_url())))?
        {
            if bytes.len() + chunk.len() > self.max_bytes {
                return Err(bad(format!(
                    "image at {url} is over the limit of {} bytes",
                    self.max_bytes
                )));
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(bytes)
    }
}

fn mime_from_name(name: &str) -> Option<&'static str> {
    let lower = name.to_ascii_lowercase();
    let ext = lower.rsplit('.').next()?;
    match ext {
        "jpg" | "jpeg" => Some("image/jpeg"),
        "png" => Some("image/png"),
        "webp" => Some("image/webp"),
        "pdf" => Some("application/pdf"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0];

    /// Real images sit outside the root, so each refusal below can only come from the
    /// root checks (deleting any of them lets a real image through and fails the test).
    #[cfg(unix)]
    #[tokio::test]
    async fn local_paths_stay_under_the_root() {
        let dir = tempfile::tempdir().unwrap();
        let (root, outside) = (dir.path().join("root"), dir.path().join("outside"));
        std::fs::create_dir_all(&root).unwrap();
        std::fs::create_dir_all(&outside).unwrap();
        std::fs::write(root.join("a.png"), PNG).unwrap();
        std::fs::write(outside.join("secret.png"), PNG).unwrap();
        std::os::unix::fs::symlink(outside.join("secret.png"), root.join("link.png")).unwrap();
        std::os::unix::fs::symlink(&outside, root.join("dir-link")).unwrap();
        let policy = ImagePolicy {
            root: Some(root.clone()),
            ..Default::default()
        };
        let client = reqwest::Client::new();
        let input = |p: &str| RecordInput {
            image_paths: vec![p.into()],
            ..Default::default()
        };
        let ok = policy
            .resolve(&client, &input("a.png"), false)
            .await
            .unwrap();
        assert!(matches!(&ok[0], ImageData::Inline { mime_type, .. } if mime_type == "image/png"));
        let absolute = outside.join("secret.png").display().to_string();
        for (p, reason) in [
            ("../outside/secret.png", "without '..'"),
            (absolute.as_str(), "must be relative"),
            ("link.png", "outside IMAGE_ROOT"),
            ("dir-link/secret.png", "outside IMAGE_ROOT"),
        ] {
            let err = policy
                .resolve(&client, &input(p), false)
                .await
                .expect_err(p)
                .to_string();
            assert!(err.contains(reason), "{p}: {err}");
        }
        let none = ImagePolicy::default();
        let err = none
            .resolve(&client, &input("a.png"), false)
            .await
            .unwrap_err();
        assert!(err.to_string().contains("IMAGE_ROOT"), "{err}");
    }

    #[test]
    fn urls_need_the_allowlist() {
        let p = ImagePolicy {
            url_allowlist: vec!["ect.go.th".into(), ".storage.example".into()],
            ..Default::default()
        };
        assert!(p.url_allowed("https://ect.go.th/a.jpg"));
        assert!(p.url_allowed("https://b.storage.example/a.jpg"));
        assert!(!p.url_allowed("https://evil.ect.go.th.attacker.io/a.jpg"));
        assert!(!p.url_allowed("http://169.254.169.254/latest"));
        assert!(!p.url_allowed("file:///etc/passwd"));
    }

    #[tokio::test]
    async fn gs_uris_only_for_vertex_and_limits_apply() {
        let client = reqwest::Client::new();
        let input = RecordInput {
            image_urls: vec!["gs://b/form.jpg".into()],
            ..Default::default()
        };
        let p = ImagePolicy::default();
        assert!(p.resolve(&client, &input, false).await.is_err());
        assert_eq!(p.resolve(&client, &input, true).await.unwrap().len(), 1);
        let small = ImagePolicy {
            max_bytes: 4,
            ..Default::default()
        };
        let inline = RecordInput {
            inline_images: vec![shared::InlineImage {
                mime_type: "image/png".into(),
                data: base64::engine::general_purpose::STANDARD.encode(PNG),
            }],
            ..Default::default()
        };
        assert!(small.resolve(&client, &inline, false).await.is_err());
        assert!(p.resolve(&client, &inline, false).await.is_ok());
    }
}
