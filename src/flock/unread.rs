//! What an answer held that the page could not use: a field missing, or of another type than
//! the one the page reads. Several answers were never recorded from the real API (medals,
//! enrolled tasks, the rows of a wallet's submissions), so their decoders read leniently — and
//! note here, field by field, what they had to leave blank, so the page can say so instead of
//! showing a silent blank or 0, and a user's report tells what the real API sends.

use std::fmt;

use serde_json::Value;

/// One field of an answer the page could not read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unread {
    /// Where in the answer, e.g. `tasks[2].rank` or `submitted_at`.
    pub field: String,
    /// What came instead, in words (`nothing`, `the text “1st”`, `a list of 3`).
    pub came: String,
}

impl fmt::Display for Unread {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.came)
    }
}

/// The most characters of a remote text quoted in a note.
const QUOTE_LIMIT: usize = 40;

/// The most notes one answer keeps: a huge broken answer must not make a huge notice.
const NOTE_LIMIT: usize = 50;

/// `value` in words, short and safe to show as text.
pub fn describe(value: Option<&Value>) -> String {
    match value {
        None => "nothing (the field is missing)".into(),
        Some(Value::Null) => "null".into(),
        Some(Value::Bool(b)) => format!("the value {b}"),
        Some(Value::Number(n)) => format!("the number {n}"),
        Some(Value::String(s)) => {
            let mut quoted: String = s.chars().take(QUOTE_LIMIT).collect();
            if s.chars().nth(QUOTE_LIMIT).is_some() {
                quoted.push('…');
            }
            format!("the text “{quoted}”")
        }
        Some(Value::Array(items)) => format!("a list of {}", items.len()),
        Some(Value::Object(map)) => {
            let keys: Vec<&str> = map.keys().take(5).map(String::as_str).collect();
            let more = if map.len() > keys.len() { ", …" } else { "" };
            format!("an object with {}{more}", keys.join(", "))
        }
    }
}

/// Notes taken while reading one answer (or one item of a list).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Notes {
    list: Vec<Unread>,
}

impl Notes {
    /// No notes yet.
    pub fn new() -> Self {
        Notes::default()
    }

    /// Note that `field` held `value`, which could not be read.
    pub fn note(&mut self, field: impl Into<String>, value: Option<&Value>) {
        if self.list.len() < NOTE_LIMIT {
            self.list.push(Unread {
                field: field.into(),
                came: describe(value),
            });
        }
    }

    /// A whole number the answer must have.
    pub fn count(&mut self, object: &Value, key: &str) -> Option<u64> {
        let value = object.get(key);
        let read = value.and_then(Value::as_u64);
        if read.is_none() {
            self.note(key, value);
        }
        read
    }

    /// A whole number that may be absent or `null` (both mean "not given").
    pub fn optional_count(&mut self, object: &Value, key: &str, field: &str) -> Option<u64> {
        self.optional(object, key, field, Value::as_u64)
    }

    /// A value that may be absent or `null`; anything `read` refuses is noted as `field`.
    fn optional<T>(
        &mut self,
        object: &Value,
        key: &str,
        field: &str,
        read: impl Fn(&Value) -> Option<T>,
    ) -> Option<T> {
        match object.get(key) {
            None | Some(Value::Null) => None,
            Some(value) => {
                let got = read(value);
                if got.is_none() {
                    self.note(field, Some(value));
                }
                got
            }
        }
    }

    /// A number the answer sends, `null` until known: a missing key or another type is noted.
    pub fn nullable_number(&mut self, object: &Value, key: &str) -> Option<f64> {
        match object.get(key) {
            Some(Value::Null) => None,
            value => {
                let read = value.and_then(Value::as_f64);
                if read.is_none() {
                    self.note(key, value);
                }
                read
            }
        }
    }

    /// A text the answer must have.
    pub fn text(&mut self, object: &Value, key: &str) -> Option<String> {
        let value = object.get(key);
        let read = value.and_then(Value::as_str).map(str::to_string);
        if read.is_none() {
            self.note(key, value);
        }
        read
    }

    /// A text that may be absent or `null`.
    pub fn optional_text(&mut self, object: &Value, key: &str, field: &str) -> Option<String> {
        self.optional(object, key, field, |v| v.as_str().map(str::to_string))
    }

    /// Whether everything was read.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// The notes, in the order taken.
    pub fn into_vec(self) -> Vec<Unread> {
        self.list
    }
}

/// Lines for a notice about many rows of a list: one line per field, with how many rows it
/// failed in and the first thing that came (`submitted_at in 3 of 40 rows: the number 17…`).
pub fn summarize<'a>(rows: impl IntoIterator<Item = &'a [Unread]>) -> Vec<String> {
    let mut by_field: Vec<(&str, &str, usize)> = Vec::new();
    let mut total = 0;
    for row in rows {
        total += 1;
        let mut seen: Vec<&str> = Vec::new();
        for unread in row {
            if seen.contains(&unread.field.as_str()) {
                continue;
            }
            seen.push(&unread.field);
            match by_field.iter_mut().find(|(f, _, _)| *f == unread.field) {
                Some((_, _, n)) => *n += 1,
                None => by_field.push((&unread.field, &unread.came, 1)),
            }
        }
    }
    by_field
        .into_iter()
        .map(|(field, came, n)| {
            let rows = if total == 1 { "row" } else { "rows" };
            format!("{field} in {n} of {total} {rows}: {came}")
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn values_are_described_briefly_and_as_text() {
        assert_eq!(describe(None), "nothing (the field is missing)");
        assert_eq!(describe(Some(&json!("1st"))), "the text “1st”");
        assert_eq!(describe(Some(&json!(2.5))), "the number 2.5");
        assert_eq!(describe(Some(&json!([1, 2, 3]))), "a list of 3");
        assert_eq!(
            describe(Some(&json!({"a": 1, "b": 2}))),
            "an object with a, b"
        );
        let long = "x".repeat(100);
        assert_eq!(
            describe(Some(&json!(long))),
            format!("the text “{}…”", "x".repeat(40))
        );
    }

    #[test]
    fn each_reader_notes_what_it_could_not_use_and_accepts_null_where_allowed() {
        let row = json!({"gold": "1", "score": null, "rank": "first", "name": 3, "when": null});
        let mut notes = Notes::new();
        assert_eq!(notes.count(&row, "gold"), None);
        assert_eq!(notes.nullable_number(&row, "score"), None);
        assert_eq!(notes.nullable_number(&row, "absent"), None);
        assert_eq!(notes.optional_count(&row, "rank", "rank"), None);
        assert_eq!(notes.optional_count(&row, "missing", "missing"), None);
        assert_eq!(notes.text(&row, "name"), None);
        assert_eq!(notes.optional_text(&row, "when", "when"), None);
        let fields: Vec<String> = notes.into_vec().iter().map(|u| u.to_string()).collect();
        assert_eq!(
            fields,
            vec![
                "gold: the text “1”",
                "absent: nothing (the field is missing)",
                "rank: the text “first”",
                "name: the number 3",
            ]
        );
    }

    #[test]
    fn a_flood_of_notes_is_capped() {
        let mut all = Notes::new();
        for i in 0..500 {
            all.note(format!("f{i}"), None);
        }
        assert_eq!(all.into_vec().len(), NOTE_LIMIT);
    }

    #[test]
    fn a_summary_counts_rows_per_field() {
        let a = vec![
            Unread {
                field: "submitted_at".into(),
                came: "the number 1".into(),
            },
            Unread {
                field: "submitted_at".into(),
                came: "again".into(),
            },
        ];
        let b = vec![Unread {
            field: "submitted_at".into(),
            came: "the number 2".into(),
        }];
        let c: Vec<Unread> = Vec::new();
        assert_eq!(
            summarize([a.as_slice(), b.as_slice(), c.as_slice()]),
            vec!["submitted_at in 2 of 3 rows: the number 1"]
        );
        assert_eq!(
            summarize([b.as_slice(), c.as_slice()]),
            vec!["submitted_at in 1 of 2 rows: the number 2"]
        );
        assert_eq!(
            summarize([b.as_slice()]),
            vec!["submitted_at in 1 of 1 row: the number 2"]
        );
    }
}
