//! A wallet's record, looked up from the URL (`?view=wallet&address=0x…`, or `?address=0x…`):
//! medals as training node and as validator with the tasks they came from, enrolled tasks, and
//! every submission. An invalid address is explained inline and nothing is requested.

use leptos::prelude::*;

use crate::app::{use_settings, use_view};
use crate::components::{
    AddressError, CopyButton, ErrorPanel, RefreshButton, StarButton, Starred, SubmissionTable,
    UnreadNotice, WalletForm,
};
use crate::flock::unread::Unread;
use crate::flock::view::View;
use crate::flock::wallet::WalletAddress;
use crate::flock::wallet_stats::{Achievements, Role};
use crate::flock::ApiError;
use crate::net::{fetch_achievements, fetch_enrolled, fetch_wallet_submissions};
use crate::remote::{use_remote, Load, Remote};
use crate::storage::Settings;
use std::future::Future;
use web_sys::AbortController;

/// The wallet page.
#[component]
pub fn WalletPage() -> impl IntoView {
    let view = use_view();
    let address = Memo::new(move |_| match view.get() {
        View::Wallet { address } => address,
        _ => String::new(),
    });
    view! {
        <section class="wallet">
            <div class="page-head"><h1>"Wallet"</h1></div>
            <WalletForm address=address to=|address| View::Wallet { address } />
            {move || {
                let raw = address.get();
                if raw.is_empty() {
                    return view! {
                        <p class="hint">"Enter an address to see its submissions, medals and tasks. The page's address is a link you can share."</p>
                    }.into_any();
                }
                match raw.parse::<WalletAddress>() {
                    Err(reason) => view! { <AddressError raw=raw.clone() reason=reason /> }.into_any(),
                    Ok(wallet) => view! { <WalletRecord wallet=wallet /> }.into_any(),
                }
            }}
        </section>
    }
}

#[component]
fn WalletRecord(wallet: WalletAddress) -> impl IntoView {
    let settings = use_settings();
    let node = use_wallet_load(&wallet, |s, w, c| async move {
        fetch_achievements(&s, &w, Role::Node, &c).await
    });
    let validator = use_wallet_load(&wallet, |s, w, c| async move {
        fetch_achievements(&s, &w, Role::Validator, &c).await
    });
    let enrolled = use_wallet_load(&wallet, |s, w, c| async move {
        fetch_enrolled(&s, &w, &c).await
    });
    let submissions = use_wallet_load(&wallet, |s, w, c| async move {
        fetch_wallet_submissions(&s, &w, &c).await
    });
    let stem = format!("flockboard-wallet-{}-submissions", wallet.as_str());
    let is_me = settings
        .get_untracked()
        .own_wallet()
        .is_some_and(|me| me == wallet);
    view! {
        <div class="wallet__head">
            <code class="wallet__address" data-testid="wallet-address">{wallet.to_string()}</code>
            <CopyButton text=wallet.to_string() what="wallet address" />
            <StarButton target=Starred::Wallet(wallet.clone()) />
            <a class="button button--quiet" href=View::Me { address: wallet.to_string() }.href()>"Standing"</a>
            {is_me.then(|| view! { <span class="badge badge--open">"Your wallet"</span> })}
            <RefreshButton
                refreshing=Signal::derive(move || node.refreshing() || validator.refreshing() || enrolled.refreshing() || submissions.refreshing())
                on_refresh=Callback::new(move |()| {
                    node.retry();
                    validator.retry();
                    enrolled.retry();
                    submissions.retry();
                })
            />
        </div>
        <div class="wallet__grid">
            <section data-testid="medals-node">
                <h2>"Medals as training node"</h2>
                {move || medals(node.get(), Role::Node, Callback::new(move |()| node.retry()))}
            </section>
            <section data-testid="medals-validator">
                <h2>"Medals as validator"</h2>
                {move || medals(validator.get(), Role::Validator, Callback::new(move |()| validator.retry()))}
            </section>
            <section data-testid="enrolled">
                <h2>"Enrolled tasks"</h2>
                {move || match enrolled.get() {
                    Load::Loading => view! { <p class="loading" role="status">"Loading…"</p> }.into_any(),
                    Load::Failed(e) => view! { <ErrorPanel error=e on_retry=Callback::new(move |()| enrolled.retry()) /> }.into_any(),
                    Load::Ready(read) => view! {
                        {fields_notice("stats/enrolled-tasks", &read.unread)}
                        {read.tasks.is_empty().then(|| view! { <p class="muted">"Not enrolled in any task."</p> })}
                        <ul class="plain-list">
                            {read.tasks.into_iter().map(|e| view! {
                                <li>
                                    <a href=View::Task { id: e.task_id }.href()>{format!("Task {}", e.task_id)}</a>
                                    {e.role.map(|r| format!(" · {}", role_label(&r)))}
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                }}
            </section>
        </div>
        <section data-testid="wallet-submissions">
            <h2>"Submissions"</h2>
            {move || match submissions.get() {
                Load::Loading => view! { <p class="loading" role="status">"Loading every page of submissions…"</p> }.into_any(),
                Load::Failed(e) => view! { <ErrorPanel error=e on_retry=Callback::new(move |()| submissions.retry()) /> }.into_any(),
                Load::Ready((rows, unreadable)) => view! {
                    <SubmissionTable rows=rows unreadable=unreadable show_task=true source="stats/submissions".to_string()
                        file_stem=stem.clone() />
                }.into_any(),
            }}
        </section>
    }
}

/// Load something about `wallet` with `fetch`, again whenever the settings change.
fn use_wallet_load<T, Fut>(
    wallet: &WalletAddress,
    fetch: impl Fn(Settings, WalletAddress, AbortController) -> Fut + Copy + 'static,
) -> Remote<T>
where
    T: Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<T, ApiError>> + 'static,
{
    let settings = use_settings();
    let wallet = wallet.clone();
    use_remote(
        move || settings.get(),
        move |s, c| fetch(s, wallet.clone(), c),
    )
}

fn role_label(role: &str) -> String {
    match role {
        "node" => Role::Node.label().to_string(),
        "validator" => Role::Validator.label().to_string(),
        other => other.to_string(),
    }
}

/// The notice for fields of `source`'s answer that could not be read.
fn fields_notice(source: &str, unread: &[Unread]) -> impl IntoView {
    let count = unread.len();
    view! {
        <UnreadNotice
            headline=format!("{count} field{} of the answer could not be read", if count == 1 { "" } else { "s" })
            source=source.to_string()
            lines=unread.iter().map(Unread::to_string).collect()
        />
    }
}

/// A medal count, or a dash when the answer did not give it.
fn count(n: Option<u64>) -> String {
    n.map_or_else(|| "—".to_string(), |n| n.to_string())
}

fn medals(state: Load<Achievements>, role: Role, retry: Callback<()>) -> AnyView {
    match state {
        Load::Loading => view! { <p class="loading" role="status">"Loading…"</p> }.into_any(),
        Load::Failed(e) => view! { <ErrorPanel error=e on_retry=retry /> }.into_any(),
        Load::Ready(a) => {
            let tasks = a
                .tasks
                .iter()
                .map(|t| {
                    let label = t
                        .task_id
                        .map_or_else(|| "Unnamed task".to_string(), |id| format!("Task {id}"));
                    let place = t.rank.map(|r| format!(" · rank {r}")).unwrap_or_default();
                    let medal = t
                        .medal
                        .clone()
                        .map(|m| format!(" · {m}"))
                        .unwrap_or_default();
                    let link = t.task_id.map(|id| View::Task { id }.href());
                    view! {
                        <li>
                            {match link {
                                Some(href) => view! { <a href=href>{label}</a> }.into_any(),
                                None => view! { <span>{label}</span> }.into_any(),
                            }}
                            {place}
                            {medal}
                        </li>
                    }
                })
                .collect_view();
            view! {
                {fields_notice(&format!("stats/achievements?role={}", role.as_str()), &a.unread)}
                <p class="medals" data-testid="medal-counts">
                    <span class="medal medal--gold">{format!("Gold {}", count(a.gold))}</span>
                    <span class="medal medal--silver">{format!("Silver {}", count(a.silver))}</span>
                    <span class="medal medal--bronze">{format!("Bronze {}", count(a.bronze))}</span>
                    <span>{format!("{} participation{}", count(a.participations), if a.participations == Some(1) { "" } else { "s" })}</span>
                </p>
                <ul class="plain-list">{tasks}</ul>
            }
            .into_any()
        }
    }
}
