//! The address form of the wallet-keyed views (the wallet page, my standing): type an address,
//! go to that view for it; a shortcut to the wallet saved in Settings.

use leptos::prelude::*;

use crate::app::{use_go, use_settings};
use crate::flock::view::View;

/// An address field that follows the URL (`address`) and goes to `to(address)` on submit.
#[component]
pub fn WalletForm(
    /// The address in the URL.
    address: Memo<String>,
    /// The view for an address.
    to: fn(String) -> View,
    /// The submit button's words.
    #[prop(default = "Look up")]
    action: &'static str,
) -> impl IntoView {
    let settings = use_settings();
    let draft = RwSignal::new(address.get_untracked());
    // Follow the URL (back/forward, links) into the form.
    Effect::new(move |_| draft.set(address.get()));
    let go = use_go();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        go(&to(draft.get_untracked().trim().to_string()), false);
    };
    let own = move || settings.get().own_wallet();
    view! {
        <form class="controls" on:submit=submit>
            <label class="control control--grow">
                <span class="control__label">"Wallet address"</span>
                <input
                    type="text"
                    name="address"
                    spellcheck="false"
                    autocomplete="off"
                    placeholder="0x followed by 40 hexadecimal digits"
                    data-testid="address-input"
                    prop:value=move || draft.get()
                    on:input:target=move |ev| draft.set(ev.target().value())
                />
            </label>
            <button class="button" type="submit" data-testid="lookup">{action}</button>
            {move || own().map(|me| view! {
                <a class="button button--quiet" href=to(me.to_string()).href()>"My wallet"</a>
            })}
        </form>
    }
}

/// Why `raw` (from the URL) is not a wallet address; shown instead of the view, and nothing is
/// requested.
#[component]
pub fn AddressError(raw: String, reason: String) -> impl IntoView {
    view! {
        <p class="notice notice--error" role="alert" data-testid="address-error">
            {format!("“{raw}” is not a wallet address. {reason}")}
        </p>
    }
}
