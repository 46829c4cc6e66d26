//! A button that copies a value (a wallet address, a commit) and says whether it worked.

use leptos::prelude::*;

use crate::browser::copy_text;

/// Copies `text` on click.
#[component]
pub fn CopyButton(
    /// What to copy.
    text: String,
    /// What it is, for the button's accessible label ("wallet address").
    #[prop(default = "value")]
    what: &'static str,
) -> impl IntoView {
    let state = RwSignal::new(None::<Result<(), String>>);
    let copy = move |_| {
        let text = text.clone();
        leptos::task::spawn_local(async move {
            let _ = state.try_set(Some(copy_text(&text).await));
        });
    };
    view! {
        <button
            type="button"
            class="copy"
            title=move || match state.get() {
                Some(Err(e)) => e,
                _ => format!("Copy {what}"),
            }
            aria-label=format!("Copy {what}")
            data-testid="copy"
            on:click=copy
        >
            {move || match state.get() {
                None => "Copy",
                Some(Ok(())) => "Copied",
                Some(Err(_)) => "Copy failed",
            }}
        </button>
    }
}
