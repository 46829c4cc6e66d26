//! Small browser services for the views: the page's URL, the clipboard, file downloads,
//! scrolling.
//! Each reports failure as a sentence instead of panicking.

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// The page's own URL (what relative API addresses resolve against); empty outside a page.
pub fn page_url() -> String {
    web_sys::window()
        .and_then(|w| w.location().href().ok())
        .unwrap_or_default()
}

/// `ms` since the epoch as the user's local time of day (`14:02:07`).
pub fn clock_time(ms: f64) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms));
    String::from(date.to_locale_time_string("en-GB"))
}

/// `ms` since the epoch as the user's local date and time (`02/12/2026, 14:02:07`).
pub fn local_date_time(ms: f64) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms));
    String::from(date.to_locale_string("en-GB", &wasm_bindgen::JsValue::UNDEFINED))
}

/// Copy `text` to the clipboard.
pub async fn copy_text(text: &str) -> Result<(), String> {
    let window = web_sys::window().ok_or("No window to copy from.")?;
    let promise = window.navigator().clipboard().write_text(text);
    JsFuture::from(promise)
        .await
        .map(|_| ())
        .map_err(|_| "The browser refused to copy (clipboard access denied).".to_string())
}

/// Offer `content` as a file download named `file_name`.
pub fn download_text(file_name: &str, mime: &str, content: &str) -> Result<(), String> {
    let failed = |_| "The browser refused to create the file.".to_string();
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(content));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob =
        web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).map_err(failed)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(failed)?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("No document to download from.")?;
    let link: web_sys::HtmlAnchorElement = document
        .create_element("a")
        .map_err(failed)?
        .unchecked_into();
    link.set_href(&url);
    link.set_download(file_name);
    link.click();
    // The click has started the download; the object URL is no longer needed.
    let _ = web_sys::Url::revoke_object_url(&url);
    Ok(())
}

/// Scroll the first element matching `selector` into view, if there is one.
pub fn scroll_to(selector: &str) {
    if let Some(element) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector(selector).ok().flatten())
    {
        element.scroll_into_view();
    }
}
