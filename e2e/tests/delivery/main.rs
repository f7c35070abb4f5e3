//! What ships beside the code: the workflows, the container files, and the command line a
//! CI job runs.

mod containers;
mod support;
mod workflows;
