//! Submitted models as a table: repository link, both scores, when, with CSV and JSON
//! downloads. Used by the wallet page and by "my submissions" on a task page.

use leptos::prelude::*;

use crate::components::{Downloads, UnreadNotice};
use crate::flock::leaderboard::format_score;
use crate::flock::time::format_utc;
use crate::flock::unread::summarize;
use crate::flock::view::View;
use crate::flock::wallet_stats::Submission;

/// The submissions `rows`, in the order given.
#[component]
pub fn SubmissionTable(
    /// The submissions.
    rows: Vec<Submission>,
    /// Whether to show the task column (off when all rows are of one task).
    #[prop(default = false)]
    show_task: bool,
    /// The route the rows came from, for the notice about what could not be read.
    source: String,
    /// One line per row of the answer that could not be read at all (not in `rows`).
    #[prop(optional)]
    unreadable: Vec<String>,
    /// The downloads' file name without extension (`flockboard-wallet-0x…-submissions`).
    file_stem: String,
) -> impl IntoView {
    let mut lines = unreadable.clone();
    lines.extend(summarize(rows.iter().map(|s| s.unread.as_slice())));
    let notice = view! {
        <UnreadNotice
            headline=unread_headline(unreadable.len(), rows.iter().filter(|s| !s.unread.is_empty()).count())
            source=source
            lines=lines
        />
    };
    if rows.is_empty() {
        return view! { {notice} <p class="empty" data-testid="no-submissions">"No submissions."</p> }
            .into_any();
    }
    let raw: Vec<serde_json::Value> = rows.iter().map(|s| s.raw.clone()).collect();
    let downloads = view! {
        <Downloads stem=Signal::stored(file_stem) rows=Callback::new(move |()| raw.clone()) what="submissions" />
    };
    let body = rows
        .into_iter()
        .map(|s| {
            let repo = match s.safe_link() {
                Some(link) => view! { <a href=link.to_string() rel="noopener noreferrer" target="_blank">{s.repo_label()}</a> }.into_any(),
                None => view! { <span>{s.repo_label()}</span> }.into_any(),
            };
            let task = show_task.then(|| {
                view! {
                    <td>{s.task_id.map(|id| view! { <a href=View::Task { id }.href()>{format!("#{id}")}</a> })}</td>
                }
            });
            view! {
                <tr data-testid="submission-row">
                    {task}
                    <td>{repo}{s.revision.clone().map(|r| view! { <div class="mono muted" title=r.clone()>{r.chars().take(12).collect::<String>()}</div> })}</td>
                    <td class="num">{format_score(s.submission_score)}</td>
                    <td class="num">{format_score(s.final_score)}</td>
                    <td>{s.submitted_at.map(format_utc).unwrap_or_else(|| "—".into())}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        {notice}
        <div class="table-head">{downloads}</div>
        <div class="table-wrap">
            <table class="table" data-testid="submission-table">
                <thead>
                    <tr>
                        {show_task.then(|| view! { <th scope="col">"Task"</th> })}
                        <th scope="col">"Model"</th>
                        <th scope="col" class="num">"Submission score"</th>
                        <th scope="col" class="num">"Final score"</th>
                        <th scope="col">"Submitted (UTC)"</th>
                    </tr>
                </thead>
                <tbody>{body}</tbody>
            </table>
        </div>
    }
    .into_any()
}

/// "1 row could not be read and is not shown; fields of 3 rows could not be read".
fn unread_headline(dropped: usize, partial: usize) -> String {
    let rows = |n: usize| {
        if n == 1 {
            "1 row".to_string()
        } else {
            format!("{n} rows")
        }
    };
    match (dropped, partial) {
        (0, p) => format!("Some fields of {} could not be read (shown blank)", rows(p)),
        (d, 0) => format!("{} could not be read and {} not shown", rows(d), if d == 1 { "is" } else { "are" }),
        (d, p) => format!(
            "{} could not be read and {} not shown; some fields of {} could not be read (shown blank)",
            rows(d),
            if d == 1 { "is" } else { "are" },
            rows(p)
        ),
    }
}
