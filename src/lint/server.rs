//! What a running Prometheus knows, read from its HTTP API as pint does: which of the series a
//! set of rules reads exist there, with which label names, and the metric types the scrape
//! targets declare. `lint --prometheus URL` uses it to report unknown metrics and labels in
//! files no catalog describes, with certainty instead of by assumption.
//!
//! - `/api/v1/metadata`: every metric family's type (`counter`, `gauge`, `histogram`, ...), as the
//!   targets' `# TYPE` lines declare it.
//! - `/api/v1/series?match[]=<name>&start=&end=`: the series of one name over the look-back
//!   window, hence its label names and how many series it has. One query per name the rules
//!   read, so the cost follows the rules, not the size of the server.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::Value;

/// How long one request may take, all told.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// What a server knows of one series name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SeriesFacts {
    /// How many series of this name the server had in the window.
    pub series: usize,
    /// The label names those series carry (`__name__` left out).
    pub labels: BTreeSet<String>,
}

/// What a server knows, for the names asked about.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Knowledge {
    /// The server's URL, to say where a finding's certainty comes from.
    pub source: String,
    /// The look-back window series were searched in.
    pub window: Duration,
    /// Metric family name to type, from the metadata API.
    pub types: BTreeMap<String, String>,
    /// Series name to facts, for every name asked about (no series: `series == 0`).
    pub series: BTreeMap<String, SeriesFacts>,
}

impl Knowledge {
    /// The type the targets declare for the family a series name belongs to: `x_total` and the
    /// `_bucket`, `_sum` and `_count` series of a histogram or summary included.
    pub fn type_of(&self, series: &str) -> Option<&str> {
        if let Some(kind) = self.types.get(series) {
            return Some(kind);
        }
        for suffix in ["_bucket", "_sum", "_count", "_total"] {
            if let Some(family) = series.strip_suffix(suffix) {
                if let Some(kind) = self.types.get(family) {
                    return Some(kind);
                }
            }
        }
        None
    }

    /// Whether the server had any series of `name` in the window.
    pub fn has(&self, name: &str) -> bool {
        self.series.get(name).is_some_and(|f| f.series > 0)
    }

    /// What a finding drawn from this knowledge rests on.
    pub fn assumption(&self) -> String {
        format!(
            "the rules run on the Prometheus at {} and its last {} of data are representative (a series with no sample in that window, such as an error counter that never fired, may still appear)",
            self.source,
            crate::syntax::duration::Duration::millis(self.window.as_millis() as u64)
        )
    }
}

/// Asks the Prometheus at `base` (`http://host:9090`) about `names`, over the last `window`.
pub fn learn<'a>(
    base: &str,
    names: impl IntoIterator<Item = &'a str>,
    window: Duration,
) -> Result<Knowledge, String> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(TIMEOUT))
        .user_agent("sextant")
        .build()
        .into();
    let base = base.trim_end_matches('/');
    let get = |path: &str, query: &[(&str, String)]| -> Result<Value, String> {
        let url = format!("{base}{path}");
        let mut request = agent.get(&url);
        for (key, value) in query {
            request = request.query(*key, value);
        }
        let mut answer = request.call().map_err(|e| format!("{url}: {e}"))?;
        let body = answer
            .body_mut()
            .read_to_string()
            .map_err(|e| format!("{url}: {e}"))?;
        data(&body).map_err(|e| format!("{url}: {e}"))
    };
    let mut knowledge = Knowledge {
        source: base.to_string(),
        window,
        types: parse_metadata(&get("/api/v1/metadata", &[])?)?,
        series: BTreeMap::new(),
    };
    let end = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_err(|e| e.to_string())?;
    let start = end.saturating_sub(window);
    let names: BTreeSet<&str> = names.into_iter().collect();
    for name in names {
        let query = [
            ("match[]", name.to_string()),
            ("start", format!("{}", start.as_secs())),
            ("end", format!("{}", end.as_secs())),
        ];
        let facts = parse_series(&get("/api/v1/series", &query)?)?;
        knowledge.series.insert(name.to_string(), facts);
    }
    Ok(knowledge)
}

/// The `data` of a Prometheus API answer, or its error.
pub(crate) fn data(body: &str) -> Result<Value, String> {
    let mut value: Value = serde_json::from_str(body).map_err(|e| format!("not JSON: {e}"))?;
    match value["status"].as_str() {
        Some("success") => Ok(value["data"].take()),
        _ => Err(format!(
            "Prometheus answered {}: {}",
            value["errorType"].as_str().unwrap_or("an error"),
            value["error"].as_str().unwrap_or("no message")
        )),
    }
}

/// `/api/v1/metadata`'s data: family name to the first type declared for it.
fn parse_metadata(data: &Value) -> Result<BTreeMap<String, String>, String> {
    let families = data.as_object().ok_or("metadata: not an object")?;
    Ok(families
        .iter()
        .filter_map(|(name, entries)| {
            let kind = entries.as_array()?.first()?["type"].as_str()?;
            Some((name.clone(), kind.to_string()))
        })
        .collect())
}

/// `/api/v1/series`'s data: how many series, and their label names.
fn parse_series(data: &Value) -> Result<SeriesFacts, String> {
    let list = data.as_array().ok_or("series: not a list")?;
    let mut facts = SeriesFacts {
        series: list.len(),
        labels: BTreeSet::new(),
    };
    for series in list {
        let labels = series
            .as_object()
            .ok_or("series: an entry is not an object")?;
        facts.labels.extend(
            labels
                .keys()
                .filter(|name| name.as_str() != "__name__")
                .cloned(),
        );
    }
    Ok(facts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_read() {
        let metadata = data(r#"{"status":"success","data":{"http_requests_total":[{"type":"counter","help":"h","unit":""}],"latency_seconds":[{"type":"histogram","help":"","unit":""}]}}"#).unwrap();
        let types = parse_metadata(&metadata).unwrap();
        let series = data(r#"{"status":"success","data":[{"__name__":"up","job":"a","instance":"x"},{"__name__":"up","job":"b","instance":"y","zone":"z"}]}"#).unwrap();
        let facts = parse_series(&series).unwrap();
        assert_eq!(facts.series, 2);
        assert_eq!(
            facts.labels.iter().map(String::as_str).collect::<Vec<_>>(),
            ["instance", "job", "zone"]
        );
        let knowledge = Knowledge {
            types,
            ..Knowledge::default()
        };
        assert_eq!(knowledge.type_of("http_requests_total"), Some("counter"));
        assert_eq!(
            knowledge.type_of("latency_seconds_bucket"),
            Some("histogram")
        );
        assert_eq!(knowledge.type_of("nothing"), None);
        let error = data(r#"{"status":"error","errorType":"bad_data","error":"parse error"}"#);
        assert_eq!(
            error.unwrap_err(),
            "Prometheus answered bad_data: parse error"
        );
    }
}
