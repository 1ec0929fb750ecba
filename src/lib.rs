//! Sextant: monitoring stacks as code.
//!
//! A spec written with this crate's typed DSLs and a metric catalog ([`sextant_catalog`]) is
//! lowered into a validated IR, linted against the catalog ([`lint`]), and emitted as files.
//! Each target has a folder holding its DSL, lowering, IR, emitter and file reader: [`rules`],
//! [`slo`], [`alertmanager`], [`prometheus`], [`grafana`], and the deploy targets
//! [`kubernetes`] (prometheus-operator) and [`rulers`] (Thanos Ruler, Mimir). Below them, [`syntax`] (PromQL, Go
//! templates, YAML and JSON with positions, durations) and [`diagnostics`]. [`spec::compile`] runs
//! the whole pipeline, [`lint::files::lint_files`] lints existing files; [`cli`] is the command
//! line around them.

pub mod alertmanager;
pub mod backtest;
pub mod cli;
pub mod diagnostics;
pub mod diff;
pub mod grafana;
pub mod import;
pub mod init;
pub mod ir;
pub mod kubernetes;
pub mod lint;
pub mod output;
pub mod prometheus;
pub mod rulers;
pub mod rules;
pub mod slo;
pub mod spec;
pub mod syntax;

pub use sextant_catalog as catalog;

/// What a spec file needs: `use sextant::prelude::*;`.
pub mod prelude {
    pub use crate::diagnostics::Severity;
    pub use crate::grafana::{bargauge, stat, timeseries};
    pub use crate::grafana::{
        Annotation, BarGauge, Calc, Color, Dashboard, Datasource, DatasourceKind, DsRef, Gauge,
        Grafana, Heatmap, Legend, Link, Query, Row, Stat, Table, Text, Thresholds, TimeSeries,
        TracesToMetrics, Unit, Variable,
    };
    pub use crate::lint::LintConfig;
    pub use crate::rules::{
        select, Alert, AlertSeverity, PromQl, Record, Rule, RuleGroup, Selector, SeverityName,
    };
    pub use crate::slo::{Events, Naming, Service, Sli, Slo, SloLabels, Tier};
    pub use crate::spec::{compile, Compiled, Spec};
    pub use crate::syntax::duration::{days, hours, mins, secs, Duration};
    pub mod alerting {
        //! The AlertManager and Prometheus server DSLs: `use sextant::prelude::alerting::*;`.
        pub use crate::alertmanager::{
            at, AlertManager, Email, Global, HttpConfig, InhibitRule, MatchOp, Matcher, Month,
            OpsGenie, OpsGenieResponder, PagerDuty, Period, Receiver, Route, SecretFile, Slack,
            Smtp, Sns, Template, TimeInterval, TimeOfDay, VictorOps, Webex, Webhook, Weekday,
        };
        pub use crate::prometheus::{PrometheusConfig, ScrapeJob};
    }
    pub mod deploy {
        //! The deploy targets beyond one Prometheus pair: `use sextant::prelude::deploy::*;`.
        pub use crate::kubernetes::{AlertManagerSecret, Kubernetes, Monitor, MonitorKind};
        pub use crate::rulers::{Limits, Mimir, PartialResponse, ThanosRuler, View};
    }
}

/// The guides' code samples are compiled as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../docs/large-specs.md")]
pub struct LargeSpecsGuide;

#[cfg(doctest)]
#[doc = include_str!("../docs/guide/README.md")]
pub struct GuideIndex;

#[cfg(doctest)]
#[doc = include_str!("../docs/guide/01-first-spec.md")]
pub struct GuideFirstSpec;

#[cfg(doctest)]
#[doc = include_str!("../docs/guide/02-catalog.md")]
pub struct GuideCatalog;

#[cfg(doctest)]
#[doc = include_str!("../docs/guide/03-rules-and-alerts.md")]
pub struct GuideRulesAndAlerts;

#[cfg(doctest)]
#[doc = include_str!("../docs/guide/04-slos.md")]
pub struct GuideSlos;

#[cfg(doctest)]
#[doc = include_str!("../docs/guide/05-routing.md")]
pub struct GuideRouting;

#[cfg(doctest)]
#[doc = include_str!("../docs/guide/06-prometheus.md")]
pub struct GuidePrometheus;

#[cfg(doctest)]
#[doc = include_str!("../docs/guide/07-dashboards.md")]
pub struct GuideDashboards;

#[cfg(doctest)]
#[doc = include_str!("../docs/guide/08-linting-files.md")]
pub struct GuideLintingFiles;

#[cfg(doctest)]
#[doc = include_str!("../docs/guide/09-ci.md")]
pub struct GuideCi;

#[cfg(doctest)]
#[doc = include_str!("../docs/guide/10-runtime.md")]
pub struct GuideRuntime;
