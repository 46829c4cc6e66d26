//! Entry point: mounts the app. Everything else lives in the library.

#[cfg(target_arch = "wasm32")]
fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(flockboard::app::App);
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("flockboard is a web page: build it with trunk (see README.md)");
}
