//! Fetching from the FLock API: the one place that calls `fetch`.
//!
//! Every failure becomes an [`ApiError`] that names its cause: no answer (offline, down, or
//! refused by CORS — browsers do not tell these apart), a time-out, an answer cut short, an
//! error status with the server's `detail`, or data that does not read.

use std::cell::Cell;
use std::rc::Rc;

use gloo_net::http::Request;
use gloo_timers::callback::Timeout;
use web_sys::AbortController;

use crate::flock::task::{Task, TaskList};
use crate::flock::task_list::TaskFilter;
use crate::flock::url::Endpoint;
use crate::flock::{ApiBase, ApiError};
use crate::storage::Settings;

/// GET `endpoint` (under `base`) and return the body of a 2xx answer. `controller` cancels
/// it; the time limit aborts it through the same controller.
pub async fn get_text(
    endpoint: &Endpoint,
    base: &ApiBase,
    timeout_secs: u32,
    controller: &AbortController,
) -> Result<String, ApiError> {
    let timed_out = Rc::new(Cell::new(false));
    // Dropping the timer cancels it, so it only fires while this call is still running.
    let _timer = {
        let timed_out = timed_out.clone();
        let controller = controller.clone();
        Timeout::new(timeout_secs.saturating_mul(1000), move || {
            timed_out.set(true);
            controller.abort();
        })
    };
    let signal = controller.signal();
    let query = endpoint.query.iter().map(|(k, v)| (k.as_str(), v.as_str()));
    let response = Request::get(&endpoint.url)
        .query(query)
        .abort_signal(Some(&signal))
        .send()
        .await
        .map_err(|_| {
            if timed_out.get() {
                ApiError::Timeout {
                    seconds: timeout_secs,
                }
            } else {
                ApiError::Network {
                    base: base.to_string(),
                }
            }
        })?;
    let status = response.status();
    let body = response.text().await;
    if !(200..300).contains(&status) {
        return Err(ApiError::status(status, body.as_deref().unwrap_or("")));
    }
    body.map_err(|_| {
        if timed_out.get() {
            ApiError::Timeout {
                seconds: timeout_secs,
            }
        } else {
            ApiError::Interrupted
        }
    })
}

/// The tasks behind a list filter: one request per status, run together and joined.
pub async fn fetch_task_list(
    settings: &Settings,
    filter: TaskFilter,
    controller: &AbortController,
) -> Result<TaskList, ApiError> {
    let base = settings.flock_api();
    let timeout = settings.timeout_secs();
    let requests = filter.statuses().iter().map(|status| {
        let endpoint = base.tasks(*status);
        let base = base.clone();
        async move {
            let body = get_text(&endpoint, &base, timeout, controller).await?;
            TaskList::parse(&body)
        }
    });
    let lists = futures::future::try_join_all(requests).await?;
    Ok(TaskList::union(lists))
}

/// One task in the detail shape.
pub async fn fetch_task(
    settings: &Settings,
    id: u64,
    controller: &AbortController,
) -> Result<Task, ApiError> {
    let base = settings.flock_api();
    let body = get_text(&base.task(id), &base, settings.timeout_secs(), controller).await?;
    Task::parse_detail(&body)
}
