//! SHA-256 of the picked files: in Web Workers (`public/hash-worker.js`, one per core; four
//! files at once in SIMD lanes when a worker has three or more, see
//! [`crate::hub::sha256x4`], in a module of their own since a browser without SIMD refuses a
//! module holding it; there the worker runs the page's module, hashing one file after the
//! other with scalar code), or on the page when no worker can run.

use futures::channel::mpsc;
use futures::future::{self, Either};
use futures::StreamExt;
use sha2::{Digest, Sha256};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortSignal, Blob, File};

use super::{Event, FileState, Job, Left, UploadError};

/// Bytes read per step when hashing on the page.
const HASH_SLICE: f64 = 8.0 * 1024.0 * 1024.0;

/// Bytes `start..end` of `file` (picked as `path`) as a `Blob`, without reading them.
pub(crate) fn slice(file: &File, path: &str, start: f64, end: f64) -> Result<Blob, UploadError> {
    file.slice_with_f64_and_f64(start, end)
        .map_err(|_| UploadError::unreadable(path))
}

/// Read bytes `start..end` of `file` (picked as `path`); a file the browser cannot read (moved
/// or deleted since it was picked) is an error naming it.
pub(crate) async fn read_range(
    file: &File,
    path: &str,
    start: f64,
    end: f64,
) -> Result<Vec<u8>, UploadError> {
    let blob = slice(file, path, start, end)?;
    let buffer = JsFuture::from(blob.array_buffer())
        .await
        .map_err(|_| UploadError::unreadable(path))?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

/// SHA-256 of a file, read in slices on the page, reporting the fraction done. `path` names
/// it in errors.
pub async fn hash_file(
    path: &str,
    file: &File,
    progress: &dyn Fn(f64),
    cancel: &AbortSignal,
) -> Result<String, UploadError> {
    let size = file.size();
    let mut hasher = Sha256::new();
    let mut at = 0.0;
    while at < size {
        if cancel.aborted() {
            return Err(UploadError::Cancelled(Left::NothingCommitted));
        }
        let end = (at + HASH_SLICE).min(size);
        hasher.update(read_range(file, path, at, end).await?);
        at = end;
        progress(at / size);
    }
    Ok(crate::hub::lower_hex(&hasher.finalize()))
}

/// Defines `Sha256Lanes`, the class the hashing worker (`public/hash-worker.js`) drives, over
/// a [`Lanes`](crate::hub::sha256x4::Lanes) type. A macro, called by each module's entry point
/// (`src/main.rs` with the scalar lanes, `src/bin/hash_worker.rs` with the SIMD ones), because
/// a class exported from this library would be exported by both modules.
#[macro_export]
macro_rules! export_sha256_lanes {
    ($lanes:ty) => {
        /// Up to four SHA-256 streams at once, for the hashing worker.
        #[wasm_bindgen::prelude::wasm_bindgen]
        pub struct Sha256Lanes($lanes);

        #[wasm_bindgen::prelude::wasm_bindgen]
        impl Sha256Lanes {
            /// Four free lanes.
            #[wasm_bindgen(constructor)]
            #[allow(clippy::new_without_default)]
            pub fn new() -> Sha256Lanes {
                Sha256Lanes(<$lanes>::default())
            }

            /// Start a stream on lane `k` (0–3).
            pub fn start(&mut self, k: usize) {
                $crate::hub::sha256x4::Lanes::start(&mut self.0, k);
            }

            /// Add bytes to lane `k`'s stream.
            pub fn push(&mut self, k: usize, bytes: &[u8]) {
                $crate::hub::sha256x4::Lanes::push(&mut self.0, k, bytes);
            }

            /// Bytes waiting on lane `k`.
            pub fn pending(&self, k: usize) -> usize {
                $crate::hub::sha256x4::Lanes::pending(&self.0, k)
            }

            /// Hash what every busy lane has.
            pub fn run(&mut self) {
                $crate::hub::sha256x4::Lanes::run(&mut self.0);
            }

            /// End lane `k`'s stream; its digest in lower-case hex.
            pub fn finish(&mut self, k: usize) -> String {
                $crate::hub::sha256x4::Lanes::finish(&mut self.0, k)
            }
        }
    };
}

/// The smallest module holding a SIMD instruction: `(func (result v128) (v128.const 0))`.
const SIMD_PROBE: [u8; 43] = [
    0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 22, 1, 20, 0, 253, 12, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 11,
];

/// Whether this browser runs WebAssembly SIMD.
pub fn has_simd() -> bool {
    js_sys::WebAssembly::validate(&js_sys::Uint8Array::from(&SIMD_PROBE[..]).into())
        .unwrap_or(false)
}

/// The JS glue and wasm the hashing worker runs: the SIMD hashing module trunk builds beside
/// the page (`hash_worker.js`, `hash_worker_bg.wasm`: a worker module keeps its cargo name)
/// where the browser has SIMD, else the page's own module with its scalar lanes.
fn module_urls(simd: bool) -> Option<(String, String)> {
    if simd {
        let document = web_sys::window()?.document()?;
        let base = document.base_uri().ok()??;
        let at = |name: &str| {
            web_sys::Url::new_with_base(name, &base)
                .ok()
                .map(|u| u.href())
        };
        return Some((at("./hash_worker.js")?, at("./hash_worker_bg.wasm")?));
    }
    page_module_urls()
}

/// The URLs of this page's JS glue and wasm, as trunk's preload links name them.
fn page_module_urls() -> Option<(String, String)> {
    let document = web_sys::window()?.document()?;
    let href = |selector: &str| {
        document
            .query_selector(selector)
            .ok()
            .flatten()
            .and_then(|e| e.get_attribute("href"))
            .and_then(|h| web_sys::Url::new_with_base(&h, &document.url().ok()?).ok())
            .map(|u| u.href())
    };
    Some((
        href("link[rel=modulepreload]")?,
        href("link[rel=preload][as=fetch]")?,
    ))
}

/// What the hashing worker said.
enum Heard {
    Progress(usize, f64),
    Oid(usize, String),
    Error(String),
}

/// Read one message of the worker; `None` for a message that does not fit the protocol
/// (unknown shape, or an index outside the files it was given, or an oid that is no SHA-256).
fn heard(data: &JsValue, files: usize) -> Option<Heard> {
    let field = |name: &str| {
        js_sys::Reflect::get(data, &JsValue::from_str(name))
            .ok()
            .filter(|v| !v.is_undefined())
    };
    if let Some(error) = field("error").and_then(|v| v.as_string()) {
        return Some(Heard::Error(error));
    }
    let index = field("index")
        .and_then(|v| v.as_f64())
        .filter(|i| i.fract() == 0.0 && *i >= 0.0 && (*i as usize) < files)?
        as usize;
    if let Some(oid) = field("oid").and_then(|v| v.as_string()) {
        let valid = oid.len() == 64 && oid.bytes().all(|b| b.is_ascii_hexdigit());
        return valid.then_some(Heard::Oid(index, oid));
    }
    let progress = field("progress").and_then(|v| v.as_f64())?;
    Some(Heard::Progress(index, progress.clamp(0.0, 1.0)))
}

/// Why a worker did not hash everything.
enum WorkerTrouble {
    /// No worker could run here: hash on the page instead.
    NoWorker,
    /// Reading or hashing failed, or the upload was cancelled.
    Failed(UploadError),
}

/// A hashing worker with its message handlers; dropping it detaches them and stops the worker.
struct WorkerGuard {
    worker: web_sys::Worker,
    _on_message: Closure<dyn FnMut(web_sys::MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
}

impl Drop for WorkerGuard {
    fn drop(&mut self) {
        // Runs before the fields drop: no queued message can reach a dropped closure.
        self.worker.set_onmessage(None);
        self.worker.set_onerror(None);
        self.worker.terminate();
    }
}

/// SHA-256 of `files` in one Web Worker (up to four at once, in SIMD lanes), so the page stays
/// responsive. `progress(k, fraction)` and `done(k, oid)` hear about `files[k]` as it goes;
/// messages arrive through a channel as the worker sends them.
async fn hash_in_worker(
    files: &[File],
    progress: &dyn Fn(usize, f64),
    done: &dyn Fn(usize, String),
    cancel: &AbortSignal,
) -> Result<(), WorkerTrouble> {
    let simd = has_simd();
    let (glue, wasm) = module_urls(simd).ok_or(WorkerTrouble::NoWorker)?;
    let options = web_sys::WorkerOptions::new();
    options.set_type(web_sys::WorkerType::Module);
    let worker = web_sys::Worker::new_with_options("./hash-worker.js", &options)
        .map_err(|_| WorkerTrouble::NoWorker)?;
    let (tell, mut news) = mpsc::unbounded::<Heard>();
    let count = files.len();
    let on_message = {
        let tell = tell.clone();
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
            let message = heard(&event.data(), count).unwrap_or_else(|| {
                Heard::Error("the hashing worker sent a message that does not fit".into())
            });
            let _ = tell.unbounded_send(message);
        })
    };
    let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
        let _ = tell.unbounded_send(Heard::Error(String::new()));
    });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    // From here the guard owns the worker: however this future ends — finished, failed, or
    // dropped because another file's upload failed — the handlers are detached before their
    // closures go, and the worker is stopped.
    let guard = WorkerGuard {
        worker,
        _on_message: on_message,
        _on_error: on_error,
    };
    let list = files.iter().collect::<js_sys::Array>();
    let message = js_sys::Object::new();
    for (key, value) in [
        ("glue", JsValue::from_str(&glue)),
        ("wasm", JsValue::from_str(&wasm)),
        ("files", list.into()),
        ("lanes", JsValue::from_f64(if simd { 4.0 } else { 1.0 })),
    ] {
        let _ = js_sys::Reflect::set(&message, &JsValue::from_str(key), &value);
    }
    guard
        .worker
        .post_message(&message)
        .map_err(|_| WorkerTrouble::NoWorker)?;
    let mut finished = vec![false; count];
    let mut started = false;
    let stopped = super::http::aborted(cancel);
    futures::pin_mut!(stopped);
    while finished.iter().any(|f| !f) {
        let message = match future::select(news.next(), stopped.as_mut()).await {
            Either::Left((Some(message), _)) => message,
            Either::Left((None, _)) => return Err(WorkerTrouble::NoWorker),
            Either::Right(_) => {
                return Err(WorkerTrouble::Failed(UploadError::Cancelled(
                    Left::NothingCommitted,
                )))
            }
        };
        match message {
            Heard::Progress(k, fraction) => {
                started = true;
                progress(k, fraction);
            }
            Heard::Oid(k, oid) if !finished[k] => {
                started = true;
                finished[k] = true;
                done(k, oid);
            }
            Heard::Oid(..) => {}
            // An error before any word from the worker: it could not start (module workers
            // unsupported, say): the page hashes instead.
            Heard::Error(_) if !started => return Err(WorkerTrouble::NoWorker),
            Heard::Error(reason) => {
                return Err(WorkerTrouble::Failed(UploadError::Hashing(reason)))
            }
        }
    }
    Ok(())
}

/// SHA-256 of `job.files[i]` on the page itself, reporting progress as that file's.
pub(crate) async fn hash_on_page(
    job: &Job,
    i: usize,
    on: &dyn Fn(Event),
    cancel: &AbortSignal,
) -> Result<String, UploadError> {
    let progress = |fraction| on(Event::File(i, FileState::Hashing(fraction)));
    let file = &job.files[i];
    let oid = hash_file(&file.path, &file.file, &progress, cancel).await?;
    on(Event::File(i, FileState::Hashed));
    Ok(oid)
}

/// Hash `group` (indexes into `job.files`) in one worker, or on the page if no worker can run;
/// `send` gets each file's outcome as soon as it is known.
pub(crate) async fn hash_group(
    job: &Job,
    group: &[usize],
    on: &dyn Fn(Event),
    cancel: &AbortSignal,
    send: &dyn Fn(usize, Result<String, UploadError>),
) {
    let files: Vec<File> = group.iter().map(|&i| job.files[i].file.clone()).collect();
    let finished = std::cell::RefCell::new(vec![false; group.len()]);
    let outcome = hash_in_worker(
        &files,
        &|k, fraction| on(Event::File(group[k], FileState::Hashing(fraction))),
        &|k, oid| {
            finished.borrow_mut()[k] = true;
            on(Event::File(group[k], FileState::Hashed));
            send(group[k], Ok(oid));
        },
        cancel,
    )
    .await;
    let left: Vec<usize> = (0..group.len())
        .filter(|&k| !finished.borrow()[k])
        .collect();
    match outcome {
        Ok(()) => {}
        Err(WorkerTrouble::Failed(e)) => {
            for k in left {
                send(group[k], Err(e.clone()));
            }
        }
        Err(WorkerTrouble::NoWorker) => {
            on(Event::NoWorker);
            for k in left {
                send(group[k], hash_on_page(job, group[k], on, cancel).await);
            }
        }
    }
}

/// Hashing workers to run at once: one per core the browser reports, at most four (each
/// worker keeps one core busy; more only makes them share).
pub(crate) fn hashing_workers() -> usize {
    web_sys::window()
        .map(|w| w.navigator().hardware_concurrency())
        .filter(|n| n.is_finite() && *n >= 1.0)
        .map_or(2, |n| (n as usize).min(4))
}
