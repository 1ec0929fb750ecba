//! The Grafana DSL: typed dashboards, their panels, variables, links and annotations, and the
//! datasources Grafana is provisioned with.
//!
//! As with rules, these are raw values: nothing here validates. [`lower`] checks everything at
//! once (layout, PromQL after Grafana's variables are substituted, metrics against the catalog and
//! the recorded series, variables, datasources, links) and reports every fault at the Rust line
//! that declared it. [`crate::grafana::emit`] writes the dashboards' JSON and the provisioning
//! files; [`schema`] checks that JSON against our own JSON Schema.
//!
//! # Panel ids
//!
//! A panel's id is derived from a stable key, not from its position: the key is the title of the
//! row it sits in and its own title (or what [`PanelCommon::key`] sets), hashed with 32-bit FNV-1a
//! into `1..2^31`. Adding, removing or moving a panel leaves every other panel's id unchanged, so
//! links to `viewPanel=<id>` keep working. Two panels with the same key in one dashboard are
//! reported (`grafana/duplicate-panel`); a hash collision between different keys is reported too
//! and fixed by setting a key.
//!
//! # Layout
//!
//! Grafana's grid is 24 columns wide. Panels are placed automatically in declaration order, left
//! to right: a panel that does not fit on the current line starts a new one, below the tallest
//! panel of that line; a row always starts a new line and takes the full width. A panel placed by
//! hand ([`PanelCommon::at`]) keeps its place and does not move the cursor; overlaps are reported.

pub mod bargauge;
pub(crate) mod checks;
pub mod codes;
pub mod datasource;
pub mod dsl;
pub mod emit;
pub mod file;
pub mod gauge;
pub mod heatmap;
pub mod ir;
pub mod layout;
pub mod lower;
pub mod row;
pub mod schema;
pub mod stat;
pub mod table;
pub mod text;
pub mod timeseries;
pub mod variables;

pub use bargauge::BarGauge;
pub use datasource::{Datasource, DatasourceKind, TracesToMetrics};
pub use dsl::*;
pub use gauge::Gauge;
pub use heatmap::Heatmap;
pub use row::Row;
pub use stat::Stat;
pub use table::Table;
pub use text::Text;
pub use timeseries::TimeSeries;
pub use variables::{Variable, VariableQuery};
