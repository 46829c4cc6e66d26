//! The fake fed-ledger routes under `/api/v1/`, answering from the JSON fixtures.
//!
//! Behaviour follows `flock-api.md`: `tasks/get` answers the detail shape (a fresh presigned
//! `training_set_url`, nullable `final_link`), `tasks/list` a bare array of the list shape in an
//! order that changes from call to call, and bad parameters get FastAPI's 422 bodies.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDateTime, SubsecRound};
use serde_json::{json, Value};

const LIST: &str = include_str!("../../fixtures/tasks/list.json");
const DETAIL: &str = include_str!("../../fixtures/tasks/detail.json");
const INVENTED: &str = include_str!("../../fixtures/tasks/invented.json");

/// Statuses `tasks/list?status=` accepts; like a FastAPI enum parameter, others get a 422.
const STATUSES: [&str; 3] = ["submission_phase", "final_validation", "finalized"];

/// The timestamp fields of a task object.
const TIME_FIELDS: [&str; 3] = [
    "initialized_at",
    "submission_phase_ends_at",
    "final_validation_ends_at",
];

/// Python's `isoformat()`: the fraction is left out when it is zero.
const NAIVE_FORMAT: &str = "%Y-%m-%dT%H:%M:%S%.f";

/// An answer before it is turned into HTTP.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    /// HTTP status.
    pub status: u16,
    /// JSON body.
    pub body: Value,
}

impl Reply {
    pub(crate) fn ok(body: Value) -> Self {
        Reply { status: 200, body }
    }

    pub(crate) fn detail(status: u16, detail: impl Into<Value>) -> Self {
        Reply {
            status,
            body: json!({ "detail": detail.into() }),
        }
    }

    /// FastAPI/pydantic v2's 422 for one bad query parameter.
    pub(crate) fn invalid_query(kind: &str, name: &str, msg: &str, input: Option<&str>) -> Self {
        Reply::detail(
            422,
            json!([{ "type": kind, "loc": ["query", name], "msg": msg, "input": input }]),
        )
    }

    /// The 404 FastAPI gives for a path with no route.
    pub fn not_found() -> Self {
        Reply::detail(404, "Not Found")
    }
}

/// The task records, with the invented ones moved to the present.
#[derive(Debug)]
pub struct Data {
    list: Vec<Value>,
    detail: BTreeMap<u64, Value>,
}

fn parse_fixture(text: &str, name: &str) -> Value {
    // The fixtures are compiled in and checked by this crate's tests; a broken one is a bug in
    // the repository, so failing at start-up is the right answer.
    serde_json::from_str(text).unwrap_or_else(|e| panic!("fixture {name} is not valid JSON: {e}"))
}

fn array(value: Value) -> Vec<Value> {
    match value {
        Value::Array(items) => items,
        _ => Vec::new(),
    }
}

/// Shift the timestamps of an invented task by `offset`, keeping Python's formatting.
fn rebase(task: &mut Value, offset: Duration) {
    for field in TIME_FIELDS {
        let Some(text) = task.get(field).and_then(Value::as_str) else {
            continue;
        };
        if let Ok(time) = NaiveDateTime::parse_from_str(text, NAIVE_FORMAT) {
            task[field] = Value::String((time + offset).format(NAIVE_FORMAT).to_string());
        }
    }
}

impl Data {
    /// Load the fixtures; invented tasks are shifted so their reference time becomes `now`.
    pub fn load(now: NaiveDateTime) -> Self {
        let mut list = array(parse_fixture(LIST, "tasks/list.json"));
        let mut details = array(parse_fixture(DETAIL, "tasks/detail.json"));
        let invented = parse_fixture(INVENTED, "tasks/invented.json");
        let reference = invented["reference_time"]
            .as_str()
            .and_then(|s| NaiveDateTime::parse_from_str(s, NAIVE_FORMAT).ok())
            .unwrap_or(now);
        // Whole seconds, so fixture times without a fraction stay without one.
        let offset = now.trunc_subsecs(0) - reference;
        for (target, key) in [(&mut list, "list"), (&mut details, "detail")] {
            for mut task in array(invented[key].clone()) {
                rebase(&mut task, offset);
                target.push(task);
            }
        }
        let detail = details
            .into_iter()
            .filter_map(|t| Some((t["id"].as_u64()?, t)))
            .collect();
        Data { list, detail }
    }

    /// The detail record of task `id`, as stored.
    pub fn task_record(&self, id: u64) -> Option<&Value> {
        self.detail.get(&id)
    }

    /// Answer `GET /api/v1/{route}`; `None` when no such route exists.
    pub fn get(&self, route: &str, query: &[(String, String)], call: u64) -> Option<Reply> {
        let param = |name: &str| {
            query
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
        };
        Some(match route {
            "health" => Reply::ok(json!({ "status": "ok" })),
            "tasks/get" => self.task(param("task_id")),
            "tasks/list" => self.tasks(param("status"), call),
            _ => return None,
        })
    }

    fn task(&self, task_id: Option<&str>) -> Reply {
        let Some(raw) = task_id else {
            return Reply::invalid_query("missing", "task_id", "Field required", None);
        };
        let Ok(id) = raw.trim().parse::<u64>() else {
            return Reply::invalid_query(
                "int_parsing",
                "task_id",
                "Input should be a valid integer, unable to parse string as an integer",
                Some(raw),
            );
        };
        let Some(task) = self.detail.get(&id) else {
            return Reply::detail(404, "Task not found");
        };
        let mut task = task.clone();
        if let Some(url) = task["data"]["training_set_url"].as_str() {
            task["data"]["training_set_url"] = Value::String(presign(url));
        }
        Reply::ok(task)
    }

    fn tasks(&self, status: Option<&str>, call: u64) -> Reply {
        if let Some(status) = status {
            if !STATUSES.contains(&status) {
                return Reply::invalid_query(
                    "enum",
                    "status",
                    "Input should be 'submission_phase', 'final_validation' or 'finalized'",
                    Some(status),
                );
            }
        }
        let mut tasks: Vec<Value> = self
            .list
            .iter()
            .filter(|t| status.is_none_or(|s| t["status"] == s))
            .cloned()
            .collect();
        // The real list comes in no stable order; make each call differ so clients must sort.
        if !tasks.is_empty() {
            let turn = (call as usize) % tasks.len();
            tasks.rotate_left(turn);
            if call % 2 == 1 {
                tasks.reverse();
            }
        }
        Reply::ok(Value::Array(tasks))
    }
}

/// A presigned URL is regenerated on every `tasks/get`: give it the current `X-Amz-Date`.
fn presign(url: &str) -> String {
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ").to_string();
    match url.find("X-Amz-Date=") {
        Some(at) => {
            let start = at + "X-Amz-Date=".len();
            let end = url[start..].find('&').map_or(url.len(), |i| start + i);
            format!("{}{}{}", &url[..start], stamp, &url[end..])
        }
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data() -> Data {
        let now = NaiveDateTime::parse_from_str("2026-11-25T12:00:00.250000", NAIVE_FORMAT)
            .unwrap_or_default();
        Data::load(now)
    }

    fn ids(reply: &Reply) -> Vec<u64> {
        let mut ids: Vec<u64> = reply
            .body
            .as_array()
            .map(|a| a.iter().filter_map(|t| t["id"].as_u64()).collect())
            .unwrap_or_default();
        ids.sort_unstable();
        ids
    }

    #[test]
    fn invented_tasks_are_moved_to_the_present_keeping_the_format() {
        let data = data();
        let reply = data.task(Some("8"));
        assert_eq!(reply.status, 200);
        // Reference 2025-04-10T13:09:00 becomes 2026-11-25T12:00:00 (fraction dropped).
        assert_eq!(
            reply.body["submission_phase_ends_at"],
            "2026-11-27T22:50:59.118230"
        );
        let no_fraction = data.task(Some("10"));
        assert_eq!(no_fraction.body["initialized_at"], "2026-11-23T22:51:00");
    }

    #[test]
    fn list_filters_by_status_and_changes_order() {
        let data = data();
        let open = data.tasks(Some("submission_phase"), 0);
        assert_eq!(ids(&open), vec![7, 8, 9, 10, 12]);
        let all = data.tasks(None, 0);
        assert_eq!(all.body.as_array().map(Vec::len), Some(13));
        assert_ne!(data.tasks(None, 1).body, all.body, "order must vary");
        assert!(all.body[0].get("final_link").is_none());
        assert_eq!(data.tasks(Some("open"), 0).status, 422);
    }

    #[test]
    fn get_validates_task_id_like_fastapi() {
        let data = data();
        assert_eq!(data.task(None).status, 422);
        assert_eq!(data.task(Some("seven")).status, 422);
        assert_eq!(data.task(Some("4242")).body["detail"], "Task not found");
        let seven = data.task(Some("7"));
        assert!(seven.body["final_link"].is_null());
        assert!(seven.body["data"]["training_set_url"]
            .as_str()
            .is_some_and(|u| !u.contains("X-Amz-Date=20250410T130858Z")));
    }
}
