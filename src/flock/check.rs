//! The connection check: which calls the page makes, what each probe of them found, what to do
//! about it, and the report a user copies. Also the key check shared with Settings.
//!
//! The browser adapter sends the probes and hands back what came back ([`Answer`]); every
//! judgement — passed or failed, refused by CORS or down, which advice — is made here, natively
//! tested.

use std::fmt::Write as _;

use super::error::ApiError;
use super::leaderboard::Board;
use super::paging::Page;
use super::secrets::redact;
use super::stats::{parse_daily, CountKind};
use super::task::{Task, TaskList};
use super::url::ApiBase;
use super::wallet_stats::{parse_enrolled, Enrollment, Submission};
use crate::hub::repo::RepoId;
use crate::hub::wire::{batch_url, whoami_url};

/// One kind of call the app makes, probed by the connection check.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Probe {
    /// `GET health`.
    Health,
    /// `GET tasks/list`.
    TaskList,
    /// `GET tasks/get`.
    Task,
    /// `GET stats/emissions` (a stats route).
    Stats,
    /// `GET stats/models` (one leaderboard page).
    Leaderboard,
    /// `GET tasks/wallet-submissions` with the key.
    Keyed,
    /// The preflight of `POST tasks/submit-result` (nothing is submitted).
    SubmitPreflight,
    /// Hub `GET api/whoami-v2` with the token.
    HubWhoami,
    /// The preflight of the Hub's LFS batch `POST` (nothing is uploaded).
    HubBatchPreflight,
}

impl Probe {
    /// Every probe, in the order shown.
    pub const ALL: [Probe; 9] = [
        Probe::Health,
        Probe::TaskList,
        Probe::Task,
        Probe::Stats,
        Probe::Leaderboard,
        Probe::Keyed,
        Probe::SubmitPreflight,
        Probe::HubWhoami,
        Probe::HubBatchPreflight,
    ];

    /// The route, as shown in the row.
    pub fn route(self) -> &'static str {
        match self {
            Probe::Health => "health",
            Probe::TaskList => "tasks/list",
            Probe::Task => "tasks/get",
            Probe::Stats => "stats/emissions",
            Probe::Leaderboard => "stats/models (a leaderboard page)",
            Probe::Keyed => "tasks/wallet-submissions (with your key)",
            Probe::SubmitPreflight => "tasks/submit-result (preflight only)",
            Probe::HubWhoami => "Hub api/whoami-v2 (with your token)",
            Probe::HubBatchPreflight => "Hub LFS batch (preflight only)",
        }
    }

    /// What depends on it, in a few words.
    pub fn used_for(self) -> &'static str {
        match self {
            Probe::Health => "whether the API is there",
            Probe::TaskList => "the task list",
            Probe::Task => "a task's page",
            Probe::Stats => "the stats charts",
            Probe::Leaderboard => "leaderboards",
            Probe::Keyed => "your submissions (keyed calls)",
            Probe::SubmitPreflight => "submitting a model",
            Probe::HubWhoami => "checking your Hugging Face token",
            Probe::HubBatchPreflight => "uploading model files",
        }
    }

    /// Whether it calls the Hub (else the FLock API).
    pub fn is_hub(self) -> bool {
        matches!(self, Probe::HubWhoami | Probe::HubBatchPreflight)
    }

    /// Whether any answer at all passes: the probe only asks if the browser lets such a request
    /// through (its CORS preflight), and sends a request the server must refuse.
    pub fn is_preflight(self) -> bool {
        matches!(self, Probe::SubmitPreflight | Probe::HubBatchPreflight)
    }

    /// Read a 2xx body as the app would; `Err` names what does not read. The detail the row
    /// shows when it does.
    fn read(self, body: &str) -> Result<String, ApiError> {
        match self {
            Probe::Health => serde_json::from_str::<serde_json::Value>(body)
                .map(|_| "the API answered".to_string())
                .map_err(|e| ApiError::decode("the health answer", e)),
            Probe::TaskList => TaskList::parse(body).map(|l| match l.tasks.len() {
                1 => "1 task".to_string(),
                n => format!("{n} tasks"),
            }),
            Probe::Task => Task::parse_detail(body).map(|t| format!("task {}", t.id)),
            Probe::Stats => parse_daily(body).map(|d| format!("{} days", d.len())),
            Probe::Leaderboard => {
                Page::parse(body, "the leaderboard", |_| Ok(())).map(|p| match p.total {
                    1 => "1 row".to_string(),
                    n => format!("{n} rows"),
                })
            }
            Probe::Keyed => Page::parse(body, "your submissions", Submission::from_json)
                .map(|p| format!("{} of your submissions", p.total)),
            Probe::HubWhoami => serde_json::from_str::<serde_json::Value>(body)
                .ok()
                .and_then(|v| v["name"].as_str().map(|n| format!("token of {n}")))
                .ok_or_else(|| ApiError::decode("the Hub's whoami answer", "no `name`")),
            Probe::SubmitPreflight | Probe::HubBatchPreflight => Ok(String::new()),
        }
    }
}

/// A request a probe sends, without secrets: the adapter adds the key or token where
/// `credential` says, and only there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProbeRequest {
    /// `GET` or `POST`.
    pub method: &'static str,
    /// Full URL, query included.
    pub url: String,
    /// Headers other than credentials.
    pub headers: Vec<(&'static str, &'static str)>,
    /// Body, for POSTs.
    pub body: Option<String>,
    /// Which credential goes with it.
    pub credential: Credential,
}

/// A credential a probe request carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Credential {
    /// None.
    None,
    /// The FLock key, in `flock-api-key`.
    FlockKey,
    /// A `flock-api-key` header with an empty value: enough to make the browser ask the
    /// server's leave (preflight) for the header, without sending a key.
    EmptyFlockKey,
    /// The Hub token, as `Authorization: Bearer`.
    HubToken,
}

/// The repo the Hub batch probe names: any will do, as the request is empty and refused.
const PROBE_REPO: &str = "flockboard/connection-check";

impl Probe {
    /// The request this probe sends. `task` is a task id to ask about (from the list probe).
    /// The keyed probe is two requests and is built by [`enrolled_request`] and
    /// [`keyed_request`].
    pub fn request(self, api: &ApiBase, hub: &ApiBase, task: u64) -> ProbeRequest {
        let get = |url: String, credential| ProbeRequest {
            method: "GET",
            url,
            headers: Vec::new(),
            body: None,
            credential,
        };
        match self {
            Probe::Health => get(api.health().to_string(), Credential::None),
            Probe::TaskList => get(
                api.tasks(Some("submission_phase")).to_string(),
                Credential::None,
            ),
            Probe::Task => get(api.task(task).to_string(), Credential::None),
            Probe::Stats => get(
                api.emissions(CountKind::Submission).to_string(),
                Credential::None,
            ),
            Probe::Leaderboard => get(
                api.leaderboard(Board::Models, task, 1, 1).to_string(),
                Credential::None,
            ),
            Probe::Keyed => get(
                api.wallet_submissions(task).to_string(),
                Credential::FlockKey,
            ),
            // An empty body: the API must refuse it (422), so nothing is ever submitted.
            Probe::SubmitPreflight => ProbeRequest {
                method: "POST",
                url: api.endpoint("tasks/submit-result", &[]).to_string(),
                headers: vec![("Content-Type", "application/json")],
                body: Some("{}".into()),
                credential: Credential::EmptyFlockKey,
            },
            Probe::HubWhoami => get(whoami_url(hub), Credential::HubToken),
            // A download batch for no objects: harmless whatever the answer.
            Probe::HubBatchPreflight => ProbeRequest {
                method: "POST",
                url: PROBE_REPO
                    .parse::<RepoId>()
                    .map(|repo| batch_url(hub, &repo))
                    .unwrap_or_else(|_| format!("{hub}{PROBE_REPO}.git/info/lfs/objects/batch")),
                headers: vec![
                    ("Accept", "application/vnd.git-lfs+json"),
                    ("Content-Type", "application/vnd.git-lfs+json"),
                ],
                body: Some(r#"{"operation":"download","transfers":["basic"],"objects":[]}"#.into()),
                credential: Credential::HubToken,
            },
        }
    }
}

/// The public request the keyed probe (and Settings' "Test key") starts with: the tasks the
/// saved wallet is enrolled in.
pub fn enrolled_request(api: &ApiBase, wallet: &super::wallet::WalletAddress) -> ProbeRequest {
    ProbeRequest {
        method: "GET",
        url: api.enrolled_tasks(wallet).to_string(),
        headers: Vec::new(),
        body: None,
        credential: Credential::None,
    }
}

/// The task to ask about with the key, from the enrolled-tasks answer; `Err` is the row's
/// outcome when there is none to ask about.
pub fn keyed_task(answer: Answer) -> Result<u64, Outcome> {
    match answer {
        Answer::Http { status, body } if (200..300).contains(&status) => {
            let enrolled = parse_enrolled(&body).map_err(|e| Outcome::Unreadable(e.detail()))?;
            KeyCheck::task_for(&enrolled.tasks).ok_or_else(|| {
                Outcome::Key(KeyCheck::CouldNotTell(
                    "the saved wallet is enrolled in no task".into(),
                ))
            })
        }
        other => Err(Outcome::of(Probe::Keyed, other)),
    }
}

/// The keyed probe's outcome from asking `task` with the key.
pub fn keyed_outcome(task: u64, answer: Answer) -> Outcome {
    let Answer::Http { status, body } = answer else {
        return Outcome::of(Probe::Keyed, answer);
    };
    let result = if (200..300).contains(&status) {
        Page::parse(&body, "your submissions", Submission::from_json).map(|p| p.total)
    } else {
        Err(ApiError::status(status, &body))
    };
    match KeyCheck::from_result(task, result) {
        Ok(check) => Outcome::Key(check),
        Err(_) => Outcome::of(Probe::Keyed, Answer::Http { status, body }),
    }
}

/// What came back for one probe request, as the browser adapter saw it.
#[derive(Clone, Debug, PartialEq)]
pub enum Answer {
    /// A readable answer.
    Http {
        /// Status code.
        status: u16,
        /// Body text.
        body: String,
    },
    /// The browser refused to let the page read the answer, though the server is there (a
    /// `no-cors` request to the same URL got an opaque answer): CORS.
    Refused,
    /// No answer at all: down, wrong host, or blocked on the way.
    NoAnswer,
    /// The browser says it is offline.
    Offline,
    /// No answer within the time limit.
    Timeout {
        /// The limit, in seconds.
        seconds: u32,
    },
}

/// What a probe found.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// Not finished yet.
    Running,
    /// Worked; what was seen.
    Ok(String),
    /// Not tried, and why (no key, no token).
    NotTested(String),
    /// The server answered with an error status.
    Status {
        /// Status code.
        code: u16,
        /// The server's `detail`, if readable.
        detail: Option<String>,
    },
    /// Answered, but not with what the app reads.
    Unreadable(String),
    /// Refused by CORS.
    Refused,
    /// No answer at all.
    NoAnswer,
    /// The browser is offline.
    Offline,
    /// No answer in time.
    Timeout(u32),
    /// The key check's verdict.
    Key(KeyCheck),
}

impl Outcome {
    /// Judge one probe's answer.
    pub fn of(probe: Probe, answer: Answer) -> Outcome {
        match answer {
            Answer::Http { status, .. } if probe.is_preflight() => Outcome::Ok(format!(
                "preflight passed (the server answered {status} to an empty request; nothing was sent)"
            )),
            Answer::Http { status, body } if (200..300).contains(&status) => {
                match probe.read(&body) {
                    Ok(seen) if seen.is_empty() => Outcome::Ok(format!("HTTP {status}")),
                    Ok(seen) => Outcome::Ok(format!("HTTP {status}, {seen}")),
                    Err(e) => Outcome::Unreadable(e.detail()),
                }
            }
            Answer::Http { status, body } => match ApiError::status(status, &body) {
                ApiError::Status { code, detail } => Outcome::Status { code, detail },
                _ => Outcome::Status {
                    code: status,
                    detail: None,
                },
            },
            Answer::Refused => Outcome::Refused,
            Answer::NoAnswer => Outcome::NoAnswer,
            Answer::Offline => Outcome::Offline,
            Answer::Timeout { seconds } => Outcome::Timeout(seconds),
        }
    }

    /// Pass, fail, or neither (running, not tested, could not tell).
    pub fn verdict(&self) -> Verdict {
        match self {
            Outcome::Running => Verdict::Pending,
            Outcome::Ok(_) => Verdict::Pass,
            Outcome::NotTested(_) => Verdict::Skipped,
            Outcome::Key(KeyCheck::Accepted { .. }) => Verdict::Pass,
            Outcome::Key(KeyCheck::CouldNotTell(_)) => Verdict::Skipped,
            _ => Verdict::Fail,
        }
    }

    /// The result in a few words, as the row shows it.
    pub fn summary(&self) -> String {
        match self {
            Outcome::Running => "checking…".into(),
            Outcome::Ok(seen) => seen.clone(),
            Outcome::NotTested(why) => format!("not tested: {why}"),
            Outcome::Status { code, detail } => match detail {
                Some(d) => format!("HTTP {code}: {d}"),
                None => format!("HTTP {code}"),
            },
            Outcome::Unreadable(why) => format!("answered, but not readable: {why}"),
            Outcome::Refused => "refused by CORS".into(),
            Outcome::NoAnswer => "no answer".into(),
            Outcome::Offline => "offline".into(),
            Outcome::Timeout(s) => format!("timed out after {s} s"),
            Outcome::Key(check) => check.summary(),
        }
    }
}

/// How a row reads at a glance.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Still running.
    Pending,
    /// Works.
    Pass,
    /// Not tried, or could not tell.
    Skipped,
    /// Fails.
    Fail,
}

impl Verdict {
    /// A word for the row (and its CSS modifier).
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pending => "checking",
            Verdict::Pass => "ok",
            Verdict::Skipped => "skipped",
            Verdict::Fail => "failed",
        }
    }
}

/// Where the page and its services are, for advice and the report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Setup {
    /// The page's origin (`https://me.example`).
    pub page_origin: String,
    /// The FLock API base in force.
    pub api: String,
    /// The Hub base in force.
    pub hub: String,
}

impl Setup {
    fn base_of(&self, probe: Probe) -> &str {
        if probe.is_hub() {
            &self.hub
        } else {
            &self.api
        }
    }

    fn same_origin(&self, probe: Probe) -> bool {
        super::url::origin_of(self.base_of(probe)) == self.page_origin
    }
}

/// What to do about a probe's outcome, when anything can be done.
pub fn advice(probe: Probe, outcome: &Outcome, setup: &Setup) -> Option<String> {
    let base = setup.base_of(probe);
    let (service, setting, proxy_path) = if probe.is_hub() {
        ("the Hub", "Hub address", "hf/")
    } else {
        ("the FLock API", "FLock API address", "api/v1/")
    };
    let text = match outcome {
        Outcome::Running | Outcome::Ok(_) => return None,
        Outcome::NotTested(_) => return None,
        Outcome::Refused if setup.same_origin(probe) => format!(
            "{base} is on this page's own origin, yet the browser refused the answer: the proxy \
             there is misconfigured (it must answer on the same origin without redirecting elsewhere)."
        ),
        Outcome::Refused => format!(
            "{service} at {} does not allow calls from this page's origin ({}). Deploy the nginx \
             recipe (page and proxy on one origin) and set the {setting} to `{proxy_path}`, or \
             deploy the Worker recipe and set it to the Worker's URL followed by `{proxy_path}` \
             (README → Deploying).",
            super::url::origin_of(base),
            setup.page_origin
        ),
        Outcome::NoAnswer => format!(
            "Nothing answered at {base}: the server may be down, the {setting} may be wrong, or a \
             firewall or ad blocker stops the request. Check the address in Settings."
        ),
        Outcome::Offline => "This browser is offline. Connect, then run the check again.".into(),
        Outcome::Timeout(_) => format!(
            "{service} is slow or overloaded; run the check again, or raise the time limit in Settings."
        ),
        Outcome::Unreadable(_) => format!(
            "Something answered at {base}, but not with what {service} sends: the {setting} may \
             point at a web page or a misconfigured proxy."
        ),
        Outcome::Status { code: 404, .. } => format!(
            "{base} has no such route: the {setting} should end in {}.",
            if probe.is_hub() {
                "the Hub's root (https://huggingface.co/)"
            } else {
                "/api/v1/"
            }
        ),
        Outcome::Status { code: 401, .. } if probe == Probe::HubWhoami => {
            "The Hub refused the token: it is wrong, revoked or expired. Make a new one and save it in Settings.".into()
        }
        Outcome::Status { code, .. } if *code >= 500 => {
            format!("A problem on {service}'s side; try again in a while.")
        }
        Outcome::Status { code: 429, .. } => "Too many requests: wait a minute.".into(),
        Outcome::Status { .. } => format!("{service} refused this request."),
        Outcome::Key(check) => return check.advice(),
    };
    Some(capitalized(text))
}

/// `text` with its first letter in upper case.
fn capitalized(text: String) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => text,
    }
}

/// The results as plain text for an issue report or a chat, with `secrets` redacted wherever
/// they might appear (a server may echo a key back in its `detail`).
pub fn report(
    rows: &[(Probe, Outcome)],
    setup: &Setup,
    when: &str,
    user_agent: &str,
    secrets: &[&str],
) -> String {
    let mut text = String::new();
    let _ = writeln!(text, "flockboard connection check, {when}");
    let _ = writeln!(text, "page origin: {}", setup.page_origin);
    let _ = writeln!(text, "FLock API:   {}", setup.api);
    let _ = writeln!(text, "Hub:         {}", setup.hub);
    let _ = writeln!(text, "browser:     {user_agent}");
    for (probe, outcome) in rows {
        let _ = writeln!(
            text,
            "[{}] {}: {}",
            outcome.verdict().as_str(),
            probe.route(),
            outcome.summary()
        );
        if let Some(advice) = advice(*probe, outcome, setup) {
            let _ = writeln!(text, "    → {advice}");
        }
    }
    redact(&text, secrets)
}

/// What checking a key found.
#[derive(Clone, Debug, PartialEq)]
pub enum KeyCheck {
    /// The key was accepted for a task its wallet staked on.
    Accepted {
        /// The task asked about.
        task: u64,
        /// The key owner's submissions to it.
        submissions: u64,
    },
    /// The API refused the key itself (401): wrong, revoked or mistyped.
    Refused {
        /// The server's words.
        detail: Option<String>,
    },
    /// The key is valid but its wallet has not staked on the task (403): most likely the key
    /// belongs to another wallet than the one saved.
    NotStaked {
        /// The task asked about.
        task: u64,
        /// The server's words.
        detail: Option<String>,
    },
    /// The check could not decide, and why (no wallet saved, no enrolled task).
    CouldNotTell(String),
}

impl KeyCheck {
    /// The task to ask about: one the wallet staked on as a training node (whose submissions
    /// the keyed route lists), else any it is enrolled in. The API accepts a key only for tasks
    /// its wallet staked on, so a fixed task would call a good key refused.
    pub fn task_for(enrolled: &[Enrollment]) -> Option<u64> {
        enrolled
            .iter()
            .find(|e| e.role.as_deref() == Some("node"))
            .or_else(|| enrolled.first())
            .map(|e| e.task_id)
    }

    /// The verdict from asking `task` with the key: the submission count, or the API's error.
    /// Other errors (network, 5xx) are not about the key and are returned as they are.
    pub fn from_result(task: u64, result: Result<u64, ApiError>) -> Result<KeyCheck, ApiError> {
        match result {
            Ok(submissions) => Ok(KeyCheck::Accepted { task, submissions }),
            Err(ApiError::Status { code: 401, detail }) => Ok(KeyCheck::Refused { detail }),
            Err(ApiError::Status { code: 403, detail }) => Ok(KeyCheck::NotStaked { task, detail }),
            Err(other) => Err(other),
        }
    }

    /// The result in a sentence.
    pub fn summary(&self) -> String {
        let said = |d: &Option<String>| d.as_ref().map(|d| format!(" (“{d}”)")).unwrap_or_default();
        match self {
            KeyCheck::Accepted { task, submissions } => format!(
                "key accepted for task {task} ({submissions} submission{} of yours there)",
                if *submissions == 1 { "" } else { "s" }
            ),
            KeyCheck::Refused { detail } => format!("key refused{}", said(detail)),
            KeyCheck::NotStaked { task, detail } => {
                format!("not staked on task {task}{}", said(detail))
            }
            KeyCheck::CouldNotTell(why) => format!("could not tell: {why}"),
        }
    }

    /// What to do, when something can be done.
    pub fn advice(&self) -> Option<String> {
        match self {
            KeyCheck::Accepted { .. } => None,
            KeyCheck::Refused { .. } => Some(
                "The API does not know this key: copy it again from train.flock.io → account menu → API, and save it in Settings."
                    .into(),
            ),
            KeyCheck::NotStaked { task, .. } => Some(format!(
                "The key works, but its wallet has not staked on task {task}, which your saved wallet is enrolled in: \
                 the key probably belongs to another wallet. Check the wallet address in Settings."
            )),
            KeyCheck::CouldNotTell(_) => Some(
                "Save your wallet address in Settings: the check asks about a task that wallet staked on."
                    .into(),
            ),
        }
    }

    /// Whether the key is known to work.
    pub fn is_accepted(&self) -> bool {
        matches!(self, KeyCheck::Accepted { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setup() -> Setup {
        Setup {
            page_origin: "https://me.example".into(),
            api: "https://fed-ledger-prod.flock.io/api/v1/".into(),
            hub: "https://huggingface.co/".into(),
        }
    }

    fn http(status: u16, body: &str) -> Answer {
        Answer::Http {
            status,
            body: body.into(),
        }
    }

    #[test]
    fn answers_are_judged_by_what_the_app_reads() {
        assert_eq!(
            Outcome::of(Probe::TaskList, http(200, r#"[{"id":7,"title":"x"}]"#)).verdict(),
            Verdict::Pass
        );
        let html = Outcome::of(Probe::TaskList, http(200, "<!doctype html><p>hi"));
        assert!(matches!(html, Outcome::Unreadable(_)), "{html:?}");
        assert_eq!(html.verdict(), Verdict::Fail);
        assert_eq!(
            Outcome::of(Probe::Stats, http(500, r#"{"detail":"boom"}"#)),
            Outcome::Status {
                code: 500,
                detail: Some("boom".into())
            }
        );
        assert_eq!(
            Outcome::of(Probe::Leaderboard, http(200, r#"{"items":[],"total":0}"#)).summary(),
            "HTTP 200, 0 rows"
        );
        assert_eq!(
            Outcome::of(Probe::HubWhoami, http(200, r#"{"name":"alice"}"#)).summary(),
            "HTTP 200, token of alice"
        );
    }

    #[test]
    fn a_preflight_passes_on_any_answer_and_fails_only_when_refused() {
        for status in [200, 403, 404, 422] {
            let outcome = Outcome::of(Probe::SubmitPreflight, http(status, "{}"));
            assert_eq!(outcome.verdict(), Verdict::Pass, "{status}");
            assert!(outcome.summary().contains("nothing was sent"));
        }
        assert_eq!(
            Outcome::of(Probe::HubBatchPreflight, Answer::Refused).verdict(),
            Verdict::Fail
        );
    }

    #[test]
    fn cors_refusals_point_at_the_proxy_recipes() {
        let refused = advice(Probe::TaskList, &Outcome::Refused, &setup()).unwrap_or_default();
        assert!(
            refused.contains("nginx") && refused.contains("Worker"),
            "{refused}"
        );
        assert!(refused.contains("`api/v1/`"), "{refused}");
        assert!(refused.contains("https://me.example"), "{refused}");
        let hub = advice(Probe::HubWhoami, &Outcome::Refused, &setup()).unwrap_or_default();
        assert!(
            hub.contains("`hf/`") && hub.contains("Hub address"),
            "{hub}"
        );
        // Already behind a same-origin proxy: the proxy is at fault, not the page's origin.
        let same = Setup {
            api: "https://me.example/api/v1/".into(),
            ..setup()
        };
        let proxied = advice(Probe::Health, &Outcome::Refused, &same).unwrap_or_default();
        assert!(proxied.contains("misconfigured"), "{proxied}");
    }

    #[test]
    fn every_failure_says_what_to_do_and_successes_say_nothing() {
        let failures = [
            Outcome::NoAnswer,
            Outcome::Offline,
            Outcome::Timeout(20),
            Outcome::Unreadable("x".into()),
            Outcome::Status {
                code: 404,
                detail: None,
            },
            Outcome::Status {
                code: 502,
                detail: None,
            },
            Outcome::Status {
                code: 418,
                detail: None,
            },
        ];
        for probe in Probe::ALL {
            for outcome in &failures {
                assert_eq!(outcome.verdict(), Verdict::Fail);
                assert!(
                    advice(probe, outcome, &setup()).is_some(),
                    "{probe:?} {outcome:?}"
                );
            }
            assert_eq!(advice(probe, &Outcome::Ok("x".into()), &setup()), None);
        }
    }

    #[test]
    fn key_checks_tell_refused_from_not_staked_from_unknown() {
        let enrolled = [
            Enrollment {
                task_id: 10,
                role: Some("validator".into()),
            },
            Enrollment {
                task_id: 8,
                role: Some("node".into()),
            },
        ];
        assert_eq!(
            KeyCheck::task_for(&enrolled),
            Some(8),
            "a training-node task first"
        );
        assert_eq!(KeyCheck::task_for(&enrolled[..1]), Some(10));
        assert_eq!(KeyCheck::task_for(&[]), None);
        assert_eq!(
            KeyCheck::from_result(8, Ok(2)),
            Ok(KeyCheck::Accepted {
                task: 8,
                submissions: 2
            })
        );
        let refused = KeyCheck::from_result(
            8,
            Err(ApiError::status(401, r#"{"detail":"Invalid API key"}"#)),
        );
        assert!(matches!(refused, Ok(KeyCheck::Refused { .. })));
        let not_staked = KeyCheck::from_result(8, Err(ApiError::status(403, "{}")));
        assert!(matches!(
            not_staked,
            Ok(KeyCheck::NotStaked { task: 8, .. })
        ));
        assert!(matches!(
            KeyCheck::from_result(8, Err(ApiError::status(502, ""))),
            Err(ApiError::Status { code: 502, .. })
        ));
        let unknown = Outcome::Key(KeyCheck::CouldNotTell("no wallet saved".into()));
        assert_eq!(unknown.verdict(), Verdict::Skipped);
        assert!(unknown.summary().contains("could not tell"));
        assert!(
            Outcome::Key(refused.unwrap_or(KeyCheck::CouldNotTell(String::new())))
                .summary()
                .contains("key refused")
        );
    }

    #[test]
    fn probe_requests_carry_no_secret_and_submit_nothing() {
        let api = ApiBase::production();
        let hub =
            ApiBase::parse("https://huggingface.co/").unwrap_or_else(|_| ApiBase::production());
        for probe in Probe::ALL {
            let request = probe.request(&api, &hub, 7);
            let base = if probe.is_hub() { &hub } else { &api };
            assert!(request.url.starts_with(base.as_str()), "{}", request.url);
            assert_eq!(request.method == "POST", probe.is_preflight(), "{probe:?}");
        }
        let submit = Probe::SubmitPreflight.request(&api, &hub, 7);
        assert_eq!(submit.body.as_deref(), Some("{}"));
        assert_eq!(submit.credential, Credential::EmptyFlockKey);
        assert_eq!(
            Probe::HubBatchPreflight.request(&api, &hub, 7).url,
            "https://huggingface.co/flockboard/connection-check.git/info/lfs/objects/batch"
        );
        assert_eq!(
            Probe::Leaderboard.request(&api, &hub, 7).url,
            format!("{}stats/models?task_id=7&page=1&size=1", api)
        );
    }

    #[test]
    fn the_keyed_probe_asks_about_an_enrolled_task() {
        let enrolled = http(
            200,
            r#"[{"task_id":10,"role":"validator"},{"task_id":8,"role":"node"}]"#,
        );
        assert_eq!(keyed_task(enrolled), Ok(8));
        let none = keyed_task(http(200, "[]")).err();
        assert_eq!(none.map(|o| o.verdict()), Some(Verdict::Skipped));
        assert_eq!(keyed_task(Answer::Refused).err(), Some(Outcome::Refused));
        assert_eq!(
            keyed_outcome(
                8,
                http(
                    200,
                    r#"{"items":[],"total":0,"page":1,"size":100,"pages":0}"#
                )
            ),
            Outcome::Key(KeyCheck::Accepted {
                task: 8,
                submissions: 0
            })
        );
        assert_eq!(
            keyed_outcome(8, http(401, r#"{"detail":"Invalid API key"}"#)),
            Outcome::Key(KeyCheck::Refused {
                detail: Some("Invalid API key".into())
            })
        );
        assert!(matches!(
            keyed_outcome(8, http(403, r#"{"detail":"not staked"}"#)),
            Outcome::Key(KeyCheck::NotStaked { task: 8, .. })
        ));
        assert!(matches!(
            keyed_outcome(8, http(500, "{}")),
            Outcome::Status { code: 500, .. }
        ));
        assert!(matches!(
            keyed_outcome(8, http(200, "nope")),
            Outcome::Unreadable(_)
        ));
        assert_eq!(
            keyed_outcome(8, Answer::Timeout { seconds: 3 }),
            Outcome::Timeout(3)
        );
    }

    #[test]
    fn the_report_lists_every_row_and_no_secret() {
        let key = "K7Q2M9X4T1B8C6N3P5R0W2Y4Z6A8D1F3";
        let rows: Vec<(Probe, Outcome)> = vec![
            (Probe::Health, Outcome::Ok("HTTP 200".into())),
            (Probe::TaskList, Outcome::Refused),
            (
                Probe::Keyed,
                Outcome::Key(KeyCheck::Refused {
                    detail: Some(format!("Invalid API key {key}")),
                }),
            ),
            (
                Probe::HubWhoami,
                Outcome::NotTested("no token saved".into()),
            ),
        ];
        let text = report(&rows, &setup(), "2026-12-02 10:00 UTC", "Chromium", &[key]);
        assert!(!text.contains(key), "{text}");
        assert!(text.contains("[ok] health"), "{text}");
        assert!(
            text.contains("[failed] tasks/list: refused by CORS"),
            "{text}"
        );
        assert!(
            text.contains("→ The FLock API at https://fed-ledger-prod.flock.io"),
            "{text}"
        );
        assert!(text.contains("[skipped] Hub api/whoami-v2"), "{text}");
        assert!(text.contains("key refused"), "{text}");
    }
}
