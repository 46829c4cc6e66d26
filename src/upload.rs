//! Uploading picked files to a Hub repo over the HTTP commit protocol (`crate::hub::wire`):
//! create the repo, preupload, hash LFS files, LFS batch, PUT `File` slices (several at once,
//! multipart with ETags and completion), then one NDJSON commit on the head the preupload saw.
//!
//! - Big files are hashed from the start, beside creating the repo and the preupload, in Web
//!   Workers (`public/hash-worker.js`, one per core; four files at once in SIMD lanes when a
//!   worker has three or more, see [`crate::hub::sha256x4`]); each LFS file is batched and sent
//!   as soon as its hash is known, while the others still hash.
//! - The token goes only to Hub API routes as `Authorization: Bearer`; never to storage or
//!   completion URLs, which are signed.
//! - Network errors, 5xx and 429 are retried with backoff; an expired storage URL (403) gets a
//!   fresh batch; a busy repo (409 on commit) is retried.
//! - Cancelling aborts every request in flight and no commit is made. Running again skips
//!   objects the Hub already stores (the batch answer says so).
//! - Files are never read whole into memory except small regular files, which the commit
//!   carries inline: LFS files are hashed as streams and sent as `File` slices.

use std::cell::Cell;
use std::rc::Rc;

use base64::Engine;
use futures::stream::{self, StreamExt, TryStreamExt};
use gloo_net::http::{Request, RequestBuilder, Response};
use gloo_timers::future::TimeoutFuture;
use sha2::{Digest, Sha256};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, Blob, File};

use crate::flock::url::ApiBase;
use crate::hub::repo::RepoId;
use crate::hub::sha256x4::Sha256x4;
use crate::hub::wire::{self, Action, Operation};

/// Bytes read per step when hashing.
const HASH_SLICE: f64 = 8.0 * 1024.0 * 1024.0;
/// Storage PUTs in flight at once, across all files: the six HTTP/1.1 connections a browser
/// opens to one host (storage is a host of its own, apart from the Hub API).
const PARALLEL_PUTS: usize = 6;
/// Attempts for one request before giving up.
const ATTEMPTS: u32 = 5;
/// Files at least this big are hashed from the start, before the preupload says which files
/// are LFS (the Hub stores anything over 10 MiB as LFS; smaller LFS files are hashed after).
const EARLY_HASH_MIN: u64 = 1024 * 1024;
/// Files per preupload or batch call (the JS client's batch size).
const BATCH: usize = 100;

/// A picked file and its path in the repo.
#[derive(Clone, Debug)]
pub struct PickedFile {
    /// Path in the repo (folder structure kept).
    pub path: String,
    /// The browser's file.
    pub file: File,
}

impl PickedFile {
    /// Size in bytes.
    pub fn size(&self) -> u64 {
        self.file.size() as u64
    }
}

/// What to upload, where.
#[derive(Clone, Debug)]
pub struct Job {
    /// Hub base.
    pub hub: ApiBase,
    /// Hugging Face token with write access.
    pub token: String,
    /// Target repo.
    pub repo: RepoId,
    /// Create the repo when missing.
    pub create: bool,
    /// Create it private.
    pub private: bool,
    /// Commit summary.
    pub message: String,
    /// The files.
    pub files: Vec<PickedFile>,
}

/// Where the whole upload stands.
#[derive(Clone, Debug, PartialEq)]
pub enum Phase {
    /// Creating the repo if needed.
    Preparing,
    /// Asking the Hub how to send each file.
    Preuploading,
    /// Hashing and sending large files.
    Uploading,
    /// Making the commit.
    Committing,
}

/// Where one file stands.
#[derive(Clone, Debug, PartialEq)]
pub enum FileState {
    /// Not started.
    Waiting,
    /// Hashing, fraction done.
    Hashing(f64),
    /// Sending, fraction done.
    Uploading(f64),
    /// The Hub already had it.
    Stored,
    /// Sent (or, for small files, ready for the commit).
    Done,
    /// Failed, with why.
    Failed(String),
}

/// Something that happened during the upload.
#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    /// A new phase started.
    Phase(Phase),
    /// File `index` changed state.
    File(usize, FileState),
    /// More bytes reached storage.
    Sent(u64),
}

/// A finished commit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Done {
    /// Commit id (40 hex).
    pub commit: String,
    /// Commit page.
    pub url: String,
    /// Objects the Hub already had (not sent again).
    pub skipped: usize,
}

/// Why an upload stopped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UploadError {
    /// The step that failed.
    pub step: String,
    /// What happened and what to do.
    pub message: String,
}

impl UploadError {
    fn new(step: &str, message: impl Into<String>) -> Self {
        UploadError {
            step: step.to_string(),
            message: message.into(),
        }
    }

    /// The error for a user cancel.
    pub fn cancelled() -> Self {
        UploadError::new("cancelled", "Cancelled: nothing was committed. Start again to resume; files already stored are not sent again.")
    }

    /// Whether this is a cancel.
    pub fn is_cancel(&self) -> bool {
        self.step == "cancelled"
    }
}

impl std::fmt::Display for UploadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.step, self.message)
    }
}

/// One answer: status, an exposed header if asked for, the body text.
struct Answer {
    status: u16,
    etag: Option<String>,
    body: String,
}

/// How one attempt ended.
enum Attempt {
    Ok(Answer),
    /// Worth trying again (network, 5xx, 429).
    Retry(String),
    /// Final.
    Fail(Answer),
}

/// Send a built request (its abort signal is already attached by the caller).
async fn send(request: Result<Request, gloo_net::Error>, _controller: &AbortController) -> Attempt {
    let Ok(request) = request else {
        return Attempt::Retry("the request could not be built".into());
    };
    match request.send().await {
        Err(_) => Attempt::Retry(
            "no answer (network down, server unreachable, or refused by CORS)".into(),
        ),
        Ok(response) => read(response).await,
    }
}

/// PUT `blob` to a signed storage URL with the plain `fetch(url, init)` form: in Chromium,
/// building a `Request` object first (as gloo-net does) measured a few percent slower for
/// large bodies (tests/bench/upload.sh). No Authorization: the token must not reach storage.
async fn put_blob(url: &str, blob: &Blob, controller: &AbortController) -> Attempt {
    let init = web_sys::RequestInit::new();
    init.set_method("PUT");
    init.set_body(blob);
    init.set_signal(Some(&controller.signal()));
    let Some(window) = web_sys::window() else {
        return Attempt::Fail(Answer {
            status: 0,
            etag: None,
            body: r#"{"error":"uploads need a browser window"}"#.into(),
        });
    };
    let answer = JsFuture::from(window.fetch_with_str_and_init(url, &init)).await;
    match answer
        .ok()
        .and_then(|r| r.dyn_into::<web_sys::Response>().ok())
    {
        None => Attempt::Retry(
            "no answer (network down, server unreachable, or refused by CORS)".into(),
        ),
        Some(response) => read(Response::from(response)).await,
    }
}

async fn read(response: Response) -> Attempt {
    let status = response.status();
    let etag = response.headers().get("etag");
    let body = response.text().await.unwrap_or_default();
    let answer = Answer { status, etag, body };
    match status {
        200..=299 => Attempt::Ok(answer),
        // The Hub's `RateLimit`/`Retry-After` headers are not exposed to browsers (not in its
        // Access-Control-Expose-Headers), so the wait is unknown here: back off, and if it
        // lasts, say what to do.
        429 => Attempt::Retry(format!(
            "{}. The Hub is rate-limiting this account: wait a few minutes, then start again \
             (files already stored are not sent again)",
            describe(&answer)
        )),
        408 | 500..=599 => Attempt::Retry(describe(&answer)),
        _ => Attempt::Fail(answer),
    }
}

fn describe(answer: &Answer) -> String {
    match wire::hub_error(&answer.body) {
        Some(reason) => format!("HTTP {}: {reason}", answer.status),
        None => format!("HTTP {}", answer.status),
    }
}

/// Run `make` until it succeeds, fails for good, or `ATTEMPTS` run out; back off 1, 2, 4, 8 s.
async fn with_retries<F, Fut>(
    step: &str,
    controller: &AbortController,
    make: F,
) -> Result<Answer, UploadError>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Attempt>,
{
    let mut last = String::new();
    for attempt in 0..ATTEMPTS {
        if controller.signal().aborted() {
            return Err(UploadError::cancelled());
        }
        if attempt > 0 {
            TimeoutFuture::new(1000 << (attempt - 1).min(3)).await;
        }
        match make().await {
            Attempt::Ok(answer) => return Ok(answer),
            Attempt::Fail(answer) => return Err(UploadError::new(step, describe(&answer))),
            Attempt::Retry(why) => last = why,
        }
    }
    if controller.signal().aborted() {
        return Err(UploadError::cancelled());
    }
    Err(UploadError::new(
        step,
        format!("{last} (after {ATTEMPTS} attempts)"),
    ))
}

fn hub_call(builder: RequestBuilder, token: &str, controller: &AbortController) -> RequestBuilder {
    builder
        .header("Authorization", &format!("Bearer {token}"))
        .abort_signal(Some(&controller.signal()))
}

async fn blob_bytes(blob: &Blob) -> Result<Vec<u8>, UploadError> {
    let buffer = JsFuture::from(blob.array_buffer()).await.map_err(|_| {
        UploadError::new(
            "reading",
            "The browser could not read the file (moved or deleted since it was picked?).",
        )
    })?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

fn slice(file: &File, start: f64, end: f64) -> Result<Blob, UploadError> {
    file.slice_with_f64_and_f64(start, end)
        .map_err(|_| UploadError::new("reading", "The browser could not slice the file."))
}

/// SHA-256 of a file, read in slices, reporting the fraction done.
pub async fn hash_file(
    file: &File,
    progress: &dyn Fn(f64),
    cancelled: &dyn Fn() -> bool,
) -> Result<String, UploadError> {
    let size = file.size();
    let mut hasher = Sha256::new();
    let mut at = 0.0;
    while at < size {
        if cancelled() {
            return Err(UploadError::cancelled());
        }
        let end = (at + HASH_SLICE).min(size);
        hasher.update(blob_bytes(&slice(file, at, end)?).await?);
        at = end;
        progress(at / size);
    }
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// Up to four SHA-256 streams at once, for the hashing worker (`public/hash-worker.js`); see
/// [`Sha256x4`].
#[wasm_bindgen]
pub struct Sha256Lanes(Sha256x4);

#[wasm_bindgen]
impl Sha256Lanes {
    /// Four free lanes.
    #[wasm_bindgen(constructor)]
    #[allow(clippy::new_without_default)]
    pub fn new() -> Sha256Lanes {
        Sha256Lanes(Sha256x4::new())
    }

    /// Start a stream on lane `k` (0–3).
    pub fn start(&mut self, k: usize) {
        self.0.start(k);
    }

    /// Add bytes to lane `k`'s stream.
    pub fn push(&mut self, k: usize, bytes: &[u8]) {
        self.0.push(k, bytes);
    }

    /// Bytes waiting on lane `k`.
    pub fn pending(&self, k: usize) -> usize {
        self.0.pending(k)
    }

    /// Hash what every busy lane has.
    pub fn run(&mut self) {
        self.0.run();
    }

    /// End lane `k`'s stream; its digest in lower-case hex.
    pub fn finish(&mut self, k: usize) -> String {
        self.0.finish(k)
    }
}

/// The URLs of this page's JS glue and wasm, as trunk's preload links name them.
fn module_urls() -> Option<(String, String)> {
    let document = web_sys::window()?.document()?;
    let href = |selector: &str| {
        document
            .query_selector(selector)
            .ok()
            .flatten()
            .and_then(|e| e.get_attribute("href"))
            .and_then(|h| web_sys::Url::new_with_base(&h, &document.url().ok()?).ok())
            .map(|u| u.href())
    };
    Some((
        href("link[rel=modulepreload]")?,
        href("link[rel=preload][as=fetch]")?,
    ))
}

/// What the hashing worker said.
enum Heard {
    Progress(usize, f64),
    Oid(usize, String),
    Error(String),
}

/// Why a worker did not hash everything.
enum WorkerTrouble {
    /// No worker could run here: hash on the page instead.
    NoWorker,
    /// Reading or hashing failed, or the upload was cancelled.
    Failed(UploadError),
}

/// SHA-256 of `files` in one Web Worker (up to four at once, in SIMD lanes), so the page stays
/// responsive. `progress(k, fraction)` and `done(k, oid)` hear about `files[k]` as it goes.
async fn hash_in_worker(
    files: &[File],
    progress: &dyn Fn(usize, f64),
    done: &dyn Fn(usize, String),
    cancelled: &dyn Fn() -> bool,
) -> Result<(), WorkerTrouble> {
    use std::cell::RefCell;
    use wasm_bindgen::closure::Closure;

    let (glue, wasm) = module_urls().ok_or(WorkerTrouble::NoWorker)?;
    let options = web_sys::WorkerOptions::new();
    options.set_type(web_sys::WorkerType::Module);
    let worker = web_sys::Worker::new_with_options("./hash-worker.js", &options)
        .map_err(|_| WorkerTrouble::NoWorker)?;
    let heard: Rc<RefCell<Vec<Heard>>> = Rc::default();
    let on_message = {
        let heard = heard.clone();
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
            let data = event.data();
            let field = |name: &str| {
                js_sys::Reflect::get(&data, &JsValue::from_str(name))
                    .ok()
                    .filter(|v| !v.is_undefined())
            };
            let index = field("index").and_then(|v| v.as_f64()).unwrap_or(0.0) as usize;
            let message = if let Some(oid) = field("oid").and_then(|v| v.as_string()) {
                Heard::Oid(index, oid)
            } else if let Some(error) = field("error").and_then(|v| v.as_string()) {
                Heard::Error(error)
            } else if let Some(p) = field("progress").and_then(|v| v.as_f64()) {
                Heard::Progress(index, p)
            } else {
                return;
            };
            heard.borrow_mut().push(message);
        })
    };
    let on_error = {
        let heard = heard.clone();
        Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
            heard.borrow_mut().push(Heard::Error(String::new()));
        })
    };
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    // From here the guard owns the worker: however this future ends — finished, failed, or
    // dropped because another file's upload failed — the handlers are detached before their
    // closures go, and the worker is stopped.
    let guard = WorkerGuard {
        worker,
        _on_message: on_message,
        _on_error: on_error,
    };
    let list = files.iter().collect::<js_sys::Array>();
    let message = js_sys::Object::new();
    for (key, value) in [
        ("glue", JsValue::from_str(&glue)),
        ("wasm", JsValue::from_str(&wasm)),
        ("files", list.into()),
    ] {
        let _ = js_sys::Reflect::set(&message, &JsValue::from_str(key), &value);
    }
    guard
        .worker
        .post_message(&message)
        .map_err(|_| WorkerTrouble::NoWorker)?;
    // The worker reports through the closures; check on it ten times a second.
    let mut left = files.len();
    let mut started = false;
    while left > 0 {
        if cancelled() {
            return Err(WorkerTrouble::Failed(UploadError::cancelled()));
        }
        let news = std::mem::take(&mut *heard.borrow_mut());
        for message in news {
            match message {
                Heard::Progress(k, fraction) => {
                    started = true;
                    progress(k, fraction);
                }
                Heard::Oid(k, oid) => {
                    started = true;
                    left -= 1;
                    done(k, oid);
                }
                // An error before any word from the worker: it could not start (module
                // workers unsupported, say): the page hashes instead.
                Heard::Error(_) if !started => return Err(WorkerTrouble::NoWorker),
                Heard::Error(reason) => {
                    return Err(WorkerTrouble::Failed(UploadError::new("hashing", reason)))
                }
            }
        }
        if left > 0 {
            TimeoutFuture::new(100).await;
        }
    }
    Ok(())
}

/// SHA-256 of `job.files[i]` on the page itself, reporting progress as that file's.
async fn hash_on_page(
    job: &Job,
    i: usize,
    on: &dyn Fn(Event),
    cancelled: &dyn Fn() -> bool,
) -> Result<String, UploadError> {
    let progress = |fraction| on(Event::File(i, FileState::Hashing(fraction)));
    hash_file(&job.files[i].file, &progress, cancelled).await
}

/// Hash `group` (indexes into `job.files`) in one worker, or on the page if no worker can run;
/// `send` gets each file's outcome as soon as it is known.
async fn hash_group(
    job: &Job,
    group: &[usize],
    on: &dyn Fn(Event),
    cancelled: &dyn Fn() -> bool,
    send: &dyn Fn(usize, Result<String, UploadError>),
) {
    let files: Vec<File> = group.iter().map(|&i| job.files[i].file.clone()).collect();
    let finished = std::cell::RefCell::new(vec![false; group.len()]);
    let outcome = hash_in_worker(
        &files,
        &|k, fraction| on(Event::File(group[k], FileState::Hashing(fraction))),
        &|k, oid| {
            finished.borrow_mut()[k] = true;
            send(group[k], Ok(oid));
        },
        cancelled,
    )
    .await;
    let left: Vec<usize> = (0..group.len())
        .filter(|&k| !finished.borrow()[k])
        .collect();
    match outcome {
        Ok(()) => {}
        Err(WorkerTrouble::Failed(e)) => {
            for k in left {
                send(group[k], Err(e.clone()));
            }
        }
        Err(WorkerTrouble::NoWorker) => {
            for k in left {
                send(group[k], hash_on_page(job, group[k], on, cancelled).await);
            }
        }
    }
}

/// Deal `files` to at most `workers` groups of near-equal count, in order: one worker each.
/// A worker given three files or more hashes four at a time in SIMD lanes (four in one pass
/// cost about what two cost one by one: tests/bench/upload.sh); given one or two, it hashes
/// them one after the other, so that the first is ready to upload as early as possible.
fn deal(files: &[usize], workers: usize) -> Vec<Vec<usize>> {
    let groups = workers.clamp(1, files.len().max(1));
    let size = files.len().div_ceil(groups).max(1);
    files.chunks(size).map(<[usize]>::to_vec).collect()
}

/// A hashing worker with its message handlers; dropping it detaches them and stops the worker.
struct WorkerGuard {
    worker: web_sys::Worker,
    _on_message: wasm_bindgen::closure::Closure<dyn FnMut(web_sys::MessageEvent)>,
    _on_error: wasm_bindgen::closure::Closure<dyn FnMut(web_sys::Event)>,
}

impl Drop for WorkerGuard {
    fn drop(&mut self) {
        // Runs before the fields drop: no queued message can reach a dropped closure.
        self.worker.set_onmessage(None);
        self.worker.set_onerror(None);
        self.worker.terminate();
    }
}

/// Upload `job`'s files and commit them. `on` hears every event; `controller` cancels.
pub async fn run(
    job: &Job,
    controller: &AbortController,
    on: &dyn Fn(Event),
) -> Result<Done, UploadError> {
    let cancelled = || controller.signal().aborted();
    // Hashing starts at once, beside creating the repo and the preupload, for every file big
    // enough to be an LFS file in practice; the preupload's answer then says which hashes are
    // needed. (A file of 1–10 MiB the Hub keeps as a regular file is hashed for nothing: a few
    // milliseconds.) Results flow to the sending stage through a channel, in the order they end.
    let (hashed, results) = futures::channel::mpsc::unbounded();
    let early: Vec<usize> = (0..job.files.len())
        .filter(|&i| job.files[i].size() >= EARLY_HASH_MIN)
        .collect();
    let hashing = async move {
        let send = |i: usize, outcome: Result<String, UploadError>| {
            // The receiver is gone only when the upload already ended.
            let _ = hashed.unbounded_send((i, outcome));
        };
        let groups = deal(&early, hashing_workers());
        futures::future::join_all(
            groups
                .iter()
                .map(|group| hash_group(job, group, on, &cancelled, &send)),
        )
        .await;
        // Closing the channel tells the sending stage that no more hashes will come.
        drop(hashed);
    };
    let upload = send_and_commit(job, controller, on, results);
    futures::pin_mut!(hashing, upload);
    // Whichever ends first: the upload (done, failed or cancelled: dropping the hashing stops
    // its workers), or the hashing (then the upload goes on to the end).
    match futures::future::select(upload, hashing).await {
        futures::future::Either::Left((outcome, _)) => outcome,
        futures::future::Either::Right(((), upload)) => upload.await,
    }
}

/// Everything but the early hashing: create, preupload, hash what is left, batch, send, commit.
/// `results` brings the early hashes as they end.
async fn send_and_commit(
    job: &Job,
    controller: &AbortController,
    on: &dyn Fn(Event),
    results: futures::channel::mpsc::UnboundedReceiver<(usize, Result<String, UploadError>)>,
) -> Result<Done, UploadError> {
    let cancelled = || controller.signal().aborted();
    on(Event::Phase(Phase::Preparing));
    if job.create {
        create_repo(job, controller).await?;
    }

    on(Event::Phase(Phase::Preuploading));
    let mut samples = Vec::with_capacity(job.files.len());
    for f in &job.files {
        let head = blob_bytes(&slice(&f.file, 0.0, 512.0_f64.min(f.file.size()))?).await?;
        samples.push((
            f.path.clone(),
            f.size(),
            base64::engine::general_purpose::STANDARD.encode(head),
        ));
    }
    let mut modes = Vec::new();
    let mut head = None;
    for chunk in samples.chunks(BATCH) {
        let url = wire::preupload_url(&job.hub, &job.repo, "main");
        let body = wire::preupload_body(chunk);
        let answer = with_retries("preupload", controller, || {
            send(
                hub_call(Request::post(&url), &job.token, controller)
                    .header("Content-Type", "application/json")
                    .body(body.clone()),
                controller,
            )
        })
        .await?;
        let (files, commit) =
            wire::parse_preupload(&answer.body).map_err(|e| UploadError::new("preupload", e))?;
        modes.extend(files);
        head = head.or(commit);
    }
    let lfs = |path: &str| {
        modes
            .iter()
            .find(|m| m.path == path)
            .is_some_and(|m| m.lfs && !m.ignore)
    };
    let ignored = |path: &str| modes.iter().any(|m| m.path == path && m.ignore);

    on(Event::Phase(Phase::Uploading));
    // Two stages: large files are hashed in workers, several at once (one per core), and each
    // file is batched and sent as soon as its hash is known, while the next ones are still being
    // hashed. The sending stage takes every hashed file at once, so it never holds hashing back;
    // `slots` caps the storage PUTs in flight across all files instead. (One batch call per
    // file: a few more requests, in exchange for never waiting on the slowest hash.)
    let large: Vec<usize> = (0..job.files.len())
        .filter(|&i| lfs(&job.files[i].path))
        .collect();
    // LFS files too small to have been hashed early (a small adapter, say): hashed now.
    let late = stream::iter(
        large
            .iter()
            .copied()
            .filter(|&i| job.files[i].size() < EARLY_HASH_MIN),
    )
    .then(|i| async move { (i, hash_on_page(job, i, on, &cancelled).await) });
    let hashes = stream::select(results, late).filter_map(|(i, outcome)| {
        let wanted = large.contains(&i);
        async move {
            wanted.then(|| {
                outcome
                    .map(|oid| (i, oid))
                    .inspect_err(|e| mark_failed(i, on, e))
            })
        }
    });
    let sent = Rc::new(Cell::new(0u64));
    let skipped = Rc::new(Cell::new(0usize));
    let slots = Slots::new(PARALLEL_PUTS);
    let oids: Vec<(usize, String)> = hashes
        .map_ok(|(i, oid)| {
            let (sent, skipped, slots) = (sent.clone(), skipped.clone(), &slots);
            marked(i, on, async move {
                let file = &job.files[i];
                let object = batch(job, controller, vec![(oid.clone(), file.size())])
                    .await?
                    .into_iter()
                    .next()
                    .ok_or_else(|| UploadError::new("LFS batch", "no answer for the object"))?;
                match object.action {
                    Err(reason) => {
                        return Err(UploadError::new(
                            "LFS batch",
                            format!("{}: {reason}", file.path),
                        ))
                    }
                    Ok(Action::Stored) => {
                        skipped.set(skipped.get() + 1);
                        on(Event::File(i, FileState::Stored));
                    }
                    Ok(action) => {
                        let put = Put {
                            job,
                            controller,
                            slots,
                            index: i,
                            sent: &|bytes| {
                                sent.set(sent.get() + bytes);
                                on(Event::Sent(sent.get()));
                            },
                            on,
                        };
                        send_object(&put, &oid, action).await?;
                        on(Event::File(i, FileState::Done));
                    }
                }
                Ok((i, oid))
            })
        })
        .try_buffer_unordered(large.len().max(1))
        .try_collect()
        .await?;

    if cancelled() {
        return Err(UploadError::cancelled());
    }
    on(Event::Phase(Phase::Committing));
    let mut operations = Vec::with_capacity(job.files.len());
    for (i, f) in job.files.iter().enumerate() {
        if ignored(&f.path) {
            continue;
        }
        match oids.iter().find(|(j, _)| *j == i) {
            Some((_, oid)) => operations.push(Operation::Lfs {
                path: f.path.clone(),
                oid: oid.clone(),
                size: f.size(),
            }),
            None => {
                let bytes = blob_bytes(&f.file).await?;
                operations.push(Operation::File {
                    path: f.path.clone(),
                    base64: base64::engine::general_purpose::STANDARD.encode(bytes),
                });
                on(Event::File(i, FileState::Done));
            }
        }
    }
    let body = wire::commit_body(
        &job.message,
        "Uploaded with flockboard",
        head.as_deref(),
        &operations,
    );
    let url = wire::commit_url(&job.hub, &job.repo, "main");
    // 409 means another commit is running on the repo: wait and try again.
    let answer = with_retries("commit", controller, || async {
        match send(hub_call(Request::post(&url), &job.token, controller).header("Content-Type", "application/x-ndjson").body(body.clone()), controller).await {
            Attempt::Fail(a) if a.status == 409 => Attempt::Retry(describe(&a)),
            Attempt::Fail(a) if a.status == 412 => Attempt::Fail(Answer {
                body: r#"{"error":"The repo changed since this upload started (someone committed meanwhile). Start again to commit on the new head."}"#.into(),
                ..a
            }),
            other => other,
        }
    })
    .await?;
    let (commit, url) =
        wire::parse_commit(&answer.body).map_err(|e| UploadError::new("commit", e))?;
    Ok(Done {
        commit,
        url,
        skipped: skipped.get(),
    })
}

async fn create_repo(job: &Job, controller: &AbortController) -> Result<(), UploadError> {
    let body = serde_json::json!({
        "name": job.repo.name(),
        "organization": job.repo.namespace(),
        "type": "model",
        "private": job.private,
    })
    .to_string();
    let url = wire::create_url(&job.hub);
    match with_retries("create repo", controller, || {
        send(
            hub_call(Request::post(&url), &job.token, controller)
                .header("Content-Type", "application/json")
                .body(body.clone()),
            controller,
        )
    })
    .await
    {
        Ok(_) => Ok(()),
        // 409: it exists already, which is fine.
        Err(e) if e.message.starts_with("HTTP 409") => Ok(()),
        Err(e) => Err(e),
    }
}

async fn batch(
    job: &Job,
    controller: &AbortController,
    objects: Vec<(String, u64)>,
) -> Result<Vec<wire::BatchObject>, UploadError> {
    let url = wire::batch_url(&job.hub, &job.repo);
    let body = wire::batch_body(&objects, "main");
    let answer = with_retries("LFS batch", controller, || {
        send(
            hub_call(Request::post(&url), &job.token, controller)
                .header("Accept", "application/vnd.git-lfs+json")
                .header("Content-Type", "application/vnd.git-lfs+json")
                .body(body.clone()),
            controller,
        )
    })
    .await?;
    let parsed = wire::parse_batch(&answer.body).map_err(|e| UploadError::new("LFS batch", e))?;
    if parsed.len() != objects.len() {
        return Err(UploadError::new(
            "LFS batch",
            "the Hub answered for a different number of objects",
        ));
    }
    Ok(parsed)
}

/// Mark file `index` Failed with `e`; a cancel is not a failure of any file.
fn mark_failed(index: usize, on: &dyn Fn(Event), e: &UploadError) {
    if !e.is_cancel() {
        on(Event::File(index, FileState::Failed(e.message.clone())));
    }
}

/// Run one file's step; when it fails, mark that file Failed.
async fn marked<T>(
    index: usize,
    on: &dyn Fn(Event),
    step: impl std::future::Future<Output = Result<T, UploadError>>,
) -> Result<T, UploadError> {
    step.await.inspect_err(|e| mark_failed(index, on, e))
}

/// Hashing workers to run at once: one per core the browser reports, at most four (each
/// worker keeps one core busy; more only makes them share).
fn hashing_workers() -> usize {
    web_sys::window()
        .map(|w| w.navigator().hardware_concurrency())
        .filter(|n| n.is_finite() && *n >= 1.0)
        .map_or(2, |n| (n as usize).min(4))
}

/// A count of free places shared by futures on this one thread: caps the storage PUTs in
/// flight across every file of an upload.
struct Slots {
    free: Cell<usize>,
    waiting: std::cell::RefCell<Vec<std::task::Waker>>,
}

/// One taken place; dropping it frees the place.
struct Slot<'a>(&'a Slots);

impl Slots {
    fn new(places: usize) -> Self {
        Slots {
            free: Cell::new(places),
            waiting: Default::default(),
        }
    }

    /// Wait for a free place and take it.
    async fn take(&self) -> Slot<'_> {
        futures::future::poll_fn(|cx| {
            if self.free.get() > 0 {
                self.free.set(self.free.get() - 1);
                std::task::Poll::Ready(())
            } else {
                self.waiting.borrow_mut().push(cx.waker().clone());
                std::task::Poll::Pending
            }
        })
        .await;
        Slot(self)
    }
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        self.0.free.set(self.0.free.get() + 1);
        // Wake every waiter, not one: a waiter may have been dropped (its upload cancelled or
        // failed) and would swallow a single wake-up.
        for waker in self.0.waiting.borrow_mut().drain(..) {
            waker.wake();
        }
    }
}

/// What sending one file's object needs.
struct Put<'a> {
    job: &'a Job,
    controller: &'a AbortController,
    slots: &'a Slots,
    /// The file's index in `job.files`.
    index: usize,
    /// Hears the bytes of each finished PUT.
    sent: &'a dyn Fn(u64),
    on: &'a dyn Fn(Event),
}

impl Put<'_> {
    fn file(&self) -> &PickedFile {
        &self.job.files[self.index]
    }

    /// PUT `blob` to a signed storage URL in one of the shared places, with retries.
    async fn put(&self, url: &str, blob: &Blob, what: &str) -> Result<Answer, UploadError> {
        let _slot = self.slots.take().await;
        with_retries("upload", self.controller, || {
            put_blob(url, blob, self.controller)
        })
        .await
        .map_err(|e| UploadError::new("upload", format!("{what}: {}", e.message)))
    }
}

/// PUT one object (single or multipart), asking for a fresh batch once when a URL expired.
async fn send_object(put: &Put<'_>, oid: &str, mut action: Action) -> Result<(), UploadError> {
    let file = put.file();
    for renewal in 0..2 {
        let outcome = match &action {
            Action::Stored => return Ok(()),
            Action::Single { href } => put_single(put, href).await,
            Action::Multipart {
                completion,
                chunk_size,
                parts,
            } => put_parts(put, oid, completion, *chunk_size, parts).await,
        };
        match outcome {
            Err(e) if renewal == 0 && e.message.contains("HTTP 403") => {
                // A signed URL expired: ask the Hub for new ones.
                let fresh = batch(
                    put.job,
                    put.controller,
                    vec![(oid.to_string(), file.size())],
                )
                .await?;
                action = fresh
                    .into_iter()
                    .next()
                    .map(|o| o.action)
                    .unwrap_or_else(|| Err("no answer".into()))
                    .map_err(|reason| UploadError::new("LFS batch", reason))?;
            }
            other => return other,
        }
    }
    Err(UploadError::new(
        "upload",
        format!("{}: storage kept refusing the upload", file.path),
    ))
}

async fn put_single(put: &Put<'_>, href: &str) -> Result<(), UploadError> {
    let file = put.file();
    (put.on)(Event::File(put.index, FileState::Uploading(0.0)));
    let blob = slice(&file.file, 0.0, file.file.size())?;
    put.put(href, &blob, &file.path).await?;
    (put.sent)(file.size());
    (put.on)(Event::File(put.index, FileState::Uploading(1.0)));
    Ok(())
}

async fn put_parts(
    put: &Put<'_>,
    oid: &str,
    completion: &str,
    chunk_size: u64,
    parts: &[String],
) -> Result<(), UploadError> {
    let file = put.file();
    let size = file.size();
    let done = Cell::new(0usize);
    (put.on)(Event::File(put.index, FileState::Uploading(0.0)));
    let mut etags: Vec<(usize, String)> = stream::iter(parts.iter().enumerate())
        .map(|(k, url)| {
            let done = &done;
            async move {
                let (start, end) = wire::part_range(k as u64 + 1, chunk_size, size);
                let blob = slice(&file.file, start as f64, end as f64)?;
                let answer = put
                    .put(url, &blob, &format!("{} part {}", file.path, k + 1))
                    .await?;
                let etag = answer.etag.ok_or_else(|| {
                    UploadError::new(
                        "upload",
                        "Storage did not expose the part's ETag (its CORS settings must expose ETag).",
                    )
                })?;
                (put.sent)(end - start);
                done.set(done.get() + 1);
                (put.on)(Event::File(
                    put.index,
                    FileState::Uploading(done.get() as f64 / parts.len() as f64),
                ));
                Ok::<_, UploadError>((k, etag))
            }
        })
        .buffer_unordered(PARALLEL_PUTS)
        .try_collect()
        .await?;
    etags.sort_by_key(|(k, _)| *k);
    let etags: Vec<String> = etags.into_iter().map(|(_, e)| e).collect();
    let body = wire::completion_body(oid, &etags);
    // A Hub route: through the Hub proxy when one is in use (the real Hub's completion route may
    // refuse other origins). Signed like the storage URLs: no Authorization.
    let completion = wire::through_hub(completion, &put.job.hub, &wire::known_hub_origins());
    with_retries("completing the upload", put.controller, || {
        send(
            Request::post(&completion)
                .abort_signal(Some(&put.controller.signal()))
                .header("Accept", "application/vnd.git-lfs+json")
                .header("Content-Type", "application/vnd.git-lfs+json")
                .body(body.clone()),
            put.controller,
        )
    })
    .await?;
    Ok(())
}

/// Ask the Hub who a token belongs to.
pub async fn whoami(hub: &ApiBase, token: &str) -> Result<wire::WhoAmI, UploadError> {
    let controller =
        AbortController::new().map_err(|_| UploadError::new("whoami", "cannot make requests"))?;
    let url = wire::whoami_url(hub);
    let answer = match send(
        hub_call(Request::get(&url), token, &controller).build(),
        &controller,
    )
    .await
    {
        Attempt::Ok(a) => a,
        Attempt::Fail(a) if a.status == 401 => {
            return Err(UploadError::new(
                "token",
                "The Hub refused this token (401): it is wrong, revoked or expired.",
            ))
        }
        Attempt::Fail(a) => return Err(UploadError::new("token", describe(&a))),
        Attempt::Retry(why) => {
            return Err(UploadError::new(
                "token",
                format!("{why}. Check the Hub address in Settings."),
            ))
        }
    };
    wire::parse_whoami(&answer.body).map_err(|e| UploadError::new("token", e))
}
