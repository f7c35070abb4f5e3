//! Pieces shared by the pages.

pub mod ci_chart;
pub mod datadog;
pub mod downloads;
pub mod estimate;
pub mod fields;
pub mod flags;
pub mod image_check;
pub mod label_editor;
pub mod live_run;
pub mod metric_cards;
pub mod model_editor;
pub mod nav;
pub mod pager;
pub mod planner;
pub mod progress;
pub mod record_filters;
pub mod record_input;
pub mod record_table;
pub mod run_results;
pub mod sequence_chart;
pub mod status;
