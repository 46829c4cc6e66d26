//! flockboard: a static web page for FLock.io participants.
//!
//! Layers, with arrows pointing down only:
//! - `pages` (one per view) → `components` (reusable pieces)
//! - browser adapters: `net` (fetch), `storage` (local storage), `remote` (load state)
//! - the pure core `flock`, which knows nothing of the browser and is tested natively.

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod flock;
pub mod hub;

#[cfg(target_arch = "wasm32")]
pub mod alerts;
#[cfg(target_arch = "wasm32")]
pub mod app;
/// Only in builds for `tests/bench/leaderboard.sh` (`--features bench`): release pages carry
/// no benchmark exports.
#[cfg(all(target_arch = "wasm32", feature = "bench"))]
pub mod bench;
#[cfg(target_arch = "wasm32")]
pub mod browser;
#[cfg(target_arch = "wasm32")]
pub mod charts;
#[cfg(target_arch = "wasm32")]
pub mod components;
#[cfg(target_arch = "wasm32")]
pub mod net;
#[cfg(target_arch = "wasm32")]
pub mod pages;
#[cfg(target_arch = "wasm32")]
pub mod picking;
#[cfg(target_arch = "wasm32")]
pub mod remote;
#[cfg(target_arch = "wasm32")]
pub mod storage;
#[cfg(target_arch = "wasm32")]
pub mod upload;
