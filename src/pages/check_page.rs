//! The connection check (`?view=check`): every kind of call the page makes, tried at once from
//! this browser, each with its result and what to do; a report to copy, secrets redacted.

use leptos::prelude::*;
use leptos::task::spawn_local;
use web_sys::AbortController;

use crate::app::use_settings;
use crate::browser::{copy_text, page_url};
use crate::flock::check::{advice, report, Outcome, Probe, Setup, Verdict};
use crate::flock::time::{format_utc, from_millis};
use crate::flock::url::origin_of;
use crate::flock::view::View;
use crate::net::run_connection_check;

/// Every probe, still running.
fn all_running() -> Vec<(Probe, Outcome)> {
    Probe::ALL.iter().map(|p| (*p, Outcome::Running)).collect()
}

/// The connection check page.
#[component]
pub fn CheckPage() -> impl IntoView {
    let settings = use_settings();
    let rows = RwSignal::new(all_running());
    let finished_at = RwSignal::new(None::<String>);
    let copied = RwSignal::new(None::<Result<(), String>>);
    let running: StoredValue<Option<AbortController>, LocalStorage> = StoredValue::new_local(None);
    // Only the newest run may write its results.
    let generation = StoredValue::new(0u64);
    let setup = Memo::new(move |_| {
        let current = settings.get();
        Setup {
            page_origin: origin_of(&page_url()).to_string(),
            api: current.flock_api().to_string(),
            hub: current.hub().to_string(),
        }
    });

    let run = move || {
        if let Some(previous) = running.get_value() {
            previous.abort();
        }
        let Ok(controller) = AbortController::new() else {
            return;
        };
        running.set_value(Some(controller.clone()));
        generation.update_value(|g| *g += 1);
        let this_run = generation.get_value();
        rows.set(all_running());
        finished_at.set(None);
        copied.set(None);
        let current = settings.get_untracked();
        spawn_local(async move {
            let fresh = move || generation.try_get_value() == Some(this_run);
            run_connection_check(&current, &controller, |probe, outcome| {
                if fresh() {
                    rows.update(|rows| {
                        if let Some(row) = rows.iter_mut().find(|(p, _)| *p == probe) {
                            row.1 = outcome;
                        }
                    });
                }
            })
            .await;
            if fresh() {
                let _ = finished_at.try_set(Some(format_utc(from_millis(js_sys::Date::now()))));
            }
        });
    };
    run();
    on_cleanup(move || {
        if let Some(Some(controller)) = running.try_get_value() {
            controller.abort();
        }
    });

    let report_text = move || {
        let current = settings.get_untracked();
        let secrets: Vec<&str> = [
            current.flock_api_key.as_deref(),
            current.hf_token.as_deref(),
        ]
        .into_iter()
        .flatten()
        .collect();
        let agent = web_sys::window()
            .and_then(|w| w.navigator().user_agent().ok())
            .unwrap_or_default();
        report(
            &rows.get_untracked(),
            &setup.get_untracked(),
            &finished_at
                .get_untracked()
                .unwrap_or_else(|| "(still running)".into()),
            &agent,
            &secrets,
        )
    };
    let copy = move |_| {
        let text = report_text();
        spawn_local(async move {
            let _ = copied.try_set(Some(copy_text(&text).await));
        });
    };
    let done = move || {
        rows.get()
            .iter()
            .all(|(_, o)| o.verdict() != Verdict::Pending)
    };

    view! {
        <section class="conncheck panel" data-testid="check">
            <h1>"Connection check"</h1>
            <p class="hint">
                "Each kind of call this page makes, tried now from this browser. "
                "Nothing is submitted or uploaded: the submit and upload rows only ask whether the browser may send such a request."
            </p>
            <dl class="conncheck__setup">
                <dt>"This page"</dt>
                <dd><code>{move || setup.get().page_origin}</code></dd>
                <dt>"FLock API"</dt>
                <dd><code data-testid="check-api">{move || setup.get().api}</code></dd>
                <dt>"Hub"</dt>
                <dd><code data-testid="check-hub">{move || setup.get().hub}</code></dd>
            </dl>
            <table class="conncheck__table">
                <thead>
                    <tr><th scope="col">"Call"</th><th scope="col">"Used for"</th><th scope="col">"Result"</th></tr>
                </thead>
                <tbody>
                    {move || rows.get().into_iter().map(|(probe, outcome)| {
                        let verdict = outcome.verdict();
                        let advice = advice(probe, &outcome, &setup.get());
                        view! {
                            <tr class=format!("conncheck__row conncheck__row--{}", verdict.as_str())
                                data-testid="check-row"
                                data-probe=probe.route()
                                data-verdict=verdict.as_str()>
                                <td><code>{probe.route()}</code></td>
                                <td>{probe.used_for()}</td>
                                <td>
                                    <span class="conncheck__verdict">{verdict.as_str()}</span>
                                    " "
                                    <span data-testid="check-summary">{outcome.summary()}</span>
                                    {advice.map(|a| view! { <p class="conncheck__advice" data-testid="check-advice">{a}</p> })}
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            <div class="actions">
                <button class="button" type="button" data-testid="check-again" on:click=move |_| run()>
                    {move || if done() { "Check again" } else { "Restart" }}
                </button>
                <button class="button button--quiet" type="button" data-testid="copy-report" on:click=copy prop:disabled=move || !done()>
                    "Copy report"
                </button>
                <a class="button button--quiet" href=View::Settings.href()>"Settings"</a>
            </div>
            {move || copied.get().map(|result| match result {
                Ok(()) => view! { <p class="notice notice--ok" data-testid="copy-result">"Report copied (keys and tokens left out)."</p> }.into_any(),
                Err(e) => view! { <p class="notice notice--error" data-testid="copy-result">{e}" The report is below."</p> }.into_any(),
            })}
            <details class="conncheck__report">
                <summary>"The report as text"</summary>
                <pre data-testid="report-text">{move || { rows.track(); finished_at.track(); report_text() }}</pre>
            </details>
        </section>
    }
}
