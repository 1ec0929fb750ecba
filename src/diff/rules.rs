//! Rules and alerts: added, removed, renamed (the same expression under another name), and
//! changed field by field: the expression, or only its thresholds (the constants compared
//! with, `> 0.05` → `> 0.1`), `for`, `keep_firing_for`, labels, annotations, and the interval
//! its group is evaluated at.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use regex::Regex;
use serde::{Deserialize, Serialize};

use crate::rules::ir::{Rule, RuleKind};

use super::model::Side;
use super::{Change, FieldChange};

/// A rule that changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleChange {
    /// `alert` or `record`.
    pub kind: String,
    /// Its name (after the change; before it, when removed).
    pub name: String,
    pub group: String,
    pub change: Change,
    /// The name before, when renamed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renamed_from: Option<String>,
    /// What changed (for `changed` and `renamed`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldChange>,
}

/// A rule of one side, with what the comparison needs of its group.
#[derive(Clone, Copy)]
pub(crate) struct Entry<'a> {
    pub group: &'a str,
    pub interval: crate::syntax::duration::Duration,
    pub rule: &'a Rule,
}

fn entries(side: &Side) -> Vec<Entry<'_>> {
    side.rules()
        .map(|(group, rule)| Entry {
            group: &group.name,
            interval: side.interval(group),
            rule,
        })
        .collect()
}

fn kind(kind: RuleKind) -> &'static str {
    match kind {
        RuleKind::Alert => "alert",
        RuleKind::Record => "record",
    }
}

/// Takes from `old` and `new` the first pairs `same` accepts, in order.
fn take_pairs<'a>(
    old: &mut Vec<Entry<'a>>,
    new: &mut Vec<Entry<'a>>,
    same: impl Fn(&Entry, &Entry) -> bool,
    out: &mut Vec<(Option<Entry<'a>>, Option<Entry<'a>>)>,
) {
    let mut index = 0;
    while index < old.len() {
        match new.iter().position(|n| same(&old[index], n)) {
            Some(found) => {
                out.push((Some(old.remove(index)), Some(new.remove(found))));
            }
            None => index += 1,
        }
    }
}

/// The rules of both sides paired: the same rule before and after, or one side alone. A rule is
/// the same when its kind, group and name are (one name may stand for several rules, as an
/// alert at two severities: those pair up by equal content first, then equal labels, then
/// equal expression, then in order); else when kind and expression are (renamed); else when
/// kind and name are (moved to another group).
pub(crate) fn pairs<'a>(
    before: &'a Side,
    after: &'a Side,
) -> Vec<(Option<Entry<'a>>, Option<Entry<'a>>)> {
    let mut old = entries(before);
    let mut new = entries(after);
    let mut out = Vec::new();
    let same_name = |b: &Entry, a: &Entry| {
        b.rule.kind == a.rule.kind && b.group == a.group && b.rule.name == a.rule.name
    };
    take_pairs(
        &mut old,
        &mut new,
        |b, a| same_name(b, a) && fields(b, a).is_empty(),
        &mut out,
    );
    take_pairs(
        &mut old,
        &mut new,
        |b, a| same_name(b, a) && b.rule.labels == a.rule.labels,
        &mut out,
    );
    take_pairs(
        &mut old,
        &mut new,
        |b, a| same_name(b, a) && b.rule.expr.trim() == a.rule.expr.trim(),
        &mut out,
    );
    take_pairs(&mut old, &mut new, same_name, &mut out);
    take_pairs(
        &mut old,
        &mut new,
        |b, a| b.rule.kind == a.rule.kind && b.rule.expr.trim() == a.rule.expr.trim(),
        &mut out,
    );
    take_pairs(
        &mut old,
        &mut new,
        |b, a| b.rule.kind == a.rule.kind && b.rule.name == a.rule.name,
        &mut out,
    );
    out.extend(old.into_iter().map(|b| (Some(b), None)));
    out.extend(new.into_iter().map(|a| (None, Some(a))));
    out
}

pub fn diff(before: &Side, after: &Side) -> Vec<RuleChange> {
    let mut out: Vec<RuleChange> = pairs(before, after)
        .into_iter()
        .filter_map(|pair| {
            let (change, e, renamed_from, fields) = match pair {
                (Some(b), None) => (Change::Removed, b, None, Vec::new()),
                (None, Some(a)) => (Change::Added, a, None, Vec::new()),
                (Some(b), Some(a)) if b.rule.name != a.rule.name => (
                    Change::Renamed,
                    a,
                    Some(b.rule.name.clone()),
                    fields(&b, &a),
                ),
                (Some(b), Some(a)) => {
                    let fields = fields(&b, &a);
                    if fields.is_empty() {
                        return None;
                    }
                    (Change::Changed, a, None, fields)
                }
                (None, None) => return None,
            };
            Some(RuleChange {
                kind: kind(e.rule.kind).into(),
                name: e.rule.name.clone(),
                group: e.group.into(),
                change,
                renamed_from,
                fields,
            })
        })
        .collect();
    out.sort_by(|x, y| {
        (&x.group, &x.name, &x.kind, x.change, &x.fields)
            .cmp(&(&y.group, &y.name, &y.kind, y.change, &y.fields))
    });
    out
}

/// The fields that differ between two versions of a rule.
pub(crate) fn fields(before: &Entry, after: &Entry) -> Vec<FieldChange> {
    let (b, a) = (before.rule, after.rule);
    let mut out = Vec::new();
    if b.expr.trim() != a.expr.trim() {
        match threshold_changes(&b.expr, &a.expr) {
            Some(changes) => out.extend(changes),
            None => out.push(FieldChange::new(
                "expr",
                Some(b.expr.trim().into()),
                Some(a.expr.trim().into()),
            )),
        }
    }
    if before.group != after.group {
        out.push(FieldChange::new(
            "group",
            Some(before.group.into()),
            Some(after.group.into()),
        ));
    }
    if before.interval != after.interval {
        out.push(FieldChange::new(
            "interval",
            Some(before.interval.to_string()),
            Some(after.interval.to_string()),
        ));
    }
    if b.for_ != a.for_ {
        out.push(FieldChange::new(
            "for",
            Some(b.for_.to_string()),
            Some(a.for_.to_string()),
        ));
    }
    if b.keep_firing_for != a.keep_firing_for {
        out.push(FieldChange::new(
            "keep_firing_for",
            Some(b.keep_firing_for.to_string()),
            Some(a.keep_firing_for.to_string()),
        ));
    }
    map_changes("labels", &b.labels, &a.labels, &mut out);
    map_changes("annotations", &b.annotations, &a.annotations, &mut out);
    out
}

fn map_changes(
    what: &str,
    before: &BTreeMap<String, String>,
    after: &BTreeMap<String, String>,
    out: &mut Vec<FieldChange>,
) {
    let keys: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    for key in keys {
        let (b, a) = (before.get(key), after.get(key));
        if b != a {
            out.push(FieldChange::new(
                format!("{what}.{key}"),
                b.cloned(),
                a.cloned(),
            ));
        }
    }
}

/// A comparison with a number: `> 0.05`, `<= bool 3`.
fn comparison() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"(==|!=|>=|<=|>|<)(\s*(?:bool\s+)?)([-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?)\b")
            .expect("the comparison pattern compiles")
    })
}

/// When two expressions differ only in the numbers they compare with, those changes, as
/// `threshold` fields (`> 0.05` → `> 0.1`); `None` when anything else differs.
pub(crate) fn threshold_changes(before: &str, after: &str) -> Option<Vec<FieldChange>> {
    let split = |expr: &str| -> (String, Vec<(String, String)>) {
        let mut masked = String::new();
        let mut found = Vec::new();
        let mut last = 0;
        for c in comparison().captures_iter(expr) {
            let number = c.get(3).expect("group 3 always takes part");
            masked.push_str(&expr[last..number.start()]);
            masked.push('#');
            last = number.end();
            found.push((c[1].to_string(), number.as_str().to_string()));
        }
        masked.push_str(&expr[last..]);
        (masked, found)
    };
    let (masked_b, b) = split(before.trim());
    let (masked_a, a) = split(after.trim());
    if masked_b != masked_a || b.len() != a.len() {
        return None;
    }
    let changes: Vec<FieldChange> = b
        .iter()
        .zip(&a)
        .filter(|(x, y)| x.1.parse::<f64>().ok() != y.1.parse::<f64>().ok() || x.1 != y.1)
        .map(|(x, y)| {
            FieldChange::new(
                "threshold",
                Some(format!("{} {}", x.0, x.1)),
                Some(format!("{} {}", y.0, y.1)),
            )
        })
        .collect();
    (!changes.is_empty()).then_some(changes)
}
