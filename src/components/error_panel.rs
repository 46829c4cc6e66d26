//! How every failed load is shown: what happened, why, what to do, and a retry button where
//! trying again can help.

use leptos::prelude::*;

use crate::flock::view::View;
use crate::flock::ApiError;

/// An error with its cause and remedy.
#[component]
pub fn ErrorPanel(
    /// What went wrong.
    error: ApiError,
    /// Called by the retry button; no button when `None`.
    #[prop(optional)]
    on_retry: Option<Callback<()>>,
) -> impl IntoView {
    let settings_hint = matches!(error, ApiError::Network { .. } | ApiError::Timeout { .. });
    let retry = on_retry.map(|retry| {
        view! {
            <button class="button" data-testid="retry" on:click=move |_| retry.run(())>
                "Try again"
            </button>
        }
    });
    view! {
        <section class="error-panel" role="alert" data-testid="error">
            <h2 class="error-panel__title">{error.title()}</h2>
            <p class="error-panel__text">{error.explanation()}</p>
            <div class="error-panel__actions">
                {retry}
                {settings_hint.then(|| view! {
                    <a class="button button--quiet" href=View::Check.href() data-testid="open-check">"Check the connection"</a>
                    <a class="button button--quiet" href=View::Settings.href()>"Open Settings"</a>
                })}
            </div>
        </section>
    }
}
