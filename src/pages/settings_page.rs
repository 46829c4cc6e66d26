//! Settings: the FLock API address and time limit, the FLock API key, and the user's own
//! wallet. Saved in local storage; the key is sent only to the API address it was saved for.

use leptos::prelude::*;
use web_sys::AbortController;

use crate::app::use_settings;
use crate::flock::url::{default_base, ApiBase};
use crate::flock::wallet::WalletAddress;
use crate::flock::ApiError;
use crate::net::{check_key, get_text};
use crate::storage::{self, Settings, DEFAULT_TIMEOUT_SECS};

/// Any task id will do to check a key: the answer is the key owner's submissions to it.
const KEY_CHECK_TASK: u64 = 1;

/// The settings page.
#[component]
pub fn SettingsPage() -> impl IntoView {
    let settings = use_settings();
    let current = settings.get_untracked();
    let base_input = RwSignal::new(current.flock_api().to_string());
    let timeout_input = RwSignal::new(current.timeout_secs().to_string());
    let key_input = RwSignal::new(current.flock_api_key.clone().unwrap_or_default());
    let wallet_input = RwSignal::new(current.wallet.clone().unwrap_or_default());
    let show_key = RwSignal::new(false);
    let message = RwSignal::new(None::<(bool, String)>);
    let check = RwSignal::new(None::<Result<String, ApiError>>);
    let key_check = RwSignal::new(None::<Result<String, ApiError>>);

    let parsed_base = Memo::new(move |_| ApiBase::parse(&base_input.get()));
    let parsed_timeout = Memo::new(move |_| parse_timeout(&timeout_input.get()));
    let parsed_wallet = Memo::new(move |_| {
        let raw = wallet_input.get();
        if raw.trim().is_empty() {
            Ok(None)
        } else {
            raw.parse::<WalletAddress>().map(Some)
        }
    });

    // Build the settings the form describes; `None` (and a message) when a field is invalid.
    let from_form = move || -> Option<Settings> {
        let (Ok(base), Ok(timeout_secs), Ok(wallet)) = (
            parsed_base.get_untracked(),
            parsed_timeout.get_untracked(),
            parsed_wallet.get_untracked(),
        ) else {
            message.set(Some((
                false,
                "Nothing saved: fix the fields marked above.".into(),
            )));
            return None;
        };
        let key = key_input.get_untracked().trim().to_string();
        let saved = settings.get_untracked();
        // A key belongs to the address it was entered for. Saving a new address with the old
        // key merely still in the field does not carry the key along; typing it again does.
        let carried_over = saved.flock_api_key.as_deref() == Some(key.as_str())
            && saved.flock_key_origin.as_deref() != Some(base.origin());
        let key_origin = if key.is_empty() {
            None
        } else if carried_over {
            saved.flock_key_origin.clone()
        } else {
            Some(base.origin().to_string())
        };
        Some(Settings {
            flock_api_base: (base != default_base()).then(|| base.to_string()),
            timeout_secs,
            flock_key_origin: key_origin,
            flock_api_key: (!key.is_empty()).then_some(key),
            wallet: wallet.map(|w| w.to_string()),
        })
    };
    let apply = move |next: Settings, done: &str| {
        match storage::save(&next) {
            Ok(()) => message.set(Some((true, done.to_string()))),
            Err(e) => message.set(Some((
                false,
                format!("{e} The settings apply until this tab is closed."),
            ))),
        }
        base_input.set(next.flock_api().to_string());
        settings.set(next);
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if let Some(next) = from_form() {
            let note = if next.key_is_for_another_api() {
                "Saved. The API key stays with the address it was entered for and is not sent to this one; enter it again to use it here."
            } else {
                "Saved."
            };
            apply(next, note);
        }
    };
    let forget = move |_| {
        key_input.set(String::new());
        key_check.set(None);
        let next = Settings {
            flock_api_key: None,
            flock_key_origin: None,
            ..settings.get_untracked()
        };
        apply(
            next,
            "The API key is forgotten: it is no longer stored in this browser.",
        );
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
                Ok(controller) => get_text(&base.health(), &base, timeout, None, &controller).await,
                Err(_) => Err(ApiError::Network {
                    base: base.to_string(),
                }),
            };
            let _ = check.try_set(Some(result.map(|body| body.chars().take(200).collect())));
        });
    };
    let test_key = move |_| {
        let key = key_input.get_untracked().trim().to_string();
        let Ok(base) = parsed_base.get_untracked() else {
            return;
        };
        if key.is_empty() {
            key_check.set(Some(Err(ApiError::Status {
                code: 401,
                detail: Some("No key entered".into()),
            })));
            return;
        }
        key_check.set(None);
        let probe = Settings {
            flock_api_base: Some(base.to_string()),
            timeout_secs: parsed_timeout
                .get_untracked()
                .unwrap_or(DEFAULT_TIMEOUT_SECS),
            ..Settings::default()
        };
        leptos::task::spawn_local(async move {
            let result = match AbortController::new() {
                Ok(controller) => check_key(&probe, &key, KEY_CHECK_TASK, &controller).await,
                Err(_) => Err(ApiError::Network {
                    base: base.to_string(),
                }),
            };
            let _ = key_check.try_set(Some(
                result.map(|_| format!("The key was accepted by {base}.")),
            ));
        });
    };
    let key_elsewhere = move || settings.get().key_is_for_another_api();

    view! {
        <section class="settings panel">
            <h1>"Settings"</h1>
            <p class="hint">"Kept in this browser's local storage. Nothing is sent anywhere else."</p>
            <form on:submit=save novalidate>
                <h2>"FLock API"</h2>
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
                        "A key is sent only to the address it was saved with; after changing the address, enter the key again."
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
                <label class="field">
                    <span class="field__label">"FLock API key"</span>
                    <span class="field__row">
                        <input
                            type=move || if show_key.get() { "text" } else { "password" }
                            autocomplete="off"
                            spellcheck="false"
                            data-testid="key-input"
                            prop:value=move || key_input.get()
                            on:input:target=move |ev| key_input.set(ev.target().value())
                        />
                        <button type="button" class="button button--quiet" data-testid="show-key" on:click=move |_| show_key.update(|s| *s = !*s)>
                            {move || if show_key.get() { "Hide" } else { "Show" }}
                        </button>
                    </span>
                    <span class="field__hint">
                        "From train.flock.io → account menu → API. Used for your own submissions; sent only in the "
                        <code>"flock-api-key"</code>
                        " header to the FLock API address above."
                    </span>
                    {move || key_elsewhere().then(|| view! {
                        <span class="field__warning" data-testid="key-elsewhere">
                            "A key is saved for another API address, so it is not sent to this one. Enter it again to use it here."
                        </span>
                    })}
                </label>
                <div class="actions">
                    <button class="button button--quiet" type="button" on:click=test_key data-testid="test-key">"Test key"</button>
                    <button class="button button--quiet" type="button" on:click=forget data-testid="forget-key">"Forget key"</button>
                </div>
                {move || key_check.get().map(|result| match result {
                    Ok(text) => view! { <p class="notice notice--ok" data-testid="key-result">{text}</p> }.into_any(),
                    Err(error) => view! { <p class="notice notice--error" data-testid="key-result">{error.to_string()}</p> }.into_any(),
                })}
                <h2>"You"</h2>
                <label class="field">
                    <span class="field__label">"Your wallet address (optional)"</span>
                    <input
                        type="text"
                        spellcheck="false"
                        autocomplete="off"
                        placeholder="0x…"
                        data-testid="wallet-input"
                        prop:value=move || wallet_input.get()
                        on:input:target=move |ev| wallet_input.set(ev.target().value())
                    />
                    <span class="field__hint">"Highlighted on leaderboards, with a “jump to me” button."</span>
                    {move || parsed_wallet.get().err().map(|e| view! { <span class="field__error" role="alert">{e}</span> })}
                </label>
                <div class="actions">
                    <button class="button" type="submit" data-testid="save-settings">"Save"</button>
                    <button class="button button--quiet" type="button" on:click=test data-testid="test-api">"Test connection"</button>
                    <button class="button button--quiet" type="button" on:click=reset>"Restore defaults"</button>
                </div>
                {move || message.get().map(|(ok, text)| view! {
                    <p class=if ok { "notice notice--ok" } else { "notice notice--error" } role="status" data-testid="settings-message">{text}</p>
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
fn parse_timeout(raw: &str) -> Result<u32, String> {
    match raw.trim().parse::<u32>() {
        Ok(secs) if (1..=600).contains(&secs) => Ok(secs),
        _ => Err("Enter a whole number of seconds from 1 to 600.".into()),
    }
}
