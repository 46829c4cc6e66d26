//! What can go wrong with one Hub or storage request, whether trying again can help, and how
//! long to wait first. Pure, so that the whole policy is tested natively; the browser adapter
//! (`crate::upload::http`) only classifies what the browser saw and sleeps.

use std::fmt;

/// How one request failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    /// No answer: offline, connection reset, DNS — what a browser reports for any request that
    /// never got an answer it may read.
    Network,
    /// The server is there (it answers requests that need no leave), but the browser may not
    /// read its answers from this page's origin: CORS. Trying again will not help.
    Cors,
    /// No answer within the time limit.
    Timeout {
        /// The limit, in seconds.
        seconds: u32,
    },
    /// An answer with an error status.
    Status {
        /// The status code.
        code: u16,
        /// The server's reason (`error`, `message`, …), if readable.
        reason: Option<String>,
        /// Seconds the server asked to wait (`Retry-After`), when the browser may read it.
        retry_after: Option<u64>,
    },
    /// A 2xx answer whose body broke off or does not read as the protocol says.
    BadAnswer(String),
    /// The request could not be made at all (a browser limit): trying again will not help.
    Unsendable,
    /// The user cancelled.
    Cancelled,
}

impl Failure {
    /// An error status, with the server's reason.
    pub fn status(code: u16, reason: Option<String>) -> Self {
        Failure::Status {
            code,
            reason,
            retry_after: None,
        }
    }

    /// The status code, for failures that have one.
    pub fn code(&self) -> Option<u16> {
        match self {
            Failure::Status { code, .. } => Some(*code),
            _ => None,
        }
    }

    /// Whether the request may have reached the server and been acted on without our hearing
    /// of it: after such a failure of a commit, only the Hub's own state tells whether it landed.
    pub fn is_ambiguous(&self) -> bool {
        match self {
            Failure::Network | Failure::Timeout { .. } | Failure::BadAnswer(_) => true,
            Failure::Status { code, .. } => *code >= 500,
            Failure::Cors | Failure::Unsendable | Failure::Cancelled => false,
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Network => {
                f.write_str("no answer (offline, connection dropped, or server unreachable)")
            }
            Failure::Cors => f.write_str(
                "refused by CORS: the server answers, but not to pages from this origin",
            ),
            Failure::Timeout { seconds } => write!(f, "no answer within {seconds} s"),
            Failure::Status {
                code,
                reason: Some(reason),
                ..
            } => write!(f, "HTTP {code}: {reason}"),
            Failure::Status { code, .. } => write!(f, "HTTP {code}"),
            Failure::BadAnswer(why) => write!(f, "an unreadable answer ({why})"),
            Failure::Unsendable => f.write_str("the browser could not send the request"),
            Failure::Cancelled => f.write_str("cancelled"),
        }
    }
}

/// How a step treats failures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Policy {
    /// Attempts in all, the first included.
    pub attempts: u32,
    /// Whether 409 means "busy, try again" (a commit while another runs on the repo); elsewhere
    /// 409 is an answer (the repo exists).
    pub conflict_is_busy: bool,
}

impl Policy {
    /// Most requests: five attempts; 409 is an answer.
    pub const DEFAULT: Policy = Policy {
        attempts: 5,
        conflict_is_busy: false,
    };

    /// The commit: five attempts; 409 means the repo is busy with another commit.
    pub const COMMIT: Policy = Policy {
        attempts: 5,
        conflict_is_busy: true,
    };

    /// Whether another attempt can help after `failure`, `made` attempts in.
    pub fn retry(&self, failure: &Failure, made: u32) -> bool {
        made < self.attempts
            && match failure {
                Failure::Network | Failure::Timeout { .. } | Failure::BadAnswer(_) => true,
                Failure::Status { code, .. } => {
                    matches!(code, 408 | 425 | 429 | 500..=599)
                        || (*code == 409 && self.conflict_is_busy)
                }
                Failure::Cors | Failure::Unsendable | Failure::Cancelled => false,
            }
    }
}

/// What to do after a failed attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Next {
    /// Try again after this many milliseconds.
    Retry {
        /// The wait.
        wait_ms: u64,
    },
    /// The network is gone: look again after this many milliseconds (or as soon as the browser
    /// says it is back online). Such waits do not use up attempts.
    AwaitNetwork {
        /// The longest wait before looking again.
        wait_ms: u64,
    },
    /// Give up: the failure is final, or attempts (or patience) ran out.
    Stop,
}

/// The longest wait between two looks for a network that went away: short, so that the
/// upload carries on soon after it returns even where the browser's `online` event is not
/// raised (a dropped Wi-Fi behind a router the browser still sees).
pub const NETWORK_LOOK_MS: u64 = 10_000;

/// Default patience with a network that went away, in minutes.
pub const DEFAULT_NETWORK_WAIT_MINS: u32 = 10;

/// An outage of the network as one request (or many at once) sees it: since when no request
/// has got an answer. One is shared by every request of an upload, so six parallel parts
/// see one outage, and any answer ends it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Outage {
    /// How long to wait for the network before failing, in milliseconds (0: do not wait; a
    /// network error is retried like any other).
    pub patience_ms: u64,
    /// When the current outage began (milliseconds on the caller's clock), if one runs.
    pub since_ms: Option<f64>,
}

impl Outage {
    /// No outage yet, waiting up to `patience_ms` when one comes.
    pub fn new(patience_ms: u64) -> Self {
        Outage {
            patience_ms,
            since_ms: None,
        }
    }

    /// An answer came: any outage is over.
    pub fn answered(&mut self) {
        self.since_ms = None;
    }

    /// When the outage (begun now if none runs) gives up, if waiting for the network applies
    /// to `failure`.
    pub fn note(&mut self, failure: &Failure, now_ms: f64) -> Option<f64> {
        if *failure != Failure::Network || self.patience_ms == 0 {
            return None;
        }
        let since = *self.since_ms.get_or_insert(now_ms);
        Some(since + self.patience_ms as f64)
    }
}

impl Policy {
    /// What to do after `failure`, `made` attempts in; `outage` is the shared view of the
    /// network, `now_ms` the time on its clock, `random` a draw from 0..1 for the jitter.
    pub fn next(
        &self,
        failure: &Failure,
        made: u32,
        outage: &mut Outage,
        now_ms: f64,
        random: f64,
    ) -> Next {
        if let Some(gives_up_at) = outage.note(failure, now_ms) {
            let left = gives_up_at - now_ms;
            return if left > 0.0 {
                let wait = backoff_ms(made, failure, random).min(NETWORK_LOOK_MS);
                Next::AwaitNetwork {
                    wait_ms: wait.min(left.ceil() as u64),
                }
            } else {
                Next::Stop
            };
        }
        if self.retry(failure, made) {
            Next::Retry {
                wait_ms: backoff_ms(made, failure, random),
            }
        } else {
            Next::Stop
        }
    }
}

/// The longest wait a server's `Retry-After` may impose before we give up waiting for it.
pub const MAX_RETRY_AFTER_SECS: u64 = 120;
/// The longest wait between two attempts of our own choosing.
const MAX_BACKOFF_MS: u64 = 30_000;

/// Milliseconds to wait before the next attempt, after `failures` failed ones (from 1): 1, 2,
/// 4, 8 … s, capped at 30 s, spread by `random` (a draw from 0..1) over half to one and a half
/// times that, so that many clients (or many parts) do not retry in step. A server's
/// `Retry-After` wins, up to [`MAX_RETRY_AFTER_SECS`].
pub fn backoff_ms(failures: u32, failure: &Failure, random: f64) -> u64 {
    if let Failure::Status {
        retry_after: Some(secs),
        ..
    } = failure
    {
        return secs.min(&MAX_RETRY_AFTER_SECS) * 1000;
    }
    let base = 1000u64
        .saturating_mul(1 << failures.saturating_sub(1).min(15))
        .min(MAX_BACKOFF_MS);
    let spread = 0.5 + random.clamp(0.0, 1.0);
    ((base as f64) * spread) as u64
}

/// Read a `Retry-After` value: seconds, or an HTTP date (`now_secs` is the Unix time now).
pub fn parse_retry_after(value: &str, now_secs: i64) -> Option<u64> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(secs);
    }
    let at = chrono::DateTime::parse_from_rfc2822(value)
        .ok()?
        .timestamp();
    Some(at.saturating_sub(now_secs).max(0) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transient_failures_are_retried_and_final_ones_are_not() {
        let p = Policy::DEFAULT;
        for failure in [
            Failure::Network,
            Failure::Timeout { seconds: 30 },
            Failure::BadAnswer("cut short".into()),
            Failure::status(500, None),
            Failure::status(503, None),
            Failure::status(429, None),
            Failure::status(408, None),
        ] {
            assert!(p.retry(&failure, 1), "{failure:?}");
            assert!(!p.retry(&failure, 5), "{failure:?}: attempts run out");
        }
        for failure in [
            Failure::Cors,
            Failure::Unsendable,
            Failure::Cancelled,
            Failure::status(400, None),
            Failure::status(401, None),
            Failure::status(403, None),
            Failure::status(404, None),
            Failure::status(409, None),
            Failure::status(412, None),
        ] {
            assert!(!p.retry(&failure, 1), "{failure:?}");
        }
        assert!(
            Policy::COMMIT.retry(&Failure::status(409, None), 1),
            "a busy repo"
        );
        assert!(!Policy::COMMIT.retry(&Failure::status(412, None), 1));
    }

    #[test]
    fn a_gone_network_is_waited_for_within_patience_without_using_attempts() {
        let p = Policy::DEFAULT;
        let mut outage = Outage::new(600_000);
        // Far past the five attempts, still waiting: the outage began at 1,000.
        for (made, now) in [(1, 1_000.0), (9, 200_000.0), (40, 600_000.0)] {
            match p.next(&Failure::Network, made, &mut outage, now, 0.5) {
                Next::AwaitNetwork { wait_ms } => {
                    assert!(wait_ms <= NETWORK_LOOK_MS, "{made}: {wait_ms}")
                }
                other => panic!("{made}: {other:?}"),
            }
        }
        assert_eq!(
            outage.since_ms,
            Some(1_000.0),
            "one outage, begun at the first failure"
        );
        // The last look comes at the end of the patience, not after it.
        assert_eq!(
            p.next(&Failure::Network, 50, &mut outage, 600_500.0, 0.5),
            Next::AwaitNetwork { wait_ms: 500 }
        );
        assert_eq!(
            p.next(&Failure::Network, 51, &mut outage, 601_000.0, 0.5),
            Next::Stop
        );
        // An answer ends it; the next outage has its own patience.
        outage.answered();
        assert!(matches!(
            p.next(&Failure::Network, 52, &mut outage, 700_000.0, 0.5),
            Next::AwaitNetwork { .. }
        ));
    }

    #[test]
    fn other_failures_and_no_patience_follow_the_attempts() {
        let p = Policy::DEFAULT;
        let mut outage = Outage::new(600_000);
        assert!(matches!(
            p.next(&Failure::status(503, None), 1, &mut outage, 0.0, 0.5),
            Next::Retry { .. }
        ));
        assert_eq!(outage.since_ms, None, "a server error is not an outage");
        assert_eq!(
            p.next(&Failure::status(503, None), 5, &mut outage, 0.0, 0.5),
            Next::Stop
        );
        assert_eq!(p.next(&Failure::Cors, 1, &mut outage, 0.0, 0.5), Next::Stop);
        let mut impatient = Outage::new(0);
        assert!(matches!(
            p.next(&Failure::Network, 1, &mut impatient, 0.0, 0.5),
            Next::Retry { .. }
        ));
        assert_eq!(
            p.next(&Failure::Network, 5, &mut impatient, 0.0, 0.5),
            Next::Stop
        );
    }

    #[test]
    fn backoff_doubles_with_jitter_and_honours_retry_after_up_to_a_cap() {
        let n = Failure::Network;
        assert_eq!(backoff_ms(1, &n, 0.5), 1000);
        assert_eq!(backoff_ms(2, &n, 0.5), 2000);
        assert_eq!(backoff_ms(4, &n, 0.5), 8000);
        assert_eq!(backoff_ms(30, &n, 0.5), 30_000, "capped");
        assert_eq!(backoff_ms(1, &n, 0.0), 500);
        assert_eq!(backoff_ms(1, &n, 1.0), 1500);
        assert_eq!(backoff_ms(1, &n, 7.0), 1500, "a bad draw is clamped");
        let said = |secs| Failure::Status {
            code: 429,
            reason: None,
            retry_after: Some(secs),
        };
        assert_eq!(backoff_ms(1, &said(7), 0.9), 7000);
        assert_eq!(backoff_ms(1, &said(3600), 0.9), MAX_RETRY_AFTER_SECS * 1000);
    }

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        assert_eq!(parse_retry_after(" 12 ", 0), Some(12));
        let now = chrono::DateTime::parse_from_rfc2822("Wed, 02 Dec 2026 10:00:00 GMT")
            .map(|d| d.timestamp())
            .unwrap_or_default();
        assert_eq!(
            parse_retry_after("Wed, 02 Dec 2026 10:00:30 GMT", now),
            Some(30)
        );
        assert_eq!(
            parse_retry_after("Wed, 02 Dec 2026 09:00:00 GMT", now),
            Some(0)
        );
        assert_eq!(parse_retry_after("soon", now), None);
    }

    #[test]
    fn only_failures_that_may_hide_a_success_are_ambiguous() {
        assert!(Failure::Network.is_ambiguous());
        assert!(Failure::Timeout { seconds: 1 }.is_ambiguous());
        assert!(Failure::status(502, None).is_ambiguous());
        assert!(Failure::BadAnswer("cut".into()).is_ambiguous());
        assert!(!Failure::status(400, None).is_ambiguous());
        assert!(!Failure::Cors.is_ambiguous());
        assert!(!Failure::Unsendable.is_ambiguous());
    }
}
