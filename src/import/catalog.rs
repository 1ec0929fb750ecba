//! The metrics imported queries read that the spec's catalog lacks, as a catalog module of their
//! own: one `static` per metric (external: they claim no namespace), its kind inferred from use
//! (a counter when read with `rate`/`increase` or named `_total`, a histogram when its `_bucket`
//! series feed `histogram_quantile`, a gauge otherwise), the labels seen on it with open domains.
//! The spec adds it to its own with `Spec::metrics`, so the imported spec's lints know them.

use std::collections::{BTreeMap, BTreeSet};

use sextant_catalog::{Catalog, Kind};

use super::rust::string;
use super::{Entry, Module, SeenSeries};

/// The catalog module's name in the `--into` folder.
pub const CATALOG_MODULE: &str = "imported_catalog";

/// How many values an open label of an imported metric is expected to take: nothing is known
/// of it, so a middling guess for the cardinality lints.
const EXPECTED_VALUES: usize = 10;

/// The statics of the catalog module: by metric name, the metric's (its `static`, kind and
/// label names), and by label name, the label's `static`. Importers write selectors of these
/// metrics with the DSL ([`super::selectors`]).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Statics {
    pub metrics: BTreeMap<String, MetricStatic>,
    pub labels: BTreeMap<String, String>,
}

/// A metric of the catalog module.
#[derive(Clone, Debug, PartialEq)]
pub struct MetricStatic {
    /// The `static`'s name (`UP`).
    pub ident: String,
    pub kind: Kind,
    /// The label names it has (each with a `static` in [`Statics::labels`]).
    pub labels: BTreeSet<String>,
}

impl Statics {
    /// The metric a series belongs to, with the [`Selector`](crate::rules::Selector) method
    /// naming the series of a histogram (`bucket`, `count`, `sum`) when it is one of those.
    pub fn series(&self, name: &str) -> Option<(&MetricStatic, Option<&'static str>)> {
        if let Some(metric) = self.metrics.get(name) {
            return Some((metric, None));
        }
        [("_bucket", "bucket"), ("_count", "count"), ("_sum", "sum")]
            .into_iter()
            .find_map(|(suffix, method)| {
                let metric = self.metrics.get(name.strip_suffix(suffix)?)?;
                (metric.kind == Kind::Histogram).then_some((metric, Some(method)))
            })
    }
}

/// The statics of the catalog module for `modules` (empty when it has none): the series they
/// read that neither `catalog` nor a recording rule of the import (`recorded`) describes.
pub fn statics(modules: &[Module], recorded: &BTreeSet<String>, catalog: &Catalog) -> Statics {
    let mut series: BTreeMap<String, SeenSeries> = BTreeMap::new();
    for module in modules {
        for (name, seen) in &module.series {
            let entry = series.entry(name.clone()).or_default();
            entry.labels.extend(seen.labels.iter().cloned());
            entry.as_counter |= seen.as_counter;
            entry.as_histogram |= seen.as_histogram;
        }
    }
    // A histogram's `_sum` and `_count` are its own, not metrics of their own.
    let histograms: BTreeSet<String> = series
        .iter()
        .filter(|(_, s)| s.as_histogram)
        .map(|(n, _)| n.clone())
        .collect();
    series.retain(|name, _| {
        let component = ["_sum", "_count", "_bucket"].iter().any(|suffix| {
            name.strip_suffix(suffix)
                .is_some_and(|b| histograms.contains(b))
        });
        !component && !recorded.contains(name) && catalog.lookup(name).is_none()
    });
    let labels: BTreeSet<&String> = series
        .values()
        .flat_map(|s| s.labels.iter())
        .filter(|l| l.as_str() != "le" && l.as_str() != "__name__")
        .collect();
    let mut taken = BTreeSet::new();
    let labels: BTreeMap<String, String> = labels
        .into_iter()
        .map(|l| (l.clone(), super::rust::unique(label_static(l), &mut taken)))
        .collect();
    let metrics = series
        .into_iter()
        .map(|(name, seen)| {
            let kind = if seen.as_histogram {
                Kind::Histogram
            } else if seen.as_counter || name.ends_with("_total") {
                Kind::Counter
            } else {
                Kind::Gauge
            };
            let metric = MetricStatic {
                ident: super::rust::unique(metric_static(&name), &mut taken),
                kind,
                labels: seen
                    .labels
                    .into_iter()
                    .filter(|l| labels.contains_key(l))
                    .collect(),
            };
            (name, metric)
        })
        .collect();
    Statics { metrics, labels }
}

/// The catalog module of `statics`, when it has metrics.
pub fn module(statics: &Statics) -> Option<Module> {
    if statics.metrics.is_empty() {
        return None;
    }
    let mut out = super::header("the imported queries", Entry::Metrics).replace(
        "from `the imported queries`",
        "from the series the imported queries read",
    );
    out.push_str(
        "//! The metrics the imported rules, SLOs and dashboards read that the spec's catalog\n\
         //! lacks: kinds inferred from how they are read, labels as seen, values unknown.\n\n",
    );
    out.push_str("use sextant::catalog::{Catalog, Domain, Kind, Label, Metric, Origin};\n");
    for (label, ident) in &statics.labels {
        out.push_str(&format!(
            "\npub static {ident}: Label = Label {{\n    name: {},\n    help: \"Seen in imported queries.\",\n    domain: Domain::Open {{ expected: {EXPECTED_VALUES} }},\n}};\n",
            string(label),
        ));
    }
    let mut all = Vec::new();
    for (name, metric) in &statics.metrics {
        let kind_name = match metric.kind {
            Kind::Counter => "Counter",
            Kind::Gauge => "Gauge",
            Kind::Histogram => "Histogram",
        };
        let metric_labels: Vec<String> = metric
            .labels
            .iter()
            .map(|l| format!("&{}", statics.labels[l]))
            .collect();
        out.push_str(&format!(
            "\npub static {}: Metric = Metric {{\n    name: {},\n    kind: Kind::{kind_name},\n    help: \"Read by imported queries.\",\n    unit: \"\",\n{}    buckets: &[],\n    origin: Origin::External,\n}};\n",
            metric.ident,
            string(name),
            list_field("labels", &metric_labels, 4),
        ));
        all.push(format!("&{}", metric.ident));
    }
    out.push_str(
        "\n/// The imported metrics: `Spec::metrics(CATALOG)` adds them to the spec's catalog.\n",
    );
    out.push_str("pub static CATALOG: Catalog = Catalog {\n");
    out.push_str(&list_field("metrics", &all, 4));
    out.push_str("};\n");
    Some(Module {
        name: CATALOG_MODULE.into(),
        source_path: String::new(),
        source: out,
        entry: Entry::Metrics,
        series: BTreeMap::new(),
        render: None,
    })
}

/// `labels: &[&A, &B],` as rustfmt writes it: on one line when it fits, else one per line.
fn list_field(field: &str, items: &[String], indent: usize) -> String {
    let pad = " ".repeat(indent);
    let one = format!("{pad}{field}: &[{}],\n", items.join(", "));
    // rustfmt's `array_width`: 60 columns of elements.
    if items.join(", ").len() <= 60 && one.len() <= 101 {
        return one;
    }
    let mut out = format!("{pad}{field}: &[\n");
    for item in items {
        out.push_str(&format!("{pad}    {item},\n"));
    }
    out.push_str(&format!("{pad}],\n"));
    out
}

fn metric_static(name: &str) -> String {
    super::rust::ident(name)
        .trim_start_matches("r#")
        .to_ascii_uppercase()
}

fn label_static(name: &str) -> String {
    format!("LABEL_{}", metric_static(name).trim_start_matches('_'))
}
