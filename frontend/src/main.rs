//! tallylab web app: a client-side rendered Leptos app served by the tallylab server.
//!
//! Every request and response body is a `shared` type; the server validates with the same
//! rules the forms run before sending.

mod api;
mod app;
mod auth;
mod components;
mod dom;
mod form;
mod format;
mod pages;
mod plan_form;
mod theme;

fn main() {
    dom::install_panic_message();
    theme::apply_stored();
    dom::remove_boot_message();
    leptos::mount::mount_to_body(app::App);
}
