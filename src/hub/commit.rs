//! Commit safety: what a commit must leave on the Hub, the test of whether ours landed when its
//! answer was lost (the commit made on our `parentCommit`, holding our files), and how regular files are spread over commits so that no body grows without
//! bound. Pure; the pipeline (`crate::upload`) asks the Hub and follows these answers.

use serde_json::Value;
use sha1::{Digest as _, Sha1};

/// What one path must hold after our commit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expected {
    /// An LFS file: its SHA-256 (the pointer's oid).
    Lfs {
        /// SHA-256, lower-case hex.
        sha256: String,
    },
    /// A regular file: its git blob id (SHA-1 of `blob {len}\0` + content).
    Regular {
        /// Git blob id, lower-case hex.
        blob: String,
    },
}

/// The git blob id of `content`: what the Hub's tree lists as a regular file's `oid`.
pub fn git_blob_oid(content: &[u8]) -> String {
    let mut hasher = Sha1::new();
    hasher.update(format!("blob {}\0", content.len()).as_bytes());
    hasher.update(content);
    super::lower_hex(&hasher.finalize())
}

/// One file of a tree listing (`GET api/models/{repo}/tree/{rev}`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TreeFile {
    /// Path in the repo.
    pub path: String,
    /// Git blob id (of the pointer, for LFS files).
    pub oid: String,
    /// SHA-256 of the content, for LFS files.
    pub lfs_sha256: Option<String>,
}

/// Read a tree listing; folders are skipped.
pub fn parse_tree(body: &str) -> Result<Vec<TreeFile>, String> {
    let value: Value =
        serde_json::from_str(body).map_err(|e| format!("the tree listing is not JSON: {e}"))?;
    let entries = value
        .as_array()
        .ok_or("the tree listing is not a JSON array")?;
    let mut files = Vec::new();
    for (i, entry) in entries.iter().enumerate() {
        if entry["type"] == "directory" {
            continue;
        }
        let field = |name: &str| {
            entry[name]
                .as_str()
                .map(str::to_string)
                .ok_or_else(|| format!("tree entry {}: no `{name}`", i + 1))
        };
        files.push(TreeFile {
            path: field("path")?,
            oid: field("oid")?,
            lfs_sha256: entry["lfs"]["oid"].as_str().map(str::to_string),
        });
    }
    Ok(files)
}

/// Read the head commit from a revision answer (`GET api/models/{repo}/revision/{rev}`).
pub fn parse_revision(body: &str) -> Result<String, String> {
    let value: Value =
        serde_json::from_str(body).map_err(|e| format!("the revision answer is not JSON: {e}"))?;
    match value["sha"].as_str() {
        Some(sha) if sha.len() == 40 && sha.bytes().all(|b| b.is_ascii_hexdigit()) => {
            Ok(sha.to_ascii_lowercase())
        }
        Some(other) => Err(format!(
            "the revision answer's `sha` is not a commit id: {other:?}"
        )),
        None => Err("the revision answer has no `sha`".into()),
    }
}

/// Read a branch history (`GET api/models/{repo}/commits/{rev}`): commit ids, newest first.
pub fn parse_history(body: &str) -> Result<Vec<String>, String> {
    let value: Value =
        serde_json::from_str(body).map_err(|e| format!("the commit history is not JSON: {e}"))?;
    let entries = value
        .as_array()
        .ok_or("the commit history is not a JSON array")?;
    entries
        .iter()
        .enumerate()
        .map(|(i, entry)| {
            entry["id"]
                .as_str()
                .filter(|id| id.len() == 40 && id.bytes().all(|b| b.is_ascii_hexdigit()))
                .map(str::to_ascii_lowercase)
                .ok_or_else(|| format!("commit {} of the history: no 40-hex `id`", i + 1))
        })
        .collect()
}

/// The commit made directly on `parent`, from a linear branch history (newest first): the only
/// commit a `parentCommit: parent` request can have made. Anyone else's commit on `parent`
/// (made without `parentCommit`) is told apart by [`holds`].
pub fn made_on<'a>(parent: &str, history: &'a [String]) -> Option<&'a str> {
    history
        .windows(2)
        .find(|pair| pair[1].eq_ignore_ascii_case(parent))
        .map(|pair| pair[0].as_str())
}

/// Whether a commit's tree holds every file we committed, with our content.
pub fn holds(tree: &[TreeFile], expected: &[(String, Expected)]) -> bool {
    expected.iter().all(|(path, want)| {
        tree.iter().any(|file| {
            file.path == *path
                && match want {
                    Expected::Lfs { sha256 } => file.lfs_sha256.as_deref() == Some(sha256.as_str()),
                    Expected::Regular { blob } => file.lfs_sha256.is_none() && file.oid == *blob,
                }
        })
    })
}

/// What became of a commit whose answer was lost, from the Hub's own state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fate {
    /// It landed: this is its id.
    Landed(String),
    /// The branch is still at our parent: nothing landed; trying again is safe.
    NotYet,
    /// Someone else committed on our parent: ours cannot land there any more.
    Overtaken,
}

/// Judge a lost commit: `history` is the branch's (newest first) and `tree` the tree of the
/// commit [`made_on`] our parent, if there is one.
pub fn fate(
    parent: &str,
    history: &[String],
    tree: Option<&[TreeFile]>,
    expected: &[(String, Expected)],
) -> Fate {
    match (made_on(parent, history), tree) {
        (Some(commit), Some(tree)) if holds(tree, expected) => Fate::Landed(commit.to_string()),
        (Some(_), _) => Fate::Overtaken,
        (None, _)
            if history
                .first()
                .is_some_and(|h| h.eq_ignore_ascii_case(parent)) =>
        {
            Fate::NotYet
        }
        // The parent is not in the (first page of the) history: the branch was rewritten or
        // moved far on; either way ours is not on it.
        (None, _) => Fate::Overtaken,
    }
}

/// The most regular (inline) content one commit carries, in bytes before base64: as
/// `huggingface_hub`'s multi-commit uploads do, so that no request body (built once, in the
/// browser's memory, not the page's) grows without bound.
pub const MAX_INLINE_BYTES: u64 = 100 * 1024 * 1024;

/// Spread regular files (their sizes, in order) over commits: consecutive groups of at most
/// `limit` bytes each, a larger file alone in its group. The first group also carries every LFS
/// file; each later commit is made on the one before (`parentCommit`).
pub fn split_regular(sizes: &[u64], limit: u64) -> Vec<std::ops::Range<usize>> {
    let mut groups = Vec::new();
    let mut start = 0;
    let mut total = 0u64;
    for (i, &size) in sizes.iter().enumerate() {
        if i > start && total.saturating_add(size) > limit {
            groups.push(start..i);
            start = i;
            total = 0;
        }
        total = total.saturating_add(size);
    }
    if start < sizes.len() || groups.is_empty() {
        groups.push(start..sizes.len());
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn git_blob_ids_match_git() {
        // `printf 'hello\n' | git hash-object --stdin`, and the empty blob.
        assert_eq!(
            git_blob_oid(b"hello\n"),
            "ce013625030ba8dba906f756967f9e9ca394464a"
        );
        assert_eq!(
            git_blob_oid(b""),
            "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391"
        );
    }

    fn tree() -> Vec<TreeFile> {
        parse_tree(
            r#"[
              {"type":"directory","path":"sub","oid":"x"},
              {"type":"file","path":"config.json","oid":"ce013625030ba8dba906f756967f9e9ca394464a","size":6},
              {"type":"file","path":"model.safetensors","oid":"1111111111111111111111111111111111111111","size":9,
               "lfs":{"oid":"aaaa","size":9,"pointerSize":130}}
            ]"#,
        )
        .unwrap_or_default()
    }

    fn ours() -> Vec<(String, Expected)> {
        vec![
            (
                "config.json".into(),
                Expected::Regular {
                    blob: git_blob_oid(b"hello\n"),
                },
            ),
            (
                "model.safetensors".into(),
                Expected::Lfs {
                    sha256: "aaaa".into(),
                },
            ),
        ]
    }

    fn ids(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| n.repeat(40)).collect()
    }

    #[test]
    fn the_commit_on_our_parent_holding_our_files_is_ours() {
        assert_eq!(tree().len(), 2, "folders skipped");
        let history = ids(&["c", "b", "a"]);
        let parent = "a".repeat(40);
        assert_eq!(made_on(&parent, &history), Some("b".repeat(40).as_str()));
        assert_eq!(
            fate(&parent, &history, Some(&tree()), &ours()),
            Fate::Landed("b".repeat(40)),
            "found even when someone committed after it"
        );
        assert_eq!(fate(&"c".repeat(40), &history, None, &ours()), Fate::NotYet);
    }

    #[test]
    fn another_commit_on_our_parent_is_not_ours() {
        let history = ids(&["b", "a"]);
        let parent = "a".repeat(40);
        let mut other = ours();
        other[1].1 = Expected::Lfs {
            sha256: "bbbb".into(),
        };
        assert_eq!(
            fate(&parent, &history, Some(&tree()), &other),
            Fate::Overtaken,
            "someone else's model"
        );
        let mut missing = ours();
        missing.push((
            "extra.bin".into(),
            Expected::Lfs {
                sha256: "cccc".into(),
            },
        ));
        assert!(!holds(&tree(), &missing), "a file of ours is absent");
        // A regular file of ours where the tree has an LFS file of the same blob id: not ours.
        let lfs_as_regular = vec![(
            "model.safetensors".into(),
            Expected::Regular {
                blob: "1111111111111111111111111111111111111111".into(),
            },
        )];
        assert!(!holds(&tree(), &lfs_as_regular));
        assert_eq!(
            fate(&"9".repeat(40), &history, None, &ours()),
            Fate::Overtaken,
            "our parent is gone from the branch"
        );
    }

    #[test]
    fn answers_are_read_strictly() {
        assert!(parse_tree("{}").is_err());
        assert!(parse_tree(r#"[{"type":"file","oid":"x"}]"#)
            .err()
            .unwrap_or_default()
            .contains("`path`"));
        let sha = "0123456789abcdef0123456789ABCDEF01234567";
        assert_eq!(
            parse_revision(&format!(r#"{{"sha":"{sha}"}}"#)),
            Ok(sha.to_ascii_lowercase())
        );
        assert!(parse_revision(r#"{"sha":"main"}"#).is_err());
        assert!(parse_revision("[]").is_err());
        assert_eq!(
            parse_history(&format!(r#"[{{"id":"{sha}","title":"x"}}]"#)),
            Ok(vec![sha.to_ascii_lowercase()])
        );
        assert!(parse_history(r#"[{"id":"main"}]"#)
            .err()
            .unwrap_or_default()
            .contains("commit 1"));
    }

    #[test]
    fn regular_files_are_spread_over_commits_of_bounded_size() {
        assert_eq!(
            split_regular(&[], 10),
            vec![0..0],
            "one commit even without regular files"
        );
        assert_eq!(split_regular(&[3, 3, 3], 10), vec![0..3]);
        assert_eq!(split_regular(&[4, 4, 4, 4], 10), vec![0..2, 2..4]);
        assert_eq!(
            split_regular(&[20, 1, 1], 10),
            vec![0..1, 1..3],
            "a big file alone"
        );
        assert_eq!(split_regular(&[1, 20, 1], 10), vec![0..1, 1..2, 2..3]);
        let nine_mib = 9 * 1024 * 1024;
        let groups = split_regular(&vec![nine_mib; 300], MAX_INLINE_BYTES);
        assert_eq!(groups.len(), 28, "300 files of 9 MiB: 11 per commit");
        assert!(groups
            .iter()
            .all(|g| (g.len() as u64) * nine_mib <= MAX_INLINE_BYTES));
        assert_eq!(groups.iter().map(|g| g.len()).sum::<usize>(), 300);
    }
}
