//! The fake `stats/*` routes and the keyed `tasks/wallet-submissions`.
//!
//! Wallets, keys and per-wallet records come from `tests/fixtures/stats/wallets.json`; the daily
//! counts keep the real recorded values on their dates (`emissions.json`) and fill the other days
//! from a fixed pseudo-random sequence; leaderboards are generated the same way, large enough to
//! need many pages (tasks 1 and 7 have over 1,000 models), with wallets in mixed case and some
//! null scores. Paging follows fastapi-pagination's `Page` (`items,total,page,size,pages`).
//!
//! Wallet `0x0dd0…0dd1` answers in shapes never recorded (a medal count as text, a rank as a
//! word, an enrolled entry without a task id, a score as text, a time as a number), for the
//! tests of what the page says when it cannot read a field.

use chrono::{Duration, NaiveDate, NaiveDateTime, Timelike};
use serde_json::{json, Value};

use crate::fed_ledger::Reply;

const WALLETS: &str = include_str!("../../fixtures/stats/wallets.json");
const EMISSIONS: &str = include_str!("../../fixtures/stats/emissions.json");

/// fastapi-pagination's defaults and limits.
const DEFAULT_SIZE: u64 = 50;
const MAX_SIZE: u64 = 100;

/// One step of splitmix64: a small, fixed pseudo-random sequence, so every run serves the same data.
fn mix(seed: u64) -> u64 {
    let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A generated wallet address in mixed case, as checksummed addresses look.
fn wallet(seed: u64) -> String {
    let mut out = String::from("0x");
    let mut state = seed;
    for i in 0..40 {
        if i % 16 == 0 {
            state = mix(state);
        }
        let nibble = (state >> ((i % 16) * 4)) & 0xF;
        let c = char::from_digit(nibble as u32, 16).unwrap_or('0');
        let upper = (mix(seed ^ i as u64) & 1) == 1;
        out.push(if upper { c.to_ascii_uppercase() } else { c });
    }
    out
}

/// Which leaderboard.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Board {
    Models,
    Validators,
}

impl Board {
    fn name(self) -> &'static str {
        match self {
            Board::Models => "models",
            Board::Validators => "validators",
        }
    }

    /// Rows per task; tasks not listed have an empty board.
    fn rows(self, task_id: u64) -> u64 {
        match (self, task_id) {
            (Board::Models, 1) => 1_250,
            (Board::Models, 7) => 1_030,
            // Large enough to measure the page with ten thousand rows.
            (Board::Models, 2) => 10_000,
            (Board::Models, 3) => 95,
            (Board::Models, 4) => 160,
            (Board::Models, 5) => 210,
            (Board::Models, 6) => 75,
            (Board::Models, 8) => 40,
            (Board::Models, 10) => 25,
            (Board::Models, 99_999) => 12,
            (Board::Validators, 1) => 1_100,
            (Board::Validators, 7) => 64,
            (Board::Validators, 2..=6) => 30 + task_id * 7,
            (Board::Validators, 99_999) => 5,
            _ => 0,
        }
    }
}

/// The records and the time they are served at.
#[derive(Debug)]
pub struct Stats {
    wallets: Value,
    emissions: Value,
    now: NaiveDateTime,
    /// Submissions accepted by `tasks/submit-result` while running: (wallet, lower case; row).
    accepted: std::sync::Mutex<Vec<(String, Value)>>,
    /// Wallets moved on a board while running (`POST /__sandbox/place`): (task, board name,
    /// wallet, rank), the newest last.
    moved: std::sync::Mutex<Vec<(u64, String, String, u64)>>,
    /// Rows of every board of every task, for benches (`POST /__sandbox/boards`); `None`: the
    /// fixed sizes.
    board_rows: std::sync::Mutex<Option<u64>>,
}

fn page_params(query: &[(String, String)]) -> Result<(u64, u64), Reply> {
    let get = |name: &str| {
        query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let page = match get("page").map(|p| p.parse::<u64>()) {
        None => 1,
        Some(Ok(p)) if p >= 1 => p,
        Some(_) => {
            return Err(Reply::invalid_query(
                "greater_than_equal",
                "page",
                "Input should be greater than or equal to 1",
                get("page"),
            ))
        }
    };
    let size = match get("size").map(|s| s.parse::<u64>()) {
        None => DEFAULT_SIZE,
        Some(Ok(s)) if (1..=MAX_SIZE).contains(&s) => s,
        Some(_) => {
            return Err(Reply::invalid_query(
                "less_than_equal",
                "size",
                "Input should be between 1 and 100",
                get("size"),
            ))
        }
    };
    Ok((page, size))
}

/// A `Page` of `items` (all of them, in order) at `page`/`size`.
fn page_of(items: Vec<Value>, page: u64, size: u64) -> Value {
    let total = items.len() as u64;
    let start = ((page - 1) * size).min(total) as usize;
    let end = (page * size).min(total) as usize;
    json!({
        "items": items[start..end].to_vec(),
        "total": total,
        "page": page,
        "size": size,
        "pages": total.div_ceil(size),
    })
}

fn required_task_id(query: &[(String, String)]) -> Result<u64, Reply> {
    match query.iter().find(|(k, _)| k == "task_id").map(|(_, v)| v) {
        None => Err(Reply::invalid_query(
            "missing",
            "task_id",
            "Field required",
            None,
        )),
        Some(raw) => raw.parse().map_err(|_| {
            Reply::invalid_query(
                "int_parsing",
                "task_id",
                "Input should be a valid integer, unable to parse string as an integer",
                Some(raw),
            )
        }),
    }
}

impl Stats {
    /// Load the fixtures; `now` dates the partial last day of the daily counts.
    pub fn load(now: NaiveDateTime) -> Self {
        let parse = |text: &str, name: &str| -> Value {
            // Compiled-in fixtures checked by this crate's tests: a broken one is a repository bug.
            serde_json::from_str(text).unwrap_or_else(|e| panic!("fixture {name}: {e}"))
        };
        Stats {
            wallets: parse(WALLETS, "stats/wallets.json"),
            emissions: parse(EMISSIONS, "stats/emissions.json"),
            now,
            accepted: std::sync::Mutex::new(Vec::new()),
            moved: std::sync::Mutex::new(Vec::new()),
            board_rows: std::sync::Mutex::new(None),
        }
    }

    /// The wallet a FLock API key belongs to.
    fn wallet_of_key(&self, key: &str) -> Option<String> {
        self.wallets["keys"]
            .as_array()?
            .iter()
            .find(|k| k["key"] == key)
            .and_then(|k| k["wallet"].as_str())
            .map(str::to_string)
    }

    /// Answer `GET /api/v1/{route}`; `None` when this module has no such route.
    pub fn get(
        &self,
        route: &str,
        query: &[(String, String)],
        api_key: Option<&str>,
    ) -> Option<Reply> {
        let param = |name: &str| {
            query
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
        };
        let reply = match route.split_once('/') {
            Some(("tasks", "wallet-submissions")) => self.wallet_submissions(query, api_key),
            Some(("stats", "emissions")) => self.emissions(param("type")),
            Some(("stats", "models")) => self.leaderboard(Board::Models, query),
            Some(("stats", "validators")) => self.leaderboard(Board::Validators, query),
            Some(("stats", rest)) => match rest.split_once('/') {
                Some(("submissions", address)) => self.submissions(address, query),
                Some(("achievements", address)) => self.achievements(address, param("role")),
                Some(("enrolled-tasks", address)) => self.enrolled(address),
                _ => return None,
            },
            _ => return None,
        };
        Some(reply.unwrap_or_else(|error| error))
    }

    fn wallet_submissions(
        &self,
        query: &[(String, String)],
        api_key: Option<&str>,
    ) -> Result<Reply, Reply> {
        let Some(key) = api_key.filter(|k| !k.is_empty()) else {
            return Err(Reply::detail(403, "Not authenticated"));
        };
        let wallet = self
            .wallet_of_key(key)
            .ok_or_else(|| Reply::detail(401, "Invalid API key"))?;
        let task_id = required_task_id(query)?;
        let (page, size) = page_params(query)?;
        let rows: Vec<Value> = self
            .wallet_rows(&wallet)
            .into_iter()
            .filter(|r| r["task_id"] == task_id)
            .collect();
        // The real API accepts a key only for tasks its wallet staked on: here, a task it is
        // enrolled in or has submitted to.
        let enrolled = self.wallets["enrolled_tasks"][wallet.to_ascii_lowercase()]
            .as_array()
            .is_some_and(|tasks| tasks.iter().any(|t| t["task_id"] == task_id));
        if rows.is_empty() && !enrolled {
            return Err(Reply::detail(
                403,
                format!("Wallet has not staked on task {task_id}"),
            ));
        }
        Ok(Reply::ok(page_of(rows, page, size)))
    }

    /// Answer `POST tasks/submit-result`: the key, the body, and the task's phase are checked;
    /// an accepted submission then shows in the key owner's `tasks/wallet-submissions`.
    pub fn submit(
        &self,
        body: &[u8],
        api_key: Option<&str>,
        tasks: &crate::fed_ledger::Data,
    ) -> Reply {
        let Some(key) = api_key.filter(|k| !k.is_empty()) else {
            return Reply::detail(403, "Not authenticated");
        };
        let Some(wallet) = self.wallet_of_key(key) else {
            return Reply::detail(401, "Invalid API key");
        };
        let Ok(request) = serde_json::from_slice::<Value>(body) else {
            return Reply::detail(
                422,
                json!([{ "type": "json_invalid", "loc": ["body"], "msg": "JSON decode error" }]),
            );
        };
        // Like pydantic, a numeric string is accepted for the id.
        let task_id = request["task_id"].as_u64().or_else(|| {
            request["task_id"]
                .as_str()
                .and_then(|s| s.trim().parse().ok())
        });
        let Some(task_id) = task_id else {
            return Reply::detail(
                422,
                json!([{ "type": "int_parsing", "loc": ["body", "task_id"], "msg": "Input should be a valid integer" }]),
            );
        };
        let data = &request["data"];
        for field in ["hg_repo_id", "base_model", "gpu_type", "revision"] {
            if data[field].as_str().is_none_or(|v| v.trim().is_empty()) {
                return Reply::detail(
                    422,
                    json!([{ "type": "missing", "loc": ["body", "data", field], "msg": "Field required" }]),
                );
            }
        }
        let repo = data["hg_repo_id"].as_str().unwrap_or_default();
        if repo.split('/').count() != 2 || repo.split('/').any(str::is_empty) {
            return Reply::detail(
                422,
                json!([{ "type": "value_error", "loc": ["body", "data", "hg_repo_id"], "msg": "Value error, expected <namespace>/<repo>" }]),
            );
        }
        let revision = data["revision"].as_str().unwrap_or_default();
        if revision.len() != 40 || !revision.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Reply::detail(
                422,
                json!([{ "type": "value_error", "loc": ["body", "data", "revision"], "msg": "Value error, revision must be a 40-character commit hash" }]),
            );
        }
        let Some(task) = tasks.task_record(task_id) else {
            return Reply::detail(404, "Task not found");
        };
        let open_until = task["submission_phase_ends_at"]
            .as_str()
            .and_then(|t| NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S%.f").ok());
        let now = chrono::Utc::now().naive_utc();
        if task["status"] != "submission_phase" || open_until.is_none_or(|end| now >= end) {
            return Reply::detail(400, "Task is not in submission phase");
        }
        let mut accepted = self.accepted.lock().unwrap_or_else(|e| e.into_inner());
        let id = 10_000 + accepted.len() as u64;
        let row = json!({
            "task_id": task_id,
            "link": format!("https://huggingface.co/{repo}"),
            "submission_phase_score": null,
            "final_validation_score": null,
            "submitted_at": now.format("%Y-%m-%dT%H:%M:%S%.6f").to_string(),
            "revision": revision,
        });
        accepted.push((wallet.to_ascii_lowercase(), row));
        Reply::ok(json!({ "task_id": task_id, "data": data, "id": id }))
    }

    /// Forget the submissions accepted and the wallets moved while running (tests start from
    /// the fixtures again).
    pub fn clear_accepted(&self) {
        self.accepted
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
        self.moved.lock().unwrap_or_else(|e| e.into_inner()).clear();
        *self.board_rows.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }

    /// Give every board of every task `rows` rows (`None`: the fixed sizes again).
    pub fn set_board_rows(&self, rows: Option<u64>) {
        *self.board_rows.lock().unwrap_or_else(|e| e.into_inner()) = rows;
    }

    /// Put `wallet` at `rank` on `board` (`models` or `validators`) of `task_id`, as a board
    /// changes between two looks at it.
    pub fn place(&self, task_id: u64, board: &str, wallet: &str, rank: u64) -> Result<(), String> {
        if board != "models" && board != "validators" {
            return Err(format!("no board “{board}”"));
        }
        if rank == 0 {
            return Err("ranks start at 1".into());
        }
        self.moved.lock().unwrap_or_else(|e| e.into_inner()).push((
            task_id,
            board.to_string(),
            wallet.to_string(),
            rank,
        ));
        Ok(())
    }

    /// A wallet's submissions, newest first (any case of the address).
    fn wallet_rows(&self, address: &str) -> Vec<Value> {
        let lower = address.to_ascii_lowercase();
        let mut rows = self.wallets["wallet_submissions"][&lower]
            .as_array()
            .cloned()
            .unwrap_or_default();
        rows.extend(
            self.accepted
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .iter()
                .filter(|(w, _)| *w == lower)
                .map(|(_, row)| row.clone()),
        );
        rows.sort_by(|a, b| b["submitted_at"].as_str().cmp(&a["submitted_at"].as_str()));
        rows
    }

    fn submissions(&self, address: &str, query: &[(String, String)]) -> Result<Reply, Reply> {
        let (page, size) = page_params(query)?;
        // The real server does not check the address: anything unknown is an empty page.
        Ok(Reply::ok(page_of(self.wallet_rows(address), page, size)))
    }

    fn achievements(&self, address: &str, role: Option<&str>) -> Result<Reply, Reply> {
        let role = match role {
            Some(r @ ("validator" | "node")) => r,
            other => {
                return Err(Reply::invalid_query(
                    "enum",
                    "role",
                    "Input should be 'validator' or 'node'",
                    other,
                ))
            }
        };
        let record = &self.wallets["achievements"][address.to_ascii_lowercase()][role];
        Ok(Reply::ok(if record.is_object() {
            record.clone()
        } else {
            json!({ "gold_medals": 0, "silver_medals": 0, "bronze_medals": 0, "total_participations": 0, "tasks": [] })
        }))
    }

    fn enrolled(&self, address: &str) -> Result<Reply, Reply> {
        let tasks = self.wallets["enrolled_tasks"][address.to_ascii_lowercase()].clone();
        Ok(Reply::ok(if tasks.is_array() { tasks } else { json!([]) }))
    }

    fn emissions(&self, kind: Option<&str>) -> Result<Reply, Reply> {
        let kind = match kind {
            Some(k @ ("submission" | "validation")) => k,
            other => {
                return Err(Reply::invalid_query(
                    "enum",
                    "type",
                    "Input should be 'submission' or 'validation'",
                    other,
                ))
            }
        };
        let first = self.emissions["first_day"]
            .as_str()
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            .unwrap_or_else(|| self.now.date());
        let range = &self.emissions["invented_range"][kind];
        let (low, high) = (
            range[0].as_u64().unwrap_or(0),
            range[1].as_u64().unwrap_or(1).max(1),
        );
        let today = self.now.date();
        let day_fraction = f64::from(self.now.num_seconds_from_midnight()) / 86_400.0;
        let mut rows = Vec::new();
        let mut day = first;
        while day <= today {
            let date = day.format("%Y-%m-%d").to_string();
            let recorded = self.emissions["recorded"][kind][&date].as_u64();
            let mut count = recorded.unwrap_or_else(|| {
                let seed = day.signed_duration_since(first).num_days() as u64
                    ^ u64::from(kind.len() as u8);
                low + mix(seed) % (high - low + 1)
            });
            if day == today && recorded.is_none() {
                // The last row is today so far.
                count = (count as f64 * day_fraction).round() as u64;
            }
            rows.push(json!({ "time": date, "count": count }));
            day += Duration::days(1);
        }
        Ok(Reply::ok(json!({ "data": rows })))
    }

    fn leaderboard(&self, board: Board, query: &[(String, String)]) -> Result<Reply, Reply> {
        let task_id = required_task_id(query)?;
        let (page, size) = page_params(query)?;
        let placed: Vec<(u64, String)> = self.wallets["leaderboard_entries"]
            .as_array()
            .map(|entries| {
                entries
                    .iter()
                    .filter(|e| e["task_id"] == task_id && e["board"] == board.name())
                    .filter_map(|e| Some((e["rank"].as_u64()?, e["wallet"].as_str()?.to_string())))
                    .collect()
            })
            .unwrap_or_default();
        // A moved wallet leaves its fixture place and takes its new one.
        let mut placed = placed;
        for (_, _, wallet, rank) in self
            .moved
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .filter(|(t, b, _, _)| *t == task_id && b == board.name())
        {
            placed.retain(|(r, w)| !w.eq_ignore_ascii_case(wallet) && r != rank);
            placed.push((*rank, wallet.clone()));
        }
        let count = self
            .board_rows
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .unwrap_or_else(|| board.rows(task_id));
        let rows = (0..count)
            .map(|i| {
                let rank = i + 1;
                let seed = task_id.wrapping_mul(1_000_003) ^ (i << 20) ^ count;
                let address = placed
                    .iter()
                    .find(|(r, _)| *r == rank)
                    .map_or_else(|| wallet(seed ^ board.name().len() as u64), |(_, w)| w.clone());
                let jitter = (mix(seed) % 1000) as f64 / 1_000_000.0;
                let at = format!("2025-04-{:02}T{:02}:{:02}:{:02}.{:06}", 1 + i % 28, i % 24, i % 60, (i * 7) % 60, mix(seed) % 1_000_000);
                match board {
                    Board::Models => json!({
                        "wallet": address,
                        "rank": rank,
                        "submission_phase_score": if i % 97 == 96 { Value::Null } else { json!(((0.30 + i as f64 * 0.0007 + jitter) * 10_000.0).round() / 10_000.0) },
                        "finalized_at": at,
                    }),
                    Board::Validators => json!({
                        "wallet": address,
                        "score": if i % 53 == 52 { Value::Null } else { json!(((0.99 - i as f64 * 0.0008 - jitter) * 10_000.0).round() / 10_000.0) },
                        "hardworking_score": ((0.5 + (mix(seed ^ 7) % 500) as f64 / 1000.0) * 10_000.0).round() / 10_000.0,
                        "rank": rank,
                        "updated_at": at,
                    }),
                }
            })
            .collect();
        Ok(Reply::ok(page_of(rows, page, size)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stats() -> Stats {
        let now = NaiveDateTime::parse_from_str("2025-04-10T13:09:00", "%Y-%m-%dT%H:%M:%S")
            .unwrap_or_default();
        Stats::load(now)
    }

    fn q(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn emissions_have_one_row_per_day_with_the_recorded_counts() {
        let reply = stats()
            .get("stats/emissions", &q(&[("type", "validation")]), None)
            .unwrap_or_else(Reply::not_found);
        let rows = reply.body["data"].as_array().cloned().unwrap_or_default();
        assert_eq!(rows.len(), 103, "2024-12-29 to 2025-04-10");
        assert_eq!(rows[0]["time"], "2024-12-29");
        assert_eq!(rows[93], json!({ "time": "2025-04-01", "count": 7177 }));
        assert_eq!(rows[102], json!({ "time": "2025-04-10", "count": 2306 }));
        assert_eq!(
            stats().get("stats/emissions", &[], None).map(|r| r.status),
            Some(422)
        );
    }

    #[test]
    fn leaderboards_page_like_fastapi_pagination() {
        let s = stats();
        let page = s
            .get(
                "stats/models",
                &q(&[("task_id", "1"), ("page", "15"), ("size", "50")]),
                None,
            )
            .unwrap_or_else(Reply::not_found);
        assert_eq!(page.body["total"], 1250);
        assert_eq!(page.body["pages"], 25);
        assert_eq!(page.body["items"][33]["rank"], 734);
        assert_eq!(
            page.body["items"][33]["wallet"],
            "0xB93A9c73751Bbca8E1924954271ee8d4De5747c9"
        );
        let last = s
            .get(
                "stats/models",
                &q(&[("task_id", "1"), ("page", "99")]),
                None,
            )
            .unwrap_or_else(Reply::not_found);
        assert_eq!(last.body["items"], json!([]));
        for bad in [("size", "101"), ("size", "0"), ("page", "0")] {
            let reply = s.get("stats/validators", &q(&[("task_id", "1"), bad]), None);
            assert_eq!(reply.map(|r| r.status), Some(422), "{bad:?}");
        }
        let empty = s
            .get("stats/models", &q(&[("task_id", "4242")]), None)
            .unwrap_or_else(Reply::not_found);
        assert_eq!(
            (empty.body["total"].clone(), empty.body["pages"].clone()),
            (json!(0), json!(0))
        );
    }

    #[test]
    fn wallet_submissions_need_a_known_key() {
        let s = stats();
        let task = q(&[("task_id", "7")]);
        assert_eq!(
            s.get("tasks/wallet-submissions", &task, None)
                .map(|r| r.status),
            Some(403)
        );
        assert_eq!(
            s.get("tasks/wallet-submissions", &task, Some("WRONG"))
                .map(|r| r.status),
            Some(401)
        );
        let mine = s
            .get(
                "tasks/wallet-submissions",
                &task,
                Some("K7Q2M9X4T1B8C6N3P5R0W2Y4Z6A8D1F3"),
            )
            .unwrap_or_else(Reply::not_found);
        assert_eq!(mine.body["total"], 2);
        assert_eq!(
            mine.body["items"][0]["submitted_at"],
            "2025-04-10T13:05:58.502101"
        );
    }

    #[test]
    fn submissions_are_checked_then_listed_for_the_key() {
        let s = stats();
        let tasks = crate::fed_ledger::Data::load(chrono::Utc::now().naive_utc());
        let key = Some("K7Q2M9X4T1B8C6N3P5R0W2Y4Z6A8D1F3");
        let body = |task: &str, revision: &str| {
            format!(
                r#"{{"task_id": {task}, "data": {{"hg_repo_id": "alice/task-8-model", "base_model": "qwen1.5", "gpu_type": "NVIDIA H100 80GB HBM3", "revision": "{revision}"}}}}"#
            )
        };
        let good = "0123456789abcdef0123456789abcdef01234567";
        assert_eq!(
            s.submit(body("8", good).as_bytes(), None, &tasks).status,
            403
        );
        assert_eq!(
            s.submit(body("8", good).as_bytes(), Some("WRONG"), &tasks)
                .status,
            401
        );
        assert_eq!(
            s.submit(body("8", "main").as_bytes(), key, &tasks).status,
            422
        );
        assert_eq!(
            s.submit(body("4242", good).as_bytes(), key, &tasks).status,
            404
        );
        let closed = s.submit(body("7", good).as_bytes(), key, &tasks);
        assert_eq!(
            (closed.status, closed.body["detail"].clone()),
            (400, json!("Task is not in submission phase"))
        );
        let accepted = s.submit(body("\"8\"", good).as_bytes(), key, &tasks);
        assert_eq!(accepted.status, 200, "{:?}", accepted.body);
        let listed = s
            .get("tasks/wallet-submissions", &q(&[("task_id", "8")]), key)
            .unwrap_or_else(Reply::not_found);
        assert_eq!(listed.body["total"], 1);
        assert_eq!(listed.body["items"][0]["revision"], good);
    }

    #[test]
    fn wallet_lookups_ignore_case() {
        let s = stats();
        let upper = s.get(
            "stats/achievements/0XB93A9C73751BBCA8E1924954271EE8D4DE5747C9",
            &q(&[("role", "node")]),
            None,
        );
        assert_eq!(upper.map(|r| r.body["gold_medals"].clone()), Some(json!(1)));
        let nobody = s.get(
            "stats/submissions/0x0000000000000000000000000000000000000000",
            &[],
            None,
        );
        assert_eq!(
            nobody.map(|r| r.body),
            Some(json!({ "items": [], "total": 0, "page": 1, "size": 50, "pages": 0 }))
        );
    }
}
