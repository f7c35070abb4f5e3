//! The run form's drafts, parsing and preview text.

use super::*;

fn draft() -> RunDraft {
    RunDraft {
        dataset_name: "vote-extraction-bangbamru-1-10".into(),
        ..Default::default()
    }
}

#[test]
fn default_draft_makes_a_valid_request() {
    let req = draft().to_request().expect("valid");
    assert_eq!(req.model_configs[0].model, "rules-v1");
    assert_eq!(
        req.model_configs[0].name_suffix.as_deref(),
        Some("baseline")
    );
    assert_eq!(req.jobs, 2);
    assert_eq!(req.sample_size, Some(10), "the original page's default");
    assert!(req.raise_errors, "ticked, as on the original page");
    assert_eq!(req.repetitions, Some(1));
}

#[test]
fn a_judge_is_sent_only_when_one_is_chosen() {
    assert_eq!(
        draft().to_request().unwrap().evaluators,
        None,
        "off by default"
    );
    let mut d = draft();
    d.judge_model = " gemini-2.5-pro ".into();
    let req = d.to_request().unwrap();
    let json = serde_json::to_value(&req).unwrap();
    assert_eq!(
        json["evaluators"],
        serde_json::json!({"llm_judge": {"model": "gemini-2.5-pro"}})
    );
}

#[test]
fn stop_when_decided_needs_two_configs_and_one_repetition() {
    let mut d = draft();
    d.stop.enabled = true;
    let errors = d.to_request().unwrap_err();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].field, "stop_when_decided");
    d.configs.push(added_config(&d.configs));
    let req = d.to_request().expect("valid with two configs");
    let json = serde_json::to_value(&req).unwrap();
    assert_eq!(
        json["stop_when_decided"],
        serde_json::json!({"metric": "overall_accuracy", "min_difference": 0.03, "alpha": 0.05})
    );
    d.repetitions = "2".into();
    assert_eq!(d.to_request().unwrap_err()[0].field, "stop_when_decided");
    d.repetitions = "1".into();
    d.stop.enabled = false;
    assert_eq!(d.to_request().unwrap().stop_when_decided, None);
}

#[test]
fn out_of_range_temperature_is_reported_at_its_field() {
    let mut d = draft();
    d.configs[0].temperature = "3".into();
    let errors = d.to_request().unwrap_err();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].field, "model_configs[0].temperature");
}

#[test]
fn parse_errors_come_once_per_field() {
    let mut d = draft();
    d.configs[0].temperature = "hot".into();
    d.configs[0].metadata = "{not json".into();
    d.jobs = "".into();
    d.sample_size = "0".into();
    let fields: Vec<String> = d
        .to_request()
        .unwrap_err()
        .into_iter()
        .map(|e| e.field)
        .collect();
    assert_eq!(
        fields,
        vec![
            "model_configs[0].temperature",
            "model_configs[0].metadata",
            "jobs",
            "sample_size"
        ]
    );
}

#[test]
fn metadata_must_be_an_object() {
    let mut d = draft();
    d.configs[0].metadata = "[1]".into();
    assert_eq!(
        d.to_request().unwrap_err()[0].field,
        "model_configs[0].metadata"
    );
    d.configs[0].metadata = r#"{"purpose":"x"}"#.into();
    let req = d.to_request().expect("valid");
    assert_eq!(req.model_configs[0].metadata["purpose"], "x");
}

#[test]
fn config_round_trips_through_the_editor() {
    let mut c = ModelConfig::new("rules-v1", 0.5, Some("t"));
    c.metadata.insert("purpose".into(), "p".into());
    let mut errors = Vec::new();
    assert_eq!(ConfigDraft::from_config(&c).parse(0, &mut errors), c);
    assert!(errors.is_empty());
}

#[test]
fn added_configs_get_names_no_row_has() {
    let mut rows = vec![default_config()];
    for _ in 0..3 {
        rows.push(added_config(&rows));
    }
    let names: Vec<&str> = rows.iter().map(|c| c.name_suffix.as_str()).collect();
    assert_eq!(names, ["baseline", "config-2", "config-3", "config-4"]);
    // After a removal the next name is still free.
    rows.remove(1);
    assert_eq!(added_config(&rows).name_suffix, "config-5");
    let d = RunDraft {
        dataset_name: "d".into(),
        configs: rows,
        ..Default::default()
    };
    assert!(d.to_request().is_ok());
}

#[test]
fn the_curl_preview_sends_the_request_and_never_the_key() {
    let mut req = draft().to_request().unwrap();
    req.model_configs[0].name_suffix = Some("it's".into());
    let cmd = curl_command("http://localhost:8000", &req);
    assert!(cmd.starts_with("curl -X POST http://localhost:8000/api/v1/experiments/run"));
    assert!(cmd.contains("-H \"X-API-Key: $API_KEY\""));
    // The quote inside the body is closed, escaped and reopened for the shell.
    assert!(cmd.contains("it'\\''s"), "{cmd}");
    let body = cmd.split_once("-d '").unwrap().1.trim_end_matches('\'');
    let back: ExperimentRunRequest = serde_json::from_str(&body.replace("'\\''", "'")).unwrap();
    assert_eq!(back, req);
}

#[test]
fn will_run_counts_experiments_and_records() {
    assert_eq!(
        will_run(2, Some(10), Some(10)),
        "Will run 2 experiments on 10 records."
    );
    assert_eq!(
        will_run(1, Some(100), Some(10)),
        "Will run 1 experiment on 10 records."
    );
    assert_eq!(
        will_run(3, None, Some(1)),
        "Will run 3 experiments on 1 record."
    );
    assert_eq!(
        will_run(1, None, None),
        "Will run 1 experiment on every record."
    );
}
