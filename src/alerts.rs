//! Alerts while the page is open (Settings, off by default): every few minutes (with jitter,
//! waiting while the tab is hidden or the browser offline) the open tasks and their boards are
//! read, and what [`crate::flock::alerts::compare`] finds is shown at the top of the page and,
//! where the browser allows, as a notification.

use std::collections::BTreeSet;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::app::{use_settings, use_watchlist};
use crate::flock::alerts::{compare, next_delay_ms, Alert, Look};
use crate::flock::leaderboard::Board;
use crate::flock::standing::stand;
use crate::flock::task_list::TaskFilter;
use crate::flock::time::from_millis;
use crate::flock::wallet::WalletAddress;
use crate::flock::watch::Watchlist;
use crate::flock::ApiError;
use crate::net::{fetch_task_list, read_leaderboard};
use crate::remote::Latest;
use crate::storage::Settings;
use crate::upload::awake::{notify, tab_hidden};

/// Alerts kept on the page at most (the oldest go).
const SHOWN: usize = 20;

/// One look: the open tasks, and each watched wallet's rank on their boards.
async fn take_look(
    settings: &Settings,
    list: &Watchlist,
    controller: &web_sys::AbortController,
) -> Result<(Look, Vec<crate::flock::task::Task>), ApiError> {
    let tasks = fetch_task_list(settings, TaskFilter::Open, controller)
        .await?
        .tasks;
    let wallets: Vec<WalletAddress> = list.wallets.iter().filter_map(|w| w.parse().ok()).collect();
    let mut look = Look {
        open: tasks.iter().map(|t| t.id).collect(),
        ..Look::default()
    };
    if !wallets.is_empty() {
        for task in &tasks {
            for board in Board::ALL {
                let (entries, _) =
                    read_leaderboard(settings, board, task.id, controller, &|_, _| {}).await?;
                for wallet in &wallets {
                    let rank = stand(&entries, wallet.as_str()).rank();
                    look.ranks
                        .insert((wallet.as_str().to_ascii_lowercase(), task.id, board), rank);
                }
            }
        }
    }
    Ok((look, tasks))
}

/// Wait `ms`, then while the tab is hidden or the browser offline; `false` when the run was
/// superseded meanwhile.
async fn wait(ms: f64, still: impl Fn() -> bool) -> bool {
    gloo_timers::future::TimeoutFuture::new(ms.clamp(0.0, f64::from(i32::MAX)) as u32).await;
    loop {
        if !still() {
            return false;
        }
        let online = web_sys::window().is_none_or(|w| w.navigator().on_line());
        if online && !tab_hidden() {
            return true;
        }
        gloo_timers::future::TimeoutFuture::new(5_000).await;
    }
}

/// The poller and the page's list of alerts (nothing while alerts are off and none was raised).
#[component]
pub fn AlertWatcher() -> impl IntoView {
    let settings = use_settings();
    let watchlist = use_watchlist();
    let shown = RwSignal::new(Vec::<(String, String)>::new());
    let run = Latest::new();
    // The poll follows the setting and the API address; the stars are read at each look.
    let setup = Memo::new(move |_| {
        let s = settings.get();
        (
            s.alert_every_mins,
            s.alert_test_ms,
            s.flock_api().to_string(),
        )
    });
    Effect::new(move |_| {
        let (minutes, test_ms, _) = setup.get();
        let (still, controller) = run.start();
        let Some(controller) = controller else { return };
        if minutes == 0 {
            return;
        }
        spawn_local(async move {
            let mut before: Option<Look> = None;
            let mut warned = BTreeSet::new();
            let mut first = true;
            loop {
                let delay = if first {
                    0.0
                } else {
                    test_ms.map_or_else(
                        || next_delay_ms(minutes, js_sys::Math::random()),
                        |ms| ms as f64,
                    )
                };
                first = false;
                if !wait(delay, still).await {
                    return;
                }
                let (Some(current), Some(list)) =
                    (settings.try_get_untracked(), watchlist.try_get_untracked())
                else {
                    return;
                };
                // A failed look is skipped: the next one compares with the last good one.
                let Ok((look, tasks)) = take_look(&current, &list, &controller).await else {
                    continue;
                };
                if !still() {
                    return;
                }
                let now = from_millis(js_sys::Date::now());
                for alert in compare(
                    before.as_ref(),
                    &look,
                    &tasks,
                    &list.tasks,
                    &mut warned,
                    now,
                ) {
                    raise(&alert, shown);
                }
                before = Some(look);
            }
        });
    });
    on_cleanup(move || run.stop());
    move || {
        let alerts = shown.get();
        (!alerts.is_empty()).then(|| {
            view! {
                <aside class="alerts" aria-live="polite" data-testid="alerts">
                    <h2 class="alerts__title">"Alerts"</h2>
                    <ul class="plain-list">
                        {alerts.into_iter().map(|(title, body)| view! { <li data-testid="alert"><strong>{title}</strong>": "{body}</li> }).collect_view()}
                    </ul>
                    <button type="button" class="button button--quiet" data-testid="dismiss-alerts" on:click=move |_| shown.set(Vec::new())>"Dismiss"</button>
                </aside>
            }
        })
    }
}

/// Show `alert` on the page, and as a notification where the browser allows.
fn raise(alert: &Alert, shown: RwSignal<Vec<(String, String)>>) {
    let (title, body) = alert.text();
    let tag = format!("flockboard-alert-{title}");
    notify(&title, &body, &tag);
    let _ = shown.try_update(|all| {
        all.push((title, body));
        if all.len() > SHOWN {
            all.remove(0);
        }
    });
}
