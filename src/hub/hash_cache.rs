//! SHA-256 results kept across reloads, so that picking the same files again (after a reload, a
//! crash, or a failed upload) does not hash gigabytes again. A file is known by its path in the
//! repo, its size and its last-modified time: if any of them changed, it is hashed anew.
//!
//! Pure: the browser adapter keeps the JSON of [`HashCache`] in local storage (a record is about
//! 150 bytes, so the bounded cache stays far below the storage quota) and reads it back with
//! [`HashCache::parse`], which refuses anything malformed as a whole rather than trusting part.

use serde::{Deserialize, Serialize};

/// The most files remembered; the oldest are forgotten first.
pub const LIMIT: usize = 2_000;

/// One remembered hash.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Record {
    /// Path in the repo.
    path: String,
    /// Size in bytes.
    size: u64,
    /// The file's `lastModified` (ms since the epoch).
    modified: f64,
    /// SHA-256, 64 lower-case hex digits.
    sha256: String,
}

/// What a file is known by.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FileKey<'a> {
    /// Path in the repo.
    pub path: &'a str,
    /// Size in bytes.
    pub size: u64,
    /// `lastModified` (ms since the epoch).
    pub modified: f64,
}

impl Record {
    fn is(&self, key: &FileKey<'_>) -> bool {
        self.path == key.path && self.size == key.size && self.modified == key.modified
    }
}

/// Remembered hashes, oldest first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HashCache {
    /// Format version, so that a future change of shape is told from corruption.
    version: u32,
    records: Vec<Record>,
}

/// The format written by this version.
const VERSION: u32 = 1;

impl Default for HashCache {
    fn default() -> Self {
        HashCache::new()
    }
}

impl HashCache {
    /// An empty cache.
    pub fn new() -> Self {
        HashCache {
            version: VERSION,
            records: Vec::new(),
        }
    }

    /// Read a stored cache; `Err` says why it cannot be trusted (then it is to be discarded).
    pub fn parse(raw: &str) -> Result<HashCache, String> {
        let cache: HashCache =
            serde_json::from_str(raw).map_err(|e| format!("it is not a hash record ({e})"))?;
        if cache.version != VERSION {
            return Err(format!(
                "it was written in another format (version {})",
                cache.version
            ));
        }
        if let Some(bad) = cache.records.iter().find(|r| !is_sha256(&r.sha256)) {
            return Err(format!("the hash kept for {} is not a SHA-256", bad.path));
        }
        if cache.records.len() > LIMIT {
            return Err(format!("it holds more than {LIMIT} records"));
        }
        Ok(cache)
    }

    /// The JSON to keep.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The hash of the file `key`, if it was hashed as it is now.
    pub fn get(&self, key: &FileKey<'_>) -> Option<&str> {
        self.records
            .iter()
            .rev()
            .find(|r| r.is(key))
            .map(|r| r.sha256.as_str())
    }

    /// Remember `sha256` for `key` (replacing what was kept for that path); the oldest records
    /// go past [`LIMIT`]. A value that is not a SHA-256 is not kept.
    pub fn put(&mut self, key: &FileKey<'_>, sha256: &str) {
        if !is_sha256(sha256) {
            return;
        }
        self.records.retain(|r| r.path != key.path);
        self.records.push(Record {
            path: key.path.to_string(),
            size: key.size,
            modified: key.modified,
            sha256: sha256.to_string(),
        });
        if self.records.len() > LIMIT {
            let extra = self.records.len() - LIMIT;
            self.records.drain(..extra);
        }
    }

    /// Files remembered.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// Whether nothing is remembered.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }
}

fn is_sha256(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "a3f1c9a0d2b7e4f6a8c1d3e5f7a9b0c2d4e6f8a1b3f1c9a0d2b7e4f6a8c1d3e5";
    const B: &str = "0000000000000000000000000000000000000000000000000000000000000001";

    fn key(path: &str, size: u64, modified: f64) -> FileKey<'_> {
        FileKey {
            path,
            size,
            modified,
        }
    }

    #[test]
    fn a_file_is_known_only_while_path_size_and_date_are_the_same() {
        let mut cache = HashCache::new();
        cache.put(&key("model.safetensors", 10, 1.0), A);
        assert_eq!(cache.get(&key("model.safetensors", 10, 1.0)), Some(A));
        assert_eq!(
            cache.get(&key("model.safetensors", 11, 1.0)),
            None,
            "size changed"
        );
        assert_eq!(
            cache.get(&key("model.safetensors", 10, 2.0)),
            None,
            "date changed"
        );
        assert_eq!(cache.get(&key("other.safetensors", 10, 1.0)), None);
        // A new hash for the same path replaces the old one.
        cache.put(&key("model.safetensors", 12, 3.0), B);
        assert_eq!(cache.len(), 1);
        assert_eq!(cache.get(&key("model.safetensors", 12, 3.0)), Some(B));
    }

    #[test]
    fn it_round_trips_and_refuses_what_it_cannot_trust() {
        let mut cache = HashCache::new();
        cache.put(&key("a/b.bin", 5, 1_700_000_000_000.0), A);
        assert_eq!(HashCache::parse(&cache.to_json()), Ok(cache.clone()));
        for bad in [
            "",
            "[]",
            "{\"version\":1}",
            "{\"version\":2,\"records\":[]}",
            &cache.to_json().replace(A, "not-a-hash"),
            &cache.to_json()[..20],
        ] {
            assert!(HashCache::parse(bad).is_err(), "{bad}");
        }
        cache.put(&key("c", 1, 1.0), "XYZ");
        assert_eq!(cache.len(), 1, "not a SHA-256: not kept");
    }

    #[test]
    fn it_stays_bounded_dropping_the_oldest() {
        let mut cache = HashCache::new();
        let paths: Vec<String> = (0..LIMIT + 10).map(|i| format!("f{i}")).collect();
        for p in &paths {
            cache.put(&key(p, 1, 1.0), A);
        }
        assert_eq!(cache.len(), LIMIT);
        assert_eq!(cache.get(&key("f0", 1, 1.0)), None, "oldest gone");
        assert_eq!(cache.get(&key(&paths[LIMIT + 9], 1, 1.0)), Some(A));
        assert!(HashCache::parse(&cache.to_json()).is_ok());
    }
}
