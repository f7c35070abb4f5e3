//! The route table.

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

use crate::auth::{Auth, KeyPrompt};
use crate::components::nav::Nav;
use crate::pages::{
    compare::ComparePage, dataset::DatasetPage, datasets::DatasetsPage, experiment::ExperimentPage,
    experiments::ExperimentsPage, not_found::NotFound, run::RunPage,
};

/// The application root: navigation, the API-key prompt and one page per route.
#[component]
pub fn App() -> impl IntoView {
    Auth::provide();
    view! {
        <Router>
            <Nav/>
            <KeyPrompt/>
            <main id="main" class="page">
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=RunPage/>
                    <Route path=path!("/experiments") view=ExperimentsPage/>
                    <Route path=path!("/experiments/:id") view=ExperimentPage/>
                    <Route path=path!("/compare") view=ComparePage/>
                    <Route path=path!("/datasets") view=DatasetsPage/>
                    <Route path=path!("/datasets/:name") view=DatasetPage/>
                </Routes>
            </main>
        </Router>
    }
}
