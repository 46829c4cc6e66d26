//! The watchlist: starred wallets and tasks, a bounded history of each watched wallet's ranks
//! (to say how it moved since the previous visit), and the open tasks seen at the last visit
//! (to say which are new). Kept in local storage as JSON, exported and imported as a file:
//! whatever comes from either is checked before it is used.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::wallet::WalletAddress;

/// The format written; another is refused (it may mean something else).
pub const VERSION: u32 = 1;
/// Snapshots kept per wallet and task: the newest, the oldest dropped.
pub const KEEP: usize = 30;

/// A wallet's ranks on one task at one moment (`None`: not on that board).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    /// When, in ms since the epoch.
    pub at_ms: f64,
    /// Rank on the models board.
    pub models: Option<u64>,
    /// Rank on the validators board.
    pub validators: Option<u64>,
}

/// The open tasks seen at a visit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SeenTasks {
    /// When, in ms since the epoch.
    pub at_ms: f64,
    /// Their ids.
    pub ids: Vec<u64>,
}

/// Everything the watchlist keeps.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Watchlist {
    /// Format version ([`VERSION`]).
    pub version: u32,
    /// Starred wallets, as first starred (compared ignoring case).
    pub wallets: Vec<String>,
    /// Starred task ids.
    pub tasks: Vec<u64>,
    /// Per wallet (lower case), per task: snapshots, oldest first.
    #[serde(default)]
    pub snapshots: BTreeMap<String, BTreeMap<u64, Vec<Snapshot>>>,
    /// The open tasks seen at the last visit of the watchlist.
    #[serde(default)]
    pub seen_tasks: Option<SeenTasks>,
}

impl Default for Watchlist {
    fn default() -> Self {
        Watchlist {
            version: VERSION,
            wallets: Vec::new(),
            tasks: Vec::new(),
            snapshots: BTreeMap::new(),
            seen_tasks: None,
        }
    }
}

/// How a rank moved between two snapshots.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Movement {
    /// Places gained (positive: up the board) or lost (negative).
    pub places: i64,
    /// When the earlier snapshot was taken (ms since the epoch).
    pub since_ms: f64,
}

impl Movement {
    /// `▲ 3`, `▼ 2` or `= 0`.
    pub fn arrow(&self) -> String {
        match self.places {
            0 => "= 0".to_string(),
            p if p > 0 => format!("▲ {p}"),
            p => format!("▼ {}", -p),
        }
    }
}

/// How a rank moved from `before` to `now` (smaller ranks are better); `None` unless both are
/// known.
pub fn movement(before: Option<(u64, f64)>, now: Option<u64>) -> Option<Movement> {
    let (was, since_ms) = before?;
    let now = now?;
    Some(Movement {
        places: was as i64 - now as i64,
        since_ms,
    })
}

impl Watchlist {
    /// Read a stored or imported watchlist: JSON of this format and version, every wallet a
    /// valid address. Anything else is refused with why, and nothing of it is used.
    pub fn parse(raw: &str) -> Result<Watchlist, String> {
        let list: Watchlist = serde_json::from_str(raw)
            .map_err(|e| format!("it is not a flockboard watchlist ({e})"))?;
        if list.version != VERSION {
            return Err(format!(
                "it is a watchlist of format {}, and this page reads format {VERSION}",
                list.version
            ));
        }
        for wallet in list.wallets.iter().chain(list.snapshots.keys()) {
            wallet
                .parse::<WalletAddress>()
                .map_err(|why| format!("“{wallet}” is not a wallet address: {why}"))?;
        }
        let mut list = list;
        for tasks in list.snapshots.values_mut() {
            for kept in tasks.values_mut() {
                bound(kept);
            }
        }
        Ok(list)
    }

    /// As stored and exported.
    pub fn to_json(&self) -> String {
        // Plain data with string keys: writing it cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Whether `wallet` is starred.
    pub fn watches_wallet(&self, wallet: &WalletAddress) -> bool {
        self.wallets
            .iter()
            .any(|w| w.eq_ignore_ascii_case(wallet.as_str()))
    }

    /// Star `wallet`, or unstar it when it is starred (its snapshots go with it); whether it
    /// is starred now.
    pub fn toggle_wallet(&mut self, wallet: &WalletAddress) -> bool {
        if self.watches_wallet(wallet) {
            self.wallets
                .retain(|w| !w.eq_ignore_ascii_case(wallet.as_str()));
            self.snapshots.remove(&wallet.as_str().to_ascii_lowercase());
            false
        } else {
            self.wallets.push(wallet.to_string());
            true
        }
    }

    /// Whether task `id` is starred.
    pub fn watches_task(&self, id: u64) -> bool {
        self.tasks.contains(&id)
    }

    /// Star task `id`, or unstar it; whether it is starred now.
    pub fn toggle_task(&mut self, id: u64) -> bool {
        if self.watches_task(id) {
            self.tasks.retain(|t| *t != id);
            false
        } else {
            self.tasks.push(id);
            true
        }
    }

    /// The newest snapshot of `wallet` on task `id`.
    pub fn last_snapshot(&self, wallet: &WalletAddress, id: u64) -> Option<Snapshot> {
        self.snapshots
            .get(&wallet.as_str().to_ascii_lowercase())?
            .get(&id)?
            .last()
            .copied()
    }

    /// The newest snapshot of `wallet` on task `id` taken before `at_ms`: what a look at that
    /// moment is compared with.
    pub fn before(&self, wallet: &WalletAddress, id: u64, at_ms: f64) -> Option<Snapshot> {
        self.snapshots
            .get(&wallet.as_str().to_ascii_lowercase())?
            .get(&id)?
            .iter()
            .rev()
            .find(|s| s.at_ms < at_ms)
            .copied()
    }

    /// Keep `snapshot` of `wallet` on task `id` (the oldest beyond [`KEEP`] dropped). The
    /// same moment again (a board shown again from memory) replaces, never repeats.
    pub fn record(&mut self, wallet: &WalletAddress, id: u64, snapshot: Snapshot) {
        let kept = self
            .snapshots
            .entry(wallet.as_str().to_ascii_lowercase())
            .or_default()
            .entry(id)
            .or_default();
        match kept.last_mut() {
            Some(last) if last.at_ms == snapshot.at_ms => *last = snapshot,
            _ => kept.push(snapshot),
        }
        bound(kept);
    }

    /// Take in an imported watchlist: its stars join these (each once) and its snapshots join
    /// these (by time, each moment once, bounded).
    pub fn merge(&mut self, other: Watchlist) {
        for wallet in other.wallets {
            if !self.wallets.iter().any(|w| w.eq_ignore_ascii_case(&wallet)) {
                self.wallets.push(wallet);
            }
        }
        for id in other.tasks {
            if !self.tasks.contains(&id) {
                self.tasks.push(id);
            }
        }
        for (wallet, tasks) in other.snapshots {
            let mine = self.snapshots.entry(wallet).or_default();
            for (id, snapshots) in tasks {
                let kept = mine.entry(id).or_default();
                kept.extend(snapshots);
                kept.sort_by(|a, b| a.at_ms.total_cmp(&b.at_ms));
                kept.dedup_by(|a, b| a.at_ms == b.at_ms);
                bound(kept);
            }
        }
    }
}

/// Keep the newest [`KEEP`].
fn bound(kept: &mut Vec<Snapshot>) {
    if kept.len() > KEEP {
        kept.drain(..kept.len() - KEEP);
    }
}

/// The open tasks not seen at the last visit (all of them count as seen at a first visit:
/// nothing is "new" to someone who has never looked).
pub fn new_tasks(seen: Option<&SeenTasks>, open: &[u64]) -> Vec<u64> {
    match seen {
        None => Vec::new(),
        Some(seen) => open
            .iter()
            .copied()
            .filter(|id| !seen.ids.contains(id))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ME: &str = "0xB93A9c73751Bbca8E1924954271ee8d4De5747c9";

    fn me() -> WalletAddress {
        ME.parse().unwrap_or_else(|e| panic!("{e}"))
    }

    fn snap(at_ms: f64, models: Option<u64>) -> Snapshot {
        Snapshot {
            at_ms,
            models,
            validators: None,
        }
    }

    #[test]
    fn stars_toggle_and_compare_wallets_ignoring_case() {
        let mut list = Watchlist::default();
        assert!(list.toggle_wallet(&me()));
        let lower: WalletAddress = ME.to_lowercase().parse().unwrap_or_else(|e| panic!("{e}"));
        assert!(list.watches_wallet(&lower));
        list.record(&me(), 7, snap(1.0, Some(12)));
        assert!(!list.toggle_wallet(&lower), "unstarred");
        assert!(
            list.wallets.is_empty() && list.snapshots.is_empty(),
            "its snapshots go with it"
        );
        assert!(list.toggle_task(7) && list.watches_task(7));
        assert!(!list.toggle_task(7) && !list.watches_task(7));
    }

    #[test]
    fn snapshots_keep_the_newest_thirty() {
        let mut list = Watchlist::default();
        for i in 0..40 {
            list.record(&me(), 7, snap(f64::from(i), Some(100 - i as u64)));
        }
        let kept = &list.snapshots[&ME.to_lowercase()][&7];
        assert_eq!(kept.len(), KEEP);
        assert_eq!(kept[0].at_ms, 10.0, "the oldest dropped");
        assert_eq!(list.last_snapshot(&me(), 7).map(|s| s.at_ms), Some(39.0));
        assert_eq!(list.last_snapshot(&me(), 8), None);
        assert_eq!(
            list.before(&me(), 7, 39.0).map(|s| s.at_ms),
            Some(38.0),
            "strictly before"
        );
        assert_eq!(list.before(&me(), 7, 10.0), None);
        list.record(&me(), 7, snap(39.0, Some(1)));
        assert_eq!(
            list.snapshots[&ME.to_lowercase()][&7].len(),
            KEEP,
            "the same moment replaces"
        );
        assert_eq!(list.last_snapshot(&me(), 7).and_then(|s| s.models), Some(1));
    }

    #[test]
    fn movement_up_down_and_unknown() {
        assert_eq!(
            movement(Some((15, 5.0)), Some(12)),
            Some(Movement {
                places: 3,
                since_ms: 5.0
            })
        );
        assert_eq!(
            movement(Some((12, 5.0)), Some(14)).map(|m| m.arrow()),
            Some("▼ 2".to_string())
        );
        assert_eq!(
            movement(Some((12, 5.0)), Some(12)).map(|m| m.arrow()),
            Some("= 0".to_string())
        );
        assert_eq!(
            movement(Some((3, 5.0)), Some(1)).map(|m| m.arrow()),
            Some("▲ 2".to_string())
        );
        assert_eq!(movement(None, Some(12)), None);
        assert_eq!(movement(Some((12, 5.0)), None), None);
    }

    #[test]
    fn a_stored_list_round_trips_and_bad_ones_are_refused_with_why() {
        let mut list = Watchlist::default();
        list.toggle_wallet(&me());
        list.toggle_task(8);
        list.record(&me(), 7, snap(1.5, Some(12)));
        list.seen_tasks = Some(SeenTasks {
            at_ms: 2.0,
            ids: vec![7, 8],
        });
        assert_eq!(Watchlist::parse(&list.to_json()), Ok(list));
        for (bad, why) in [
            ("", "not a flockboard watchlist"),
            (
                "{\"version\":1,\"wallets\":[\"0x12\"],\"tasks\":[]}",
                "not a wallet address",
            ),
            ("{\"version\":2,\"wallets\":[],\"tasks\":[]}", "format 2"),
            (
                "{\"version\":1,\"wallets\":[],\"tasks\":[\"seven\"]}",
                "not a flockboard watchlist",
            ),
            ("[1,2]", "not a flockboard watchlist"),
            ("{\"settings\":{}}", "not a flockboard watchlist"),
        ] {
            let got = Watchlist::parse(bad);
            assert!(matches!(&got, Err(e) if e.contains(why)), "{bad}: {got:?}");
        }
    }

    #[test]
    fn an_import_joins_the_stars_and_snapshots() {
        let mut mine = Watchlist::default();
        mine.toggle_task(7);
        mine.record(&me(), 7, snap(1.0, Some(20)));
        let mut other = Watchlist::default();
        other.toggle_wallet(&me());
        other.toggle_task(7);
        other.toggle_task(9);
        other.record(&me(), 7, snap(1.0, Some(20)));
        other.record(&me(), 7, snap(3.0, Some(18)));
        mine.merge(other);
        assert_eq!(mine.tasks, vec![7, 9]);
        assert_eq!(mine.wallets, vec![ME.to_string()]);
        let kept: Vec<f64> = mine.snapshots[&ME.to_lowercase()][&7]
            .iter()
            .map(|s| s.at_ms)
            .collect();
        assert_eq!(kept, vec![1.0, 3.0], "each moment once, by time");
    }

    #[test]
    fn new_tasks_are_the_open_ones_not_seen_last_time() {
        let seen = SeenTasks {
            at_ms: 1.0,
            ids: vec![7, 8],
        };
        assert_eq!(new_tasks(Some(&seen), &[7, 8, 12]), vec![12]);
        assert_eq!(
            new_tasks(None, &[7, 8, 12]),
            Vec::<u64>::new(),
            "a first visit"
        );
    }
}
