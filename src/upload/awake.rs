//! While an upload runs: the screen is kept awake (Screen Wake Lock, taken again whenever the
//! tab comes back into view, since browsers release it when the tab is hidden) and, when the
//! upload ends while the tab is hidden, a notification says so (opt-in, Settings).
//!
//! The Wake Lock API is not among web-sys's stable bindings; it is reached through
//! `js_sys::Reflect`, and a browser without it simply reports [`Awake::Unavailable`].

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Where the screen wake lock stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Awake {
    /// Held: the screen stays on.
    Held,
    /// Given back (the upload ended, or the browser took it when the tab was hidden).
    Released,
    /// This browser cannot keep the screen awake (no API, or it refused).
    Unavailable,
}

/// Holds the wake lock until [`WakeGuard::release`]; takes it again when the tab comes back.
pub struct WakeGuard {
    state: Rc<State>,
    on_visible: Option<Closure<dyn FnMut()>>,
}

struct State {
    sentinel: RefCell<Option<JsValue>>,
    active: Cell<bool>,
    report: Box<dyn Fn(Awake)>,
}

impl WakeGuard {
    /// Take the wake lock; `report` hears of every change.
    pub fn take(report: impl Fn(Awake) + 'static) -> WakeGuard {
        let state = Rc::new(State {
            sentinel: RefCell::new(None),
            active: Cell::new(true),
            report: Box::new(report),
        });
        acquire(state.clone());
        let again = state.clone();
        let on_visible = Closure::<dyn FnMut()>::new(move || {
            let visible = web_sys::window()
                .and_then(|w| w.document())
                .is_some_and(|d| !d.hidden());
            if visible && again.active.get() {
                acquire(again.clone());
            }
        });
        if let Some(document) = web_sys::window().and_then(|w| w.document()) {
            let _ = document.add_event_listener_with_callback(
                "visibilitychange",
                on_visible.as_ref().unchecked_ref(),
            );
        }
        WakeGuard {
            state,
            on_visible: Some(on_visible),
        }
    }

    /// Give the lock back and stop taking it again.
    pub fn release(mut self) {
        self.state.active.set(false);
        if let (Some(document), Some(listener)) = (
            web_sys::window().and_then(|w| w.document()),
            self.on_visible.take(),
        ) {
            let _ = document.remove_event_listener_with_callback(
                "visibilitychange",
                listener.as_ref().unchecked_ref(),
            );
        }
        if let Some(sentinel) = self.state.sentinel.borrow_mut().take() {
            let _ = call(&sentinel, "release", &[]);
        }
        (self.state.report)(Awake::Released);
    }
}

/// Ask for the lock (unless held); report what came of it.
fn acquire(state: Rc<State>) {
    let held = state
        .sentinel
        .borrow()
        .as_ref()
        .is_some_and(|s| Reflect::get(s, &"released".into()).ok() == Some(JsValue::FALSE));
    if held {
        return;
    }
    wasm_bindgen_futures::spawn_local(async move {
        let result = match request() {
            Some(promise) => JsFuture::from(promise).await.ok(),
            None => None,
        };
        match result {
            // The upload ended while the request was on its way: give it straight back.
            Some(sentinel) if !state.active.get() => {
                let _ = call(&sentinel, "release", &[]);
            }
            Some(sentinel) => {
                *state.sentinel.borrow_mut() = Some(sentinel);
                (state.report)(Awake::Held);
            }
            None if state.active.get() => (state.report)(Awake::Unavailable),
            None => {}
        }
    });
}

/// `navigator.wakeLock.request("screen")`, if the browser has it.
fn request() -> Option<Promise> {
    let navigator = web_sys::window()?.navigator();
    let wake_lock = Reflect::get(&navigator, &"wakeLock".into()).ok()?;
    if wake_lock.is_undefined() || wake_lock.is_null() {
        return None;
    }
    call(&wake_lock, "request", &["screen".into()])?
        .dyn_into::<Promise>()
        .ok()
}

/// `target[method](...args)`.
fn call(target: &JsValue, method: &str, args: &[JsValue]) -> Option<JsValue> {
    let function = Reflect::get(target, &method.into())
        .ok()?
        .dyn_into::<Function>()
        .ok()?;
    let args: js_sys::Array = args.iter().collect();
    function.apply(target, &args).ok()
}

/// Whether the tab is hidden (another tab in front, a minimised window, a locked screen).
pub fn tab_hidden() -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .is_some_and(|d| d.hidden())
}

/// Show a notification, if the user allowed them (the permission is asked for in Settings,
/// only when the user turns an option on); a newer one with the same `tag` replaces it.
/// Whether it was shown.
pub fn notify(title: &str, body: &str, tag: &str) -> bool {
    if web_sys::Notification::permission() != web_sys::NotificationPermission::Granted {
        return false;
    }
    let options = web_sys::NotificationOptions::new();
    options.set_body(body);
    options.set_tag(tag);
    web_sys::Notification::new_with_options(title, &options).is_ok()
}

/// Ask the browser for leave to notify; whether it was given.
pub async fn ask_to_notify() -> bool {
    let Ok(promise) = web_sys::Notification::request_permission() else {
        return false;
    };
    JsFuture::from(promise)
        .await
        .ok()
        .and_then(|v| v.as_string())
        .is_some_and(|p| p == "granted")
}
