//! One clock for the whole page, ticking once a second, so every countdown moves together
//! from a single timer.

use std::time::Duration;

use leptos::prelude::*;

use crate::flock::time::{from_millis, Instant};

/// The page clock, provided once by the app.
#[derive(Clone, Copy)]
struct Clock(ReadSignal<Instant>);

fn now() -> Instant {
    from_millis(js_sys::Date::now())
}

/// Start the clock and provide it to everything below.
pub fn provide_clock() {
    let (time, set_time) = signal(now());
    // The interval lives as long as the page; if the browser refuses it, times stay still
    // but correct as of loading.
    let _ = set_interval_with_handle(move || set_time.set(now()), Duration::from_secs(1));
    provide_context(Clock(time));
}

/// The current time, updated every second (tracked).
pub fn use_now() -> Signal<Instant> {
    match use_context::<Clock>() {
        Some(Clock(time)) => time.into(),
        // Outside the app (e.g. a component mounted alone in a test): a still clock.
        None => Signal::stored(now()),
    }
}
