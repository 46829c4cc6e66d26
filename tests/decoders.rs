//! Property tests: every decoder of remote data in the pure core (`src/flock`, `src/hub`) is fed
//! arbitrary JSON values — built from the field names the real answers use, so that the
//! decoders get past their first checks — and arbitrary bytes. None may panic; each gives a
//! value or an error. A fixed case count keeps the run to seconds (`PROPTEST_CASES` overrides).

#![cfg(not(target_arch = "wasm32"))]

use flockboard::flock::leaderboard::{Board, Entry};
use flockboard::flock::paging::Page;
use flockboard::flock::stats::parse_daily;
use flockboard::flock::task::{Task, TaskList};
use flockboard::flock::unread::Unread;
use flockboard::flock::wallet_stats::{parse_achievements, parse_enrolled, Submission};
use flockboard::flock::ApiError;
use flockboard::hub::{commit, retry, safetensors, wire};
use proptest::prelude::*;
use serde_json::{Map, Value};

/// Field names the real answers use (FLock API and Hub), and a few strangers.
const KEYS: &[&str] = &[
    "id",
    "title",
    "description",
    "status",
    "task_type",
    "data",
    "items",
    "total",
    "page",
    "size",
    "pages",
    "created_at",
    "submission_phase_end",
    "final_validation_end",
    "max_params",
    "training_set_url",
    "final_link",
    "context_length",
    "wallet",
    "address",
    "score",
    "rank",
    "hg_repo_id",
    "revision",
    "base_model",
    "date",
    "count",
    "submissions",
    "validations",
    "detail",
    "error",
    "message",
    "files",
    "path",
    "uploadMode",
    "shouldIgnore",
    "commitOid",
    "commitUrl",
    "objects",
    "oid",
    "actions",
    "upload",
    "href",
    "header",
    "chunk_size",
    "verify",
    "sha",
    "lfs",
    "type",
    "name",
    "orgs",
    "auth",
    "accessToken",
    "role",
    "fineGrained",
    "__metadata__",
    "dtype",
    "shape",
    "data_offsets",
    "gold_medals",
    "silver_medals",
    "bronze_medals",
    "total_participations",
    "tasks",
    "task_id",
    "medal",
    "link",
    "submission_phase_score",
    "final_validation_score",
    "submitted_at",
    "x",
    "",
];

fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        "[ -~]{0,24}".prop_map(Value::String),
        "[0-9a-f]{40,64}".prop_map(Value::String),
        "20[0-9]{2}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,6})?Z?"
            .prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((prop::sample::select(KEYS), inner), 0..8).prop_map(|pairs| {
                Value::Object(
                    pairs
                        .into_iter()
                        .map(|(k, v)| (k.to_string(), v))
                        .collect::<Map<_, _>>(),
                )
            }),
        ]
    })
}

/// Every string decoder, on one body.
fn decode_all(body: &str) {
    let _ = TaskList::parse(body);
    let _ = Task::parse_detail(body);
    let _ = parse_daily(body);
    let _ = parse_achievements(body);
    let _ = parse_enrolled(body);
    let _ = ApiError::status(500, body);
    for board in [Board::Models, Board::Validators] {
        let _ = Page::parse(body, "a board", |v| Entry::from_json(board, v));
    }
    let _ = Page::parse(body, "submissions", Submission::from_json);
    let _ = wire::parse_whoami(body);
    let _ = wire::parse_preupload(body);
    let _ = wire::parse_batch(body);
    let _ = wire::parse_commit(body);
    let _ = wire::hub_error(body);
    let _ = commit::parse_tree(body);
    let _ = commit::parse_revision(body);
    let _ = commit::parse_history(body);
    let _ = retry::parse_retry_after(body, 1_764_000_000);
    let _ = safetensors::parse_header(body.as_bytes());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4096, ..ProptestConfig::default() })]

    #[test]
    fn json_values_never_panic_a_decoder(value in json()) {
        decode_all(&value.to_string());
        let _ = Task::from_json(&value);
        let _ = Submission::from_json(&value);
        let _ = Entry::from_json(Board::Models, &value);
        // The same value as the `items` of a page, and as a bare list, as the real answers nest.
        decode_all(&serde_json::json!({ "items": [value.clone()], "total": 1, "page": 1, "size": 1, "pages": 1 }).to_string());
        decode_all(&Value::Array(vec![value]).to_string());
    }

    /// The lenient decoders of answers never recorded: a field is either read from the value
    /// that came, or named among what could not be read, never silently blanked.
    #[test]
    fn a_field_not_read_is_named(value in json()) {
        let named = |unread: &[Unread], key: &str| unread.iter().any(|u| u.field == key);
        if let Ok(a) = parse_achievements(&value.to_string()) {
            for (key, got) in [
                ("gold_medals", a.gold),
                ("silver_medals", a.silver),
                ("bronze_medals", a.bronze),
                ("total_participations", a.participations),
            ] {
                prop_assert_eq!(got, value.get(key).and_then(Value::as_u64));
                prop_assert_eq!(got.is_none(), named(&a.unread, key), "{}", key);
            }
            prop_assert_eq!(value.get("tasks").is_some_and(Value::is_array), !named(&a.unread, "tasks"));
        }
        if let Ok(s) = Submission::from_json(&value) {
            prop_assert_eq!(value.get("link").is_some_and(Value::is_string), !named(&s.unread, "link"));
            prop_assert_eq!(s.submitted_at.is_some(), !named(&s.unread, "submitted_at"));
            for (key, got) in [
                ("submission_phase_score", s.submission_score),
                ("final_validation_score", s.final_score),
            ] {
                let null = value.get(key).is_some_and(Value::is_null);
                prop_assert_eq!(got.is_none() && !null, named(&s.unread, key), "{}", key);
            }
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic_a_decoder(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        decode_all(&String::from_utf8_lossy(&bytes));
        let _ = safetensors::parse_header(&bytes);
        let _ = safetensors::header_len(&bytes, bytes.len() as u64);
        let _ = safetensors::header_len(&bytes, u64::MAX);
    }
}
