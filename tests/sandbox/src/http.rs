//! HTTP plumbing shared by every fake route: the request log, CORS, injected faults, and the
//! control routes under `/__sandbox/` that tests use to switch them at run time.

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::Response;
use axum::Router;
use serde_json::{json, Value};

use crate::fed_ledger::Reply;
use crate::{Config, Fault, FaultMode, LoggedRequest, Sandbox, LOG_LIMIT};

/// Prefix of the fake fed-ledger API.
const API_PREFIX: &str = "/api/v1/";
/// Prefix of the control routes (never logged, always CORS-enabled, never faulted).
const CONTROL_PREFIX: &str = "/__sandbox/";
/// Largest request body the sandbox reads.
const BODY_LIMIT: usize = 16 * 1024 * 1024;

/// The whole sandbox as one axum router.
pub fn router(sandbox: Sandbox) -> Router {
    Router::new().fallback(handle).with_state(sandbox)
}

async fn handle(State(sandbox): State<Sandbox>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let path = parts.uri.path().to_string();
    let query = parts.uri.query().unwrap_or("").to_string();
    let origin = parts.headers.get(header::ORIGIN).cloned();

    if let Some(control) = path.strip_prefix(CONTROL_PREFIX) {
        let body = axum::body::to_bytes(body, BODY_LIMIT)
            .await
            .unwrap_or_default();
        let mut response = control_route(&sandbox, &parts.method, control, &body);
        add_cors(response.headers_mut(), origin.as_ref());
        return response;
    }

    let cors = log_request(&sandbox, &parts);

    if parts.method == Method::OPTIONS {
        // Without CORS the real FastAPI app has no OPTIONS handler: 405, no CORS headers.
        let mut response = if cors {
            empty(StatusCode::NO_CONTENT)
        } else {
            json_response(405, &json!({ "detail": "Method Not Allowed" }))
        };
        if cors {
            add_cors(response.headers_mut(), origin.as_ref());
        }
        return response;
    }

    let route = path.strip_prefix(API_PREFIX).unwrap_or("");
    let fault = take_fault(&sandbox, route);
    if let Some(fault) = &fault {
        if fault.delay_ms > 0 {
            tokio::time::sleep(Duration::from_millis(fault.delay_ms)).await;
        }
        if fault.mode == FaultMode::Drop {
            return drop_connection();
        }
    }

    let api_key = parts
        .headers
        .get("flock-api-key")
        .and_then(|v| v.to_str().ok());
    let body = axum::body::to_bytes(body, BODY_LIMIT)
        .await
        .unwrap_or_default();
    let reply = if parts.method == Method::POST && route == "tasks/submit-result" {
        sandbox.stats.submit(&body, api_key, &sandbox.data)
    } else {
        api_reply(&sandbox, &parts.method, &path, &query, api_key)
    };
    let mut response = match fault {
        Some(fault) => faulty_response(&fault, &reply),
        None => json_response(reply.status, &reply.body),
    };
    if cors {
        add_cors(response.headers_mut(), origin.as_ref());
    }
    response
}

/// Largest request body the fake Hub reads (a whole object PUT).
const HUB_BODY_LIMIT: usize = 8 * 1024 * 1024 * 1024;

/// Response headers browsers may read from the Hub (as the real Hub exposes them).
const HUB_EXPOSED: &str = "ETag, X-Repo-Commit, X-Request-Id, X-Error-Code, X-Error-Message, Link, Content-Range, Accept-Ranges, X-Linked-Size, X-Linked-Etag, Content-Length";

/// The fake Hub as one axum router (served on its own port: another origin, as in real life).
pub fn hub_router(sandbox: Sandbox) -> Router {
    Router::new().fallback(handle_hub).with_state(sandbox)
}

fn log_request(sandbox: &Sandbox, parts: &axum::http::request::Parts) -> bool {
    let mut inner = sandbox.lock();
    inner.log.push_back(LoggedRequest {
        method: parts.method.to_string(),
        path: parts.uri.path().to_string(),
        query: parts.uri.query().unwrap_or("").to_string(),
        headers: parts
            .headers
            .iter()
            .map(|(k, v)| (k.to_string(), String::from_utf8_lossy(v.as_bytes()).into()))
            .collect(),
    });
    while inner.log.len() > LOG_LIMIT {
        inner.log.pop_front();
    }
    if parts.uri.path().starts_with("/__storage/") {
        inner.config.storage_cors
    } else {
        inner.config.cors
    }
}

async fn handle_hub(State(sandbox): State<Sandbox>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let origin = parts.headers.get(header::ORIGIN).cloned();
    let cors = log_request(&sandbox, &parts);
    let requested = parts
        .headers
        .get(header::ACCESS_CONTROL_REQUEST_HEADERS)
        .cloned();
    let finish = |mut response: Response| {
        let id = format!("sandbox-{}", sandbox.lock().log.len());
        if let Ok(v) = HeaderValue::from_str(&id) {
            response.headers_mut().insert("x-request-id", v);
        }
        if cors {
            add_cors(response.headers_mut(), origin.as_ref());
            response.headers_mut().insert(
                header::ACCESS_CONTROL_EXPOSE_HEADERS,
                HeaderValue::from_static(HUB_EXPOSED),
            );
            if let Some(requested) = &requested {
                response
                    .headers_mut()
                    .insert(header::ACCESS_CONTROL_ALLOW_HEADERS, requested.clone());
            }
        }
        response
    };
    if parts.method == Method::OPTIONS {
        return finish(if cors {
            empty(StatusCode::NO_CONTENT)
        } else {
            json_response(405, &json!({ "error": "Method Not Allowed" }))
        });
    }
    let route = parts.uri.path().trim_start_matches('/').to_string();
    let fault = take_fault(&sandbox, &route);
    if let Some(fault) = &fault {
        // A lost answer is slow after the request was carried out, not before.
        if fault.delay_ms > 0 && fault.mode != FaultMode::Lost {
            tokio::time::sleep(Duration::from_millis(fault.delay_ms)).await;
        }
        if fault.mode == FaultMode::Drop {
            return drop_connection();
        }
        if !matches!(fault.mode, FaultMode::Delay | FaultMode::Lost) {
            return finish(faulty_response(
                fault,
                &Reply {
                    status: 200,
                    body: json!({}),
                },
            ));
        }
    }
    let body = match axum::body::to_bytes(body, HUB_BODY_LIMIT).await {
        Ok(body) => body,
        Err(_) => {
            return finish(json_response(
                400,
                &json!({ "error": "request body unreadable" }),
            ))
        }
    };
    if parts.method == Method::PUT && parts.uri.path().starts_with("/__storage/") {
        let wait = sandbox.hub.uplink_wait(body.len());
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
    }
    let host = parts
        .headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    let own_origin = format!("http://{host}");
    let hub = sandbox.hub.clone();
    let method = parts.method.clone();
    let path = parts.uri.path().to_string();
    let query = parts.uri.query().unwrap_or("").to_string();
    let headers = parts.headers.clone();
    // Hashing and file I/O of large objects: off the async workers.
    let response = tokio::task::spawn_blocking(move || {
        hub.handle(&own_origin, &method, &path, &query, &headers, body)
    })
    .await
    .unwrap_or_else(|_| json_response(500, &json!({ "error": "sandbox hub failed" })));
    match fault {
        Some(fault) if fault.mode == FaultMode::Lost => {
            tokio::time::sleep(Duration::from_millis(fault.delay_ms)).await;
            finish(lost_answer(&fault, response).await)
        }
        _ => finish(response),
    }
}

/// Route an API request to the fake that serves it.
fn api_reply(
    sandbox: &Sandbox,
    method: &Method,
    path: &str,
    query: &str,
    api_key: Option<&str>,
) -> Reply {
    let Some(route) = path.strip_prefix(API_PREFIX) else {
        return Reply::not_found();
    };
    let query: Vec<(String, String)> = serde_urlencoded::from_str(query).unwrap_or_default();
    let call = {
        let mut inner = sandbox.lock();
        if route == "tasks/list" {
            inner.list_calls += 1;
        }
        inner.list_calls
    };
    let reply = sandbox
        .data
        .get(route, &query, call)
        .or_else(|| sandbox.stats.get(route, &query, api_key));
    match reply {
        Some(reply) if *method == Method::GET || *method == Method::HEAD => reply,
        Some(_) => Reply {
            status: 405,
            body: json!({ "detail": "Method Not Allowed" }),
        },
        None => Reply::not_found(),
    }
}

/// Milliseconds since the Unix epoch.
fn unix_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// An answer that never comes: its body fails before its first byte, and hyper then closes the
/// connection without flushing the head it had only buffered (checked byte for byte by the
/// sandbox's tests). The browser sees a network error, as when the network drops.
fn drop_connection() -> Response {
    let stream = futures_util::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::other(
            "sandbox: connection dropped on purpose",
        ))
    });
    raw_response(200, "application/json", Body::from_stream(stream))
}

/// The first fault matching `route`, counting it against its `times`; faults whose time is up
/// are removed first.
fn take_fault(sandbox: &Sandbox, route: &str) -> Option<Fault> {
    let mut inner = sandbox.lock();
    let faults = &mut inner.config.faults;
    let now = unix_ms();
    faults.retain(|f| f.ends_at_ms.is_none_or(|end| now < end));
    let index = faults.iter().position(|f| {
        let wanted = f.route.trim_matches('/');
        wanted == "*" || wanted == route || route.starts_with(&format!("{wanted}/"))
    })?;
    let fault = faults[index].clone();
    if let Some(times) = &mut faults[index].times {
        *times = times.saturating_sub(1);
        if *times == 0 {
            faults.remove(index);
        }
    }
    Some(fault)
}

fn faulty_response(fault: &Fault, reply: &Reply) -> Response {
    match fault.mode {
        FaultMode::Delay => json_response(reply.status, &reply.body),
        FaultMode::Lost if fault.status.is_some() => faulty_response(
            &Fault {
                mode: FaultMode::Status,
                ..fault.clone()
            },
            reply,
        ),
        FaultMode::Status => {
            let status = fault.status.unwrap_or(500);
            match &fault.body {
                Some(body) => {
                    let kind = if body.trim_start().starts_with(['{', '[']) {
                        "application/json"
                    } else {
                        "text/html"
                    };
                    raw_response(status, kind, Body::from(body.clone()))
                }
                None => default_error(status),
            }
        }
        FaultMode::Malformed => raw_response(
            200,
            "application/json",
            Body::from("{\"detail\": [1, 2,, <html>oops"),
        ),
        FaultMode::WrongShape => json_response(200, &json!({ "message": "maintenance" })),
        FaultMode::Drop => drop_connection(),
        FaultMode::Truncated | FaultMode::Lost => {
            let full = serde_json::to_vec(&reply.body).unwrap_or_default();
            let half = Bytes::copy_from_slice(&full[..full.len() / 2]);
            // Announce the full length, send half, then fail the body: hyper drops the
            // connection, and the client sees a body cut short, as with a proxy dying mid-answer.
            // The pause lets the headers and the first half reach the client before the drop.
            let stream = futures_util::stream::unfold(Some(half), |step| async move {
                match step {
                    Some(half) => Some((Ok::<Bytes, std::io::Error>(half), None)),
                    None => {
                        tokio::time::sleep(Duration::from_millis(200)).await;
                        Some((
                            Err(std::io::Error::other("sandbox: truncated on purpose")),
                            None,
                        ))
                    }
                }
            });
            let mut response =
                raw_response(reply.status, "application/json", Body::from_stream(stream));
            response
                .headers_mut()
                .insert(header::CONTENT_LENGTH, HeaderValue::from(full.len()));
            response
        }
    }
}

/// The answer a client gets when the real one (`response`, already carried out) is lost.
async fn lost_answer(fault: &Fault, response: Response) -> Response {
    let status = response.status().as_u16();
    let bytes = axum::body::to_bytes(response.into_body(), HUB_BODY_LIMIT)
        .await
        .unwrap_or_default();
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    faulty_response(fault, &Reply { status, body })
}

/// What the real stack answers for a status with no body of our choosing.
fn default_error(status: u16) -> Response {
    match status {
        // Gateways in front of the API answer with their own HTML pages.
        502..=504 => {
            let reason = StatusCode::from_u16(status)
                .ok()
                .and_then(|s| s.canonical_reason())
                .unwrap_or("Error");
            let page = format!(
                "<html><head><title>{status} {reason}</title></head><body><center><h1>{status} {reason}</h1></center><hr><center>nginx</center></body></html>"
            );
            raw_response(status, "text/html", Body::from(page))
        }
        429 => json_response(
            429,
            &json!({ "detail": "Rate limit exceeded: 60 per 1 minute" }),
        ),
        _ => json_response(status, &json!({ "detail": "Internal Server Error" })),
    }
}

fn control_route(sandbox: &Sandbox, method: &Method, route: &str, body: &[u8]) -> Response {
    let parsed = |body: &[u8]| serde_json::from_slice::<Value>(body);
    match (method.as_str(), route) {
        ("OPTIONS", _) => empty(StatusCode::NO_CONTENT),
        ("GET", "config") => json_response(200, &json!(sandbox.config())),
        ("GET", "log") => json_response(200, &json!(sandbox.log())),
        ("DELETE", "log") => {
            sandbox.lock().log.clear();
            empty(StatusCode::NO_CONTENT)
        }
        // `{"enabled": bool, "storage": bool}`: storage follows `enabled` unless given.
        ("POST", "cors") => {
            match parsed(body).map(|v| (v["enabled"].as_bool(), v["storage"].as_bool())) {
                Ok((Some(enabled), storage)) => {
                    let mut inner = sandbox.lock();
                    inner.config.cors = enabled;
                    inner.config.storage_cors = storage.unwrap_or(enabled);
                    drop(inner);
                    json_response(200, &json!(sandbox.config()))
                }
                _ => json_response(
                    400,
                    &json!({ "detail": "expected {\"enabled\": bool, \"storage\"?: bool}" }),
                ),
            }
        }
        ("POST", "faults") => match serde_json::from_slice::<Fault>(body) {
            Ok(mut fault) => {
                fault.ends_at_ms = fault.for_ms.map(|ms| unix_ms().saturating_add(ms));
                sandbox.lock().config.faults.push(fault);
                json_response(200, &json!(sandbox.config()))
            }
            Err(e) => json_response(400, &json!({ "detail": format!("bad fault: {e}") })),
        },
        ("DELETE", "faults") => {
            sandbox.lock().config.faults.clear();
            json_response(200, &json!(sandbox.config()))
        }
        ("POST", "reset") => {
            let mut inner = sandbox.lock();
            inner.config = Config::default();
            inner.log.clear();
            drop(inner);
            sandbox.set_hub_config(crate::HubConfig::default());
            sandbox.stats.clear_accepted();
            empty(StatusCode::NO_CONTENT)
        }
        ("POST", "place") => {
            let asked = serde_json::from_slice::<Value>(body).ok();
            let field = |k: &str| asked.as_ref().and_then(|v| v.get(k).cloned());
            let placed = match (
                field("task_id").and_then(|v| v.as_u64()),
                field("board").and_then(|v| v.as_str().map(str::to_string)),
                field("wallet").and_then(|v| v.as_str().map(str::to_string)),
                field("rank").and_then(|v| v.as_u64()),
            ) {
                (Some(task), Some(board), Some(wallet), Some(rank)) => {
                    sandbox.stats.place(task, &board, &wallet, rank)
                }
                _ => Err("expected {task_id, board, wallet, rank}".into()),
            };
            match placed {
                Ok(()) => empty(StatusCode::NO_CONTENT),
                Err(why) => json_response(400, &json!({ "detail": why })),
            }
        }
        ("POST", "boards") => {
            let rows = serde_json::from_slice::<Value>(body)
                .ok()
                .and_then(|v| v.get("rows").and_then(Value::as_u64));
            sandbox.stats.set_board_rows(rows.filter(|r| *r <= 100_000));
            empty(StatusCode::NO_CONTENT)
        }
        ("GET", "hub") => json_response(200, &json!(sandbox.hub_config())),
        ("DELETE", "hub") => {
            sandbox.wipe_hub();
            empty(StatusCode::NO_CONTENT)
        }
        ("POST", "hub") => match serde_json::from_slice::<crate::HubConfig>(body) {
            Ok(config) => {
                sandbox.set_hub_config(config);
                json_response(200, &json!(sandbox.hub_config()))
            }
            Err(e) => json_response(400, &json!({ "detail": format!("bad hub config: {e}") })),
        },
        _ => json_response(404, &json!({ "detail": "Not Found" })),
    }
}

fn add_cors(headers: &mut HeaderMap, origin: Option<&HeaderValue>) {
    let allow_origin = origin
        .cloned()
        .unwrap_or_else(|| HeaderValue::from_static("*"));
    headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, allow_origin);
    headers.insert(header::VARY, HeaderValue::from_static("Origin"));
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("GET, HEAD, POST, PUT, DELETE, OPTIONS"),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static("flock-api-key, content-type, authorization"),
    );
    headers.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static("600"),
    );
}

fn json_response(status: u16, body: &Value) -> Response {
    let bytes = serde_json::to_vec(body).unwrap_or_default();
    raw_response(status, "application/json", Body::from(bytes))
}

fn raw_response(status: u16, content_type: &str, body: Body) -> Response {
    let mut response = Response::new(body);
    *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    if let Ok(value) = HeaderValue::from_str(content_type) {
        response.headers_mut().insert(header::CONTENT_TYPE, value);
    }
    response
}

fn empty(status: StatusCode) -> Response {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = status;
    response
}
