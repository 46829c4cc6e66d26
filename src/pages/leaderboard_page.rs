//! A task's leaderboards (models and validators): every row of every page, sortable by each
//! column, filterable by wallet, the user's own wallet highlighted with "jump to me", copy
//! buttons, and a CSV of what is shown. Board, sort, filter and table page are in the URL.

use std::sync::Arc;

use leptos::prelude::*;

use crate::app::{use_go, use_settings, use_view};
use crate::browser::{download_text, scroll_to};
use crate::components::{
    CopyButton, ErrorPanel, RefreshButton, StarButton, Starred, TabLink, UnreadNotice,
};
use crate::flock::leaderboard::{
    format_score, position_of, select, to_csv, Board, Column, Entry, LeaderboardQuery,
    ROWS_PER_PAGE,
};
use crate::flock::time::format_utc;
use crate::flock::view::View;
use crate::flock::wallet::WalletAddress;
use crate::net::fetch_leaderboard;
use crate::remote::{use_remote, Load};

/// A board's rows and the lines that could not be read.
type Rows = (Arc<Vec<Entry>>, Arc<Vec<String>>);

/// The leaderboard page of task `id`.
#[component]
pub fn LeaderboardPage(
    /// The task's id.
    id: u64,
) -> impl IntoView {
    let view = use_view();
    let query = Memo::new(move |_| match view.get() {
        View::Leaderboard { query, .. } => query,
        _ => LeaderboardQuery::default(),
    });
    let board = Memo::new(move |_| query.get().board);
    let settings = use_settings();
    let rows = use_remote(
        move || (settings.get(), board.get()),
        move |(settings, board), controller| async move {
            let (entries, unreadable) =
                fetch_leaderboard(&settings, board, id, &controller).await?;
            Ok::<Rows, _>((Arc::new(entries), Arc::new(unreadable)))
        },
    );
    let tabs = Board::ALL
        .into_iter()
        .map(|b| {
            let href = View::Leaderboard {
                id,
                query: LeaderboardQuery {
                    board: b,
                    ..Default::default()
                },
            }
            .href();
            view! {
                <TabLink
                    href=href
                    active=Signal::derive(move || board.get() == b)
                    label=b.label()
                    test_id=format!("board-{}", b.as_str())
                />
            }
        })
        .collect_view();
    view! {
        <p class="crumbs"><a href=View::Task { id }.href()>{format!("← Task {id}")}</a></p>
        <section class="leaderboard">
            <div class="page-head">
                <h1>{format!("Leaderboard · task {id}")}</h1>
                <nav class="tabs" aria-label="Which board">{tabs}</nav>
                <RefreshButton refreshing=Signal::derive(move || rows.refreshing()) on_refresh=Callback::new(move |()| rows.retry()) />
            </div>
            {move || match rows.get() {
                Load::Loading => view! {
                    <p class="loading" role="status" data-testid="loading">"Loading every page of the leaderboard…"</p>
                }.into_any(),
                Load::Failed(error) => view! {
                    <ErrorPanel error=error on_retry=Callback::new(move |()| rows.retry()) />
                }.into_any(),
                Load::Ready((entries, unreadable)) => view! {
                    <BoardTable id=id entries=entries unreadable=unreadable query=query />
                }.into_any(),
            }}
        </section>
    }
}

#[component]
fn BoardTable(
    id: u64,
    entries: Arc<Vec<Entry>>,
    unreadable: Arc<Vec<String>>,
    query: Memo<LeaderboardQuery>,
) -> impl IntoView {
    let settings = use_settings();
    let go = use_go();
    let own = Memo::new(move |_| settings.get().own_wallet().map(|w| w.lower().to_string()));
    // Sorting and filtering depend on these fields only: paging through the table reuses them.
    let order = Memo::new(move |_| {
        let q = query.get();
        (q.board, q.sort, q.descending, q.wallet)
    });
    let shown = {
        let entries = entries.clone();
        Memo::new(move |_| {
            let (board, sort, descending, wallet) = order.get();
            let q = LeaderboardQuery {
                board,
                sort,
                descending,
                wallet,
                page: 1,
            };
            Arc::new(select(&entries, &q))
        })
    };
    let pages = Memo::new(move |_| shown.get().len().div_ceil(ROWS_PER_PAGE).max(1));
    let page = Memo::new(move |_| query.get().page.min(pages.get()));
    let message = RwSignal::new(None::<String>);

    let go_to = {
        let go = go.clone();
        move |next: LeaderboardQuery, replace: bool| {
            go(&View::Leaderboard { id, query: next }, replace)
        }
    };
    let on_filter = {
        let go_to = go_to.clone();
        move |text: String| {
            go_to(
                LeaderboardQuery {
                    wallet: text,
                    page: 1,
                    ..query.get_untracked()
                },
                true,
            )
        }
    };
    let jump = {
        let go_to = go_to.clone();
        let entries = entries.clone();
        move |_| {
            let Some(me) = own.get_untracked() else {
                return;
            };
            let position = position_of(&entries, &shown.get_untracked(), &me);
            match position {
                Some(at) => {
                    message.set(None);
                    go_to(LeaderboardQuery { page: at / ROWS_PER_PAGE + 1, ..query.get_untracked() }, false);
                    // The row exists once the new page has rendered.
                    set_timeout(|| scroll_to("[data-testid=own-row]"), std::time::Duration::from_millis(50));
                }
                None => message.set(Some("Your wallet is not among the rows shown (check the wallet filter, or it has no entry on this board).".into())),
            }
        }
    };
    let csv = {
        let entries = entries.clone();
        move |_| {
            let q = query.get_untracked();
            let file = format!("flockboard-task-{id}-{}.csv", q.board.as_str());
            let content = to_csv(q.board, &entries, &shown.get_untracked());
            if let Err(e) = download_text(&file, "text/csv;charset=utf-8", &content) {
                message.set(Some(e));
            }
        }
    };

    let headers = move || {
        let q = query.get();
        q.board
            .columns()
            .iter()
            .map(|&column| {
                let sorted = q.sort == column;
                let aria = sorted.then_some(if q.descending { "descending" } else { "ascending" });
                let arrow = if sorted { if q.descending { " ↓" } else { " ↑" } } else { "" };
                let href = View::Leaderboard { id, query: q.toggled(column) }.href();
                view! {
                    <th scope="col" aria-sort=aria class:num=matches!(column, Column::Rank | Column::Score | Column::Hardworking)>
                        <a href=href data-testid=format!("sort-{}", column.as_str())>{column.label(q.board)}{arrow}</a>
                    </th>
                }
            })
            .collect_view()
    };
    let body = {
        let entries = entries.clone();
        move || {
            let q = query.get();
            let shown = shown.get();
            let me = own.get();
            let start = (page.get() - 1) * ROWS_PER_PAGE;
            shown
                .iter()
                .skip(start)
                .take(ROWS_PER_PAGE)
                .map(|&i| {
                    let e = &entries[i];
                    let mine = me.as_deref() == Some(e.wallet_lower.as_str());
                    let cells = q
                        .board
                        .columns()
                        .iter()
                        .map(|column| match column {
                            Column::Rank => view! { <td class="num">{e.rank.map(|r| r.to_string()).unwrap_or_else(|| "—".into())}</td> }.into_any(),
                            Column::Wallet => view! {
                                <td class="wallet-cell">
                                    <a class="mono" href=View::Wallet { address: e.wallet.clone() }.href()>{e.wallet.clone()}</a>
                                    " "
                                    <CopyButton text=e.wallet.clone() what="wallet address" />
                                    {e.wallet.parse::<WalletAddress>().ok().map(|w| view! { " " <StarButton target=Starred::Wallet(w) /> })}
                                </td>
                            }.into_any(),
                            Column::Score => view! { <td class="num">{format_score(e.score)}</td> }.into_any(),
                            Column::Hardworking => view! { <td class="num">{format_score(e.hardworking)}</td> }.into_any(),
                            Column::Time => view! { <td>{e.at.map(format_utc).unwrap_or_else(|| "—".into())}</td> }.into_any(),
                        })
                        .collect_view();
                    view! {
                        <tr class:own=mine data-testid=if mine { "own-row" } else { "board-row" }>{cells}</tr>
                    }
                })
                .collect_view()
        }
    };
    let pager = move || {
        let (current, total) = (page.get(), pages.get());
        let link = move |p: usize| {
            View::Leaderboard {
                id,
                query: LeaderboardQuery {
                    page: p,
                    ..query.get()
                },
            }
            .href()
        };
        view! {
            <nav class="pager" aria-label="Table pages">
                {(current > 1).then(|| view! { <a href=link(current - 1) data-testid="prev">"← Previous"</a> })}
                <span data-testid="page-of">{format!("Page {current} of {total}")}</span>
                {(current < total).then(|| view! { <a href=link(current + 1) data-testid="next">"Next →"</a> })}
            </nav>
        }
    };
    let total = entries.len();
    let warning = view! {
        <UnreadNotice
            headline=format!("{} rows in the answer could not be read and are not shown.", unreadable.len())
            source=format!("stats/{}?task_id={id}", query.get_untracked().board.as_str())
            lines=unreadable.to_vec()
        />
    };

    view! {
        {warning}
        <div class="controls">
            <label class="control control--grow">
                <span class="control__label">"Filter by wallet"</span>
                <input
                    type="search"
                    placeholder="Part of an address, e.g. 0xb93a"
                    data-testid="wallet-filter"
                    prop:value=move || query.get().wallet
                    on:input:target=move |ev| on_filter(ev.target().value())
                />
            </label>
            {move || own.get().is_some().then(|| view! {
                <button type="button" class="button button--quiet" data-testid="jump-to-me" on:click=jump.clone()>"Jump to me"</button>
            })}
            <button type="button" class="button button--quiet" data-testid="csv" on:click=csv>"Download CSV"</button>
        </div>
        {move || message.get().map(|m| view! { <p class="notice notice--warning" role="status">{m}</p> })}
        <p class="count" data-testid="count">
            {move || {
                let n = shown.get().len();
                if n == total { format!("{total} rows") } else { format!("{n} of {total} rows match") }
            }}
        </p>
        {move || if total == 0 {
            view! { <p class="empty" data-testid="empty">"No entries on this board yet."</p> }.into_any()
        } else {
            view! {
                <div class="table-wrap">
                    <table class="table" data-testid="board-table">
                        <thead><tr>{headers}</tr></thead>
                        <tbody>{body.clone()}</tbody>
                    </table>
                </div>
                {pager}
            }.into_any()
        }}
    }
}
