//! The web app's compressible files (`.wasm`, `.js`, `.css`, `.svg`), sent as the brotli or
//! gzip copy `make frontend` wrote beside them (tools/precompress) when the browser accepts
//! it: the wasm goes out at brotli's best (28 % of its size) without compressing on each
//! request. Trunk puts a content hash in these names, so they are cached for a year.

use actix_files::NamedFile;
use actix_web::http::header::{
    self, AcceptEncoding, ContentEncoding, Encoding, Header, HeaderValue,
};
use actix_web::{web, HttpRequest, HttpResponse};

use super::error::ApiError;
use super::routes::RouteTable;
use super::spa::not_found_or_spa;
use super::state::AppState;

/// The route pattern of the files this module serves: one path segment with their extension.
pub const ASSET_PATTERN: &str = r"/{asset:[A-Za-z0-9_][A-Za-z0-9_.\-]*\.(?:wasm|js|css|svg)}";

/// The copies `make frontend` writes, best first when the browser likes them equally.
const COPIES: [(ContentEncoding, &str); 2] = [
    (ContentEncoding::Brotli, "br"),
    (ContentEncoding::Gzip, "gz"),
];

/// Serves `asset` from the web app's directory, compressed when a copy and the browser allow;
/// anything else (a missing file, another method) is answered as any unknown path is.
pub async fn asset(
    req: HttpRequest,
    name: web::Path<String>,
    state: web::Data<AppState>,
    routes: web::Data<RouteTable>,
) -> Result<HttpResponse, ApiError> {
    let name = name.into_inner();
    let Some(dir) = state.settings.static_dir.clone() else {
        return not_found_or_spa(req, state, routes).await;
    };
    let original = dir.join(&name);
    if name.contains("..") || !original.is_file() {
        return not_found_or_spa(req, state, routes).await;
    }
    let available: Vec<(ContentEncoding, std::path::PathBuf)> = COPIES
        .iter()
        .map(|(enc, ext)| (*enc, dir.join(format!("{name}.{ext}"))))
        .filter(|(_, path)| path.is_file())
        .collect();
    let chosen = choose(AcceptEncoding::parse(&req).ok(), &available);
    let (path, encoding) = match available.into_iter().find(|(enc, _)| Some(*enc) == chosen) {
        Some((enc, path)) => (path, Some(enc)),
        None => (original, None),
    };
    let Ok(file) = NamedFile::open_async(&path).await else {
        return not_found_or_spa(req, state, routes).await;
    };
    let extension = name.rsplit('.').next().unwrap_or_default();
    let mut file = file.set_content_type(actix_files::file_extension_to_mime(extension));
    if let Some(enc) = encoding {
        file = file.set_content_encoding(enc);
    }
    let mut res = file.into_response(&req);
    let headers = res.headers_mut();
    headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    headers.insert(header::CACHE_CONTROL, cache_control(&name));
    Ok(res)
}

/// The copy to send for this `Accept-Encoding`: the browser's preference among the copies
/// there are and the file itself (brotli before gzip on a tie); `None` for the file itself.
fn choose(
    accept: Option<AcceptEncoding>,
    available: &[(ContentEncoding, std::path::PathBuf)],
) -> Option<ContentEncoding> {
    // No header: the file itself (RFC 9110 allows any coding, but some clients send none
    // because they cannot decode).
    let accept = accept?;
    let mut supported: Vec<Encoding> = available
        .iter()
        .map(|(enc, _)| Encoding::Known(*enc))
        .collect();
    supported.push(Encoding::identity());
    match accept.negotiate(supported.iter()) {
        Some(Encoding::Known(enc)) if enc != ContentEncoding::Identity => Some(enc),
        _ => None,
    }
}

/// A year and `immutable` for Trunk's content-hashed names (`frontend-0123456789abcdef.js`),
/// which change whenever their content does; revalidation for any other name.
fn cache_control(name: &str) -> HeaderValue {
    let hashed = name
        .split(['-', '_', '.'])
        .any(|part| part.len() == 16 && part.bytes().all(|b| b.is_ascii_hexdigit()));
    HeaderValue::from_static(if hashed {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;
    use std::path::PathBuf;

    fn accept(value: &str) -> Option<AcceptEncoding> {
        let req = TestRequest::default()
            .insert_header((header::ACCEPT_ENCODING, value))
            .to_http_request();
        AcceptEncoding::parse(&req).ok()
    }

    fn both() -> Vec<(ContentEncoding, PathBuf)> {
        vec![
            (ContentEncoding::Brotli, PathBuf::from("a.br")),
            (ContentEncoding::Gzip, PathBuf::from("a.gz")),
        ]
    }

    #[test]
    fn brotli_wins_a_tie_and_preferences_are_kept() {
        // What Chromium sends.
        assert_eq!(
            choose(accept("gzip, deflate, br, zstd"), &both()),
            Some(ContentEncoding::Brotli)
        );
        assert_eq!(choose(accept("gzip"), &both()), Some(ContentEncoding::Gzip));
        assert_eq!(
            choose(accept("br;q=0.5, gzip"), &both()),
            Some(ContentEncoding::Gzip)
        );
        assert_eq!(choose(accept("identity"), &both()), None);
        assert_eq!(choose(accept("br;q=0, gzip;q=0"), &both()), None);
        assert_eq!(choose(None, &both()), None);
        let gzip_only = vec![(ContentEncoding::Gzip, PathBuf::from("a.gz"))];
        assert_eq!(choose(accept("br"), &gzip_only), None);
        assert_eq!(
            choose(accept("br, gzip"), &gzip_only),
            Some(ContentEncoding::Gzip)
        );
    }

    #[test]
    fn hashed_names_are_immutable() {
        assert_eq!(
            cache_control("frontend-c72b37649a8f54e9_bg.wasm"),
            "public, max-age=31536000, immutable"
        );
        assert_eq!(
            cache_control("main-a2858b5ec60c6a80.css"),
            "public, max-age=31536000, immutable"
        );
        assert_eq!(cache_control("app.js"), "no-cache");
        assert_eq!(cache_control("deadbeef.js"), "no-cache");
    }
}
