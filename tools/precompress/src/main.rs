//! `precompress DIR`: writes `NAME.br` (brotli, quality 11) and `NAME.gz` (gzip, level 9) next
//! to each `.wasm`, `.js`, `.css` and `.svg` file of DIR, the web app Trunk built. The server
//! sends these to browsers that accept them (see the backend's `api::assets`), so the best
//! compression is paid once at build time instead of a fast, weaker one on every request.
//! A copy that would not be smaller than its file is not written.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};

/// The file types worth compressing (index.html is small and served on every deep link).
const EXTENSIONS: [&str; 4] = ["wasm", "js", "css", "svg"];

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args_os().skip(1);
    let (Some(dir), None) = (args.next(), args.next()) else {
        bail!("usage: precompress DIR");
    };
    let dir = PathBuf::from(dir);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && wanted(p))
        .collect();
    files.sort();
    for file in files {
        let raw = std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
        let br = brotli(&raw)?;
        let gz = gzip(&raw)?;
        let name = file.file_name().map(|n| n.to_string_lossy().into_owned());
        let name = name.unwrap_or_default();
        println!(
            "{name}: {} bytes, brotli {} , gzip {}",
            raw.len(),
            write_if_smaller(&file, "br", &br, raw.len())?,
            write_if_smaller(&file, "gz", &gz, raw.len())?,
        );
    }
    Ok(())
}

fn wanted(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| EXTENSIONS.contains(&e))
}

/// Brotli at its best quality and largest window: slow (seconds for the wasm), but once.
fn brotli(raw: &[u8]) -> anyhow::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(raw.len() / 3);
    {
        let mut w = brotli::CompressorWriter::new(&mut out, 64 * 1024, 11, 24);
        w.write_all(raw)?;
        w.flush()?;
    }
    Ok(out)
}

fn gzip(raw: &[u8]) -> anyhow::Result<Vec<u8>> {
    let mut w = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    w.write_all(raw)?;
    Ok(w.finish()?)
}

/// Writes `file.ext` (through a temporary name, so a reader never sees half a file) when
/// `bytes` is smaller than the original; says what it did.
fn write_if_smaller(
    file: &Path,
    ext: &str,
    bytes: &[u8],
    original: usize,
) -> anyhow::Result<String> {
    let mut target = file.as_os_str().to_owned();
    target.push(".");
    target.push(ext);
    let target = PathBuf::from(target);
    if bytes.len() >= original {
        let _ = std::fs::remove_file(&target);
        return Ok(format!("{} (not smaller, skipped)", bytes.len()));
    }
    let mut temp = target.clone().into_os_string();
    temp.push(".tmp");
    std::fs::write(&temp, bytes).with_context(|| format!("writing {}", target.display()))?;
    std::fs::rename(&temp, &target)?;
    Ok(format!(
        "{} ({:.0} %)",
        bytes.len(),
        100.0 * bytes.len() as f64 / original as f64
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn both_copies_decompress_to_the_original() {
        let raw: Vec<u8> = (0..50_000u32)
            .flat_map(|i| (i % 251).to_le_bytes())
            .collect();
        let mut back = Vec::new();
        brotli::Decompressor::new(&brotli(&raw).unwrap()[..], 4096)
            .read_to_end(&mut back)
            .unwrap();
        assert_eq!(back, raw);
        let mut back = Vec::new();
        flate2::read::GzDecoder::new(&gzip(&raw).unwrap()[..])
            .read_to_end(&mut back)
            .unwrap();
        assert_eq!(back, raw);
    }

    #[test]
    fn only_web_files_are_compressed_and_only_when_smaller() {
        let dir = std::env::temp_dir().join(format!("precompress-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        assert!(wanted(Path::new("app_bg.wasm")) && !wanted(Path::new("index.html")));
        let file = dir.join("tiny.js");
        std::fs::write(&file, b"x").unwrap();
        let said = write_if_smaller(&file, "br", &brotli(b"x").unwrap(), 1).unwrap();
        assert!(said.contains("skipped"), "{said}");
        assert!(!dir.join("tiny.js.br").exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
