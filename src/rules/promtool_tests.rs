//! promtool unit test files: `prometheus/tests/<name>.yml`, run with
//! `promtool test rules generated/prometheus/tests/*.yml`. Rule files are named relative to
//! the test file, as promtool reads them.

use serde::Serialize;

use crate::output::Output;
use crate::rules::ir;
use crate::syntax::duration::Duration;

use super::emit as prometheus_rules;

/// The folder test files are written to, relative to the output root, with its trailing `/`.
pub const DIR: &str = "prometheus/tests/";

#[derive(Serialize)]
struct File<'a> {
    rule_files: Vec<String>,
    evaluation_interval: Duration,
    tests: Vec<Test<'a>>,
}

#[derive(Serialize)]
struct Test<'a> {
    name: &'a str,
    interval: Duration,
    input_series: Vec<Series<'a>>,
    promql_expr_test: Vec<ExprTest<'a>>,
}

#[derive(Serialize)]
struct Series<'a> {
    series: &'a str,
    values: &'a str,
}

#[derive(Serialize)]
struct ExprTest<'a> {
    expr: &'a str,
    eval_time: Duration,
    exp_samples: Vec<Sample<'a>>,
}

#[derive(Serialize)]
struct Sample<'a> {
    labels: &'a str,
    value: f64,
}

pub fn emit(files: &[ir::RuleTests], out: &mut Output) {
    for tests in files {
        // From prometheus/tests/ to prometheus/rules/.
        let rules = prometheus_rules::DIR
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .unwrap_or("rules");
        let file = File {
            rule_files: tests
                .groups
                .iter()
                .map(|g| format!("../{rules}/{g}.yml"))
                .collect(),
            evaluation_interval: tests.evaluation_interval,
            tests: tests
                .tests
                .iter()
                .map(|t| Test {
                    name: &t.name,
                    interval: t.interval,
                    input_series: t
                        .input_series
                        .iter()
                        .map(|s| Series {
                            series: &s.series,
                            values: &s.values,
                        })
                        .collect(),
                    promql_expr_test: t
                        .checks
                        .iter()
                        .map(|c| ExprTest {
                            expr: &c.expr,
                            eval_time: c.eval_time,
                            exp_samples: c
                                .samples
                                .iter()
                                .map(|(labels, value)| Sample {
                                    labels,
                                    value: *value,
                                })
                                .collect(),
                        })
                        .collect(),
                })
                .collect(),
        };
        let source = match tests.place.origin() {
            Some(origin) => origin.file.to_string(),
            None => "the spec".to_string(),
        };
        let yaml = serde_yaml::to_string(&file).expect("test files serialize");
        out.add(
            format!("{DIR}{}.yml", tests.name),
            format!("{}{yaml}", crate::output::yaml_header(&source)),
        );
    }
}
