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

use std::collections::{BTreeMap, BTreeSet};

use promql_parser::parser::value::ValueType;
use promql_parser::parser::{Expr, LabelModifier, VectorMatchCardinality};
use sextant_catalog::Catalog;

use crate::rules::ir::Rule;

/// A set of label names.
pub type LabelSet = BTreeSet<String>;

/// Labels every scraped series carries.
const TARGET: &[&str] = &["job", "instance"];

/// The labels of the series named `name`: a catalog family's, or a recorded series'.
pub fn of_series(
    catalog: &Catalog,
    recorded: &BTreeMap<&str, Option<LabelSet>>,
    name: &str,
) -> Option<LabelSet> {
    if let Some(found) = catalog.lookup(name) {
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
        return Some(set);
    }
    recorded.get(name).cloned().flatten()
}

/// The labels each recorded series carries: its expression's output labels plus the rule's own
/// labels. Several rules may record one name (every SLO records `slo:sli_error:ratio_rate5m`,
/// told apart by their labels): the series carries the union of theirs. Recorded series read by
/// other recording rules resolve over a few passes.
pub fn recorded<'a>(catalog: &Catalog, rules: &[&'a Rule]) -> BTreeMap<&'a str, Option<LabelSet>> {
    let mut known: BTreeMap<&str, Option<LabelSet>> = rules
        .iter()
        .map(|rule| (rule.name.as_str(), None))
        .collect();
    for _ in 0..8 {
        let mut next: BTreeMap<&str, Option<LabelSet>> = BTreeMap::new();
        for rule in rules {
            let labels = output(catalog, &known, &rule.parsed, &mut |_, _| {}).map(|mut set| {
                set.extend(rule.labels.keys().cloned());
                set
            });
            let entry = next
                .entry(rule.name.as_str())
                .or_insert(Some(LabelSet::new()));
            *entry = match (entry.take(), labels) {
                (Some(mut all), Some(these)) => {
                    all.extend(these);
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
    recorded: &BTreeMap<&str, Option<LabelSet>>,
    expr: &Expr,
    on_grouping: &mut dyn FnMut(usize, &Option<LabelSet>),
) -> Option<LabelSet> {
    let mut walker = Walker {
        catalog,
        recorded,
        on_grouping,
        next_grouping: 0,
    };
    walker.expr(expr)
}

struct Walker<'a, 'b> {
    catalog: &'a Catalog,
    recorded: &'a BTreeMap<&'b str, Option<LabelSet>>,
    on_grouping: &'a mut dyn FnMut(usize, &Option<LabelSet>),
    next_grouping: usize,
}

fn names(labels: &[String]) -> LabelSet {
    labels.iter().cloned().collect()
}

impl Walker<'_, '_> {
    fn expr(&mut self, expr: &Expr) -> Option<LabelSet> {
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
                    Some(LabelModifier::Exclude(without)) => inner.map(|set| {
                        let drop = names(&without.labels);
                        set.difference(&drop).cloned().collect()
                    }),
                    None => Some(LabelSet::new()),
                };
                if op == "count_values" {
                    let label = match a.param.as_deref() {
                        Some(Expr::StringLiteral(s)) => Some(s.val.clone()),
                        _ => None,
                    };
                    match (&mut out, label) {
                        (Some(set), Some(label)) => {
                            set.insert(label);
                        }
                        _ => out = None,
                    }
                }
                out
            }
            Expr::Unary(u) => self.expr(&u.expr),
            Expr::Paren(p) => self.expr(&p.expr),
            Expr::Subquery(s) => self.expr(&s.expr),
            Expr::NumberLiteral(_) | Expr::StringLiteral(_) => Some(LabelSet::new()),
            Expr::Extension(_) => None,
            Expr::VectorSelector(vs) => self.selector(vs),
            Expr::MatrixSelector(ms) => self.selector(&ms.vs),
            Expr::Binary(b) => {
                let lhs = self.expr(&b.lhs);
                let rhs = self.expr(&b.rhs);
                let lhs_scalar = b.lhs.value_type() == ValueType::Scalar;
                let rhs_scalar = b.rhs.value_type() == ValueType::Scalar;
                if lhs_scalar && rhs_scalar {
                    return Some(LabelSet::new());
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
                            (Some(l), Some(r)) => Some(l.union(&r).cloned().collect()),
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
                        set.extend(include.labels.iter().cloned());
                        set
                    }),
                    VectorMatchCardinality::OneToMany(include) => rhs.map(|mut set| {
                        set.extend(include.labels.iter().cloned());
                        set
                    }),
                    _ if filtering => lhs,
                    _ => match &modifier.matching {
                        Some(LabelModifier::Include(on)) => Some(names(&on.labels)),
                        Some(LabelModifier::Exclude(ignoring)) => lhs
                            .map(|set| set.difference(&names(&ignoring.labels)).cloned().collect()),
                        None => lhs,
                    },
                }
            }
            Expr::Call(call) => {
                let args: Vec<Option<LabelSet>> =
                    call.args.args.iter().map(|a| self.expr(a)).collect();
                let string_arg = |i: usize| match call.args.args.get(i).map(|a| a.as_ref()) {
                    Some(Expr::StringLiteral(s)) => Some(s.val.clone()),
                    _ => None,
                };
                match call.func.name {
                    "histogram_quantile" => args.get(1).cloned().flatten().map(|mut set| {
                        set.remove("le");
                        set
                    }),
                    "label_replace" | "label_join" => {
                        let mut set = args.first().cloned().flatten()?;
                        set.insert(string_arg(1)?);
                        Some(set)
                    }
                    "absent" | "absent_over_time" => {
                        // The labels of the equality matchers of a selector argument.
                        let vs = match call.args.args.first().map(|a| a.as_ref()) {
                            Some(Expr::VectorSelector(vs)) => vs,
                            Some(Expr::MatrixSelector(ms)) => &ms.vs,
                            _ => return Some(LabelSet::new()),
                        };
                        Some(
                            vs.matchers
                                .matchers
                                .iter()
                                .filter(|m| {
                                    m.name != "__name__"
                                        && matches!(m.op, promql_parser::label::MatchOp::Equal)
                                })
                                .map(|m| m.name.clone())
                                .collect(),
                        )
                    }
                    _ if call.func.return_type == ValueType::Scalar => Some(LabelSet::new()),
                    _ => {
                        // Most functions keep the labels of their vector argument.
                        let vector = call.args.args.iter().position(|a| {
                            matches!(a.value_type(), ValueType::Vector | ValueType::Matrix)
                        });
                        match vector {
                            Some(i) => args[i].clone(),
                            None => Some(LabelSet::new()),
                        }
                    }
                }
            }
        }
    }

    fn selector(&mut self, vs: &promql_parser::parser::VectorSelector) -> Option<LabelSet> {
        let name = vs.name.clone().or_else(|| {
            vs.matchers
                .matchers
                .iter()
                .find(|m| {
                    m.name == "__name__" && matches!(m.op, promql_parser::label::MatchOp::Equal)
                })
                .map(|m| m.value.clone())
        })?;
        of_series(self.catalog, self.recorded, &name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sextant_catalog::eje;

    #[track_caller]
    fn check(expr: &str, expect: &str) {
        let parsed = crate::syntax::promql::parse(expr).unwrap();
        let got = match output(&eje::CATALOG, &BTreeMap::new(), &parsed, &mut |_, _| {}) {
            Some(set) => set.into_iter().collect::<Vec<_>>().join(","),
            None => "unknown".into(),
        };
        assert_eq!(got, expect, "{expr}");
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
