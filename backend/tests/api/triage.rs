//! An experiment's records as a triage list: worst first, only those with something to look
//! at, a record id search, and clear errors for filters that cannot be read.

use serde_json::Value;

use crate::helpers::spawn_app;

fn overall(page: &Value) -> Vec<f64> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["scores"]["overall"].as_f64().unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_sort_search_and_filter() {
    let app = spawn_app().await;
    let (status, v) = app
        .post(
            "/api/v1/experiments/run",
            r#"{"dataset_name": "vote-extraction-bangbamru-1-10", "model_configs": [{"model": "rules-v1"}]}"#,
        )
        .await;
    assert_eq!(status, 200, "{v}");
    let id = v["experiments"][0]["experiment_id"].as_str().unwrap();
    let page = |query: &'static str| {
        let app = &app;
        let url = format!("/api/v1/experiments/{id}/records?limit=50&{query}");
        async move {
            let (status, page) = app.get(&url).await;
            assert_eq!(status, 200, "{query}: {page}");
            page
        }
    };
    let worst = overall(&page("sort=worst").await);
    let best = overall(&page("sort=best").await);
    assert_eq!(worst.len(), 10);
    assert!(worst.windows(2).all(|w| w[0] <= w[1]), "{worst:?}");
    assert!(best.windows(2).all(|w| w[0] >= w[1]), "{best:?}");
    assert!(worst[0] < 1.0, "rules-v1 misreads some record: {worst:?}");

    let differs = page("differs=true").await;
    let n = differs["total"].as_u64().unwrap();
    assert!((1..10).contains(&n), "some records but not all differ: {n}");
    for r in differs["items"].as_array().unwrap() {
        let has_diff = r["scores"]["scores"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|s| s["details"].as_array().cloned().unwrap_or_default())
            .any(|d| d["ok"] == false);
        assert!(has_diff || !r["error"].is_null(), "{r}");
    }

    // "หรุ1" is in บางบำหรุ1 and บางบำหรุ10.
    let found = page("record_id=%E0%B8%AB%E0%B8%A3%E0%B8%B81").await;
    let ids: Vec<&str> = found["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["record_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["บางบำหรุ1", "บางบำหรุ10"]);
    assert_eq!(page("record_id=nothing-like-this").await["total"], 0);

    // Any evaluator's score orders them, lowest or highest first.
    let score_of = |page: &Value, name: &str| -> Vec<f64> {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                let s = r["scores"]["scores"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|s| s["name"] == name)
                    .unwrap_or_else(|| panic!("no {name} in {r}"));
                s["value"]
                    .as_f64()
                    .unwrap_or_else(|| f64::from(u8::from(s["value"] == true)))
            })
            .collect()
    };
    let name = "vote_results_quality";
    let low = score_of(&page("sort=worst&score=vote_results_quality").await, name);
    let high = score_of(&page("sort=best&score=vote_results_quality").await, name);
    assert!(low.windows(2).all(|w| w[0] <= w[1]), "{low:?}");
    assert!(high.windows(2).all(|w| w[0] >= w[1]), "{high:?}");
    assert!(low.first() < high.first(), "the scores differ: {low:?}");

    // One record exactly, by its position: what compare links to (a search by id also
    // finds every id that contains it).
    let one = page("record_index=9").await;
    assert_eq!(one["total"], 1, "{one}");
    assert_eq!(one["items"][0]["record_id"], "บางบำหรุ10");
    assert_eq!(page("record_index=99999999999").await["total"], 0);

    for (query, says) in [
        ("sort=sideways", "expected one of `record`, `worst`, `best`"),
        ("record_id=", "record_id"),
        ("record_index=-1", "invalid digit"),
        ("sort=worst&score=charisma", "unknown variant"),
    ] {
        let (status, err) = app
            .get(&format!("/api/v1/experiments/{id}/records?{query}"))
            .await;
        assert!(status == 400 || status == 422, "{query}: {status} {err}");
        assert!(err.to_string().contains(says), "{query}: {err}");
    }
}
