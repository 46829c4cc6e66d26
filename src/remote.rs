//! Load state for data fetched from a remote service: loading, ready or failed, with retry.
//!
//! Each new load aborts the one before it (and leaving the view aborts the last), so a slow
//! old answer can never overwrite a newer one. Loading the same thing again (a refresh, a retry)
//! keeps the data already shown on screen, marked as refreshing, until the new answer replaces
//! it (or an error does); other inputs (another board, another filter) show "Loading".

use std::future::Future;

use leptos::prelude::*;
use leptos::task::spawn_local;
use web_sys::AbortController;

use crate::flock::ApiError;

/// One guard per kind of async work a newer run supersedes (a test button, a check of the
/// picked files): starting a run aborts the one before, and a slow older run can never write
/// its result over a newer one.
#[derive(Clone, Copy)]
pub struct Latest {
    generation: StoredValue<u64>,
    controller: StoredValue<Option<AbortController>, LocalStorage>,
}

impl Latest {
    /// A guard with no run yet.
    pub fn new() -> Self {
        Latest {
            generation: StoredValue::new(0),
            controller: StoredValue::new_local(None),
        }
    }

    /// Start a run: the closure says whether it is still the newest; the controller aborts
    /// its requests (and is aborted when the next run starts).
    pub fn start(self) -> (impl Fn() -> bool + Copy, Option<AbortController>) {
        self.generation.update_value(|n| *n += 1);
        let this = self.generation.get_value();
        let controller = AbortController::new().ok();
        if let Some(previous) = self.controller.try_get_value().flatten() {
            previous.abort();
        }
        self.controller.set_value(controller.clone());
        let generation = self.generation;
        (move || generation.try_get_value() == Some(this), controller)
    }

    /// End the current run, if any: its requests are aborted and it is no longer the newest
    /// (for a view that is left).
    pub fn stop(self) {
        let _ = self.generation.try_update_value(|n| *n += 1);
        if let Some(Some(previous)) = self.controller.try_get_value() {
            previous.abort();
        }
    }
}

impl Default for Latest {
    fn default() -> Self {
        Latest::new()
    }
}

/// Where a load stands.
#[derive(Clone, Debug, PartialEq)]
pub enum Load<T> {
    /// Waiting for the answer.
    Loading,
    /// The data.
    Ready(T),
    /// What went wrong.
    Failed(ApiError),
}

/// A remote value and the means to load it again.
pub struct Remote<T: Send + Sync + 'static> {
    state: RwSignal<Load<T>>,
    attempt: RwSignal<u32>,
    refreshing: RwSignal<bool>,
}

impl<T: Send + Sync + 'static> Clone for Remote<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T: Send + Sync + 'static> Copy for Remote<T> {}

impl<T: Clone + Send + Sync + 'static> Remote<T> {
    /// The current state (tracked).
    pub fn get(&self) -> Load<T> {
        self.state.get()
    }

    /// Load again with the same inputs.
    pub fn retry(&self) {
        self.attempt.update(|n| *n += 1);
    }

    /// Whether a newer load runs while older data stays shown (tracked).
    pub fn refreshing(&self) -> bool {
        self.refreshing.get()
    }
}

/// Load with `fetch(source())`, again whenever what `source` reads changes or on
/// [`Remote::retry`].
pub fn use_remote<S, T, Fut>(
    source: impl Fn() -> S + 'static,
    fetch: impl Fn(S, AbortController) -> Fut + 'static,
) -> Remote<T>
where
    S: PartialEq + Clone + 'static,
    T: Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<T, ApiError>> + 'static,
{
    let state = RwSignal::new(Load::Loading);
    let attempt = RwSignal::new(0u32);
    let refreshing = RwSignal::new(false);
    let last_input: StoredValue<Option<S>, LocalStorage> = StoredValue::new_local(None);
    let running: StoredValue<Option<AbortController>, LocalStorage> = StoredValue::new_local(None);
    // Which load is the latest: only its answer may be shown.
    let generation = StoredValue::new(0u64);
    Effect::new(move |_| {
        let input = source();
        attempt.track();
        if let Some(previous) = running.get_value() {
            previous.abort();
        }
        let Ok(controller) = AbortController::new() else {
            refreshing.set(false);
            state.set(Load::Failed(ApiError::Network {
                base: "(this browser cannot make cancellable requests)".into(),
            }));
            return;
        };
        running.set_value(Some(controller.clone()));
        generation.update_value(|g| *g += 1);
        let this_load = generation.get_value();
        // The same data loaded again stays shown until the new answer; other data makes way
        // for "Loading".
        let same = last_input.with_value(|last| last.as_ref() == Some(&input));
        last_input.set_value(Some(input.clone()));
        if same && matches!(state.get_untracked(), Load::Ready(_)) {
            refreshing.set(true);
        } else {
            state.set(Load::Loading);
        }
        let load = fetch(input, controller);
        spawn_local(async move {
            let result = load.await;
            // A load that was replaced, or whose view was left, is stale.
            if generation.try_get_value() == Some(this_load) {
                let _ = state.try_set(match result {
                    Ok(value) => Load::Ready(value),
                    Err(error) => Load::Failed(error),
                });
                let _ = refreshing.try_set(false);
            }
        });
    });
    on_cleanup(move || {
        if let Some(Some(controller)) = running.try_get_value() {
            controller.abort();
        }
    });
    Remote {
        state,
        attempt,
        refreshing,
    }
}
