//! A loopback stand-in for the FLock fed-ledger API, built for flockboard's tests.
//!
//! It serves records copied from real recorded responses (`tests/fixtures/`) with the real
//! quirks: two task shapes, bare-array lists in an unstable order, naive UTC timestamps,
//! FastAPI-style `{"detail": …}` errors. Tests switch CORS and per-route faults at run time and
//! read back a log of every request through the control routes under `/__sandbox/`.
//!
//! The fixtures are handled as plain JSON (`serde_json::Value`) on purpose: the sandbox must not
//! share the app's Rust types, or it could not catch the app's misreadings.

mod fed_ledger;
mod http;
mod hub;
mod stats;

pub use hub::HubConfig;

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};

use serde::{Deserialize, Serialize};
use tokio::net::TcpListener;

pub use http::{hub_router, router};

/// What a fault does to the response of the route it matches.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum FaultMode {
    /// Answer with `status` (and `body`, or a default body fitting the status).
    #[default]
    Status,
    /// Answer 200 with a body that is not valid JSON.
    Malformed,
    /// Answer 200 with valid JSON of the wrong shape.
    WrongShape,
    /// Send the real answer's headers (with its full `Content-Length`) and half of its body,
    /// then drop the connection.
    Truncated,
    /// Answer normally, after `delay_ms`.
    Delay,
    /// Carry the request out, then lose its answer: with `status`, answer that status instead
    /// (a gateway giving up); without, send the real answer's headers and half its body, then
    /// drop the connection. What a client sees after a commit that landed unheard. Hub routes;
    /// `delay_ms` delays the (lost) answer, after the request was carried out.
    Lost,
    /// No answer at all: the connection is closed before any byte of an answer, as when the
    /// network drops (the browser reports a network error). With `for_ms`, an outage: every
    /// matching request in that window is dropped.
    Drop,
}

/// A fault injected into one route (or every route, with `"*"`).
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
pub struct Fault {
    /// Path relative to `/api/v1/`, without query (`tasks/list`), or `*` for every API route.
    pub route: String,
    /// What to do; see [`FaultMode`].
    #[serde(default)]
    pub mode: FaultMode,
    /// HTTP status for [`FaultMode::Status`]; 500 when absent.
    #[serde(default)]
    pub status: Option<u16>,
    /// Body for [`FaultMode::Status`]; a fitting default when absent.
    #[serde(default)]
    pub body: Option<String>,
    /// Wait this long before answering (any mode).
    #[serde(default)]
    pub delay_ms: u64,
    /// Apply to this many requests, then disappear; forever when absent.
    #[serde(default)]
    pub times: Option<u32>,
    /// Apply for this many milliseconds from when the fault is set, then disappear.
    #[serde(default)]
    pub for_ms: Option<u64>,
    /// When a `for_ms` fault ends (Unix milliseconds; set by the sandbox).
    #[serde(default)]
    pub ends_at_ms: Option<u64>,
}

/// One request as the sandbox received it, for tests that check what the app sent.
#[derive(Clone, Debug, Serialize)]
pub struct LoggedRequest {
    /// HTTP method.
    pub method: String,
    /// Path, without the query.
    pub path: String,
    /// Raw query string (empty when absent).
    pub query: String,
    /// Header names (lower case) and values, in arrival order.
    pub headers: Vec<(String, String)>,
}

/// Start-up switches, also settable at run time through `/__sandbox/config`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Config {
    /// Send CORS headers and answer preflights (FLock API and Hub).
    pub cors: bool,
    /// The same for the Hub's storage (`/__storage/…`). Kept on while `cors` is switched off to
    /// play a proxy deployment: the Hub's real storage (S3) allows browser uploads from any
    /// origin even where the APIs do not.
    #[serde(default = "yes")]
    pub storage_cors: bool,
    /// Faults in force.
    pub faults: Vec<Fault>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            cors: true,
            storage_cors: true,
            faults: Vec::new(),
        }
    }
}

fn yes() -> bool {
    true
}

/// The most requests kept in the log; older ones are dropped first.
const LOG_LIMIT: usize = 10_000;

#[derive(Debug)]
struct Inner {
    config: Config,
    log: VecDeque<LoggedRequest>,
    /// Counts `tasks/list` calls so each answer comes in another order, as the real API's do.
    list_calls: u64,
}

/// Shared state of one sandbox instance.
#[derive(Clone, Debug)]
pub struct Sandbox {
    inner: Arc<Mutex<Inner>>,
    data: Arc<fed_ledger::Data>,
    stats: Arc<stats::Stats>,
    hub: Arc<hub::Hub>,
}

impl Sandbox {
    /// Delete the fake Hub's stored objects (before the process exits; dropping the last
    /// handle does the same for in-process sandboxes).
    pub fn remove_hub_storage(&self) {
        self.hub.remove_storage();
    }

    /// A sandbox with the given switches and the fixture data rebased to the current time.
    pub fn new(config: Config) -> Self {
        let now = chrono::Utc::now().naive_utc();
        Sandbox {
            inner: Arc::new(Mutex::new(Inner {
                config,
                log: VecDeque::new(),
                list_calls: 0,
            })),
            data: Arc::new(fed_ledger::Data::load(now)),
            stats: Arc::new(stats::Stats::load(now)),
            hub: Arc::new(hub::Hub::new(HubConfig::default())),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock cannot leave the state half-written in a way that
        // matters to a test fake, so a poisoned lock is simply taken over.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The switches in force.
    pub fn config(&self) -> Config {
        self.lock().config.clone()
    }

    /// The fake Hub's knobs.
    pub fn hub_config(&self) -> HubConfig {
        self.hub.config()
    }

    /// Point the fake Hub's storage URLs at `origin` (a listener of its own for storage).
    pub fn set_storage_origin(&self, origin: &str) {
        self.hub.set_storage_origin(origin);
    }

    /// Forget every repo and stored object of the fake Hub (its knobs stay).
    pub fn wipe_hub(&self) {
        self.hub.wipe();
    }

    /// Change the fake Hub's knobs.
    pub fn set_hub_config(&self, config: HubConfig) {
        self.hub.set_config(config);
    }

    /// Every logged request, oldest first.
    pub fn log(&self) -> Vec<LoggedRequest> {
        self.lock().log.iter().cloned().collect()
    }
}

/// Serve `sandbox` on an already bound listener until the process ends.
pub async fn serve(listener: TcpListener, sandbox: Sandbox) -> std::io::Result<()> {
    axum::serve(listener, router(sandbox)).await
}

/// Serve the fake Hub of `sandbox` on an already bound listener until the process ends.
pub async fn serve_hub(listener: TcpListener, sandbox: Sandbox) -> std::io::Result<()> {
    axum::serve(listener, hub_router(sandbox)).await
}

/// Bind `addr` and serve the fake Hub of `sandbox` in a background task; returns the address.
pub async fn spawn_hub(addr: SocketAddr, sandbox: Sandbox) -> std::io::Result<SocketAddr> {
    let listener = TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    tokio::spawn(async move { serve_hub(listener, sandbox).await });
    Ok(local)
}

/// Bind `addr` (port 0 picks a free one) and serve in a background task; returns the address.
/// For tests that run the sandbox in-process.
pub async fn spawn(addr: SocketAddr, config: Config) -> std::io::Result<(SocketAddr, Sandbox)> {
    let listener = TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    let sandbox = Sandbox::new(config);
    let served = sandbox.clone();
    tokio::spawn(async move { serve(listener, served).await });
    Ok((local, sandbox))
}
