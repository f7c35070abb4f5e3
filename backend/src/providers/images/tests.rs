//! The image policy against real files and loopback servers.

use super::*;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

const PNG: &[u8] = &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0];

fn urls(list: &[&str]) -> RecordInput {
    RecordInput {
        image_urls: list.iter().map(|u| (*u).to_string()).collect(),
        ..Default::default()
    }
}

fn allowing(entries: &[String], allow_private: bool) -> ImagePolicy {
    let settings = crate::config::ProviderSettings {
        image_url_allowlist: entries.to_vec(),
        image_allow_private_networks: allow_private,
        ..Default::default()
    };
    ImagePolicy::from_settings(&settings)
}

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
    let input = |p: &str| RecordInput {
        image_paths: vec![p.into()],
        ..Default::default()
    };
    let ok = policy.resolve(&input("a.png"), false).await.unwrap();
    assert!(matches!(&ok[0], ImageData::Inline { mime_type, .. } if mime_type == "image/png"));
    let absolute = outside.join("secret.png").display().to_string();
    for (p, reason) in [
        ("../outside/secret.png", "must not contain '.' or '..'"),
        (
            "/elsewhere/../outside/secret.png",
            "must not contain '.' or '..'",
        ),
        (
            absolute.as_str(),
            "no trailing part of this path exists under IMAGE_ROOT",
        ),
        ("/home/someone/project/link.png", "outside IMAGE_ROOT"),
        ("/home/someone/dir-link/secret.png", "outside IMAGE_ROOT"),
        ("link.png", "outside IMAGE_ROOT"),
        ("dir-link/secret.png", "outside IMAGE_ROOT"),
    ] {
        let err = policy
            .resolve(&input(p), false)
            .await
            .expect_err(p)
            .to_string();
        assert!(err.contains(reason), "{p}: {err}");
    }
    // The original's exports name images by the absolute paths of the machine that made
    // them: the longest trailing part that exists under the root is the image.
    std::fs::create_dir_all(root.join("datasets/forms")).unwrap();
    std::fs::write(root.join("datasets/forms/unit-7.png"), PNG).unwrap();
    std::fs::write(root.join("unit-7.png"), b"a different file").unwrap();
    let exported = "/home/dev/genai-app-python/datasets/forms/unit-7.png";
    assert_eq!(
        policy.local_path(exported).unwrap(),
        root.canonicalize()
            .unwrap()
            .join("datasets/forms/unit-7.png")
    );
    assert_eq!(
        policy.local_path("/Users/x/assets/a.png").unwrap(),
        root.canonicalize().unwrap().join("a.png")
    );
    let ok = policy.resolve(&input(exported), false).await.unwrap();
    assert!(matches!(&ok[0], ImageData::Inline { mime_type, .. } if mime_type == "image/png"));
    let none = ImagePolicy::default();
    let err = none.resolve(&input("a.png"), false).await.unwrap_err();
    assert!(err.to_string().contains("IMAGE_ROOT"), "{err}");
}

/// Every target is on loopback: even with the defence broken, nothing else is contacted.
#[tokio::test]
async fn remote_images_never_reach_internal_addresses() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_bytes(PNG))
        .expect(0)
        .mount(&server)
        .await;
    let port = server.address().port();
    for (entry, url, reason) in [
        (
            format!("http://127.0.0.1:{port}"),
            format!("http://127.0.0.1:{port}/a.png"),
            "loopback",
        ),
        (
            format!("http://localhost:{port}"),
            format!("http://localhost:{port}/a.png"),
            "resolves to",
        ),
        (
            format!("http://[::ffff:127.0.0.1]:{port}"),
            format!("http://[::ffff:127.0.0.1]:{port}/a.png"),
            "loopback",
        ),
        (
            "127.0.0.1".to_string(),
            format!("http://127.0.0.1:{port}/a.png"),
            "not an allowed image origin",
        ),
    ] {
        let err = allowing(std::slice::from_ref(&entry), false)
            .resolve(&urls(&[&url]), false)
            .await
            .expect_err(&url)
            .to_string();
        assert!(err.contains(reason), "{entry} {url}: {err}");
    }
}

#[tokio::test]
async fn redirects_are_not_followed_and_sizes_are_checked_first() {
    let target = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_bytes(PNG))
        .expect(0)
        .mount(&target)
        .await;
    let allowed = MockServer::start().await;
    let meta = format!("{}/latest/meta-data/iam", target.uri());
    Mock::given(wiremock::matchers::path("/redirect"))
        .respond_with(ResponseTemplate::new(302).insert_header("location", meta.as_str()))
        .expect(1)
        .mount(&allowed)
        .await;
    Mock::given(wiremock::matchers::path("/big"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(vec![0x89; 2048]))
        .mount(&allowed)
        .await;
    Mock::given(wiremock::matchers::path("/ok"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(PNG))
        .mount(&allowed)
        .await;
    let policy = ImagePolicy {
        max_bytes: 1024,
        ..allowing(&[allowed.uri()], true)
    };
    let err = policy
        .resolve(&urls(&[&format!("{}/redirect", allowed.uri())]), false)
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("redirects are not followed"), "{err}");
    let err = policy
        .resolve(&urls(&[&format!("{}/big", allowed.uri())]), false)
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("over the limit of 1024"), "{err}");
    let ok = policy
        .resolve(&urls(&[&format!("{}/ok", allowed.uri())]), false)
        .await
        .unwrap();
    assert_eq!(ok.len(), 1);
}

#[tokio::test]
async fn a_record_carries_a_bounded_number_and_size_of_images() {
    let one = shared::InlineImage {
        mime_type: "image/png".into(),
        data: base64::engine::general_purpose::STANDARD.encode(PNG),
    };
    let record = |n: usize| RecordInput {
        inline_images: vec![one.clone(); n],
        ..Default::default()
    };
    let p = ImagePolicy {
        max_images: 3,
        max_record_bytes: 25,
        ..Default::default()
    };
    assert_eq!(p.resolve(&record(2), false).await.unwrap().len(), 2);
    let err = p.resolve(&record(4), false).await.unwrap_err().to_string();
    assert!(err.contains("MAX_IMAGES_PER_RECORD"), "{err}");
    let err = p.resolve(&record(3), false).await.unwrap_err().to_string();
    assert!(
        err.contains("MAX_IMAGE_BYTES_PER_RECORD"),
        "30 bytes of 25: {err}"
    );
}

#[tokio::test]
async fn gs_uris_only_for_vertex_from_listed_buckets_and_limits_apply() {
    let input = urls(&["gs://forms-2569/unit/form.jpg"]);
    let p = ImagePolicy {
        gcs_buckets: vec!["forms-2569".into()],
        ..Default::default()
    };
    assert!(
        p.resolve(&input, false).await.is_err(),
        "not for other providers"
    );
    assert_eq!(p.resolve(&input, true).await.unwrap().len(), 1);
    let other = urls(&["gs://someone-elses-bucket/secret.jpg"]);
    let err = p.resolve(&other, true).await.unwrap_err().to_string();
    assert!(err.contains("GCS_BUCKET_ALLOWLIST"), "{err}");
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
    assert!(small.resolve(&inline, false).await.is_err());
    assert!(p.resolve(&inline, false).await.is_ok());
}
