//! Submit a Hub commit to a FLock task (`POST tasks/submit-result`): task, repo, base model
//! template, GPU, revision. With the repo and revision filled in, the repo is checked on the
//! Hub first (public, revision there, files, parameters, template; `crate::hub::repo_checks`):
//! a failed check holds the submission back, warnings are shown beside it. One submission per
//! click: the button is disabled while one is sent.

use leptos::prelude::*;

use crate::components::check_class;
use web_sys::AbortController;

use crate::app::{use_settings, use_view};
use crate::flock::phase::{phase_at, Phase};
use crate::flock::task_list::TaskFilter;
use crate::flock::view::View;
use crate::flock::ApiError;
use crate::hub::checks::{Check, Level, TaskFacts};
use crate::hub::repo::RepoId;
use crate::hub::repo_checks::{judge, suggested, Inspection, TEMPLATES};
use crate::net::{fetch_task_list, submit_result, NewSubmission};
use crate::remote::{use_remote, Latest, Load};

fn valid_revision(raw: &str) -> bool {
    raw.len() == 40 && raw.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The submit page.
#[component]
pub fn SubmitPage() -> impl IntoView {
    let view = use_view();
    let settings = use_settings();
    let (task0, repo0, revision0) = match view.get_untracked() {
        View::Submit {
            task,
            repo,
            revision,
        } => (task, repo, revision),
        _ => (None, String::new(), String::new()),
    };
    let task = RwSignal::new(task0);
    let repo = RwSignal::new(repo0);
    let revision = RwSignal::new(revision0);
    let base_model = RwSignal::new("qwen1.5".to_string());
    let gpu = RwSignal::new(String::new());
    let sending = RwSignal::new(false);
    let answer = RwSignal::new(None::<Result<String, ApiError>>);
    let open_tasks = use_remote(
        move || settings.get(),
        |settings, c| async move { fetch_task_list(&settings, TaskFilter::Open, &c).await },
    );
    let repo_check = Memo::new(move |_| repo.get().parse::<RepoId>().map(|_| ()));
    // The repo on the Hub, checked again whenever the repo, the revision or the Hub changes.
    let inspection = RwSignal::new(None::<Inspection>);
    let inspecting = RwSignal::new(false);
    let again = RwSignal::new(0u32);
    let inspect_run = Latest::new();
    let target = Memo::new(move |_| {
        let id = repo.get().trim().parse::<RepoId>().ok()?;
        let rev = revision.get().trim().to_ascii_lowercase();
        valid_revision(&rev).then_some((id, rev))
    });
    Effect::new(move |_| {
        again.track();
        let settings = settings.get();
        let (fresh, controller) = inspect_run.start();
        inspection.set(None);
        let (Some((id, rev)), Some(controller)) = (target.get(), controller) else {
            inspecting.set(false);
            return;
        };
        inspecting.set(true);
        leptos::task::spawn_local(async move {
            let seen = crate::upload::inspect(
                &settings.hub(),
                settings.hf_token(),
                &id,
                &rev,
                &controller.signal(),
            )
            .await;
            if fresh() {
                let _ = inspection.try_set(Some(seen));
                let _ = inspecting.try_set(false);
            }
        });
    });
    on_cleanup(move || inspect_run.stop());
    let task_facts = move || {
        let id = task.get()?;
        match open_tasks.get() {
            Load::Ready(list) => list.tasks.iter().find(|t| t.id == id).map(|t| TaskFacts {
                id,
                max_params: t.max_params,
                open: true,
            }),
            _ => None,
        }
    };
    let findings = Memo::new(move |_| {
        let seen = inspection.get()?;
        let (id, rev) = target.get()?;
        let hub = settings.get().hub().to_string();
        Some(judge(
            &id,
            &rev,
            &hub,
            &seen,
            task_facts().as_ref(),
            &base_model.get(),
        ))
    });
    let failed = Memo::new(move |_| {
        findings
            .get()
            .is_some_and(|f| f.iter().any(|f| f.level == Level::Fail))
    });
    // Submitting despite a failed check takes a deliberate tick, asked again for every repo
    // and revision.
    let anyway = RwSignal::new(false);
    Effect::new(move |_| {
        target.track();
        anyway.set(false);
    });
    let problems = move || {
        let mut out = Vec::new();
        if task.get().is_none() {
            out.push("Choose a task.".to_string());
        }
        if let Err(e) = repo_check.get() {
            out.push(e);
        }
        if !valid_revision(revision.get().trim()) {
            out.push("The revision is the 40-character commit hash the upload returned.".into());
        }
        if base_model.get().trim().is_empty() {
            out.push("Name the base model template.".into());
        }
        if gpu.get().trim().is_empty() {
            out.push("Say which GPU trained the model (free text).".into());
        }
        if settings.get().flock_key().is_none() {
            out.push("Add your FLock API key in Settings.".into());
        }
        if target.get().is_some() && inspecting.get() {
            out.push("Checking the repo on the Hub…".into());
        }
        if failed.get() && !anyway.get() {
            out.push("A check of the repo failed (see above): fix it before submitting, or the submission is likely wasted.".into());
        }
        out
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        // No double submission: a second click while one is on its way does nothing.
        if sending.get_untracked() || !problems().is_empty() {
            return;
        }
        let Some(task_id) = task.get_untracked() else {
            return;
        };
        let submission = NewSubmission {
            task_id,
            hg_repo_id: repo.get_untracked().trim().to_string(),
            base_model: base_model.get_untracked().trim().to_string(),
            gpu_type: gpu.get_untracked().trim().to_string(),
            revision: revision.get_untracked().trim().to_ascii_lowercase(),
        };
        sending.set(true);
        answer.set(None);
        let current = settings.get_untracked();
        leptos::task::spawn_local(async move {
            let result = match AbortController::new() {
                Ok(c) => submit_result(&current, &submission, &c).await,
                Err(_) => Err(ApiError::Network {
                    base: current.flock_api().to_string(),
                }),
            };
            let _ = answer.try_set(Some(result));
            let _ = sending.try_set(false);
        });
    };
    view! {
        <section class="panel submit">
            <h1>"Submit a model to a FLock task"</h1>
            <form on:submit=submit novalidate>
                <label class="field">
                    <span class="field__label">"Task (open for submissions)"</span>
                    <select data-testid="submit-task" on:change:target=move |ev| task.set(ev.target().value().parse().ok())>
                        <option value="" selected=move || task.get().is_none()>"Choose a task"</option>
                        {move || match open_tasks.get() {
                            Load::Ready(list) => {
                                let now = crate::components::use_now().get_untracked();
                                list.tasks.iter().filter(|t| phase_at(t, now) == Phase::Submission).map(|t| {
                                    let id = t.id;
                                    view! { <option value=id.to_string() selected=move || task.get() == Some(id)>{format!("#{id} {}", t.title)}</option> }
                                }).collect_view().into_any()
                            }
                            Load::Failed(e) => view! { <option disabled=true>{format!("Tasks could not be loaded: {}", e.title())}</option> }.into_any(),
                            Load::Loading => view! { <option disabled=true>"Loading tasks…"</option> }.into_any(),
                        }}
                    </select>
                </label>
                <label class="field">
                    <span class="field__label">"Hugging Face repo (hg_repo_id)"</span>
                    <input type="text" spellcheck="false" data-testid="submit-repo" prop:value=move || repo.get() on:input:target=move |ev| repo.set(ev.target().value()) />
                </label>
                <label class="field">
                    <span class="field__label">"Base model template (base_model)"</span>
                    <input type="text" list="base-models" data-testid="submit-base" prop:value=move || base_model.get() on:input:target=move |ev| base_model.set(ev.target().value()) />
                    <datalist id="base-models">{TEMPLATES.iter().map(|m| view! { <option value=*m></option> }).collect_view()}</datalist>
                    <span class="field__hint">"FLock's template name for the model family, e.g. qwen1.5, llama3, gemma, phi3."</span>
                </label>
                <label class="field">
                    <span class="field__label">"GPU (gpu_type)"</span>
                    <input type="text" data-testid="submit-gpu" placeholder="NVIDIA H100 80GB HBM3" prop:value=move || gpu.get() on:input:target=move |ev| gpu.set(ev.target().value()) />
                </label>
                <label class="field">
                    <span class="field__label">"Revision (commit hash)"</span>
                    <input type="text" spellcheck="false" data-testid="submit-revision" prop:value=move || revision.get() on:input:target=move |ev| revision.set(ev.target().value()) />
                </label>
                {move || findings.get().map(|found| {
                    let suggestion = inspection.get().as_ref().and_then(suggested);
                    let settings_href = target.get().map(|(id, _)| format!("{}{id}/settings", settings.get().hub()));
                    view! {
                        <div class="repo-checks">
                            <h2 class="repo-checks__title">"Checks on the Hub"</h2>
                            <ul class="checks" data-testid="repo-checks" aria-live="polite">
                                {found.into_iter().map(|f| {
                                    let class = check_class(f.level);
                                    let word = f.level.word();
                                    // A repo validators may not download: its settings, one click away.
                                    let fix = (f.check == Check::Repo && f.level != Level::Pass).then(|| settings_href.clone()).flatten().map(|href| view! {
                                        " " <a href=href target="_blank" rel="noopener noreferrer" data-testid="repo-settings">"Open its settings on the Hub"</a>
                                    });
                                    view! { <li class=class data-testid="repo-check" data-check=f.check.title() data-level=word><strong>{format!("{word} · {}: ", f.check.title())}</strong>{f.detail}{fix}</li> }
                                }).collect_view()}
                            </ul>
                            <div class="actions">
                                {suggestion.filter(|s| *s != base_model.get().trim()).map(|s| view! {
                                    <button type="button" class="button button--quiet" data-testid="use-template" on:click=move |_| base_model.set(s.to_string())>{format!("Use “{s}”")}</button>
                                })}
                                <button type="button" class="button button--quiet" data-testid="check-again" on:click=move |_| again.update(|n| *n += 1)>"Check again"</button>
                            </div>
                        </div>
                    }
                })}
                {move || failed.get().then(|| view! {
                    <label class="check-field">
                        <input type="checkbox" data-testid="submit-anyway" prop:checked=move || anyway.get() on:change:target=move |ev| anyway.set(ev.target().checked()) />
                        " Submit anyway: I know a failed check is likely to cost this submission."
                    </label>
                })}
                <ul class="checks">{move || problems().into_iter().map(|p| view! { <li class="check--warn">{p}</li> }).collect_view()}</ul>
                <div class="actions">
                    <button class="button" type="submit" data-testid="submit-button" disabled=move || sending.get() || !problems().is_empty()>
                        {move || if sending.get() { "Submitting…" } else { "Submit" }}
                    </button>
                </div>
            </form>
            {move || answer.get().map(|result| match result {
                Ok(text) => view! {
                    <div class="notice notice--ok" data-testid="submit-result">
                        <p>{text}</p>
                        {task.get_untracked().map(|id| view! { <p><a href=View::Task { id }.href()>"See it under “My submissions” on the task page"</a></p> })}
                    </div>
                }.into_any(),
                Err(e) => view! { <p class="notice notice--error" role="alert" data-testid="submit-result">{e.to_string()}</p> }.into_any(),
            })}
        </section>
    }
}
