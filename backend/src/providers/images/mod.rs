//! Image inputs, resolved safely: paths only under the configured image root, remote URLs
//! only from allow-listed origins (no redirects, no internal addresses), `gs://` only from
//! allow-listed buckets, every image within a size limit and of a known type (checked by
//! its bytes, not its name), and a bound on images and bytes per record. The server is never
//! an open proxy.

mod address;
mod remote;

use std::path::{Component, Path, PathBuf};

use base64::Engine;
use shared::RecordInput;

pub use address::{forbidden, GuardedResolver};
pub use remote::AllowedOrigin;

use super::ProviderError;

/// Where images may come from, and how much of them one record may carry.
#[derive(Debug, Clone)]
pub struct ImagePolicy {
    /// `IMAGE_ROOT`: relative image paths resolve under it; unset means no local images.
    pub root: Option<PathBuf>,
    /// `IMAGE_URL_ALLOWLIST`: origins remote images may come from.
    pub url_allowlist: Vec<AllowedOrigin>,
    /// `IMAGE_ALLOW_PRIVATE_NETWORKS`: allow-listed hosts may be on loopback or private
    /// addresses.
    pub allow_private_networks: bool,
    /// `GCS_BUCKET_ALLOWLIST`: buckets of `gs://` images (Vertex AI reads them itself).
    pub gcs_buckets: Vec<String>,
    /// `MAX_IMAGE_BYTES` (default 20 MiB) per image.
    pub max_bytes: usize,
    /// `MAX_IMAGES_PER_RECORD` (default 16).
    pub max_images: usize,
    /// `MAX_IMAGE_BYTES_PER_RECORD` (default 64 MiB): every image of one call together.
    pub max_record_bytes: usize,
    /// The client remote images are fetched with (see `remote::client`).
    pub(crate) client: reqwest::Client,
}

impl Default for ImagePolicy {
    fn default() -> Self {
        ImagePolicy {
            root: None,
            url_allowlist: Vec::new(),
            allow_private_networks: false,
            gcs_buckets: Vec::new(),
            max_bytes: 20 * 1024 * 1024,
            max_images: 16,
            max_record_bytes: 64 * 1024 * 1024,
            client: remote::client(false),
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

fn bad(msg: String) -> ProviderError {
    ProviderError::UnsupportedInput(msg)
}

impl ImagePolicy {
    /// The policy of the configured image settings.
    pub fn from_settings(p: &crate::config::ProviderSettings) -> Self {
        let defaults = ImagePolicy::default();
        let url_allowlist = p
            .image_url_allowlist
            .iter()
            .filter_map(|e| {
                let origin = AllowedOrigin::parse(e);
                if origin.is_none() {
                    tracing::warn!(entry = %e, "IMAGE_URL_ALLOWLIST entry is not a host or an origin; ignored");
                }
                origin
            })
            .collect();
        ImagePolicy {
            root: p.image_root.clone(),
            url_allowlist,
            allow_private_networks: p.image_allow_private_networks,
            gcs_buckets: p.gcs_bucket_allowlist.clone(),
            max_bytes: p.max_image_bytes.unwrap_or(defaults.max_bytes),
            max_images: p.max_images_per_record.unwrap_or(defaults.max_images),
            max_record_bytes: p
                .max_image_bytes_per_record
                .unwrap_or(defaults.max_record_bytes),
            client: remote::client(p.image_allow_private_networks),
        }
    }

    /// Resolves every image of a record. `allow_gs` passes gs:// URIs of allow-listed
    /// buckets through (Vertex AI reads them itself).
    pub async fn resolve(
        &self,
        input: &RecordInput,
        allow_gs: bool,
    ) -> Result<Vec<ImageData>, ProviderError> {
        let count = input.inline_images.len() + input.image_paths.len() + input.image_urls.len();
        if count > self.max_images {
            return Err(bad(format!(
                "the record lists {count} images; at most {} are sent (MAX_IMAGES_PER_RECORD)",
                self.max_images
            )));
        }
        let mut out = Vec::new();
        let mut total = 0usize;
        let mut add = |bytes: &[u8], what: &str, out: &mut Vec<ImageData>| {
            total = total.saturating_add(bytes.len());
            if total > self.max_record_bytes {
                return Err(bad(format!(
                    "the record's images pass {} bytes together (MAX_IMAGE_BYTES_PER_RECORD)",
                    self.max_record_bytes
                )));
            }
            out.push(self.inline(bytes, what)?);
            Ok(())
        };
        for img in &input.inline_images {
            // base64 is 4 characters per 3 bytes: judge the size before decoding.
            if img.data.len() / 4 * 3 > self.max_bytes.saturating_add(3) {
                return Err(bad(format!(
                    "an inline image is over the limit of {} bytes",
                    self.max_bytes
                )));
            }
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(img.data.trim())
                .map_err(|e| bad(format!("inline image is not base64: {e}")))?;
            add(&bytes, "inline image", &mut out)?;
        }
        for p in &input.image_paths {
            let path = self.local_path(p)?;
            let size = tokio::fs::metadata(&path)
                .await
                .map_err(|e| bad(format!("cannot read image {p}: {e}")))?
                .len();
            if size > self.max_bytes as u64 {
                return Err(bad(format!(
                    "{p} is {size} bytes, over the limit of {}",
                    self.max_bytes
                )));
            }
            let bytes = tokio::fs::read(&path)
                .await
                .map_err(|e| bad(format!("cannot read image {p}: {e}")))?;
            add(&bytes, p, &mut out)?;
        }
        for u in &input.image_urls {
            if let Some(rest) = u.strip_prefix("gs://") {
                out.push(self.gcs(u, rest, allow_gs)?);
                continue;
            }
            let bytes = remote::fetch(
                &self.client,
                &self.url_allowlist,
                self.allow_private_networks,
                u,
                self.max_bytes,
            )
            .await?;
            add(&bytes, u, &mut out)?;
        }
        Ok(out)
    }

    fn gcs(&self, uri: &str, rest: &str, allow_gs: bool) -> Result<ImageData, ProviderError> {
        if !allow_gs {
            return Err(bad(format!("{uri}: gs:// images need a Vertex AI model")));
        }
        let bucket = rest.split('/').next().unwrap_or_default();
        if !self.gcs_buckets.iter().any(|b| b == bucket) {
            return Err(bad(format!(
                "{uri}: bucket \"{bucket}\" is not in GCS_BUCKET_ALLOWLIST"
            )));
        }
        let mime = mime_from_name(rest).ok_or_else(|| bad(format!("{uri}: unknown image type")))?;
        Ok(ImageData::Uri {
            mime_type: mime.into(),
            uri: uri.to_string(),
        })
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

    /// A path under the image root. A relative path is taken as it is; an absolute one
    /// (datasets exported on another machine name `/home/…/datasets/forms/x.jpg`) resolves
    /// to the longest trailing part of it that exists under the root. `..` and symlinks out
    /// of the root are refused.
    pub fn local_path(&self, p: &str) -> Result<PathBuf, ProviderError> {
        let root = self
            .root
            .as_ref()
            .ok_or_else(|| bad(format!("{p}: local images need IMAGE_ROOT")))?;
        let path = Path::new(p);
        let mut parts = Vec::new();
        for c in path.components() {
            match c {
                Component::Normal(part) => parts.push(part),
                Component::RootDir | Component::Prefix(_) => {}
                Component::CurDir | Component::ParentDir => {
                    return Err(bad(format!(
                        "{p}: image paths must not contain '.' or '..'"
                    )))
                }
            }
        }
        let root = root
            .canonicalize()
            .map_err(|e| bad(format!("IMAGE_ROOT: {e}")))?;
        let under_root = |from: usize| root.join(parts[from..].iter().collect::<PathBuf>());
        let candidate = if path.is_absolute() {
            // Longest first; a candidate that exists decides, even if it leads outside.
            (0..parts.len())
                .map(under_root)
                .find(|c| c.symlink_metadata().is_ok())
                .ok_or_else(|| {
                    bad(format!(
                        "{p}: no trailing part of this path exists under IMAGE_ROOT"
                    ))
                })?
        } else {
            under_root(0)
        };
        let full = candidate
            .canonicalize()
            .map_err(|e| bad(format!("{p}: {e}")))?;
        if !full.starts_with(&root) {
            return Err(bad(format!("{p}: resolves outside IMAGE_ROOT")));
        }
        Ok(full)
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
mod tests;
