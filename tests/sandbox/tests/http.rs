//! The sandbox over real HTTP, started in-process on a free loopback port. Requests are written
//! by hand on a TCP socket so the tests see exactly what a browser would receive (including a
//! body cut short).

#![allow(clippy::unwrap_used)]

use std::net::SocketAddr;

use sandbox::Config;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// What came back: status code, lower-cased headers, body bytes.
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
    fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap()
    }
}

async fn send(
    addr: SocketAddr,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Answer {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let mut request = format!(
        "{method} {target} HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\ncontent-length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        request.push_str(&format!("{k}: {v}\r\n"));
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    // A deliberately truncated answer ends in a reset; keep what arrived.
    let _ = stream.read_to_end(&mut raw).await;
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let mut lines = head.lines();
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    Answer {
        status,
        headers,
        body: raw[split + 4..].to_vec(),
    }
}

async fn start(config: Config) -> SocketAddr {
    sandbox::spawn(([127, 0, 0, 1], 0).into(), config)
        .await
        .unwrap()
        .0
}

#[tokio::test]
async fn api_answers_with_cors_and_fastapi_errors() {
    let addr = start(Config::default()).await;
    let health = send(
        addr,
        "GET",
        "/api/v1/health",
        &[("origin", "http://app.test")],
        "",
    )
    .await;
    assert_eq!(health.status, 200);
    assert_eq!(health.json(), serde_json::json!({ "status": "ok" }));
    assert_eq!(
        health.header("access-control-allow-origin"),
        Some("http://app.test")
    );
    let missing = send(addr, "GET", "/api/v1/nope", &[], "").await;
    assert_eq!(
        (missing.status, missing.json()["detail"].clone()),
        (404, "Not Found".into())
    );
    let wrong_method = send(addr, "POST", "/api/v1/tasks/list", &[], "").await;
    assert_eq!(wrong_method.status, 405);
    let preflight = send(
        addr,
        "OPTIONS",
        "/api/v1/tasks/list",
        &[("origin", "http://app.test")],
        "",
    )
    .await;
    assert_eq!(preflight.status, 204);
    assert!(preflight
        .header("access-control-allow-headers")
        .unwrap()
        .contains("flock-api-key"));
}

#[tokio::test]
async fn cors_switch_removes_the_headers_and_refuses_preflights() {
    let addr = start(Config {
        cors: false,
        storage_cors: false,
        faults: vec![],
    })
    .await;
    let list = send(
        addr,
        "GET",
        "/api/v1/tasks/list",
        &[("origin", "http://app.test")],
        "",
    )
    .await;
    assert_eq!(list.status, 200);
    assert_eq!(list.header("access-control-allow-origin"), None);
    let preflight = send(
        addr,
        "OPTIONS",
        "/api/v1/tasks/list",
        &[("origin", "http://app.test")],
        "",
    )
    .await;
    assert_eq!(preflight.status, 405);
    let on = send(addr, "POST", "/__sandbox/cors", &[], r#"{"enabled": true}"#).await;
    assert_eq!(on.json()["cors"], true);
    let list = send(
        addr,
        "GET",
        "/api/v1/tasks/list",
        &[("origin", "http://app.test")],
        "",
    )
    .await;
    assert_eq!(
        list.header("access-control-allow-origin"),
        Some("http://app.test")
    );
}

#[tokio::test]
async fn faults_apply_the_given_number_of_times() {
    let addr = start(Config::default()).await;
    let fault = r#"{"route": "tasks/list", "status": 502, "times": 2}"#;
    assert_eq!(
        send(addr, "POST", "/__sandbox/faults", &[], fault)
            .await
            .status,
        200
    );
    for _ in 0..2 {
        let answer = send(addr, "GET", "/api/v1/tasks/list", &[], "").await;
        assert_eq!(answer.status, 502);
        assert!(String::from_utf8_lossy(&answer.body).contains("<title>502 Bad Gateway</title>"));
    }
    assert_eq!(
        send(addr, "GET", "/api/v1/tasks/list", &[], "")
            .await
            .status,
        200
    );
    let bad = send(
        addr,
        "POST",
        "/__sandbox/faults",
        &[],
        r#"{"mode": "explode"}"#,
    )
    .await;
    assert_eq!(bad.status, 400);
}

/// Connect and send a request; whatever bytes came back before the connection closed.
async fn raw_bytes(addr: SocketAddr, target: &str) -> Vec<u8> {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let request = format!("GET {target} HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw).await;
    raw
}

#[tokio::test]
async fn an_outage_drops_connections_without_an_answer_for_its_window() {
    let addr = start(Config::default()).await;
    let outage = r#"{"route": "tasks/list", "mode": "drop", "for_ms": 400}"#;
    assert_eq!(
        send(addr, "POST", "/__sandbox/faults", &[], outage)
            .await
            .status,
        200
    );
    for _ in 0..2 {
        assert!(
            raw_bytes(addr, "/api/v1/tasks/list").await.is_empty(),
            "not a byte of an answer"
        );
    }
    assert!(
        !raw_bytes(addr, "/__storage/none").await.is_empty(),
        "other routes answer"
    );
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(
        send(addr, "GET", "/api/v1/tasks/list", &[], "")
            .await
            .status,
        200,
        "the outage is over"
    );
}

#[tokio::test]
async fn malformed_and_truncated_bodies_are_what_they_say() {
    let addr = start(Config::default()).await;
    send(
        addr,
        "POST",
        "/__sandbox/faults",
        &[],
        r#"{"route": "tasks/get", "mode": "malformed", "times": 1}"#,
    )
    .await;
    let malformed = send(addr, "GET", "/api/v1/tasks/get?task_id=7", &[], "").await;
    assert_eq!(malformed.status, 200);
    assert!(serde_json::from_slice::<serde_json::Value>(&malformed.body).is_err());
    send(
        addr,
        "POST",
        "/__sandbox/faults",
        &[],
        r#"{"route": "tasks/get", "mode": "truncated", "times": 1}"#,
    )
    .await;
    let cut = send(addr, "GET", "/api/v1/tasks/get?task_id=7", &[], "").await;
    let promised: usize = cut.header("content-length").unwrap().parse().unwrap();
    assert!(
        cut.body.len() < promised,
        "{} of {promised} bytes",
        cut.body.len()
    );
    assert!(!cut.body.is_empty());
}

#[tokio::test]
async fn every_api_request_is_logged_with_its_headers() {
    let addr = start(Config::default()).await;
    send(
        addr,
        "GET",
        "/api/v1/tasks/get?task_id=1",
        &[("flock-api-key", "SECRET")],
        "",
    )
    .await;
    send(addr, "GET", "/__sandbox/config", &[], "").await;
    let log = send(addr, "GET", "/__sandbox/log", &[], "").await.json();
    let entries = log.as_array().unwrap();
    assert_eq!(entries.len(), 1, "control routes are not logged");
    assert_eq!(entries[0]["path"], "/api/v1/tasks/get");
    assert_eq!(entries[0]["query"], "task_id=1");
    let headers = entries[0]["headers"].as_array().unwrap();
    assert!(headers
        .iter()
        .any(|h| h[0] == "flock-api-key" && h[1] == "SECRET"));
    assert_eq!(
        send(addr, "DELETE", "/__sandbox/log", &[], "").await.status,
        204
    );
    assert_eq!(
        send(addr, "GET", "/__sandbox/log", &[], "").await.json(),
        serde_json::json!([])
    );
}

#[tokio::test]
async fn a_key_is_accepted_only_for_tasks_its_wallet_staked_on() {
    let addr = start(Config::default()).await;
    let key = [("flock-api-key", "K7Q2M9X4T1B8C6N3P5R0W2Y4Z6A8D1F3")];
    // Enrolled (and submitted) on 7; enrolled on 8 without submissions; neither on 9.
    for (task, status) in [(7, 200), (8, 200), (9, 403)] {
        let path = format!("/api/v1/tasks/wallet-submissions?task_id={task}");
        let answer = send(addr, "GET", &path, &key, "").await;
        assert_eq!(answer.status, status, "task {task}");
    }
    let refused = send(
        addr,
        "GET",
        "/api/v1/tasks/wallet-submissions?task_id=9",
        &key,
        "",
    )
    .await;
    assert!(refused.json()["detail"]
        .as_str()
        .unwrap()
        .contains("not staked on task 9"));
}

#[tokio::test]
async fn storage_can_keep_cors_while_the_apis_play_a_proxy_deployment() {
    let addr = start(Config::default()).await;
    let off = send(
        addr,
        "POST",
        "/__sandbox/cors",
        &[],
        r#"{"enabled": false, "storage": true}"#,
    )
    .await;
    assert_eq!(off.json()["cors"], false);
    assert_eq!(off.json()["storage_cors"], true);
    let both = send(
        addr,
        "POST",
        "/__sandbox/cors",
        &[],
        r#"{"enabled": false}"#,
    )
    .await;
    assert_eq!(
        both.json()["storage_cors"],
        false,
        "storage follows unless told"
    );
}

#[tokio::test]
async fn a_lost_commit_answer_still_commits_and_the_history_shows_it() {
    let (api, sandbox) = sandbox::spawn(([127, 0, 0, 1], 0).into(), Config::default())
        .await
        .unwrap();
    let hub = sandbox::spawn_hub(([127, 0, 0, 1], 0).into(), sandbox)
        .await
        .unwrap();
    let auth = [(
        "authorization",
        "Bearer hf_sandboxWriteTokenAlice0000000000000",
    )];
    let created = send(
        hub,
        "POST",
        "/api/repos/create",
        &auth,
        r#"{"name": "lost"}"#,
    )
    .await;
    assert_eq!(created.status, 200);
    let commit = |summary: &str| {
        format!(
            "{{\"key\":\"header\",\"value\":{{\"summary\":\"{summary}\"}}}}\n{{\"key\":\"file\",\"value\":{{\"path\":\"{summary}.txt\",\"content\":\"aGk=\",\"encoding\":\"base64\"}}}}\n"
        )
    };
    let route = "/api/models/alice/lost/commit/main";
    // Dropped: the headers and half the body, then the connection goes.
    let fault = r#"{"route": "api/models/alice/lost/commit/main", "mode": "lost", "times": 1}"#;
    assert_eq!(
        send(api, "POST", "/__sandbox/faults", &[], fault)
            .await
            .status,
        200
    );
    let dropped = send(hub, "POST", route, &auth, &commit("first")).await;
    assert_eq!(dropped.status, 200);
    let announced: usize = dropped.header("content-length").unwrap().parse().unwrap();
    assert!(dropped.body.len() < announced, "the answer is cut short");
    // A gateway's error instead of the answer.
    let fault = r#"{"route": "api/models/alice/lost/commit/main", "mode": "lost", "status": 504, "times": 1}"#;
    send(api, "POST", "/__sandbox/faults", &[], fault).await;
    let gateway = send(hub, "POST", route, &auth, &commit("second")).await;
    assert_eq!(gateway.status, 504);
    // Both commits landed, newest first in the history.
    let history = send(hub, "GET", "/api/models/alice/lost/commits/main", &auth, "").await;
    let titles: Vec<String> = history
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["title"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(titles, ["second", "first", "initial commit"]);
    let head = send(
        hub,
        "GET",
        "/api/models/alice/lost/revision/main",
        &auth,
        "",
    )
    .await;
    assert_eq!(head.json()["sha"], history.json()[0]["id"]);
}
