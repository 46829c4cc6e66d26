//! The Hugging Face Hub's HTTP commit protocol as plain Rust: repo ids, safetensors headers
//! (parameter counts), the pre-upload checks, and the wire formats of preupload, LFS batch,
//! multipart completion and the NDJSON commit.
//!
//! Pure by rule, like `flock`: no browser crates, tested natively.

pub mod checks;
pub mod commit;
pub mod hash_cache;
pub mod hash_plan;
pub mod rate;
pub mod repo;
pub mod repo_checks;
pub mod retry;
pub mod safetensors;
pub mod sha256x4;
pub mod unfinished;
pub mod wire;

/// Bytes as lower-case hex, as the Hub writes SHA-256 and git object ids.
pub fn lower_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
