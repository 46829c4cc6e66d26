//! Reusable view pieces. None of them fetches or stores anything.

mod clock;
mod deadline;
mod description;
mod error_panel;
mod status_badge;

pub use clock::{provide_clock, use_now};
pub use deadline::Deadline;
pub use description::Description;
pub use error_panel::ErrorPanel;
pub use status_badge::StatusBadge;
