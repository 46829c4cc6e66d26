//! Settings: the FLock API address and time limit, the FLock API key, and the user's own
//! wallet. Saved in local storage; the key is sent only to the API address it was saved for.

use leptos::prelude::*;
use web_sys::AbortController;

use crate::app::use_settings;
use crate::components::{check_notice, SecretInput};
use crate::flock::url::{default_base, ApiBase};
use crate::flock::wallet::WalletAddress;
use crate::flock::ApiError;
use crate::hub::wire::default_hub;
use crate::net::{check_key, get_text};
use crate::storage::{self, secret_origin, Settings, DEFAULT_TIMEOUT_SECS};
use crate::upload::whoami;

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
    let hub_input = RwSignal::new(current.hub().to_string());
    let token_input = RwSignal::new(current.hf_token.clone().unwrap_or_default());
    let session_only = RwSignal::new(current.hf_token_session_only);
    let token_check = RwSignal::new(None::<Result<String, String>>);
    let parsed_hub = Memo::new(move |_| ApiBase::parse(&hub_input.get()));
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
        let (Ok(base), Ok(timeout_secs), Ok(wallet), Ok(hub)) = (
            parsed_base.get_untracked(),
            parsed_timeout.get_untracked(),
            parsed_wallet.get_untracked(),
            parsed_hub.get_untracked(),
        ) else {
            message.set(Some((
                false,
                "Nothing saved: fix the fields marked above.".into(),
            )));
            return None;
        };
        let key = key_input.get_untracked().trim().to_string();
        let token = token_input.get_untracked().trim().to_string();
        let saved = settings.get_untracked();
        Some(Settings {
            flock_api_base: (base != default_base()).then(|| base.to_string()),
            timeout_secs,
            flock_key_origin: secret_origin(
                &key,
                saved.flock_api_key.as_deref(),
                saved.flock_key_origin.as_deref(),
                base.origin(),
            ),
            flock_api_key: (!key.is_empty()).then_some(key),
            hub_base: (hub != default_hub()).then(|| hub.to_string()),
            hf_token_origin: secret_origin(
                &token,
                saved.hf_token.as_deref(),
                saved.hf_token_origin.as_deref(),
                hub.origin(),
            ),
            hf_token: (!token.is_empty()).then_some(token),
            hf_token_session_only: session_only.get_untracked(),
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
            } else if next.hf_token.is_some() && next.hf_token().is_none() {
                "Saved. The Hugging Face token stays with the Hub address it was entered for; enter it again to use it with this one."
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
    let forget_token = move |_| {
        token_input.set(String::new());
        token_check.set(None);
        let next = Settings {
            hf_token: None,
            hf_token_origin: None,
            ..settings.get_untracked()
        };
        apply(
            next,
            "The Hugging Face token is forgotten: it is no longer stored in this browser.",
        );
    };
    let test_token = move |_| {
        let token = token_input.get_untracked().trim().to_string();
        let Ok(hub) = parsed_hub.get_untracked() else {
            return;
        };
        if token.is_empty() {
            token_check.set(Some(Err("Enter a token first.".into())));
            return;
        }
        token_check.set(None);
        leptos::task::spawn_local(async move {
            let result = whoami(&hub, &token)
                .await
                .map(|who| who.describe())
                .map_err(|e| e.message);
            let _ = token_check.try_set(Some(result));
        });
    };

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
                    <SecretInput value=key_input test_id="key-input" toggle_test_id="show-key" />
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
                {move || key_check.get().map(|result| check_notice(result.map_err(|e| e.to_string()), "key-result"))}
                <h2>"Hugging Face"</h2>
                <label class="field">
                    <span class="field__label">"Hub address"</span>
                    <input
                        type="url"
                        data-testid="hub-base-input"
                        prop:value=move || hub_input.get()
                        on:input:target=move |ev| hub_input.set(ev.target().value())
                    />
                    <span class="field__hint">{format!("This build's default: {}.", default_hub())}</span>
                    {move || parsed_hub.get().err().map(|e| view! { <span class="field__error" role="alert">{e}</span> })}
                </label>
                <label class="field">
                    <span class="field__label">"Hugging Face token (write access)"</span>
                    <SecretInput value=token_input test_id="token-input" toggle_test_id="show-token" />
                    <span class="field__hint">
                        "From huggingface.co → Settings → Access Tokens: a write token, or a fine-grained one with write access to your repos. "
                        "Sent only to the Hub address above, as “Authorization: Bearer”, never to storage URLs."
                    </span>
                </label>
                <label class="check">
                    <input type="checkbox" data-testid="token-session-only" prop:checked=move || session_only.get() on:change:target=move |ev| session_only.set(ev.target().checked()) />
                    " Keep the token only until this browser session ends"
                </label>
                <div class="actions">
                    <button class="button button--quiet" type="button" on:click=test_token data-testid="test-token">"Test token"</button>
                    <button class="button button--quiet" type="button" on:click=forget_token data-testid="forget-token">"Forget token"</button>
                </div>
                {move || token_check.get().map(|result| check_notice(result, "token-result"))}
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
                {move || check.get().map(|result| check_notice(result.map(|body| format!("The API answered: {body}")).map_err(|e| e.to_string()), "test-result"))}
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
