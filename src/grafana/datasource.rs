//! Provisioned datasources: Prometheus (with exemplars that link to traces) and Jaeger (with
//! links from a span to the metrics of its service), written to
//! `grafana/provisioning/datasources/<uid>.yml`.

use crate::diagnostics::Place;
use crate::rules::PromQl;
use crate::syntax::duration::{mins, Duration};

/// The datasource plugins the spec provisions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DatasourceKind {
    Prometheus,
    Jaeger,
}

impl DatasourceKind {
    /// Grafana's plugin id.
    pub fn as_str(self) -> &'static str {
        match self {
            DatasourceKind::Prometheus => "prometheus",
            DatasourceKind::Jaeger => "jaeger",
        }
    }
}

/// From a span in a trace to the metrics of what it did: Grafana's `tracesToMetrics`.
#[derive(Clone, Debug, PartialEq)]
pub struct TracesToMetrics {
    pub(crate) datasource_uid: String,
    /// Span attribute, and the metric label it maps to; they make up `$__tags`.
    pub(crate) tags: Vec<(String, String)>,
    pub(crate) queries: Vec<(String, PromQl, Place)>,
    /// How far before the span's start and after its end the queries look.
    pub(crate) around: Duration,
}

impl TracesToMetrics {
    /// Queries on the Prometheus datasource `datasource_uid`.
    pub fn new(datasource_uid: impl Into<String>) -> TracesToMetrics {
        TracesToMetrics {
            datasource_uid: datasource_uid.into(),
            tags: Vec::new(),
            queries: Vec::new(),
            around: mins(2),
        }
    }

    /// Maps the span attribute `attribute` to the metric label `label` in `$__tags`.
    pub fn tag(
        mut self,
        attribute: impl Into<String>,
        label: impl Into<String>,
    ) -> TracesToMetrics {
        self.tags.push((attribute.into(), label.into()));
        self
    }

    /// A query offered on each span; `$__tags` stands for the span's mapped attributes as label
    /// matchers (`critic="bias_critic"`).
    #[track_caller]
    pub fn query(mut self, name: impl Into<String>, expr: impl Into<PromQl>) -> TracesToMetrics {
        self.queries
            .push((name.into(), expr.into(), Place::caller()));
        self
    }

    /// How far before the span and after it the queries look [default: 2m].
    pub fn around(mut self, margin: Duration) -> TracesToMetrics {
        self.around = margin;
        self
    }
}

/// A datasource Grafana is provisioned with, referred to by its `uid` everywhere.
#[derive(Clone, Debug, PartialEq)]
pub struct Datasource {
    pub(crate) uid: String,
    pub(crate) name: String,
    pub(crate) kind: DatasourceKind,
    pub(crate) url: String,
    pub(crate) is_default: bool,
    /// Exemplar label holding a trace id, and the tracing datasource it opens.
    pub(crate) exemplar_traces: Option<(String, String)>,
    pub(crate) traces_to_metrics: Option<TracesToMetrics>,
    pub(crate) origin: Place,
}

impl Datasource {
    #[track_caller]
    fn new(kind: DatasourceKind, uid: String, name: String, url: String) -> Datasource {
        Datasource {
            uid,
            name,
            kind,
            url,
            is_default: false,
            exemplar_traces: None,
            traces_to_metrics: None,
            origin: Place::caller(),
        }
    }

    #[track_caller]
    pub fn prometheus(
        uid: impl Into<String>,
        name: impl Into<String>,
        url: impl Into<String>,
    ) -> Datasource {
        Datasource::new(
            DatasourceKind::Prometheus,
            uid.into(),
            name.into(),
            url.into(),
        )
    }

    #[track_caller]
    pub fn jaeger(
        uid: impl Into<String>,
        name: impl Into<String>,
        url: impl Into<String>,
    ) -> Datasource {
        Datasource::new(DatasourceKind::Jaeger, uid.into(), name.into(), url.into())
    }

    /// The datasource new panels start with.
    pub fn default(mut self) -> Datasource {
        self.is_default = true;
        self
    }

    /// Exemplars whose label `label` holds a trace id open that trace in the tracing
    /// datasource `tracing_uid` (Prometheus only).
    pub fn exemplar_traces(
        mut self,
        label: impl Into<String>,
        tracing_uid: impl Into<String>,
    ) -> Datasource {
        self.exemplar_traces = Some((label.into(), tracing_uid.into()));
        self
    }

    /// Links from each span to metrics (tracing datasources only).
    pub fn traces_to_metrics(mut self, config: TracesToMetrics) -> Datasource {
        self.traces_to_metrics = Some(config);
        self
    }

    pub fn uid(&self) -> &str {
        &self.uid
    }

    pub fn kind(&self) -> DatasourceKind {
        self.kind
    }
}
