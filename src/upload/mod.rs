//! Uploading picked files to a Hub repo over the HTTP commit protocol (`crate::hub::wire`):
//! create the repo, preupload, hash LFS files, LFS batch, PUT `File` slices (several at once,
//! multipart with ETags and completion), then the commit on the head the upload started from.
//!
//! - [`http`]: one request with a time limit and cancel, failures typed as
//!   [`Failure`](crate::hub::retry::Failure), retries by the pure policy in `crate::hub::retry`.
//! - [`hashing`]: SHA-256 in Web Workers (`public/hash-worker.js`; four files at once in SIMD
//!   lanes) or on the page.
//! - [`pipeline`]: the steps, and commit safety: the commit always names its `parentCommit`,
//!   and after an answer that was lost (network, 5xx, time-out, cancel after it left) the Hub's
//!   own history and tree say whether it landed (`crate::hub::commit::fate`).
//! - [`session`]: the upload's state above the page, so that it outlives the page view.
//! - [`awake`]: the screen kept awake while it runs, and a notification when it ends unseen.
//!
//! The token goes only to Hub API routes as `Authorization: Bearer`; never to storage or
//! completion URLs, which are signed.

pub mod awake;
pub mod hashing;
mod http;
mod inspect;
mod pipeline;
pub mod session;

use std::fmt;

use web_sys::File;

use crate::flock::secrets::Secret;
use crate::flock::url::ApiBase;
use crate::hub::repo::RepoId;
use crate::hub::retry::Failure;

pub use hashing::hash_file;
pub use http::whoami;
pub use inspect::inspect;
pub use pipeline::{run, Retries};

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

    /// Path and size of each of `files`, as the record of an unfinished upload knows them.
    pub fn listing(files: &[PickedFile]) -> Vec<(String, u64)> {
        files.iter().map(|f| (f.path.clone(), f.size())).collect()
    }
}

/// What to upload, where.
#[derive(Clone, Debug)]
pub struct Job {
    /// Hub base.
    pub hub: ApiBase,
    /// Hugging Face token with write access (its `Debug` prints a mask).
    pub token: Secret,
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
    /// How long to wait for a network that went away before failing, in milliseconds.
    pub network_patience_ms: u64,
    /// Notify when the upload ends while the tab is hidden.
    pub notify: bool,
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
    /// Making the commit (`k` of `of`, when regular files need several).
    Committing {
        /// This commit, from 1.
        k: usize,
        /// Commits in all.
        of: usize,
    },
    /// The commit's answer was lost: reading the Hub to learn whether it landed.
    Verifying,
}

/// Where one file stands.
#[derive(Clone, Debug, PartialEq)]
pub enum FileState {
    /// Not started.
    Waiting,
    /// Hashing, fraction done.
    Hashing(f64),
    /// Hashed; waiting for its turn to be sent.
    Hashed,
    /// Its hash was known from an earlier run (same path, size and date): not hashed again.
    HashKnown,
    /// Sending, fraction done.
    Uploading(f64),
    /// The Hub already had it.
    Stored,
    /// Sent (or, for small files, ready for the commit).
    Done,
    /// In a commit that landed.
    Committed,
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
    /// Something the user should know that does not stop the upload.
    Notice(String),
    /// These files failed and wait to be retried (each alone) before anything is committed.
    Stalled(Vec<usize>),
    /// No hashing worker could run: files are hashed on the page instead.
    NoWorker,
    /// A request failed and is tried again after a wait.
    Retrying {
        /// What failed (no secret: failures carry statuses and the server's reason only).
        why: String,
        /// Milliseconds until the next attempt.
        wait_ms: u64,
    },
    /// No request gets an answer: the upload waits for the network (and carries on when it
    /// is back) until `gives_up_ms`.
    Offline {
        /// When the outage began (ms since the epoch).
        since_ms: f64,
        /// When the upload stops waiting (ms since the epoch).
        gives_up_ms: f64,
    },
}

/// A finished upload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Done {
    /// The last commit's id (40 hex): the revision to submit.
    pub commit: String,
    /// Its page, when the Hub gave an `http(s)` link.
    pub url: Option<String>,
    /// Commits made (more than one when regular files exceeded one commit's bound).
    pub commits: usize,
    /// Objects the Hub already had (not sent again).
    pub skipped: usize,
    /// How we know it landed when the Hub's answer was lost (read back from the Hub).
    pub confirmed_after: Option<String>,
}

/// The step an upload failed at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// Creating the repo.
    CreateRepo,
    /// The preupload.
    Preupload,
    /// Reading the branch head.
    Head,
    /// The LFS batch.
    Batch,
    /// A storage PUT.
    Upload,
    /// Completing a multipart upload.
    Completing,
    /// The commit.
    Commit,
    /// Reading the Hub after a lost commit answer.
    Verify,
    /// Asking who the token belongs to.
    Token,
}

impl Step {
    fn name(self) -> &'static str {
        match self {
            Step::CreateRepo => "creating the repo",
            Step::Preupload => "preupload",
            Step::Head => "reading the branch head",
            Step::Batch => "LFS batch",
            Step::Upload => "upload",
            Step::Completing => "completing the upload",
            Step::Commit => "commit",
            Step::Verify => "checking the commit",
            Step::Token => "token",
        }
    }
}

/// What a cancel left behind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Left {
    /// Nothing was committed (the Hub's state was read when a commit had left).
    NothingCommitted,
    /// A commit had left; the Hub did not have it when read right after, but may still have
    /// been applying it.
    NotSeen,
    /// A commit had left and the Hub could not be read to tell whether it landed.
    Unknown,
}

/// Why an upload stopped. Decisions are made on these kinds, never on message text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UploadError {
    /// A request failed for good (or after its retries).
    Request {
        /// Where.
        step: Step,
        /// The file or part, when one.
        subject: Option<String>,
        /// How.
        failure: Failure,
    },
    /// A picked file could not be read.
    Unreadable {
        /// Its path in the repo.
        path: String,
    },
    /// Hashing failed.
    Hashing(String),
    /// The Hub refused one object in the batch answer.
    ObjectRefused {
        /// Its path in the repo.
        path: String,
        /// The Hub's reason.
        reason: String,
    },
    /// Storage did not expose a part's `ETag` (its CORS settings).
    NoEtag,
    /// The user cancelled.
    Cancelled(Left),
    /// Someone else committed on the head this upload started from: ours cannot land there.
    Overtaken,
    /// The commit's answer was lost and the Hub could not be read to tell whether it landed.
    Unconfirmed {
        /// What happened to the commit's answer.
        failure: Failure,
    },
    /// The first `done` of `of` chained commits landed, then `cause` stopped the rest.
    PartlyCommitted {
        /// Commits that landed.
        done: usize,
        /// Commits planned.
        of: usize,
        /// The last one that landed.
        last: String,
        /// What stopped the next.
        cause: Box<UploadError>,
    },
}

impl UploadError {
    /// A request's failure at `step`; a cancel is a cancel.
    pub(crate) fn request(step: Step, subject: Option<String>, failure: Failure) -> Self {
        match failure {
            Failure::Cancelled => UploadError::Cancelled(Left::NothingCommitted),
            failure => UploadError::Request {
                step,
                subject,
                failure,
            },
        }
    }

    /// A picked file the browser could not read.
    pub(crate) fn unreadable(path: &str) -> Self {
        UploadError::Unreadable {
            path: path.to_string(),
        }
    }

    /// Whether this is a cancel.
    pub fn is_cancel(&self) -> bool {
        match self {
            UploadError::Cancelled(_) => true,
            UploadError::PartlyCommitted { cause, .. } => cause.is_cancel(),
            _ => false,
        }
    }

    /// The failed request's failure, if that is what this is.
    pub fn failure(&self) -> Option<&Failure> {
        match self {
            UploadError::Request { failure, .. } | UploadError::Unconfirmed { failure } => {
                Some(failure)
            }
            _ => None,
        }
    }
}

impl fmt::Display for UploadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const AGAIN: &str = "Start again: files already stored are not sent again.";
        match self {
            UploadError::Request {
                step,
                subject,
                failure,
            } => {
                write!(f, "{}: ", step.name())?;
                if let Some(subject) = subject {
                    write!(f, "{subject}: ")?;
                }
                write!(f, "{failure}.")?;
                match failure {
                    Failure::Cors => f.write_str(" The Hub address in Settings must allow this page's origin (or be a proxy on it): see the connection check."),
                    Failure::Status { code: 401, .. } => f.write_str(" The Hub refused this token: it is wrong, revoked or expired. Check it in Settings."),
                    Failure::Status { code: 403, .. } if *step != Step::Upload => f.write_str(" The token may not write here: pick a namespace it can write to, or another token."),
                    Failure::Status { code: 429, .. } => write!(f, " The Hub is rate-limiting this account: wait a few minutes. {AGAIN}"),
                    Failure::Network | Failure::Timeout { .. } => write!(f, " Check the connection. {AGAIN}"),
                    _ => write!(f, " {AGAIN}"),
                }
            }
            UploadError::Unreadable { path } => write!(
                f,
                "reading: the browser could not read {path} (moved or deleted since it was picked?). Pick it again."
            ),
            UploadError::Hashing(why) => write!(f, "hashing: {why}"),
            UploadError::ObjectRefused { path, reason } => {
                write!(f, "LFS batch: the Hub refused {path}: {reason}")
            }
            UploadError::NoEtag => f.write_str(
                "upload: storage did not expose the part's ETag (its CORS settings must expose ETag).",
            ),
            UploadError::Cancelled(Left::NothingCommitted) => write!(
                f,
                "Cancelled: nothing was committed. {AGAIN}"
            ),
            UploadError::Cancelled(Left::NotSeen) => f.write_str(
                "Cancelled while the commit was on its way: the Hub did not have it when read right after. If the Hub was still applying it, it may yet appear: look at the repo's history before starting again (starting again is safe: it names the same parent, so it cannot land twice).",
            ),
            UploadError::Cancelled(Left::Unknown) => f.write_str(
                "Cancelled while the commit was on its way, and the Hub could not be read to tell whether it landed: look at the repo's history before starting again.",
            ),
            UploadError::Overtaken => write!(
                f,
                "commit: someone else committed to the repo since this upload started, so this commit was not made. {AGAIN}"
            ),
            UploadError::PartlyCommitted {
                done,
                of,
                last,
                cause,
            } if cause.is_cancel() => write!(
                f,
                "Cancelled after {done} of {of} commits landed (the last is {}): the rest were not made. Start again to send the rest.",
                &last[..last.len().min(12)]
            ),
            UploadError::PartlyCommitted {
                done,
                of,
                last,
                cause,
            } => write!(
                f,
                "{done} of {of} commits landed (the last is {}); the rest were not made: {cause}",
                &last[..last.len().min(12)]
            ),
            UploadError::Unconfirmed { failure } => write!(
                f,
                "commit: its answer was lost ({failure}) and the Hub could not be read to tell whether it landed. Look at the repo's history; if the commit is not there, start again."
            ),
        }
    }
}
