//! A diff as text for a terminal, as Markdown for a pull-request comment, and as JSON.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::{Change, Diff, FieldChange};

/// The JSON form: the [`Diff`] as it serializes, pretty-printed, with a final newline.
pub fn json(diff: &Diff) -> String {
    let mut out = serde_json::to_string_pretty(diff).expect("a diff serializes");
    out.push('\n');
    out
}

fn value(v: &Option<String>) -> String {
    v.clone().unwrap_or_else(|| "(none)".into())
}

fn field(f: &FieldChange) -> String {
    format!("{}: {} → {}", f.field, value(&f.before), value(&f.after))
}

fn labels(labels: &BTreeMap<String, String>) -> String {
    let inner: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={v:?}")).collect();
    format!("{{{}}}", inner.join(", "))
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        "(none)".into()
    } else {
        items.join(", ")
    }
}

fn budget(o: &Option<super::slo::Objective>) -> String {
    match o {
        Some(o) => format!(
            "{}% over {}d (error budget {} min)",
            o.objective_percent, o.window_days, o.error_budget_minutes
        ),
        None => "(none)".into(),
    }
}

/// One line per item, with its fields indented below, in four sections.
pub fn human(diff: &Diff) -> String {
    if diff.is_empty() {
        return "no change in meaning\n".into();
    }
    let mut out = String::new();
    lines(diff, &mut out, "", |s| s.to_string());
    out
}

/// A Markdown comment: a heading per section, a bullet per item, code spans for values.
pub fn markdown(diff: &Diff) -> String {
    let mut out = String::from("## Sextant: what this change does\n\n");
    if diff.is_empty() {
        out.push_str("No change in meaning.\n");
        return out;
    }
    lines(diff, &mut out, "### ", |s| {
        format!("`{}`", s.replace('`', "'").replace('\n', " "))
    });
    out
}

/// The shared layout: `heading` prefixes section titles; `code` marks a value.
fn lines(diff: &Diff, out: &mut String, heading: &str, code: impl Fn(&str) -> String) {
    let markdown = !heading.is_empty();
    let item = if markdown { "- " } else { "  " };
    let sub = if markdown { "  - " } else { "      " };
    let code_field = |f: &FieldChange| {
        let multiline = |v: &Option<String>| v.as_deref().is_some_and(|v| v.contains('\n'));
        if multiline(&f.before) || multiline(&f.after) {
            // Each side's lines, marked as a unified diff marks them (in Markdown, a block).
            let (open, indent, close) = if markdown {
                ("\n\n    ```diff", "    ", "\n    ```")
            } else {
                ("", "          ", "")
            };
            let mut block = format!("{}:{open}", f.field);
            for (mark, side) in [('-', &f.before), ('+', &f.after)] {
                for line in side.as_deref().unwrap_or_default().lines() {
                    block.push_str(&format!("\n{indent}{mark} {line}"));
                }
            }
            block.push_str(close);
            block
        } else if markdown {
            format!(
                "{}: {} → {}",
                f.field,
                f.before.as_deref().map_or("(none)".into(), &code),
                f.after.as_deref().map_or("(none)".into(), &code)
            )
        } else {
            field(f)
        }
    };
    let section = |title: &str, out: &mut String| {
        let _ = writeln!(out, "{heading}{title}");
        if markdown {
            out.push('\n');
        }
    };
    if !diff.rules.is_empty() {
        section("Rules", out);
        for r in &diff.rules {
            let renamed = r
                .renamed_from
                .as_ref()
                .map(|from| format!(" (from {})", code(from)))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "{item}{} {} {}{renamed} in group {}",
                r.kind,
                code(&r.name),
                r.change.as_str(),
                code(&r.group)
            );
            for f in &r.fields {
                let _ = writeln!(out, "{sub}{}", code_field(f));
            }
        }
        out.push('\n');
    }
    if !diff.slos.is_empty() {
        section("SLOs", out);
        for s in &diff.slos {
            let _ = writeln!(out, "{item}SLO {} {}", code(&s.slo), s.change.as_str());
            if s.change == Change::Changed {
                let _ = writeln!(out, "{sub}before: {}", budget(&s.before));
                let _ = writeln!(out, "{sub}after: {}", budget(&s.after));
            } else {
                let _ = writeln!(out, "{sub}{}", budget(&s.before.or(s.after)));
            }
        }
        out.push('\n');
    }
    if !diff.routing.is_empty() {
        section("Routing", out);
        for r in &diff.routing {
            let each: Vec<String> = r
                .each_of
                .iter()
                .map(|(name, values)| format!(", each of {name}: {}", code(&values.join(", "))))
                .collect();
            let _ = writeln!(
                out,
                "{item}alerts with {}{}",
                code(&labels(&r.labels)),
                each.concat()
            );
            if let Some(c) = &r.receivers {
                let _ = writeln!(
                    out,
                    "{sub}receivers: {} → {}",
                    code(&list(&c.before)),
                    code(&list(&c.after))
                );
            }
            if let Some(c) = &r.grouping {
                let _ = writeln!(
                    out,
                    "{sub}grouping: {} → {}",
                    code(&list(&c.before)),
                    code(&list(&c.after))
                );
            }
            if let Some(c) = &r.inhibited_by {
                let _ = writeln!(
                    out,
                    "{sub}inhibited by: {} → {}",
                    code(&list(&c.before)),
                    code(&list(&c.after))
                );
            }
        }
        out.push('\n');
    }
    if !diff.dashboards.is_empty() {
        section("Dashboards", out);
        for d in &diff.dashboards {
            let _ = writeln!(
                out,
                "{item}dashboard {} ({}) {}",
                code(&d.title),
                d.uid,
                d.change.as_str()
            );
            for f in &d.fields {
                let _ = writeln!(out, "{sub}{}", code_field(f));
            }
            for p in &d.panels {
                let _ = writeln!(out, "{sub}panel {} {}", code(&p.title), p.change.as_str());
                for f in &p.fields {
                    let deeper = if markdown { "    - " } else { "          " };
                    let _ = writeln!(out, "{deeper}{}", code_field(f));
                }
            }
        }
        out.push('\n');
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
}
