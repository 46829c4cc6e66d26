//! The steps of one upload: create the repo, preupload, hash and send the LFS objects, then
//! commit — with the commit made safe to repeat (`parentCommit` always) and, after an answer
//! that was lost, checked against the Hub's own history and tree.

use std::cell::{Cell, RefCell};

use async_lock::Semaphore;
use base64::Engine;
use futures::stream::{self, StreamExt, TryStreamExt};
use wasm_bindgen::JsValue;
use web_sys::{AbortController, AbortSignal, Blob};

use crate::hub::commit::{self, Expected, Fate, MAX_INLINE_BYTES};
use crate::hub::hash_cache::{FileKey, HashCache};
use crate::hub::hash_plan;
use crate::hub::retry::{Failure, Outage, Policy};
use crate::hub::wire::{self, Action};
use crate::storage;

use super::hashing::{hash_group, hash_on_page, hashing_workers, read_range, slice};
use super::http::{
    aborted, back_off, exchange, put_secs, with_retries, Answer, Outgoing, Waits, COMMIT_SECS,
};
use super::{Done, Event, FileState, Job, Left, Phase, Step, UploadError};

/// Storage PUTs in flight at once, across all files: the six HTTP/1.1 connections a browser
/// opens to one host (storage is a host of its own, apart from the Hub API).
const PARALLEL_PUTS: usize = 6;
/// Files at least this big are hashed from the start, before the preupload says which files
/// are LFS (the Hub stores anything over 10 MiB as LFS; smaller LFS files are hashed after).
const EARLY_HASH_MIN: u64 = 1024 * 1024;
/// Files per preupload call (the JS client's batch size).
const BATCH: usize = 100;
/// Attempts at reading the Hub's state after a lost commit answer.
const VERIFY: Policy = Policy {
    attempts: 3,
    conflict_is_busy: false,
};

/// Asks to retry one failed file (by index in the job), sent by the page's Retry button.
pub type Retries = futures::channel::mpsc::UnboundedReceiver<usize>;

const NDJSON: &str = "application/x-ndjson";
const LFS_JSON: &str = "application/vnd.git-lfs+json";

/// What every step shares.
struct Ctx<'a> {
    job: &'a Job,
    cancel: AbortSignal,
    on: &'a dyn Fn(Event),
    /// The network's outage, one for every request of the upload.
    outage: RefCell<Outage>,
    /// Hashes remembered from earlier runs, and those of this one as they are known.
    hashes: RefCell<HashCache>,
}

impl Ctx<'_> {
    fn token(&self) -> &str {
        self.job.token.expose()
    }

    /// What file `i` is known by in the hash cache.
    fn key(&self, i: usize) -> FileKey<'_> {
        let file = &self.job.files[i];
        FileKey {
            path: &file.path,
            size: file.size(),
            modified: file.file.last_modified(),
        }
    }

    /// File `i`'s hash, if an earlier run knew it (then the file is marked so).
    fn known_hash(&self, i: usize) -> Option<String> {
        let oid = self.hashes.borrow().get(&self.key(i)).map(str::to_string)?;
        (self.on)(Event::File(i, FileState::HashKnown));
        Some(oid)
    }

    /// Remember file `i`'s hash for later runs.
    fn remember_hash(&self, i: usize, oid: &str) {
        let mut hashes = self.hashes.borrow_mut();
        if hashes.get(&self.key(i)) != Some(oid) {
            hashes.put(&self.key(i), oid);
            storage::save_hashes(&hashes);
        }
    }

    /// How this upload's requests wait.
    fn waits(&self) -> Waits<'_> {
        Waits {
            outage: &self.outage,
            on: self.on,
        }
    }

    /// A Hub API call with retries by `policy`; `make` builds each attempt.
    async fn call<'u>(
        &self,
        step: Step,
        policy: Policy,
        make: impl Fn() -> Outgoing<'u>,
    ) -> Result<Answer, UploadError> {
        with_retries(policy, &self.cancel, &self.waits(), make)
            .await
            .map_err(|failure| UploadError::request(step, None, failure))
    }
}

/// Upload `job`'s files and commit them. `on` hears every event; `retries` brings the files to
/// try again after a failure (the commit waits for them); `controller` cancels (within
/// one event-loop turn in every phase, back-off waits included).
pub async fn run(
    job: &Job,
    controller: &AbortController,
    on: &dyn Fn(Event),
    mut retries: Retries,
) -> Result<Done, UploadError> {
    let (hashes, set_aside) = storage::load_hashes();
    let ctx = Ctx {
        job,
        cancel: controller.signal(),
        on,
        outage: RefCell::new(Outage::new(job.network_patience_ms)),
        hashes: RefCell::new(hashes),
    };
    if let Some(notice) = set_aside {
        on(Event::Notice(notice));
    }
    // Hashing starts at once, beside creating the repo and the preupload, for every file big
    // enough to be an LFS file in practice; the preupload's answer then says which hashes are
    // needed. (A file of 1–10 MiB the Hub keeps as a regular file is hashed for nothing: a few
    // milliseconds.) Results flow to the sending stage through a channel, in the order they end.
    // Files whose hash an earlier run knew are not hashed again: no worker starts for them.
    let (hashed, results) = futures::channel::mpsc::unbounded();
    let mut early = Vec::new();
    for i in (0..job.files.len()).filter(|&i| job.files[i].size() >= EARLY_HASH_MIN) {
        match ctx.known_hash(i) {
            Some(oid) => {
                let _ = hashed.unbounded_send((i, Ok(oid)));
            }
            None => early.push(i),
        }
    }
    let cancel = ctx.cancel.clone();
    let hashing = async move {
        let send = |i: usize, outcome: Result<String, UploadError>| {
            // The receiver is gone only when the upload already ended.
            let _ = hashed.unbounded_send((i, outcome));
        };
        // Each worker hashes one file alone first, so that sending starts early (`hub::hash_plan`).
        let plans = hash_plan::plan(&early, hashing_workers());
        let (cancel, send) = (&cancel, &send);
        futures::future::join_all(plans.iter().map(|batches| async move {
            for batch in batches {
                hash_group(job, batch, on, cancel, send).await;
            }
        }))
        .await;
        // Closing the channel tells the sending stage that no more hashes will come.
        drop(hashed);
    };
    let upload = send_and_commit(&ctx, results, &mut retries);
    futures::pin_mut!(hashing, upload);
    // Whichever ends first: the upload (done, failed or cancelled: dropping the hashing stops
    // its workers), or the hashing (then the upload goes on to the end).
    match futures::future::select(upload, hashing).await {
        futures::future::Either::Left((outcome, _)) => outcome,
        futures::future::Either::Right(((), upload)) => upload.await,
    }
}

/// How the preupload said to send one file.
struct Plan {
    /// Indexes of LFS files.
    lfs: Vec<usize>,
    /// Indexes of regular files, in order.
    regular: Vec<usize>,
    /// The branch head the upload starts from.
    head: String,
}

/// Everything but the early hashing: create, preupload, hash what is left, batch, send, commit.
/// `results` brings the early hashes as they end.
async fn send_and_commit(
    ctx: &Ctx<'_>,
    results: futures::channel::mpsc::UnboundedReceiver<(usize, Result<String, UploadError>)>,
    retries: &mut Retries,
) -> Result<Done, UploadError> {
    let job = ctx.job;
    (ctx.on)(Event::Phase(Phase::Preparing));
    if job.create {
        create_repo(ctx).await?;
    }
    (ctx.on)(Event::Phase(Phase::Preuploading));
    let plan = preupload(ctx).await?;

    (ctx.on)(Event::Phase(Phase::Uploading));
    let (oids, skipped) = send_objects(ctx, &plan.lfs, results, retries).await?;

    if ctx.cancel.aborted() {
        return Err(UploadError::Cancelled(Left::NothingCommitted));
    }
    // Regular files go inline, spread over commits of bounded size chained by parentCommit;
    // the first also carries every LFS file.
    let sizes: Vec<u64> = plan.regular.iter().map(|&i| job.files[i].size()).collect();
    let groups = commit::split_regular(&sizes, MAX_INLINE_BYTES);
    let mut parent = plan.head;
    let mut last = None;
    let mut confirmed_after = None;
    for (k, group) in groups.iter().enumerate() {
        let phase = Phase::Committing {
            k: k + 1,
            of: groups.len(),
        };
        (ctx.on)(Event::Phase(phase.clone()));
        let lfs: &[(usize, String)] = if k == 0 { &oids } else { &[] };
        let regular = &plan.regular[group.clone()];
        let made = async {
            let (body, expected) = commit_body(ctx, &parent, lfs, regular).await?;
            commit_once(ctx, &phase, &parent, &body, &expected).await
        }
        .await
        .map_err(|cause| match k {
            0 => cause,
            // Earlier commits of the chain are on the Hub: say so.
            done => UploadError::PartlyCommitted {
                done,
                of: groups.len(),
                last: parent.clone(),
                cause: Box::new(cause),
            },
        })?;
        for &i in regular.iter().chain(lfs.iter().map(|(i, _)| i)) {
            (ctx.on)(Event::File(i, FileState::Committed));
        }
        parent = made.commit.clone();
        confirmed_after = made.confirmed_after.clone().or(confirmed_after);
        last = Some(made);
    }
    let last = last.ok_or(UploadError::Overtaken)?;
    Ok(Done {
        commit: last.commit,
        url: last.url,
        commits: groups.len(),
        skipped,
        confirmed_after,
    })
}

async fn create_repo(ctx: &Ctx<'_>) -> Result<(), UploadError> {
    let job = ctx.job;
    let body = serde_json::json!({
        "name": job.repo.name(),
        "organization": job.repo.namespace(),
        "type": "model",
        "private": job.private,
    })
    .to_string();
    let url = wire::create_url(&job.hub);
    match ctx
        .call(Step::CreateRepo, Policy::DEFAULT, || {
            Outgoing::hub("POST", &url, ctx.token())
                .body("application/json", JsValue::from_str(&body))
        })
        .await
    {
        // 409: it exists already, which is fine.
        Err(UploadError::Request {
            failure: Failure::Status { code: 409, .. },
            ..
        }) => Ok(()),
        other => other.map(|_| ()),
    }
}

/// Ask how to send each file, and from which head.
async fn preupload(ctx: &Ctx<'_>) -> Result<Plan, UploadError> {
    let job = ctx.job;
    let mut samples = Vec::with_capacity(job.files.len());
    for f in &job.files {
        let head = read_range(&f.file, &f.path, 0.0, 512.0_f64.min(f.file.size())).await?;
        samples.push((
            f.path.clone(),
            f.size(),
            base64::engine::general_purpose::STANDARD.encode(head),
        ));
    }
    let mut modes = Vec::new();
    let mut head = None;
    let url = wire::preupload_url(&job.hub, &job.repo, "main");
    for chunk in samples.chunks(BATCH) {
        let body = wire::preupload_body(chunk);
        let answer = ctx
            .call(Step::Preupload, Policy::DEFAULT, || {
                Outgoing::hub("POST", &url, ctx.token())
                    .body("application/json", JsValue::from_str(&body))
            })
            .await?;
        let (files, commit) = wire::parse_preupload(&answer.body)
            .map_err(|why| UploadError::request(Step::Preupload, None, Failure::BadAnswer(why)))?;
        modes.extend(files);
        head = head.or(commit);
    }
    // Without the head in the preupload's answer, read it: the commit must always name its
    // parent, or a repeated commit could land twice.
    let head = match head {
        Some(head) => head,
        None => {
            let url = wire::revision_url(&job.hub, &job.repo, "main");
            let answer = ctx
                .call(Step::Head, Policy::DEFAULT, || {
                    Outgoing::hub("GET", &url, ctx.token())
                })
                .await?;
            commit::parse_revision(&answer.body)
                .map_err(|why| UploadError::request(Step::Head, None, Failure::BadAnswer(why)))?
        }
    };
    let mode = |path: &str| modes.iter().find(|m| m.path == path);
    let mut plan = Plan {
        lfs: Vec::new(),
        regular: Vec::new(),
        head,
    };
    for (i, f) in job.files.iter().enumerate() {
        match mode(&f.path) {
            Some(m) if m.ignore => {}
            // An empty file goes as a regular file whatever the preupload says: storage
            // refuses empty objects (as the official client does).
            Some(m) if m.lfs && f.size() > 0 => plan.lfs.push(i),
            _ => plan.regular.push(i),
        }
    }
    Ok(plan)
}

/// Hash (what was not hashed early), batch and send every LFS file; their oids, and how many
/// the Hub already had.
async fn send_objects(
    ctx: &Ctx<'_>,
    large: &[usize],
    results: futures::channel::mpsc::UnboundedReceiver<(usize, Result<String, UploadError>)>,
    retries: &mut Retries,
) -> Result<(Vec<(usize, String)>, usize), UploadError> {
    let job = ctx.job;
    let on = ctx.on;
    // Two stages: large files are hashed in workers, several at once (one per core), and each
    // file is batched and sent as soon as its hash is known, while the next ones are still being
    // hashed. The sending stage takes every hashed file at once, so it never holds hashing back;
    // `slots` caps the storage PUTs in flight across all files instead. (One batch call per
    // file: a few more requests, in exchange for never waiting on the slowest hash.)
    // LFS files too small to have been hashed early (a small adapter, say): hashed now.
    let late = stream::iter(
        large
            .iter()
            .copied()
            .filter(|&i| job.files[i].size() < EARLY_HASH_MIN),
    )
    .then(|i| async move {
        match ctx.known_hash(i) {
            Some(oid) => (i, Ok(oid)),
            None => (i, hash_on_page(job, i, on, &ctx.cancel).await),
        }
    });
    let hashes = stream::select(results, late).filter_map(|(i, outcome)| {
        let wanted = large.contains(&i);
        if let Ok(oid) = &outcome {
            ctx.remember_hash(i, oid);
        }
        async move { wanted.then_some((i, outcome)) }
    });
    let sent = Cell::new(0u64);
    let skipped = Cell::new(0usize);
    let slots = Semaphore::new(PARALLEL_PUTS);
    let put = Put {
        ctx,
        slots: &slots,
        sent: &|bytes| {
            sent.set(sent.get() + bytes);
            on(Event::Sent(sent.get()));
        },
    };
    // One file's way to storage once its hash is known: the batch, then its bytes (none when
    // the Hub has them already).
    let store = |i: usize, oid: String| {
        let (put, skipped) = (&put, &skipped);
        async move {
            let file = &job.files[i];
            match batch(ctx, &oid, file.size(), &file.path).await? {
                Action::Stored => {
                    skipped.set(skipped.get() + 1);
                    on(Event::File(i, FileState::Stored));
                }
                action => {
                    send_object(put, i, &oid, action).await?;
                    on(Event::File(i, FileState::Done));
                }
            }
            Ok::<_, UploadError>(oid)
        }
    };
    // A file that fails does not stop the others: each goes as far as it can.
    let outcomes: Vec<(usize, Option<String>, Result<String, UploadError>)> = hashes
        .map(|(i, hashed)| async move {
            match hashed {
                Ok(oid) => (i, Some(oid.clone()), store(i, oid).await),
                Err(e) => (i, None, Err(e)),
            }
        })
        .buffer_unordered(large.len().max(1))
        .collect()
        .await;
    let mut oids = Vec::new();
    let mut failed: Vec<(usize, Option<String>)> = Vec::new();
    for (i, known, outcome) in outcomes {
        settle(i, known, outcome, on, &mut oids, &mut failed)?;
    }
    // Nothing is committed until every file is stored: the failed ones wait to be retried one
    // by one (the others keep their state), or for the upload to be cancelled.
    while !failed.is_empty() {
        on(Event::Stalled(failed.iter().map(|(i, _)| *i).collect()));
        let asked = match futures::future::select(retries.next(), aborted(&ctx.cancel)).await {
            futures::future::Either::Left((asked, _)) => asked,
            futures::future::Either::Right(_) => None,
        };
        let Some(i) = asked else {
            return Err(UploadError::Cancelled(Left::NothingCommitted));
        };
        let Some(at) = failed.iter().position(|(j, _)| *j == i) else {
            continue;
        };
        let (i, known) = failed.remove(at);
        on(Event::File(i, FileState::Waiting));
        let hashed = match known.clone() {
            Some(oid) => Ok(oid),
            None => hash_on_page(job, i, on, &ctx.cancel).await,
        };
        let outcome = match hashed {
            Ok(oid) => {
                ctx.remember_hash(i, &oid);
                store(i, oid).await
            }
            Err(e) => Err(e),
        };
        settle(i, known, outcome, on, &mut oids, &mut failed)?;
    }
    Ok((oids, skipped.get()))
}

/// Where file `i` goes after an attempt: stored → `oids`; failed → `failed` (with its hash, if
/// known, for the retry); a cancel ends the upload.
fn settle(
    i: usize,
    known: Option<String>,
    outcome: Result<String, UploadError>,
    on: &dyn Fn(Event),
    oids: &mut Vec<(usize, String)>,
    failed: &mut Vec<(usize, Option<String>)>,
) -> Result<(), UploadError> {
    match outcome {
        Ok(oid) => oids.push((i, oid)),
        Err(e) if e.is_cancel() => return Err(e),
        Err(e) => {
            mark_failed(i, on, &e);
            failed.push((i, known));
        }
    }
    Ok(())
}

/// Ask how to send one object (or that the Hub has it).
async fn batch(ctx: &Ctx<'_>, oid: &str, size: u64, path: &str) -> Result<Action, UploadError> {
    let job = ctx.job;
    let url = wire::batch_url(&job.hub, &job.repo);
    let body = wire::batch_body(&[(oid.to_string(), size)], "main");
    let answer = ctx
        .call(Step::Batch, Policy::DEFAULT, || {
            Outgoing::hub("POST", &url, ctx.token())
                .header("Accept", LFS_JSON)
                .body(LFS_JSON, JsValue::from_str(&body))
        })
        .await?;
    let bad = |why: String| UploadError::request(Step::Batch, None, Failure::BadAnswer(why));
    let object = wire::parse_batch(&answer.body)
        .map_err(bad)?
        .into_iter()
        .next()
        .ok_or_else(|| bad("no answer for the object".into()))?;
    object.action.map_err(|reason| UploadError::ObjectRefused {
        path: path.to_string(),
        reason,
    })
}

/// Mark file `index` Failed with `e`; a cancel is not a failure of any file.
fn mark_failed(index: usize, on: &dyn Fn(Event), e: &UploadError) {
    if !e.is_cancel() {
        on(Event::File(index, FileState::Failed(e.to_string())));
    }
}

/// What sending objects shares.
struct Put<'a> {
    ctx: &'a Ctx<'a>,
    slots: &'a Semaphore,
    /// Hears the bytes of each finished PUT.
    sent: &'a dyn Fn(u64),
}

impl Put<'_> {
    /// PUT `blob` to a signed storage URL in one of the shared places, with retries. No
    /// Authorization: the token must not reach storage.
    async fn put(&self, url: &str, blob: &Blob, what: &str) -> Result<Answer, UploadError> {
        let _slot = self.slots.acquire().await;
        let limit = put_secs(blob.size() as u64);
        with_retries(Policy::DEFAULT, &self.ctx.cancel, &self.ctx.waits(), || {
            Outgoing::new("PUT", url).limit(limit).raw_body(blob.into())
        })
        .await
        .map_err(|failure| UploadError::request(Step::Upload, Some(what.to_string()), failure))
    }
}

/// PUT one object (single or multipart), asking for a fresh batch once when a URL expired.
async fn send_object(
    put: &Put<'_>,
    i: usize,
    oid: &str,
    mut action: Action,
) -> Result<(), UploadError> {
    let file = &put.ctx.job.files[i];
    for renewal in 0..2 {
        let outcome = match &action {
            Action::Stored => return Ok(()),
            Action::Single { href } => put_single(put, i, href).await,
            Action::Multipart {
                completion,
                chunk_size,
                parts,
            } => put_parts(put, i, oid, completion, *chunk_size, parts).await,
        };
        match outcome {
            // A signed URL expired (storage answers 403): ask the Hub for new ones.
            Err(UploadError::Request {
                step: Step::Upload,
                failure: Failure::Status { code: 403, .. },
                ..
            }) if renewal == 0 => {
                action = batch(put.ctx, oid, file.size(), &file.path).await?;
            }
            other => return other,
        }
    }
    Err(UploadError::request(
        Step::Upload,
        Some(file.path.clone()),
        Failure::status(403, Some("storage kept refusing the upload".into())),
    ))
}

async fn put_single(put: &Put<'_>, i: usize, href: &str) -> Result<(), UploadError> {
    let file = &put.ctx.job.files[i];
    (put.ctx.on)(Event::File(i, FileState::Uploading(0.0)));
    let blob = slice(&file.file, &file.path, 0.0, file.file.size())?;
    put.put(href, &blob, &file.path).await?;
    (put.sent)(file.size());
    (put.ctx.on)(Event::File(i, FileState::Uploading(1.0)));
    Ok(())
}

async fn put_parts(
    put: &Put<'_>,
    i: usize,
    oid: &str,
    completion: &str,
    chunk_size: u64,
    parts: &[String],
) -> Result<(), UploadError> {
    let ctx = put.ctx;
    let file = &ctx.job.files[i];
    let size = file.size();
    let done = Cell::new(0usize);
    (ctx.on)(Event::File(i, FileState::Uploading(0.0)));
    let mut etags: Vec<(usize, String)> = stream::iter(parts.iter().enumerate())
        .map(|(k, url)| {
            let done = &done;
            async move {
                let (start, end) = wire::part_range(k as u64 + 1, chunk_size, size);
                let blob = slice(&file.file, &file.path, start as f64, end as f64)?;
                let answer = put
                    .put(url, &blob, &format!("{} part {}", file.path, k + 1))
                    .await?;
                let etag = answer.etag.ok_or(UploadError::NoEtag)?;
                (put.sent)(end - start);
                done.set(done.get() + 1);
                (ctx.on)(Event::File(
                    i,
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
    let completion = wire::through_hub(completion, &ctx.job.hub, &wire::known_hub_origins());
    with_retries(Policy::DEFAULT, &ctx.cancel, &ctx.waits(), || {
        Outgoing::new("POST", &completion)
            .header("Accept", LFS_JSON)
            .body(LFS_JSON, JsValue::from_str(&body))
    })
    .await
    .map_err(|failure| UploadError::request(Step::Completing, Some(file.path.clone()), failure))?;
    Ok(())
}

/// One commit's NDJSON body, built once as a `Blob` of pieces (each regular file read once and
/// its base64 handed to the browser, so the page's memory holds one file at a time), and what
/// its tree must hold once it lands.
async fn commit_body(
    ctx: &Ctx<'_>,
    parent: &str,
    lfs: &[(usize, String)],
    regular: &[usize],
) -> Result<(Blob, Vec<(String, Expected)>), UploadError> {
    let job = ctx.job;
    let pieces = js_sys::Array::new();
    let mut expected = Vec::with_capacity(lfs.len() + regular.len());
    pieces.push(&JsValue::from_str(&wire::commit_header_line(
        &job.message,
        "Uploaded with flockboard",
        parent,
    )));
    for (i, oid) in lfs {
        let f = &job.files[*i];
        pieces.push(&JsValue::from_str(&wire::lfs_line(&f.path, oid, f.size())));
        expected.push((
            f.path.clone(),
            Expected::Lfs {
                sha256: oid.clone(),
            },
        ));
    }
    for &i in regular {
        if ctx.cancel.aborted() {
            return Err(UploadError::Cancelled(Left::NothingCommitted));
        }
        let f = &job.files[i];
        let bytes = read_range(&f.file, &f.path, 0.0, f.file.size()).await?;
        expected.push((
            f.path.clone(),
            Expected::Regular {
                blob: commit::git_blob_oid(&bytes),
            },
        ));
        let (prefix, suffix) = wire::file_line_around(&f.path);
        pieces.push(&JsValue::from_str(&prefix));
        pieces.push(&JsValue::from_str(
            &base64::engine::general_purpose::STANDARD.encode(&bytes),
        ));
        pieces.push(&JsValue::from_str(&suffix));
        (ctx.on)(Event::File(i, FileState::Done));
    }
    let body = Blob::new_with_str_sequence(&pieces)
        .map_err(|_| UploadError::request(Step::Commit, None, Failure::Unsendable))?;
    Ok((body, expected))
}

/// A commit that landed.
struct Made {
    commit: String,
    url: Option<String>,
    /// Set when its answer was lost and the Hub's state showed it landed.
    confirmed_after: Option<String>,
}

/// Make one commit on `parent`. The body names `parent`, so the Hub refuses (412) any attempt
/// once the branch moved: repeating it can never commit twice. After an answer that may have
/// been lost (no answer, 5xx, time-out, a broken answer, a cancel after it left, or a 412 on
/// a repeat), the Hub's history and tree say whether it landed.
async fn commit_once(
    ctx: &Ctx<'_>,
    phase: &Phase,
    parent: &str,
    body: &Blob,
    expected: &[(String, Expected)],
) -> Result<Made, UploadError> {
    let job = ctx.job;
    let url = wire::commit_url(&job.hub, &job.repo, "main");
    let mut made = 0;
    // Whether an earlier attempt may have reached the Hub.
    let mut may_have_landed = false;
    loop {
        if ctx.cancel.aborted() {
            return if may_have_landed {
                cancelled_after(ctx, parent, expected).await
            } else {
                Err(UploadError::Cancelled(Left::NothingCommitted))
            };
        }
        made += 1;
        let attempt = Outgoing::hub("POST", &url, ctx.token())
            .body(NDJSON, body.into())
            .limit(COMMIT_SECS);
        let failure = match exchange(&attempt, &ctx.cancel).await {
            Ok(answer) => {
                return match wire::parse_commit(&answer.body) {
                    Ok((commit, url)) => Ok(Made {
                        commit,
                        url,
                        confirmed_after: None,
                    }),
                    // A 2xx whose body does not read: it landed, but which commit is ours?
                    Err(why) => {
                        let failure = Failure::BadAnswer(why);
                        judge(ctx, parent, expected, &failure, made)
                            .await?
                            .ok_or(UploadError::Unconfirmed { failure })
                    }
                };
            }
            Err(failure) => failure,
        };
        match failure {
            // The request had left when the cancel came: it may have landed.
            Failure::Cancelled => return cancelled_after(ctx, parent, expected).await,
            Failure::Status { code: 412, .. } if !may_have_landed => {
                return Err(UploadError::Overtaken)
            }
            ref f if f.is_ambiguous() || f.code() == Some(412) => {
                may_have_landed = true;
                if let Some(landed) = judge(ctx, parent, expected, f, made).await? {
                    return Ok(landed);
                }
                // A cancel during the wait is judged at the top of the loop, like any cancel
                // once a commit may have left.
                let _ = back_off(f, made, &ctx.cancel, ctx.on).await;
                (ctx.on)(Event::Phase(phase.clone()));
            }
            ref f if Policy::COMMIT.retry(f, made) => {
                let _ = back_off(f, made, &ctx.cancel, ctx.on).await;
            }
            f => return Err(UploadError::request(Step::Commit, None, f)),
        }
    }
}

/// After an answer that may have been lost: `Some` when the commit landed, `None` when it did
/// not and another attempt may be made, an error when it cannot land (overtaken) or attempts
/// ran out without knowing.
async fn judge(
    ctx: &Ctx<'_>,
    parent: &str,
    expected: &[(String, Expected)],
    failure: &Failure,
    made: u32,
) -> Result<Option<Made>, UploadError> {
    (ctx.on)(Event::Phase(Phase::Verifying));
    match verify(ctx, parent, expected).await {
        Ok(Fate::Landed(commit)) => Ok(Some(Made {
            url: None,
            commit,
            confirmed_after: Some(format!(
                "The Hub's answer to the commit was lost ({failure}); its history shows the commit landed."
            )),
        })),
        Ok(Fate::Overtaken) => Err(UploadError::Overtaken),
        Ok(Fate::NotYet) if Policy::COMMIT.retry(failure, made) => Ok(None),
        Ok(Fate::NotYet) => Err(UploadError::request(Step::Commit, None, failure.clone())),
        // The Hub could not be read: with attempts left, try again (parentCommit makes it
        // safe: a landed commit makes the repeat fail with 412, then we look again).
        Err(_) if Policy::COMMIT.retry(failure, made) => Ok(None),
        Err(_) => Err(UploadError::Unconfirmed {
            failure: failure.clone(),
        }),
    }
}

/// What a cancel that came after the commit left means, from the Hub's state.
async fn cancelled_after(
    ctx: &Ctx<'_>,
    parent: &str,
    expected: &[(String, Expected)],
) -> Result<Made, UploadError> {
    (ctx.on)(Event::Phase(Phase::Verifying));
    match verify(ctx, parent, expected).await {
        // Too late to cancel: the commit is on the Hub, which is the truth to tell.
        Ok(Fate::Landed(commit)) => Ok(Made {
            commit,
            url: None,
            confirmed_after: Some(
                "Cancel came after the commit had reached the Hub: it landed.".into(),
            ),
        }),
        Ok(Fate::NotYet) => Err(UploadError::Cancelled(Left::NotSeen)),
        // Someone else's commit is on our parent: ours cannot land any more.
        Ok(Fate::Overtaken) => Err(UploadError::Cancelled(Left::NothingCommitted)),
        Err(_) => Err(UploadError::Cancelled(Left::Unknown)),
    }
}

/// Read the Hub's history and, if a commit was made on `parent`, its tree; judge by
/// `crate::hub::commit::fate`. Runs even after a cancel (it only reads), with its own signal.
async fn verify(
    ctx: &Ctx<'_>,
    parent: &str,
    expected: &[(String, Expected)],
) -> Result<Fate, Failure> {
    let job = ctx.job;
    let own = AbortController::new().map_err(|_| Failure::Unsendable)?;
    let signal = own.signal();
    let read = |url: String| {
        let signal = signal.clone();
        async move {
            with_retries(VERIFY, &signal, &ctx.waits(), || {
                Outgoing::hub("GET", &url, ctx.token())
            })
            .await
        }
    };
    let history = read(wire::history_url(&job.hub, &job.repo, "main")).await?;
    let history = commit::parse_history(&history.body).map_err(Failure::BadAnswer)?;
    let tree = match commit::made_on(parent, &history) {
        Some(candidate) => {
            let tree = read(wire::tree_url(&job.hub, &job.repo, candidate)).await?;
            Some(commit::parse_tree(&tree.body).map_err(Failure::BadAnswer)?)
        }
        None => None,
    };
    Ok(commit::fate(parent, &history, tree.as_deref(), expected))
}
