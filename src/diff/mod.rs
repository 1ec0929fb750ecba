//! `sextant diff`: what a change does to the monitoring, in meaning rather than in text.
//!
//! Both sides are a build's files (path → text, as [`crate::output::Output::files`] holds them
//! and `generated/` stores them): the spec at the base commit and at the working tree. Each side
//! is read back into the semantic model ([`model`]) with the targets' own file readers, then
//! compared one concern per file: rules and alerts ([`rules`]), SLOs ([`slo`]), the routing of the
//! label sets alerts can carry ([`routing`]), dashboards ([`dashboards`]). [`render`] prints the
//! result as text, as Markdown for a pull-request comment, or as JSON.
//!
//! Architecture Invariant: nothing here runs git or cargo or touches files; the CLI builds the
//! base and hands both sides over as data.

pub mod changed;
pub mod dashboards;
pub mod model;
pub mod render;
pub mod routing;
pub mod rules;
pub mod slo;
pub mod touched;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sextant_catalog::Catalog;

pub use changed::{changed_alerts, AlertVersion, ChangedAlert};
pub use model::Side;

/// Everything a change does, by concern; each list is sorted, so the same change gives the same
/// diff.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Diff {
    pub rules: Vec<rules::RuleChange>,
    pub slos: Vec<slo::SloChange>,
    pub routing: Vec<routing::RoutingChange>,
    pub dashboards: Vec<dashboards::DashboardChange>,
}

impl Diff {
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
            && self.slos.is_empty()
            && self.routing.is_empty()
            && self.dashboards.is_empty()
    }
}

/// One field of an item, before and after (`None`: absent on that side).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct FieldChange {
    pub field: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

impl FieldChange {
    pub fn new(field: impl Into<String>, before: Option<String>, after: Option<String>) -> Self {
        FieldChange {
            field: field.into(),
            before,
            after,
        }
    }
}

/// What happened to an item.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    Added,
    Removed,
    Renamed,
    Changed,
    Moved,
}

impl Change {
    pub fn as_str(self) -> &'static str {
        match self {
            Change::Added => "added",
            Change::Removed => "removed",
            Change::Renamed => "renamed",
            Change::Changed => "changed",
            Change::Moved => "moved",
        }
    }
}

/// The semantic diff of two builds' files. `catalog` gives the bounded values of the labels
/// alerts can carry (its closed and registered domains), for the routing comparison; it is the
/// working tree's, used for both sides.
pub fn diff(
    before: &BTreeMap<String, String>,
    after: &BTreeMap<String, String>,
    catalog: &Catalog,
) -> Diff {
    let before = Side::read(before);
    let after = Side::read(after);
    Diff {
        rules: rules::diff(&before, &after),
        slos: slo::diff(&before, &after),
        routing: routing::diff(&before, &after, catalog),
        dashboards: dashboards::diff(&before, &after),
    }
}
