//! Alerts while the page is open (an opt-in setting): each poll takes a [`Look`] — the open
//! tasks and the watched wallets' ranks on them — and [`compare`] says what changed since the
//! previous look that a participant wants to hear of: a watched wallet lost rank, a task opened,
//! a watched task's submissions close within a day.

use std::collections::{BTreeMap, BTreeSet};

use super::leaderboard::Board;
use super::task::Task;
use super::time::{format_utc, Instant};
use super::wallet::short_address;

/// The shortest time between two polls, in minutes: boards are many requests.
pub const MIN_MINUTES: u32 = 5;
/// How far ahead a closing watched task is announced.
pub const CLOSING_WITHIN_SECS: i64 = 24 * 60 * 60;

/// What one poll saw.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Look {
    /// The tasks open for submissions.
    pub open: BTreeSet<u64>,
    /// Rank of each watched wallet (lower case) on each open task's boards (`None`: not on it).
    pub ranks: BTreeMap<(String, u64, Board), Option<u64>>,
}

/// Something worth a notification.
#[derive(Clone, Debug, PartialEq)]
pub enum Alert {
    /// A task opened since the previous look.
    Opened {
        /// The task's id.
        id: u64,
        /// Its title.
        title: String,
    },
    /// A watched wallet went down a board.
    LostRank {
        /// The wallet.
        wallet: String,
        /// The task.
        id: u64,
        /// Which board.
        board: Board,
        /// Its rank before.
        from: u64,
        /// Its rank now (`None`: off the board).
        to: Option<u64>,
    },
    /// A watched task's submissions close soon.
    Closing {
        /// The task's id.
        id: u64,
        /// Its title.
        title: String,
        /// When.
        at: Instant,
    },
}

impl Alert {
    /// The notification's title and text.
    pub fn text(&self) -> (String, String) {
        match self {
            Alert::Opened { id, title } => (
                "A task opened".into(),
                format!("Task {id} is open for submissions: {title}"),
            ),
            Alert::LostRank {
                wallet,
                id,
                board,
                from,
                to,
            } => (
                format!("{} lost rank on task {id}", short_address(wallet)),
                match to {
                    Some(to) => format!("{} board: from #{from} to #{to}.", board.label()),
                    None => format!("{} board: from #{from} to off the board.", board.label()),
                },
            ),
            Alert::Closing { id, title, at } => (
                format!("Task {id} closes soon"),
                format!("Submissions to “{title}” close at {} UTC.", format_utc(*at)),
            ),
        }
    }
}

/// What changed from `before` (none at the first poll: that look is the baseline) to `now`;
/// `tasks` names them, `watched` are the starred tasks, `warned` the closing tasks already
/// announced (updated: each is announced once).
pub fn compare(
    before: Option<&Look>,
    now: &Look,
    tasks: &[Task],
    watched: &[u64],
    warned: &mut BTreeSet<u64>,
    at: Instant,
) -> Vec<Alert> {
    let title = |id: u64| {
        tasks
            .iter()
            .find(|t| t.id == id)
            .map(|t| t.title.clone())
            .unwrap_or_default()
    };
    let mut out = Vec::new();
    if let Some(before) = before {
        for id in now.open.difference(&before.open) {
            out.push(Alert::Opened {
                id: *id,
                title: title(*id),
            });
        }
        for ((wallet, id, board), rank) in &now.ranks {
            let was = before
                .ranks
                .get(&(wallet.clone(), *id, *board))
                .copied()
                .flatten();
            if let Some(from) = was {
                if rank.is_none_or(|to| to > from) {
                    out.push(Alert::LostRank {
                        wallet: wallet.clone(),
                        id: *id,
                        board: *board,
                        from,
                        to: *rank,
                    });
                }
            }
        }
    }
    for task in tasks
        .iter()
        .filter(|t| watched.contains(&t.id) && now.open.contains(&t.id))
    {
        let Some(ends) = task.submission_ends_at else {
            continue;
        };
        let left = ends.signed_duration_since(at).num_seconds();
        if (0..=CLOSING_WITHIN_SECS).contains(&left) && warned.insert(task.id) {
            out.push(Alert::Closing {
                id: task.id,
                title: task.title.clone(),
                at: ends,
            });
        }
    }
    out
}

/// Milliseconds until the next poll every `minutes` (at least [`MIN_MINUTES`]), with ±10 %
/// jitter from `random` in 0..1 so that many open tabs do not poll in step.
pub fn next_delay_ms(minutes: u32, random: f64) -> f64 {
    let base = f64::from(minutes.max(MIN_MINUTES)) * 60_000.0;
    base * (0.9 + 0.2 * random.clamp(0.0, 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flock::task::TaskList;
    use crate::flock::time::parse_timestamp;

    const ME: &str = "0xb93a9c73751bbca8e1924954271ee8d4de5747c9";

    fn at(text: &str) -> Instant {
        parse_timestamp(text).unwrap_or_else(|| panic!("{text}"))
    }

    fn tasks() -> Vec<Task> {
        TaskList::parse(include_str!("../../tests/fixtures/tasks/list.json"))
            .unwrap_or_default()
            .tasks
    }

    fn look(open: &[u64], ranks: &[(u64, Board, Option<u64>)]) -> Look {
        Look {
            open: open.iter().copied().collect(),
            ranks: ranks
                .iter()
                .map(|(id, b, r)| ((ME.to_string(), *id, *b), *r))
                .collect(),
        }
    }

    #[test]
    fn the_first_look_is_the_baseline() {
        let now = look(&[7, 8], &[(7, Board::Models, Some(12))]);
        assert_eq!(
            compare(
                None,
                &now,
                &tasks(),
                &[],
                &mut BTreeSet::new(),
                at("2025-01-01T00:00:00")
            ),
            vec![]
        );
    }

    #[test]
    fn lost_rank_and_opened_tasks_are_said_gains_are_not() {
        let before = look(
            &[7],
            &[
                (7, Board::Models, Some(12)),
                (7, Board::Validators, Some(3)),
                (8, Board::Models, Some(9)),
            ],
        );
        let now = look(
            &[7, 8],
            &[
                (7, Board::Models, Some(20)),
                (7, Board::Validators, Some(1)),
                (8, Board::Models, None),
            ],
        );
        let found = compare(
            Some(&before),
            &now,
            &tasks(),
            &[],
            &mut BTreeSet::new(),
            at("2025-01-01T00:00:00"),
        );
        assert!(found.contains(&Alert::LostRank {
            wallet: ME.into(),
            id: 7,
            board: Board::Models,
            from: 12,
            to: Some(20)
        }));
        assert!(found.contains(&Alert::LostRank {
            wallet: ME.into(),
            id: 8,
            board: Board::Models,
            from: 9,
            to: None
        }));
        assert!(found
            .iter()
            .any(|a| matches!(a, Alert::Opened { id: 8, .. })));
        assert_eq!(found.len(), 3, "a gain is not an alert: {found:?}");
        let lost = Alert::LostRank {
            wallet: ME.into(),
            id: 7,
            board: Board::Models,
            from: 12,
            to: Some(20),
        };
        assert_eq!(
            lost.text(),
            (
                "0xb93a…47c9 lost rank on task 7".to_string(),
                "Models board: from #12 to #20.".to_string()
            )
        );
        let off = Alert::LostRank {
            wallet: ME.into(),
            id: 8,
            board: Board::Models,
            from: 9,
            to: None,
        };
        assert_eq!(off.text().1, "Models board: from #9 to off the board.");
    }

    #[test]
    fn a_watched_task_closing_within_a_day_is_said_once() {
        let all = tasks();
        let task = all
            .iter()
            .find(|t| t.submission_ends_at.is_some())
            .unwrap_or_else(|| panic!("a task with a deadline"));
        let ends = task
            .submission_ends_at
            .unwrap_or_else(|| panic!("deadline"));
        let now = look(&[task.id], &[]);
        let mut warned = BTreeSet::new();
        let hours_before = ends - chrono::Duration::hours(3);
        let found = compare(
            Some(&now),
            &now,
            &all,
            &[task.id],
            &mut warned,
            hours_before,
        );
        assert!(
            matches!(found.as_slice(), [Alert::Closing { id, .. }] if *id == task.id),
            "{found:?}"
        );
        assert!(found[0].text().1.contains("UTC"));
        assert_eq!(
            compare(
                Some(&now),
                &now,
                &all,
                &[task.id],
                &mut warned,
                hours_before
            ),
            vec![],
            "once"
        );
        let days_before = ends - chrono::Duration::days(3);
        assert_eq!(
            compare(
                Some(&now),
                &now,
                &all,
                &[task.id],
                &mut BTreeSet::new(),
                days_before
            ),
            vec![],
            "not yet"
        );
        assert_eq!(
            compare(
                Some(&now),
                &now,
                &all,
                &[],
                &mut BTreeSet::new(),
                hours_before
            ),
            vec![],
            "not watched"
        );
    }

    #[test]
    fn polls_are_at_least_five_minutes_apart_with_jitter() {
        assert_eq!(next_delay_ms(1, 0.5), 300_000.0);
        assert_eq!(next_delay_ms(10, 0.0), 540_000.0);
        assert_eq!(next_delay_ms(10, 1.0), 660_000.0);
        assert_eq!(next_delay_ms(10, 7.0), 660_000.0, "random is clamped");
    }
}
