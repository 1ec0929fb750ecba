//! Lints on alerting rules.

pub mod annotations;
pub mod comparison;
pub mod duplicate;
pub mod for_duration;
pub mod severity;
pub mod template_label;
