//! Settings: where the FLock API is, and how long to wait for it. Saved in local storage.

use leptos::prelude::*;
use web_sys::AbortController;

use crate::app::use_settings;
use crate::flock::url::{default_base, ApiBase};
use crate::flock::ApiError;
use crate::net::get_text;
use crate::storage::{self, Settings, DEFAULT_TIMEOUT_SECS};

/// The settings page.
#[component]
pub fn SettingsPage() -> impl IntoView {
    let settings = use_settings();
    let current = settings.get_untracked();
    let base_input = RwSignal::new(current.flock_api().to_string());
    let timeout_input = RwSignal::new(current.timeout_secs().to_string());
    let message = RwSignal::new(None::<(bool, String)>);
    let check = RwSignal::new(None::<Result<String, ApiError>>);

    let parsed_base = Memo::new(move |_| ApiBase::parse(&base_input.get()));
    let parsed_timeout = Memo::new(move |_| base_timeout(&timeout_input.get()));

    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (Ok(base), Ok(timeout_secs)) =
            (parsed_base.get_untracked(), parsed_timeout.get_untracked())
        else {
            message.set(Some((
                false,
                "Nothing saved: fix the fields marked above.".into(),
            )));
            return;
        };
        let next = Settings {
            flock_api_base: (base != default_base()).then(|| base.to_string()),
            timeout_secs,
        };
        match storage::save(&next) {
            Ok(()) => message.set(Some((true, "Saved.".into()))),
            Err(e) => message.set(Some((
                false,
                format!("{e} The settings apply until this tab is closed."),
            ))),
        }
        base_input.set(next.flock_api().to_string());
        settings.set(next);
    };
    let reset = move |_| {
        base_input.set(default_base().to_string());
        timeout_input.set(DEFAULT_TIMEOUT_SECS.to_string());
        message.set(Some((
            true,
            "Defaults restored in the form; save to apply.".into(),
        )));
    };
    let test = move |_| {
        let Ok(base) = parsed_base.get_untracked() else {
            return;
        };
        let timeout = parsed_timeout
            .get_untracked()
            .unwrap_or(DEFAULT_TIMEOUT_SECS);
        check.set(None);
        leptos::task::spawn_local(async move {
            let result = match AbortController::new() {
                Ok(controller) => get_text(&base.health(), &base, timeout, &controller).await,
                Err(_) => Err(ApiError::Network {
                    base: base.to_string(),
                }),
            };
            let _ = check.try_set(Some(result.map(|body| body.chars().take(200).collect())));
        });
    };

    view! {
        <section class="settings panel">
            <h1>"Settings"</h1>
            <p class="hint">"Kept in this browser's local storage. Nothing is sent anywhere else."</p>
            <form on:submit=save novalidate>
                <label class="field">
                    <span class="field__label">"FLock API address"</span>
                    <input
                        type="url"
                        data-testid="api-base-input"
                        prop:value=move || base_input.get()
                        on:input:target=move |ev| base_input.set(ev.target().value())
                    />
                    <span class="field__hint">
                        {format!("This build's default: {}. Production: https://fed-ledger-prod.flock.io/api/v1/.", default_base())}
                    </span>
                    {move || parsed_base.get().err().map(|e| view! { <span class="field__error" role="alert">{e}</span> })}
                    <span class="field__warning">
                        "Change this only to a FLock API you trust: every request of this page goes there. "
                        "Keys saved for one address are never sent to another."
                    </span>
                </label>
                <label class="field">
                    <span class="field__label">"Time limit per request (seconds)"</span>
                    <input
                        type="number"
                        min="1"
                        max="600"
                        data-testid="timeout-input"
                        prop:value=move || timeout_input.get()
                        on:input:target=move |ev| timeout_input.set(ev.target().value())
                    />
                    {move || parsed_timeout.get().err().map(|e| view! { <span class="field__error" role="alert">{e}</span> })}
                </label>
                <div class="actions">
                    <button class="button" type="submit" data-testid="save-settings">"Save"</button>
                    <button class="button button--quiet" type="button" on:click=test data-testid="test-api">"Test connection"</button>
                    <button class="button button--quiet" type="button" on:click=reset>"Restore defaults"</button>
                </div>
                {move || message.get().map(|(ok, text)| view! {
                    <p class=if ok { "notice notice--ok" } else { "notice notice--error" } role="status">{text}</p>
                })}
                {move || check.get().map(|result| match result {
                    Ok(body) => view! { <p class="notice notice--ok" data-testid="test-result">{format!("The API answered: {body}")}</p> }.into_any(),
                    Err(error) => view! { <p class="notice notice--error" data-testid="test-result">{error.to_string()}</p> }.into_any(),
                })}
            </form>
        </section>
    }
}

/// Read the time-limit field.
fn base_timeout(raw: &str) -> Result<u32, String> {
    match raw.trim().parse::<u32>() {
        Ok(secs) if (1..=600).contains(&secs) => Ok(secs),
        _ => Err("Enter a whole number of seconds from 1 to 600.".into()),
    }
}
