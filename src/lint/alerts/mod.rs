//! Lints on alerting rules.

pub mod annotations;
