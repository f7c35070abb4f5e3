//! Types shared by the tallylab server and its WebAssembly frontend.
//!
//! Everything here compiles for the host and for `wasm32-unknown-unknown`: plain data with
//! serde derives, plus validation that both sides run on the same rules.

pub mod api;
pub mod datadog;
pub mod dataset;
pub mod error;
pub mod estimate;
pub mod evaluators;
pub mod history;
pub mod metrics;
pub mod planning;
pub mod report;
pub mod response;
pub mod score;
pub mod sequential;
pub mod status;
pub mod validation;
pub mod whole;

pub use api::*;
pub use datadog::{
    DatadogDatasetPushed, DatadogExport, DatadogPushRequest, DatadogSite, ExportBacklog,
    ExportState, RequestKey,
};
pub use dataset::*;
pub use error::*;
pub use estimate::*;
pub use evaluators::*;
pub use history::*;
pub use metrics::*;
pub use planning::*;
pub use report::*;
pub use response::*;
pub use score::*;
pub use sequential::*;
pub use status::*;
pub use validation::*;
