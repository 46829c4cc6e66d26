//! Upload a model from the browser to a Hub repo: pick or drop files or a folder, check
//! them against the task, upload with progress, cancel, and carry the commit into the submit form.

use leptos::prelude::*;

use crate::components::check_class;
use wasm_bindgen::JsCast;

use crate::app::{use_settings, use_view};
use crate::browser::{clock_time, local_date_time};
use crate::flock::format::{grouped, human_bytes};
use crate::flock::phase::{phase_at, Phase as TaskPhase};
use crate::flock::task_list::TaskFilter;
use crate::flock::time::format_duration;
use crate::flock::view::View;
use crate::hub::checks::{self, Check, Finding, Level, Picked, TaskFacts};
use crate::hub::repo::RepoId;
use crate::hub::safetensors;
use crate::net::fetch_task_list;
use crate::picking::{dropped_files, picked, take_drop};
use crate::remote::{use_remote, Latest, Load};
use crate::storage;
use crate::upload::awake::Awake;
use crate::upload::session::{use_upload_session, Progress};
use crate::upload::{self, FileState, Job, Phase, PickedFile};

/// Read the parameter count of every `.safetensors` file from its header alone.
async fn count_parameters(files: &[PickedFile]) -> (Option<Result<u64, String>>, bool) {
    let mut total = 0u64;
    let mut lora = false;
    let mut any = false;
    for f in files.iter().filter(|f| f.path.ends_with(".safetensors")) {
        any = true;
        let read = |start: f64, end: f64| {
            let file = f.file.clone();
            async move {
                let blob = file
                    .slice_with_f64_and_f64(start, end)
                    .map_err(|_| "cannot read the file".to_string())?;
                let buffer = wasm_bindgen_futures::JsFuture::from(blob.array_buffer())
                    .await
                    .map_err(|_| "cannot read the file".to_string())?;
                Ok::<Vec<u8>, String>(js_sys::Uint8Array::new(&buffer).to_vec())
            }
        };
        let outcome = async {
            let prefix = read(0.0, 8.0).await?;
            let len = safetensors::header_len(&prefix, f.size())?;
            let header = read(8.0, 8.0 + len as f64).await?;
            safetensors::parse_header(&header)
        }
        .await;
        match outcome {
            Ok(summary) => {
                total = total.saturating_add(summary.parameters);
                lora |= summary.looks_like_lora;
            }
            Err(reason) => return (Some(Err(format!("{}: {reason}", f.path))), lora),
        }
    }
    (any.then_some(Ok(total)), lora)
}

/// The upload page.
#[component]
pub fn UploadPage() -> impl IntoView {
    let view = use_view();
    let settings = use_settings();
    let initial_task = match view.get_untracked() {
        View::Upload { task } => task,
        _ => None,
    };
    // The form and the upload live above this view (app level): leaving the view and coming
    // back shows the running upload as it goes on.
    let session = use_upload_session();
    let (files, repo_input, message, create, private, task) = (
        session.files,
        session.repo,
        session.message,
        session.create,
        session.private,
        session.task,
    );
    if initial_task.is_some() && !session.running.get_untracked() {
        task.set(initial_task);
    }
    let (progress, outcome, running) = (session.progress, session.outcome, session.running);
    let findings = RwSignal::new(Vec::<Finding>::new());
    // An upload that did not finish in an earlier life of the page (a reload, a crash): offered
    // for resuming. Within this life, the outcome panel says how the last upload ended instead.
    let (kept, set_aside) = storage::load_unfinished();
    let earlier = running.get_untracked() || progress.get_untracked().started_ms > 0.0;
    let unfinished = RwSignal::new(kept.filter(|_| !earlier));

    let open_tasks = use_remote(
        move || settings.get(),
        |settings, c| async move { fetch_task_list(&settings, TaskFilter::Open, &c).await },
    );
    let repo = Memo::new(move |_| repo_input.get().parse::<RepoId>());

    // Re-run the checks whenever the files or the task change.
    let checks_run = Latest::new();
    Effect::new(move |_| {
        let picked = files.get();
        let facts = task.get().and_then(|id| match open_tasks.get() {
            Load::Ready(list) => list.tasks.iter().find(|t| t.id == id).map(|t| TaskFacts {
                id,
                max_params: t.max_params,
                open: phase_at(t, crate::components::use_now().get_untracked())
                    == TaskPhase::Submission,
            }),
            _ => Some(TaskFacts {
                id,
                max_params: None,
                open: true,
            }),
        });
        // A newer pick (or task) supersedes a slower older check.
        let (fresh, _) = checks_run.start();
        leptos::task::spawn_local(async move {
            let (params, lora) = count_parameters(&picked).await;
            if !fresh() {
                return;
            }
            let list: Vec<Picked> = picked
                .iter()
                .map(|f| Picked {
                    path: f.path.clone(),
                    size: f.size(),
                })
                .collect();
            let _ = findings.try_set(checks::run(&list, params, lora, facts.as_ref()));
        });
    });

    // Whether the token may write to the repo's namespace (whoami, once per token/namespace);
    // a newer question aborts the older one, whose answer is never shown.
    let access = RwSignal::new(None::<Finding>);
    let namespace = Memo::new(move |_| repo.get().ok().map(|r| r.namespace().to_string()));
    let access_run = Latest::new();
    Effect::new(move |_| {
        let current = settings.get();
        let (fresh, controller) = access_run.start();
        let (Some(ns), Some(token), Some(controller)) = (
            namespace.get(),
            current.hf_token().map(str::to_string),
            controller,
        ) else {
            access.set(None);
            return;
        };
        let hub = current.hub();
        leptos::task::spawn_local(async move {
            let finding = match upload::whoami(&hub, &token, &controller.signal()).await {
                Ok(who) if who.can_write(&ns) => Finding { level: Level::Pass, check: Check::Token, detail: format!("{} It can write to {ns}.", who.describe()) },
                Ok(who) => Finding { level: Level::Fail, check: Check::Token, detail: format!("{} It cannot write to {ns}: pick a namespace it can write to, or another token.", who.describe()) },
                Err(e) => Finding { level: Level::Warn, check: Check::Token, detail: e.to_string() },
            };
            if fresh() {
                let _ = access.try_set(Some(finding));
            }
        });
    });

    let add = move |more: Vec<PickedFile>| {
        // The running upload's progress is shown by file position: the list stays as it is.
        if running.get_untracked() {
            return;
        }
        files.update(|current| {
            for f in more {
                current.retain(|c| c.path != f.path);
                current.push(f);
            }
            current.sort_by(|a, b| a.path.cmp(&b.path));
        });
        outcome.set(None);
    };
    let on_pick = move |ev: leptos::ev::Event| {
        if let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        {
            add(picked(input.files()));
            input.set_value("");
        }
    };
    // Dropped folders are walked to the bottom; what the drop holds is taken now, the walk
    // runs after.
    let drop_error = RwSignal::new(None::<String>);
    let on_drop = move |ev: leptos::ev::DragEvent| {
        ev.prevent_default();
        if running.get_untracked() {
            return;
        }
        let dropped = take_drop(ev.data_transfer());
        leptos::task::spawn_local(async move {
            match dropped_files(dropped).await {
                Ok(more) => {
                    let _ = drop_error.try_set(None);
                    add(more);
                }
                Err(why) => {
                    let _ = drop_error.try_set(Some(format!(
                        "{why} Try picking it with “Pick a folder” instead."
                    )));
                }
            }
        });
    };
    let folder_input = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |_| {
        if let Some(input) = folder_input.get() {
            input.set_webkitdirectory(true);
        }
    });

    let start = move |_| {
        let current = settings.get_untracked();
        let Some(token) = current.hf_token().map(crate::flock::secrets::Secret::new) else {
            return;
        };
        let Ok(repo) = repo.get_untracked() else {
            return;
        };
        unfinished.set(None);
        session.start(Job {
            hub: current.hub(),
            token,
            repo,
            create: create.get_untracked(),
            private: private.get_untracked(),
            message: message.get_untracked(),
            files: files.get_untracked(),
            network_patience_ms: current.network_patience_ms(),
            notify: current.notify_when_hidden,
        });
    };
    let cancel = move |_| session.cancel();

    let has_token = move || settings.get().hf_token().is_some();
    let blocked = move || {
        running.get()
            || files.get().is_empty()
            || repo.get().is_err()
            || !has_token()
            || findings.get().iter().any(Finding::blocks_upload)
            || access.get().is_some_and(|f| f.blocks_upload())
    };

    let file_rows = move || {
        let Progress {
            files: states,
            stalled,
            ..
        } = progress.get();
        files
            .get()
            .into_iter()
            .enumerate()
            .map(|(i, f)| {
                let path = f.path.clone();
                let state = match states.get(&i) {
                    None => "Waiting".to_string(),
                    Some(FileState::Waiting) => "Waiting".into(),
                    Some(FileState::Hashing(x)) => format!("Hashing {:.0}%", x * 100.0),
                    Some(FileState::Hashed) => "Hashed, waiting to be sent".into(),
                    Some(FileState::HashKnown) => "Hash known from an earlier run".into(),
                    Some(FileState::Uploading(x)) => format!("Uploading {:.0}%", x * 100.0),
                    Some(FileState::Stored) => "Already on the Hub".into(),
                    Some(FileState::Done) => "Ready to commit".into(),
                    Some(FileState::Committed) => "Committed".into(),
                    Some(FileState::Failed(e)) => format!("Failed: {e}"),
                };
                // A failed file waits to be retried alone; the commit waits for it.
                let retry = (stalled.contains(&i) && running.get()).then(|| view! {
                    <button type="button" class="copy" data-testid="retry-file" on:click=move |_| session.retry_file(i)>"Retry"</button>
                });
                view! {
                    <tr data-testid="upload-file">
                        <td class="mono">{f.path.clone()}</td>
                        <td class="num" title=format!("{} bytes", grouped(f.size()))>{human_bytes(f.size())}</td>
                        <td data-testid="file-state">{state}</td>
                        <td>
                            {retry}
                            <button type="button" class="copy" disabled=move || running.get()
                                on:click=move |_| files.update(|all| all.retain(|x| x.path != path))>"Remove"</button>
                        </td>
                    </tr>
                }
            })
            .collect_view()
    };
    let overall = move || {
        let p = progress.get();
        let phase = p.phase.clone()?;
        let total: u64 = files.get().iter().map(PickedFile::size).sum();
        // The current rate, smoothed over the last seconds (`hub::rate`), and the time left at it.
        let speed = p.rate.per_second().unwrap_or(0.0);
        let left = p.rate.seconds_left(total.saturating_sub(p.sent));
        let label = match phase {
            _ if matches!(outcome.get(), Some(Ok(_))) => "Finished".to_string(),
            _ if matches!(outcome.get(), Some(Err(_))) => "Stopped".into(),
            Phase::Preparing => "Preparing the repo".into(),
            Phase::Preuploading => "Asking the Hub how to send each file".into(),
            Phase::Uploading => "Hashing and uploading large files".into(),
            Phase::Committing { of: 1, .. } => "Committing".to_string(),
            Phase::Committing { k, of } => format!("Committing ({k} of {of})"),
            Phase::Verifying => {
                "The commit's answer was lost: reading the Hub to see whether it landed".into()
            }
        };
        Some(view! {
            <p class="upload__overall" data-testid="upload-phase">
                // Only the phase is announced (politely); the figures change several times a second.
                <span role="status">{label}</span>
                {format!(" · {} sent · {}/s", human_bytes(p.sent), human_bytes(speed as u64))}
                {left.filter(|_| running.get()).map(|s| format!(" · about {} left", format_duration(s.max(1))))}
            </p>
            {p.on_page.then(|| view! {
                <p class="hint" data-testid="hashed-on-page">"This browser could not run the hashing worker: files are hashed on the page instead (slower; the page may stutter meanwhile)."</p>
            })}
            {session.awake.get().map(|state| {
                let (key, text) = match state {
                    Awake::Held => ("held", "Keeping the screen awake until the upload ends."),
                    Awake::Released => ("released", ""),
                    Awake::Unavailable => ("unavailable", "This browser cannot keep the screen awake: keep the device from sleeping until the upload ends."),
                };
                view! { <p class="muted" data-testid="wake-lock" data-state=key>{text}</p> }
            })}
            {(!p.stalled.is_empty() && running.get()).then(|| view! {
                <p class="notice notice--warning" role="status" data-testid="upload-stalled">
                    {format!(
                        "{} could not be sent; the others went on. Retry each with its Retry button, or Cancel: nothing is committed until every file is stored.",
                        if p.stalled.len() == 1 { "1 file".to_string() } else { format!("{} files", p.stalled.len()) },
                    )}
                </p>
            })}
            {p.notices.iter().map(|notice| view! {
                <p class="notice notice--warning" role="status" data-testid="upload-notice">{notice.clone()}</p>
            }).collect_view()}
            {p.offline.filter(|_| running.get()).map(|(since, gives_up)| view! {
                <p class="notice notice--warning" role="status" data-testid="upload-offline">
                    {format!(
                        "Waiting for the network since {}: nothing is lost, the upload carries on by itself when it is back (it gives up at {}).",
                        clock_time(since),
                        clock_time(gives_up),
                    )}
                </p>
            })}
            {p.retrying.filter(|_| running.get()).map(|(why, at)| view! {
                <p class="notice notice--warning" data-testid="upload-retrying">
                    {format!("{why}: trying again in {} s.", ((at - js_sys::Date::now()) / 1000.0).ceil().max(0.0))}
                </p>
            })}
        })
    };

    let resume_offer = move || {
        let record = unfinished.get()?;
        let picked = PickedFile::listing(&files.get());
        let comparison = (!picked.is_empty()).then(|| record.compare(&picked));
        let (repo_name, message_text, task_id) =
            (record.repo.clone(), record.message.clone(), record.task);
        let fill = move |_| {
            repo_input.set(repo_name.clone());
            message.set(message_text.clone());
            if task_id.is_some() {
                task.set(task_id);
            }
        };
        let forget = move |_| {
            storage::forget_unfinished();
            unfinished.set(None);
        };
        let elsewhere = (record.hub != settings.get().hub().as_str()).then(|| {
            format!(
                " It went to the Hub at {}, not the one set now.",
                record.hub
            )
        });
        Some(view! {
            <div class="notice notice--warning" data-testid="unfinished-upload">
                <p>
                    {format!(
                        "An upload to {} did not finish: {} of {} files had been sent (started {}).",
                        record.repo,
                        record.sent(),
                        record.files.len(),
                        local_date_time(record.started_ms),
                    )}
                    {elsewhere}
                </p>
                <p>"To resume, pick the same folder or files again and press Upload: hashes computed before are reused, and files the Hub already has are not sent again."</p>
                {comparison.map(|c| view! {
                    <p data-testid="unfinished-match">
                        {if c.is_complete() {
                            format!("The files picked are those of the unfinished upload ({} files, {} of them sent).", c.same, c.sent)
                        } else {
                            format!(
                                "The files picked differ from the unfinished upload: {} of its files are not picked, {} changed size. Those are hashed and sent anew.",
                                c.missing.len(),
                                c.changed.len(),
                            )
                        }}
                    </p>
                })}
                <div class="actions">
                    <button type="button" class="button button--quiet" data-testid="resume-fill" on:click=fill>"Use its repository and message"</button>
                    <button type="button" class="button button--quiet" data-testid="forget-unfinished" on:click=forget>"Forget it"</button>
                </div>
            </div>
        })
    };

    view! {
        <section class="upload panel">
            <h1>"Upload a model to the Hugging Face Hub"</h1>
            {set_aside.map(|why| view! { <p class="notice notice--warning" data-testid="unfinished-set-aside">{why}</p> })}
            {move || (!running.get()).then(resume_offer)}
            {move || (!has_token()).then(|| view! {
                <p class="notice notice--warning" data-testid="no-token">
                    "Add a Hugging Face token with write access in " <a href=View::Settings.href()>"Settings"</a> " to upload."
                </p>
            })}
            <div class="dropzone" data-testid="dropzone" on:dragover=|ev: leptos::ev::DragEvent| ev.prevent_default() on:drop=on_drop>
                <p>"Drop files here, or"</p>
                <label class="button button--quiet">"Pick files"<input type="file" multiple class="visually-hidden" data-testid="pick-files" on:change=on_pick /></label>
                <label class="button button--quiet">"Pick a folder"<input type="file" multiple class="visually-hidden" data-testid="pick-folder" node_ref=folder_input on:change=on_pick /></label>
            </div>
            {move || drop_error.get().map(|why| view! { <p class="notice notice--error" role="alert" data-testid="drop-error">{why}</p> })}
            {move || (!files.get().is_empty()).then(|| view! {
                <div class="table-wrap">
                    <table class="table" data-testid="upload-files">
                        <thead><tr><th scope="col">"Path in the repo"</th><th scope="col" class="num">"Size"</th><th scope="col">"State"</th><th></th></tr></thead>
                        <tbody>{file_rows}</tbody>
                    </table>
                </div>
                <p class="count">{move || format!("{} files, {} in all", files.get().len(), human_bytes(files.get().iter().map(PickedFile::size).sum()))}</p>
            })}
            <div class="upload__form">
                <label class="field">
                    <span class="field__label">"Repository (namespace/name)"</span>
                    <input type="text" spellcheck="false" data-testid="repo-input" placeholder="alice/task-7-qwen-lora"
                        prop:value=move || repo_input.get() on:input:target=move |ev| repo_input.set(ev.target().value()) />
                    {move || match repo.get() {
                        Err(e) if !repo_input.get().is_empty() => Some(view! { <span class="field__error" role="alert">{e}</span> }),
                        _ => None,
                    }}
                </label>
                <label class="check"><input type="checkbox" prop:checked=move || create.get() on:change:target=move |ev| create.set(ev.target().checked()) />" Create the repo if it does not exist"</label>
                <label class="check"><input type="checkbox" data-testid="private" prop:checked=move || private.get() on:change:target=move |ev| private.set(ev.target().checked()) />" Private (when created)"</label>
                <label class="field">
                    <span class="field__label">"Commit message"</span>
                    <input type="text" data-testid="message-input" prop:value=move || message.get() on:input:target=move |ev| message.set(ev.target().value()) />
                </label>
                <label class="field">
                    <span class="field__label">"For FLock task (optional: checks its limits)"</span>
                    <select data-testid="task-select" on:change:target=move |ev| task.set(ev.target().value().parse().ok())>
                        <option value="" selected=move || task.get().is_none()>"No task"</option>
                        {move || match open_tasks.get() {
                            Load::Ready(list) => list.tasks.iter().map(|t| {
                                let id = t.id;
                                view! { <option value=id.to_string() selected=move || task.get() == Some(id)>{format!("#{id} {}", t.title)}</option> }
                            }).collect_view().into_any(),
                            _ => ().into_any(),
                        }}
                    </select>
                </label>
            </div>
            <h2>"Checks"</h2>
            <ul class="checks" data-testid="checks">
                {move || findings.get().into_iter().chain(access.get()).map(|f| {
                    let class = check_class(f.level);
                    view! { <li class=class><strong>{f.check.title()}": "</strong>{f.detail}</li> }
                }).collect_view()}
            </ul>
            <div class="actions">
                <button class="button" type="button" data-testid="start-upload" disabled=blocked on:click=start>"Upload"</button>
                <button class="button button--quiet" type="button" data-testid="cancel-upload" disabled=move || !running.get() on:click=cancel>"Cancel"</button>
            </div>
            {overall}
            {move || outcome.get().map(|result| match result {
                Ok(done) => {
                    let submit = View::Submit { task: task.get_untracked(), repo: repo_input.get_untracked().trim().to_string(), revision: done.commit.clone() }.href();
                    // The Hub's own link when it gave an http(s) one, else the commit's page on
                    // the Hub address in use.
                    let link = done.url.clone().unwrap_or_else(|| format!("{}{}/commit/{}", settings.get_untracked().hub(), repo_input.get_untracked().trim(), done.commit));
                    view! {
                        <div class="notice notice--ok" data-testid="upload-done">
                            <p>"Committed " <code data-testid="commit-oid">{done.commit.clone()}</code>
                                {(done.commits > 1).then(|| format!(" (the last of {} commits: regular files are spread over commits of at most 100 MiB each)", done.commits))}
                                {(done.skipped > 0).then(|| format!(" ({} file(s) were already on the Hub and not sent again)", done.skipped))}</p>
                            {done.confirmed_after.clone().map(|how| view! { <p data-testid="commit-confirmed">{how}</p> })}
                            <p><a href=link target="_blank" rel="noopener noreferrer" data-testid="commit-link">"See the commit on the Hub"</a></p>
                            <p><a class="button" href=submit data-testid="to-submit">"Submit this commit to FLock"</a></p>
                        </div>
                    }.into_any()
                }
                Err(e) => view! {
                    <p class=if e.is_cancel() { "notice notice--warning" } else { "notice notice--error" } data-testid="upload-error" role="alert">{e.to_string()}</p>
                }.into_any(),
            })}
        </section>
    }
}
