//! The Prometheus server configuration: [`dsl`] (and its lowering), and [`emit`], one
//! `prometheus-<replica>.yml` per HA replica.

pub mod codes;
pub mod dsl;
pub mod emit;

pub use dsl::*;
