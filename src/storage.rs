//! Settings kept in the browser's local storage. The only module that touches storage.
//!
//! A missing, unreadable or outdated entry never blocks start-up: the defaults are used and
//! the page says why.

use gloo_storage::{LocalStorage, SessionStorage, Storage};
use serde::{Deserialize, Serialize};

use crate::browser::page_url;
use crate::flock::secrets::{bound_secret, Secret};
use crate::flock::url::{default_address, resolve_first, ApiBase, PRODUCTION_BASE};
use crate::flock::wallet::WalletAddress;
use crate::flock::watch::Watchlist;
use crate::hub::hash_cache::HashCache;
use crate::hub::retry::DEFAULT_NETWORK_WAIT_MINS;
use crate::hub::unfinished::Unfinished;
use crate::hub::wire::{default_hub_address, HUB_BASE};

/// Storage key of the settings record.
const SETTINGS_KEY: &str = "flockboard.settings";

/// The longest an upload may be set to wait for a gone network, in minutes.
pub const MAX_NETWORK_WAIT_MINS: u32 = 120;

/// Default time limit for one API request, in seconds.
pub const DEFAULT_TIMEOUT_SECS: u32 = 20;

/// What the user can set. Missing fields read as their defaults, so older records still load.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// The FLock API address as typed (absolute, or relative to the page); `None` for this
    /// build's default.
    pub flock_api_base: Option<String>,
    /// Time limit for one request, in seconds.
    pub timeout_secs: u32,
    /// The FLock API key. Sent only in the `flock-api-key` header, only to `flock_key_scope`.
    pub flock_api_key: Option<Secret>,
    /// The resolved API base (origin and path) the key was entered for; a key is never sent to
    /// another. Records from before bases were kept hold only the origin.
    #[serde(alias = "flock_key_origin")]
    pub flock_key_scope: Option<String>,
    /// The user's own wallet, highlighted on leaderboards.
    pub wallet: Option<String>,
    /// The Hugging Face Hub address as typed (absolute, or relative to the page for a proxy);
    /// `None` for this build's default.
    pub hub_base: Option<String>,
    /// The Hugging Face token, when kept in local storage (see `hf_token_session_only`).
    pub hf_token: Option<Secret>,
    /// The resolved Hub base the token was entered for; a token is never sent to another.
    #[serde(alias = "hf_token_origin")]
    pub hf_token_scope: Option<String>,
    /// Keep the token for this browser session only (session storage), not across visits.
    pub hf_token_session_only: bool,
    /// How long an upload waits for a network that went away before it fails, in minutes.
    pub network_wait_mins: u32,
    /// Notify when an upload ends while the tab is hidden (the browser's leave is asked for
    /// when this is turned on).
    pub notify_when_hidden: bool,
    /// Poll for alerts every this many minutes while the page is open (at least
    /// `crate::flock::alerts::MIN_MINUTES`); 0: off.
    pub alert_every_mins: u32,
    /// For the tests only (no field in the form): poll this often instead, in milliseconds.
    pub alert_test_ms: Option<u64>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            flock_api_base: None,
            timeout_secs: DEFAULT_TIMEOUT_SECS,
            flock_api_key: None,
            flock_key_scope: None,
            wallet: None,
            hub_base: None,
            hf_token: None,
            hf_token_scope: None,
            hf_token_session_only: false,
            network_wait_mins: DEFAULT_NETWORK_WAIT_MINS,
            notify_when_hidden: false,
            alert_every_mins: 0,
            alert_test_ms: None,
        }
    }
}

impl Settings {
    /// The FLock API base in force: the user's address resolved against this page, if it
    /// resolves, else the build's default, else production.
    pub fn flock_api(&self) -> ApiBase {
        in_force(
            self.flock_api_base.as_deref(),
            default_address(),
            PRODUCTION_BASE,
        )
    }

    /// The Hub base in force: the user's address resolved against this page, if it resolves,
    /// else the build's default, else huggingface.co.
    pub fn hub(&self) -> ApiBase {
        in_force(self.hub_base.as_deref(), default_hub_address(), HUB_BASE)
    }

    /// The Hugging Face token, only if it was entered for the Hub base now in force.
    pub fn hf_token(&self) -> Option<&str> {
        bound_secret(
            self.hf_token.as_deref(),
            self.hf_token_scope.as_deref(),
            &self.hub(),
        )
    }

    /// The API key, only if it was entered for the API base now in force.
    pub fn flock_key(&self) -> Option<&str> {
        bound_secret(
            self.flock_api_key.as_deref(),
            self.flock_key_scope.as_deref(),
            &self.flock_api(),
        )
    }

    /// Whether a key is saved but belongs to another API address than the one in force.
    pub fn key_is_for_another_api(&self) -> bool {
        self.flock_api_key.is_some() && self.flock_key().is_none()
    }

    /// The FLock API address as the user sees it in Settings: as typed (relative or
    /// absolute), or this build's default.
    pub fn flock_api_address(&self) -> String {
        self.flock_api_base
            .clone()
            .unwrap_or_else(|| default_address().to_string())
    }

    /// The Hub address as the user sees it in Settings.
    pub fn hub_address(&self) -> String {
        self.hub_base
            .clone()
            .unwrap_or_else(|| default_hub_address().to_string())
    }

    /// Whether a token is saved but belongs to another Hub address than the one in force.
    pub fn token_is_for_another_hub(&self) -> bool {
        self.hf_token.is_some() && self.hf_token().is_none()
    }

    /// The user's own wallet, when one is saved and valid.
    pub fn own_wallet(&self) -> Option<WalletAddress> {
        self.wallet.as_deref().and_then(|w| w.parse().ok())
    }

    /// The time limit, at least one second.
    pub fn timeout_secs(&self) -> u32 {
        self.timeout_secs.clamp(1, 600)
    }

    /// How long an upload waits for a gone network, in milliseconds (at most two hours; 0 turns
    /// the wait off: a lost network fails the upload after the usual attempts).
    pub fn network_patience_ms(&self) -> u64 {
        u64::from(self.network_wait_mins.min(MAX_NETWORK_WAIT_MINS)) * 60_000
    }
}

/// The first of the saved address, the build's default and the public service that resolves
/// against this page. The public address is absolute, so it always resolves; production is
/// only a formal fallback.
fn in_force(saved: Option<&str>, default: &str, public: &str) -> ApiBase {
    resolve_first([saved, Some(default), Some(public)], &page_url())
        .unwrap_or_else(ApiBase::production)
}

/// Session-storage key of a token kept for this browser session only.
const SESSION_TOKEN_KEY: &str = "flockboard.hf_token";

/// Load the settings; on failure, the defaults and a sentence saying what went wrong.
pub fn load() -> (Settings, Option<String>) {
    let (mut settings, warning) = load_local();
    if settings.hf_token_session_only {
        settings.hf_token = SessionStorage::get::<Secret>(SESSION_TOKEN_KEY).ok();
    }
    (settings, warning)
}

fn load_local() -> (Settings, Option<String>) {
    match LocalStorage::get::<Settings>(SETTINGS_KEY) {
        Ok(settings) => (settings, None),
        Err(gloo_storage::errors::StorageError::KeyNotFound(_)) => (Settings::default(), None),
        Err(gloo_storage::errors::StorageError::SerdeError(_)) => (
            Settings::default(),
            Some("Your saved settings could not be read, so the defaults are in use. Saving in Settings replaces them.".into()),
        ),
        Err(_) => (
            Settings::default(),
            Some("This browser does not allow local storage here, so settings cannot be kept between visits.".into()),
        ),
    }
}

/// Save the settings. A session-only token goes to session storage, never to local storage.
pub fn save(settings: &Settings) -> Result<(), String> {
    let refused =
        |_| "The browser refused to store the settings (storage full or disabled).".to_string();
    let mut kept = settings.clone();
    if settings.hf_token_session_only {
        match &settings.hf_token {
            Some(token) => SessionStorage::set(SESSION_TOKEN_KEY, token).map_err(refused)?,
            None => SessionStorage::delete(SESSION_TOKEN_KEY),
        }
        kept.hf_token = None;
    } else {
        SessionStorage::delete(SESSION_TOKEN_KEY);
    }
    LocalStorage::set(SETTINGS_KEY, &kept).map_err(refused)
}

/// Local-storage key of the remembered file hashes.
const HASHES_KEY: &str = "flockboard.hashes";
/// Local-storage key of the record of an upload that has not finished.
const UNFINISHED_KEY: &str = "flockboard.unfinished";

/// A record kept under `key`, read with `parse`. A record that cannot be trusted (corrupt,
/// foreign, another format) is removed, and the sentence returned says so, naming `what`;
/// nothing else is lost by it.
fn load_record<T>(
    key: &str,
    parse: impl Fn(&str) -> Result<T, String>,
    what: &str,
) -> (Option<T>, Option<String>) {
    let Ok(Some(raw)) = LocalStorage::raw().get_item(key) else {
        return (None, None);
    };
    match parse(&raw) {
        Ok(record) => (Some(record), None),
        Err(why) => {
            LocalStorage::delete(key);
            (None, Some(format!("{what} was set aside: {why}.")))
        }
    }
}

/// Keep `json` under `key`; a refusal (storage full or off) only loses what it would have
/// saved next time (hashing again, no resume offer).
fn save_record(key: &str, json: &str) {
    let _ = LocalStorage::raw().set_item(key, json);
}

/// The remembered file hashes (empty when none, or set aside with the sentence returned).
pub fn load_hashes() -> (HashCache, Option<String>) {
    let (cache, notice) = load_record(
        HASHES_KEY,
        HashCache::parse,
        "The record of file hashes kept from earlier uploads",
    );
    (
        cache.unwrap_or_default(),
        notice.map(|n| format!("{n} Files are hashed anew.")),
    )
}

/// Keep the file hashes.
pub fn save_hashes(cache: &HashCache) {
    save_record(HASHES_KEY, &cache.to_json());
}

/// The unfinished upload, if one is remembered (or set aside with the sentence returned).
pub fn load_unfinished() -> (Option<Unfinished>, Option<String>) {
    load_record(
        UNFINISHED_KEY,
        Unfinished::parse,
        "The record of an upload that did not finish",
    )
}

/// Remember an upload that has not finished.
pub fn save_unfinished(record: &Unfinished) {
    save_record(UNFINISHED_KEY, &record.to_json());
}

/// Forget the unfinished upload (it finished, or the user said so).
pub fn forget_unfinished() {
    LocalStorage::delete(UNFINISHED_KEY);
}

/// Local-storage key of the watchlist (`crate::flock::watch`).
const WATCH_KEY: &str = "flockboard.watchlist";

/// The watchlist (empty when none, or set aside with the sentence returned).
pub fn load_watchlist() -> (Watchlist, Option<String>) {
    let (list, notice) = load_record(
        WATCH_KEY,
        Watchlist::parse,
        "The watchlist kept in this browser",
    );
    (
        list.unwrap_or_default(),
        notice.map(|n| format!("{n} Stars start anew; an exported file can be imported again.")),
    )
}

/// Keep the watchlist; a refusal (storage full or off) is said.
pub fn save_watchlist(list: &Watchlist) -> Result<(), String> {
    LocalStorage::raw()
        .set_item(WATCH_KEY, &list.to_json())
        .map_err(|_| {
            "This browser refused to keep the watchlist (storage full or turned off).".to_string()
        })
}
