//! Template variables: a dashboard's choices (datasource, a label's values, a fixed list, an
//! interval), used in queries as `$name`, `${name}` or `[[name]]`.

use serde_json::{json, Value};
use sextant_catalog::{Label, Metric};

use crate::diagnostics::Place;
use crate::grafana::{DatasourceKind, DsRef};
use crate::syntax::duration::Duration;

/// What a query variable asks its datasource.
#[derive(Clone, Debug, PartialEq)]
pub enum VariableQuery {
    /// `label_values(metric, label)`: the values `label` takes on `metric`'s series (checked
    /// against the catalog).
    LabelValues {
        metric: &'static Metric,
        label: &'static Label,
    },
    /// A query as Grafana's Prometheus datasource reads it (`label_values(up{job="a"}, job)`,
    /// `query_result(..)`, `metrics(..)`), taken as written: imported dashboards' variables,
    /// whose series the catalog need not list.
    Text(String),
}

impl VariableQuery {
    pub fn text(&self) -> String {
        match self {
            VariableQuery::LabelValues { metric, label } => {
                format!("label_values({}, {})", metric.name, label.name)
            }
            VariableQuery::Text(text) => text.clone(),
        }
    }
}

/// What kind of variable, with what it needs.
#[derive(Clone, Debug, PartialEq)]
pub enum VariableKind {
    /// Picks one datasource of a plugin kind; panels use it as `DsRef::variable(name)`.
    Datasource {
        kind: DatasourceKind,
        default_uid: Option<String>,
    },
    /// Values asked of a datasource.
    Query {
        datasource: DsRef,
        query: VariableQuery,
    },
    /// A fixed list of values.
    Custom { values: Vec<String> },
    /// A list of durations (the first is the default), for ranges such as `[$window]`.
    Interval { values: Vec<Duration> },
}

/// A template variable.
#[derive(Clone, Debug, PartialEq)]
pub struct Variable {
    pub(crate) name: String,
    pub(crate) label: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) kind: VariableKind,
    pub(crate) multi: bool,
    pub(crate) include_all: bool,
    pub(crate) origin: Place,
}

impl Variable {
    #[track_caller]
    fn new(name: impl Into<String>, kind: VariableKind) -> Variable {
        Variable {
            name: name.into(),
            label: None,
            description: None,
            kind,
            multi: false,
            include_all: false,
            origin: Place::caller(),
        }
    }

    /// A datasource variable over every datasource of `kind`, defaulting to `default_uid`.
    #[track_caller]
    pub fn datasource(
        name: impl Into<String>,
        kind: DatasourceKind,
        default_uid: impl Into<String>,
    ) -> Variable {
        Variable::new(
            name,
            VariableKind::Datasource {
                kind,
                default_uid: Some(default_uid.into()),
            },
        )
    }

    /// A datasource variable over every datasource of `kind`, with no default: Grafana picks
    /// the organisation's default one.
    #[track_caller]
    pub fn datasource_any(name: impl Into<String>, kind: DatasourceKind) -> Variable {
        Variable::new(
            name,
            VariableKind::Datasource {
                kind,
                default_uid: None,
            },
        )
    }

    /// A query variable on `datasource` whose query is taken as written (see
    /// [`VariableQuery::Text`]): one value at a time until [`Variable::multi`].
    #[track_caller]
    pub fn query(name: impl Into<String>, datasource: DsRef, query: impl Into<String>) -> Variable {
        Variable::new(
            name,
            VariableKind::Query {
                datasource,
                query: VariableQuery::Text(query.into()),
            },
        )
    }

    /// `label_values(metric, label)` on `datasource`: multi-valued, with an "All" option.
    #[track_caller]
    pub fn label_values(
        name: impl Into<String>,
        datasource: DsRef,
        metric: &'static Metric,
        label: &'static Label,
    ) -> Variable {
        let mut variable = Variable::new(
            name,
            VariableKind::Query {
                datasource,
                query: VariableQuery::LabelValues { metric, label },
            },
        );
        variable.multi = true;
        variable.include_all = true;
        variable
    }

    /// A fixed list of values; the first is the default.
    #[track_caller]
    pub fn custom<S: Into<String>>(
        name: impl Into<String>,
        values: impl IntoIterator<Item = S>,
    ) -> Variable {
        Variable::new(
            name,
            VariableKind::Custom {
                values: values.into_iter().map(Into::into).collect(),
            },
        )
    }

    /// A list of durations; the first is the default.
    #[track_caller]
    pub fn interval(
        name: impl Into<String>,
        values: impl IntoIterator<Item = Duration>,
    ) -> Variable {
        Variable::new(
            name,
            VariableKind::Interval {
                values: values.into_iter().collect(),
            },
        )
    }

    /// The name shown beside the picker.
    pub fn label(mut self, label: impl Into<String>) -> Variable {
        self.label = Some(label.into());
        self
    }

    pub fn description(mut self, text: impl Into<String>) -> Variable {
        self.description = Some(text.into());
        self
    }

    /// One value at a time, without "All" (query and custom variables).
    pub fn single(mut self) -> Variable {
        self.multi = false;
        self.include_all = false;
        self
    }

    /// Several values at once, with "All".
    pub fn multi(mut self) -> Variable {
        self.multi = true;
        self.include_all = true;
        self
    }

    /// Whether the picker offers "All" (set after [`Variable::single`] or [`Variable::multi`]).
    pub fn include_all(mut self, include: bool) -> Variable {
        self.include_all = include;
        self
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The variable as Grafana's `templating.list` item; `datasource` is the query variable's
    /// datasource, resolved by lowering.
    pub(crate) fn to_json(&self, datasource: Option<Value>) -> Value {
        let option =
            |text: &str, value: &str| json!({"selected": true, "text": text, "value": value});
        let mut v = json!({
            "hide": 0,
            "name": self.name,
            "skipUrlSync": false,
        });
        if let Some(label) = &self.label {
            v["label"] = json!(label);
        }
        if let Some(description) = &self.description {
            v["description"] = json!(description);
        }
        match &self.kind {
            VariableKind::Datasource { kind, default_uid } => {
                v["type"] = json!("datasource");
                v["query"] = json!(kind.as_str());
                v["refresh"] = json!(1);
                v["regex"] = json!("");
                v["multi"] = json!(false);
                v["includeAll"] = json!(false);
                if let Some(uid) = default_uid {
                    v["current"] = option(uid, uid);
                }
                v["options"] = json!([]);
            }
            VariableKind::Query { query, .. } => {
                v["type"] = json!("query");
                v["query"] = json!(query.text());
                v["definition"] = json!(query.text());
                if let Some(datasource) = datasource {
                    v["datasource"] = datasource;
                }
                // 2: on time range change, so new label values show up.
                v["refresh"] = json!(2);
                v["sort"] = json!(1);
                v["regex"] = json!("");
                v["multi"] = json!(self.multi);
                v["includeAll"] = json!(self.include_all);
                if self.include_all {
                    v["current"] = option("All", "$__all");
                }
                v["options"] = json!([]);
            }
            VariableKind::Custom { values } => {
                v["type"] = json!("custom");
                v["query"] = json!(values.join(","));
                v["multi"] = json!(self.multi);
                v["includeAll"] = json!(self.include_all);
                v["current"] = match (self.include_all, values.first()) {
                    (true, _) => option("All", "$__all"),
                    (false, Some(first)) => option(first, first),
                    (false, None) => option("", ""),
                };
                v["options"] = json!(values
                    .iter()
                    .enumerate()
                    .map(|(i, value)| json!({"selected": i == 0 && !self.include_all, "text": value, "value": value}))
                    .collect::<Vec<_>>());
            }
            VariableKind::Interval { values } => {
                let texts: Vec<String> = values.iter().map(|d| d.to_string()).collect();
                v["type"] = json!("interval");
                v["query"] = json!(texts.join(","));
                v["auto"] = json!(false);
                v["auto_count"] = json!(30);
                v["auto_min"] = json!("10s");
                v["refresh"] = json!(2);
                let first = texts.first().cloned().unwrap_or_default();
                v["current"] = option(&first, &first);
                v["options"] = json!(texts
                    .iter()
                    .enumerate()
                    .map(|(i, t)| json!({"selected": i == 0, "text": t, "value": t}))
                    .collect::<Vec<_>>());
            }
        }
        v
    }
}
