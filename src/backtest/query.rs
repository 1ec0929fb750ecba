//! Range queries against a running Prometheus: `/api/v1/query_range` with `step` equal to the
//! group's evaluation interval, so that the query engine evaluates the expression at exactly
//! the evaluation times of [`Grid`] (each point of a range query is an instant query at that
//! time, with the same 5-minute lookback and staleness handling a rule evaluation has).
//!
//! Prometheus refuses a range query of more than 11,000 points per series; a longer grid is
//! split into chunks of at most [`MAX_POINTS`] evaluations that follow each other on the grid.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::Value;

use super::state::Grid;

/// Prometheus's limit on the points of one series in a range query's answer.
pub const MAX_POINTS: usize = 11_000;

/// How long one range query may take, all told.
pub const TIMEOUT: Duration = Duration::from_secs(120);

/// A label set of the expression's result, `__name__` left out (an alert drops it).
pub type Labels = BTreeMap<String, String>;

/// For each label set the expression returned, the evaluation times (ms, sorted) it returned it.
pub type Presence = BTreeMap<Labels, Vec<i64>>;

/// Where range queries go: a running Prometheus, or anything answering as one (tests).
pub trait Source {
    /// The `data` of `/api/v1/query_range` for `expr` from `start` to `end` every `step` (ms).
    fn query_range(&self, expr: &str, start: i64, end: i64, step: i64) -> Result<Value, String>;
}

/// A Prometheus server's HTTP API, over ureq.
pub struct Server {
    base: String,
    agent: ureq::Agent,
}

impl Server {
    /// The server at `base` (`http://host:9090`).
    pub fn new(base: &str) -> Server {
        Server {
            base: base.trim_end_matches('/').to_string(),
            agent: ureq::Agent::config_builder()
                .timeout_global(Some(TIMEOUT))
                .user_agent("sextant")
                .build()
                .into(),
        }
    }

    pub fn url(&self) -> &str {
        &self.base
    }
}

impl Source for Server {
    fn query_range(&self, expr: &str, start: i64, end: i64, step: i64) -> Result<Value, String> {
        let url = format!("{}/api/v1/query_range", self.base);
        let mut answer = self
            .agent
            .get(&url)
            .query("query", expr)
            .query("start", seconds(start))
            .query("end", seconds(end))
            .query("step", seconds(step))
            .call()
            .map_err(|e| format!("{url}: {e}"))?;
        let body = answer
            .body_mut()
            .with_config()
            .limit(1 << 30)
            .read_to_string()
            .map_err(|e| format!("{url}: {e}"))?;
        crate::lint::server::data(&body).map_err(|e| format!("{url}: {e}"))
    }
}

/// Milliseconds as the API's seconds with a fraction.
fn seconds(ms: i64) -> String {
    format!("{}.{:03}", ms.div_euclid(1000), ms.rem_euclid(1000))
}

/// The chunks `grid` is queried in: consecutive sub-grids of at most `max_points` evaluations.
pub fn chunks(grid: Grid, max_points: usize) -> Vec<Grid> {
    let max_points = max_points.max(1);
    (0..grid.count)
        .step_by(max_points)
        .map(|k| Grid {
            start: grid.at(k),
            step: grid.step,
            count: max_points.min(grid.count - k),
        })
        .collect()
}

/// Evaluates `expr` at every time of `grid`, in chunks of at most `max_points`: which label
/// sets it returned, when.
pub fn presence(
    source: &dyn Source,
    expr: &str,
    grid: Grid,
    max_points: usize,
) -> Result<Presence, String> {
    let mut out = Presence::new();
    for chunk in chunks(grid, max_points) {
        let data = source.query_range(expr, chunk.start, chunk.last(), chunk.step)?;
        read_matrix(&data, &mut out)?;
    }
    for times in out.values_mut() {
        times.sort_unstable();
        times.dedup();
    }
    Ok(out)
}

/// Adds a range query's `matrix` to `out`.
fn read_matrix(data: &Value, out: &mut Presence) -> Result<(), String> {
    match data["resultType"].as_str() {
        Some("matrix") => {}
        Some(other) => return Err(format!("query_range answered a {other}, not a matrix")),
        None => return Err("query_range: no resultType".into()),
    }
    let series = data["result"]
        .as_array()
        .ok_or("query_range: no result list")?;
    for one in series {
        let metric = one["metric"]
            .as_object()
            .ok_or("query_range: a series has no metric")?;
        let labels: Labels = metric
            .iter()
            .filter(|(name, _)| name.as_str() != "__name__")
            .map(|(name, value)| (name.clone(), value.as_str().unwrap_or_default().to_string()))
            .collect();
        let times = out.entry(labels).or_default();
        for point in one["values"].as_array().into_iter().flatten() {
            let t = point[0]
                .as_f64()
                .ok_or("query_range: a point has no time")?;
            times.push((t * 1000.0).round() as i64);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;

    /// Answers every query with one series present at every grid time, recording the queries.
    struct Recorder(RefCell<Vec<(i64, i64, i64)>>);

    impl Source for Recorder {
        fn query_range(&self, _: &str, start: i64, end: i64, step: i64) -> Result<Value, String> {
            self.0.borrow_mut().push((start, end, step));
            let values: Vec<Value> = (0..)
                .map(|k| start + k * step)
                .take_while(|t| *t <= end)
                .map(|t| serde_json::json!([t as f64 / 1000.0, "1"]))
                .collect();
            Ok(serde_json::json!({
                "resultType": "matrix",
                "result": [{"metric": {"__name__": "up", "job": "a"}, "values": values}]
            }))
        }
    }

    #[test]
    fn long_grids_are_queried_in_chunks_that_tile_the_grid() {
        let grid = Grid {
            start: 15_000,
            step: 15_000,
            count: 25,
        };
        let recorder = Recorder(RefCell::new(Vec::new()));
        let found = presence(&recorder, "up", grid, 10).unwrap();
        assert_eq!(
            *recorder.0.borrow(),
            [
                (15_000, 150_000, 15_000),
                (165_000, 300_000, 15_000),
                (315_000, 375_000, 15_000)
            ]
        );
        let labels: Labels = [("job".to_string(), "a".to_string())].into();
        let times = &found[&labels];
        assert_eq!(times.len(), 25);
        assert_eq!((times[0], times[24]), (15_000, 375_000));
        assert_eq!(chunks(grid, MAX_POINTS).len(), 1);
        assert!(chunks(
            Grid {
                start: 0,
                step: 1,
                count: 0
            },
            10
        )
        .is_empty());
    }

    #[test]
    fn other_answers_are_errors() {
        let mut out = Presence::new();
        let vector = serde_json::json!({"resultType": "vector", "result": []});
        assert_eq!(
            read_matrix(&vector, &mut out).unwrap_err(),
            "query_range answered a vector, not a matrix"
        );
        assert_eq!(seconds(1_500), "1.500");
        assert_eq!(seconds(60_000), "60.000");
    }
}
