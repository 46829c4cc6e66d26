//! Shown for a URL the app cannot read, saying what is wrong with it.

use leptos::prelude::*;

use crate::flock::task_list::TaskListQuery;
use crate::flock::view::View;

/// The page for an unreadable link.
#[component]
pub fn InvalidLinkPage(
    /// What is wrong with the link.
    reason: String,
) -> impl IntoView {
    view! {
        <section class="panel" data-testid="invalid-link">
            <h1>"This link is not one flockboard understands"</h1>
            <p>{reason}</p>
            <p><a href=View::Tasks(TaskListQuery::default()).href()>"Go to the task list"</a></p>
        </section>
    }
}
