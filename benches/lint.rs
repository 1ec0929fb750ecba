//! Lint throughput on synthetic rule files of 10,000 rules, side by side with
//! `promtool check rules` on the same files. Run with `cargo bench --bench lint`.
//!
//! Two files, each in 100 groups of 100 rules:
//! - clean: recording rules (rates, ratios, quantiles over EJE's metrics) and alerts on them;
//!   it lints clean.
//! - findings: recording rules whose range is shorter than two scrape intervals and alerts
//!   without a description or runbook: one warning per rule, 10,000 in all.
//!
//! Each is measured end to end as `lint` runs: read the YAML with positions, check what promtool
//! checks, run every lint against the catalog, sort, and render the report in the human format
//! and as JSON (so the cost of turning byte offsets into lines and columns is counted). promtool
//! parses and checks PromQL and templates; it is timed with `std::process::Command` (best of 3).

use std::fmt::Write as _;
use std::hint::black_box;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use sextant::diagnostics::{self, report};
use sextant::lint::{self, LintConfig};
use sextant::rules::file::{self as rulefile, SourceFile};
use sextant_catalog::eje;

const GROUPS: usize = 100;
const RULES_PER_GROUP: usize = 100;

/// 10,000 rules: per group, 25 blocks of three recording rules and one alert.
fn synthetic() -> String {
    let mut out = String::from("groups:\n");
    for g in 0..GROUPS {
        writeln!(out, "  - name: synthetic-{g}\n    interval: 1m\n    rules:").unwrap();
        for b in 0..RULES_PER_GROUP / 4 {
            let n = g * RULES_PER_GROUP + b;
            write!(
                out,
                "      - record: job_critic:eje_critic_failures_{n}:ratio_rate5m
        expr: |
          sum by (job, critic) (rate(eje_critic_failures_total{{reason!=\"timeout\"}}[5m]))
          /
          (sum by (job, critic) (rate(eje_critic_executions_total[5m])) > 0)
      - record: job_critic:eje_critic_duration_seconds_{n}:p99_rate5m
        expr: histogram_quantile(0.99, sum by (job, critic, le) (rate(eje_critic_duration_seconds_bucket[5m])))
      - record: job_verdict:eje_decisions_{n}:rate5m
        expr: sum by (job, verdict) (rate(eje_decisions_total{{status=\"success\"}}[5m]))
      - alert: EJECriticFailing{n}
        expr: job_critic:eje_critic_failures_{n}:ratio_rate5m > 0.1
        for: 5m
        labels:
          severity: warning
        annotations:
          summary: \"Critic {{{{ $labels.critic }}}} fails {{{{ $value | humanizePercentage }}}} of its calls\"
          description: \"Job {{{{ $labels.job }}}}: more than 10% of calls failed over 5 minutes.\"
          runbook_url: https://runbooks.example.com/EJECriticFailing
"
            )
            .unwrap();
        }
    }
    out
}

/// 10,000 rules with one finding each: per group, 50 recording rules with a `[20s]` range
/// (promql/range-too-short at the default 15s scrape interval) and 50 alerts with a summary
/// only (alerts/annotations).
fn with_findings() -> String {
    let mut out = String::from("groups:\n");
    for g in 0..GROUPS {
        writeln!(out, "  - name: findings-{g}\n    interval: 1m\n    rules:").unwrap();
        for b in 0..RULES_PER_GROUP / 2 {
            let n = g * RULES_PER_GROUP + b;
            write!(
                out,
                "      - record: job:eje_decisions_{n}:rate20s
        expr: sum by (job) (rate(eje_decisions_total[20s]))
      - alert: EJEDecisionsLow{n}
        expr: job:eje_decisions_{n}:rate20s < 1
        for: 5m
        labels:
          severity: warning
        annotations:
          summary: \"Job {{{{ $labels.job }}}} decides less than once a second\"
"
            )
            .unwrap();
        }
    }
    out
}

/// Lints one file as `lint PATH` does and renders the report in the human format and as JSON;
/// returns the number of rules and of diagnostics.
fn lint_text(path: &str, text: &str, config: &LintConfig) -> (usize, usize) {
    let files = [SourceFile {
        path: path.to_string(),
        text: text.to_string(),
    }];
    let (ir, mut diagnostics) = rulefile::lower(&files);
    diagnostics.extend(lint::run_files(&ir, &eje::CATALOG, config));
    diagnostics::sort(&mut diagnostics);
    let load = |name: &str| (name == path).then(|| text.to_string());
    let human = diagnostics::render(&diagnostics, &load);
    let json = report::json(&diagnostics, &load);
    black_box((human, json));
    (ir.rules().count(), diagnostics.len())
}

/// Prints one run of sextant beside promtool's best of three.
fn compare(name: &str, path: &PathBuf, text: &str, config: &LintConfig) {
    let shown = path.display().to_string();
    let start = Instant::now();
    let (rules, findings) = lint_text(&shown, text, config);
    let once = start.elapsed();
    match time_promtool(path) {
        Ok(promtool) => println!(
            "\n{name}: {rules} rules, {findings} findings, {} KiB: sextant lint {:.0} ms (one run, human and JSON reports), promtool check rules {:.0} ms (best of 3): {:.2}x promtool's time\n",
            text.len() / 1024,
            once.as_secs_f64() * 1000.0,
            promtool.as_secs_f64() * 1000.0,
            once.as_secs_f64() / promtool.as_secs_f64()
        ),
        Err(e) => println!("\n{name}: no promtool comparison: {e}\n"),
    }
}

/// The best of three `promtool check rules` runs, or why there is none.
fn time_promtool(path: &PathBuf) -> Result<Duration, String> {
    let mut best = None::<Duration>;
    for _ in 0..3 {
        let start = Instant::now();
        let status = Command::new("promtool")
            .args(["check", "rules"])
            .arg(path)
            .output()
            .map_err(|_| "promtool not found: run ci/test.sh, which installs it".to_string())?;
        let elapsed = start.elapsed();
        if !status.status.success() {
            return Err(format!(
                "promtool rejected the file: {}",
                String::from_utf8_lossy(&status.stdout)
            ));
        }
        best = Some(best.map_or(elapsed, |b| b.min(elapsed)));
    }
    Ok(best.expect("three runs"))
}

fn bench(c: &mut Criterion) {
    let config = LintConfig::default();
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let cases = [
        ("clean", synthetic(), 0),
        ("findings", with_findings(), GROUPS * RULES_PER_GROUP),
    ];
    let mut group = c.benchmark_group("lint");
    group.throughput(Throughput::Elements((GROUPS * RULES_PER_GROUP) as u64));
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(5));
    group.warm_up_time(Duration::from_secs(1));
    for (name, text, expected) in &cases {
        let path = dir.join(format!("synthetic-10k-rules-{name}.yml"));
        std::fs::write(&path, text).expect("write the synthetic file");
        let shown = path.display().to_string();
        let (rules, findings) = lint_text(&shown, text, &config);
        assert_eq!(rules, GROUPS * RULES_PER_GROUP);
        assert_eq!(
            findings, *expected,
            "the {name} file has one finding per rule, or none"
        );
        compare(name, &path, text, &config);
        group.bench_function(format!("10k_rules_{name}"), |b| {
            b.iter(|| lint_text(&shown, text, &config))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
