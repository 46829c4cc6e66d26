//! The record of an upload that has not finished, kept across reloads and crashes so that the
//! page can offer to resume it: which Hub and repo, the commit message, and every file with its
//! size and whether it already reached the Hub's storage. Resuming is picking the same files
//! again: their hashes are known (`hash_cache`), and the Hub says which objects it already has.
//!
//! Pure: the browser adapter keeps the JSON in local storage; [`Unfinished::parse`] refuses
//! anything malformed as a whole.

use serde::{Deserialize, Serialize};

/// The format written by this version.
const VERSION: u32 = 1;
/// The most files a record lists (a larger upload is not remembered file by file).
pub const MAX_FILES: usize = 20_000;

/// One file of the unfinished upload.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UnfinishedFile {
    /// Path in the repo.
    pub path: String,
    /// Size in bytes.
    pub size: u64,
    /// Whether it reached storage (or the Hub had it already).
    pub sent: bool,
}

/// An upload that started and did not end in a commit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Unfinished {
    version: u32,
    /// The Hub base it went to.
    pub hub: String,
    /// The repo (`namespace/name`).
    pub repo: String,
    /// The commit message.
    pub message: String,
    /// The FLock task it was for, if any.
    pub task: Option<u64>,
    /// When it started (ms since the epoch).
    pub started_ms: f64,
    /// Its files, in the upload's order.
    pub files: Vec<UnfinishedFile>,
}

/// How a new pick compares with the unfinished upload's files.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Comparison {
    /// Files of the unfinished upload picked again with the same size.
    pub same: usize,
    /// Of those, how many had reached storage.
    pub sent: usize,
    /// Files of the unfinished upload not in the pick.
    pub missing: Vec<String>,
    /// Files picked again whose size changed.
    pub changed: Vec<String>,
}

impl Comparison {
    /// Whether the pick holds every file of the unfinished upload, unchanged in size.
    pub fn is_complete(&self) -> bool {
        self.missing.is_empty() && self.changed.is_empty()
    }
}

impl Unfinished {
    /// A record for an upload starting now with `files` (path, size).
    pub fn new(
        hub: &str,
        repo: &str,
        message: &str,
        task: Option<u64>,
        started_ms: f64,
        files: &[(String, u64)],
    ) -> Self {
        Unfinished {
            version: VERSION,
            hub: hub.to_string(),
            repo: repo.to_string(),
            message: message.to_string(),
            task,
            started_ms,
            files: files
                .iter()
                .take(MAX_FILES)
                .map(|(path, size)| UnfinishedFile {
                    path: path.clone(),
                    size: *size,
                    sent: false,
                })
                .collect(),
        }
    }

    /// Read a kept record; `Err` says why it cannot be trusted.
    pub fn parse(raw: &str) -> Result<Unfinished, String> {
        let record: Unfinished = serde_json::from_str(raw)
            .map_err(|e| format!("it is not a record of an upload ({e})"))?;
        if record.version != VERSION {
            return Err(format!(
                "it was written in another format (version {})",
                record.version
            ));
        }
        if record.files.is_empty() || record.files.len() > MAX_FILES {
            return Err(format!("it lists {} files", record.files.len()));
        }
        if record.repo.parse::<super::repo::RepoId>().is_err() {
            return Err("its repository name is not valid".into());
        }
        Ok(record)
    }

    /// The JSON to keep.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Mark file `index` as having reached storage; whether that changed anything.
    pub fn mark_sent(&mut self, index: usize) -> bool {
        match self.files.get_mut(index) {
            Some(file) if !file.sent => {
                file.sent = true;
                true
            }
            _ => false,
        }
    }

    /// Files that reached storage.
    pub fn sent(&self) -> usize {
        self.files.iter().filter(|f| f.sent).count()
    }

    /// Compare a new pick (path, size) with this upload's files.
    pub fn compare(&self, picked: &[(String, u64)]) -> Comparison {
        let mut comparison = Comparison::default();
        for file in &self.files {
            match picked.iter().find(|(path, _)| *path == file.path) {
                None => comparison.missing.push(file.path.clone()),
                Some((_, size)) if *size != file.size => comparison.changed.push(file.path.clone()),
                Some(_) => {
                    comparison.same += 1;
                    comparison.sent += usize::from(file.sent);
                }
            }
        }
        comparison
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files() -> Vec<(String, u64)> {
        vec![
            ("config.json".into(), 10),
            ("model-00001-of-00002.safetensors".into(), 5_000),
            ("model-00002-of-00002.safetensors".into(), 4_000),
        ]
    }

    #[test]
    fn progress_is_kept_and_round_trips() {
        let mut record = Unfinished::new(
            "https://huggingface.co/",
            "alice/m",
            "msg",
            Some(8),
            1.0,
            &files(),
        );
        assert!(record.mark_sent(1));
        assert!(!record.mark_sent(1), "once");
        assert!(!record.mark_sent(99), "out of range: ignored");
        assert_eq!(record.sent(), 1);
        assert_eq!(Unfinished::parse(&record.to_json()), Ok(record));
    }

    #[test]
    fn a_record_that_cannot_be_trusted_is_refused() {
        let good = Unfinished::new("h", "alice/m", "msg", None, 1.0, &files()).to_json();
        for bad in [
            String::new(),
            "{}".into(),
            good.replace("\"version\":1", "\"version\":7"),
            good.replace("alice/m", "not a repo"),
            Unfinished::new("h", "alice/m", "msg", None, 1.0, &[]).to_json(),
            good[..good.len() / 2].to_string(),
        ] {
            assert!(Unfinished::parse(&bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_new_pick_is_compared_file_by_file() {
        let mut record = Unfinished::new("h", "alice/m", "msg", None, 1.0, &files());
        record.mark_sent(1);
        let same = record.compare(&files());
        assert!(same.is_complete());
        assert_eq!((same.same, same.sent), (3, 1));
        let mut other = files();
        other[2].1 = 1;
        other.remove(0);
        other.push(("extra.txt".into(), 3));
        let differs = record.compare(&other);
        assert!(!differs.is_complete());
        assert_eq!(differs.missing, vec!["config.json".to_string()]);
        assert_eq!(
            differs.changed,
            vec!["model-00002-of-00002.safetensors".to_string()]
        );
        assert_eq!((differs.same, differs.sent), (1, 1));
    }
}
