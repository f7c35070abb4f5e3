//! The web app's files: the precompressed copy the browser accepts, the right type, long
//! caching for hashed names, and nothing else of the directory reachable.

use crate::helpers::spawn_with;

const WASM: &str = "app-0123456789abcdef_bg.wasm";

/// A built web app: index.html, a "wasm" with brotli and gzip copies (marked so the test sees
/// which was sent), a script with no copies.
fn built_app() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path();
    std::fs::write(p.join("index.html"), "<!doctype html><title>t</title>").unwrap();
    std::fs::write(p.join(WASM), b"\0asm plain").unwrap();
    std::fs::write(p.join(format!("{WASM}.br")), b"brotli copy").unwrap();
    std::fs::write(p.join(format!("{WASM}.gz")), b"gzip copy").unwrap();
    std::fs::write(p.join("plain.js"), "console.log(1)").unwrap();
    dir
}

async fn fetch(base: &str, path: &str, accept: Option<&str>) -> reqwest::Response {
    // reqwest decodes nothing here (no compression features): the bytes are as sent.
    let mut req = reqwest::Client::new().get(format!("{base}{path}"));
    if let Some(a) = accept {
        req = req.header("Accept-Encoding", a);
    }
    req.send().await.expect("send")
}

fn header(r: &reqwest::Response, name: &str) -> String {
    r.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

#[tokio::test]
async fn the_wasm_goes_out_as_the_copy_the_browser_accepts() {
    let dist = built_app();
    let app = spawn_with(&[("STATIC_DIR", dist.path().to_str().unwrap())]).await;
    let path = format!("/{WASM}");

    let r = fetch(&app.base, &path, Some("gzip, deflate, br, zstd")).await;
    assert_eq!(r.status(), 200);
    assert_eq!(header(&r, "content-encoding"), "br");
    assert_eq!(header(&r, "content-type"), "application/wasm");
    assert_eq!(
        header(&r, "cache-control"),
        "public, max-age=31536000, immutable"
    );
    assert!(header(&r, "vary")
        .to_ascii_lowercase()
        .contains("accept-encoding"));
    assert_eq!(r.bytes().await.unwrap().as_ref(), b"brotli copy");

    let r = fetch(&app.base, &path, Some("gzip")).await;
    assert_eq!(header(&r, "content-encoding"), "gzip");
    assert_eq!(r.bytes().await.unwrap().as_ref(), b"gzip copy");

    let r = fetch(&app.base, &path, None).await;
    assert_eq!(header(&r, "content-encoding"), "");
    assert_eq!(header(&r, "content-type"), "application/wasm");
    assert_eq!(r.bytes().await.unwrap().as_ref(), b"\0asm plain");

    // HEAD says the same without a body.
    let r = reqwest::Client::new()
        .head(format!("{}{path}", app.base))
        .header("Accept-Encoding", "br")
        .send()
        .await
        .unwrap();
    assert_eq!(
        (r.status().as_u16(), header(&r, "content-encoding")),
        (200, "br".into())
    );
}

#[tokio::test]
async fn files_without_copies_and_unknown_names_are_served_as_before() {
    let dist = built_app();
    let app = spawn_with(&[("STATIC_DIR", dist.path().to_str().unwrap())]).await;

    let r = fetch(&app.base, "/plain.js", Some("identity")).await;
    assert_eq!(r.status(), 200);
    assert_eq!(header(&r, "cache-control"), "no-cache");
    assert!(header(&r, "content-type").contains("javascript"));
    assert_eq!(r.text().await.unwrap(), "console.log(1)");

    // A missing file is a deep link like any other: the web app answers it.
    let r = fetch(&app.base, "/missing-0123456789abcdef.js", None).await;
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("<title>t</title>"));

    // Nothing outside the directory, however the name is spelt.
    for path in ["/..%2Findex.js", "/%2e%2e/secret.js", "/.hidden.js"] {
        let r = fetch(&app.base, path, None).await;
        let status = r.status().as_u16();
        let body = r.text().await.unwrap();
        assert!(
            (status == 200 && body.contains("<title>t</title>")) || status == 404,
            "{path}: {status} {body}"
        );
    }

    // Another method gets the JSON 405 every web-app path gets.
    let r = reqwest::Client::new()
        .post(format!("{}/{WASM}", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 405);
    assert!(header(&r, "content-type").contains("json"));
}
