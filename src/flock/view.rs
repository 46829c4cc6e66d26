//! Which view the page shows, read from and written to the URL query string.
//!
//! Views live in the query (`?view=task&id=7`), never in the path, so every URL works when
//! pasted into a fresh tab on a plain static file server, from any sub-path, with no rewrite
//! rules. Links are built only here ([`View::href`]), never by hand in the views.

use super::leaderboard::LeaderboardQuery;
use super::stats::Range;
use super::task_list::TaskListQuery;
use super::url::encode_component;

/// A view of the app and its state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum View {
    /// The task list (the start page).
    Tasks(TaskListQuery),
    /// One task in full.
    Task {
        /// The task's id.
        id: u64,
    },
    /// A task's leaderboards.
    Leaderboard {
        /// The task's id.
        id: u64,
        /// Board, sort and filter.
        query: LeaderboardQuery,
    },
    /// Network statistics.
    Stats {
        /// Days shown.
        range: Range,
    },
    /// A wallet's record; the address as given (checked by the page, which explains errors).
    Wallet {
        /// The address typed or linked; empty for the lookup form alone.
        address: String,
    },
    /// A wallet's standing across tasks: the saved wallet's when the address is empty.
    Me {
        /// The address linked; empty for the wallet saved in Settings.
        address: String,
    },
    /// The watchlist: starred wallets and tasks, and how they moved.
    Watch,
    /// Upload a model to the Hub, optionally for a task.
    Upload {
        /// The task the model is for.
        task: Option<u64>,
    },
    /// Submit a Hub commit to a FLock task.
    Submit {
        /// The task.
        task: Option<u64>,
        /// `namespace/name` on the Hub.
        repo: String,
        /// Commit hash.
        revision: String,
    },
    /// Settings.
    Settings,
    /// The connection check: each kind of call the page makes, tried from this browser.
    Check,
    /// A link the app cannot read, with the reason.
    Invalid(String),
}

impl View {
    /// Read the view from URL query parameters.
    pub fn from_params(get: impl Fn(&str) -> Option<String>) -> View {
        // `?address=0x…` alone is a wallet link.
        let default = if get("address").is_some() {
            "wallet"
        } else {
            "tasks"
        };
        let task_id = || match get("id").map(|id| id.trim().parse::<u64>()) {
            Some(Ok(id)) => Ok(id),
            Some(Err(_)) => Err(View::Invalid(format!(
                "“{}” is not a task id: ids are whole numbers, such as 7.",
                get("id").unwrap_or_default()
            ))),
            None => Err(View::Invalid(
                "The link names no task: it lacks `id=`.".into(),
            )),
        };
        match get("view").as_deref().unwrap_or(default) {
            "tasks" | "" => View::Tasks(TaskListQuery::from_params(get)),
            "task" => task_id().map_or_else(|e| e, |id| View::Task { id }),
            "leaderboard" => task_id().map_or_else(
                |e| e,
                |id| View::Leaderboard {
                    id,
                    query: LeaderboardQuery::from_params(&get),
                },
            ),
            "stats" => View::Stats {
                range: get("range")
                    .and_then(|r| Range::parse(&r))
                    .unwrap_or_default(),
            },
            "wallet" => View::Wallet {
                address: get("address").unwrap_or_default().trim().to_string(),
            },
            "watch" => View::Watch,
            "me" => View::Me {
                address: get("address").unwrap_or_default().trim().to_string(),
            },
            "upload" => View::Upload {
                task: get("task").and_then(|t| t.trim().parse().ok()),
            },
            "submit" => View::Submit {
                task: get("task").and_then(|t| t.trim().parse().ok()),
                repo: get("repo").unwrap_or_default(),
                revision: get("revision").unwrap_or_default(),
            },
            "settings" => View::Settings,
            "check" => View::Check,
            other => View::Invalid(format!("There is no view called “{other}”.")),
        }
    }

    /// The link to this view: a query string relative to the page (`?view=task&id=7`).
    pub fn href(&self) -> String {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        match self {
            View::Tasks(query) => {
                pairs.push(("view", "tasks".into()));
                pairs.extend(query.params());
            }
            View::Task { id } => {
                pairs.push(("view", "task".into()));
                pairs.push(("id", id.to_string()));
            }
            View::Leaderboard { id, query } => {
                pairs.push(("view", "leaderboard".into()));
                pairs.push(("id", id.to_string()));
                pairs.extend(query.params());
            }
            View::Stats { range } => {
                pairs.push(("view", "stats".into()));
                if *range != Range::default() {
                    pairs.push(("range", range.as_str().into()));
                }
            }
            View::Wallet { address } => {
                pairs.push(("view", "wallet".into()));
                if !address.is_empty() {
                    pairs.push(("address", address.clone()));
                }
            }
            View::Me { address } => {
                pairs.push(("view", "me".into()));
                if !address.is_empty() {
                    pairs.push(("address", address.clone()));
                }
            }
            View::Upload { task } => {
                pairs.push(("view", "upload".into()));
                if let Some(task) = task {
                    pairs.push(("task", task.to_string()));
                }
            }
            View::Submit {
                task,
                repo,
                revision,
            } => {
                pairs.push(("view", "submit".into()));
                if let Some(task) = task {
                    pairs.push(("task", task.to_string()));
                }
                if !repo.is_empty() {
                    pairs.push(("repo", repo.clone()));
                }
                if !revision.is_empty() {
                    pairs.push(("revision", revision.clone()));
                }
            }
            View::Watch => pairs.push(("view", "watch".into())),
            View::Settings => pairs.push(("view", "settings".into())),
            View::Check => pairs.push(("view", "check".into())),
            View::Invalid(_) => {}
        }
        let joined: Vec<String> = pairs
            .iter()
            .map(|(k, v)| format!("{}={}", encode_component(k), encode_component(v)))
            .collect();
        format!("?{}", joined.join("&"))
    }

    /// The document title for this view.
    pub fn title(&self) -> String {
        match self {
            View::Tasks(_) => "Tasks · flockboard".into(),
            View::Task { id } => format!("Task {id} · flockboard"),
            View::Leaderboard { id, .. } => format!("Leaderboard of task {id} · flockboard"),
            View::Stats { .. } => "Network stats · flockboard".into(),
            View::Wallet { address } if address.is_empty() => "Wallet lookup · flockboard".into(),
            View::Wallet { address } => format!(
                "Wallet {} · flockboard",
                super::wallet::short_address(address)
            ),
            View::Me { address } if address.is_empty() => "My standing · flockboard".into(),
            View::Me { address } => format!(
                "Standing of {} · flockboard",
                super::wallet::short_address(address)
            ),
            View::Upload { .. } => "Upload a model · flockboard".into(),
            View::Submit { .. } => "Submit to FLock · flockboard".into(),
            View::Watch => "Watchlist · flockboard".into(),
            View::Settings => "Settings · flockboard".into(),
            View::Check => "Connection check · flockboard".into(),
            View::Invalid(_) => "Link not understood · flockboard".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flock::task_list::{SortKey, TaskFilter};

    /// Parse an href the way a browser's URLSearchParams would (enough for these tests).
    fn parse(href: &str) -> View {
        let pairs: Vec<(String, String)> = href
            .trim_start_matches('?')
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                (decode(k), decode(v))
            })
            .collect();
        View::from_params(|key| pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()))
    }

    fn decode(s: &str) -> String {
        let bytes = s.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'%' && i + 2 < bytes.len() {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("00");
                out.push(u8::from_str_radix(hex, 16).unwrap_or(0));
                i += 3;
            } else {
                out.push(bytes[i]);
                i += 1;
            }
        }
        String::from_utf8(out).unwrap_or_default()
    }

    #[test]
    fn every_view_round_trips_through_its_href() {
        let views = [
            View::Tasks(TaskListQuery::default()),
            View::Tasks(TaskListQuery {
                filter: TaskFilter::All,
                sort: SortKey::Id,
                descending: true,
                search: "a&b=c ü #7".into(),
            }),
            View::Task { id: 99_999 },
            View::Leaderboard {
                id: 7,
                query: LeaderboardQuery {
                    board: crate::flock::leaderboard::Board::Validators,
                    sort: crate::flock::leaderboard::Column::Score,
                    descending: true,
                    wallet: "0xAB".into(),
                    page: 2,
                },
            },
            View::Stats { range: Range::All },
            View::Stats {
                range: Range::Days30,
            },
            View::Wallet {
                address: "0xB93A9c73751Bbca8E1924954271ee8d4De5747c9".into(),
            },
            View::Wallet {
                address: String::new(),
            },
            View::Settings,
            View::Check,
            View::Watch,
            View::Me {
                address: String::new(),
            },
            View::Me {
                address: "0xB93A9c73751Bbca8E1924954271ee8d4De5747c9".into(),
            },
            View::Upload { task: Some(8) },
            View::Upload { task: None },
            View::Submit {
                task: Some(8),
                repo: "alice/model".into(),
                revision: "0123456789abcdef0123456789abcdef01234567".into(),
            },
        ];
        for view in views {
            assert_eq!(parse(&view.href()), view, "{}", view.href());
        }
        assert_eq!(View::Task { id: 7 }.href(), "?view=task&id=7");
        assert_eq!(View::Check.href(), "?view=check");
    }

    #[test]
    fn a_bare_address_query_is_a_wallet_link() {
        let view = parse("?address=0xB93A9c73751Bbca8E1924954271ee8d4De5747c9");
        assert_eq!(
            view,
            View::Wallet {
                address: "0xB93A9c73751Bbca8E1924954271ee8d4De5747c9".into()
            }
        );
    }

    #[test]
    fn empty_query_is_the_open_task_list() {
        assert_eq!(parse(""), View::Tasks(TaskListQuery::default()));
    }

    #[test]
    fn broken_links_say_what_is_wrong() {
        assert!(matches!(parse("?view=task&id=seven"), View::Invalid(m) if m.contains("seven")));
        assert!(matches!(parse("?view=task"), View::Invalid(m) if m.contains("id=")));
        assert!(matches!(parse("?view=nope"), View::Invalid(m) if m.contains("nope")));
    }
}
