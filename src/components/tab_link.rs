//! One tab of a tab bar: a plain link (it works before the page's code has loaded, and can be
//! opened in a new tab), marked as current when `active`.

use leptos::prelude::*;

/// A tab linking to `href`.
#[component]
pub fn TabLink(
    /// Where the tab leads (a view's query string).
    #[prop(into)]
    href: Signal<String>,
    /// Whether this tab is the current one.
    #[prop(into)]
    active: Signal<bool>,
    /// The tab's text.
    label: &'static str,
    /// Test hook (`data-testid`).
    test_id: String,
) -> impl IntoView {
    view! {
        <a
            class="tab"
            href=move || href.get()
            class:active=move || active.get()
            aria-current=move || active.get().then_some("page")
            data-testid=test_id
        >
            {label}
        </a>
    }
}
