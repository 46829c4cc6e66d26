//! Which address a secret (the FLock API key, the Hugging Face token) belongs to, and whether it
//! may be sent to the address in force. A secret is bound to the resolved base it was entered
//! for — origin and path — so pointing the page at another API or proxy never carries it along.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::url::ApiBase;

/// A FLock API key or a Hugging Face token. Its `Debug` and `Display` print a mask, so a
/// `{:?}` of the settings or an upload job never shows it; the one way to the value is
/// [`Secret::expose`] (or `Deref`), at the header that carries it.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Wrap a value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The value itself, for the one header it goes in.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret::new(value)
    }
}

impl std::ops::Deref for Secret {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(••••)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("••••")
    }
}

/// A saved secret, only when it was entered for `base`: its scope is the base itself, or, in a
/// record saved before scopes held the path, the base's origin.
pub fn bound_secret<'a>(
    secret: Option<&'a str>,
    scope: Option<&str>,
    base: &ApiBase,
) -> Option<&'a str> {
    match (secret, scope) {
        (Some(secret), Some(scope))
            if (scope == base.as_str() || scope == base.origin()) && !secret.is_empty() =>
        {
            Some(secret)
        }
        _ => None,
    }
}

/// The scope (resolved base) to keep a secret with when saving. A secret merely left in the
/// form after the address changed stays with the base it was entered for, so it is not sent to
/// the new one; a secret typed anew belongs to the base it is saved with.
pub fn secret_scope(
    secret: &str,
    saved_secret: Option<&str>,
    saved_scope: Option<&str>,
    scope: &str,
) -> Option<String> {
    if secret.is_empty() {
        None
    } else if saved_secret == Some(secret) && saved_scope != Some(scope) {
        saved_scope.map(str::to_string)
    } else {
        Some(scope.to_string())
    }
}

/// What to save from a secret's form field (`typed`, trimmed), given what is saved: the secret
/// and its scope. An empty field keeps a secret saved for another address (the form never shows
/// such a secret, so an empty field says nothing about it); otherwise as [`secret_scope`] says.
pub fn secret_to_save(
    typed: &str,
    saved: Option<&str>,
    saved_scope: Option<&str>,
    base: &ApiBase,
) -> (Option<String>, Option<String>) {
    let bound_elsewhere = saved.is_some() && bound_secret(saved, saved_scope, base).is_none();
    if typed.is_empty() && bound_elsewhere {
        return (saved.map(str::to_string), saved_scope.map(str::to_string));
    }
    (
        (!typed.is_empty()).then(|| typed.to_string()),
        secret_scope(typed, saved, saved_scope, base.as_str()),
    )
}

/// `text` with every occurrence of each non-empty secret replaced by `[redacted]`: for reports
/// a user copies and pastes elsewhere, in case a server echoed a key back.
pub fn redact(text: &str, secrets: &[&str]) -> String {
    let mut out = text.to_string();
    for secret in secrets.iter().filter(|s| s.trim().len() >= 4) {
        out = out.replace(secret, "[redacted]");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_print_masked_and_save_in_clear() {
        let token = Secret::new("hf_abcdef");
        assert!(!format!("{token:?} {token}").contains("hf_"));
        assert_eq!(token.expose(), "hf_abcdef");
        assert_eq!(
            serde_json::to_string(&token).ok().as_deref(),
            Some("\"hf_abcdef\"")
        );
    }

    fn base(raw: &str) -> ApiBase {
        ApiBase::parse(raw).unwrap_or_else(|_| ApiBase::production())
    }

    #[test]
    fn a_secret_goes_only_to_the_base_it_was_entered_for() {
        let api = base("https://me.example/apps/fb/api/v1/");
        let scope = Some("https://me.example/apps/fb/api/v1/");
        assert_eq!(bound_secret(Some("K"), scope, &api), Some("K"));
        // Same origin, another path: another service (say, another proxy) — not sent.
        let other = base("https://me.example/other/api/v1/");
        assert_eq!(bound_secret(Some("K"), scope, &other), None);
        assert_eq!(
            bound_secret(
                Some("K"),
                scope,
                &base("https://evil.example/apps/fb/api/v1/")
            ),
            None
        );
        // Records from before scopes held the path: bound to the origin.
        assert_eq!(
            bound_secret(Some("K"), Some("https://me.example"), &api),
            Some("K")
        );
        assert_eq!(bound_secret(Some(""), scope, &api), None);
        assert_eq!(bound_secret(Some("K"), None, &api), None);
        assert_eq!(bound_secret(None, scope, &api), None);
    }

    #[test]
    fn a_secret_left_in_the_form_stays_with_its_address() {
        let a = "https://a.example/api/v1/";
        let b = "https://b.example/api/v1/";
        // Saved for A; the address changed to B but the key was not retyped: stays with A.
        assert_eq!(secret_scope("K", Some("K"), Some(a), b), Some(a.into()));
        // A new key typed with B: belongs to B.
        assert_eq!(secret_scope("K2", Some("K"), Some(a), b), Some(b.into()));
        // First save.
        assert_eq!(secret_scope("K", None, None, b), Some(b.into()));
        // Saved again at the same address.
        assert_eq!(secret_scope("K", Some("K"), Some(b), b), Some(b.into()));
        assert_eq!(secret_scope("", Some("K"), Some(a), b), None);
    }

    #[test]
    fn an_empty_field_forgets_only_a_secret_of_this_address() {
        let here = base("https://b.example/api/v1/");
        let elsewhere = Some("https://a.example/api/v1/");
        // Saved for another address, not shown in the form: kept as it was.
        assert_eq!(
            secret_to_save("", Some("K"), elsewhere, &here),
            (Some("K".into()), elsewhere.map(str::to_string))
        );
        // Saved for this address and cleared by the user: forgotten.
        assert_eq!(
            secret_to_save("", Some("K"), Some(here.as_str()), &here),
            (None, None)
        );
        // Typed anew: saved for this address.
        assert_eq!(
            secret_to_save("K2", Some("K"), elsewhere, &here),
            (Some("K2".into()), Some(here.to_string()))
        );
    }

    #[test]
    fn reports_never_hold_a_secret() {
        let key = "K7Q2M9X4T1B8C6N3P5R0W2Y4Z6A8D1F3";
        let token = "hf_sandboxWriteTokenAlice0000000000000";
        let text = format!("server said: invalid key {key}; token {token}; {key}");
        let clean = redact(&text, &[key, token, ""]);
        assert!(!clean.contains(key) && !clean.contains(token), "{clean}");
        assert_eq!(clean.matches("[redacted]").count(), 3);
        // Tiny "secrets" would shred the text: ignored (a real key is 32 characters).
        assert_eq!(redact("abc", &["a"]), "abc");
    }
}
