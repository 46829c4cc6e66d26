//! Browser tests: run in headless Chromium by `wasm-bindgen-test-runner` (see `tests/tools/test.sh`),
//! against the sandbox at `SANDBOX_URL` (read at build time; the test script starts it).
//! Natively this file compiles to nothing.

#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use flockboard::components::Description;
use flockboard::flock::url::ApiBase;
use flockboard::flock::ApiError;
use flockboard::net::get_text;
use flockboard::storage::{self, Settings};
use gloo_storage::{LocalStorage, Storage};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::AbortController;

wasm_bindgen_test_configure!(run_in_browser);

fn sandbox() -> ApiBase {
    let url = option_env!("SANDBOX_URL").unwrap_or("http://127.0.0.1:18181");
    ApiBase::parse(&format!("{url}/api/v1/")).unwrap()
}

#[wasm_bindgen_test]
fn settings_round_trip_through_local_storage() {
    LocalStorage::clear();
    let saved = Settings {
        flock_api_base: Some("https://example.org/api/v1/".into()),
        timeout_secs: 7,
        flock_api_key: Some("K7Q2M9X4T1B8C6N3P5R0W2Y4Z6A8D1F3".into()),
        flock_key_scope: Some("https://example.org/api/v1/".into()),
        wallet: Some("0xB93A9c73751Bbca8E1924954271ee8d4De5747c9".into()),
        ..Settings::default()
    };
    storage::save(&saved).unwrap();
    assert_eq!(storage::load(), (saved.clone(), None));
    // A record written before keys were bound to origin and path still loads, bound to the origin.
    LocalStorage::raw()
        .set_item(
            "flockboard.settings",
            r#"{"flock_api_base":"https://example.org/api/v1/","flock_api_key":"K","flock_key_origin":"https://example.org"}"#,
        )
        .unwrap();
    assert_eq!(storage::load().0.flock_key(), Some("K"));
    // The key belongs to the address it was entered for, and to no other.
    assert_eq!(saved.flock_key(), Some("K7Q2M9X4T1B8C6N3P5R0W2Y4Z6A8D1F3"));
    let moved = Settings {
        flock_api_base: Some("https://other.example/api/v1/".into()),
        ..saved
    };
    assert_eq!(moved.flock_key(), None);
    assert!(moved.key_is_for_another_api());
    // A relative address resolves against this page, and a key saved for it works there.
    let page = flockboard::browser::page_url();
    let relative = Settings {
        flock_api_base: Some("api/v1/".into()),
        ..Settings::default()
    };
    let resolved = flockboard::flock::url::resolve("api/v1/", &page).unwrap();
    assert_eq!(relative.flock_api(), resolved);
    let keyed = Settings {
        flock_api_key: Some("K".into()),
        flock_key_scope: Some(resolved.to_string()),
        ..relative
    };
    assert_eq!(keyed.flock_key(), Some("K"));
    LocalStorage::clear();
}

#[wasm_bindgen_test]
fn unreadable_settings_fall_back_to_defaults_and_say_so() {
    // Regression guard: a corrupt entry must never block start-up.
    LocalStorage::raw()
        .set_item("flockboard.settings", "{oops")
        .unwrap();
    let (settings, warning) = storage::load();
    assert_eq!(settings, Settings::default());
    assert!(warning.unwrap().contains("could not be read"));
    LocalStorage::clear();
}

#[wasm_bindgen_test]
async fn health_is_read_from_the_sandbox() {
    let base = sandbox();
    let controller = AbortController::new().unwrap();
    let body = get_text(&base.health(), &base, 10, None, &controller)
        .await
        .unwrap();
    assert_eq!(body, r#"{"status":"ok"}"#);
}

#[wasm_bindgen_test]
async fn error_statuses_carry_the_server_detail() {
    let base = sandbox();
    let controller = AbortController::new().unwrap();
    let error = get_text(&base.task(4242), &base, 10, None, &controller)
        .await
        .unwrap_err();
    assert_eq!(
        error,
        ApiError::Status {
            code: 404,
            detail: Some("Task not found".into())
        }
    );
}

#[wasm_bindgen_test]
async fn a_closed_port_is_a_network_error_naming_the_base() {
    // Port 9 (discard) is closed on loopback here: the fetch is refused outright.
    let base = ApiBase::parse("http://127.0.0.1:9/api/v1/").unwrap();
    let controller = AbortController::new().unwrap();
    let error = get_text(&base.health(), &base, 10, None, &controller)
        .await
        .unwrap_err();
    assert_eq!(
        error,
        ApiError::Network {
            base: "http://127.0.0.1:9/api/v1/".into()
        }
    );
}

#[wasm_bindgen_test]
fn hostile_descriptions_render_as_text_only() {
    let document = web_sys::window().unwrap().document().unwrap();
    let host: web_sys::HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&host).unwrap();
    let hostile = "<p>Hi <b>there</b></p><img src=x onerror=alert(1)><script>alert(2)</script><a href=\"javascript:alert(3)\">x</a>";
    let handle = leptos::mount::mount_to(host.clone(), move || {
        view! { <Description text=hostile.to_string() /> }
    });
    assert_eq!(
        host.query_selector_all("img, script, a, b")
            .unwrap()
            .length(),
        0
    );
    assert_eq!(host.query_selector_all("p").unwrap().length(), 2);
    assert_eq!(host.inner_text(), "Hi there\n\nx");
    drop(handle);
}

/// The SIMD lanes (wasm `simd128`, only compiled here) agree with the sha2 crate for four
/// streams of different lengths pushed in uneven pieces, including a lane that runs alone at
/// the end (the scalar path) and one that takes a new stream midway.
#[wasm_bindgen_test]
fn simd_lanes_hash_like_sha2() {
    use flockboard::hub::sha256x4::Sha256x4;
    use sha2::{Digest, Sha256};
    let hex = |bytes: &[u8]| -> String {
        Sha256::digest(bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    };
    let data = |len: usize, seed: u8| -> Vec<u8> {
        (0..len)
            .map(|i| (i as u8).wrapping_mul(37).wrapping_add(seed))
            .collect()
    };
    let streams = [
        data(1_000_003, 1),
        data(64, 2),
        data(250_000, 3),
        data(999_936, 4),
    ];
    let later = data(77_777, 5);
    let mut x = Sha256x4::new();
    (0..4).for_each(|k| x.start(k));
    let mut at = [0usize; 4];
    let mut digests = vec![None; 5];
    let mut round = 0usize;
    while digests.iter().any(Option::is_none) {
        round += 1;
        for k in 0..4 {
            let (stream, slot) = if k == 1 && digests[1].is_some() {
                (&later, 4)
            } else {
                (&streams[k], k)
            };
            if digests[slot].is_some() {
                continue;
            }
            let end = (at[k] + 1000 + (round * 7919 + k * 104_729) % 60_000).min(stream.len());
            x.push(k, &stream[at[k]..end]);
            at[k] = end;
        }
        x.run();
        for k in 0..4 {
            let (stream, slot) = if k == 1 && digests[1].is_some() {
                (&later, 4)
            } else {
                (&streams[k], k)
            };
            if digests[slot].is_none() && at[k] == stream.len() {
                digests[slot] = Some(x.finish(k));
                if slot == 1 {
                    x.start(1);
                    at[1] = 0;
                }
            }
        }
    }
    for (k, s) in streams.iter().enumerate() {
        assert_eq!(digests[k].as_deref(), Some(hex(s).as_str()), "stream {k}");
    }
    assert_eq!(
        digests[4].as_deref(),
        Some(hex(&later).as_str()),
        "the stream started midway"
    );
}
