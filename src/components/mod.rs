//! Reusable view pieces. None of them fetches or stores anything.

mod chart_canvas;
mod clock;
mod copy_button;
mod deadline;
mod description;
mod downloads;
mod error_panel;
mod refresh_button;
mod secret_input;
mod star_button;
mod status_badge;
mod submission_table;
mod tab_link;
mod unread_notice;
mod wallet_form;

pub use chart_canvas::ChartCanvas;
pub use clock::{provide_clock, use_now};
pub use copy_button::CopyButton;
pub use deadline::Deadline;
pub use description::Description;
pub use downloads::Downloads;
pub use error_panel::ErrorPanel;
pub use refresh_button::RefreshButton;
pub use secret_input::{check_notice, SecretInput};
pub use star_button::{StarButton, Starred};
pub use status_badge::StatusBadge;
pub use submission_table::SubmissionTable;
pub use tab_link::TabLink;
pub use unread_notice::UnreadNotice;
pub use wallet_form::{AddressError, WalletForm};

/// The style of a check's line in a list of checks (`ul.checks`).
pub fn check_class(level: crate::hub::checks::Level) -> &'static str {
    use crate::hub::checks::Level;
    match level {
        Level::Pass => "check--pass",
        Level::Warn => "check--warn",
        Level::Fail => "check--fail",
    }
}
