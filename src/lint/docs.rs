//! `docs/lints.md`, generated from the registry. `tests/lint_docs.rs` fails when the committed
//! copy is stale; regenerate it with `UPDATE_DOCS=1 cargo test --test lint_docs`.

use super::REGISTRY;

/// Where the generated page lives, relative to the repository root.
pub const PATH: &str = "docs/lints.md";

const HEADER: &str = "\
# Lints

<!-- Generated from src/lint/*; do not edit. Regenerate: UPDATE_DOCS=1 cargo test --test lint_docs -->

`cargo run -- lint` lints the spec (its rules and its metric catalog); `cargo run -- lint PATH...`
lints Prometheus rule files (YAML with `groups:`), all together, so a series recorded in one file
is known in the others. Files are checked for what `promtool check rules` rejects (YAML, fields,
PromQL, names, templates) and then linted against the spec's catalog. `cargo run -- explain CODE`
prints one lint's documentation.

Grafana dashboard JSON files (`*.json`, folders included) are linted in the same call: their
structure (Grafana's official dashboard schema when `shared/reference` sits beside the
repository, as warnings; panels' `gridPos` and the `uid` against `schemas/dashboard.schema.json`,
as errors), every Prometheus query's PromQL after Grafana's variables are substituted, the series
and labels it reads (the catalog's, and the series recorded by the spec's rules and by the rule
files linted with it), undefined variables, overlapping panels, duplicate panel ids, unknown
datasources, fixed rate ranges and `schemaVersion` older than 36, each at the file's line and
column (`grafana/*` codes, `promql/syntax`).

AlertManager configurations (`alertmanager.yml`, told by a top-level `route:`, `receivers:` or
`inhibit_rules:`) are linted too, so a team can lint before it migrates: they are checked for what
`amtool check-config` (AlertManager 0.25) rejects (unknown or repeated fields, types, durations,
URLs, matchers in every syntax it accepts, time intervals, missing receivers, keys and addresses,
and the template files the `templates:` globs match), then lowered as a spec's AlertManager is, so
they get the same `alertmanager/*` diagnostics (undefined or duplicate receivers, the root route,
`group_by`, zero intervals, undefined time intervals, label names, unreachable routes, unused
receivers), at the file's line and column. Warnings flag what AlertManager accepts but a spec
cannot say: a secret written inline (`alertmanager/inline-secret`: use the `_file` form) and the
deprecated `match`, `match_re`, `source_match*`, `target_match*` and top-level
`mute_time_intervals` (`alertmanager/deprecated`). When rule files are linted in the same call,
the configuration is also checked against their alerts (`alertmanager/unrouted-alert`,
`alertmanager/inhibit-label`, with the spec's Prometheus external labels).

## Settings

- In the spec: `Spec::lints(LintConfig::default().allow(\"alerts/for\"))` turns a lint off,
  `.set(\"alerts/for\", Severity::Error)` changes its severity; `.scrape_interval(..)`,
  `.min_for(..)`, `.budget(&metric, n)`, `.record_budget(name, n)` and `.total_budget(n)` set
  what some lints measure against.
- In a linted YAML file: a comment `# sextant: disable=CODE[,CODE...]` (or `disable=all`) on the
  line of a rule or group, or on the lines just above it, turns those lints off for that rule, or
  for every rule of that group.

## Output and exit codes

`--format human` (default, with source excerpts), `json` (an array of objects with `code`,
`severity`, `message`, `file`, `line`, `column`, `end_line`, `end_column`, `notes`), `github`
(workflow commands, `::error file=..,line=..,col=..,title=CODE::message`) or `sarif` (SARIF 2.1.0,
with every lint as a rule). `--fail-on info|warning|error` (default `error`) sets the severity
that fails the run. `--live URL` also compares budgets with a running Prometheus or a `/metrics`
endpoint (`cardinality/live-series`).

| exit code | meaning |
|---|---|
| 0 | no diagnostic at or above `--fail-on` |
| 1 | at least one diagnostic at or above `--fail-on` |
| 2 | bad usage, an unreadable file, an unsupported file kind (a Prometheus server configuration is not linted yet), or `--live` could not be read |

Severities, in order: `info` < `warning` < `error`. Codes not listed below (`promql/syntax`,
`rules/name`, `rules/template`, `rules/field`, `rules/yaml`, `alertmanager/*`, ...) are checks of
what Prometheus or AlertManager itself rejects, and the AlertManager checks; they cannot be turned
off.

";

/// The whole page.
pub fn markdown() -> String {
    let mut out = String::from(HEADER);
    out.push_str("## Index\n\n| code | default | what it finds |\n|---|---|---|\n");
    for lint in REGISTRY {
        out.push_str(&format!(
            "| [`{}`](#{}) | {} | {} |\n",
            lint.code,
            anchor(lint.code),
            lint.default,
            lint.summary()
        ));
    }
    for lint in REGISTRY {
        out.push_str(&format!(
            "\n## {}\n\nDefault severity: {}.\n\n",
            lint.code, lint.default
        ));
        for line in lint.explain().trim_end().lines() {
            match line.strip_prefix("## ") {
                Some(heading) => out.push_str(&format!("### {heading}\n")),
                None => {
                    out.push_str(line);
                    out.push('\n');
                }
            }
        }
    }
    out
}

/// GitHub's anchor for a heading: lower case, `/` dropped.
fn anchor(code: &str) -> String {
    code.chars().filter(|c| *c != '/').collect()
}
