//! "Download CSV" and "Download JSON" for a table: the API's own objects of the rows shown,
//! in the order shown (see [`crate::flock::export`]).

use leptos::prelude::*;
use serde_json::Value;

use crate::browser::download_text;
use crate::flock::export::{to_csv, to_json};

/// Two download buttons and, when the browser refuses, why.
#[component]
pub fn Downloads(
    /// The file name without its extension (`flockboard-tasks-open`).
    stem: Signal<String>,
    /// The rows to write, asked for at the click.
    rows: Callback<(), Vec<Value>>,
    /// What the rows are, for the buttons' accessible names ("tasks").
    what: &'static str,
) -> impl IntoView {
    let message = RwSignal::new(None::<String>);
    let save = move |csv: bool| {
        let rows = rows.run(());
        let refs: Vec<&Value> = rows.iter().collect();
        let (content, extension, mime) = if csv {
            (to_csv(&refs), "csv", "text/csv;charset=utf-8")
        } else {
            (to_json(&refs), "json", "application/json")
        };
        let file = format!("{}.{extension}", stem.get_untracked());
        message.set(download_text(&file, mime, &content).err());
    };
    view! {
        <div class="downloads">
            <button type="button" class="button button--quiet" data-testid="download-csv"
                aria-label=format!("Download CSV of the {what}") on:click=move |_| save(true)>"Download CSV"</button>
            <button type="button" class="button button--quiet" data-testid="download-json"
                aria-label=format!("Download JSON of the {what}") on:click=move |_| save(false)>"Download JSON"</button>
            {move || message.get().map(|m| view! { <p class="notice notice--warning" role="status">{m}</p> })}
        </div>
    }
}
