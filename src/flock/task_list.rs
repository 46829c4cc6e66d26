//! The task list view's state (which tasks, sort, search) and the pure work behind it.
//! The state round-trips through the URL query so that every list view can be shared.

use super::order::missing_last;
use super::task::Task;

/// Which tasks the list shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TaskFilter {
    /// Tasks open for submissions.
    #[default]
    Open,
    /// Finalized tasks.
    Finalized,
    /// Every task, whatever its status (including statuses the app does not know).
    All,
}

impl TaskFilter {
    /// Every filter, in menu order.
    pub const ALL: [TaskFilter; 3] = [TaskFilter::Open, TaskFilter::Finalized, TaskFilter::All];

    /// Query-string value.
    pub fn as_str(self) -> &'static str {
        match self {
            TaskFilter::Open => "open",
            TaskFilter::Finalized => "finalized",
            TaskFilter::All => "all",
        }
    }

    /// Read a query-string value.
    pub fn parse(raw: &str) -> Option<Self> {
        TaskFilter::ALL.into_iter().find(|f| f.as_str() == raw)
    }

    /// Words for people.
    pub fn label(self) -> &'static str {
        match self {
            TaskFilter::Open => "Open",
            TaskFilter::Finalized => "Finalized",
            TaskFilter::All => "All",
        }
    }

    /// The `tasks/list?status=` values to fetch; `None` means no status parameter. "All" asks
    /// for the unfiltered list *and* each known status, then joins them: the unfiltered list
    /// is undocumented, and the union is never smaller than any of its parts.
    pub fn statuses(self) -> &'static [Option<&'static str>] {
        match self {
            TaskFilter::Open => &[Some("submission_phase")],
            TaskFilter::Finalized => &[Some("finalized")],
            TaskFilter::All => &[None, Some("submission_phase"), Some("finalized")],
        }
    }
}

/// What the list is sorted by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SortKey {
    /// Submission deadline (tasks without one last).
    #[default]
    Deadline,
    /// Task id.
    Id,
}

impl SortKey {
    /// Every key, in menu order.
    pub const ALL: [SortKey; 2] = [SortKey::Deadline, SortKey::Id];

    /// Query-string value.
    pub fn as_str(self) -> &'static str {
        match self {
            SortKey::Deadline => "deadline",
            SortKey::Id => "id",
        }
    }

    /// Read a query-string value.
    pub fn parse(raw: &str) -> Option<Self> {
        SortKey::ALL.into_iter().find(|k| k.as_str() == raw)
    }

    /// Words for people.
    pub fn label(self) -> &'static str {
        match self {
            SortKey::Deadline => "Deadline",
            SortKey::Id => "Id",
        }
    }
}

/// Everything that decides what the task list shows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TaskListQuery {
    /// Which tasks.
    pub filter: TaskFilter,
    /// Sort key.
    pub sort: SortKey,
    /// Largest first.
    pub descending: bool,
    /// Text search (title, description, id, type, status); empty for none.
    pub search: String,
}

impl TaskListQuery {
    /// Read from URL query parameters; unknown values fall back to the defaults.
    pub fn from_params(get: impl Fn(&str) -> Option<String>) -> Self {
        TaskListQuery {
            filter: get("status")
                .and_then(|s| TaskFilter::parse(&s))
                .unwrap_or_default(),
            sort: get("sort")
                .and_then(|s| SortKey::parse(&s))
                .unwrap_or_default(),
            descending: get("order").is_some_and(|o| o == "desc"),
            search: get("q").unwrap_or_default(),
        }
    }

    /// The query pairs for this state, defaults left out so links stay short.
    pub fn params(&self) -> Vec<(&'static str, String)> {
        let mut pairs = Vec::new();
        if self.filter != TaskFilter::default() {
            pairs.push(("status", self.filter.as_str().to_string()));
        }
        if self.sort != SortKey::default() {
            pairs.push(("sort", self.sort.as_str().to_string()));
        }
        if self.descending {
            pairs.push(("order", "desc".to_string()));
        }
        if !self.search.trim().is_empty() {
            pairs.push(("q", self.search.clone()));
        }
        pairs
    }
}

/// Whether `task` matches the search words (every word must appear somewhere).
pub fn matches(task: &Task, search: &str) -> bool {
    let words: Vec<String> = search.split_whitespace().map(str::to_lowercase).collect();
    if words.is_empty() {
        return true;
    }
    let haystack = format!(
        "#{} {} {} {} {} {} {}",
        task.id,
        task.title,
        task.description,
        task.task_type.as_api(),
        task.task_type.label(),
        task.status.as_api(),
        task.status.label()
    )
    .to_lowercase();
    words.iter().all(|w| {
        haystack.contains(w.as_str()) || w.trim_start_matches('#').parse::<u64>() == Ok(task.id)
    })
}

/// The tasks to show for `query`, searched and sorted. Tasks without the sort field go last
/// in either direction; ties are broken by id.
pub fn select<'a>(tasks: &'a [Task], query: &TaskListQuery) -> Vec<&'a Task> {
    let mut shown: Vec<&Task> = tasks.iter().filter(|t| matches(t, &query.search)).collect();
    shown.sort_by(|a, b| {
        let primary = match query.sort {
            SortKey::Id => missing_last(Some(a.id), Some(b.id), query.descending),
            SortKey::Deadline => {
                missing_last(a.submission_ends_at, b.submission_ends_at, query.descending)
            }
        };
        // Ties follow the same direction as the sort.
        primary.then_with(|| missing_last(Some(a.id), Some(b.id), query.descending))
    });
    shown
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flock::task::TaskList;

    fn tasks() -> Vec<Task> {
        TaskList::parse(include_str!("../../tests/fixtures/tasks/list.json"))
            .unwrap_or_default()
            .tasks
    }

    fn ids(tasks: &[&Task]) -> Vec<u64> {
        tasks.iter().map(|t| t.id).collect()
    }

    #[test]
    fn sorts_by_deadline_or_id_both_ways() {
        let all = tasks();
        let mut q = TaskListQuery {
            sort: SortKey::Id,
            ..Default::default()
        };
        assert_eq!(ids(&select(&all, &q)), vec![1, 2, 3, 4, 5, 6, 7, 99_999]);
        q.descending = true;
        assert_eq!(ids(&select(&all, &q)), vec![99_999, 7, 6, 5, 4, 3, 2, 1]);
        let by_deadline = TaskListQuery::default();
        assert_eq!(
            ids(&select(&all, &by_deadline)),
            vec![99_999, 1, 2, 3, 4, 5, 6, 7]
        );
    }

    #[test]
    fn tasks_without_deadline_go_last_either_way() {
        let mut all = tasks();
        all[0].submission_ends_at = None; // 99999
        for descending in [false, true] {
            let q = TaskListQuery {
                descending,
                ..Default::default()
            };
            assert_eq!(select(&all, &q).last().map(|t| t.id), Some(99_999));
        }
    }

    #[test]
    fn search_matches_words_anywhere_and_ids() {
        let all = tasks();
        let q = |s: &str| TaskListQuery {
            search: s.into(),
            sort: SortKey::Id,
            ..Default::default()
        };
        assert_eq!(ids(&select(&all, &q("onekey"))), vec![7]);
        assert_eq!(ids(&select(&all, &q("FLOCK agent"))), vec![1, 2]);
        assert_eq!(ids(&select(&all, &q("#5"))), vec![5]);
        assert_eq!(
            ids(&select(&all, &q("submissions"))),
            vec![7],
            "status label is searchable"
        );
        assert!(select(&all, &q("no-such-thing")).is_empty());
    }

    #[test]
    fn query_round_trips_and_tolerates_junk() {
        let q = TaskListQuery {
            filter: TaskFilter::All,
            sort: SortKey::Id,
            descending: true,
            search: "web3 & co".into(),
        };
        let pairs = q.params();
        let back = TaskListQuery::from_params(|k| {
            pairs
                .iter()
                .find(|(key, _)| *key == k)
                .map(|(_, v)| v.clone())
        });
        assert_eq!(back, q);
        assert!(TaskListQuery::default().params().is_empty());
        let junk = TaskListQuery::from_params(|k| Some(format!("<{k}>")));
        assert_eq!(junk.filter, TaskFilter::Open);
        assert_eq!(junk.search, "<q>");
    }
}
