//! `sextant import`: existing configuration into Rust modules written with Sextant's DSL, in the
//! style a person would write (builders, one function per group, receiver or dashboard).
//!
//! Each importer reads one kind of file into a [`Module`]: its Rust source, the call `spec()`
//! makes to use it, the series its queries read (so metrics the catalog lacks get a catalog
//! module of their own), and a diagnostic for everything the DSL cannot express yet, which is
//! reported, never silently dropped. [`import`] puts the modules of every file together; the CLI
//! writes them and wires them into the spec crate.
//!
//! Kinds: rule files and `PrometheusRule` resources ([`rules`]), alertmanager.yml
//! ([`alertmanager`]), Grafana dashboards ([`grafana`]), Sloth SLO specs ([`sloth`]).

pub mod alertmanager;
pub mod codes;
pub mod rust;

use std::collections::BTreeMap;

use crate::diagnostics::Diagnostic;

/// What `spec()` calls to use a module, by the module's function path.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Entry {
    /// `fn groups() -> Vec<RuleGroup>`: `.rule_groups(<module>::groups())`.
    RuleGroups,
    /// `fn alertmanager() -> AlertManager`: `.alertmanager(<module>::alertmanager())`.
    AlertManager,
    /// `fn dashboards() -> Vec<Dashboard>`: dashboards added to the spec's Grafana.
    Dashboards,
    /// `fn slos() -> Vec<Slo>`: `.slos(<module>::slos())`.
    Slos,
}

/// One imported file as a Rust module.
#[derive(Clone, Debug)]
pub struct Module {
    /// The module's name: a Rust identifier, unique in the import.
    pub name: String,
    /// The file it was imported from, as given.
    pub source_path: String,
    /// The module's Rust source, complete (`use` lines included).
    pub source: String,
    pub entry: Entry,
    /// Every series name the module's queries select, with the label names seen on it and how
    /// it is used (for the kind the imported catalog gives it).
    pub series: BTreeMap<String, SeenSeries>,
}

/// A series name as the imported queries use it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SeenSeries {
    /// Label names matched on it, grouped by, or read from it.
    pub labels: std::collections::BTreeSet<String>,
    /// Used inside `rate`, `increase` or similar: a counter.
    pub as_counter: bool,
    /// Its `_bucket` series are read by `histogram_quantile`: a histogram.
    pub as_histogram: bool,
}

/// The result of importing files: modules, and a diagnostic for what could not be imported
/// (warnings: the DSL cannot express it yet; errors: the file could not be read).
#[derive(Clone, Debug, Default)]
pub struct Imported {
    pub modules: Vec<Module>,
    pub diagnostics: Vec<Diagnostic>,
}
