//! The validated form of the Grafana part of a spec, which the emitter reads.
//!
//! Architecture Invariant: every value here has been checked by [`crate::grafana::lower`]:
//! queries parse once Grafana's variables are substituted and read known series, variables are
//! defined, datasources exist, panels lie on the grid without overlapping, ids are unique.

use crate::grafana::layout::GridPos;
use crate::grafana::{Annotation, Datasource, DatasourceKind, Panel as PanelKind, Variable};

/// A datasource reference as emitted: the plugin and a uid (`${var}` through a variable).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DsUse {
    pub kind: DatasourceKind,
    pub uid: String,
}

/// One query of a panel.
#[derive(Clone, Debug, PartialEq)]
pub struct Target {
    pub ref_id: String,
    /// The smallest step between points, when the query sets one.
    pub interval: Option<String>,
    /// Run, not shown.
    pub hidden: bool,
    pub expr: String,
    pub legend: Option<String>,
    pub instant: bool,
    pub exemplar: bool,
    pub datasource: DsUse,
}

/// A link with its URL resolved.
#[derive(Clone, Debug, PartialEq)]
pub struct Link {
    pub title: String,
    /// `link` or `dashboards`.
    pub kind: &'static str,
    pub url: String,
    pub tags: Vec<String>,
    pub icon: &'static str,
    pub tooltip: String,
    pub keep_time: bool,
    pub include_vars: bool,
    pub new_tab: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Panel {
    pub id: u32,
    pub grid: GridPos,
    pub kind: PanelKind,
    pub datasource: Option<DsUse>,
    pub targets: Vec<Target>,
    pub links: Vec<Link>,
    /// A collapsed row's panels.
    pub children: Vec<Panel>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Dashboard {
    pub uid: String,
    pub title: String,
    pub description: Option<String>,
    pub tags: Vec<String>,
    pub time_from: String,
    pub refresh: Option<String>,
    pub shared_crosshair: bool,
    /// Variables with their resolved datasource (query variables).
    pub variables: Vec<(Variable, Option<DsUse>)>,
    pub links: Vec<Link>,
    pub annotations: Vec<(Annotation, DsUse)>,
    pub panels: Vec<Panel>,
    /// The Rust file that declared it, named in the provisioning header.
    pub source: &'static str,
}

/// The dashboard provider: where Grafana reads the dashboards' files and what folder they go in.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Provider {
    pub folder: String,
    pub path: String,
}

#[derive(Clone, Debug, Default)]
pub struct Grafana {
    pub datasources: Vec<Datasource>,
    pub dashboards: Vec<Dashboard>,
    pub provider: Provider,
}
