//! A moment shown relative to now (a live countdown when near), the exact UTC time on hover.

use leptos::prelude::*;

use super::clock::use_now;
use crate::flock::time::{countdown, format_utc, relative, Instant};

/// A live countdown to `at`, or how long ago it was; `—` when unknown.
#[component]
pub fn Deadline(
    /// The moment; `None` when the API did not give a readable one.
    at: Option<Instant>,
) -> impl IntoView {
    let now = use_now();
    match at {
        None => view! { <span class="deadline deadline--unknown" title="Not given">"—"</span> }
            .into_any(),
        Some(at) => {
            let text = move || {
                let now = now.get();
                countdown(now, at).unwrap_or_else(|| relative(now, at))
            };
            let passed = move || now.get() >= at;
            view! {
                <time
                    class="deadline"
                    class:deadline--passed=passed
                    datetime=at.to_rfc3339()
                    title=format_utc(at)
                >
                    {text}
                </time>
            }
            .into_any()
        }
    }
}
