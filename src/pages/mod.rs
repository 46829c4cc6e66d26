//! One file per view. Pages read their state from the URL and load through `net`.

mod check_page;
mod invalid_link_page;
mod leaderboard_page;
pub(crate) mod me_page;
mod settings_page;
mod stats_page;
mod submit_page;
mod task_page;
mod tasks_page;
mod upload_page;
mod wallet_page;
mod watch_page;

pub use check_page::CheckPage;
pub use invalid_link_page::InvalidLinkPage;
pub use leaderboard_page::LeaderboardPage;
pub use me_page::{provide_board_cache, MePage};
pub use settings_page::SettingsPage;
pub use stats_page::StatsPage;
pub use submit_page::SubmitPage;
pub use task_page::TaskPage;
pub use tasks_page::TasksPage;
pub use upload_page::UploadPage;
pub use wallet_page::WalletPage;
pub use watch_page::WatchPage;
