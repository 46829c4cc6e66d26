//! The FLock fed-ledger API as plain Rust: endpoint URLs, response types and their parsing,
//! and the domain rules the pages show (phases, countdowns, list filtering and sorting).
//!
//! Pure by rule: nothing here names `web_sys`, `leptos`, `gloo` or `wasm_bindgen`, so all of
//! it builds and is tested natively against the fixtures in `tests/fixtures/`.

pub mod alerts;
pub mod check;
pub mod error;
pub mod export;
pub mod format;
pub mod leaderboard;
pub mod order;
pub mod paging;
pub mod phase;
pub mod secrets;
pub mod standing;
pub mod stats;
pub mod task;
pub mod task_list;
pub mod time;
pub mod unread;
pub mod url;
pub mod view;
pub mod wallet;
pub mod wallet_stats;
pub mod watch;

pub use error::ApiError;
pub use task::{Task, TaskStatus, TaskType};
pub use url::ApiBase;
