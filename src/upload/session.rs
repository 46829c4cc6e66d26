//! The upload's state above the page view: provided once by the app, so that an upload goes on
//! while the user looks at other views and shows its progress when they come back; only one
//! runs at a time, and a tab close or reload asks first while it runs.

use std::collections::BTreeMap;

use futures::channel::mpsc::UnboundedSender;

use leptos::prelude::*;
use web_sys::AbortController;

use super::awake::{notify, tab_hidden, Awake, WakeGuard};
use super::{Done, Event, FileState, Job, Phase, PickedFile, UploadError};
use crate::hub::rate::Rate;
use crate::hub::unfinished::Unfinished;
use crate::storage;

/// How often, at most, the page shows upload progress (milliseconds).
const PROGRESS_MS: f64 = 250.0;

/// Progress of a running or finished upload.
#[derive(Clone, Default)]
pub struct Progress {
    /// The phase, once started.
    pub phase: Option<Phase>,
    /// Each file's state, by index in the job.
    pub files: BTreeMap<usize, FileState>,
    /// Bytes that reached storage.
    pub sent: u64,
    /// When the upload started (ms since the epoch).
    pub started_ms: f64,
    /// The latest failed request being tried again, and when the next attempt goes (ms since
    /// the epoch); cleared by progress.
    pub retrying: Option<(String, f64)>,
    /// While no request gets an answer: since when, and when the upload gives up waiting
    /// (ms since the epoch); cleared when bytes reach storage again or the phase changes.
    pub offline: Option<(f64, f64)>,
    /// Whether files had to be hashed on the page (no worker could run).
    pub on_page: bool,
    /// Things said along the way that did not stop the upload.
    pub notices: Vec<String>,
    /// Files that failed and wait to be retried before the commit.
    pub stalled: Vec<usize>,
    /// The rate at which bytes reach storage, smoothed.
    pub rate: Rate,
}

/// The upload form and the running (or last) upload.
#[derive(Clone, Copy)]
pub struct UploadSession {
    /// Picked files.
    pub files: RwSignal<Vec<PickedFile>>,
    /// The repository as typed.
    pub repo: RwSignal<String>,
    /// Commit summary.
    pub message: RwSignal<String>,
    /// Create the repo when missing.
    pub create: RwSignal<bool>,
    /// Create it private.
    pub private: RwSignal<bool>,
    /// The FLock task the upload is for.
    pub task: RwSignal<Option<u64>>,
    /// Progress of the running or last upload.
    pub progress: RwSignal<Progress>,
    /// How the last upload ended.
    pub outcome: RwSignal<Option<Result<Done, UploadError>>>,
    /// Whether an upload runs.
    pub running: RwSignal<bool>,
    /// The screen wake lock of the running (or last) upload.
    pub awake: RwSignal<Option<Awake>>,
    controller: StoredValue<Option<AbortController>, LocalStorage>,
    retry: StoredValue<Option<UnboundedSender<usize>>, LocalStorage>,
}

impl UploadSession {
    fn new() -> Self {
        UploadSession {
            files: RwSignal::new(Vec::new()),
            repo: RwSignal::new(String::new()),
            message: RwSignal::new("Upload model with flockboard".into()),
            create: RwSignal::new(true),
            private: RwSignal::new(false),
            task: RwSignal::new(None),
            progress: RwSignal::new(Progress::default()),
            outcome: RwSignal::new(None),
            running: RwSignal::new(false),
            awake: RwSignal::new(None),
            controller: StoredValue::new_local(None),
            retry: StoredValue::new_local(None),
        }
    }

    /// Start uploading `job`, unless an upload runs already (one at a time: a second of the
    /// same files would race the first to the same commit).
    pub fn start(self, job: Job) {
        if self.running.get_untracked() {
            return;
        }
        let Ok(abort) = AbortController::new() else {
            return;
        };
        self.controller.set_value(Some(abort.clone()));
        let (retry, retries) = futures::channel::mpsc::unbounded();
        self.retry.set_value(Some(retry));
        self.running.set(true);
        self.outcome.set(None);
        let now = js_sys::Date::now();
        let mut rate = Rate::new();
        rate.observe(now, 0);
        self.progress.set(Progress {
            started_ms: now,
            rate,
            ..Default::default()
        });
        let progress = self.progress;
        let (outcome, running) = (self.outcome, self.running);
        // Remembered until it ends in a commit, so that a reload or a crash can resume it.
        let record = std::cell::RefCell::new(Unfinished::new(
            job.hub.as_str(),
            &job.repo.to_string(),
            &job.message,
            self.task.get_untracked(),
            now,
            &PickedFile::listing(&job.files),
        ));
        storage::save_unfinished(&record.borrow());
        let awake = self.awake;
        let wake = WakeGuard::take(move |state| {
            let _ = awake.try_set(Some(state));
        });
        leptos::task::spawn_local(async move {
            // Events come by the hundred per second (every part, every percent hashed); the
            // page shows them at most every PROGRESS_MS, and at once when a phase or a file's
            // fate changes. Re-rendering on each one cost the upload a measurable share of
            // the CPU it competes for (tests/bench/upload.sh).
            let latest = std::cell::RefCell::new(progress.get_untracked());
            let shown_at = std::cell::Cell::new(0.0);
            let show = || {
                shown_at.set(js_sys::Date::now());
                progress.set(latest.borrow().clone());
            };
            let on = |event: Event| {
                let at_once = matches!(
                    event,
                    Event::Phase(_)
                        | Event::Retrying { .. }
                        | Event::Offline { .. }
                        | Event::NoWorker
                        | Event::Notice(_)
                        | Event::Stalled(_)
                        | Event::File(
                            _,
                            FileState::Done
                                | FileState::Stored
                                | FileState::Committed
                                | FileState::Failed(_)
                        )
                );
                {
                    let mut p = latest.borrow_mut();
                    match event {
                        Event::Phase(phase) => {
                            p.phase = Some(phase);
                            p.stalled.clear();
                            p.retrying = None;
                            p.offline = None;
                        }
                        Event::File(i, state) => {
                            if matches!(state, FileState::Done | FileState::Stored)
                                && record.borrow_mut().mark_sent(i)
                            {
                                storage::save_unfinished(&record.borrow());
                            }
                            p.files.insert(i, state);
                        }
                        Event::Sent(bytes) => {
                            p.sent = bytes;
                            p.rate.observe(js_sys::Date::now(), bytes);
                            p.retrying = None;
                            p.offline = None;
                        }
                        Event::NoWorker => p.on_page = true,
                        Event::Notice(notice) => p.notices.push(notice),
                        Event::Stalled(files) => p.stalled = files,
                        Event::Retrying { why, wait_ms } => {
                            p.retrying = Some((why, js_sys::Date::now() + wait_ms as f64));
                        }
                        Event::Offline {
                            since_ms,
                            gives_up_ms,
                        } => {
                            p.offline = Some((since_ms, gives_up_ms));
                            p.retrying = None;
                        }
                    }
                }
                if at_once || js_sys::Date::now() - shown_at.get() >= PROGRESS_MS {
                    show();
                }
            };
            let result = super::run(&job, &abort, &on, retries).await;
            wake.release();
            if result.is_ok() {
                storage::forget_unfinished();
            }
            if job.notify && tab_hidden() {
                let (title, body) = match &result {
                    Ok(done) => (
                        "Upload finished",
                        format!(
                            "{} is on the Hub: commit {}.",
                            job.repo,
                            done.commit.chars().take(12).collect::<String>()
                        ),
                    ),
                    Err(e) => ("Upload stopped", format!("{}: {e}", job.repo)),
                };
                notify(title, &body, "flockboard-upload");
            }
            show();
            outcome.set(Some(result));
            running.set(false);
        });
    }

    /// Try file `index` of the running upload again, alone (it failed; the others keep their
    /// state, and the commit waits for it).
    pub fn retry_file(self, index: usize) {
        if let Some(retry) = self.retry.get_value() {
            let _ = retry.unbounded_send(index);
        }
    }

    /// Cancel the running upload (every request in flight and every wait stops at once).
    pub fn cancel(self) {
        if let Some(abort) = self.controller.get_value() {
            abort.abort();
        }
    }
}

/// Provide the upload session to the app, with the guard that asks before a tab with a
/// running upload is closed or reloaded.
pub fn provide_upload_session() {
    let session = UploadSession::new();
    provide_context(session);
    let running = session.running;
    let guard = window_event_listener(leptos::ev::beforeunload, move |ev| {
        if running.get_untracked() {
            // Both: browsers differ in which one they honour.
            ev.prevent_default();
            ev.set_return_value("An upload is running: leaving stops it.");
        }
    });
    // The app lives as long as the page; the listener with it.
    std::mem::forget(guard);
}

/// The upload session the app provides.
pub fn use_upload_session() -> UploadSession {
    use_context::<UploadSession>().unwrap_or_else(UploadSession::new)
}
