//! The app shell: providers (settings, clock), the router, navigation, and the one place that
//! maps a [`View`] (read from the URL query) to its page.

use leptos::prelude::*;
use leptos_router::components::Router;
use leptos_router::hooks::{use_location, use_navigate, use_query_map};
use leptos_router::NavigateOptions;

use crate::components::provide_clock;
use crate::flock::stats::Range;
use crate::flock::task_list::TaskListQuery;
use crate::flock::view::View;
use crate::flock::watch::Watchlist;
use crate::pages::{
    provide_board_cache, CheckPage, InvalidLinkPage, LeaderboardPage, MePage, SettingsPage,
    StatsPage, SubmitPage, TaskPage, TasksPage, UploadPage, WalletPage, WatchPage,
};
use crate::storage::{self, Settings};

/// The settings in force, shared by every page.
#[derive(Clone, Copy)]
pub struct SettingsContext(pub RwSignal<Settings>);

/// The settings signal; outside the app (a component mounted alone), the defaults.
pub fn use_settings() -> RwSignal<Settings> {
    use_context::<SettingsContext>()
        .map(|SettingsContext(settings)| settings)
        .unwrap_or_else(|| RwSignal::new(Settings::default()))
}

/// The watchlist, shared by every page (the stars, the watch page).
#[derive(Clone, Copy)]
pub struct WatchContext(pub RwSignal<Watchlist>);

/// The watchlist signal; outside the app, an empty one.
pub fn use_watchlist() -> RwSignal<Watchlist> {
    use_context::<WatchContext>()
        .map(|WatchContext(list)| list)
        .unwrap_or_else(|| RwSignal::new(Watchlist::default()))
}

/// Change the watchlist `list` (from [`use_watchlist`], taken when the component is made:
/// event handlers run outside it) with `change` and keep it; a browser refusing to keep it is
/// said.
pub fn change_watchlist(
    list: RwSignal<Watchlist>,
    change: impl FnOnce(&mut Watchlist),
) -> Result<(), String> {
    let mut changed = list.get_untracked();
    change(&mut changed);
    let kept = storage::save_watchlist(&changed);
    list.set(changed);
    kept
}

/// The current view, read from the URL query (tracked).
pub fn use_view() -> Memo<View> {
    let query = use_query_map();
    Memo::new(move |_| {
        let query = query.read();
        View::from_params(|key| query.get(key))
    })
}

/// Go to `view`, keeping the page's own path (the app may live under any sub-path).
/// `replace` updates the current history entry instead of adding one (for typing in search).
pub fn use_go() -> impl Fn(&View, bool) + Clone + 'static {
    let navigate = use_navigate();
    let location = use_location();
    move |view: &View, replace: bool| {
        let url = format!("{}{}", location.pathname.get_untracked(), view.href());
        navigate(
            &url,
            NavigateOptions {
                replace,
                scroll: false,
                ..Default::default()
            },
        );
    }
}

/// The whole app.
#[component]
pub fn App() -> impl IntoView {
    let (settings, warning) = storage::load();
    provide_context(SettingsContext(RwSignal::new(settings)));
    let (watchlist, watch_warning) = storage::load_watchlist();
    provide_context(WatchContext(RwSignal::new(watchlist)));
    let warning = match (warning, watch_warning) {
        (Some(a), Some(b)) => Some(format!("{a} {b}")),
        (a, b) => a.or(b),
    };
    provide_clock();
    provide_board_cache();
    crate::upload::session::provide_upload_session();
    view! {
        <Router>
            <Shell startup_warning=warning />
        </Router>
    }
}

/// Which page a view needs; changes only when the page itself changes, so state inside a page
/// (such as the focus of the search box) survives changes to the rest of the query.
#[derive(Clone, PartialEq)]
enum PageKind {
    Tasks,
    Task(u64),
    Leaderboard(u64),
    Stats,
    Wallet,
    Me,
    Watch,
    Upload,
    Submit,
    Settings,
    Check,
    Invalid(String),
}

#[component]
fn Shell(startup_warning: Option<String>) -> impl IntoView {
    let view = use_view();
    let page = Memo::new(move |_| match view.get() {
        View::Tasks(_) => PageKind::Tasks,
        View::Task { id } => PageKind::Task(id),
        View::Leaderboard { id, .. } => PageKind::Leaderboard(id),
        View::Stats { .. } => PageKind::Stats,
        View::Wallet { .. } => PageKind::Wallet,
        View::Me { .. } => PageKind::Me,
        View::Watch => PageKind::Watch,
        View::Upload { .. } => PageKind::Upload,
        View::Submit { .. } => PageKind::Submit,
        View::Settings => PageKind::Settings,
        View::Check => PageKind::Check,
        View::Invalid(reason) => PageKind::Invalid(reason),
    });
    Effect::new(move |_| document().set_title(&view.get().title()));
    let settings = use_settings();
    let tasks_href = View::Tasks(TaskListQuery::default()).href();
    view! {
        // Keyboard users skip the navigation in one step (the URL is left as it is: views live
        // in the query string).
        <a class="skip-link" href="#content" data-testid="skip-link" on:click=move |ev: leptos::ev::MouseEvent| {
            ev.prevent_default();
            if let Some(main) = document()
                .get_element_by_id("content")
                .and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(e).ok())
            {
                let _ = main.focus();
            }
        }>"Skip to content"</a>
        <header class="topbar">
            <a class="brand" href=tasks_href.clone()>"flockboard"</a>
            <nav class="topnav" aria-label="Main">
                <NavLink href=tasks_href label="Tasks" page=page is=|p| matches!(p, PageKind::Tasks | PageKind::Task(_) | PageKind::Leaderboard(_)) />
                <NavLink href=View::Me { address: String::new() }.href() label="Standing" page=page is=|p| *p == PageKind::Me />
                <NavLink href=View::Watch.href() label="Watchlist" page=page is=|p| *p == PageKind::Watch />
                <NavLink href=View::Stats { range: Range::default() }.href() label="Stats" page=page is=|p| *p == PageKind::Stats />
                <NavLink href=View::Wallet { address: String::new() }.href() label="Wallet" page=page is=|p| *p == PageKind::Wallet />
                <NavLink href=View::Upload { task: None }.href() label="Upload" page=page is=|p| matches!(p, PageKind::Upload | PageKind::Submit) />
                <NavLink href=View::Settings.href() label="Settings" page=page is=|p| matches!(p, PageKind::Settings | PageKind::Check) />
            </nav>
        </header>
        {startup_warning.map(|w| view! { <p class="banner banner--warning" role="status">{w}</p> })}
        <crate::alerts::AlertWatcher />
        <main class="content" id="content" tabindex="-1">
            {move || match page.get() {
                PageKind::Tasks => view! { <TasksPage /> }.into_any(),
                PageKind::Task(id) => view! { <TaskPage id=id /> }.into_any(),
                PageKind::Leaderboard(id) => view! { <LeaderboardPage id=id /> }.into_any(),
                PageKind::Stats => view! { <StatsPage /> }.into_any(),
                PageKind::Wallet => view! { <WalletPage /> }.into_any(),
                PageKind::Me => view! { <MePage /> }.into_any(),
                PageKind::Watch => view! { <WatchPage /> }.into_any(),
                PageKind::Upload => view! { <UploadPage /> }.into_any(),
                PageKind::Submit => view! { <SubmitPage /> }.into_any(),
                PageKind::Settings => view! { <SettingsPage /> }.into_any(),
                PageKind::Check => view! { <CheckPage /> }.into_any(),
                PageKind::Invalid(reason) => view! { <InvalidLinkPage reason=reason /> }.into_any(),
            }}
        </main>
        <footer class="footer">
            "FLock API: "
            <code data-testid="api-base">{move || settings.get().flock_api().to_string()}</code>
            " · flockboard runs entirely in your browser; nothing passes through a server of ours."
        </footer>
    }
}

/// A link of the main navigation: marked active (and `aria-current="page"`) while the page
/// shown is one of those `is` accepts.
#[component]
fn NavLink(
    href: String,
    label: &'static str,
    page: Memo<PageKind>,
    is: fn(&PageKind) -> bool,
) -> impl IntoView {
    let active = move || page.with(is);
    view! {
        <a href=href class:active=active aria-current=move || active().then_some("page")>{label}</a>
    }
}
