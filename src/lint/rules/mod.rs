//! Lints on rules as a whole.

pub mod group_interval;
pub mod record_name;
