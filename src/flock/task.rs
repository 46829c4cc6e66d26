//! Tasks as the API describes them, read from either of its two shapes.
//!
//! `tasks/get` sends the *detail* shape (`data.training_set_url`, a nullable `final_link`);
//! `tasks/list` sends the *list* shape (storage keys, `recommended_vram`, no `final_link`).
//! Both read into one [`Task`]. Reading is lenient field by field, strict where it must be: a
//! task without an integer `id` cannot be shown, anything else missing is shown as missing.
//! Statuses and task types the app does not know are kept as they came.

use std::collections::BTreeMap;

use serde_json::Value;

use super::error::ApiError;
use super::time::{parse_timestamp, Instant};

/// Where a task is in its life, as the API names it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TaskStatus {
    /// `submission_phase`: training nodes may submit.
    SubmissionPhase,
    /// `finalized`: scoring is over.
    Finalized,
    /// Any other status, kept verbatim (the API has at least one undocumented status).
    Other(String),
}

impl TaskStatus {
    /// Read the API's string.
    pub fn from_api(raw: &str) -> Self {
        match raw {
            "submission_phase" => TaskStatus::SubmissionPhase,
            "finalized" => TaskStatus::Finalized,
            other => TaskStatus::Other(other.to_string()),
        }
    }

    /// The API's string for this status.
    pub fn as_api(&self) -> &str {
        match self {
            TaskStatus::SubmissionPhase => "submission_phase",
            TaskStatus::Finalized => "finalized",
            TaskStatus::Other(raw) => raw,
        }
    }

    /// Words for people.
    pub fn label(&self) -> String {
        match self {
            TaskStatus::SubmissionPhase => "Open for submissions".into(),
            TaskStatus::Finalized => "Finalized".into(),
            TaskStatus::Other(raw) if raw.is_empty() => "No status given".into(),
            TaskStatus::Other(raw) => raw.replace('_', " "),
        }
    }

    /// A CSS modifier for the badge.
    pub fn css_class(&self) -> &'static str {
        match self {
            TaskStatus::SubmissionPhase => "badge--open",
            TaskStatus::Finalized => "badge--finalized",
            TaskStatus::Other(_) => "badge--unknown",
        }
    }

    /// Whether the app has heard of this status.
    pub fn is_known(&self) -> bool {
        !matches!(self, TaskStatus::Other(_))
    }
}

/// What kind of work a task asks for.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum TaskType {
    /// `training`: fine-tune a language model (full or LoRA).
    Training,
    /// `reinforcement_learning`: train a policy, submitted as a model file.
    ReinforcementLearning,
    /// `llm_evaluation`: models scored by an LLM judge.
    LlmEvaluation,
    /// Any other type, kept verbatim.
    Other(String),
}

impl TaskType {
    /// Read the API's string.
    pub fn from_api(raw: &str) -> Self {
        match raw {
            "training" => TaskType::Training,
            "reinforcement_learning" => TaskType::ReinforcementLearning,
            "llm_evaluation" => TaskType::LlmEvaluation,
            other => TaskType::Other(other.to_string()),
        }
    }

    /// The API's string.
    pub fn as_api(&self) -> &str {
        match self {
            TaskType::Training => "training",
            TaskType::ReinforcementLearning => "reinforcement_learning",
            TaskType::LlmEvaluation => "llm_evaluation",
            TaskType::Other(raw) => raw,
        }
    }

    /// Words for people.
    pub fn label(&self) -> String {
        match self {
            TaskType::Training => "Training".into(),
            TaskType::ReinforcementLearning => "Reinforcement learning".into(),
            TaskType::LlmEvaluation => "LLM evaluation".into(),
            TaskType::Other(raw) if raw.is_empty() => "Unspecified".into(),
            TaskType::Other(raw) => raw.clone(),
        }
    }
}

/// One task, from either shape. Fields the shape lacks, or that came unreadable, are `None`.
#[derive(Clone, Debug, PartialEq)]
pub struct Task {
    /// Task id (not contiguous: a test task 99999 sits beside 1, 2, …).
    pub id: u64,
    /// Title, as text.
    pub title: String,
    /// Description: plain text or HTML; show it through [`super::format::description_blocks`].
    pub description: String,
    /// Kind of work.
    pub task_type: TaskType,
    /// Status.
    pub status: TaskStatus,
    /// Planned length of the submission phase, in seconds.
    pub duration_secs: Option<u64>,
    /// When the task opened.
    pub initialized_at: Option<Instant>,
    /// When submissions close.
    pub submission_ends_at: Option<Instant>,
    /// When final validation ends.
    pub final_validation_ends_at: Option<Instant>,
    /// Largest model allowed, in parameters (up to 15 billion and more: 64 bits).
    pub max_params: Option<u64>,
    /// Context length in tokens.
    pub context_length: Option<u64>,
    /// Suggested GPU memory, a human string such as `24GB` (list shape only).
    pub recommended_vram: Option<String>,
    /// Presigned download URL of the training set, valid one hour (detail shape only).
    pub training_set_url: Option<String>,
    /// Storage key of the source dataset (list shape only).
    pub dataset_key: Option<String>,
    /// The winning model's link once there is one (detail shape only).
    pub final_link: Option<String>,
    /// Whether the answer had the detail shape (it carries `final_link`, even when null).
    pub is_detail: bool,
    /// `data` entries the app does not interpret, kept to be shown as they came.
    pub other_data: BTreeMap<String, String>,
    /// The object as the API sent it, for downloads ([`super::export`]).
    pub raw: Value,
}

/// `data` keys read into named fields; all others go to [`Task::other_data`].
const KNOWN_DATA_KEYS: [&str; 5] = [
    "max_params",
    "context_length",
    "recommended_vram",
    "training_set_url",
    "dataset_s3_key",
];

fn text(value: &Value, key: &str) -> Option<String> {
    match value.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A non-negative integer sent as a JSON integer, a whole float or a numeric string.
fn count(value: &Value, key: &str) -> Option<u64> {
    match value.get(key)? {
        Value::Number(n) => n.as_u64().or_else(|| {
            n.as_f64()
                .filter(|f| f.fract() == 0.0 && *f >= 0.0 && *f < 1.8e19)
                .map(|f| f as u64)
        }),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn time(value: &Value, key: &str) -> Option<Instant> {
    value.get(key)?.as_str().and_then(parse_timestamp)
}

impl Task {
    /// Fill what the detail answer lacks (recommended VRAM, the source dataset; limits if
    /// missing) from the same task's entry in the list answer; another task's entry changes
    /// nothing.
    pub fn fill_from_list(&mut self, listed: &Task) {
        if listed.id != self.id {
            return;
        }
        if self.recommended_vram.is_none() {
            self.recommended_vram = listed.recommended_vram.clone();
        }
        if self.dataset_key.is_none() {
            self.dataset_key = listed.dataset_key.clone();
        }
        self.max_params = self.max_params.or(listed.max_params);
        self.context_length = self.context_length.or(listed.context_length);
    }

    /// Read one task object of either shape.
    pub fn from_json(value: &Value) -> Result<Task, ApiError> {
        if !value.is_object() {
            return Err(ApiError::decode("a task", "expected an object"));
        }
        let id = count(value, "id")
            .ok_or_else(|| ApiError::decode("a task", "it has no integer `id`"))?;
        let empty = Value::Null;
        let data = value
            .get("data")
            .filter(|d| d.is_object())
            .unwrap_or(&empty);
        let other_data = data
            .as_object()
            .map(|map| {
                map.iter()
                    .filter(|(k, _)| !KNOWN_DATA_KEYS.contains(&k.as_str()))
                    .map(|(k, v)| {
                        let shown = v.as_str().map_or_else(|| v.to_string(), str::to_string);
                        (k.clone(), shown)
                    })
                    .collect()
            })
            .unwrap_or_default();
        Ok(Task {
            id,
            title: text(value, "title").unwrap_or_default(),
            description: text(value, "description").unwrap_or_default(),
            task_type: TaskType::from_api(&text(value, "task_type").unwrap_or_default()),
            status: TaskStatus::from_api(&text(value, "status").unwrap_or_default()),
            duration_secs: count(value, "duration_in_seconds"),
            initialized_at: time(value, "initialized_at"),
            submission_ends_at: time(value, "submission_phase_ends_at"),
            final_validation_ends_at: time(value, "final_validation_ends_at"),
            max_params: count(data, "max_params"),
            context_length: count(data, "context_length"),
            recommended_vram: text(data, "recommended_vram"),
            training_set_url: text(data, "training_set_url"),
            dataset_key: text(data, "dataset_s3_key"),
            final_link: text(value, "final_link").filter(|s| !s.trim().is_empty()),
            is_detail: value.get("final_link").is_some(),
            other_data,
            raw: value.clone(),
        })
    }

    /// The title to show: as sent, or "(untitled)" when it is blank.
    pub fn shown_title(&self) -> String {
        if self.title.trim().is_empty() {
            "(untitled)".to_string()
        } else {
            self.title.clone()
        }
    }

    /// Read a `tasks/get` body.
    pub fn parse_detail(body: &str) -> Result<Task, ApiError> {
        let value: Value =
            serde_json::from_str(body).map_err(|e| ApiError::decode("the task", e))?;
        Task::from_json(&value)
    }

    /// The final link, only when it is a web address that is safe to open (`http(s)://`).
    pub fn safe_final_link(&self) -> Option<&str> {
        self.final_link.as_deref().filter(|l| is_web_url(l))
    }

    /// The training-set URL, only when it is a web address that is safe to open.
    pub fn safe_training_set_url(&self) -> Option<&str> {
        self.training_set_url.as_deref().filter(|l| is_web_url(l))
    }
}

/// Whether `link` is an absolute `http://` or `https://` URL, the only kind the app links to
/// (`javascript:`, `data:` and relative links from remote data are shown as text).
pub fn is_web_url(link: &str) -> bool {
    let lower = link.trim_start().to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://"))
        && !link.chars().any(|c| c.is_control() || c.is_whitespace())
}

/// A `tasks/list` answer: the tasks read, and what could not be read (never silently dropped).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TaskList {
    /// Tasks in the order received.
    pub tasks: Vec<Task>,
    /// One line per array element that was not a readable task.
    pub unreadable: Vec<String>,
}

impl TaskList {
    /// Read a `tasks/list` body: a bare JSON array.
    pub fn parse(body: &str) -> Result<TaskList, ApiError> {
        let value: Value =
            serde_json::from_str(body).map_err(|e| ApiError::decode("the task list", e))?;
        let Value::Array(items) = value else {
            return Err(ApiError::decode(
                "the task list",
                "expected a JSON array of tasks",
            ));
        };
        let mut list = TaskList::default();
        for (index, item) in items.iter().enumerate() {
            match Task::from_json(item) {
                Ok(task) => list.tasks.push(task),
                Err(e) => list
                    .unreadable
                    .push(format!("entry {}: {}", index + 1, e.detail())),
            }
        }
        Ok(list)
    }

    /// Join several lists (e.g. one per status) into one, each id once. A detail-shaped
    /// or later entry does not replace an earlier one: lists are all the same shape.
    pub fn union(lists: impl IntoIterator<Item = TaskList>) -> TaskList {
        let mut merged = TaskList::default();
        let mut seen = std::collections::HashSet::new();
        for list in lists {
            for task in list.tasks {
                if seen.insert(task.id) {
                    merged.tasks.push(task);
                }
            }
            merged.unreadable.extend(list.unreadable);
        }
        merged
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIST: &str = include_str!("../../tests/fixtures/tasks/list.json");
    const DETAIL: &str = include_str!("../../tests/fixtures/tasks/detail.json");
    const INVENTED: &str = include_str!("../../tests/fixtures/tasks/invented.json");

    fn details() -> Vec<Task> {
        let values: Vec<Value> = serde_json::from_str(DETAIL).unwrap_or_default();
        values
            .iter()
            .filter_map(|v| Task::from_json(v).ok())
            .collect()
    }

    #[test]
    fn list_shape_reads_storage_keys_and_vram_without_final_link() {
        let list = TaskList::parse(LIST).unwrap_or_default();
        assert_eq!(list.tasks.len(), 8);
        assert!(list.unreadable.is_empty());
        let seven = list.tasks.iter().find(|t| t.id == 7).cloned();
        let seven = seven.unwrap_or_else(|| panic!("task 7 missing"));
        assert_eq!(seven.max_params, Some(15_000_000_000));
        assert_eq!(seven.context_length, Some(8192));
        assert_eq!(seven.recommended_vram.as_deref(), Some("48GB"));
        assert_eq!(
            seven.dataset_key.as_deref(),
            Some("onekey-security/combined.jsonl")
        );
        assert_eq!(seven.final_link, None);
        assert!(!seven.is_detail);
        assert_eq!(seven.status, TaskStatus::SubmissionPhase);
        // Storage keys the app does not interpret are kept for display.
        assert_eq!(
            seven.other_data.get("training_set_key").map(String::as_str),
            Some("7/training_set.jsonl")
        );
        let test_run = list.tasks.iter().find(|t| t.id == 99_999);
        assert_eq!(test_run.and_then(|t| t.recommended_vram.clone()), None);
    }

    #[test]
    fn detail_shape_reads_url_and_nullable_final_link() {
        let details = details();
        assert_eq!(details.len(), 8);
        let one = details.iter().find(|t| t.id == 1);
        assert_eq!(
            one.and_then(|t| t.safe_final_link()),
            Some(
                "https://huggingface.co/jfranklin-foundry/task-1-microsoft-Phi-3-mini-4k-instruct"
            )
        );
        let seven = details.iter().find(|t| t.id == 7);
        assert!(seven.is_some_and(|t| t.final_link.is_none() && t.is_detail));
        assert!(seven.is_some_and(|t| t.safe_training_set_url().is_some()));
        assert_eq!(
            seven
                .and_then(|t| t.submission_ends_at)
                .map(|t| t.timestamp()),
            Some(1_745_452_799)
        );
    }

    #[test]
    fn unknown_statuses_and_types_are_kept_verbatim() {
        let invented: Value = serde_json::from_str(INVENTED).unwrap_or_default();
        let list = TaskList::parse(&invented["list"].to_string()).unwrap_or_default();
        let eleven = list.tasks.iter().find(|t| t.id == 11);
        assert_eq!(
            eleven.map(|t| t.status.clone()),
            Some(TaskStatus::Other("final_validation".into()))
        );
        assert_eq!(
            eleven.map(|t| t.status.label()),
            Some("final validation".into())
        );
        let nine = list.tasks.iter().find(|t| t.id == 9);
        assert_eq!(
            nine.map(|t| t.task_type.clone()),
            Some(TaskType::ReinforcementLearning)
        );
        let twelve = list.tasks.iter().find(|t| t.id == 12);
        assert_eq!(
            twelve.map(|t| t.task_type.label()),
            Some("<b>training</b>".into())
        );
    }

    #[test]
    fn dangerous_links_are_not_offered() {
        let invented: Value = serde_json::from_str(INVENTED).unwrap_or_default();
        let detail = invented["detail"].as_array().cloned().unwrap_or_default();
        let twelve = detail.iter().find(|t| t["id"] == 12).map(Task::from_json);
        let twelve = twelve.and_then(Result::ok);
        assert!(twelve.as_ref().is_some_and(|t| t.final_link.is_some()));
        assert_eq!(
            twelve.and_then(|t| t.safe_final_link().map(str::to_string)),
            None
        );
        for bad in [
            "javascript:alert(1)",
            " JavaScript:x",
            "data:text/html,x",
            "/relative",
            "https://x/ y",
        ] {
            assert!(!is_web_url(bad), "{bad}");
        }
    }

    #[test]
    fn lenient_fields_strict_id() {
        let odd = r#"[{"id": "3", "data": {"max_params": 1.5e10, "context_length": "4096", "eval_args": {"k": 1}}},
                      {"title": "no id"}, 17, {"id": 5, "initialized_at": "soon", "status": null}]"#;
        let list = TaskList::parse(odd).unwrap_or_default();
        assert_eq!(list.tasks.len(), 2);
        assert_eq!(list.unreadable.len(), 2);
        assert_eq!(list.tasks[0].max_params, Some(15_000_000_000));
        assert_eq!(list.tasks[0].context_length, Some(4096));
        assert_eq!(
            list.tasks[0]
                .other_data
                .get("eval_args")
                .map(String::as_str),
            Some("{\"k\":1}")
        );
        assert_eq!(list.tasks[1].initialized_at, None);
        assert_eq!(list.tasks[1].status, TaskStatus::Other(String::new()));
    }

    #[test]
    fn non_arrays_and_broken_json_are_decode_errors() {
        assert!(matches!(
            TaskList::parse("{\"message\":\"maintenance\"}"),
            Err(ApiError::Decode { .. })
        ));
        assert!(matches!(
            TaskList::parse("[{\"id\": 1, \"ti"),
            Err(ApiError::Decode { .. })
        ));
        assert!(matches!(
            Task::parse_detail("[]"),
            Err(ApiError::Decode { .. })
        ));
    }

    #[test]
    fn a_detail_gets_what_only_the_list_has() {
        let mut detail = details().into_iter().find(|t| t.id == 7).unwrap();
        let list = TaskList::parse(LIST).unwrap();
        let listed = list.tasks.iter().find(|t| t.id == 7).unwrap();
        assert_eq!(
            (
                detail.recommended_vram.as_deref(),
                detail.dataset_key.as_deref()
            ),
            (None, None)
        );
        let other = list.tasks.iter().find(|t| t.id != 7).unwrap();
        detail.fill_from_list(other);
        assert_eq!(
            detail.recommended_vram, None,
            "another task's entry changes nothing"
        );
        detail.fill_from_list(listed);
        assert_eq!(detail.recommended_vram.as_deref(), Some("48GB"));
        assert_eq!(
            detail.dataset_key.as_deref(),
            Some("onekey-security/combined.jsonl")
        );
        assert!(
            detail.training_set_url.is_some(),
            "the detail's own fields stay"
        );
    }

    #[test]
    fn union_keeps_each_id_once() {
        let list = TaskList::parse(LIST).unwrap_or_default();
        let merged = TaskList::union([list.clone(), list.clone()]);
        assert_eq!(merged.tasks.len(), list.tasks.len());
    }
}
