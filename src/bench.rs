//! Benchmarks run inside the page by `tests/bench/leaderboard.sh`, exported to page scripts
//! (trunk exposes exports as `window.wasmBindings`). They time the same code the pages run.

use wasm_bindgen::prelude::wasm_bindgen;

use crate::flock::leaderboard::{select, Column, Entry, LeaderboardQuery};

/// The synthetic board the bench uses; `tests/bench/leaderboard.mjs` builds the same rows in
/// JavaScript for its baseline.
fn synthetic(rows: u32) -> Vec<Entry> {
    (0..rows)
        .map(|i| {
            let mixed = i.wrapping_mul(2_654_435_761);
            let wallet = format!("0x{mixed:08x}{:032x}", u128::from(i) * 7_919);
            Entry {
                wallet_lower: wallet.clone(),
                wallet,
                rank: Some(u64::from(i) + 1),
                score: Some(f64::from((i * 37) % 1000) / 100.0),
                hardworking: None,
                at: None,
            }
        })
        .collect()
}

fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or_else(js_sys::Date::now, |p| p.now())
}

fn median(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(|a, b| a.total_cmp(b));
    samples.get(samples.len() / 2).copied().unwrap_or(0.0)
}

/// Median milliseconds over `rounds` to sort `rows` rows by score (descending), by wallet, and
/// to filter them by a wallet substring, as JSON:
/// `{"rows":…, "sort_score_ms":…, "sort_wallet_ms":…, "filter_ms":…, "matches":…}`.
#[wasm_bindgen]
pub fn bench_leaderboard(rows: u32, rounds: u32) -> String {
    let entries = synthetic(rows);
    let time = |query: &LeaderboardQuery| {
        let mut shown = 0;
        let samples = (0..rounds.max(1))
            .map(|_| {
                let start = now_ms();
                shown = select(&entries, query).len();
                now_ms() - start
            })
            .collect();
        (median(samples), shown)
    };
    let by_score = LeaderboardQuery {
        sort: Column::Score,
        descending: true,
        ..Default::default()
    };
    let by_wallet = LeaderboardQuery {
        sort: Column::Wallet,
        ..Default::default()
    };
    let filtered = LeaderboardQuery {
        wallet: "ab".into(),
        ..Default::default()
    };
    let (sort_score, _) = time(&by_score);
    let (sort_wallet, _) = time(&by_wallet);
    let (filter, matches) = time(&filtered);
    format!(
        "{{\"rows\":{rows},\"sort_score_ms\":{sort_score:.3},\"sort_wallet_ms\":{sort_wallet:.3},\"filter_ms\":{filter:.3},\"matches\":{matches}}}"
    )
}
