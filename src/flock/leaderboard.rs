//! Per-task leaderboards (`stats/models`, `stats/validators`): rows, sorting, filtering, CSV.
//!
//! Boards can hold over ten thousand rows, so selection works on indices and compares
//! precomputed keys; nothing here allocates per comparison.

use serde_json::Value;

use super::export::csv_text;
use super::order::missing_last;
use super::time::{format_utc, parse_timestamp, Instant};

/// Which leaderboard of a task.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Board {
    /// Submitted models, ranked by their submission-phase score.
    #[default]
    Models,
    /// Validators, ranked by their score.
    Validators,
}

impl Board {
    /// Both boards, in tab order.
    pub const ALL: [Board; 2] = [Board::Models, Board::Validators];

    /// Query-string value (and API path segment).
    pub fn as_str(self) -> &'static str {
        match self {
            Board::Models => "models",
            Board::Validators => "validators",
        }
    }

    /// Read a query-string value.
    pub fn parse(raw: &str) -> Option<Board> {
        Board::ALL.into_iter().find(|b| b.as_str() == raw)
    }

    /// Words for people.
    pub fn label(self) -> &'static str {
        match self {
            Board::Models => "Models",
            Board::Validators => "Validators",
        }
    }

    /// The columns this board shows, in order.
    pub fn columns(self) -> &'static [Column] {
        match self {
            Board::Models => &[Column::Rank, Column::Wallet, Column::Score, Column::Time],
            Board::Validators => &[
                Column::Rank,
                Column::Wallet,
                Column::Score,
                Column::Hardworking,
                Column::Time,
            ],
        }
    }
}

/// A sortable column.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Column {
    /// Rank as the API gives it.
    #[default]
    Rank,
    /// Wallet address (compared ignoring case).
    Wallet,
    /// Submission-phase score (models) or score (validators).
    Score,
    /// Hardworking score (validators).
    Hardworking,
    /// `finalized_at` (models) or `updated_at` (validators).
    Time,
}

impl Column {
    const ALL: [Column; 5] = [
        Column::Rank,
        Column::Wallet,
        Column::Score,
        Column::Hardworking,
        Column::Time,
    ];

    /// Query-string value.
    pub fn as_str(self) -> &'static str {
        match self {
            Column::Rank => "rank",
            Column::Wallet => "wallet",
            Column::Score => "score",
            Column::Hardworking => "hardworking",
            Column::Time => "time",
        }
    }

    /// Read a query-string value.
    pub fn parse(raw: &str) -> Option<Column> {
        Column::ALL.into_iter().find(|c| c.as_str() == raw)
    }

    /// Column heading on `board`.
    pub fn label(self, board: Board) -> &'static str {
        match (self, board) {
            (Column::Rank, _) => "Rank",
            (Column::Wallet, _) => "Wallet",
            (Column::Score, Board::Models) => "Submission score",
            (Column::Score, Board::Validators) => "Score",
            (Column::Hardworking, _) => "Hardworking score",
            (Column::Time, Board::Models) => "Finalized at (UTC)",
            (Column::Time, Board::Validators) => "Updated at (UTC)",
        }
    }
}

/// One leaderboard row. Scores and times may be missing (`null`) in the API's answer.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// Wallet as the API wrote it (mixed case).
    pub wallet: String,
    /// Lower-case wallet, for filtering and matching.
    pub wallet_lower: String,
    /// Rank.
    pub rank: Option<u64>,
    /// Submission-phase score (models) or score (validators).
    pub score: Option<f64>,
    /// Hardworking score (validators only).
    pub hardworking: Option<f64>,
    /// `finalized_at` or `updated_at`.
    pub at: Option<Instant>,
}

fn number(value: &Value, key: &str) -> Option<f64> {
    match value.get(key)? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

impl Entry {
    /// Read one item of `board`'s page.
    pub fn from_json(board: Board, value: &Value) -> Result<Entry, String> {
        let wallet = value
            .get("wallet")
            .and_then(Value::as_str)
            .ok_or("it has no `wallet`")?
            .trim()
            .to_string();
        let (score_key, time_key) = match board {
            Board::Models => ("submission_phase_score", "finalized_at"),
            Board::Validators => ("score", "updated_at"),
        };
        Ok(Entry {
            wallet_lower: wallet.to_ascii_lowercase(),
            wallet,
            rank: value.get("rank").and_then(Value::as_u64),
            score: number(value, score_key),
            hardworking: match board {
                Board::Models => None,
                Board::Validators => number(value, "hardworking_score"),
            },
            at: value
                .get(time_key)
                .and_then(Value::as_str)
                .and_then(parse_timestamp),
        })
    }
}

/// Sort and filter state of a leaderboard view.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeaderboardQuery {
    /// Which board.
    pub board: Board,
    /// Sort column.
    pub sort: Column,
    /// Largest first.
    pub descending: bool,
    /// Show only wallets containing this (ignoring case); empty for all.
    pub wallet: String,
    /// Page of the table shown, from 1 ([`ROWS_PER_PAGE`] rows each).
    pub page: usize,
}

/// Rows per page of the leaderboard table: the page stays quick with any number of rows.
pub const ROWS_PER_PAGE: usize = 100;

impl Default for LeaderboardQuery {
    fn default() -> Self {
        LeaderboardQuery {
            board: Board::default(),
            sort: Column::default(),
            descending: false,
            wallet: String::new(),
            page: 1,
        }
    }
}

impl LeaderboardQuery {
    /// Read from URL query parameters; unknown values fall back to the defaults.
    pub fn from_params(get: impl Fn(&str) -> Option<String>) -> Self {
        let board = get("board")
            .and_then(|b| Board::parse(&b))
            .unwrap_or_default();
        let sort = get("sort")
            .and_then(|s| Column::parse(&s))
            .filter(|c| board.columns().contains(c))
            .unwrap_or_default();
        LeaderboardQuery {
            board,
            sort,
            descending: get("order").is_some_and(|o| o == "desc"),
            wallet: get("wallet").unwrap_or_default(),
            page: get("p")
                .and_then(|p| p.parse().ok())
                .filter(|&p| p >= 1)
                .unwrap_or(1),
        }
    }

    /// Query pairs, defaults left out.
    pub fn params(&self) -> Vec<(&'static str, String)> {
        let mut pairs = Vec::new();
        if self.board != Board::default() {
            pairs.push(("board", self.board.as_str().to_string()));
        }
        if self.sort != Column::default() {
            pairs.push(("sort", self.sort.as_str().to_string()));
        }
        if self.descending {
            pairs.push(("order", "desc".to_string()));
        }
        if !self.wallet.trim().is_empty() {
            pairs.push(("wallet", self.wallet.trim().to_string()));
        }
        if self.page > 1 {
            pairs.push(("p", self.page.to_string()));
        }
        pairs
    }

    /// The state after clicking `column`'s heading: sort by it, or flip the order if it already is.
    pub fn toggled(&self, column: Column) -> Self {
        LeaderboardQuery {
            sort: column,
            descending: if self.sort == column {
                !self.descending
            } else {
                false
            },
            ..self.clone()
        }
    }
}

/// Indices of the rows to show for `query`: filtered by wallet, then sorted (ties by rank).
pub fn select(entries: &[Entry], query: &LeaderboardQuery) -> Vec<usize> {
    let needle = query.wallet.trim().to_ascii_lowercase();
    let mut shown: Vec<usize> = (0..entries.len())
        .filter(|&i| needle.is_empty() || entries[i].wallet_lower.contains(&needle))
        .collect();
    let descending = query.descending;
    shown.sort_by(|&a, &b| {
        let (x, y) = (&entries[a], &entries[b]);
        let primary = match query.sort {
            Column::Rank => missing_last(x.rank, y.rank, descending),
            Column::Wallet => {
                missing_last(Some(&x.wallet_lower), Some(&y.wallet_lower), descending)
            }
            Column::Score => missing_last(x.score, y.score, descending),
            Column::Hardworking => missing_last(x.hardworking, y.hardworking, descending),
            Column::Time => missing_last(x.at, y.at, descending),
        };
        primary
            .then_with(|| missing_last(x.rank, y.rank, false))
            .then(a.cmp(&b))
    });
    shown
}

/// Where the row of `wallet` (any case) sits in `shown`, if it is there.
pub fn position_of(entries: &[Entry], shown: &[usize], wallet_lower: &str) -> Option<usize> {
    shown
        .iter()
        .position(|&i| entries[i].wallet_lower == wallet_lower)
}

/// A score for display: up to four decimals, `—` when missing.
pub fn format_score(score: Option<f64>) -> String {
    score.map_or_else(|| "—".to_string(), |s| format!("{s:.4}"))
}

/// The rows shown, as CSV with a header line, in the order shown.
pub fn to_csv(board: Board, entries: &[Entry], shown: &[usize]) -> String {
    let columns = board.columns();
    let header: Vec<&str> = columns
        .iter()
        .map(|c| match (c, board) {
            (Column::Rank, _) => "rank",
            (Column::Wallet, _) => "wallet",
            (Column::Score, Board::Models) => "submission_phase_score",
            (Column::Score, Board::Validators) => "score",
            (Column::Hardworking, _) => "hardworking_score",
            (Column::Time, Board::Models) => "finalized_at",
            (Column::Time, Board::Validators) => "updated_at",
        })
        .collect();
    let mut out = header.join(",");
    out.push('\n');
    for &i in shown {
        let e = &entries[i];
        let fields: Vec<String> = columns
            .iter()
            .map(|c| match c {
                Column::Rank => e.rank.map(|r| r.to_string()).unwrap_or_default(),
                Column::Wallet => csv_text(&e.wallet),
                Column::Score => e.score.map(|s| s.to_string()).unwrap_or_default(),
                Column::Hardworking => e.hardworking.map(|s| s.to_string()).unwrap_or_default(),
                Column::Time => e.at.map(format_utc).unwrap_or_default(),
            })
            .collect();
        out.push_str(&fields.join(","));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(wallet: &str, rank: Option<u64>, score: Option<f64>) -> Entry {
        Entry {
            wallet: wallet.into(),
            wallet_lower: wallet.to_ascii_lowercase(),
            rank,
            score,
            hardworking: None,
            at: None,
        }
    }

    fn rows() -> Vec<Entry> {
        vec![
            entry(
                "0xAAaa000000000000000000000000000000000001",
                Some(2),
                Some(0.5),
            ),
            entry(
                "0xbbBB000000000000000000000000000000000002",
                Some(1),
                Some(0.3),
            ),
            entry("0xCCcc000000000000000000000000000000000003", Some(3), None),
            entry(
                "0xddDD000000000000000000000000000000000004",
                None,
                Some(0.9),
            ),
        ]
    }

    #[test]
    fn reads_both_boards_with_nulls() {
        let model = serde_json::json!({"wallet": "0xAb", "rank": 1, "submission_phase_score": null, "finalized_at": "2025-04-09T02:11:40.120394"});
        let e = Entry::from_json(Board::Models, &model).unwrap();
        assert_eq!(
            (e.rank, e.score, e.wallet_lower.as_str()),
            (Some(1), None, "0xab")
        );
        assert!(e.at.is_some());
        let validator = serde_json::json!({"wallet": "0xCd", "score": 0.93, "hardworking_score": "0.88", "rank": 4, "updated_at": null});
        let v = Entry::from_json(Board::Validators, &validator).unwrap();
        assert_eq!(
            (v.score, v.hardworking, v.at),
            (Some(0.93), Some(0.88), None)
        );
        assert!(Entry::from_json(Board::Models, &serde_json::json!({"rank": 1})).is_err());
    }

    #[test]
    fn sorts_each_column_both_ways_with_missing_values_last() {
        let rows = rows();
        let q = |sort, descending| LeaderboardQuery {
            sort,
            descending,
            ..Default::default()
        };
        assert_eq!(select(&rows, &q(Column::Rank, false)), vec![1, 0, 2, 3]);
        assert_eq!(select(&rows, &q(Column::Rank, true)), vec![2, 0, 1, 3]);
        assert_eq!(select(&rows, &q(Column::Score, false)), vec![1, 0, 3, 2]);
        assert_eq!(select(&rows, &q(Column::Score, true)), vec![3, 0, 1, 2]);
        assert_eq!(select(&rows, &q(Column::Wallet, true)), vec![3, 2, 1, 0]);
    }

    #[test]
    fn filters_by_wallet_substring_in_any_case() {
        let rows = rows();
        let q = LeaderboardQuery {
            wallet: " BBbb ".into(),
            ..Default::default()
        };
        assert_eq!(select(&rows, &q), vec![1]);
        assert_eq!(
            position_of(
                &rows,
                &select(&rows, &LeaderboardQuery::default()),
                "0xccCC000000000000000000000000000000000003"
                    .to_ascii_lowercase()
                    .as_str()
            ),
            Some(2)
        );
    }

    #[test]
    fn query_round_trips_and_clicking_a_heading_toggles() {
        let q = LeaderboardQuery {
            board: Board::Validators,
            sort: Column::Hardworking,
            descending: true,
            wallet: "0xab".into(),
            page: 3,
        };
        let pairs = q.params();
        let back = LeaderboardQuery::from_params(|k| {
            pairs
                .iter()
                .find(|(key, _)| *key == k)
                .map(|(_, v)| v.clone())
        });
        assert_eq!(back, q);
        // A column the board lacks falls back to rank.
        let models =
            LeaderboardQuery::from_params(|k| (k == "sort").then(|| "hardworking".to_string()));
        assert_eq!(models.sort, Column::Rank);
        let clicked = LeaderboardQuery::default().toggled(Column::Score);
        assert_eq!((clicked.sort, clicked.descending), (Column::Score, false));
        assert!(clicked.toggled(Column::Score).descending);
    }

    #[test]
    fn csv_has_a_header_the_shown_order_and_defused_text() {
        let mut rows = rows();
        rows[0].wallet = "=HYPERLINK(\"x\"),1".into();
        let csv = to_csv(Board::Models, &rows, &[1, 0]);
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines[0], "rank,wallet,submission_phase_score,finalized_at");
        assert_eq!(
            lines[1],
            "1,0xbbBB000000000000000000000000000000000002,0.3,"
        );
        assert_eq!(lines[2], "2,\"'=HYPERLINK(\"\"x\"\"),1\",0.5,");
        assert_eq!(lines.len(), 3);
    }

    #[test]
    fn ten_thousand_rows_sort_and_filter() {
        let rows: Vec<Entry> = (0..10_000u64)
            .map(|i| {
                entry(
                    &format!("0x{:040x}", i * 7919),
                    Some(i + 1),
                    Some(((i * 37) % 1000) as f64 / 100.0),
                )
            })
            .collect();
        let q = LeaderboardQuery {
            sort: Column::Score,
            descending: true,
            ..Default::default()
        };
        let shown = select(&rows, &q);
        assert_eq!(shown.len(), 10_000);
        assert!(shown
            .windows(2)
            .all(|w| rows[w[0]].score >= rows[w[1]].score));
        let filtered = select(
            &rows,
            &LeaderboardQuery {
                wallet: "abc".into(),
                ..Default::default()
            },
        );
        assert!(filtered
            .iter()
            .all(|&i| rows[i].wallet_lower.contains("abc")));
    }
}
