//! Settings kept in the browser's local storage. The only module that touches storage.
//!
//! A missing, unreadable or outdated entry never blocks start-up: the defaults are used and
//! the page says why.

use gloo_storage::{LocalStorage, SessionStorage, Storage};
use serde::{Deserialize, Serialize};

use crate::flock::url::{default_base, ApiBase};
use crate::flock::wallet::WalletAddress;
use crate::hub::wire::default_hub;

/// Storage key of the settings record.
const SETTINGS_KEY: &str = "flockboard.settings";

/// Default time limit for one API request, in seconds.
pub const DEFAULT_TIMEOUT_SECS: u32 = 20;

/// What the user can set. Missing fields read as their defaults, so older records still load.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// The FLock API base; `None` for this build's default.
    pub flock_api_base: Option<String>,
    /// Time limit for one request, in seconds.
    pub timeout_secs: u32,
    /// The FLock API key. Sent only in the `flock-api-key` header, only to `flock_key_origin`.
    pub flock_api_key: Option<String>,
    /// The API origin the key was entered for; a key is never sent to another.
    pub flock_key_origin: Option<String>,
    /// The user's own wallet, highlighted on leaderboards.
    pub wallet: Option<String>,
    /// The Hugging Face Hub base; `None` for this build's default.
    pub hub_base: Option<String>,
    /// The Hugging Face token, when kept in local storage (see `hf_token_session_only`).
    pub hf_token: Option<String>,
    /// The Hub origin the token was entered for; a token is never sent to another.
    pub hf_token_origin: Option<String>,
    /// Keep the token for this browser session only (session storage), not across visits.
    pub hf_token_session_only: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            flock_api_base: None,
            timeout_secs: DEFAULT_TIMEOUT_SECS,
            flock_api_key: None,
            flock_key_origin: None,
            wallet: None,
            hub_base: None,
            hf_token: None,
            hf_token_origin: None,
            hf_token_session_only: false,
        }
    }
}

impl Settings {
    /// The FLock API base in force: the user's, if it is valid, else the build's default.
    pub fn flock_api(&self) -> ApiBase {
        self.flock_api_base
            .as_deref()
            .and_then(|raw| ApiBase::parse(raw).ok())
            .unwrap_or_else(default_base)
    }

    /// The Hub base in force: the user's, if valid, else the build's default.
    pub fn hub(&self) -> ApiBase {
        self.hub_base
            .as_deref()
            .and_then(|raw| ApiBase::parse(raw).ok())
            .unwrap_or_else(default_hub)
    }

    /// The Hugging Face token, only if it was entered for the Hub base now in force.
    pub fn hf_token(&self) -> Option<&str> {
        bound_secret(&self.hf_token, &self.hf_token_origin, &self.hub())
    }

    /// The API key, only if it was entered for the API base now in force.
    pub fn flock_key(&self) -> Option<&str> {
        bound_secret(
            &self.flock_api_key,
            &self.flock_key_origin,
            &self.flock_api(),
        )
    }

    /// Whether a key is saved but belongs to another API address than the one in force.
    pub fn key_is_for_another_api(&self) -> bool {
        self.flock_api_key.is_some() && self.flock_key().is_none()
    }

    /// The user's own wallet, when one is saved and valid.
    pub fn own_wallet(&self) -> Option<WalletAddress> {
        self.wallet.as_deref().and_then(|w| w.parse().ok())
    }

    /// The time limit, at least one second.
    pub fn timeout_secs(&self) -> u32 {
        self.timeout_secs.clamp(1, 600)
    }
}

/// A saved secret, only when it was entered for the origin of `base`.
fn bound_secret<'a>(
    secret: &'a Option<String>,
    origin: &Option<String>,
    base: &ApiBase,
) -> Option<&'a str> {
    match (secret, origin) {
        (Some(secret), Some(origin)) if origin == base.origin() && !secret.is_empty() => {
            Some(secret)
        }
        _ => None,
    }
}

/// The origin to keep a secret (API key, token) with when saving. A secret merely left in the
/// form after the address changed stays with the origin it was entered for, so it is not sent
/// to the new one; a secret typed anew belongs to the address it is saved with.
pub fn secret_origin(
    secret: &str,
    saved_secret: Option<&str>,
    saved_origin: Option<&str>,
    origin: &str,
) -> Option<String> {
    if secret.is_empty() {
        None
    } else if saved_secret == Some(secret) && saved_origin != Some(origin) {
        saved_origin.map(str::to_string)
    } else {
        Some(origin.to_string())
    }
}

/// Session-storage key of a token kept for this browser session only.
const SESSION_TOKEN_KEY: &str = "flockboard.hf_token";

/// Load the settings; on failure, the defaults and a sentence saying what went wrong.
pub fn load() -> (Settings, Option<String>) {
    let (mut settings, warning) = load_local();
    if settings.hf_token_session_only {
        settings.hf_token = SessionStorage::get::<String>(SESSION_TOKEN_KEY).ok();
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
