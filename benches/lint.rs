//! Lint throughput on a synthetic rule file of 10,000 rules, side by side with
//! `promtool check rules` on the same file. Run with `cargo bench --bench lint`.
//!
//! The file mixes recording rules (rates, ratios, quantiles over EJE's metrics) and alerts on
//! them, in 100 groups of 100 rules, and lints clean. Sextant parses the YAML with positions,
//! checks what promtool checks, and runs every lint against the catalog; promtool parses and
//! checks PromQL and templates. promtool is timed with `std::process::Command` (best of 3).

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
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

fn lint_text(path: &str, text: &str, config: &LintConfig) -> usize {
    let files = [SourceFile {
        path: path.to_string(),
        text: text.to_string(),
    }];
    let (ir, mut diagnostics) = rulefile::lower(&files);
    diagnostics.extend(lint::run_files(&ir, &eje::CATALOG, config));
    assert!(
        diagnostics.is_empty(),
        "the synthetic file lints clean: {:?}",
        diagnostics.first()
    );
    ir.rules().count()
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
    let text = synthetic();
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("synthetic-10k-rules.yml");
    std::fs::write(&path, &text).expect("write the synthetic file");
    let shown = path.display().to_string();
    let config = LintConfig::default();
    let rules = lint_text(&shown, &text, &config);
    assert_eq!(rules, GROUPS * RULES_PER_GROUP);

    let start = Instant::now();
    lint_text(&shown, &text, &config);
    let once = start.elapsed();
    match time_promtool(&path) {
        Ok(promtool) => println!(
            "\n{rules} rules, {} KiB: sextant lint {:.0} ms (one run), promtool check rules {:.0} ms (best of 3): {:.1}x\n",
            text.len() / 1024,
            once.as_secs_f64() * 1000.0,
            promtool.as_secs_f64() * 1000.0,
            promtool.as_secs_f64() / once.as_secs_f64()
        ),
        Err(e) => println!("\nno promtool comparison: {e}\n"),
    }

    let mut group = c.benchmark_group("lint");
    group.throughput(Throughput::Elements(rules as u64));
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(5));
    group.warm_up_time(Duration::from_secs(1));
    group.bench_function("10k_rules", |b| {
        b.iter(|| lint_text(&shown, &text, &config))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
