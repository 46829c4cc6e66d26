//! My standing (`?view=me`, or `?view=me&address=0x…` for anyone's): one table across every
//! open task and the other tasks the wallet submitted to, with its rank and score on both
//! boards, the boards' sizes, the gap to the next rank up and, for the key's own wallet, its
//! submission count. Boards are read a few at a time and shown as they arrive; what was read is
//! kept for the session (with the time it was read) until "Refresh".

use std::collections::HashMap;
use std::sync::Arc;

use async_lock::Semaphore;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::app::{change_watchlist, use_settings, use_view, use_watchlist};
use crate::browser::{clock_time, local_date_time};
use crate::components::{
    AddressError, Deadline, Downloads, ErrorPanel, RefreshButton, StarButton, Starred, StatusBadge,
    WalletForm,
};
use crate::flock::format::grouped;
use crate::flock::leaderboard::{format_score, Board, Entry, LeaderboardQuery};
use crate::flock::standing::{row_json, stand, standing_tasks, unlisted_tasks, BoardStanding};
use crate::flock::task::Task;
use crate::flock::task_list::TaskFilter;
use crate::flock::view::View;
use crate::flock::wallet::WalletAddress;
use crate::flock::watch::{movement, Snapshot, Watchlist};
use crate::flock::ApiError;
use crate::net::{
    fetch_my_submissions, fetch_task_list, fetch_wallet_submissions, read_leaderboard,
};
use crate::remote::{use_remote, Latest, Load};
use crate::storage::Settings;

/// Boards read at once: a standing over many tasks must not flood the API.
const BOARDS_AT_ONCE: usize = 3;

/// A board read this session, and when (ms since the epoch).
#[derive(Clone)]
struct ReadBoard {
    entries: Arc<Vec<Entry>>,
    read_at: f64,
}

/// Boards read this session, by API address, task and board.
#[derive(Clone, Copy)]
struct BoardCache(StoredValue<HashMap<(String, u64, Board), ReadBoard>>);

/// Keep the boards read for the whole session (above the views, so leaving the standing and
/// coming back does not read them again).
pub fn provide_board_cache() {
    provide_context(BoardCache(StoredValue::new(HashMap::new())));
}

fn use_board_cache() -> BoardCache {
    use_context::<BoardCache>().unwrap_or_else(|| BoardCache(StoredValue::new(HashMap::new())))
}

/// The standing page.
#[component]
pub fn MePage() -> impl IntoView {
    let view = use_view();
    let address = Memo::new(move |_| match view.get() {
        View::Me { address } => address,
        _ => String::new(),
    });
    let settings = use_settings();
    view! {
        <section class="standing">
            <div class="page-head"><h1>"Standing"</h1></div>
            <WalletForm address=address to=|address| View::Me { address } action="Show standing" />
            {move || {
                let raw = address.get();
                let wallet = if raw.is_empty() {
                    match settings.get().own_wallet() {
                        Some(own) => Ok(own),
                        None => return view! {
                            <p class="hint" data-testid="no-wallet">
                                "Enter an address, or save your wallet in "
                                <a href=View::Settings.href()>"Settings"</a>
                                " to see your own standing here. The page's address is a link you can share."
                            </p>
                        }.into_any(),
                    }
                } else {
                    raw.parse::<WalletAddress>()
                };
                match wallet {
                    Err(reason) => view! { <AddressError raw=raw.clone() reason=reason /> }.into_any(),
                    Ok(wallet) => view! { <Standing wallet=wallet /> }.into_any(),
                }
            }}
        </section>
    }
}

/// The tasks a wallet's standing covers, then the table. With `watch` (the watchlist), each
/// look is kept as a snapshot and the ranks say how they moved since the previous one.
#[component]
pub(crate) fn Standing(
    wallet: WalletAddress,
    #[prop(default = false)] watch: bool,
) -> impl IntoView {
    let settings = use_settings();
    let who = wallet.clone();
    let basis = use_remote(
        move || settings.get(),
        move |settings, controller| {
            let wallet = who.clone();
            async move {
                let (list, submissions) = futures::future::try_join(
                    fetch_task_list(&settings, TaskFilter::All, &controller),
                    fetch_wallet_submissions(&settings, &wallet, &controller),
                )
                .await?;
                let tasks: Vec<Task> = standing_tasks(&list.tasks, &submissions.0)
                    .into_iter()
                    .cloned()
                    .collect();
                Ok((tasks, unlisted_tasks(&list.tasks, &submissions.0)))
            }
        },
    );
    let head = view! {
        <p class="wallet__head">
            <code class="wallet__address" data-testid="standing-wallet">{wallet.to_string()}</code>
            <a class="button button--quiet" href=View::Wallet { address: wallet.to_string() }.href()>"Wallet page"</a>
            {(!watch).then(|| view! { <a class="button button--quiet" href=View::Me { address: wallet.to_string() }.href()>"Link to this standing"</a> })}
            <StarButton target=Starred::Wallet(wallet.clone()) />
        </p>
    };
    view! {
        {head}
        {move || match basis.get() {
            Load::Loading => view! { <p class="loading" role="status" data-testid="loading">"Finding the tasks to cover…"</p> }.into_any(),
            Load::Failed(e) => view! { <ErrorPanel error=e on_retry=Callback::new(move |()| basis.retry()) /> }.into_any(),
            Load::Ready((tasks, unlisted)) => view! {
                <StandingTable tasks=tasks unlisted=unlisted wallet=wallet.clone() watch=watch />
            }.into_any(),
        }}
    }
}

/// Where the reading of one board stands.
#[derive(Clone, Debug, PartialEq)]
enum BoardRead {
    /// Waiting for a free slot.
    Waiting,
    /// Pages read so far of how many (0 until the first page says).
    Reading(usize, usize),
    /// Read: where the wallet stands, and when the board was read.
    Ready(BoardStanding, f64),
    /// The board could not be read.
    Failed(ApiError),
}

/// The key owner's submissions to a task, when the standing is the key's own wallet.
#[derive(Clone, Debug, PartialEq)]
enum Mine {
    Waiting,
    Count(usize),
    Failed(ApiError),
}

/// One task's row: the task and what is known of it so far.
#[derive(Clone)]
struct Row {
    task: Task,
    models: RwSignal<BoardRead>,
    validators: RwSignal<BoardRead>,
    mine: RwSignal<Mine>,
}

impl Row {
    fn board(&self, board: Board) -> RwSignal<BoardRead> {
        match board {
            Board::Models => self.models,
            Board::Validators => self.validators,
        }
    }
}

#[component]
fn StandingTable(
    tasks: Vec<Task>,
    unlisted: Vec<u64>,
    wallet: WalletAddress,
    watch: bool,
) -> impl IntoView {
    let settings = use_settings();
    let watchlist = use_watchlist();
    let cache = use_board_cache();
    let rows: Vec<Row> = tasks
        .into_iter()
        .map(|task| Row {
            task,
            models: RwSignal::new(BoardRead::Waiting),
            validators: RwSignal::new(BoardRead::Waiting),
            mine: RwSignal::new(Mine::Waiting),
        })
        .collect();
    // Own submissions need the key, which belongs to the saved wallet only.
    let keyed = {
        let s = settings.get_untracked();
        s.flock_key().is_some() && s.own_wallet().is_some_and(|own| own == wallet)
    };
    let latest = Latest::new();
    let run = {
        let rows = rows.clone();
        let wallet = wallet.to_string();
        move |fresh: bool| {
            let (still, controller) = latest.start();
            let Some(controller) = controller else { return };
            let settings = settings.get_untracked();
            let base = settings.flock_api().to_string();
            let slots = Arc::new(Semaphore::new(BOARDS_AT_ONCE));
            for row in &rows {
                let id = row.task.id;
                for board in Board::ALL {
                    let state = row.board(board);
                    let key = (base.clone(), id, board);
                    let cached = cache.0.with_value(|c| c.get(&key).cloned());
                    if let (Some(read), false) = (cached, fresh) {
                        state.set(BoardRead::Ready(
                            stand(&read.entries, &wallet),
                            read.read_at,
                        ));
                        continue;
                    }
                    state.set(BoardRead::Waiting);
                    let (settings, controller, slots, wallet) = (
                        settings.clone(),
                        controller.clone(),
                        slots.clone(),
                        wallet.clone(),
                    );
                    spawn_local(async move {
                        let _slot = slots.acquire().await;
                        if !still() {
                            return;
                        }
                        let _ = state.try_set(BoardRead::Reading(0, 0));
                        let progress = |done: usize, total: usize| {
                            if still() {
                                let _ = state.try_set(BoardRead::Reading(done, total));
                            }
                        };
                        let read =
                            read_leaderboard(&settings, board, id, &controller, &progress).await;
                        if !still() {
                            return;
                        }
                        let _ = state.try_set(match read {
                            Ok((entries, _)) => {
                                let read = ReadBoard {
                                    entries: Arc::new(entries),
                                    read_at: js_sys::Date::now(),
                                };
                                let standing = stand(&read.entries, &wallet);
                                let _ = cache.0.try_update_value(|c| c.insert(key, read.clone()));
                                BoardRead::Ready(standing, read.read_at)
                            }
                            Err(e) => BoardRead::Failed(e),
                        });
                    });
                }
                if keyed {
                    let mine = row.mine;
                    mine.set(Mine::Waiting);
                    let (settings, controller, slots) =
                        (settings.clone(), controller.clone(), slots.clone());
                    spawn_local(async move {
                        let _slot = slots.acquire().await;
                        if !still() {
                            return;
                        }
                        let count = own_count(&settings, id, &controller).await;
                        if still() {
                            let _ = mine.try_set(count);
                        }
                    });
                }
            }
        }
    };
    run(false);
    on_cleanup(move || latest.stop());
    let refreshing = Signal::derive({
        let rows = rows.clone();
        move || {
            rows.iter().any(|r| {
                Board::ALL.into_iter().any(|b| {
                    matches!(
                        r.board(b).get(),
                        BoardRead::Waiting | BoardRead::Reading(..)
                    )
                })
            })
        }
    });
    let unlisted_note = (!unlisted.is_empty()).then(|| {
        let ids: Vec<String> = unlisted.iter().map(|id| format!("#{id}")).collect();
        view! {
            <p class="notice notice--warning" role="status" data-testid="unlisted">
                {format!("This wallet also submitted to task(s) the task list does not hold: {}. Their boards are not shown.", ids.join(", "))}
            </p>
        }
    });
    if rows.is_empty() {
        return view! {
            {unlisted_note}
            <p class="empty" data-testid="empty">"No task is open, and this wallet has submitted to none."</p>
        }
        .into_any();
    }
    let count = rows.len();
    // The table as it stands at the click: what has been read so far.
    let export = {
        let rows = rows.clone();
        Callback::new(move |()| {
            rows.iter()
                .map(|r| {
                    let ready = |board: Board| match r.board(board).get_untracked() {
                        BoardRead::Ready(standing, _) => Some(standing),
                        _ => None,
                    };
                    let mine = match r.mine.get_untracked() {
                        Mine::Count(n) => Some(n),
                        _ => None,
                    };
                    row_json(
                        &r.task,
                        ready(Board::Models).as_ref(),
                        ready(Board::Validators).as_ref(),
                        mine,
                    )
                })
                .collect()
        })
    };
    let stem = format!("flockboard-standing-{wallet}");
    if watch {
        // Each look with both boards read is kept, once per moment.
        for row in &rows {
            let (models, validators, id, wallet) =
                (row.models, row.validators, row.task.id, wallet.clone());
            Effect::new(move |_| {
                if let (BoardRead::Ready(m, a), BoardRead::Ready(v, b)) =
                    (models.get(), validators.get())
                {
                    let snapshot = Snapshot {
                        at_ms: a.min(b),
                        models: m.rank(),
                        validators: v.rank(),
                    };
                    // A refusal to keep it only loses this look's snapshot.
                    let _ = change_watchlist(watchlist, |l| l.record(&wallet, id, snapshot));
                }
            });
        }
    }
    let moved = watch.then_some(watchlist);
    let body = rows
        .into_iter()
        .map(|row| standing_row(row, &wallet, keyed, moved))
        .collect_view();
    view! {
        {unlisted_note}
        <div class="table-head">
            <p class="count" data-testid="count">{format!("{count} task{}", if count == 1 { "" } else { "s" })}</p>
            <div class="downloads">
                <RefreshButton refreshing=refreshing on_refresh=Callback::new(move |()| run(true)) />
                <Downloads stem=Signal::stored(stem) rows=export what="standing" />
            </div>
        </div>
        <div class="table-wrap">
            <table class="table" data-testid="standing-table">
                <thead>
                    <tr>
                        <th scope="col">"Task"</th>
                        <th scope="col">"Phase"</th>
                        <th scope="col">"Models board"</th>
                        <th scope="col">"Validators board"</th>
                        {keyed.then(|| view! { <th scope="col" class="num">"My submissions"</th> })}
                        <th scope="col">"Read at"</th>
                    </tr>
                </thead>
                <tbody>{body}</tbody>
            </table>
        </div>
    }
    .into_any()
}

/// The key owner's submission count on a task; a 403 (the wallet has not staked on it) is
/// none.
async fn own_count(settings: &Settings, id: u64, controller: &web_sys::AbortController) -> Mine {
    match fetch_my_submissions(settings, id, controller).await {
        Ok(Some((rows, _))) => Mine::Count(rows.len()),
        Ok(None) | Err(ApiError::Status { code: 403, .. }) => Mine::Count(0),
        Err(e) => Mine::Failed(e),
    }
}

fn standing_row(
    row: Row,
    wallet: &WalletAddress,
    keyed: bool,
    moved: Option<RwSignal<Watchlist>>,
) -> impl IntoView {
    let id = row.task.id;
    let title = row.task.shown_title();
    let board_cell = |board: Board| {
        let state = row.board(board);
        let href = View::Leaderboard {
            id,
            query: LeaderboardQuery {
                board,
                wallet: wallet.to_string(),
                ..Default::default()
            },
        }
        .href();
        let wallet = wallet.clone();
        move || {
            let state = state.get();
            // The rank before this look, from the snapshots taken earlier.
            let before = match (&state, moved) {
                (BoardRead::Ready(_, at), Some(list)) => list.with_untracked(|l| {
                    l.before(&wallet, id, *at).and_then(|s| {
                        let rank = match board {
                            Board::Models => s.models,
                            Board::Validators => s.validators,
                        };
                        rank.map(|r| (r, s.at_ms))
                    })
                }),
                _ => None,
            };
            board_cell(state, &href, before)
        }
    };
    let read_at = {
        let (models, validators) = (row.models, row.validators);
        move || {
            // When both boards are read: the older of the two times.
            match (models.get(), validators.get()) {
                (BoardRead::Ready(_, a), BoardRead::Ready(_, b)) => clock_time(a.min(b)),
                _ => "—".into(),
            }
        }
    };
    let mine = row.mine;
    view! {
        <tr data-testid="standing-row" data-task-id=id.to_string()>
            <td class="table__text"><a href=View::Task { id }.href()>{format!("#{id} {title}")}</a></td>
            <td><StatusBadge status=row.task.status.clone() />" "<Deadline at=row.task.submission_ends_at /></td>
            <td class="standing__board" data-testid="standing-models">{board_cell(Board::Models)}</td>
            <td class="standing__board" data-testid="standing-validators">{board_cell(Board::Validators)}</td>
            {keyed.then(|| view! {
                <td class="num" data-testid="standing-mine">{move || match mine.get() {
                    Mine::Waiting => "…".to_string(),
                    Mine::Count(n) => grouped(n as u64),
                    Mine::Failed(e) => e.title(),
                }}</td>
            })}
            <td data-testid="standing-read-at">{read_at}</td>
        </tr>
    }
}

/// One board's cell: progress while reading; then rank of how many, score and the gap, linked
/// to the board filtered to the wallet.
fn board_cell(state: BoardRead, board_href: &str, before: Option<(u64, f64)>) -> AnyView {
    match state {
        BoardRead::Waiting => view! { <span class="muted">"waiting…"</span> }.into_any(),
        BoardRead::Reading(_, 0) => view! { <span class="muted" role="status">"reading board…"</span> }.into_any(),
        BoardRead::Reading(done, total) => view! {
            <span class="muted" role="status">{format!("reading board: {done} of {total} pages")}</span>
        }
        .into_any(),
        BoardRead::Failed(e) => view! {
            <span class="field__error" title=e.explanation()>{format!("Could not read: {}", e.title())}</span>
        }
        .into_any(),
        BoardRead::Ready(standing, _) => {
            let wallets = grouped(standing.wallets as u64);
            match standing.placed {
                None if standing.wallets == 0 => view! { <span class="muted">"no entries yet"</span> }.into_any(),
                None => view! {
                    <span>{format!("not on the board ({wallets} wallets)")}</span>
                }
                .into_any(),
                Some(placed) => {
                    let rank = placed.rank.map_or_else(|| "unranked".to_string(), |r| format!("#{}", grouped(r)));
                    let gap = placed.next_up.map(|up| match up.score_gap {
                        Some(gap) => format!("{gap:.4} from #{}", grouped(up.rank)),
                        None => format!("next up: #{}", grouped(up.rank)),
                    });
                    let moved = movement(before, placed.rank).map(|m| {
                        let class = match m.places { 0 => "muted", p if p > 0 => "move move--up", _ => "move move--down" };
                        view! { <div class=class data-testid="standing-move">{format!("{} since {}", m.arrow(), local_date_time(m.since_ms))}</div> }
                    });
                    view! {
                        <a href=board_href.to_string() data-testid="standing-rank">{format!("{rank} of {wallets}")}</a>
                        {moved}
                        <div class="muted">{format!("score {}", format_score(placed.score))}</div>
                        {gap.map(|g| view! { <div class="muted" data-testid="standing-gap">{g}</div> })}
                    }
                    .into_any()
                }
            }
        }
    }
}
