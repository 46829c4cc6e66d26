//! Settings: the FLock API and Hub addresses (absolute, or relative to the page for a proxy on
//! its own origin) and time limit, the FLock API key, the Hugging Face token, and the user's own
//! wallet. Saved in local storage; each secret is sent only to the address it was saved for.

use leptos::prelude::*;
use web_sys::AbortController;

use crate::app::use_settings;
use crate::browser::page_url;
use crate::components::{check_notice, SecretInput};
use crate::flock::check::{advice, Outcome, Probe, Setup, Verdict};
use crate::flock::secrets::{secret_to_save, Secret};
use crate::flock::url::{default_address, origin_of, resolve, ApiBase};
use crate::flock::view::View;
use crate::flock::wallet::WalletAddress;
use crate::flock::ApiError;
use crate::hub::retry::DEFAULT_NETWORK_WAIT_MINS;
use crate::hub::wire::default_hub_address;
use crate::net::{check_key, get_text};
use crate::remote::Latest;
use crate::storage::{self, Settings, DEFAULT_TIMEOUT_SECS, MAX_NETWORK_WAIT_MINS};
use crate::upload::whoami;

/// What to keep of an address field: `None` when it resolves to the build's default (so a
/// later build's default applies), the text as typed when it is relative (it must resolve
/// against wherever the page is), else the normalised absolute base.
fn address_to_keep(typed: &str, resolved: &ApiBase, default: &str) -> Option<String> {
    let page = page_url();
    if resolve(default, &page).ok().as_ref() == Some(resolved) {
        None
    } else if typed.trim().contains("://") {
        Some(resolved.to_string())
    } else {
        Some(typed.trim().to_string())
    }
}

/// A hint under an address field: where a relative address leads.
fn resolves_to(typed: &str, parsed: &Result<ApiBase, String>) -> Option<String> {
    match parsed {
        Ok(base) if typed.trim() != base.as_str() && !typed.trim().contains("://") => {
            Some(format!("Resolves to {base} from this page."))
        }
        _ => None,
    }
}

/// The settings page.
#[component]
pub fn SettingsPage() -> impl IntoView {
    let settings = use_settings();
    let current = settings.get_untracked();
    let base_input = RwSignal::new(current.flock_api_address());
    let timeout_input = RwSignal::new(current.timeout_secs().to_string());
    // A secret saved for another address is not put in the form, so no button can send it
    // here; it stays saved for its own address until the user types one anew.
    let key_input = RwSignal::new(current.flock_key().unwrap_or_default().to_string());
    let wallet_input = RwSignal::new(current.wallet.clone().unwrap_or_default());
    let hub_input = RwSignal::new(current.hub_address());
    let token_input = RwSignal::new(current.hf_token().unwrap_or_default().to_string());
    let session_only = RwSignal::new(current.hf_token_session_only);
    let network_wait_input = RwSignal::new(current.network_wait_mins.to_string());
    let notify_input = RwSignal::new(current.notify_when_hidden);
    let notify_refused = RwSignal::new(false);
    // The browser's leave to notify is asked for only when the user turns the option on.
    let on_notify = move |on: bool| {
        notify_refused.set(false);
        if !on {
            notify_input.set(false);
            return;
        }
        leptos::task::spawn_local(async move {
            let granted = crate::upload::awake::ask_to_notify().await;
            let _ = notify_input.try_set(granted);
            let _ = notify_refused.try_set(!granted);
        });
    };
    let parsed_network_wait = Memo::new(move |_| parse_network_wait(&network_wait_input.get()));
    let alerts_on = RwSignal::new(current.alert_every_mins > 0);
    let alert_mins_input = RwSignal::new(if current.alert_every_mins > 0 {
        current.alert_every_mins.to_string()
    } else {
        "15".to_string()
    });
    let parsed_alert_mins = Memo::new(move |_| {
        if alerts_on.get() {
            parse_alert_minutes(&alert_mins_input.get())
        } else {
            Ok(0)
        }
    });
    let alerts_unnotified = RwSignal::new(false);
    // Turning alerts on asks the browser's leave to notify; without it they show in the page.
    let on_alerts = move |on: bool| {
        alerts_on.set(on);
        alerts_unnotified.set(false);
        if on {
            leptos::task::spawn_local(async move {
                let granted = crate::upload::awake::ask_to_notify().await;
                let _ = alerts_unnotified.try_set(!granted);
            });
        }
    };
    let token_check = RwSignal::new(None::<Result<String, String>>);
    let parsed_hub = Memo::new(move |_| resolve(&hub_input.get(), &page_url()));
    let message = RwSignal::new(None::<(bool, String)>);
    let check = RwSignal::new(None::<Result<String, ApiError>>);
    let key_check = RwSignal::new(None::<Outcome>);
    let (latest_api, latest_key, latest_token) = (Latest::new(), Latest::new(), Latest::new());

    let parsed_base = Memo::new(move |_| resolve(&base_input.get(), &page_url()));
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
        let (
            Ok(base),
            Ok(timeout_secs),
            Ok(wallet),
            Ok(hub),
            Ok(network_wait_mins),
            Ok(alert_every_mins),
        ) = (
            parsed_base.get_untracked(),
            parsed_timeout.get_untracked(),
            parsed_wallet.get_untracked(),
            parsed_hub.get_untracked(),
            parsed_network_wait.get_untracked(),
            parsed_alert_mins.get_untracked(),
        )
        else {
            message.set(Some((
                false,
                "Nothing saved: fix the fields marked above.".into(),
            )));
            return None;
        };
        let key = key_input.get_untracked().trim().to_string();
        let token = token_input.get_untracked().trim().to_string();
        let saved = settings.get_untracked();
        let (flock_api_key, flock_key_scope) = secret_to_save(
            &key,
            saved.flock_api_key.as_deref(),
            saved.flock_key_scope.as_deref(),
            &base,
        );
        let (hf_token, hf_token_scope) = secret_to_save(
            &token,
            saved.hf_token.as_deref(),
            saved.hf_token_scope.as_deref(),
            &hub,
        );
        Some(Settings {
            flock_api_base: address_to_keep(&base_input.get_untracked(), &base, default_address()),
            timeout_secs,
            flock_key_scope,
            flock_api_key: flock_api_key.map(Secret::new),
            hub_base: address_to_keep(&hub_input.get_untracked(), &hub, default_hub_address()),
            hf_token_scope,
            hf_token: hf_token.map(Secret::new),
            hf_token_session_only: session_only.get_untracked(),
            wallet: wallet.map(|w| w.to_string()),
            network_wait_mins,
            notify_when_hidden: notify_input.get_untracked(),
            alert_every_mins,
            alert_test_ms: saved.alert_test_ms,
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
        base_input.set(next.flock_api_address());
        hub_input.set(next.hub_address());
        // What the form holds now goes where the saved settings say, and nowhere else.
        key_input.set(next.flock_key().unwrap_or_default().to_string());
        token_input.set(next.hf_token().unwrap_or_default().to_string());
        settings.set(next);
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if let Some(next) = from_form() {
            let note = if next.key_is_for_another_api() {
                "Saved. The API key stays with the address it was entered for and is not sent to this one; enter it again to use it here."
            } else if next.token_is_for_another_hub() {
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
            flock_key_scope: None,
            ..settings.get_untracked()
        };
        apply(
            next,
            "The API key is forgotten: it is no longer stored in this browser.",
        );
    };
    let reset = move |_| {
        base_input.set(default_address().to_string());
        hub_input.set(default_hub_address().to_string());
        timeout_input.set(DEFAULT_TIMEOUT_SECS.to_string());
        network_wait_input.set(DEFAULT_NETWORK_WAIT_MINS.to_string());
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
        let (fresh, _) = latest_api.start();
        leptos::task::spawn_local(async move {
            let result = match AbortController::new() {
                Ok(controller) => get_text(&base.health(), &base, timeout, None, &controller).await,
                Err(_) => Err(ApiError::Network {
                    base: base.to_string(),
                }),
            };
            if fresh() {
                let _ = check.try_set(Some(result.map(|body| body.chars().take(200).collect())));
            }
        });
    };
    let test_key = move |_| {
        let key = key_input.get_untracked().trim().to_string();
        let Ok(base) = parsed_base.get_untracked() else {
            return;
        };
        let (fresh, _) = latest_key.start();
        if key.is_empty() {
            key_check.set(Some(Outcome::NotTested("enter a key first".into())));
            return;
        }
        key_check.set(Some(Outcome::Running));
        let timeout = parsed_timeout
            .get_untracked()
            .unwrap_or(DEFAULT_TIMEOUT_SECS);
        let wallet = parsed_wallet
            .get_untracked()
            .ok()
            .flatten()
            .or_else(|| settings.get_untracked().own_wallet());
        leptos::task::spawn_local(async move {
            let outcome = match AbortController::new() {
                Ok(controller) => {
                    check_key(&base, &key, wallet.as_ref(), timeout, &controller).await
                }
                Err(_) => Outcome::NoAnswer,
            };
            if fresh() {
                let _ = key_check.try_set(Some(outcome));
            }
        });
    };
    let key_elsewhere = move || settings.get().key_is_for_another_api();
    let forget_token = move |_| {
        token_input.set(String::new());
        token_check.set(None);
        let next = Settings {
            hf_token: None,
            hf_token_scope: None,
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
        let (fresh, controller) = latest_token.start();
        let Some(controller) = controller else {
            return;
        };
        leptos::task::spawn_local(async move {
            let result = whoami(&hub, &token, &controller.signal())
                .await
                .map(|who| who.describe())
                .map_err(|e| e.to_string());
            if fresh() {
                let _ = token_check.try_set(Some(result));
            }
        });
    };
    let token_elsewhere = move || settings.get().token_is_for_another_hub();

    view! {
        <section class="settings panel">
            <h1>"Settings"</h1>
            <p class="hint">"Kept in this browser's local storage. Nothing is sent anywhere else."</p>
            <form on:submit=save novalidate>
                <h2>"FLock API"</h2>
                <label class="field">
                    <span class="field__label">"FLock API address"</span>
                    <input
                        type="text"
                        inputmode="url"
                        spellcheck="false"
                        data-testid="api-base-input"
                        prop:value=move || base_input.get()
                        on:input:target=move |ev| base_input.set(ev.target().value())
                    />
                    <span class="field__hint">
                        {format!("This build's default: {}. Production: https://fed-ledger-prod.flock.io/api/v1/. Behind a proxy on this page's own server (README → Deploying): api/v1/.", default_address())}
                    </span>
                    {move || resolves_to(&base_input.get(), &parsed_base.get()).map(|t| view! { <span class="field__hint" data-testid="api-resolved">{t}</span> })}
                    {move || parsed_base.get().err().map(|e| view! { <span class="field__error" role="alert" data-testid="api-base-error">{e}</span> })}
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
                {move || key_check.get().map(|outcome| {
                    let setup = Setup {
                        page_origin: origin_of(&page_url()).to_string(),
                        api: parsed_base.get_untracked().map(|b| b.to_string()).unwrap_or_default(),
                        hub: parsed_hub.get_untracked().map(|b| b.to_string()).unwrap_or_default(),
                    };
                    let text = match advice(Probe::Keyed, &outcome, &setup) {
                        Some(advice) => format!("{} — {advice}", outcome.summary()),
                        None => outcome.summary(),
                    };
                    check_notice(if outcome.verdict() == Verdict::Fail { Err(text) } else { Ok(text) }, "key-result")
                })}
                <h2>"Hugging Face"</h2>
                <label class="field">
                    <span class="field__label">"Hub address"</span>
                    <input
                        type="text"
                        inputmode="url"
                        spellcheck="false"
                        data-testid="hub-base-input"
                        prop:value=move || hub_input.get()
                        on:input:target=move |ev| hub_input.set(ev.target().value())
                    />
                    <span class="field__hint">{format!("This build's default: {}. Behind a proxy on this page's own server: hf/.", default_hub_address())}</span>
                    {move || resolves_to(&hub_input.get(), &parsed_hub.get()).map(|t| view! { <span class="field__hint" data-testid="hub-resolved">{t}</span> })}
                    {move || parsed_hub.get().err().map(|e| view! { <span class="field__error" role="alert" data-testid="hub-base-error">{e}</span> })}
                </label>
                <label class="field">
                    <span class="field__label">"Hugging Face token (write access)"</span>
                    <SecretInput value=token_input test_id="token-input" toggle_test_id="show-token" />
                    <span class="field__hint">
                        "From huggingface.co → Settings → Access Tokens: a write token, or a fine-grained one with write access to your repos. "
                        "Sent only to the Hub address above, as “Authorization: Bearer”, never to storage URLs."
                    </span>
                    {move || token_elsewhere().then(|| view! {
                        <span class="field__warning" data-testid="token-elsewhere">
                            "A token is saved for another Hub address, so it is not sent to this one. Enter it again to use it here."
                        </span>
                    })}
                </label>
                <label class="check">
                    <input type="checkbox" data-testid="token-session-only" prop:checked=move || session_only.get() on:change:target=move |ev| session_only.set(ev.target().checked()) />
                    " Keep the token only until this browser session ends"
                </label>
                <label class="field">
                    <span class="field__label">"When the network drops during an upload, wait for it (minutes)"</span>
                    <input
                        type="number"
                        min="0"
                        max=MAX_NETWORK_WAIT_MINS.to_string()
                        data-testid="network-wait-input"
                        prop:value=move || network_wait_input.get()
                        on:input:target=move |ev| network_wait_input.set(ev.target().value())
                    />
                    <span class="field__hint">"The upload pauses and carries on by itself when the network is back; with 0 it stops after the usual few attempts."</span>
                    {move || parsed_network_wait.get().err().map(|e| view! { <span class="field__error" role="alert">{e}</span> })}
                </label>
                <label class="check">
                    <input type="checkbox" data-testid="notify-input" prop:checked=move || notify_input.get() on:change:target=move |ev| on_notify(ev.target().checked()) />
                    " Notify me when an upload ends while this tab is hidden"
                </label>
                {move || notify_refused.get().then(|| view! {
                    <span class="field__warning" role="alert" data-testid="notify-refused">
                        "The browser did not allow notifications for this page, so none will be shown. Allow them in the site's settings, then turn this on again."
                    </span>
                })}
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
                <label class="check">
                    <input type="checkbox" data-testid="alerts-input" prop:checked=move || alerts_on.get() on:change:target=move |ev| on_alerts(ev.target().checked()) />
                    " Alert me while this page is open: a watched wallet loses rank, a task opens, a watched task closes within a day"
                </label>
                {move || alerts_on.get().then(|| view! {
                    <label class="field">
                        <span class="field__label">"Look every (minutes)"</span>
                        <input type="number" min="5" data-testid="alert-minutes-input" prop:value=move || alert_mins_input.get()
                            on:input:target=move |ev| alert_mins_input.set(ev.target().value()) />
                        <span class="field__hint">"Each look reads the open tasks' boards; it waits while the tab is hidden or offline."</span>
                        {move || parsed_alert_mins.get().err().map(|e| view! { <span class="field__error" role="alert">{e}</span> })}
                    </label>
                })}
                {move || alerts_unnotified.get().then(|| view! {
                    <span class="field__warning" role="status" data-testid="alerts-unnotified">
                        "The browser did not allow notifications for this page: alerts will show at the top of this page only."
                    </span>
                })}
                <div class="actions">
                    <button class="button" type="submit" data-testid="save-settings">"Save"</button>
                    <button class="button button--quiet" type="button" on:click=test data-testid="test-api">"Test connection"</button>
                    <button class="button button--quiet" type="button" on:click=reset>"Restore defaults"</button>
                    <a class="button button--quiet" href=View::Check.href() data-testid="open-check">"Check every call…"</a>
                </div>
                {move || message.get().map(|(ok, text)| view! {
                    <p class=if ok { "notice notice--ok" } else { "notice notice--error" } role="status" data-testid="settings-message">{text}</p>
                })}
                {move || check.get().map(|result| check_notice(result.map(|body| format!("The API answered: {body}")).map_err(|e| e.to_string()), "test-result"))}
            </form>
        </section>
    }
}

/// Read the alert-interval field.
fn parse_alert_minutes(raw: &str) -> Result<u32, String> {
    let least = crate::flock::alerts::MIN_MINUTES;
    match raw.trim().parse::<u32>() {
        Ok(mins) if (least..=24 * 60).contains(&mins) => Ok(mins),
        _ => Err(format!(
            "Enter a whole number of minutes from {least} to 1440."
        )),
    }
}

/// Read the network-wait field.
fn parse_network_wait(raw: &str) -> Result<u32, String> {
    match raw.trim().parse::<u32>() {
        Ok(mins) if mins <= MAX_NETWORK_WAIT_MINS => Ok(mins),
        _ => Err(format!(
            "Enter a whole number of minutes from 0 to {MAX_NETWORK_WAIT_MINS}."
        )),
    }
}

/// Read the time-limit field.
fn parse_timeout(raw: &str) -> Result<u32, String> {
    match raw.trim().parse::<u32>() {
        Ok(secs) if (1..=600).contains(&secs) => Ok(secs),
        _ => Err("Enter a whole number of seconds from 1 to 600.".into()),
    }
}
