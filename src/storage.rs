//! Settings kept in the browser's local storage. The only module that touches storage.
//!
//! A missing, unreadable or outdated entry never blocks start-up: the defaults are used and
//! the page says why.

use gloo_storage::{LocalStorage, Storage};
use serde::{Deserialize, Serialize};

use crate::flock::url::{default_base, ApiBase};

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
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            flock_api_base: None,
            timeout_secs: DEFAULT_TIMEOUT_SECS,
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

    /// The time limit, at least one second.
    pub fn timeout_secs(&self) -> u32 {
        self.timeout_secs.clamp(1, 600)
    }
}

/// Load the settings; on failure, the defaults and a sentence saying what went wrong.
pub fn load() -> (Settings, Option<String>) {
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

/// Save the settings.
pub fn save(settings: &Settings) -> Result<(), String> {
    LocalStorage::set(SETTINGS_KEY, settings).map_err(|_| {
        "The browser refused to store the settings (storage full or disabled).".to_string()
    })
}
