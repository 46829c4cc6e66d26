//! "My standing" (`?view=me`): which tasks a wallet's standing covers, and where it stands on a
//! task's board — its rank, score, how many wallets the board holds, and the gap to the next
//! rank up.

use serde_json::{json, Value};

use super::leaderboard::Entry;
use super::order::missing_last;
use super::task::{Task, TaskStatus};
use super::wallet_stats::Submission;

/// Where one wallet stands on one board.
#[derive(Clone, Debug, PartialEq)]
pub struct BoardStanding {
    /// Wallets on the board.
    pub wallets: usize,
    /// The wallet's entry, when it has one.
    pub placed: Option<Placed>,
}

/// A wallet's place on a board.
#[derive(Clone, Debug, PartialEq)]
pub struct Placed {
    /// Its rank as the API gives it (`None` when the entry has none).
    pub rank: Option<u64>,
    /// Its score (`None` until scored).
    pub score: Option<f64>,
    /// The nearest entry ranked above it, when there is one.
    pub next_up: Option<NextUp>,
}

/// The entry one place up, and how far its score is.
#[derive(Clone, Debug, PartialEq)]
pub struct NextUp {
    /// Its rank.
    pub rank: u64,
    /// How far apart the two scores are (absolute: which way is better depends on the
    /// board); `None` when either is unscored.
    pub score_gap: Option<f64>,
}

/// Where `wallet` (any case) stands on the board `entries`. With several entries for one
/// wallet, the best ranked counts.
pub fn stand(entries: &[Entry], wallet: &str) -> BoardStanding {
    let wallet = wallet.to_ascii_lowercase();
    let own = entries
        .iter()
        .filter(|e| e.wallet_lower == wallet)
        .min_by(|a, b| missing_last(a.rank, b.rank, false));
    let placed = own.map(|own| {
        let next_up = own.rank.and_then(|rank| {
            entries
                .iter()
                .filter(|e| e.rank.is_some_and(|r| r < rank) && e.wallet_lower != wallet)
                .max_by_key(|e| e.rank)
                .and_then(|above| {
                    Some(NextUp {
                        rank: above.rank?,
                        score_gap: match (above.score, own.score) {
                            (Some(a), Some(b)) => Some((a - b).abs()),
                            _ => None,
                        },
                    })
                })
        });
        Placed {
            rank: own.rank,
            score: own.score,
            next_up,
        }
    });
    BoardStanding {
        wallets: entries.len(),
        placed,
    }
}

/// The tasks a standing covers: every task open for submissions, and every other task the
/// wallet has submitted to (by the `task_id` of its submissions); open ones first by deadline,
/// then the rest newest id first. Submissions to a task the list lacks are left out here (the
/// page names them).
pub fn standing_tasks<'a>(tasks: &'a [Task], submissions: &[Submission]) -> Vec<&'a Task> {
    let submitted = |id: u64| submissions.iter().any(|s| s.task_id == Some(id));
    let mut open: Vec<&Task> = tasks
        .iter()
        .filter(|t| t.status == TaskStatus::SubmissionPhase)
        .collect();
    open.sort_by(|a, b| {
        missing_last(a.submission_ends_at, b.submission_ends_at, false).then(a.id.cmp(&b.id))
    });
    let mut other: Vec<&Task> = tasks
        .iter()
        .filter(|t| t.status != TaskStatus::SubmissionPhase && submitted(t.id))
        .collect();
    other.sort_by_key(|t| std::cmp::Reverse(t.id));
    open.extend(other);
    open
}

/// Task ids the wallet submitted to that the task list does not hold, in ascending order.
pub fn unlisted_tasks(tasks: &[Task], submissions: &[Submission]) -> Vec<u64> {
    let mut ids: Vec<u64> = submissions
        .iter()
        .filter_map(|s| s.task_id)
        .filter(|id| !tasks.iter().any(|t| t.id == *id))
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

impl BoardStanding {
    /// The wallet's rank on the board (`None`: not on it, or its entry has no rank).
    pub fn rank(&self) -> Option<u64> {
        self.placed.as_ref().and_then(|p| p.rank)
    }

    /// As a JSON object for the downloads: `wallets`, `rank`, `score`, `next_rank`,
    /// `score_gap` (null where unknown or not placed).
    pub fn to_json(&self) -> Value {
        let placed = self.placed.as_ref();
        let next_up = placed.and_then(|p| p.next_up.as_ref());
        json!({
            "wallets": self.wallets,
            "rank": self.rank(),
            "score": placed.and_then(|p| p.score),
            "next_rank": next_up.map(|n| n.rank),
            "score_gap": next_up.and_then(|n| n.score_gap),
        })
    }
}

/// One row of the standing as a JSON object for the downloads: the task's id, title, status
/// and deadline as the API wrote them, each board's standing (`null` if not read), and the
/// own submission count (`null` without one).
pub fn row_json(
    task: &Task,
    models: Option<&BoardStanding>,
    validators: Option<&BoardStanding>,
    my_submissions: Option<usize>,
) -> Value {
    json!({
        "task_id": task.id,
        "title": task.title,
        "status": task.status.as_api(),
        "submission_phase_ends_at": task.raw.get("submission_phase_ends_at"),
        "models": models.map(BoardStanding::to_json),
        "validators": validators.map(BoardStanding::to_json),
        "my_submissions": my_submissions,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flock::leaderboard::Board;
    use crate::flock::task::TaskList;

    fn entry(wallet: &str, rank: Option<u64>, score: Option<f64>) -> Entry {
        Entry::from_json(
            Board::Models,
            &json!({"wallet": wallet, "rank": rank, "submission_phase_score": score}),
        )
        .unwrap_or_else(|e| panic!("{e}"))
    }

    const ME: &str = "0xB93A9c73751Bbca8E1924954271ee8d4De5747c9";

    #[test]
    fn rank_score_size_and_the_gap_to_the_next_rank_up() {
        let board = vec![
            entry("0x01", Some(1), Some(0.30)),
            entry("0x02", Some(2), Some(0.3125)),
            entry(ME, Some(3), Some(0.35)),
            entry("0x04", Some(4), None),
        ];
        let got = stand(&board, &ME.to_ascii_lowercase());
        assert_eq!(got.wallets, 4);
        let placed = got.placed.unwrap_or_else(|| panic!("placed"));
        assert_eq!((placed.rank, placed.score), (Some(3), Some(0.35)));
        let up = placed.next_up.unwrap_or_else(|| panic!("next up"));
        assert_eq!(up.rank, 2);
        assert!((up.score_gap.unwrap_or_default() - 0.0375).abs() < 1e-12);
    }

    #[test]
    fn first_place_has_no_one_above_and_a_stranger_is_not_placed() {
        let board = vec![
            entry(ME, Some(1), Some(0.3)),
            entry("0x02", Some(2), Some(0.4)),
        ];
        assert_eq!(
            stand(&board, ME).placed.and_then(|p| p.next_up),
            None,
            "nobody above rank 1"
        );
        assert_eq!(stand(&board, "0x99").placed, None);
        assert_eq!(
            stand(&[], ME),
            BoardStanding {
                wallets: 0,
                placed: None
            }
        );
    }

    #[test]
    fn unscored_or_unranked_entries_give_no_gap() {
        let board = vec![entry("0x01", Some(1), None), entry(ME, Some(5), Some(0.5))];
        let up = stand(&board, ME).placed.and_then(|p| p.next_up);
        assert_eq!(
            up,
            Some(NextUp {
                rank: 1,
                score_gap: None
            })
        );
        let unranked = vec![
            entry("0x01", Some(1), Some(0.1)),
            entry(ME, None, Some(0.5)),
        ];
        let placed = stand(&unranked, ME)
            .placed
            .unwrap_or_else(|| panic!("placed"));
        assert_eq!((placed.rank, placed.next_up), (None, None));
    }

    #[test]
    fn the_best_of_several_entries_counts() {
        let board = vec![
            entry(ME, Some(9), Some(0.9)),
            entry("0x01", Some(1), Some(0.1)),
            entry(ME, Some(2), Some(0.2)),
        ];
        let placed = stand(&board, ME).placed.unwrap_or_else(|| panic!("placed"));
        assert_eq!(placed.rank, Some(2));
        assert_eq!(placed.next_up.map(|u| u.rank), Some(1));
    }

    #[test]
    fn a_row_as_json_names_every_figure() {
        let tasks = TaskList::parse(include_str!("../../tests/fixtures/tasks/list.json"))
            .unwrap_or_default()
            .tasks;
        let task = &tasks[0];
        let board = vec![
            entry("0x01", Some(1), Some(0.25)),
            entry(ME, Some(2), Some(0.5)),
        ];
        let models = stand(&board, ME);
        let row = row_json(task, Some(&models), None, Some(3));
        assert_eq!(row["task_id"], json!(task.id));
        assert_eq!(row["status"], json!(task.status.as_api()));
        assert_eq!(
            row["models"],
            json!({"wallets": 2, "rank": 2, "score": 0.5, "next_rank": 1, "score_gap": 0.25})
        );
        assert_eq!(row["validators"], Value::Null);
        assert_eq!(row["my_submissions"], json!(3));
        let csv = super::super::export::to_csv(&[&row]);
        assert!(csv.starts_with("models.next_rank,models.rank,models.score,models.score_gap,models.wallets,my_submissions,"), "{csv}");
    }

    fn submission(task_id: Option<u64>) -> Submission {
        Submission::from_json(&json!({"task_id": task_id, "link": "https://huggingface.co/a/b",
            "submission_phase_score": null, "final_validation_score": null, "submitted_at": "2025-04-10T13:05:58"}))
        .unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn open_tasks_and_the_others_submitted_to() {
        let tasks = TaskList::parse(include_str!("../../tests/fixtures/tasks/list.json"))
            .unwrap_or_default()
            .tasks;
        let open: Vec<u64> = tasks
            .iter()
            .filter(|t| t.status == TaskStatus::SubmissionPhase)
            .map(|t| t.id)
            .collect();
        let finalized = tasks
            .iter()
            .find(|t| t.status != TaskStatus::SubmissionPhase)
            .map(|t| t.id)
            .unwrap_or_else(|| panic!("the fixture has a closed task"));
        let subs = vec![
            submission(Some(finalized)),
            submission(Some(424_242)),
            submission(None),
        ];
        let chosen: Vec<u64> = standing_tasks(&tasks, &subs).iter().map(|t| t.id).collect();
        assert_eq!(chosen.len(), open.len() + 1);
        assert!(open.iter().all(|id| chosen.contains(id)));
        assert_eq!(
            chosen.last(),
            Some(&finalized),
            "closed tasks after the open ones"
        );
        assert_eq!(unlisted_tasks(&tasks, &subs), vec![424_242]);
        let none: Vec<u64> = standing_tasks(&tasks, &[]).iter().map(|t| t.id).collect();
        assert_eq!(
            none.len(),
            open.len(),
            "no submissions: the open tasks alone"
        );
    }
}
