//! What the API says about one wallet: its submissions (`stats/submissions/{address}` and, for
//! the key's own wallet, `tasks/wallet-submissions`), its medals (`stats/achievements/{address}`)
//! and the tasks it is enrolled in (`stats/enrolled-tasks/{address}`).
//!
//! Several of these shapes were never recorded from the real API; reading is lenient and keeps
//! whatever it cannot interpret visible rather than dropping it.

use serde_json::Value;

use super::error::ApiError;
use super::order::missing_last;
use super::task::is_web_url;
use super::time::{parse_timestamp, Instant};
use super::unread::{Notes, Unread};

/// One submitted model.
#[derive(Clone, Debug, PartialEq)]
pub struct Submission {
    /// The task it was submitted to, when the answer says.
    pub task_id: Option<u64>,
    /// Link to the model repository (Hugging Face), as sent.
    pub link: String,
    /// Score during the submission phase (`null` until scored).
    pub submission_score: Option<f64>,
    /// Score in final validation (`null` until scored).
    pub final_score: Option<f64>,
    /// When it was submitted.
    pub submitted_at: Option<Instant>,
    /// The commit submitted, when the answer says.
    pub revision: Option<String>,
    /// Fields of this row that could not be read (shown blank).
    pub unread: Vec<Unread>,
    /// The object as the API sent it, for downloads ([`super::export`]).
    pub raw: Value,
}

impl Submission {
    /// Read one item. The four fields recorded from the real API (`link`, both scores,
    /// `submitted_at`) are expected; `task_id` and `revision` may be absent.
    pub fn from_json(value: &Value) -> Result<Submission, String> {
        if !value.is_object() {
            return Err("not an object".into());
        }
        let mut notes = Notes::new();
        let link = notes.text(value, "link").unwrap_or_default();
        let submission_score = notes.nullable_number(value, "submission_phase_score");
        let final_score = notes.nullable_number(value, "final_validation_score");
        let submitted_at = notes.text(value, "submitted_at").and_then(|text| {
            let when = parse_timestamp(&text);
            if when.is_none() {
                notes.note("submitted_at", value.get("submitted_at"));
            }
            when
        });
        Ok(Submission {
            task_id: notes.optional_count(value, "task_id", "task_id"),
            link,
            submission_score,
            final_score,
            submitted_at,
            revision: notes.optional_text(value, "revision", "revision"),
            unread: notes.into_vec(),
            raw: value.clone(),
        })
    }

    /// The link, only when it is a web address.
    pub fn safe_link(&self) -> Option<&str> {
        Some(self.link.as_str()).filter(|l| is_web_url(l))
    }

    /// The repository name for display: the link without `https://huggingface.co/`.
    pub fn repo_label(&self) -> String {
        let link = self.link.trim();
        link.strip_prefix("https://huggingface.co/")
            .unwrap_or(link)
            .to_string()
    }
}

/// Newest first; undated last.
pub fn newest_first(submissions: &mut [Submission]) {
    submissions.sort_by(|a, b| missing_last(a.submitted_at, b.submitted_at, true));
}

/// A role a wallet can take in a task.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Training node: submits models.
    Node,
    /// Validator: scores them.
    Validator,
}

impl Role {
    /// The API's `role` value.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Node => "node",
            Role::Validator => "validator",
        }
    }

    /// Words for people.
    pub fn label(self) -> &'static str {
        match self {
            Role::Node => "Training node",
            Role::Validator => "Validator",
        }
    }
}

/// A task a medal (or a participation) came from. The shape of these records was never recorded:
/// a bare task id or an object with `task_id` (or `id`), `rank` and `medal` are read.
#[derive(Clone, Debug, PartialEq)]
pub struct MedalTask {
    /// The task.
    pub task_id: Option<u64>,
    /// Rank reached.
    pub rank: Option<u64>,
    /// `gold`, `silver`, `bronze`, or none.
    pub medal: Option<String>,
}

/// A wallet's medals in one role. A count is `None` when the answer did not give it as a whole
/// number (then [`Achievements::unread`] says what came).
#[derive(Clone, Debug, PartialEq)]
pub struct Achievements {
    /// Gold medals.
    pub gold: Option<u64>,
    /// Silver medals.
    pub silver: Option<u64>,
    /// Bronze medals.
    pub bronze: Option<u64>,
    /// Tasks taken part in.
    pub participations: Option<u64>,
    /// Per-task records.
    pub tasks: Vec<MedalTask>,
    /// What could not be read.
    pub unread: Vec<Unread>,
}

/// Read an achievements body.
pub fn parse_achievements(body: &str) -> Result<Achievements, ApiError> {
    let what = "the medals";
    let value: Value = serde_json::from_str(body).map_err(|e| ApiError::decode(what, e))?;
    if !value.is_object() {
        return Err(ApiError::decode(what, "expected an object"));
    }
    let mut notes = Notes::new();
    let gold = notes.count(&value, "gold_medals");
    let silver = notes.count(&value, "silver_medals");
    let bronze = notes.count(&value, "bronze_medals");
    let participations = notes.count(&value, "total_participations");
    let tasks = match value.get("tasks") {
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .filter_map(|(i, item)| medal_task(item, &format!("tasks[{i}]"), &mut notes))
            .collect(),
        other => {
            notes.note("tasks", other);
            Vec::new()
        }
    };
    Ok(Achievements {
        gold,
        silver,
        bronze,
        participations,
        tasks,
        unread: notes.into_vec(),
    })
}

/// One entry of `tasks`: a bare id, or an object; anything else is noted and skipped.
fn medal_task(item: &Value, field: &str, notes: &mut Notes) -> Option<MedalTask> {
    match item {
        Value::Number(n) => {
            let task_id = n.as_u64();
            if task_id.is_none() {
                notes.note(field, Some(item));
            }
            Some(MedalTask {
                task_id,
                rank: None,
                medal: None,
            })
        }
        Value::Object(map) => {
            let id = map.get("task_id").or_else(|| map.get("id"));
            let task_id = id.and_then(Value::as_u64);
            if task_id.is_none() {
                notes.note(format!("{field}.task_id"), id);
            }
            Some(MedalTask {
                task_id,
                rank: notes.optional_count(item, "rank", &format!("{field}.rank")),
                medal: notes.optional_text(item, "medal", &format!("{field}.medal")),
            })
        }
        _ => {
            notes.note(field, Some(item));
            None
        }
    }
}

/// A task a wallet is enrolled in.
#[derive(Clone, Debug, PartialEq)]
pub struct Enrollment {
    /// The task.
    pub task_id: u64,
    /// The role, when the answer says.
    pub role: Option<String>,
}

/// The enrolled-tasks answer as read.
#[derive(Clone, Debug, PartialEq)]
pub struct Enrolled {
    /// The tasks, in the answer's order.
    pub tasks: Vec<Enrollment>,
    /// Entries or fields that could not be read (an entry without a task id is left out).
    pub unread: Vec<Unread>,
}

/// Read an enrolled-tasks body: a list (or a page's `items`) of task ids, or of objects with
/// `task_id` (or `id`) and perhaps `role`. The shape was never recorded from the real API.
pub fn parse_enrolled(body: &str) -> Result<Enrolled, ApiError> {
    let what = "the enrolled tasks";
    let value: Value = serde_json::from_str(body).map_err(|e| ApiError::decode(what, e))?;
    let items = match &value {
        Value::Array(items) => items,
        _ => value
            .get("items")
            .and_then(Value::as_array)
            .ok_or_else(|| ApiError::decode(what, "expected a list"))?,
    };
    let mut notes = Notes::new();
    let tasks = items
        .iter()
        .enumerate()
        .filter_map(|(i, item)| {
            let field = format!("[{i}]");
            let id = match item {
                Value::Object(map) => map.get("task_id").or_else(|| map.get("id")),
                _ => Some(item),
            };
            let Some(task_id) = id.and_then(Value::as_u64) else {
                let field = if item.is_object() {
                    format!("{field}.task_id")
                } else {
                    field
                };
                notes.note(field, id);
                return None;
            };
            let role = notes.optional_text(item, "role", &format!("{field}.role"));
            Some(Enrollment { task_id, role })
        })
        .collect();
    Ok(Enrolled {
        tasks,
        unread: notes.into_vec(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn submissions_keep_null_scores_and_sort_newest_first() {
        let a = Submission::from_json(&serde_json::json!({"link": "https://huggingface.co/u/a", "submission_phase_score": null, "final_validation_score": null, "submitted_at": "2025-03-28T12:45:21.402671"})).unwrap();
        let b = Submission::from_json(&serde_json::json!({"task_id": 7, "link": "javascript:alert(1)", "submission_phase_score": 0.41, "submitted_at": "2025-04-10T13:05:58.502101"})).unwrap();
        assert_eq!(
            (a.submission_score, a.final_score, a.task_id),
            (None, None, None)
        );
        assert_eq!(a.repo_label(), "u/a");
        assert_eq!(b.safe_link(), None);
        let mut list = vec![a.clone(), b.clone()];
        newest_first(&mut list);
        assert_eq!(list, vec![b, a]);
    }

    #[test]
    fn achievements_read_the_recorded_zero_shape_and_richer_ones() {
        let zero = parse_achievements(r#"{"gold_medals":0,"silver_medals":0,"bronze_medals":0,"total_participations":0,"tasks":[]}"#).unwrap();
        assert_eq!(
            (zero.gold, zero.participations, zero.tasks.len()),
            (Some(0), Some(0), 0)
        );
        assert!(zero.unread.is_empty());
        let rich = parse_achievements(
            r#"{"gold_medals":1,"tasks":[{"task_id":1,"rank":1,"medal":"gold"},7]}"#,
        )
        .unwrap();
        assert_eq!(
            rich.tasks[0],
            MedalTask {
                task_id: Some(1),
                rank: Some(1),
                medal: Some("gold".into())
            }
        );
        assert_eq!(rich.tasks[1].task_id, Some(7));
        assert!(parse_achievements("[]").is_err());
    }

    #[test]
    fn achievements_say_which_fields_they_could_not_read() {
        let odd = parse_achievements(
            r#"{"gold_medals":"1","silver_medals":0,"bronze_medals":0,
                "tasks":[{"task_id":7,"rank":"first","medal":"gold"},{"rank":2},"x",3]}"#,
        )
        .unwrap();
        assert_eq!((odd.gold, odd.silver), (None, Some(0)));
        assert_eq!(
            odd.tasks.len(),
            3,
            "the entry without an id is kept, the text is not"
        );
        assert_eq!(odd.tasks[0].rank, None);
        let unread: Vec<String> = odd.unread.iter().map(Unread::to_string).collect();
        assert_eq!(
            unread,
            vec![
                "gold_medals: the text “1”",
                "total_participations: nothing (the field is missing)",
                "tasks[0].rank: the text “first”",
                "tasks[1].task_id: nothing (the field is missing)",
                "tasks[2]: the text “x”",
            ]
        );
        let no_tasks = parse_achievements(
            r#"{"gold_medals":0,"silver_medals":0,"bronze_medals":0,"total_participations":0}"#,
        )
        .unwrap();
        assert_eq!(
            no_tasks.unread[0].to_string(),
            "tasks: nothing (the field is missing)"
        );
    }

    #[test]
    fn submission_rows_note_missing_and_mistyped_fields() {
        let row = Submission::from_json(&serde_json::json!({
            "link": "https://huggingface.co/u/a",
            "submission_phase_score": "0.4",
            "submitted_at": 1712754358,
            "task_id": "7"
        }))
        .unwrap();
        let unread: Vec<String> = row.unread.iter().map(Unread::to_string).collect();
        assert_eq!(
            unread,
            vec![
                "submission_phase_score: the text “0.4”",
                "final_validation_score: nothing (the field is missing)",
                "submitted_at: the number 1712754358",
                "task_id: the text “7”",
            ]
        );
        let bad_date = Submission::from_json(&serde_json::json!({
            "link": "l", "submission_phase_score": null, "final_validation_score": 1,
            "submitted_at": "yesterday"
        }))
        .unwrap();
        assert_eq!(bad_date.unread.len(), 1);
        assert_eq!(
            bad_date.unread[0].to_string(),
            "submitted_at: the text “yesterday”"
        );
    }

    #[test]
    fn enrolled_tasks_accept_ids_or_objects() {
        let read = parse_enrolled(
            r#"[7, {"task_id": 8, "role": "node"}, {"id": 9, "role": 2}, {"nothing": 1}, "10"]"#,
        )
        .unwrap();
        let list = &read.tasks;
        assert_eq!(
            list.iter().map(|e| e.task_id).collect::<Vec<_>>(),
            vec![7, 8, 9]
        );
        assert_eq!(list[1].role.as_deref(), Some("node"));
        let unread: Vec<String> = read.unread.iter().map(Unread::to_string).collect();
        assert_eq!(
            unread,
            vec![
                "[2].role: the number 2",
                "[3].task_id: nothing (the field is missing)",
                "[4]: the text “10”",
            ]
        );
        assert!(parse_enrolled("{}").is_err());
    }
}
