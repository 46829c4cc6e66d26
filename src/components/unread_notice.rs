//! A notice that part of an answer could not be read: one line per entry or field, and a
//! plain-text report to copy, so a user can tell exactly what the API sent. Shared by the task
//! list, the boards, the wallet page and "my submissions".

use leptos::prelude::*;

use crate::components::CopyButton;

/// Says that `lines` of the answer from `source` could not be read; nothing when there are none.
#[component]
pub fn UnreadNotice(
    /// The headline ("2 rows in the answer could not be read and are not shown").
    headline: String,
    /// Which answer, for the report: the route without the address (`stats/achievements?role=node`).
    source: String,
    /// One line per entry or field (`tasks[0].rank: the text “first”`).
    lines: Vec<String>,
) -> impl IntoView {
    (!lines.is_empty()).then(|| {
        let report = format!(
            "flockboard could not read part of the answer of {source}:\n{}\n",
            lines
                .iter()
                .map(|line| format!("- {line}"))
                .collect::<Vec<_>>()
                .join("\n")
        );
        view! {
            <details class="banner banner--warning" data-testid="unreadable">
                <summary>{headline}</summary>
                <p class="muted">{format!("From {source}. Blanks and dashes stand for what could not be read.")}</p>
                <ul data-testid="unreadable-lines">
                    {lines.into_iter().map(|line| view! { <li>{line}</li> }).collect_view()}
                </ul>
                <CopyButton text=report what="report of what could not be read" />
            </details>
        }
    })
}
