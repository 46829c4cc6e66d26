//! Tables as files: the rows the API sent, as JSON (its own objects, as the SDK's
//! `as_df=False` gives them) or as CSV (one column per field, nested objects flattened to
//! `data.max_params`), in the order shown.

use serde_json::Value;

/// A CSV field, quoted when needed; text that a spreadsheet would run as a formula is defused
/// (a leading `'`).
pub fn csv_text(text: &str) -> String {
    let defused = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    };
    if defused.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", defused.replace('"', "\"\""))
    } else {
        defused
    }
}

/// The API's objects as a pretty-printed JSON array.
pub fn to_json(rows: &[&Value]) -> String {
    // Writing a `Value` to a string cannot fail (no I/O, string keys only).
    serde_json::to_string_pretty(rows).unwrap_or_default()
}

/// The API's objects as CSV: a header of every field any row has, sorted by name (fields of
/// nested objects as `outer.inner`), then one line per row; a missing or `null` field is
/// blank, an array is its JSON text, a row that is not an object is its JSON text in the
/// first column.
pub fn to_csv(rows: &[&Value]) -> String {
    let flat: Vec<Vec<(String, Option<String>)>> = rows.iter().map(|row| flatten(row)).collect();
    // Sorted, not as the maps iterate: the same columns whatever order the API sent.
    let columns: Vec<&str> = flat
        .iter()
        .flatten()
        .map(|(name, _)| name.as_str())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut out = columns
        .iter()
        .map(|c| csv_text(c))
        .collect::<Vec<_>>()
        .join(",");
    out.push('\n');
    for row in &flat {
        let fields: Vec<String> = columns
            .iter()
            .map(|column| {
                row.iter()
                    .find(|(name, _)| name == column)
                    .and_then(|(_, value)| value.clone())
                    .unwrap_or_default()
            })
            .collect();
        out.push_str(&fields.join(","));
        out.push('\n');
    }
    out
}

/// One row's fields as (column, CSV field); `None` for `null`.
fn flatten(row: &Value) -> Vec<(String, Option<String>)> {
    let mut fields = Vec::new();
    match row {
        Value::Object(map) => {
            for (key, value) in map {
                flatten_into(key.clone(), value, &mut fields);
            }
        }
        other => fields.push(("value".to_string(), field(other))),
    }
    fields
}

fn flatten_into(name: String, value: &Value, fields: &mut Vec<(String, Option<String>)>) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            for (key, inner) in map {
                flatten_into(format!("{name}.{key}"), inner, fields);
            }
        }
        other => fields.push((name, field(other))),
    }
}

/// A scalar as a CSV field: text defused and quoted, numbers and booleans as JSON writes them.
fn field(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(s) => Some(csv_text(s)),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Array(_) | Value::Object(_) => Some(csv_text(&value.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn csv_has_every_field_nested_ones_flattened_rows_in_the_order_given() {
        let a = json!({"id": 7, "title": "Chat, v2", "data": {"max_params": 7000000000u64, "vram": "24GB"}, "final_link": null});
        let b = json!({"id": 8, "title": "=cmd|' /C calc'!A0", "extra": [1, 2], "data": {"context_length": 4096}});
        let csv = to_csv(&[&b, &a]);
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(
            lines[0],
            "data.context_length,data.max_params,data.vram,extra,final_link,id,title"
        );
        assert_eq!(lines[1], "4096,,,\"[1,2]\",,8,'=cmd|' /C calc'!A0");
        assert_eq!(lines[2], ",7000000000,24GB,,,7,\"Chat, v2\"");
        assert_eq!(lines.len(), 3);
    }

    #[test]
    fn quotes_and_line_breaks_stay_inside_one_field() {
        let row = json!({"description": "<p>Say \"hi\"</p>\nthen go"});
        assert_eq!(
            to_csv(&[&row]),
            "description\n\"<p>Say \"\"hi\"\"</p>\nthen go\"\n"
        );
    }

    #[test]
    fn a_row_that_is_not_an_object_is_kept() {
        let row = json!("odd");
        let empty = json!({});
        assert_eq!(to_csv(&[&row, &empty]), "value\nodd\n\n");
    }

    #[test]
    fn json_is_the_objects_as_they_came() {
        let a = json!({"id": 7, "data": {"max_params": 1}});
        let text = to_json(&[&a]);
        let back: Value = serde_json::from_str(&text).unwrap_or_default();
        assert_eq!(back, json!([a]));
    }

    #[test]
    fn nothing_to_export_is_a_header_only_file() {
        assert_eq!(to_csv(&[]), "\n");
        assert_eq!(to_json(&[]), "[]");
    }
}
