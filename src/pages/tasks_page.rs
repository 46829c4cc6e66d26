//! The task list: open, finalized or all tasks, sortable and searchable, every choice in the URL.

use leptos::prelude::*;

use crate::app::{use_go, use_settings, use_view};
use crate::components::{
    Deadline, Downloads, ErrorPanel, RefreshButton, StarButton, Starred, StatusBadge, TabLink,
    UnreadNotice,
};
use crate::flock::format::{grouped, human_count};
use crate::flock::task::{Task, TaskList};
use crate::flock::task_list::{select, SortKey, TaskFilter, TaskListQuery};
use crate::flock::view::View;
use crate::net::fetch_task_list;
use crate::remote::{use_remote, Load};

/// The task list page.
#[component]
pub fn TasksPage() -> impl IntoView {
    let view = use_view();
    let query = Memo::new(move |_| match view.get() {
        View::Tasks(query) => query,
        _ => TaskListQuery::default(),
    });
    let filter = Memo::new(move |_| query.get().filter);
    let settings = use_settings();
    let tasks = use_remote(
        move || (settings.get(), filter.get()),
        |(settings, filter), controller| async move {
            fetch_task_list(&settings, filter, &controller).await
        },
    );
    let go = use_go();

    let tabs = TaskFilter::ALL
        .into_iter()
        .map(|f| {
            view! {
                <TabLink
                    href=Signal::derive(move || View::Tasks(TaskListQuery { filter: f, ..query.get() }).href())
                    active=Signal::derive(move || filter.get() == f)
                    label=f.label()
                    test_id=format!("filter-{}", f.as_str())
                />
            }
        })
        .collect_view();

    let on_search = {
        let go = go.clone();
        move |text: String| {
            go(
                &View::Tasks(TaskListQuery {
                    search: text,
                    ..query.get_untracked()
                }),
                true,
            );
        }
    };
    let on_sort = {
        let go = go.clone();
        move |raw: String| {
            let sort = SortKey::parse(&raw).unwrap_or_default();
            go(
                &View::Tasks(TaskListQuery {
                    sort,
                    ..query.get_untracked()
                }),
                false,
            );
        }
    };
    let on_order = move |_| {
        let current = query.get_untracked();
        go(
            &View::Tasks(TaskListQuery {
                descending: !current.descending,
                ..current
            }),
            false,
        );
    };

    view! {
        <section class="tasks">
            <div class="page-head">
                <h1>"Tasks"</h1>
                <nav class="tabs" aria-label="Which tasks">{tabs}</nav>
                <RefreshButton refreshing=Signal::derive(move || tasks.refreshing()) on_refresh=Callback::new(move |()| tasks.retry()) />
            </div>
            <div class="controls">
                <label class="control control--grow">
                    <span class="control__label">"Search"</span>
                    <input
                        type="search"
                        placeholder="Title, description, id, type or status"
                        data-testid="search"
                        prop:value=move || query.get().search
                        on:input:target=move |ev| on_search(ev.target().value())
                    />
                </label>
                <label class="control">
                    <span class="control__label">"Sort by"</span>
                    <select data-testid="sort" on:change:target=move |ev| on_sort(ev.target().value())>
                        {SortKey::ALL
                            .into_iter()
                            .map(|k| view! {
                                <option value=k.as_str() selected=move || query.get().sort == k>{k.label()}</option>
                            })
                            .collect_view()}
                    </select>
                </label>
                <button class="button button--quiet" data-testid="order" on:click=on_order>
                    {move || if query.get().descending { "↓ Descending" } else { "↑ Ascending" }}
                </button>
            </div>
            {move || match tasks.get() {
                Load::Loading => view! {
                    <p class="loading" role="status" data-testid="loading">"Loading tasks…"</p>
                }.into_any(),
                Load::Failed(error) => view! {
                    <ErrorPanel error=error on_retry=Callback::new(move |()| tasks.retry()) />
                }.into_any(),
                Load::Ready(list) => view! { <TaskTable list=list query=query /> }.into_any(),
            }}
        </section>
    }
}

/// The loaded tasks, searched and sorted per `query`.
#[component]
fn TaskTable(list: TaskList, query: Memo<TaskListQuery>) -> impl IntoView {
    let count = list.unreadable.len();
    let unreadable = view! {
        <UnreadNotice
            headline=format!("{count} entr{} in the answer could not be read and {} not shown", if count == 1 { "y" } else { "ies" }, if count == 1 { "is" } else { "are" })
            source="tasks/list".to_string()
            lines=list.unreadable
        />
    };
    let tasks = StoredValue::new(list.tasks);
    // The rows shown, as the API sent them.
    let downloads = move || {
        view! {
            <Downloads
                stem=Signal::derive(move || format!("flockboard-tasks-{}", query.get().filter.as_str()))
                rows=Callback::new(move |()| tasks.with_value(|tasks| {
                    select(tasks, &query.get_untracked()).into_iter().map(|t| t.raw.clone()).collect()
                }))
                what="tasks shown"
            />
        }
    };
    let body = move || {
        tasks.with_value(|tasks| {
            let query = query.get();
            let shown = select(tasks, &query);
            let total = tasks.len();
            if shown.is_empty() {
                let message = if total == 0 {
                    match query.filter {
                        TaskFilter::Open => {
                            "No task is open for submissions right now.".to_string()
                        }
                        TaskFilter::Finalized => "No task has been finalized yet.".to_string(),
                        TaskFilter::All => "The API lists no tasks.".to_string(),
                    }
                } else {
                    format!("No task matches “{}”.", query.search.trim())
                };
                return view! { <p class="empty" data-testid="empty">{message}</p> }.into_any();
            }
            let matching = shown.len();
            let rows = shown.into_iter().map(task_row).collect_view();
            let count = if query.search.trim().is_empty() {
                format!("{total} task{}", if total == 1 { "" } else { "s" })
            } else {
                format!("{matching} of {total} tasks match")
            };
            view! {
                <div class="table-head">
                    <p class="count" data-testid="count">{count}</p>
                    {downloads()}
                </div>
                <div class="table-wrap">
                    <table class="table" data-testid="task-table">
                        <thead>
                            <tr>
                                <th scope="col">"Id"</th>
                                <th scope="col">"Title"</th>
                                <th scope="col">"Status"</th>
                                <th scope="col">"Type"</th>
                                <th scope="col" class="num">"Max params"</th>
                                <th scope="col" class="num">"Context"</th>
                                <th scope="col">"VRAM"</th>
                                <th scope="col">"Submissions close"</th>
                                <th scope="col"><span class="visually-hidden">"Watch"</span></th>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            }
            .into_any()
        })
    };
    view! {
        {unreadable}
        {body}
    }
}

fn task_row(task: &Task) -> impl IntoView {
    let title = task.shown_title();
    let params_exact = task
        .max_params
        .map(|p| format!("{} parameters", grouped(p)));
    let params = task
        .max_params
        .map(human_count)
        .unwrap_or_else(|| "—".into());
    view! {
        <tr data-testid="task-row" data-task-id=task.id.to_string()>
            <td class="mono">{format!("#{}", task.id)}</td>
            <td class="table__text"><a href=View::Task { id: task.id }.href() data-testid="task-link">{title}</a></td>
            <td><StatusBadge status=task.status.clone() /></td>
            <td>{task.task_type.label()}</td>
            <td class="num" title=params_exact>{params}</td>
            <td class="num">{task.context_length.map(grouped).unwrap_or_else(|| "—".into())}</td>
            <td>{task.recommended_vram.clone().unwrap_or_else(|| "—".into())}</td>
            <td><Deadline at=task.submission_ends_at /></td>
            <td><StarButton target=Starred::Task(task.id) /></td>
        </tr>
    }
}
