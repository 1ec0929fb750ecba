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

/// The catalog module, when any module reads a series neither `catalog` nor a recording rule of
/// the import describes.
pub fn module(
    modules: &[Module],
    recorded: &BTreeSet<String>,
    catalog: &Catalog,
) -> Option<Module> {
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
    if series.is_empty() {
        return None;
    }
    let labels: BTreeSet<&String> = series
        .values()
        .flat_map(|s| s.labels.iter())
        .filter(|l| l.as_str() != "le" && l.as_str() != "__name__")
        .collect();
    let mut out = super::header("the imported queries", Entry::Metrics).replace(
        "from `the imported queries`",
        "from the series the imported queries read",
    );
    out.push_str(
        "//! The metrics the imported rules, SLOs and dashboards read that the spec's catalog\n\
         //! lacks: kinds inferred from how they are read, labels as seen, values unknown.\n\n",
    );
    out.push_str("use sextant::catalog::{Catalog, Domain, Kind, Label, Metric, Origin};\n");
    let mut taken = BTreeSet::new();
    let statics: BTreeMap<&String, String> = labels
        .iter()
        .map(|l| (*l, super::rust::unique(label_static(l), &mut taken)))
        .collect();
    for label in &labels {
        out.push_str(&format!(
            "\nstatic {}: Label = Label {{\n    name: {},\n    help: \"Seen in imported queries.\",\n    domain: Domain::Open {{ expected: {EXPECTED_VALUES} }},\n}};\n",
            statics[label],
            string(label),
        ));
    }
    let label_statics = statics;
    let mut statics = Vec::new();
    for (name, seen) in &series {
        let kind = if seen.as_histogram {
            Kind::Histogram
        } else if seen.as_counter || name.ends_with("_total") {
            Kind::Counter
        } else {
            Kind::Gauge
        };
        let kind_name = match kind {
            Kind::Counter => "Counter",
            Kind::Gauge => "Gauge",
            Kind::Histogram => "Histogram",
        };
        let metric_labels: Vec<String> = seen
            .labels
            .iter()
            .filter(|l| labels.contains(l))
            .map(|l| format!("&{}", label_statics[l]))
            .collect();
        let name_static = super::rust::unique(metric_static(name), &mut taken);
        out.push_str(&format!(
            "\nstatic {name_static}: Metric = Metric {{\n    name: {},\n    kind: Kind::{kind_name},\n    help: \"Read by imported queries.\",\n    unit: \"\",\n{}    buckets: &[],\n    origin: Origin::External,\n}};\n",
            string(name),
            list_field("labels", &metric_labels, 4),
        ));
        statics.push(format!("&{name_static}"));
    }
    out.push_str(
        "\n/// The imported metrics: `Spec::metrics(CATALOG)` adds them to the spec's catalog.\n",
    );
    out.push_str("pub static CATALOG: Catalog = Catalog {\n");
    out.push_str(&list_field("metrics", &statics, 4));
    out.push_str("};\n");
    Some(Module {
        name: CATALOG_MODULE.into(),
        source_path: String::new(),
        source: out,
        entry: Entry::Metrics,
        series: BTreeMap::new(),
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
