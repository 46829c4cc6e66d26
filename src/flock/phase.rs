//! Where a task stands in time: initialized → submission ends → final validation ends.
//!
//! The phase comes from the task's dates, not its status string, so it is right even for
//! statuses the app has never heard of, and it moves on by itself while a page stays open.

use super::task::Task;
use super::time::Instant;

/// The phase a task is in at some moment, judged by its dates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Before `initialized_at`.
    NotStarted,
    /// Submissions accepted (until `submission_phase_ends_at`).
    Submission,
    /// Submissions closed, validators scoring (until `final_validation_ends_at`).
    FinalValidation,
    /// Everything over.
    Ended,
    /// The dates needed to tell are missing.
    Unknown,
}

impl Phase {
    /// Words for people.
    pub fn label(self) -> &'static str {
        match self {
            Phase::NotStarted => "Not started",
            Phase::Submission => "Submission phase",
            Phase::FinalValidation => "Final validation",
            Phase::Ended => "Ended",
            Phase::Unknown => "Unknown (dates missing)",
        }
    }
}

/// The phase of `task` at `now`.
pub fn phase_at(task: &Task, now: Instant) -> Phase {
    match (
        task.initialized_at,
        task.submission_ends_at,
        task.final_validation_ends_at,
    ) {
        (Some(start), _, _) if now < start => Phase::NotStarted,
        (_, Some(submission), _) if now < submission => Phase::Submission,
        (_, Some(_), Some(end)) if now < end => Phase::FinalValidation,
        (_, Some(_), Some(_)) => Phase::Ended,
        _ => Phase::Unknown,
    }
}

/// One milestone on the timeline.
#[derive(Clone, Debug, PartialEq)]
pub struct Milestone {
    /// What happens then.
    pub label: &'static str,
    /// When, if known.
    pub at: Option<Instant>,
    /// Position on the bar from 0.0 (start) to 1.0 (end).
    pub position: f64,
    /// Whether it lies in the past.
    pub passed: bool,
}

/// The three milestones of a task and where `now` falls between them.
#[derive(Clone, Debug, PartialEq)]
pub struct Timeline {
    /// initialized, submission ends, final validation ends.
    pub milestones: Vec<Milestone>,
    /// Position of now on the bar (clamped to 0.0..=1.0); `None` when the dates are missing.
    pub now_position: Option<f64>,
    /// The phase now.
    pub phase: Phase,
}

/// Lay out the timeline of `task` at `now`.
pub fn timeline(task: &Task, now: Instant) -> Timeline {
    let points = [
        ("Initialized", task.initialized_at),
        ("Submission ends", task.submission_ends_at),
        ("Final validation ends", task.final_validation_ends_at),
    ];
    let span = match (task.initialized_at, task.final_validation_ends_at) {
        (Some(start), Some(end)) if end > start => Some((start, end)),
        _ => None,
    };
    let position = |at: Instant| {
        span.map(|(start, end)| {
            let total = (end - start).num_milliseconds() as f64;
            ((at - start).num_milliseconds() as f64 / total).clamp(0.0, 1.0)
        })
    };
    let milestones = points
        .iter()
        .enumerate()
        .map(|(i, (label, at))| Milestone {
            label,
            at: *at,
            position: at.and_then(position).unwrap_or(i as f64 / 2.0),
            passed: at.is_some_and(|t| t <= now),
        })
        .collect();
    Timeline {
        milestones,
        now_position: position(now),
        phase: phase_at(task, now),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flock::task::Task;
    use crate::flock::time::parse_timestamp;

    fn seven() -> Task {
        let list: Vec<serde_json::Value> =
            serde_json::from_str(include_str!("../../tests/fixtures/tasks/detail.json"))
                .unwrap_or_default();
        list.iter()
            .filter_map(|t| Task::from_json(t).ok())
            .find(|t| t.id == 7)
            .unwrap_or_else(|| panic!("task 7 missing from the fixture"))
    }

    fn at(s: &str) -> Instant {
        parse_timestamp(s).unwrap_or_default()
    }

    #[test]
    fn phases_follow_the_dates() {
        let task = seven();
        assert_eq!(
            phase_at(&task, at("2025-03-01T00:00:00")),
            Phase::NotStarted
        );
        assert_eq!(
            phase_at(&task, at("2025-04-10T13:09:00")),
            Phase::Submission
        );
        assert_eq!(
            phase_at(&task, at("2025-04-25T00:00:00")),
            Phase::FinalValidation
        );
        assert_eq!(phase_at(&task, at("2026-11-25T00:00:00")), Phase::Ended);
        let mut undated = task;
        undated.submission_ends_at = None;
        assert_eq!(
            phase_at(&undated, at("2025-04-10T13:09:00")),
            Phase::Unknown
        );
    }

    #[test]
    fn timeline_places_now_between_milestones() {
        let task = seven();
        let line = timeline(&task, at("2025-04-10T13:09:00"));
        assert_eq!(line.phase, Phase::Submission);
        let now = line.now_position.unwrap_or(-1.0);
        let submission_end = line.milestones[1].position;
        assert!(
            now > 0.4 && now < submission_end,
            "now at {now}, submission ends at {submission_end}"
        );
        assert!(line.milestones[0].passed && !line.milestones[1].passed);
        assert_eq!(line.milestones[2].position, 1.0);
        assert_eq!(
            timeline(&task, at("2030-01-01T00:00:00")).now_position,
            Some(1.0)
        );
    }
}
