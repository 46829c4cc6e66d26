//! What can go wrong when talking to the API, said so that a person knows what happened and
//! what to do. Messages never include keys or tokens: they are built only from the status,
//! the server's `detail`, and the endpoint base.

use std::fmt;

/// A failed API call.
#[derive(Clone, Debug, PartialEq)]
pub enum ApiError {
    /// The request never got an answer: offline, DNS, refused, or blocked by CORS (browsers do
    /// not say which).
    Network {
        /// The API base that was called.
        base: String,
    },
    /// No answer within the time limit.
    Timeout {
        /// The limit, in seconds.
        seconds: u32,
    },
    /// An answer started but the connection broke before it was complete.
    Interrupted,
    /// The server answered with an error status.
    Status {
        /// HTTP status code.
        code: u16,
        /// What the server said (`detail`, or a page title), if anything readable.
        detail: Option<String>,
    },
    /// The answer arrived but could not be read as what was asked for.
    Decode {
        /// What was being read ("the task list").
        what: String,
        /// Why it failed.
        detail: String,
    },
}

/// The most characters of server text quoted in a message.
const QUOTE_LIMIT: usize = 300;

impl ApiError {
    /// A decode error for `what`.
    pub fn decode(what: &str, detail: impl fmt::Display) -> Self {
        ApiError::Decode {
            what: what.to_string(),
            detail: detail.to_string(),
        }
    }

    /// An error status with the server's reason read from `body`.
    pub fn status(code: u16, body: &str) -> Self {
        ApiError::Status {
            code,
            detail: server_detail(body),
        }
    }

    /// A short headline.
    pub fn title(&self) -> String {
        match self {
            ApiError::Network { .. } => "Could not reach the FLock API".into(),
            ApiError::Timeout { .. } => "The FLock API did not answer in time".into(),
            ApiError::Interrupted => "The answer was cut short".into(),
            ApiError::Status { code, .. } => {
                format!("The FLock API answered {code} {}", reason_phrase(*code))
            }
            ApiError::Decode { .. } => "The FLock API sent data flockboard cannot read".into(),
        }
    }

    /// The cause in a sentence or two, with what to do about it.
    pub fn explanation(&self) -> String {
        match self {
            ApiError::Network { base } => format!(
                "No answer from {base}. You may be offline or the server may be down — or the API \
                 refuses calls from this page's origin (CORS), which browsers report the same way. \
                 The connection check tells which; the API address is set in Settings."
            ),
            ApiError::Timeout { seconds } => format!(
                "Nothing came back within {seconds} s. The server may be overloaded; try again, or \
                 raise the time limit in Settings."
            ),
            ApiError::Interrupted => "The connection dropped while the answer was arriving, so \
                 only part of it came. Try again."
                .into(),
            ApiError::Status { code, detail } => {
                let said = detail
                    .as_ref()
                    .map(|d| format!("The server said: “{d}”. "))
                    .unwrap_or_default();
                let advice = match code {
                    400 | 422 => "The request was refused as invalid.",
                    401 | 403 => "The API key was refused: check it in Settings.",
                    404 => "It does not exist (any more), or the API address in Settings is wrong.",
                    429 => "Too many requests: wait a minute, then try again.",
                    500..=599 => "This is a problem on the server's side; try again in a moment.",
                    _ => "",
                };
                format!("{said}{advice}")
            }
            ApiError::Decode { what, detail } => format!(
                "While reading {what}: {detail}. The API may have changed, or something between \
                 you and it altered the answer."
            ),
        }
    }

    /// The technical reason alone, for compact lists.
    pub fn detail(&self) -> String {
        match self {
            ApiError::Decode { detail, .. } => detail.clone(),
            ApiError::Status {
                detail: Some(d), ..
            } => d.clone(),
            other => other.title(),
        }
    }

    /// Whether trying the same request again can help.
    pub fn retryable(&self) -> bool {
        match self {
            ApiError::Status { code, .. } => *code == 408 || *code == 429 || *code >= 500,
            _ => true,
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}. {}", self.title(), self.explanation())
    }
}

fn reason_phrase(code: u16) -> &'static str {
    match code {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "",
    }
}

/// What an error body says: FastAPI's `detail` (a string, or a list of validation errors), an
/// HTML page's `<title>`, or short plain text. `None` when there is nothing readable.
pub fn server_detail(body: &str) -> Option<String> {
    let trimmed = body.trim();
    if trimmed.is_empty() {
        return None;
    }
    if let Ok(value) = serde_json::from_str::<serde_json::Value>(trimmed) {
        let detail = value.get("detail")?;
        return match detail {
            serde_json::Value::String(s) => Some(clip(s)),
            serde_json::Value::Array(items) => {
                let lines: Vec<String> = items.iter().map(validation_line).collect();
                Some(clip(&lines.join("; ")))
            }
            other => Some(clip(&other.to_string())),
        };
    }
    let lower = trimmed.to_ascii_lowercase();
    if let (Some(start), Some(end)) = (lower.find("<title>"), lower.find("</title>")) {
        if start + 7 <= end {
            return Some(clip(trimmed[start + 7..end].trim()));
        }
    }
    if trimmed.starts_with('<') {
        return None;
    }
    Some(clip(trimmed))
}

/// One pydantic validation error as `query.task_id: Field required`.
fn validation_line(item: &serde_json::Value) -> String {
    let place: Vec<String> = item
        .get("loc")
        .and_then(|l| l.as_array())
        .map(|parts| {
            parts
                .iter()
                .map(|p| p.as_str().map_or_else(|| p.to_string(), str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let msg = item
        .get("msg")
        .and_then(|m| m.as_str())
        .unwrap_or("invalid");
    if place.is_empty() {
        msg.to_string()
    } else {
        format!("{}: {msg}", place.join("."))
    }
}

fn clip(text: &str) -> String {
    if text.chars().count() <= QUOTE_LIMIT {
        text.to_string()
    } else {
        let cut: String = text.chars().take(QUOTE_LIMIT).collect();
        format!("{cut}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fastapi_details_are_quoted() {
        assert_eq!(
            server_detail(r#"{"detail":"Task not found"}"#).as_deref(),
            Some("Task not found")
        );
        let v = r#"{"detail":[{"type":"missing","loc":["query","task_id"],"msg":"Field required","input":null}]}"#;
        assert_eq!(
            server_detail(v).as_deref(),
            Some("query.task_id: Field required")
        );
    }

    #[test]
    fn gateway_pages_give_their_title_and_junk_gives_nothing() {
        let page = "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>";
        assert_eq!(server_detail(page).as_deref(), Some("502 Bad Gateway"));
        assert_eq!(server_detail("<html><body>x</body></html>"), None);
        assert_eq!(server_detail("   "), None);
        assert_eq!(
            server_detail(&"x".repeat(1000)).map(|s| s.chars().count()),
            Some(301)
        );
    }

    #[test]
    fn messages_name_the_cause_and_the_remedy() {
        let cors = ApiError::Network {
            base: "https://fed-ledger-prod.flock.io/api/v1/".into(),
        };
        assert!(cors.explanation().contains("CORS"));
        assert!(cors.explanation().contains("Settings"));
        let e = ApiError::status(502, "<title>502 Bad Gateway</title>");
        assert_eq!(e.title(), "The FLock API answered 502 Bad Gateway");
        assert!(e.explanation().contains("server's side"));
        assert!(e.retryable());
        let missing = ApiError::status(404, r#"{"detail":"Task not found"}"#);
        assert!(missing.explanation().contains("“Task not found”"));
        assert!(!missing.retryable());
    }
}
