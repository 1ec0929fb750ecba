//! Rule groups: recording and alert rules.
//!
//! [`dsl`] is what a spec writes; [`lower`] validates it into the IR ([`ir`]) as Prometheus
//! itself would; [`emit`] writes one rule file per group and [`promtool_tests`] the promtool unit
//! test files; [`file`] reads existing rule files (and their faults) into the same IR.

pub mod codes;
pub mod dsl;
pub mod emit;
pub mod file;
pub mod ir;
pub mod lower;
pub mod promtool_tests;

pub use dsl::*;
