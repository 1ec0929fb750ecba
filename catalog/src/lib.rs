//! The metric catalog: the one description of every metric, read by both the Sextant compiler
//! (to check PromQL, size cardinality and derive dashboards) and the EJE runtime crate (to
//! register the metrics it exports).
//!
//! Architecture Invariant: this crate has no dependencies and does no I/O, so the runtime crate
//! links it without pulling in anything of the compiler.
//!
//! Everything here is `const`: a metric is a `static` item, so renaming or removing one breaks the
//! build of every rule, panel and call site that names it.

pub mod eje;

/// The Prometheus metric type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// Only goes up (and resets to zero on restart); read it with `rate` or `increase`.
    Counter,
    /// Goes up and down; read it as is.
    Gauge,
    /// Observations counted into cumulative `le` buckets, with `_sum` and `_count` series.
    Histogram,
}

impl Kind {
    pub const fn as_str(self) -> &'static str {
        match self {
            Kind::Counter => "counter",
            Kind::Gauge => "gauge",
            Kind::Histogram => "histogram",
        }
    }
}

/// The set of values a label may take. Every label has a size: that is what keeps the number of
/// series known before the first scrape.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Domain {
    /// A closed set of values fixed at compile time, usually the names of a Rust enum.
    Closed(&'static [&'static str]),
    /// Values registered by the application at start-up (a critic's name, say), at most `cap` of
    /// them. `known` are the values this deployment declares; a value registered past the cap is
    /// recorded as `overflow` instead, so no caller can grow the series count without bound.
    Registered {
        known: &'static [&'static str],
        cap: usize,
        overflow: &'static str,
    },
    /// Values nobody lists (an HTTP status code, a route of someone else's service), about
    /// `expected` of them in practice. Cardinality budgets count `expected` values; no value is
    /// known, so nothing can be checked against the domain, and regex matchers on the label are
    /// only understood when they are plain alternations (`500|503`).
    Open { expected: usize },
}

impl Domain {
    /// How many distinct values the label can take at most (the overflow value included); for an
    /// open domain, how many it is expected to take.
    pub const fn max_values(&self) -> usize {
        match self {
            Domain::Closed(values) => values.len(),
            Domain::Registered { cap, .. } => *cap + 1,
            Domain::Open { expected } => *expected,
        }
    }

    /// The values known at compile time: the closed set, or the declared values and overflow.
    pub fn known_values(&self) -> impl Iterator<Item = &'static str> {
        let (values, overflow): (&'static [&'static str], Option<&'static str>) = match *self {
            Domain::Closed(values) => (values, None),
            Domain::Registered {
                known, overflow, ..
            } => (known, Some(overflow)),
            Domain::Open { .. } => (&[], None),
        };
        values.iter().copied().chain(overflow)
    }

    /// Whether `value` is known to occur. For a registered domain only the declared values and the
    /// overflow value are known; others may be registered at run time, under the cap. An open
    /// domain knows no value.
    pub fn admits(&self, value: &str) -> bool {
        self.known_values().any(|v| v == value)
    }

    pub const fn is_closed(&self) -> bool {
        matches!(self, Domain::Closed(_))
    }
}

/// A label of a metric.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Label {
    pub name: &'static str,
    pub help: &'static str,
    pub domain: Domain,
}

/// Where a metric's samples come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// Registered and updated by the application through the runtime crate.
    Instrumented,
    /// Exposed by a library or by the monitoring stack itself (process collector, Prometheus's
    /// own metrics, the synthetic `up` series): known to the linter, never registered by us.
    External,
}

/// One metric family.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Metric {
    /// The family name as exposed, with the `_total` suffix for counters.
    pub name: &'static str,
    pub kind: Kind,
    pub help: &'static str,
    /// The unit, as in the name's suffix (`seconds`, `bytes`); empty when unitless.
    pub unit: &'static str,
    pub labels: &'static [&'static Label],
    /// Upper bounds of the histogram buckets, ascending, without `+Inf`; empty for other kinds.
    pub buckets: &'static [f64],
    pub origin: Origin,
}

impl Metric {
    pub fn label(&self, name: &str) -> Option<&'static Label> {
        self.labels.iter().copied().find(|l| l.name == name)
    }

    /// The series names this family exposes: itself, or `_bucket`, `_sum` and `_count`.
    pub fn series_names(&self) -> Vec<String> {
        match self.kind {
            Kind::Histogram => ["_bucket", "_sum", "_count"]
                .iter()
                .map(|suffix| format!("{}{suffix}", self.name))
                .collect(),
            _ => vec![self.name.to_string()],
        }
    }

    /// The most series this family can produce: the product of its label domains, times
    /// `buckets + 1 (+Inf) + 2 (_sum, _count)` for a histogram.
    pub fn max_series(&self) -> u64 {
        let per_label: u64 = self
            .labels
            .iter()
            .map(|l| l.domain.max_values() as u64)
            .product();
        match self.kind {
            Kind::Histogram => per_label * (self.buckets.len() as u64 + 3),
            _ => per_label,
        }
    }
}

/// A set of metrics: what one application (or the stack around it) exposes.
#[derive(Clone, Copy, Debug)]
pub struct Catalog {
    pub metrics: &'static [&'static Metric],
}

/// What a series name refers to in a catalog.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SeriesRef {
    pub metric: &'static Metric,
    /// `Some("_bucket")` etc. for a histogram's component series.
    pub suffix: Option<&'static str>,
}

impl Catalog {
    /// Finds the family a series name belongs to: `eje_x_seconds_bucket` finds the histogram
    /// `eje_x_seconds` with suffix `_bucket`.
    pub fn lookup(&self, series: &str) -> Option<SeriesRef> {
        for metric in self.metrics {
            if metric.name == series {
                return Some(SeriesRef {
                    metric,
                    suffix: None,
                });
            }
            if metric.kind == Kind::Histogram {
                for suffix in ["_bucket", "_sum", "_count"] {
                    if series.strip_suffix(suffix) == Some(metric.name) {
                        return Some(SeriesRef {
                            metric,
                            suffix: Some(suffix),
                        });
                    }
                }
            }
        }
        None
    }

    pub fn get(&self, name: &str) -> Option<&'static Metric> {
        self.metrics.iter().copied().find(|m| m.name == name)
    }

    /// The namespaces the catalog owns: the first word (up to and including the first `_`) of
    /// each instrumented metric's name, such as `eje_`. The service registers exactly the
    /// catalog's metrics, so a series in one of these namespaces that the catalog lacks cannot
    /// exist; of any other name the catalog knows nothing.
    pub fn namespaces(&self) -> impl Iterator<Item = &'static str> + '_ {
        let mut seen: Vec<&'static str> = Vec::new();
        self.instrumented().filter_map(move |metric| {
            let end = metric.name.find('_')? + 1;
            let namespace = &metric.name[..end];
            (!seen.contains(&namespace)).then(|| {
                seen.push(namespace);
                namespace
            })
        })
    }

    /// Whether the catalog is the authority on `series`: an instrumented metric's series, or a
    /// name in one of its [`namespaces`](Catalog::namespaces).
    pub fn owns(&self, series: &str) -> bool {
        match self.lookup(series) {
            Some(found) => found.metric.origin == Origin::Instrumented,
            None => self.namespaces().any(|ns| series.starts_with(ns)),
        }
    }

    pub fn instrumented(&self) -> impl Iterator<Item = &'static Metric> + '_ {
        self.metrics
            .iter()
            .copied()
            .filter(|m| m.origin == Origin::Instrumented)
    }
}

/// Declares a Rust enum whose variants are the closed domain of a label, with `ALL`, `NAMES`
/// and `as_str`, so the runtime records typed values and the catalog lists the same strings.
#[macro_export]
macro_rules! label_enum {
    ($(#[$meta:meta])* $vis:vis enum $name:ident { $($(#[$vmeta:meta])* $variant:ident => $value:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        $vis enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// The label values, in the order of `ALL`.
            pub const NAMES: &'static [&'static str] = &[$($value),+];

            pub const fn as_str(self) -> &'static str {
                match self { $($name::$variant => $value),+ }
            }

            /// The position of this value in `ALL`: an index for pre-bound handles.
            pub const fn index(self) -> usize {
                self as usize
            }

            pub fn from_str_value(value: &str) -> Option<Self> {
                match value { $($value => Some($name::$variant),)+ _ => None }
            }
        }

        impl core::fmt::Display for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalog_owns_its_namespace_and_its_instrumented_metrics() {
        let catalog = eje::CATALOG;
        assert_eq!(catalog.namespaces().collect::<Vec<_>>(), ["eje_"]);
        assert!(catalog.owns("eje_decisions_total"));
        assert!(catalog.owns("eje_decision_duration_seconds_bucket"));
        assert!(catalog.owns("eje_no_such_metric_total"));
        assert!(
            !catalog.owns("up"),
            "declared, but scraped from every target"
        );
        assert!(!catalog.owns("node_cpu_seconds_total"));
        assert!(!catalog.owns("ejector_total"));
    }

    #[test]
    fn histogram_series_are_found_by_suffix() {
        let found = eje::CATALOG
            .lookup("eje_decision_duration_seconds_bucket")
            .unwrap();
        assert_eq!(found.metric.name, "eje_decision_duration_seconds");
        assert_eq!(found.suffix, Some("_bucket"));
        assert!(eje::CATALOG
            .lookup("eje_decision_duration_seconds_total")
            .is_none());
    }

    #[test]
    fn names_are_unique_and_well_formed() {
        let mut seen = std::collections::BTreeSet::new();
        for m in eje::CATALOG.metrics {
            assert!(seen.insert(m.name), "{} twice", m.name);
            assert!(m
                .name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_'));
            assert_eq!(
                m.kind == Kind::Counter,
                m.name.ends_with("_total"),
                "{}",
                m.name
            );
            assert_eq!(
                m.kind == Kind::Histogram,
                !m.buckets.is_empty(),
                "{}",
                m.name
            );
            assert!(m.buckets.windows(2).all(|w| w[0] < w[1]), "{}", m.name);
            if !m.unit.is_empty() {
                assert!(m.name.contains(m.unit), "{}", m.name);
            }
        }
    }

    #[test]
    fn series_estimate_multiplies_domains_and_buckets() {
        assert_eq!(
            eje::DECISIONS_TOTAL.max_series(),
            (eje::Verdict::ALL.len() * eje::DecisionStatus::ALL.len()) as u64
        );
        let buckets = eje::DECISION_DURATION_SECONDS.buckets.len() as u64;
        assert_eq!(eje::DECISION_DURATION_SECONDS.max_series(), buckets + 3);
    }
}
