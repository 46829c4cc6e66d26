//! The SIMD hashing module: only the hashing worker (`public/hash-worker.js`) loads it, in a
//! browser with WebAssembly SIMD, to hash up to four files at once in the lanes of 128-bit
//! words ([`flockboard::hub::sha256x4::Sha256x4`]). It is a module of its own so that the
//! page's module holds no SIMD instruction and opens in a browser without SIMD, whose worker
//! runs the page's scalar lanes instead. trunk builds it as a worker (`index.html`).

#[cfg(target_arch = "wasm32")]
flockboard::export_sha256_lanes!(flockboard::hub::sha256x4::Sha256x4);

/// Nothing to start: the worker calls the exported class.
fn main() {}
