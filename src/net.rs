//! Fetching from the FLock API: the one place that calls `fetch`.
//!
//! Every failure becomes an [`ApiError`] that names its cause: no answer (offline, down, or
//! refused by CORS — browsers do not tell these apart), a time-out, an answer cut short, an
//! error status with the server's `detail`, or data that does not read.

use std::cell::Cell;
use std::rc::Rc;

use gloo_net::http::Request;
use gloo_timers::callback::Timeout;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, Headers, RequestInit, RequestMode};

use crate::flock::check::{self, Answer, Credential, KeyCheck, Outcome, Probe, ProbeRequest};

use crate::flock::leaderboard::{Board, Entry};
use crate::flock::paging::{join_pages, remaining_pages, Page, MAX_PAGE_SIZE};
use crate::flock::stats::{parse_daily, CountKind, DailyCount};
use crate::flock::task::{Task, TaskList};
use crate::flock::task_list::TaskFilter;
use crate::flock::url::Endpoint;
use crate::flock::wallet::WalletAddress;
use crate::flock::wallet_stats::{
    newest_first, parse_achievements, parse_enrolled, Achievements, Enrolled, Role, Submission,
};
use crate::flock::{ApiBase, ApiError};
use crate::storage::Settings;

/// GET `endpoint` (under `base`) and return the body of a 2xx answer. `controller` cancels
/// it; the time limit aborts it through the same controller. `key`, for keyed endpoints only,
/// goes in the `flock-api-key` header and nowhere else.
pub async fn get_text(
    endpoint: &Endpoint,
    base: &ApiBase,
    timeout_secs: u32,
    key: Option<&str>,
    controller: &AbortController,
) -> Result<String, ApiError> {
    if key.is_none() {
        if let Some(answer) = prefetched(&endpoint.to_string(), timeout_secs).await {
            return answer;
        }
    }
    let (_timer, timed_out) = time_limit(timeout_secs, controller);
    let signal = controller.signal();
    let query = endpoint.query.iter().map(|(k, v)| (k.as_str(), v.as_str()));
    let mut request = Request::get(&endpoint.url).query(query);
    if let Some(key) = key {
        request = request.header("flock-api-key", key);
    }
    let response = request
        .abort_signal(Some(&signal))
        .send()
        .await
        .map_err(|_| {
            if timed_out.get() {
                ApiError::Timeout {
                    seconds: timeout_secs,
                }
            } else {
                ApiError::Network {
                    base: base.to_string(),
                }
            }
        })?;
    let status = response.status();
    let body = response.text().await;
    if !(200..300).contains(&status) {
        return Err(ApiError::status(status, body.as_deref().unwrap_or("")));
    }
    body.map_err(|_| {
        if timed_out.get() {
            ApiError::Timeout {
                seconds: timeout_secs,
            }
        } else {
            ApiError::Interrupted
        }
    })
}

/// The answer to `url` that index.html's inline script asked for while the app was still
/// downloading (the start page's one request, so the two waits overlap): taken at most once,
/// only for exactly this URL (it is always unkeyed). `None` when there is none, or when it got
/// no answer at all (the caller then asks itself, and tells CORS from offline as usual); an
/// answer cut short is `Interrupted`; the time limit applies as to any request.
async fn prefetched(url: &str, timeout_secs: u32) -> Option<Result<String, ApiError>> {
    use futures::future::{select, Either};
    let window: JsValue = web_sys::window()?.into();
    let key = JsValue::from_str("__flockboardPrefetch");
    let slot = js_sys::Reflect::get(&window, &key).ok()?;
    let asked = js_sys::Reflect::get(&slot, &"url".into())
        .ok()?
        .as_string()?;
    if asked != url {
        return None;
    }
    let _ = js_sys::Reflect::set(&window, &key, &JsValue::UNDEFINED);
    let answer = js_sys::Reflect::get(&slot, &"answer".into())
        .ok()?
        .dyn_into::<js_sys::Promise>()
        .ok()?;
    let limit = gloo_timers::future::TimeoutFuture::new(timeout_secs.saturating_mul(1000));
    let value = match select(JsFuture::from(answer), limit).await {
        Either::Left((Ok(value), _)) => value,
        Either::Left((Err(_), _)) => return None,
        Either::Right(_) => {
            // Stop it: a retry's own request for the same URL would otherwise wait for it.
            if let Ok(abort) = js_sys::Reflect::get(&slot, &"abort".into())
                .and_then(|f| f.dyn_into::<js_sys::Function>())
            {
                let _ = abort.call0(&slot);
            }
            return Some(Err(ApiError::Timeout {
                seconds: timeout_secs,
            }));
        }
    };
    if value.is_null() {
        return None;
    }
    let status = js_sys::Reflect::get(&value, &"status".into())
        .ok()?
        .as_f64()? as u16;
    if js_sys::Reflect::get(&value, &"cut".into())
        .ok()?
        .is_truthy()
    {
        return Some(Err(ApiError::Interrupted));
    }
    let body = js_sys::Reflect::get(&value, &"text".into())
        .ok()?
        .as_string()?;
    Some(if (200..300).contains(&status) {
        Ok(body)
    } else {
        Err(ApiError::status(status, &body))
    })
}

/// Abort `controller` after `seconds`; the flag says whether that happened. Dropping the
/// returned timer cancels it, so it only fires while its request is still running.
pub(crate) fn time_limit(seconds: u32, controller: &AbortController) -> (Timeout, Rc<Cell<bool>>) {
    let timed_out = Rc::new(Cell::new(false));
    let timer = {
        let timed_out = timed_out.clone();
        let controller = controller.clone();
        Timeout::new(seconds.saturating_mul(1000), move || {
            timed_out.set(true);
            controller.abort();
        })
    };
    (timer, timed_out)
}

/// The tasks behind a list filter: one request per status, run together and joined.
pub async fn fetch_task_list(
    settings: &Settings,
    filter: TaskFilter,
    controller: &AbortController,
) -> Result<TaskList, ApiError> {
    let base = settings.flock_api();
    let timeout = settings.timeout_secs();
    let requests = filter.statuses().iter().map(|status| {
        let endpoint = base.tasks(*status);
        let base = base.clone();
        async move {
            let body = get_text(&endpoint, &base, timeout, None, controller).await?;
            TaskList::parse(&body)
        }
    });
    let lists = futures::future::try_join_all(requests).await?;
    Ok(TaskList::union(lists))
}

/// One task in the detail shape, with what only the list answer has (recommended VRAM, the
/// dataset) filled in from it. The list is asked at the same time; when it fails, the detail
/// alone is shown.
pub async fn fetch_task(
    settings: &Settings,
    id: u64,
    controller: &AbortController,
) -> Result<Task, ApiError> {
    let detail = get_parsed(
        settings,
        |base| base.task(id),
        Task::parse_detail,
        controller,
    );
    // Its own controller (aborted with the view's): a time limit that gives up on the list
    // must not abort the detail.
    let list = async {
        let own = child_controller(controller)?;
        get_parsed(settings, |base| base.tasks(None), TaskList::parse, &own)
            .await
            .ok()
    };
    let (detail, list) = futures::join!(detail, list);
    let mut task = detail?;
    if let Some(listed) = list.and_then(|l| l.tasks.into_iter().find(|t| t.id == id)) {
        task.fill_from_list(&listed);
    }
    Ok(task)
}

/// A controller of its own that `parent` aborts too (leaving the view stops both), while
/// aborting it leaves `parent` alone.
fn child_controller(parent: &AbortController) -> Option<AbortController> {
    let child = AbortController::new().ok()?;
    let follow = child.clone();
    let stop = wasm_bindgen::closure::Closure::once_into_js(move || follow.abort());
    let once = web_sys::AddEventListenerOptions::new();
    once.set_once(true);
    parent
        .signal()
        .add_event_listener_with_callback_and_add_event_listener_options(
            "abort",
            stop.unchecked_ref(),
            &once,
        )
        .ok()?;
    Some(child)
}

/// GET a public endpoint of the API in force and read its body with `parse`.
async fn get_parsed<T>(
    settings: &Settings,
    endpoint: impl FnOnce(&ApiBase) -> Endpoint,
    parse: impl FnOnce(&str) -> Result<T, ApiError>,
    controller: &AbortController,
) -> Result<T, ApiError> {
    let base = settings.flock_api();
    let timeout = settings.timeout_secs();
    let body = get_text(&endpoint(&base), &base, timeout, None, controller).await?;
    parse(&body)
}

/// Pages fetched at once when reading every page of a list.
const PARALLEL_PAGES: usize = 4;
/// The most pages read of one list (100 rows each): a guard against absurd totals.
const PAGE_LIMIT: u64 = 500;

/// Pages read of a paged list so far, and how many it has (known once the first is read).
pub type PageProgress<'a> = &'a dyn Fn(usize, usize);

/// Every page of a paged list, in order, `PARALLEL_PAGES` at a time after the first;
/// `progress` hears of each page read.
async fn fetch_all_pages<T>(
    settings: &Settings,
    key: Option<&str>,
    what: &str,
    endpoint: impl Fn(u64, u64) -> Endpoint,
    item: impl Fn(&serde_json::Value) -> Result<T, String> + Copy,
    controller: &AbortController,
    progress: PageProgress<'_>,
) -> Result<(Vec<T>, Vec<String>), ApiError> {
    let base = settings.flock_api();
    let timeout = settings.timeout_secs();
    let fetch_page = |number: u64| {
        let endpoint = endpoint(number, MAX_PAGE_SIZE);
        let base = base.clone();
        async move {
            let body = get_text(&endpoint, &base, timeout, key, controller).await?;
            Page::parse(&body, what, item)
        }
    };
    let first = fetch_page(1).await?;
    let rest = remaining_pages(&first, PAGE_LIMIT);
    let total = rest.len() + 1;
    progress(1, total);
    let mut pages = vec![first];
    for chunk in rest.chunks(PARALLEL_PAGES) {
        pages.extend(futures::future::try_join_all(chunk.iter().map(|&n| fetch_page(n))).await?);
        progress(pages.len(), total);
    }
    Ok(join_pages(pages))
}

/// All rows of a task's leaderboard, every page.
pub async fn fetch_leaderboard(
    settings: &Settings,
    board: Board,
    task_id: u64,
    controller: &AbortController,
) -> Result<(Vec<Entry>, Vec<String>), ApiError> {
    read_leaderboard(settings, board, task_id, controller, &|_, _| {}).await
}

/// [`fetch_leaderboard`], telling `progress` of each page read.
pub async fn read_leaderboard(
    settings: &Settings,
    board: Board,
    task_id: u64,
    controller: &AbortController,
    progress: PageProgress<'_>,
) -> Result<(Vec<Entry>, Vec<String>), ApiError> {
    let base = settings.flock_api();
    fetch_all_pages(
        settings,
        None,
        "the leaderboard",
        |page, size| base.leaderboard(board, task_id, page, size),
        move |v| Entry::from_json(board, v),
        controller,
        progress,
    )
    .await
}

/// All submissions of a wallet, every page, newest first.
pub async fn fetch_wallet_submissions(
    settings: &Settings,
    address: &WalletAddress,
    controller: &AbortController,
) -> Result<(Vec<Submission>, Vec<String>), ApiError> {
    let base = settings.flock_api();
    let (mut rows, unreadable) = fetch_all_pages(
        settings,
        None,
        "the wallet's submissions",
        |page, size| base.wallet_submission_page(address, page, size),
        Submission::from_json,
        controller,
        &|_, _| {},
    )
    .await?;
    newest_first(&mut rows);
    Ok((rows, unreadable))
}

/// The key owner's submissions to `task_id`, newest first, with a line per row that could not
/// be read. `None` when no key is set for this API.
pub async fn fetch_my_submissions(
    settings: &Settings,
    task_id: u64,
    controller: &AbortController,
) -> Result<Option<(Vec<Submission>, Vec<String>)>, ApiError> {
    let Some(key) = settings.flock_key() else {
        return Ok(None);
    };
    let base = settings.flock_api();
    let (mut rows, unreadable) = fetch_all_pages(
        settings,
        Some(key),
        "your submissions",
        |page, size| {
            let mut endpoint = base.wallet_submissions(task_id);
            endpoint.query.push(("page".into(), page.to_string()));
            endpoint.query.push(("size".into(), size.to_string()));
            endpoint
        },
        Submission::from_json,
        controller,
        &|_, _| {},
    )
    .await?;
    newest_first(&mut rows);
    Ok(Some((rows, unreadable)))
}

/// A wallet's medals in `role`.
pub async fn fetch_achievements(
    settings: &Settings,
    address: &WalletAddress,
    role: Role,
    controller: &AbortController,
) -> Result<Achievements, ApiError> {
    get_parsed(
        settings,
        |base| base.achievements(address, role),
        parse_achievements,
        controller,
    )
    .await
}

/// The tasks a wallet is enrolled in.
pub async fn fetch_enrolled(
    settings: &Settings,
    address: &WalletAddress,
    controller: &AbortController,
) -> Result<Enrolled, ApiError> {
    get_parsed(
        settings,
        |base| base.enrolled_tasks(address),
        parse_enrolled,
        controller,
    )
    .await
}

/// A daily count series.
pub async fn fetch_daily(
    settings: &Settings,
    kind: CountKind,
    controller: &AbortController,
) -> Result<Vec<DailyCount>, ApiError> {
    get_parsed(
        settings,
        |base| base.emissions(kind),
        parse_daily,
        controller,
    )
    .await
}

/// Send one probe of the connection check and say what came back. A request the browser
/// refuses is sent again as a `no-cors` GET, whose opaque answer tells a server that is there
/// but does not allow this origin (CORS) from one that is not there at all.
pub async fn probe(
    request: &ProbeRequest,
    secret: Option<&str>,
    timeout_secs: u32,
    controller: &AbortController,
) -> Answer {
    // Plain fetch(url, init): gloo-net's builder appends a stray `&` to a URL with a query.
    let Some(window) = web_sys::window() else {
        return Answer::NoAnswer;
    };
    let Ok(headers) = Headers::new() else {
        return Answer::NoAnswer;
    };
    for (name, value) in &request.headers {
        let _ = headers.set(name, value);
    }
    let _ = match (request.credential, secret) {
        (Credential::FlockKey, Some(key)) => headers.set("flock-api-key", key),
        (Credential::EmptyFlockKey, _) => headers.set("flock-api-key", ""),
        (Credential::HubToken, Some(token)) => {
            headers.set("Authorization", &format!("Bearer {token}"))
        }
        _ => Ok(()),
    };
    let init = RequestInit::new();
    init.set_method(request.method);
    init.set_headers(&headers);
    if let Some(body) = &request.body {
        init.set_body(&JsValue::from_str(body));
    }
    init.set_signal(Some(&controller.signal()));
    let (timer, timed_out) = time_limit(timeout_secs, controller);
    let sent = JsFuture::from(window.fetch_with_str_and_init(&request.url, &init)).await;
    if let Some(response) = sent
        .ok()
        .and_then(|r| r.dyn_into::<web_sys::Response>().ok())
    {
        let status = response.status();
        let body = match response.text() {
            Ok(text) => JsFuture::from(text).await.ok().and_then(|v| v.as_string()),
            Err(_) => None,
        };
        return match body {
            Some(body) => Answer::Http { status, body },
            None if timed_out.get() => Answer::Timeout {
                seconds: timeout_secs,
            },
            None => Answer::NoAnswer,
        };
    }
    drop(timer);
    if timed_out.get() {
        return Answer::Timeout {
            seconds: timeout_secs,
        };
    }
    if !window.navigator().on_line() {
        return Answer::Offline;
    }
    if reachable(&request.url, timeout_secs).await {
        Answer::Refused
    } else {
        Answer::NoAnswer
    }
}

/// Whether a server answers at `url` at all, after the browser refused to hand us its answer:
/// a `no-cors` GET needs no leave from the server and reads nothing, so an (opaque) answer
/// means the server is there and CORS is what refused; no answer means it is not reachable.
pub(crate) async fn reachable(url: &str, timeout_secs: u32) -> bool {
    let (Some(window), Ok(reach)) = (web_sys::window(), AbortController::new()) else {
        return false;
    };
    let (_timer, _) = time_limit(timeout_secs, &reach);
    let init = RequestInit::new();
    init.set_mode(RequestMode::NoCors);
    init.set_signal(Some(&reach.signal()));
    JsFuture::from(window.fetch_with_str_and_init(url, &init))
        .await
        .is_ok()
}

/// Check a key from the page, as the connection check's keyed row does: find a task the
/// `wallet` is enrolled in (the API accepts a key only for tasks its wallet staked on), then
/// ask for the key owner's submissions to it. `base` is the API to ask.
pub async fn check_key(
    base: &ApiBase,
    key: &str,
    wallet: Option<&WalletAddress>,
    timeout_secs: u32,
    controller: &AbortController,
) -> Outcome {
    let Some(wallet) = wallet else {
        return Outcome::Key(KeyCheck::CouldNotTell("no wallet address is saved".into()));
    };
    let enrolled = probe(
        &check::enrolled_request(base, wallet),
        None,
        timeout_secs,
        controller,
    )
    .await;
    let task = match check::keyed_task(enrolled) {
        Ok(task) => task,
        Err(outcome) => return outcome,
    };
    let request = Probe::Keyed.request(base, base, task);
    check::keyed_outcome(
        task,
        probe(&request, Some(key), timeout_secs, controller).await,
    )
}

/// Run every probe of the connection check at once, each with the usual time limit, telling
/// `report` each outcome as it comes. The task and leaderboard probes ask about a task from the
/// list probe's answer (task 1 when it has none).
pub async fn run_connection_check(
    settings: &Settings,
    controller: &AbortController,
    report: impl Fn(Probe, Outcome),
) {
    let api = settings.flock_api();
    let hub = settings.hub();
    let timeout = settings.timeout_secs();
    let key = settings.flock_key();
    let token = settings.hf_token();
    let wallet = settings.own_wallet();
    let report = &report;
    let (api, hub) = (&api, &hub);
    let list_then_task = async {
        let request = Probe::TaskList.request(api, hub, 1);
        let answer = probe(&request, None, timeout, controller).await;
        let task = match &answer {
            Answer::Http { body, .. } => TaskList::parse(body)
                .ok()
                .and_then(|l| l.tasks.first().map(|t| t.id))
                .unwrap_or(1),
            _ => 1,
        };
        report(Probe::TaskList, Outcome::of(Probe::TaskList, answer));
        let detail = probe_simple(Probe::Task, api, hub, task, None, timeout, controller);
        let board = probe_simple(
            Probe::Leaderboard,
            api,
            hub,
            task,
            None,
            timeout,
            controller,
        );
        let (detail, board) = futures::join!(detail, board);
        report(Probe::Task, Outcome::of(Probe::Task, detail));
        report(Probe::Leaderboard, Outcome::of(Probe::Leaderboard, board));
    };
    let plain = |probe: Probe, secret: Option<&str>| {
        let secret = secret.map(str::to_string);
        async move {
            let answer =
                probe_simple(probe, api, hub, 1, secret.as_deref(), timeout, controller).await;
            report(probe, Outcome::of(probe, answer));
        }
    };
    let keyed = async {
        let outcome = match key {
            Some(key) => check_key(api, key, wallet.as_ref(), timeout, controller).await,
            None => Outcome::NotTested("no API key is saved for this address".into()),
        };
        report(Probe::Keyed, outcome);
    };
    let whoami = async {
        match token {
            Some(token) => plain(Probe::HubWhoami, Some(token)).await,
            None => report(
                Probe::HubWhoami,
                Outcome::NotTested("no Hugging Face token is saved for this Hub address".into()),
            ),
        }
    };
    futures::join!(
        plain(Probe::Health, None),
        list_then_task,
        plain(Probe::Stats, None),
        keyed,
        plain(Probe::SubmitPreflight, None),
        whoami,
        plain(Probe::HubBatchPreflight, token),
    );
}

/// Send `probe`'s request about `task`, with `secret` where the request carries one.
async fn probe_simple(
    probe_kind: Probe,
    api: &ApiBase,
    hub: &ApiBase,
    task: u64,
    secret: Option<&str>,
    timeout_secs: u32,
    controller: &AbortController,
) -> Answer {
    probe(
        &probe_kind.request(api, hub, task),
        secret,
        timeout_secs,
        controller,
    )
    .await
}

/// A submission to `tasks/submit-result`.
#[derive(Clone, Debug)]
pub struct NewSubmission {
    /// The task.
    pub task_id: u64,
    /// `namespace/name` on the Hub.
    pub hg_repo_id: String,
    /// FLock's template name.
    pub base_model: String,
    /// Free text.
    pub gpu_type: String,
    /// Commit hash.
    pub revision: String,
}

/// POST a submission with the key; the answer in a sentence, or the server's `detail`.
pub async fn submit_result(
    settings: &Settings,
    submission: &NewSubmission,
    controller: &AbortController,
) -> Result<String, ApiError> {
    let base = settings.flock_api();
    let Some(key) = settings.flock_key() else {
        return Err(ApiError::Status {
            code: 401,
            detail: Some("No FLock API key is saved for this API address".into()),
        });
    };
    let body = serde_json::json!({
        "task_id": submission.task_id,
        "data": {
            "hg_repo_id": submission.hg_repo_id,
            "base_model": submission.base_model,
            "gpu_type": submission.gpu_type,
            "revision": submission.revision,
        }
    })
    .to_string();
    let request = Request::post(&base.endpoint("tasks/submit-result", &[]).url)
        .header("flock-api-key", key)
        .header("Content-Type", "application/json")
        .abort_signal(Some(&controller.signal()))
        .body(body)
        .map_err(|_| ApiError::Network {
            base: base.to_string(),
        })?;
    let response = request.send().await.map_err(|_| ApiError::Network {
        base: base.to_string(),
    })?;
    let status = response.status();
    let text = response.text().await.unwrap_or_default();
    if !(200..300).contains(&status) {
        return Err(ApiError::status(status, &text));
    }
    let id = serde_json::from_str::<serde_json::Value>(&text)
        .ok()
        .and_then(|v| v["id"].as_u64());
    Ok(match id {
        Some(id) => format!(
            "Submitted: FLock recorded submission {id} of {} at {} to task {}.",
            submission.hg_repo_id,
            &submission.revision[..12.min(submission.revision.len())],
            submission.task_id
        ),
        None => format!(
            "Submitted {} to task {}.",
            submission.hg_repo_id, submission.task_id
        ),
    })
}
