//! `docs/diagnostics.md`, generated from the registry: every code with its docs.
//! `tests/docs.rs` fails when the committed copy is stale; regenerate it with
//! `UPDATE_DOCS=1 cargo test --test docs`.

use super::registry::{self, Kind};

/// Where the generated page lives, relative to the repository root.
pub const PATH: &str = "docs/diagnostics.md";

const HEADER: &str = "\
# Diagnostics

<!-- Generated from src/diagnostics/registry.rs (the lints in src/lint/*, the checks in src/*/codes.rs); do not edit. Regenerate: UPDATE_DOCS=1 cargo test --test docs -->

Every diagnostic Sextant reports has a code, `group/name`, listed here with its documentation: the
checks that lower a spec or read a file (what Prometheus, AlertManager or Grafana reject, what
cannot work, and what Sextant cannot emit) and the lints (advice against the catalog).
`cargo run -- explain` lists them; `cargo run -- explain CODE` prints one.

## Severities: what each one promises

- `error`: the engine rejects it (promtool, amtool, Grafana), or it certainly misbehaves at run
  time (a template reading a label the expression can never return, a `by` label an inner
  aggregation removed, `histogram_quantile` without `le`). A check's error cannot be turned off.
- `warning`: it probably misbehaves, but that rests on an assumption, which the diagnostic names
  in a note (`this rests on an assumption: ...`): that the scrape targets add no label besides
  `job` and `instance`, that a running Prometheus's recent data are representative.
- `info`: style and conventions (`rules/record-name`).

Knowledge has a source. The catalog is the authority on its instrumented metrics and their
namespaces (the first word of their names, such as `eje_`): the service exposes exactly those. Of
any other metric the catalog knows nothing, and nothing is reported unless `lint --prometheus URL`
asks a running Prometheus. The spec's Prometheus configuration says what the scrape targets add;
for linted files, which run on a Prometheus Sextant cannot see, labels are an open set.
`tests/corpus.rs` holds every error on public files promtool accepts to this contract.

## Linting files

`cargo run -- lint` lints the spec (its rules and its metric catalog); `cargo run -- lint PATH...`
lints Prometheus rule files (YAML with `groups:`), all together, so a series recorded in one file
is known in the others. Files are checked for what `promtool check rules` rejects (YAML, fields,
PromQL, names, templates) and then linted against the spec's catalog. `cargo run -- explain CODE`
prints one code's documentation.

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

## Severities and settings

Severities, in order: `info` < `warning` < `error`. An `error` is what the engine (Prometheus,
AlertManager, Grafana) rejects, or what certainly misbehaves at run time; whatever rests on an
assumption is a `warning` or `info`, and its documentation says what it rests on. Only errors
stop a build.

Every code is configured the same way, whether a spec is compiled or files are linted:

- In the spec: `Spec::lints(LintConfig::default().allow(\"alerts/for\"))` turns a code off,
  `.set(\"alerts/for\", Severity::Error)` changes its severity; `.scrape_interval(..)`,
  `.min_for(..)`, `.budget(&metric, n)`, `.record_budget(name, n)` and `.total_budget(n)` set
  what some lints measure against. A setting for a code that does not exist is reported
  (`config/unknown-code`).
- In a linted YAML file (rule files, AlertManager configurations): a comment
  `# sextant: disable=CODE[,CODE...]` (or `disable=all`) on the line of an item (a rule, a group,
  a receiver, a route, any key), or on the comment lines just above it, turns those codes off for
  that item and everything nested under it. JSON has no comments.
- `lint --fail-on info|warning|error` fails the run on any diagnostic at or above that severity,
  after the settings applied.

A check's errors (marked *fixed* below) cannot be turned off or lowered: the emitters only ever
see a valid form. A setting that tries is reported (`config/fixed-error`) and ignored; a disable
comment that tries leaves a note on the error. Lints, and checks' warnings and infos, can be
turned off or set to any severity.

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

";

/// The whole page.
pub fn markdown() -> String {
    let mut out = String::from(HEADER);
    out.push_str("## Index\n\n| code | kind | default | what it finds |\n|---|---|---|---|\n");
    for code in registry::all() {
        out.push_str(&format!(
            "| [`{}`](#{}) | {} | {} | {} |\n",
            code.code,
            anchor(code.code),
            kind(code.kind),
            default(code),
            code.summary()
        ));
    }
    for code in registry::all() {
        out.push_str(&format!(
            "\n## {}\n\nA {}; default severity: {}.\n\n",
            code.code,
            kind(code.kind),
            default(code)
        ));
        for line in code.explain().trim_end().lines() {
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

fn kind(kind: Kind) -> &'static str {
    match kind {
        Kind::Check => "check",
        Kind::Lint => "lint",
    }
}

fn default(code: &registry::Code) -> String {
    if code.fixed() {
        format!("{} (fixed)", code.default)
    } else {
        code.default.to_string()
    }
}

/// GitHub's anchor for a heading: lower case, `/` dropped.
fn anchor(code: &str) -> String {
    code.chars().filter(|c| *c != '/').collect()
}
