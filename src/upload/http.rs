//! One Hub or storage request from the browser: a time limit, the upload's cancel, and a typed
//! [`Failure`] for what went wrong (no answer, CORS, time-out, error status, broken answer).
//! Whether to try again and how long to wait are the pure policy of `crate::hub::retry`; the
//! waits end at once on cancel.

use std::cell::RefCell;

use futures::future::{self, Either, FutureExt};
use gloo_timers::future::TimeoutFuture;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, AbortSignal, AddEventListenerOptions, Headers, RequestInit};

use crate::flock::url::{origin_of, ApiBase};
use crate::hub::retry::{backoff_ms, parse_retry_after, Failure, Next, Outage, Policy};
use crate::hub::wire;

use super::{Event, Step, UploadError};

/// Time limit for a Hub API call with a small body.
pub(crate) const API_SECS: u32 = 60;
/// Time limit for a commit (its body carries regular files inline, up to
/// `crate::hub::commit::MAX_INLINE_BYTES`).
pub(crate) const COMMIT_SECS: u32 = 600;
/// Time limit for asking who a token belongs to.
const WHOAMI_SECS: u32 = 20;
/// Time limit for the no-cors look that tells CORS from no answer.
const REACH_SECS: u32 = 5;
/// The slowest uplink a storage PUT's time limit allows for (bytes per second): 64 KiB/s,
/// so a slow link is not mistaken for a dead one.
const SLOWEST_UPLINK: u64 = 64 * 1024;

/// The time limit for PUTting `bytes` to storage.
pub(crate) fn put_secs(bytes: u64) -> u32 {
    (API_SECS as u64 + bytes / SLOWEST_UPLINK).min(u32::MAX as u64) as u32
}

/// A request to send.
pub(crate) struct Outgoing<'a> {
    /// HTTP method.
    pub method: &'static str,
    /// Absolute URL.
    pub url: &'a str,
    /// Headers (the token's `Authorization` only for Hub API routes).
    pub headers: Vec<(&'static str, String)>,
    /// The body: a string or a `Blob`.
    pub body: Option<JsValue>,
    /// Seconds before giving up on it.
    pub limit_secs: u32,
    /// Whether the answer is read as bytes ([`Answer::bytes`]) rather than text.
    pub binary: bool,
}

impl<'a> Outgoing<'a> {
    /// A request with no body and no header yet.
    pub(crate) fn new(method: &'static str, url: &'a str) -> Self {
        Outgoing {
            method,
            url,
            headers: Vec::new(),
            body: None,
            limit_secs: API_SECS,
            binary: false,
        }
    }

    /// A Hub API call with the token.
    pub(crate) fn hub(method: &'static str, url: &'a str, token: &str) -> Self {
        Outgoing::new(method, url).header("Authorization", &format!("Bearer {token}"))
    }

    /// A GET from the Hub, with the token when there is one (a public repo needs none).
    pub(crate) fn hub_read(url: &'a str, token: Option<&str>) -> Self {
        match token {
            Some(token) => Outgoing::hub("GET", url, token),
            None => Outgoing::new("GET", url),
        }
    }

    /// Read the answer as bytes.
    pub(crate) fn binary(mut self) -> Self {
        self.binary = true;
        self
    }

    /// With a JSON-ish body of the given type.
    pub(crate) fn body(mut self, content_type: &'static str, body: JsValue) -> Self {
        self.headers
            .push(("Content-Type", content_type.to_string()));
        self.body = Some(body);
        self
    }

    /// With a body and no `Content-Type` of ours (a `Blob` to signed storage, whose signature
    /// may cover the headers sent).
    pub(crate) fn raw_body(mut self, body: JsValue) -> Self {
        self.body = Some(body);
        self
    }

    /// With another header.
    pub(crate) fn header(mut self, name: &'static str, value: &str) -> Self {
        self.headers.push((name, value.to_string()));
        self
    }

    /// With another time limit.
    pub(crate) fn limit(mut self, seconds: u32) -> Self {
        self.limit_secs = seconds;
        self
    }
}

/// A 2xx answer.
pub(crate) struct Answer {
    /// The `ETag` header, when storage exposes it.
    pub etag: Option<String>,
    /// The body as text (empty for a binary request).
    pub body: String,
    /// The body as bytes (for a binary request only).
    pub bytes: Vec<u8>,
}

/// Resolves the first time `target` raises `event`.
fn next_event(target: &web_sys::EventTarget, event: &str) -> JsFuture {
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        let once = AddEventListenerOptions::new();
        once.set_once(true);
        let _ = target.add_event_listener_with_callback_and_add_event_listener_options(
            event, &resolve, &once,
        );
    });
    JsFuture::from(promise)
}

/// Resolves once `signal` is aborted (at once if it already is).
pub(crate) fn aborted(signal: &AbortSignal) -> JsFuture {
    if signal.aborted() {
        return JsFuture::from(js_sys::Promise::resolve(&JsValue::NULL));
    }
    next_event(signal, "abort")
}

/// Wait `ms`, or less if the upload is cancelled meanwhile (then `Cancelled`).
pub(crate) async fn pause(ms: u64, cancel: &AbortSignal) -> Result<(), Failure> {
    // setTimeout takes at most 2^31 - 1 ms; a longer delay would fire at once.
    let timer = TimeoutFuture::new(ms.min(i32::MAX as u64) as u32);
    match future::select(timer, aborted(cancel)).await {
        Either::Left(_) => Ok(()),
        Either::Right(_) => Err(Failure::Cancelled),
    }
}

/// Send `out` once. `cancel` is the upload's; the time limit and a cancel both abort the
/// request itself (not only our wait for it).
pub(crate) async fn exchange(out: &Outgoing<'_>, cancel: &AbortSignal) -> Result<Answer, Failure> {
    if cancel.aborted() {
        return Err(Failure::Cancelled);
    }
    let (Some(window), Ok(own), Ok(headers)) =
        (web_sys::window(), AbortController::new(), Headers::new())
    else {
        return Err(Failure::Unsendable);
    };
    for (name, value) in &out.headers {
        if headers.set(name, value).is_err() {
            return Err(Failure::Unsendable);
        }
    }
    let init = RequestInit::new();
    init.set_method(out.method);
    init.set_headers(&headers);
    if let Some(body) = &out.body {
        init.set_body(body);
    }
    init.set_signal(Some(&own.signal()));
    let request = async {
        let response = JsFuture::from(window.fetch_with_str_and_init(out.url, &init))
            .await
            .ok()
            .and_then(|r| r.dyn_into::<web_sys::Response>().ok())
            .ok_or(Failure::Network)?;
        let ok = (200..300).contains(&response.status());
        let (text, bytes) = if out.binary && ok {
            let bytes = match response.array_buffer() {
                Ok(buffer) => JsFuture::from(buffer)
                    .await
                    .ok()
                    .map(|b| js_sys::Uint8Array::new(&b).to_vec()),
                Err(_) => None,
            };
            (
                bytes.as_ref().map(|_| String::new()),
                bytes.unwrap_or_default(),
            )
        } else {
            let text = match response.text() {
                Ok(text) => JsFuture::from(text).await.ok().and_then(|v| v.as_string()),
                Err(_) => None,
            };
            (text, Vec::new())
        };
        Ok::<_, Failure>((response, text, bytes))
    };
    let stop = future::select(
        TimeoutFuture::new(out.limit_secs.saturating_mul(1000).min(i32::MAX as u32)).map(|_| {
            Failure::Timeout {
                seconds: out.limit_secs,
            }
        }),
        aborted(cancel).map(|_| Failure::Cancelled),
    )
    .map(|either| either.factor_first().0);
    futures::pin_mut!(request, stop);
    let (response, text, bytes) = match future::select(request, stop).await {
        Either::Left((Ok(answer), _)) => answer,
        Either::Left((Err(_), _)) => return Err(why_no_answer(out.url, &window, cancel).await),
        Either::Right((failure, _)) => {
            own.abort();
            return Err(failure);
        }
    };
    answered(out.url);
    let status = response.status();
    if (200..300).contains(&status) {
        return match text {
            Some(body) => Ok(Answer {
                etag: response.headers().get("etag").ok().flatten(),
                body,
                bytes,
            }),
            None => Err(Failure::BadAnswer("it broke off".into())),
        };
    }
    let retry_after = response
        .headers()
        .get("retry-after")
        .ok()
        .flatten()
        .and_then(|v| parse_retry_after(&v, (js_sys::Date::now() / 1000.0) as i64));
    Err(Failure::Status {
        code: status,
        reason: text.as_deref().and_then(wire::hub_error),
        retry_after,
    })
}

thread_local! {
    /// Origins that have answered this page (CORS let it read them) since it loaded.
    static ANSWERED: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

/// Remember that `url`'s origin answered this page.
fn answered(url: &str) {
    let origin = origin_of(url).to_string();
    ANSWERED.with(|all| {
        let mut all = all.borrow_mut();
        if !all.contains(&origin) {
            all.push(origin);
        }
    });
}

/// Why a request got no answer the page may read: cancelled, offline, CORS (the server is
/// there but refuses this origin), or no answer at all. An origin that has answered this page
/// before does not refuse it by CORS now: a failure there is the network's, even when the server
/// is reachable again by the time it is looked at (an outage that just ended).
async fn why_no_answer(url: &str, window: &web_sys::Window, cancel: &AbortSignal) -> Failure {
    let answered_before = ANSWERED.with(|all| all.borrow().iter().any(|o| o == origin_of(url)));
    if cancel.aborted() {
        Failure::Cancelled
    } else if !window.navigator().on_line() || answered_before {
        Failure::Network
    } else if crate::net::reachable(url, REACH_SECS).await {
        Failure::Cors
    } else {
        Failure::Network
    }
}

/// Wait before the next attempt after `made` attempts, the last of which failed with
/// `failure`, as `crate::hub::retry::backoff_ms` says (jittered); `on` hears of the wait.
/// Ends early with `Cancelled` on cancel.
pub(crate) async fn back_off(
    failure: &Failure,
    made: u32,
    cancel: &AbortSignal,
    on: &dyn Fn(Event),
) -> Result<(), Failure> {
    let ms = backoff_ms(made, failure, js_sys::Math::random());
    on(retrying(failure, ms));
    pause(ms, cancel).await
}

/// The event for a wait of `wait_ms` before trying again after `failure`.
fn retrying(failure: &Failure, wait_ms: u64) -> Event {
    Event::Retrying {
        why: failure.to_string(),
        wait_ms,
    }
}

/// What the requests of one upload share about waiting: the network's outage (one for all
/// the parallel requests) and who hears of each wait.
pub(crate) struct Waits<'a> {
    /// The outage in course, and how long to bear it.
    pub outage: &'a RefCell<Outage>,
    /// Hears of every wait ([`Event::Retrying`], [`Event::Offline`]).
    pub on: &'a dyn Fn(Event),
}

/// Resolves when the browser says it is back online (never, without a window).
fn back_online() -> JsFuture {
    match web_sys::window() {
        Some(window) => next_event(&window, "online"),
        None => JsFuture::from(js_sys::Promise::new(&mut |_, _| {})),
    }
}

/// Send what `make` builds until it succeeds, fails for good, or `policy` gives up, waiting
/// between attempts as `Policy::next` says. A gone network is waited for (within `waits`' patience,
/// without using up attempts), looking again on the browser's `online` event or every few
/// seconds; only this request is sent again, nothing else of the upload is lost.
pub(crate) async fn with_retries<'a>(
    policy: Policy,
    cancel: &AbortSignal,
    waits: &Waits<'_>,
    make: impl Fn() -> Outgoing<'a>,
) -> Result<Answer, Failure> {
    let mut made = 0;
    loop {
        made += 1;
        let outcome = exchange(&make(), cancel).await;
        if !matches!(outcome, Err(Failure::Network)) {
            // An answer came (or the user cancelled): the network is there.
            waits.outage.borrow_mut().answered();
        }
        let failure = match outcome {
            Ok(answer) => return Ok(answer),
            Err(failure) => failure,
        };
        let now = js_sys::Date::now();
        let next = policy.next(
            &failure,
            made,
            &mut waits.outage.borrow_mut(),
            now,
            js_sys::Math::random(),
        );
        match next {
            Next::Retry { wait_ms } => {
                (waits.on)(retrying(&failure, wait_ms));
                pause(wait_ms, cancel).await?;
            }
            Next::AwaitNetwork { wait_ms } => {
                let outage = *waits.outage.borrow();
                let since_ms = outage.since_ms.unwrap_or(now);
                (waits.on)(Event::Offline {
                    since_ms,
                    gives_up_ms: since_ms + outage.patience_ms as f64,
                });
                let wait = pause(wait_ms, cancel);
                futures::pin_mut!(wait);
                let look = future::select(wait, back_online()).await;
                if let Either::Left((Err(cancelled), _)) = look {
                    return Err(cancelled);
                }
            }
            Next::Stop => return Err(failure),
        }
    }
}

/// Ask the Hub who a token belongs to. `cancel` aborts it (a newer question supersedes it).
pub async fn whoami(
    hub: &ApiBase,
    token: &str,
    cancel: &AbortSignal,
) -> Result<wire::WhoAmI, UploadError> {
    let url = wire::whoami_url(hub);
    let answer = exchange(
        &Outgoing::hub("GET", &url, token).limit(WHOAMI_SECS),
        cancel,
    )
    .await
    .map_err(|failure| UploadError::request(Step::Token, None, failure))?;
    wire::parse_whoami(&answer.body)
        .map_err(|why| UploadError::request(Step::Token, None, Failure::BadAnswer(why)))
}
