//! A task status as a badge. Statuses the app does not know are shown as they came, marked.

use leptos::prelude::*;

use crate::flock::TaskStatus;

/// The badge for `status`.
#[component]
pub fn StatusBadge(
    /// The status.
    status: TaskStatus,
) -> impl IntoView {
    let title = if status.is_known() {
        format!("Status: {}", status.as_api())
    } else {
        format!(
            "Status “{}” is not one flockboard knows; shown as the API sent it.",
            status.as_api()
        )
    };
    let unknown =
        (!status.is_known()).then(|| view! { <span class="badge__note">" (unrecognised)"</span> });
    view! {
        <span class=format!("badge {}", status.css_class()) title=title data-testid="status">
            {status.label()}
            {unknown}
        </span>
    }
}
