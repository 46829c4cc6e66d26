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
}

impl Submission {
    /// Read one item.
    pub fn from_json(value: &Value) -> Result<Submission, String> {
        if !value.is_object() {
            return Err("not an object".into());
        }
        let score = |key: &str| value.get(key).and_then(Value::as_f64);
        Ok(Submission {
            task_id: value.get("task_id").and_then(Value::as_u64),
            link: value
                .get("link")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            submission_score: score("submission_phase_score"),
            final_score: score("final_validation_score"),
            submitted_at: value
                .get("submitted_at")
                .and_then(Value::as_str)
                .and_then(parse_timestamp),
            revision: value
                .get("revision")
                .and_then(Value::as_str)
                .map(str::to_string),
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

/// A task a medal (or a participation) came from.
#[derive(Clone, Debug, PartialEq)]
pub struct MedalTask {
    /// The task.
    pub task_id: Option<u64>,
    /// Rank reached.
    pub rank: Option<u64>,
    /// `gold`, `silver`, `bronze`, or none.
    pub medal: Option<String>,
}

/// A wallet's medals in one role.
#[derive(Clone, Debug, PartialEq)]
pub struct Achievements {
    /// Gold medals.
    pub gold: u64,
    /// Silver medals.
    pub silver: u64,
    /// Bronze medals.
    pub bronze: u64,
    /// Tasks taken part in.
    pub participations: u64,
    /// Per-task records.
    pub tasks: Vec<MedalTask>,
}

/// Read an achievements body.
pub fn parse_achievements(body: &str) -> Result<Achievements, ApiError> {
    let what = "the medals";
    let value: Value = serde_json::from_str(body).map_err(|e| ApiError::decode(what, e))?;
    if !value.is_object() {
        return Err(ApiError::decode(what, "expected an object"));
    }
    let count = |key: &str| value.get(key).and_then(Value::as_u64).unwrap_or(0);
    let tasks = value
        .get("tasks")
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .map(|t| match t {
                    // Possibly a bare task id.
                    Value::Number(n) => MedalTask {
                        task_id: n.as_u64(),
                        rank: None,
                        medal: None,
                    },
                    _ => MedalTask {
                        task_id: t
                            .get("task_id")
                            .or_else(|| t.get("id"))
                            .and_then(Value::as_u64),
                        rank: t.get("rank").and_then(Value::as_u64),
                        medal: t.get("medal").and_then(Value::as_str).map(str::to_string),
                    },
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(Achievements {
        gold: count("gold_medals"),
        silver: count("silver_medals"),
        bronze: count("bronze_medals"),
        participations: count("total_participations"),
        tasks,
    })
}

/// A task a wallet is enrolled in.
#[derive(Clone, Debug, PartialEq)]
pub struct Enrollment {
    /// The task.
    pub task_id: u64,
    /// The role, when the answer says.
    pub role: Option<String>,
}

/// Read an enrolled-tasks body: a list of task ids, or of objects with `task_id` (or `id`).
pub fn parse_enrolled(body: &str) -> Result<Vec<Enrollment>, ApiError> {
    let what = "the enrolled tasks";
    let value: Value = serde_json::from_str(body).map_err(|e| ApiError::decode(what, e))?;
    let items = match &value {
        Value::Array(items) => items,
        _ => value
            .get("items")
            .and_then(Value::as_array)
            .ok_or_else(|| ApiError::decode(what, "expected a list"))?,
    };
    Ok(items
        .iter()
        .filter_map(|item| match item {
            Value::Number(n) => n.as_u64().map(|task_id| Enrollment {
                task_id,
                role: None,
            }),
            _ => Some(Enrollment {
                task_id: item
                    .get("task_id")
                    .or_else(|| item.get("id"))
                    .and_then(Value::as_u64)?,
                role: item.get("role").and_then(Value::as_str).map(str::to_string),
            }),
        })
        .collect())
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
            (0, 0, 0)
        );
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
    fn enrolled_tasks_accept_ids_or_objects() {
        let list =
            parse_enrolled(r#"[7, {"task_id": 8, "role": "node"}, {"id": 9}, {"nothing": 1}]"#)
                .unwrap();
        assert_eq!(
            list.iter().map(|e| e.task_id).collect::<Vec<_>>(),
            vec![7, 8, 9]
        );
        assert_eq!(list[1].role.as_deref(), Some("node"));
        assert!(parse_enrolled("{}").is_err());
    }
}
