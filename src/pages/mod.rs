//! One file per view. Pages read their state from the URL and load through `net`.

mod invalid_link_page;
mod settings_page;
mod task_page;
mod tasks_page;

pub use invalid_link_page::InvalidLinkPage;
pub use settings_page::SettingsPage;
pub use task_page::TaskPage;
pub use tasks_page::TasksPage;
