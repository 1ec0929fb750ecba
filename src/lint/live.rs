//! `lint --live`: series counts read from a running system (a `/metrics` page, or Prometheus's
//! TSDB status API), compared with the budgets.

use std::collections::BTreeMap;
use std::time::Duration;

use sextant_catalog::Catalog;

use super::{cardinality::live_series::LINT, At, Finding, LintConfig};
use crate::diagnostics::Diagnostic;

/// How long `lint --live` waits for an answer, all told.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// GETs `url` (`http://` only) and returns the body of a 2xx answer.
pub fn fetch(url: &str) -> Result<String, String> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(TIMEOUT))
        .user_agent("sextant")
        .build()
        .into();
    let mut answer = agent
        .get(url)
        .header("Accept", "text/plain, application/json")
        .call()
        .map_err(|e| format!("{url}: {e}"))?;
    answer
        .body_mut()
        .read_to_string()
        .map_err(|e| format!("{url}: {e}"))
}

/// Compares the series counts in `body` (a `/metrics` page, or the JSON of Prometheus's
/// `/api/v1/status/tsdb`) with the budgets; `targets` is how many targets the series come from.
pub fn check(
    catalog: &Catalog,
    config: &LintConfig,
    body: &str,
    targets: u64,
    source: &str,
) -> Result<Vec<Diagnostic>, String> {
    let counts = if is_json(body) {
        parse_tsdb(body)?
    } else {
        parse_exposition(body)
    };
    Ok(compare(catalog, config, &counts, targets.max(1), source))
}

/// Series counts by series name (`x_bucket`, `x_sum` separately), as read.
pub type Counts = BTreeMap<String, u64>;

/// Counts the series of a Prometheus text exposition (`/metrics`), by series name.
pub fn parse_exposition(text: &str) -> Counts {
    let mut counts = Counts::new();
    for line in text.lines() {
        let line = line.trim_start();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let end = line
            .find(|c: char| c == '{' || c.is_whitespace())
            .unwrap_or(line.len());
        *counts.entry(line[..end].to_string()).or_default() += 1;
    }
    counts
}

/// Reads `seriesCountByMetricName` from Prometheus's `/api/v1/status/tsdb` answer.
pub fn parse_tsdb(json: &str) -> Result<Counts, String> {
    let value: serde_json::Value =
        serde_json::from_str(json).map_err(|e| format!("not JSON: {e}"))?;
    if value["status"] != "success" {
        return Err(format!("Prometheus answered status {}", value["status"]));
    }
    let list = value["data"]["seriesCountByMetricName"]
        .as_array()
        .ok_or("no data.seriesCountByMetricName in the answer")?;
    let mut counts = Counts::new();
    for entry in list {
        let (Some(name), Some(count)) = (entry["name"].as_str(), entry["value"].as_u64()) else {
            return Err(format!("unexpected entry {entry}"));
        };
        counts.insert(name.to_string(), count);
    }
    Ok(counts)
}

/// Whether a fetched body is a text exposition rather than Prometheus's JSON API.
pub fn is_json(body: &str) -> bool {
    body.trim_start().starts_with('{')
}

/// Compares `counts` (read from `source`) with each catalog metric's budget times `targets`, or
/// its estimate when it has no budget.
pub fn compare(
    catalog: &Catalog,
    config: &LintConfig,
    counts: &Counts,
    targets: u64,
    source: &str,
) -> Vec<Diagnostic> {
    let mut by_family: BTreeMap<&str, u64> = BTreeMap::new();
    for (name, count) in counts {
        if let Some(found) = catalog.lookup(name) {
            *by_family.entry(found.metric.name).or_default() += count;
        }
    }
    let mut out = Vec::new();
    for (family, observed) in by_family {
        let metric = catalog.get(family).expect("found in the catalog");
        let (allowed, what) = match config.budgets.per_metric.get(family) {
            Some(budget) => (budget.saturating_mul(targets), "budget"),
            None => (metric.max_series().saturating_mul(targets), "estimate"),
        };
        if observed > allowed {
            let finding = Finding::new(
                format!(
                    "`{family}` has {observed} series in {source}, over its {what} of {allowed}"
                ),
                At::Rule,
                "",
            )
            .note(if targets == 1 {
                "for one target; pass `--targets N` when the source aggregates N targets"
                    .to_string()
            } else {
                format!("{targets} targets")
            })
            .note(format!(
                "find the label that grew: count by (<label>) ({family}{})",
                if metric.buckets.is_empty() {
                    ""
                } else {
                    "_bucket"
                }
            ));
            out.extend(super::diagnostic(&LINT, config, finding));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exposition_counts_series_by_name() {
        let text = "# HELP x_total X.\n# TYPE x_total counter\nx_total{a=\"1\"} 3\nx_total{a=\"2\"} 4\n\ny_bucket{le=\"1\"} 1\ny_bucket{le=\"+Inf\"} 1\ny_sum 2\nup 1 1700000000\n";
        let counts = parse_exposition(text);
        let got: Vec<String> = counts.iter().map(|(k, v)| format!("{k}={v}")).collect();
        assert_eq!(got, ["up=1", "x_total=2", "y_bucket=2", "y_sum=1"]);
    }

    #[test]
    fn tsdb_answer_is_read() {
        let json =
            r#"{"status":"success","data":{"seriesCountByMetricName":[{"name":"a","value":7}]}}"#;
        assert_eq!(parse_tsdb(json).unwrap().get("a"), Some(&7));
        assert!(parse_tsdb(r#"{"status":"error"}"#).is_err());
    }
}
