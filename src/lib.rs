//! flockboard: a static web page for FLock.io participants.
//!
//! `flock` is the pure core (no browser); everything else is compiled only for the browser.

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod flock;
