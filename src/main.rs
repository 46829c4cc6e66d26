//! Entry point: mounts the app. Everything else lives in the library.

// In a browser without WebAssembly SIMD the hashing worker runs this module and hashes with
// these scalar lanes (elsewhere it runs the SIMD module, `src/bin/hash_worker.rs`).
#[cfg(target_arch = "wasm32")]
flockboard::export_sha256_lanes!(flockboard::hub::sha256x4::OneByOne);

#[cfg(target_arch = "wasm32")]
fn main() {
    // The hashing worker loads this same module: there is no window there, and nothing to mount.
    if web_sys::window().is_none() {
        return;
    }
    console_error_panic_hook::set_once();
    if let Some(boot) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("boot"))
    {
        boot.remove();
    }
    leptos::mount::mount_to_body(flockboard::app::App);
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("flockboard is a web page: build it with trunk (see README.md)");
}
