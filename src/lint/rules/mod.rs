//! Lints on rules as a whole.

pub mod record_name;
