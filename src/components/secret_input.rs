//! A masked input for a secret (API key, token) with a show/hide toggle.

use leptos::prelude::*;

/// A password-style input bound to `value`, with a button that shows or hides it.
#[component]
pub fn SecretInput(
    /// The secret being edited.
    value: RwSignal<String>,
    /// Test hook of the input.
    test_id: &'static str,
    /// Test hook of the toggle.
    toggle_test_id: &'static str,
) -> impl IntoView {
    let shown = RwSignal::new(false);
    view! {
        <span class="field__row">
            <input
                type=move || if shown.get() { "text" } else { "password" }
                autocomplete="off"
                spellcheck="false"
                data-testid=test_id
                prop:value=move || value.get()
                on:input:target=move |ev| value.set(ev.target().value())
            />
            <button type="button" class="button button--quiet" data-testid=toggle_test_id on:click=move |_| shown.update(|s| *s = !*s)>
                {move || if shown.get() { "Hide" } else { "Show" }}
            </button>
        </span>
    }
}

/// The outcome of a "test" button: green text, or red text, under `test_id`.
pub fn check_notice(result: Result<String, String>, test_id: &'static str) -> impl IntoView {
    let (class, text) = match result {
        Ok(text) => ("notice notice--ok", text),
        Err(text) => ("notice notice--error", text),
    };
    view! { <p class=class data-testid=test_id>{text}</p> }
}
