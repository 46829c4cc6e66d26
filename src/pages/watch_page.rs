//! The watchlist (`?view=watch`): the open tasks that are new since the previous visit, the
//! starred tasks, and each starred wallet's standing with how its ranks moved since the
//! previous look ("▲ 3 since …"). Exported and imported as a JSON file, so it moves between
//! browsers; a file that is not a watchlist changes nothing.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::app::{change_watchlist, use_settings, use_watchlist};
use crate::browser::{download_text, local_date_time};
use crate::components::{Deadline, ErrorPanel, StarButton, Starred, StatusBadge};
use crate::flock::task::{Task, TaskStatus};
use crate::flock::task_list::TaskFilter;
use crate::flock::view::View;
use crate::flock::wallet::WalletAddress;
use crate::flock::watch::{new_tasks, SeenTasks, Watchlist};
use crate::net::fetch_task_list;
use crate::pages::me_page::Standing;
use crate::remote::{use_remote, Load};

/// The watchlist page.
#[component]
pub fn WatchPage() -> impl IntoView {
    let list = use_watchlist();
    let settings = use_settings();
    let message = RwSignal::new(None::<Result<String, String>>);
    // What was seen at the previous visit, taken once: this visit then becomes the previous.
    let seen_before = StoredValue::new(list.get_untracked().seen_tasks);
    let tasks = use_remote(
        move || settings.get(),
        |settings, c| async move { fetch_task_list(&settings, TaskFilter::All, &c).await },
    );
    // The tasks open now: this visit's "seen", and what is new against the previous one.
    let open_ids = Memo::new(move |_| match tasks.get() {
        Load::Ready(all) => Some(
            all.tasks
                .iter()
                .filter(|t| t.status == TaskStatus::SubmissionPhase)
                .map(|t| t.id)
                .collect::<Vec<u64>>(),
        ),
        _ => None,
    });
    Effect::new(move |_| {
        if let Some(open) = open_ids.get() {
            let seen = SeenTasks {
                at_ms: js_sys::Date::now(),
                ids: open,
            };
            if let Err(e) = change_watchlist(list, |l| l.seen_tasks = Some(seen)) {
                message.set(Some(Err(e)));
            }
        }
    });
    let export = move |_| {
        let json = list.with_untracked(Watchlist::to_json);
        if let Err(e) = download_text("flockboard-watchlist.json", "application/json", &json) {
            message.set(Some(Err(e)));
        }
    };
    let import = move |ev: leptos::ev::Event| {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        input.set_value("");
        leptos::task::spawn_local(async move {
            let text = JsFuture::from(file.text())
                .await
                .ok()
                .and_then(|v| v.as_string());
            let outcome = match text.map(|t| Watchlist::parse(&t)) {
                None => Err(format!("{} could not be read.", file.name())),
                Some(Err(why)) => Err(format!(
                    "{} was not imported: {why}. Your watchlist is unchanged.",
                    file.name()
                )),
                Some(Ok(imported)) => {
                    let counts = (imported.wallets.len(), imported.tasks.len());
                    change_watchlist(list, |l| l.merge(imported)).map(|()| {
                        format!(
                            "Imported {}: {} wallet(s) and {} task(s), joined with what was here.",
                            file.name(),
                            counts.0,
                            counts.1
                        )
                    })
                }
            };
            let _ = message.try_set(Some(outcome));
        });
    };
    // Only the stars, not the snapshots each look adds: a new snapshot must not start the
    // standings again.
    let starred_wallets = Memo::new(move |_| list.with(|l| l.wallets.clone()));
    let starred_tasks = Memo::new(move |_| list.with(|l| l.tasks.clone()));
    let wallets = move || {
        starred_wallets
            .get()
            .iter()
            .filter_map(|w| w.parse::<WalletAddress>().ok())
            .collect::<Vec<_>>()
    };
    view! {
        <section class="watch">
            <div class="page-head">
                <h1>"Watchlist"</h1>
                <div class="downloads">
                    <button type="button" class="button button--quiet" data-testid="export-watchlist" on:click=export>"Export"</button>
                    <label class="button button--quiet file-button">
                        "Import…"
                        <input type="file" accept=".json,application/json" class="visually-hidden" data-testid="import-watchlist" on:change=import />
                    </label>
                </div>
            </div>
            {move || message.get().map(|m| match m {
                Ok(text) => view! { <p class="notice notice--ok" role="status" data-testid="watch-message">{text}</p> }.into_any(),
                Err(text) => view! { <p class="notice notice--error" role="alert" data-testid="watch-message">{text}</p> }.into_any(),
            })}
            {move || match tasks.get() {
                Load::Loading => view! { <p class="loading" role="status">"Loading tasks…"</p> }.into_any(),
                Load::Failed(e) => view! { <ErrorPanel error=e on_retry=Callback::new(move |()| tasks.retry()) /> }.into_any(),
                Load::Ready(all) => {
                    let before = seen_before.get_value();
                    let open = open_ids.get().unwrap_or_default();
                    let fresh = new_tasks(before.as_ref(), &open);
                    let since = before.map(|s| local_date_time(s.at_ms));
                    let ids = starred_tasks.get();
                    let starred: Vec<Task> = all.tasks.iter().filter(|t| ids.contains(&t.id)).cloned().collect();
                    view! {
                        <NewTasks fresh=fresh since=since tasks=all.tasks.clone() />
                        <StarredTasks tasks=starred />
                    }.into_any()
                }
            }}
            <h2>"Wallets"</h2>
            {move || {
                let wallets = wallets();
                if wallets.is_empty() {
                    return view! {
                        <p class="hint" data-testid="no-wallets">"No wallet is starred: star one on its wallet page (or your own on the standing page) to follow its ranks here."</p>
                    }.into_any();
                }
                wallets.into_iter().map(|w| view! {
                    <section class="watch__wallet" data-testid="watched-wallet">
                        <Standing wallet=w watch=true />
                    </section>
                }).collect_view().into_any()
            }}
        </section>
    }
}

/// The open tasks that were not open at the previous visit.
#[component]
fn NewTasks(fresh: Vec<u64>, since: Option<String>, tasks: Vec<Task>) -> impl IntoView {
    let Some(since) = since else {
        return view! { <p class="hint" data-testid="new-tasks">"First visit: from the next one, the tasks opened since are listed here."</p> }.into_any();
    };
    if fresh.is_empty() {
        return view! { <p class="hint" data-testid="new-tasks">{format!("No task has opened since your previous visit ({since}).")}</p> }.into_any();
    }
    let items = fresh
        .iter()
        .filter_map(|id| tasks.iter().find(|t| t.id == *id))
        .map(|t| view! { <li><a href=View::Task { id: t.id }.href()>{format!("#{} {}", t.id, t.title)}</a></li> })
        .collect_view();
    view! {
        <div class="notice notice--ok" data-testid="new-tasks">
            <p>{format!("Opened since your previous visit ({since}):")}</p>
            <ul class="plain-list">{items}</ul>
        </div>
    }
    .into_any()
}

/// The starred tasks, with their phase and deadline.
#[component]
fn StarredTasks(tasks: Vec<Task>) -> impl IntoView {
    if tasks.is_empty() {
        return view! { <p class="hint" data-testid="no-tasks">"No task is starred: star one in the task list or on its page."</p> }.into_any();
    }
    let rows = tasks
        .into_iter()
        .map(|t| {
            view! {
                <tr data-testid="watched-task" data-task-id=t.id.to_string()>
                    <td class="table__text"><a href=View::Task { id: t.id }.href()>{format!("#{} {}", t.id, t.title)}</a></td>
                    <td><StatusBadge status=t.status.clone() /></td>
                    <td><Deadline at=t.submission_ends_at /></td>
                    <td><StarButton target=Starred::Task(t.id) /></td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <h2>"Tasks"</h2>
        <div class="table-wrap">
            <table class="table">
                <thead><tr><th scope="col">"Task"</th><th scope="col">"Status"</th><th scope="col">"Submissions close"</th><th scope="col"><span class="visually-hidden">"Star"</span></th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}
