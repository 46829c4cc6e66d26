//! One task in full: every field, the phase timeline, the training-set and final-model links.

use leptos::prelude::*;

use crate::app::use_settings;
use crate::components::{
    use_now, Deadline, Description, ErrorPanel, StarButton, Starred, StatusBadge, SubmissionTable,
};
use crate::flock::format::{grouped, human_count};
use crate::flock::leaderboard::LeaderboardQuery;
use crate::flock::phase::{timeline, Phase};
use crate::flock::task::Task;
use crate::flock::task_list::TaskListQuery;
use crate::flock::time::{format_duration, format_utc};
use crate::flock::view::View;
use crate::flock::ApiError;
use crate::flock::TaskStatus;
use crate::net::{fetch_my_submissions, fetch_task};
use crate::remote::{use_remote, Load};

/// How long a presigned training-set URL stays valid after the API made it.
const TRAINING_URL_LIFETIME_SECS: i64 = 3600;

/// The page for task `id`.
#[component]
pub fn TaskPage(
    /// The task's id.
    id: u64,
) -> impl IntoView {
    let settings = use_settings();
    let task = use_remote(
        move || settings.get(),
        move |settings, controller| async move { fetch_task(&settings, id, &controller).await },
    );
    view! {
        <p class="crumbs"><a href=View::Tasks(TaskListQuery::default()).href()>"← All tasks"</a></p>
        {move || match task.get() {
            Load::Loading => view! {
                <p class="loading" role="status" data-testid="loading">{format!("Loading task {id}…")}</p>
            }.into_any(),
            Load::Failed(error) => view! {
                <ErrorPanel error=error on_retry=Callback::new(move |()| task.retry()) />
            }.into_any(),
            Load::Ready(task) => view! { <TaskDetail task=task /> }.into_any(),
        }}
    }
}

#[component]
fn TaskDetail(task: Task) -> impl IntoView {
    let now = use_now();
    // The API signs a fresh training-set URL on every call: it expires an hour after this load.
    let loaded_at = now.get_untracked();
    let training = match task.safe_training_set_url() {
        Some(url) => {
            let expires = loaded_at + chrono::Duration::seconds(TRAINING_URL_LIFETIME_SECS);
            view! {
            <a class="button" href=url.to_string() rel="noopener noreferrer" target="_blank" data-testid="training-set">
                "Download training set"
            </a>
            <span class="hint">
                {format!("The link expires an hour after loading, at {}. ", format_utc(expires))}
                "Reload the page for a fresh one."
            </span>
        }
        .into_any()
        }
        None => view! { <span class="muted">"No download link in this answer."</span> }.into_any(),
    };
    let final_model = match (task.safe_final_link(), task.final_link.as_deref()) {
        (Some(link), _) => view! {
            <a href=link.to_string() rel="noopener noreferrer" target="_blank" data-testid="final-link">{link.to_string()}</a>
        }.into_any(),
        (None, Some(unsafe_link)) => view! {
            <span data-testid="final-link-text" title="Not a web address, so not offered as a link">{unsafe_link.to_string()}</span>
        }.into_any(),
        (None, None) => view! { <span class="muted">"Not chosen yet"</span> }.into_any(),
    };
    let facts: Vec<(&str, String, Option<String>)> = vec![
        ("Task id", task.id.to_string(), None),
        (
            "Type",
            task.task_type.label(),
            Some(task.task_type.as_api().to_string()),
        ),
        (
            "Max parameters",
            task.max_params
                .map(human_count)
                .unwrap_or_else(|| "—".into()),
            task.max_params
                .map(|p| format!("{} parameters", grouped(p))),
        ),
        (
            "Context length",
            task.context_length
                .map(|c| format!("{} tokens", grouped(c)))
                .unwrap_or_else(|| "—".into()),
            None,
        ),
        (
            "Recommended VRAM",
            task.recommended_vram.clone().unwrap_or_else(|| "—".into()),
            None,
        ),
        (
            "Submission window",
            task.duration_secs
                .map(format_duration)
                .unwrap_or_else(|| "—".into()),
            task.duration_secs.map(|d| format!("{d} s")),
        ),
        (
            "Dataset",
            task.dataset_key.clone().unwrap_or_else(|| "—".into()),
            None,
        ),
    ];
    let facts = facts
        .into_iter()
        .map(|(name, value, title)| view! { <dt>{name}</dt><dd title=title>{value}</dd> })
        .collect_view();
    let other = (!task.other_data.is_empty()).then(|| {
        let rows = task
            .other_data
            .iter()
            .map(|(k, v)| view! { <dt class="mono">{k.clone()}</dt><dd class="mono">{v.clone()}</dd> })
            .collect_view();
        view! { <h2>"Other task data"</h2><dl class="facts">{rows}</dl> }
    });
    let dates = [
        ("Initialized", task.initialized_at),
        ("Submission phase ends", task.submission_ends_at),
        ("Final validation ends", task.final_validation_ends_at),
    ]
    .into_iter()
    .map(|(name, at)| {
        view! {
            <dt>{name}</dt>
            <dd>
                {at.map(format_utc).unwrap_or_else(|| "—".into())}
                " · "
                <Deadline at=at />
            </dd>
        }
    })
    .collect_view();
    let title = task.shown_title();
    view! {
        <article class="task" data-testid="task-detail" data-task-id=task.id.to_string()>
            <div class="page-head">
                <h1 data-testid="task-title">{title}</h1>
                <StatusBadge status=task.status.clone() />
                <StarButton target=Starred::Task(task.id) />
                <a class="button button--quiet" data-testid="leaderboard-link" href=View::Leaderboard { id: task.id, query: LeaderboardQuery::default() }.href()>
                    "Leaderboard"
                </a>
            </div>
            <Timeline task=task.clone() />
            <div class="task__grid">
                <section>
                    <h2>"Description"</h2>
                    <Description text=task.description.clone() />
                    <h2>"Training data"</h2>
                    <p class="links">{training}</p>
                    <h2>"Final model"</h2>
                    <p>{final_model}</p>
                    <MySubmissions task_id=task.id />
                </section>
                <section>
                    <h2>"Details"</h2>
                    <dl class="facts" data-testid="facts">{facts}</dl>
                    <h2>"Dates (UTC)"</h2>
                    <dl class="facts">{dates}</dl>
                    {other}
                </section>
            </div>
        </article>
    }
}

/// The phase timeline with a marker for now; it moves with the page clock.
#[component]
fn Timeline(task: Task) -> impl IntoView {
    let now = use_now();
    let listed_open = task.status == TaskStatus::SubmissionPhase;
    let line = Memo::new(move |_| timeline(&task, now.get()));
    // The API's status and the dates can disagree (a task still "open" after its deadline):
    // say so rather than pick one silently.
    let note = move || {
        (listed_open && line.get().phase != Phase::Submission).then(|| view! {
            <p class="notice notice--warning" data-testid="status-note">
                "The API still lists this task as open, but by its dates the submission phase is over."
            </p>
        })
    };
    view! {
        <section class="timeline" data-testid="timeline" aria-label="Task timeline">
            <p class="timeline__phase">
                "Phase now: "
                <strong data-testid="phase">{move || line.get().phase.label()}</strong>
            </p>
            {note}
            <div class="timeline__bar">
                <div
                    class="timeline__done"
                    style:width=move || format!("{:.2}%", line.get().now_position.unwrap_or(0.0) * 100.0)
                ></div>
                {move || line.get().milestones.into_iter().map(|m| view! {
                    <div
                        class="timeline__mark"
                        class:timeline__mark--passed=m.passed
                        style:left=format!("{:.2}%", m.position * 100.0)
                        title=m.at.map(format_utc).unwrap_or_else(|| "date not given".into())
                    >
                        <span class="timeline__label">{m.label}</span>
                    </div>
                }).collect_view()}
                {move || line.get().now_position.map(|p| view! {
                    <div class="timeline__now" style:left=format!("{:.2}%", p * 100.0) title="Now">
                        <span class="timeline__label">"now"</span>
                    </div>
                })}
            </div>
        </section>
    }
}

/// The key owner's submissions to this task, newest first; without a key, where to add one.
#[component]
fn MySubmissions(task_id: u64) -> impl IntoView {
    let settings = use_settings();
    let mine = use_remote(
        move || settings.get(),
        move |settings, controller| async move {
            fetch_my_submissions(&settings, task_id, &controller).await
        },
    );
    view! {
        <section data-testid="my-submissions">
            <h2>"My submissions"</h2>
            {move || match mine.get() {
                Load::Loading => view! { <p class="loading" role="status">"Loading your submissions…"</p> }.into_any(),
                // The API accepts a key only for tasks its wallet staked on: not an error here.
                Load::Failed(ApiError::Status { code: 403, detail }) => view! {
                    <p class="muted" data-testid="not-staked">
                        "Your key's wallet has not staked on this task, so the API lists no submissions of yours here"
                        {detail.map(|d| format!(" (it said: “{d}”)"))}
                        "."
                    </p>
                }.into_any(),
                Load::Failed(error) => view! {
                    <ErrorPanel error=error on_retry=Callback::new(move |()| mine.retry()) />
                }.into_any(),
                Load::Ready(None) => view! {
                    <p class="muted" data-testid="no-key">
                        {if settings.get().key_is_for_another_api() {
                            "Your saved FLock API key belongs to another API address, so it is not sent here. "
                        } else {
                            "Add your FLock API key in "
                        }}
                        <a href=View::Settings.href()>"Settings"</a>
                        " to see your submissions to this task and their scores."
                    </p>
                }.into_any(),
                Load::Ready(Some((rows, unreadable))) => view! {
                    <SubmissionTable rows=rows unreadable=unreadable source=format!("tasks/wallet-submissions?task_id={task_id}")
                        file_stem=format!("flockboard-task-{task_id}-my-submissions") />
                }.into_any(),
            }}
        </section>
    }
}
