//! Reading dataset files: every shape, every problem reported by record and field, the
//! sink told record by record.

use super::*;

const REPORT: &str = r#"{"form_info":{"form_type":"Constituency","province":"กรุงเทพมหานคร"},
    "ballot_statistics":{"good_ballots":439},"vote_results":[{"number":1,"vote_count":8}]}"#;

#[test]
fn reads_the_original_projects_file() {
    let text = format!(
        r#"{{"metadata":{{"name":"vote-extraction-bangbamru-1-10","version":"v1-llm-generated"}},
        "records":[{{"id":"บางบำหรุ1","input":{{"form_set_name":"บางบำหรุ1",
          "image_paths":["a/บางบำหรุ1_page1.jpg"],"num_pages":6}},
          "ground_truth":{REPORT},"extraction_metadata":{{"needs_review":true}}}}]}}"#
    );
    let recs = parse_dataset(&text).expect("parse");
    assert_eq!(recs.len(), 1);
    assert_eq!(recs[0].input.image_paths.len(), 1);
    assert_eq!(
        recs[0].expected_output.0[0].ballot_statistics.good_ballots,
        Some(439)
    );
    assert!(recs[0].metadata.contains_key("extraction_metadata"));
}

#[test]
fn reads_array_and_jsonl() {
    let rec =
        format!(r#"{{"id":"a","input":{{"text":"แบบ ส.ส. 5/18"}},"expected_output":[{REPORT}]}}"#);
    assert_eq!(parse_dataset(&format!("[{rec}]")).expect("array").len(), 1);
    let rec2 = rec.replace("\"a\"", "\"b\"").replace('\n', " ");
    let jsonl = format!("{}\n\n{}\n", rec.replace('\n', " "), rec2);
    assert_eq!(parse_dataset(&jsonl).expect("jsonl").len(), 2);
}

#[test]
fn reports_every_bad_record_with_its_field() {
    let text = format!(
        r#"[{{"id":"a","input":{{"text":"x"}},"expected_output":{REPORT}}},
           {{"id":"a","input":{{"text":"x"}},"expected_output":{REPORT}}},
           {{"id":"c","input":{{}},"expected_output":{REPORT}}},
           {{"id":"d","input":"x","expected_output":{{"ballot_statistics":{{"good_ballots":"many"}}}}}}]"#
    );
    let e = parse_dataset(&text).unwrap_err();
    let fields: Vec<_> = e.0.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(
        fields,
        vec![
            "records[1].id",
            "records[2].input",
            "records[3].expected_output.ballot_statistics.good_ballots"
        ]
    );
}

#[test]
fn bad_files_are_clear_errors() {
    assert!(parse_dataset("").is_err());
    assert!(parse_dataset("[]").is_err());
    assert!(parse_dataset("[1,")
        .unwrap_err()
        .to_string()
        .contains("line 1"));
    assert!(parse_dataset("{\"a\":1}\nnot json")
        .unwrap_err()
        .to_string()
        .contains("line 2"));
}

#[test]
fn the_original_document_is_streamed_whatever_its_key_order() {
    let rec =
        |id: &str| format!(r#"{{"id":"{id}","input":{{"text":"x"}},"ground_truth":{REPORT}}}"#);
    let text = format!(
        "{{\"records\":[{},{}],\"metadata\":{{\"name\":\"n\"}}}}",
        rec("a"),
        rec("b")
    );
    let mut ids = Vec::new();
    let n = read_records(text.as_bytes(), &mut |i: usize, r: DatasetRecord| {
        ids.push((i, r.id));
        Ok(())
    })
    .expect("streamed");
    assert_eq!(n, 2);
    assert_eq!(ids, vec![(0, "a".to_string()), (1, "b".to_string())]);
    assert!(parse_dataset(&format!("{text} trailing")).is_err());
}

#[test]
fn a_sink_error_stops_reading_and_is_returned() {
    let rec = format!(r#"{{"input":"x","expected_output":[{REPORT}]}}"#);
    let text = format!("[{rec},{rec},{rec}]");
    let mut seen = 0;
    let stop = read_records(text.as_bytes(), &mut |_: usize, _: DatasetRecord| {
        seen += 1;
        Err("disk full".to_string())
    });
    assert!(matches!(stop, Err(StreamError::Stopped(ref e)) if e == "disk full"));
    assert_eq!(seen, 1);
}

#[test]
fn problems_are_capped_and_counted_and_nothing_is_stored_after_one() {
    let bad = r#"{"id":"x","input":{}}"#;
    let good = format!(r#"{{"input":"x","expected_output":[{REPORT}]}}"#);
    let mut items = vec![good.clone(), bad.to_string()];
    items.extend(std::iter::repeat_n(good, 2));
    items.extend(std::iter::repeat_n(
        bad.replace("\"x\"", "null"),
        MAX_REPORTED_PROBLEMS + 5,
    ));
    let text = format!("[{}]", items.join(","));
    let mut stored = 0;
    let e = read_records(text.as_bytes(), &mut |_: usize, _: DatasetRecord| {
        stored += 1;
        Ok(())
    });
    let Err(StreamError::Invalid(e)) = e else {
        panic!("invalid")
    };
    assert_eq!(stored, 1, "records after the first problem are not stored");
    assert_eq!(e.0.len(), MAX_REPORTED_PROBLEMS + 1);
    assert!(
        e.0.last().is_some_and(|p| p.message.contains("6 more")),
        "{:?}",
        e.0.last()
    );
}
