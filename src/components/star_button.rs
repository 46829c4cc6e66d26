//! "Watch" / "Watching": stars a wallet or a task on the watchlist (`?view=watch`).

use leptos::prelude::*;

use crate::app::{change_watchlist, use_watchlist};
use crate::flock::wallet::WalletAddress;

/// What a star is for.
#[derive(Clone, Debug, PartialEq)]
pub enum Starred {
    /// A wallet.
    Wallet(WalletAddress),
    /// A task, by id.
    Task(u64),
}

/// A toggle button (`aria-pressed`) that stars or unstars `target`.
#[component]
pub fn StarButton(
    /// The wallet or task.
    target: Starred,
) -> impl IntoView {
    let list = use_watchlist();
    let problem = RwSignal::new(None::<String>);
    let watched = {
        let target = target.clone();
        move || {
            list.with(|l| match &target {
                Starred::Wallet(w) => l.watches_wallet(w),
                Starred::Task(id) => l.watches_task(*id),
            })
        }
    };
    let label = match &target {
        Starred::Wallet(w) => format!("Watch wallet {w}"),
        Starred::Task(id) => format!("Watch task {id}"),
    };
    let toggle = move |_| {
        let kept = change_watchlist(list, |l| {
            match &target {
                Starred::Wallet(w) => l.toggle_wallet(w),
                Starred::Task(id) => l.toggle_task(*id),
            };
        });
        problem.set(kept.err());
    };
    let shown = watched.clone();
    view! {
        <button
            type="button"
            class="star"
            class:star--on=watched.clone()
            aria-pressed=move || watched().to_string()
            aria-label=label
            title=move || problem.get().unwrap_or_else(|| "Stars live in this browser; see the watchlist".to_string())
            data-testid="star"
            on:click=toggle
        >
            {move || if shown() { "★ Watching" } else { "☆ Watch" }}
        </button>
    }
}
