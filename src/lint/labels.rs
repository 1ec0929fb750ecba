//! Which labels an expression's result carries, inferred from the catalog and from the recording
//! rules that produce the series it reads. Several lints need it: an aggregation `by` a label the
//! metric lacks, a template reading a label the expression aggregated away, the series a
//! recording rule produces.
//!
//! The inference follows Prometheus's evaluation: a selector carries its metric's labels plus
//! `job` and `instance`; `sum by (a)` keeps `a`; `without (a)` drops it; one-to-one arithmetic
//! keeps the left side's labels (only the `on` labels with `on`); `group_left (b)` adds `b`;
//! `histogram_quantile` drops `le`; `label_replace` adds its target. Where it cannot know (an
//! unknown metric, a function it does not model), it says `None` and the lints stay silent.
//!
//! What a series carries besides its own labels depends on the scrape targets: service discovery
//! and relabelling add labels (`namespace`, `pod`, ...) the catalog cannot list. When the spec
//! declares the scrape configuration, the targets add exactly `job` and `instance`
//! ([`Targets::Known`]) and the result is closed: a label outside it is certainly absent. When it
//! does not (a linted file runs on a Prometheus we cannot see), the labels of the catalog's own
//! metrics are an open set ([`Labels::open`]): a label outside it is absent only if the targets
//! add nothing, which findings say they rest on; and of a metric the catalog does not own
//! (`up`, `process_*`), nothing is known.

use std::collections::{BTreeMap, BTreeSet};

use promql_parser::parser::value::ValueType;
use promql_parser::parser::{Expr, LabelModifier, VectorMatchCardinality};
use sextant_catalog::Catalog;

use crate::rules::ir::Rule;

/// A set of label names.
pub type LabelSet = BTreeSet<String>;

/// Labels every scraped series carries.
const TARGET: &[&str] = &["job", "instance"];

/// The labels of an expression's result.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Labels {
    /// The label names the result's series carry.
    pub names: LabelSet,
    /// Whether they may carry more: labels the scrape targets add that the spec does not declare.
    pub open: bool,
}

impl Labels {
    pub fn closed(names: LabelSet) -> Labels {
        Labels { names, open: false }
    }

    pub fn contains(&self, label: &str) -> bool {
        self.names.contains(label)
    }
}

/// What the scrape targets add to every series.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Targets {
    /// The spec declares the scrape configuration: `job` and `instance`, and nothing else.
    Known,
    /// Unknown: service discovery and relabelling may add any label.
    Open,
}

/// What the rule in a finding's note rests on, when its labels are an open set.
pub const OPEN_TARGETS: &str = "the scrape targets add no label besides `job` and `instance` (the spec declares no scrape configuration for these files, and service discovery or relabelling may add more)";

/// The labels of the series named `name`: a catalog family's, or a recorded series'.
pub fn of_series(
    catalog: &Catalog,
    recorded: &BTreeMap<&str, Option<Labels>>,
    targets: &Targets,
    name: &str,
) -> Option<Labels> {
    if let Some(found) = catalog.lookup(name) {
        let open = *targets == Targets::Open;
        if open && !catalog.owns(name) {
            return None;
        }
        let mut set: LabelSet = found
            .metric
            .labels
            .iter()
            .map(|l| l.name.to_string())
            .collect();
        set.extend(TARGET.iter().map(|l| l.to_string()));
        if found.suffix == Some("_bucket") {
            set.insert("le".into());
        }
        return Some(Labels { names: set, open });
    }
    recorded.get(name).cloned().flatten()
}

/// The labels each recorded series carries: its expression's output labels plus the rule's own
/// labels. Several rules may record one name (every SLO records `slo:sli_error:ratio_rate5m`,
/// told apart by their labels): the series carries the union of theirs. Recorded series read by
/// other recording rules resolve over a few passes.
pub fn recorded<'a>(
    catalog: &Catalog,
    targets: &Targets,
    rules: &[&'a Rule],
) -> BTreeMap<&'a str, Option<Labels>> {
    let mut known: BTreeMap<&str, Option<Labels>> = rules
        .iter()
        .map(|rule| (rule.name.as_str(), None))
        .collect();
    for _ in 0..8 {
        let mut next: BTreeMap<&str, Option<Labels>> = BTreeMap::new();
        for rule in rules {
            let labels =
                output(catalog, &known, targets, &rule.parsed, &mut |_, _| {}).map(|mut set| {
                    set.names.extend(rule.labels.keys().cloned());
                    set
                });
            let entry = next
                .entry(rule.name.as_str())
                .or_insert(Some(Labels::default()));
            *entry = match (entry.take(), labels) {
                (Some(mut all), Some(these)) => {
                    all.names.extend(these.names);
                    all.open |= these.open;
                    Some(all)
                }
                _ => None,
            };
        }
        if next == known {
            break;
        }
        known = next;
    }
    known
}

/// The labels `expr` yields. `on_grouping(index, inner)` is called for each aggregation with a
/// `by` or `without` clause, numbered in the order of [`crate::syntax::promql::Analysis::groupings`],
/// with the labels of the aggregated expression.
pub fn output(
    catalog: &Catalog,
    recorded: &BTreeMap<&str, Option<Labels>>,
    targets: &Targets,
    expr: &Expr,
    on_grouping: &mut dyn FnMut(usize, &Option<Labels>),
) -> Option<Labels> {
    let mut walker = Walker {
        catalog,
        recorded,
        targets,
        on_grouping,
        next_grouping: 0,
    };
    walker.expr(expr)
}

struct Walker<'a, 'b> {
    catalog: &'a Catalog,
    recorded: &'a BTreeMap<&'b str, Option<Labels>>,
    targets: &'a Targets,
    on_grouping: &'a mut dyn FnMut(usize, &Option<Labels>),
    next_grouping: usize,
}

fn names(labels: &[String]) -> Labels {
    Labels::closed(labels.iter().cloned().collect())
}

fn none() -> Option<Labels> {
    Some(Labels::default())
}

impl Walker<'_, '_> {
    fn expr(&mut self, expr: &Expr) -> Option<Labels> {
        match expr {
            Expr::Aggregate(a) => {
                let index = a.modifier.as_ref().map(|_| {
                    self.next_grouping += 1;
                    self.next_grouping - 1
                });
                // The parameter is walked for the numbering of groupings inside it.
                if let Some(param) = &a.param {
                    self.expr(param);
                }
                let inner = self.expr(&a.expr);
                if let Some(index) = index {
                    (self.on_grouping)(index, &inner);
                }
                let op = a.op.to_string().to_ascii_lowercase();
                if matches!(op.as_str(), "topk" | "bottomk" | "limitk" | "limit_ratio") {
                    return inner;
                }
                let mut out = match &a.modifier {
                    Some(LabelModifier::Include(by)) => Some(names(&by.labels)),
                    Some(LabelModifier::Exclude(without)) => inner.map(|mut set| {
                        for label in &without.labels {
                            set.names.remove(label);
                        }
                        set
                    }),
                    None => none(),
                };
                if op == "count_values" {
                    let label = match a.param.as_deref() {
                        Some(Expr::StringLiteral(s)) => Some(s.val.clone()),
                        _ => None,
                    };
                    match (&mut out, label) {
                        (Some(set), Some(label)) => {
                            set.names.insert(label);
                        }
                        _ => out = None,
                    }
                }
                out
            }
            Expr::Unary(u) => self.expr(&u.expr),
            Expr::Paren(p) => self.expr(&p.expr),
            Expr::Subquery(s) => self.expr(&s.expr),
            Expr::NumberLiteral(_) | Expr::StringLiteral(_) => none(),
            Expr::Extension(_) => None,
            Expr::VectorSelector(vs) => self.selector(vs),
            Expr::MatrixSelector(ms) => self.selector(&ms.vs),
            Expr::Binary(b) => {
                let lhs = self.expr(&b.lhs);
                let rhs = self.expr(&b.rhs);
                let lhs_scalar = b.lhs.value_type() == ValueType::Scalar;
                let rhs_scalar = b.rhs.value_type() == ValueType::Scalar;
                if lhs_scalar && rhs_scalar {
                    return none();
                }
                if lhs_scalar {
                    return rhs;
                }
                if rhs_scalar {
                    return lhs;
                }
                let op = b.op.to_string().to_ascii_lowercase();
                match op.as_str() {
                    "and" | "unless" => return lhs,
                    "or" => {
                        return match (lhs, rhs) {
                            (Some(l), Some(r)) => Some(Labels {
                                names: l.names.union(&r.names).cloned().collect(),
                                open: l.open || r.open,
                            }),
                            _ => None,
                        }
                    }
                    _ => {}
                }
                let filtering = b.op.is_comparison_operator() && !b.return_bool();
                let Some(modifier) = &b.modifier else {
                    return lhs;
                };
                match &modifier.card {
                    VectorMatchCardinality::ManyToOne(include) => lhs.map(|mut set| {
                        set.names.extend(include.labels.iter().cloned());
                        set
                    }),
                    VectorMatchCardinality::OneToMany(include) => rhs.map(|mut set| {
                        set.names.extend(include.labels.iter().cloned());
                        set
                    }),
                    _ if filtering => lhs,
                    _ => match &modifier.matching {
                        Some(LabelModifier::Include(on)) => Some(names(&on.labels)),
                        Some(LabelModifier::Exclude(ignoring)) => lhs.map(|mut set| {
                            for label in &ignoring.labels {
                                set.names.remove(label);
                            }
                            set
                        }),
                        None => lhs,
                    },
                }
            }
            Expr::Call(call) => {
                let args: Vec<Option<Labels>> =
                    call.args.args.iter().map(|a| self.expr(a)).collect();
                let string_arg = |i: usize| match call.args.args.get(i).map(|a| a.as_ref()) {
                    Some(Expr::StringLiteral(s)) => Some(s.val.clone()),
                    _ => None,
                };
                match call.func.name {
                    "histogram_quantile" => args.get(1).cloned().flatten().map(|mut set| {
                        set.names.remove("le");
                        set
                    }),
                    "label_replace" | "label_join" => {
                        let mut set = args.first().cloned().flatten()?;
                        set.names.insert(string_arg(1)?);
                        Some(set)
                    }
                    "absent" | "absent_over_time" => {
                        // The labels of the equality matchers of a selector argument.
                        let vs = match call.args.args.first().map(|a| a.as_ref()) {
                            Some(Expr::VectorSelector(vs)) => vs,
                            Some(Expr::MatrixSelector(ms)) => &ms.vs,
                            _ => return none(),
                        };
                        Some(Labels::closed(
                            vs.matchers
                                .matchers
                                .iter()
                                .filter(|m| {
                                    m.name != "__name__"
                                        && matches!(m.op, promql_parser::label::MatchOp::Equal)
                                })
                                .map(|m| m.name.clone())
                                .collect(),
                        ))
                    }
                    _ if call.func.return_type == ValueType::Scalar => none(),
                    _ => {
                        // Most functions keep the labels of their vector argument.
                        let vector = call.args.args.iter().position(|a| {
                            matches!(a.value_type(), ValueType::Vector | ValueType::Matrix)
                        });
                        match vector {
                            Some(i) => args[i].clone(),
                            None => none(),
                        }
                    }
                }
            }
        }
    }

    fn selector(&mut self, vs: &promql_parser::parser::VectorSelector) -> Option<Labels> {
        let name = vs.name.clone().or_else(|| {
            vs.matchers
                .matchers
                .iter()
                .find(|m| {
                    m.name == "__name__" && matches!(m.op, promql_parser::label::MatchOp::Equal)
                })
                .map(|m| m.value.clone())
        })?;
        of_series(self.catalog, self.recorded, self.targets, &name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sextant_catalog::eje;

    #[track_caller]
    fn infer(expr: &str, targets: Targets) -> String {
        let parsed = crate::syntax::promql::parse(expr).unwrap();
        match output(
            &eje::CATALOG,
            &BTreeMap::new(),
            &targets,
            &parsed,
            &mut |_, _| {},
        ) {
            Some(set) => {
                let names = set.names.into_iter().collect::<Vec<_>>().join(",");
                if set.open {
                    format!("{names},...")
                } else {
                    names
                }
            }
            None => "unknown".into(),
        }
    }

    #[track_caller]
    fn check(expr: &str, expect: &str) {
        assert_eq!(infer(expr, Targets::Known), expect, "{expr}");
    }

    #[test]
    fn with_targets_unknown_the_catalogs_own_metrics_are_open_and_others_unknown() {
        let open = |expr: &str| infer(expr, Targets::Open);
        assert_eq!(
            open("eje_decisions_total"),
            "instance,job,status,verdict,..."
        );
        assert_eq!(open("sum by (job) (rate(eje_decisions_total[5m]))"), "job");
        assert_eq!(
            open("sum without (instance) (rate(eje_decisions_total[5m]))"),
            "job,status,verdict,..."
        );
        assert_eq!(open("up"), "unknown");
        assert_eq!(open("count by (namespace) (up)"), "namespace");
        assert_eq!(open("absent(up{job=\"eje\"})"), "job");
    }

    #[test]
    fn labels_follow_evaluation() {
        check("eje_decisions_total", "instance,job,status,verdict");
        check("sum by (job) (rate(eje_decisions_total[5m]))", "job");
        check(
            "sum without (instance) (rate(eje_decisions_total[5m]))",
            "job,status,verdict",
        );
        check(
            "histogram_quantile(0.9, sum by (job, le) (rate(eje_decision_duration_seconds_bucket[5m])))",
            "job",
        );
        check("sum(rate(eje_decisions_total[5m])) / 2", "");
        check(
            "eje_decisions_in_flight / on (job) group_left (critic) eje_critic_executions_total",
            "critic,instance,job",
        );
        check("rate(eje_decisions_total[5m]) / on (job) up", "job");
        check("absent(up{job=\"eje\"})", "job");
        check("nosuch_metric", "unknown");
        check(
            "label_replace(up, \"host\", \"$1\", \"instance\", \"(.*):.*\")",
            "host,instance,job",
        );
        check("up > 0", "instance,job");
    }
}
