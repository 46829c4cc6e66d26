//! "Refresh": loads a view's data again while what is shown stays on screen.

use leptos::prelude::*;

/// A button that asks for fresh data; while `refreshing`, it says so and waits.
#[component]
pub fn RefreshButton(
    /// Whether a refresh runs (the old data is still shown).
    #[prop(into)]
    refreshing: Signal<bool>,
    /// Start a refresh.
    on_refresh: Callback<()>,
) -> impl IntoView {
    view! {
        <button
            type="button"
            class="button button--quiet"
            data-testid="refresh"
            aria-busy=move || refreshing.get().to_string()
            disabled=move || refreshing.get()
            on:click=move |_| on_refresh.run(())
        >
            {move || if refreshing.get() { "Refreshing…" } else { "Refresh" }}
        </button>
    }
}
