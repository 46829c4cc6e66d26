//! Model repository ids: `namespace/name`, with the Hub's rules for each part.

use std::fmt;
use std::str::FromStr;

/// A valid `namespace/name` model repo id.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RepoId {
    namespace: String,
    name: String,
}

impl RepoId {
    /// The user or organisation.
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    /// The repo's name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl fmt::Display for RepoId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.namespace, self.name)
    }
}

/// Check one part of an id: letters, digits, `-`, `_`, `.`; not starting or ending with `-` or
/// `.`; no `--` or `..`; at most 96 characters.
fn check_part(part: &str, what: &str) -> Result<(), String> {
    if part.is_empty() {
        return Err(format!("The {what} is empty."));
    }
    if part.len() > 96 {
        return Err(format!("The {what} is longer than 96 characters."));
    }
    if let Some(bad) = part
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
    {
        return Err(format!(
            "The {what} contains “{bad}”: use letters, digits, “-”, “_” and “.”."
        ));
    }
    if part.starts_with(['-', '.']) || part.ends_with(['-', '.']) {
        return Err(format!("The {what} cannot start or end with “-” or “.”."));
    }
    if part.contains("--") || part.contains("..") {
        return Err(format!("The {what} cannot contain “--” or “..”."));
    }
    Ok(())
}

impl FromStr for RepoId {
    type Err = String;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        let text = raw.trim().trim_start_matches("https://huggingface.co/");
        let Some((namespace, name)) = text.split_once('/') else {
            return Err("Write the repo as namespace/name, e.g. alice/task-7-qwen-lora.".into());
        };
        if name.contains('/') {
            return Err("A repo id has exactly one “/”: namespace/name.".into());
        }
        check_part(namespace, "namespace")?;
        check_part(name, "repo name")?;
        Ok(RepoId {
            namespace: namespace.to_string(),
            name: name.to_string(),
        })
    }
}

/// A picked or dropped file's path in the repo, from its path as the browser gives it
/// (`webkitRelativePath`, or a dropped entry's `fullPath`) and its name: below the top folder,
/// as `upload_folder` does (`my-model/sub/x.json` → `sub/x.json`); a file given on its own
/// keeps its name.
pub fn path_in_repo(given: &str, name: &str) -> String {
    match given.trim_start_matches('/').split_once('/') {
        Some((_, rest)) if !rest.is_empty() => rest.to_string(),
        _ => name.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_below_the_top_folder() {
        assert_eq!(
            path_in_repo("my-model/config.json", "config.json"),
            "config.json"
        );
        assert_eq!(
            path_in_repo("my-model/tok/vocab.txt", "vocab.txt"),
            "tok/vocab.txt"
        );
        // A dropped entry's fullPath starts at the drop's root.
        assert_eq!(
            path_in_repo("/my-model/tok/vocab.txt", "vocab.txt"),
            "tok/vocab.txt"
        );
        // Files on their own: picked (no relative path) or dropped loose.
        assert_eq!(path_in_repo("", "model.safetensors"), "model.safetensors");
        assert_eq!(
            path_in_repo("/model.safetensors", "model.safetensors"),
            "model.safetensors"
        );
    }

    #[test]
    fn accepts_hub_ids_and_hub_urls() {
        let id: RepoId = "alice/task-7-Qwen2.5_7B"
            .parse()
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((id.namespace(), id.name()), ("alice", "task-7-Qwen2.5_7B"));
        let from_url: RepoId = "https://huggingface.co/flock-lab/model"
            .parse()
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(from_url.to_string(), "flock-lab/model");
    }

    #[test]
    fn refuses_bad_ids_with_the_reason() {
        for (raw, reason) in [
            ("model", "namespace/name"),
            ("a/b/c", "exactly one"),
            ("alice/", "empty"),
            ("alice/my model", "contains “ ”"),
            ("alice/-model", "start or end"),
            ("alice/a--b", "“--”"),
            ("alice/x.", "start or end"),
        ] {
            let error = raw.parse::<RepoId>().err().unwrap_or_default();
            assert!(error.contains(reason), "{raw}: {error}");
        }
        assert!(format!("alice/{}", "x".repeat(97))
            .parse::<RepoId>()
            .is_err());
    }
}
