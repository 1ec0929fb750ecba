//! The series of registered critics, written per thread and summed at scrape.
//!
//! A tracked call is the hot path: on a VM an uncontended locked read-modify-write costs about
//! 10 ns, and a `prometheus` counter and histogram cost six of them per call. Here each thread
//! that calls a critic gets a [`Shard`] of its own (cache-line aligned), which only that thread
//! writes, with a plain load and store per cell (no lock prefix). `/metrics` sums the shards
//! through [`CriticCollector`], which produces the same four families (names, help, labels,
//! buckets, from the catalog) as `prometheus` vectors would.
//!
//! A shard's cells are published under a sequence number (a seqlock with one writer), so a scrape
//! reads each shard whole: executions = verdicts + failures = the histogram's count, in every
//! scrape. The executions are not stored: every call observes a latency, so they are the count.
//!
//! Architecture Invariant: a shard is written only by the thread that owns it, and is never
//! removed, so every series is monotonic across scrapes, and a thread that exited still counts.

use std::cell::Cell;
use std::sync::atomic::{fence, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::ThreadId;

use prometheus::core::{Collector, Desc};
use prometheus::proto;
use sextant_catalog::eje::{self, FailureReason, Verdict};
use sextant_catalog::Metric;

const VERDICTS: usize = Verdict::ALL.len();
const REASONS: usize = FailureReason::ALL.len();
const BOUNDS: usize = eje::CRITIC_BUCKETS.len();

/// Slots of the per-thread cache: one per critic a `Metrics` can hold, the overflow included.
const SLOTS: usize = eje::CRITIC_CAP + 1;

/// The four families a critic writes, in the catalog.
pub(crate) const FAMILIES: [&Metric; 4] = [
    &eje::CRITIC_EXECUTIONS_TOTAL,
    &eje::CRITIC_DURATION_SECONDS,
    &eje::CRITIC_FAILURES_TOTAL,
    &eje::CRITIC_VERDICTS_TOTAL,
];

/// Ids of series, so a thread's cached shard is known to belong to the series asking.
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// What one thread recorded for one critic.
#[repr(align(128))] // two lines: no false sharing, the adjacent-line prefetcher included
struct Shard {
    /// The one thread that writes it.
    owner: ThreadId,
    /// Odd while the owner writes.
    seq: AtomicU64,
    verdicts: [AtomicU64; VERDICTS],
    failures: [AtomicU64; REASONS],
    /// Per bucket, not cumulative; the last one is above the highest bound.
    buckets: [AtomicU64; BOUNDS + 1],
    /// The sum of latencies, as `f64` bits.
    sum: AtomicU64,
}

/// A shard's cells at one instant.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct Totals {
    pub(crate) verdicts: [u64; VERDICTS],
    pub(crate) failures: [u64; REASONS],
    pub(crate) buckets: [u64; BOUNDS + 1],
    pub(crate) sum: f64,
}

impl Totals {
    pub(crate) fn executions(&self) -> u64 {
        self.buckets.iter().sum()
    }

    fn add(&mut self, other: &Totals) {
        let add = |a: &mut [u64], b: &[u64]| a.iter_mut().zip(b).for_each(|(a, b)| *a += b);
        add(&mut self.verdicts, &other.verdicts);
        add(&mut self.failures, &other.failures);
        add(&mut self.buckets, &other.buckets);
        self.sum += other.sum;
    }
}

/// `cell += n` by its only writer: a load and a store, no locked instruction.
#[inline(always)]
fn bump(cell: &AtomicU64, n: u64) {
    cell.store(
        cell.load(Ordering::Relaxed).wrapping_add(n),
        Ordering::Relaxed,
    );
}

/// The bucket of a latency: the first bound it does not exceed (as `prometheus` does).
#[inline(always)]
fn bucket_of(seconds: f64) -> usize {
    eje::CRITIC_BUCKETS
        .iter()
        .position(|bound| seconds <= *bound)
        .unwrap_or(BOUNDS)
}

impl Shard {
    fn new(owner: ThreadId) -> Shard {
        Shard {
            owner,
            seq: AtomicU64::new(0),
            verdicts: Default::default(),
            failures: Default::default(),
            buckets: Default::default(),
            sum: AtomicU64::new(0f64.to_bits()),
        }
    }

    /// Records one call. Only the shard's owner calls it.
    #[inline(always)]
    fn record(&self, seconds: f64, outcome: Result<Verdict, FailureReason>) {
        let seq = self.seq.load(Ordering::Relaxed);
        self.seq.store(seq.wrapping_add(1), Ordering::Relaxed);
        // The odd sequence is seen before any cell that follows (no instruction on x86).
        fence(Ordering::Release);
        bump(&self.buckets[bucket_of(seconds)], 1);
        match outcome {
            Ok(verdict) => bump(&self.verdicts[verdict.index()], 1),
            Err(reason) => bump(&self.failures[reason.index()], 1),
        }
        let sum = f64::from_bits(self.sum.load(Ordering::Relaxed)) + seconds;
        self.sum.store(sum.to_bits(), Ordering::Relaxed);
        self.seq.store(seq.wrapping_add(2), Ordering::Release);
    }

    /// The cells, read whole: retried while the writer is between its two sequence stores.
    fn snapshot(&self) -> Totals {
        let mut tries = 0u32;
        loop {
            let before = self.seq.load(Ordering::Acquire);
            let load = |cell: &AtomicU64| cell.load(Ordering::Relaxed);
            let totals = Totals {
                verdicts: self.verdicts.each_ref().map(load),
                failures: self.failures.each_ref().map(load),
                buckets: self.buckets.each_ref().map(load),
                sum: f64::from_bits(load(&self.sum)),
            };
            fence(Ordering::Acquire);
            if before % 2 == 0 && self.seq.load(Ordering::Relaxed) == before {
                return totals;
            }
            tries += 1;
            // The writer was preempted inside its few stores: let it run.
            if tries % 64 == 0 {
                std::thread::yield_now();
            } else {
                std::hint::spin_loop();
            }
        }
    }
}

/// A thread's shard for one slot of the cache: the series it belongs to, and the shard.
struct Cached {
    /// A [`CriticSeries::id`]; 0 for none.
    series: Cell<u64>,
    /// Valid while the series `series` lives: that series holds the shard for good.
    shard: Cell<*const Shard>,
}

thread_local! {
    /// Each thread's shard per critic slot, found with one thread-local access and an index.
    /// Nothing to drop, so it is usable until the thread's very end, its destructors included.
    static THREAD_SHARDS: [Cached; SLOTS] = const {
        [const { Cached { series: Cell::new(0), shard: Cell::new(std::ptr::null()) } }; SLOTS]
    };
}

/// The series a registered critic writes: a shard per calling thread, summed on scrape.
pub(crate) struct CriticSeries {
    /// The label value: the critic's name, or the overflow value.
    pub(crate) label: String,
    /// Unique in the process, never reused: a thread's cached shard is this series' if the ids
    /// match.
    id: u64,
    /// Its position in its `Metrics`' critic table, which picks the thread cache's slot.
    slot: usize,
    /// Every shard ever made for it, one per thread that called it, never removed.
    shards: Mutex<Vec<Arc<Shard>>>,
}

impl CriticSeries {
    pub(crate) fn new(label: &str, slot: usize) -> CriticSeries {
        CriticSeries {
            label: label.to_string(),
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            slot: slot % SLOTS,
            shards: Mutex::new(Vec::new()),
        }
    }

    /// Records one call: its latency and its verdict or failure reason.
    #[inline]
    pub(crate) fn record(&self, seconds: f64, outcome: Result<Verdict, FailureReason>) {
        THREAD_SHARDS.with(|cache| {
            let cached = &cache[self.slot];
            let shard = if cached.series.get() == self.id {
                cached.shard.get()
            } else {
                self.bind_thread(cached)
            };
            // SAFETY: `shard` was cached by `bind_thread` for this very series (ids are never
            // reused), which is alive (`&self`) and keeps every shard it made in `shards`.
            unsafe { &*shard }.record(seconds, outcome);
        });
    }

    /// Caches this thread's shard of the series, making it on the thread's first call. Another
    /// series of the same slot (another `Metrics`) may have had the cache: its shard is found
    /// again here, not made twice.
    #[cold]
    #[inline(never)]
    fn bind_thread(&self, cached: &Cached) -> *const Shard {
        let me = std::thread::current().id();
        let mut shards = self.lock_shards();
        let shard = match shards.iter().find(|s| s.owner == me) {
            Some(shard) => Arc::as_ptr(shard),
            None => {
                let shard = Arc::new(Shard::new(me));
                let ptr = Arc::as_ptr(&shard);
                shards.push(shard);
                ptr
            }
        };
        cached.series.set(self.id);
        cached.shard.set(shard);
        shard
    }

    fn lock_shards(&self) -> MutexGuard<'_, Vec<Arc<Shard>>> {
        self.shards.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The sum of every shard.
    pub(crate) fn totals(&self) -> Totals {
        let shards: Vec<Arc<Shard>> = self.lock_shards().clone();
        let mut totals = Totals::default();
        for shard in &shards {
            totals.add(&shard.snapshot());
        }
        totals
    }

    /// How many shards it has.
    #[cfg(test)]
    fn shard_count(&self) -> usize {
        self.lock_shards().len()
    }
}

/// Produces the critics' four families from their shards on each scrape.
pub(crate) struct CriticCollector {
    descs: Vec<Desc>,
    /// The critics to report, in any order (the registry sorts series by label values).
    critics: Box<dyn Fn() -> Vec<Arc<CriticSeries>> + Send + Sync>,
}

impl CriticCollector {
    pub(crate) fn new(
        critics: impl Fn() -> Vec<Arc<CriticSeries>> + Send + Sync + 'static,
    ) -> Self {
        let descs = FAMILIES
            .iter()
            .map(|metric| {
                Desc::new(
                    metric.name.to_string(),
                    metric.help.to_string(),
                    metric.labels.iter().map(|l| l.name.to_string()).collect(),
                    Default::default(),
                )
                .unwrap_or_else(|e| panic!("catalog metric {} is not valid: {e}", metric.name))
            })
            .collect();
        CriticCollector {
            descs,
            critics: Box::new(critics),
        }
    }
}

/// A sample's labels: the critic's, then one more if given, sorted by name as `prometheus` does.
fn labels(critic: &str, more: Option<(&str, &str)>) -> Vec<proto::LabelPair> {
    let mut pairs: Vec<proto::LabelPair> = std::iter::once((eje::CRITIC.name, critic))
        .chain(more)
        .map(|(name, value)| {
            let mut pair = proto::LabelPair::default();
            pair.set_name(name.to_string());
            pair.set_value(value.to_string());
            pair
        })
        .collect();
    pairs.sort_by(|a, b| a.name().cmp(b.name()));
    pairs
}

fn counter(labels: Vec<proto::LabelPair>, value: u64) -> proto::Metric {
    let mut counter = proto::Counter::default();
    counter.set_value(value as f64);
    let mut metric = proto::Metric::from_label(labels);
    metric.set_counter(counter);
    metric
}

fn histogram(labels: Vec<proto::LabelPair>, totals: &Totals) -> proto::Metric {
    let mut histogram = proto::Histogram::default();
    histogram.set_sample_count(totals.executions());
    histogram.set_sample_sum(totals.sum);
    let mut cumulative = 0;
    let buckets = eje::CRITIC_BUCKETS
        .iter()
        .zip(&totals.buckets)
        .map(|(bound, count)| {
            cumulative += count;
            let mut bucket = proto::Bucket::default();
            bucket.set_cumulative_count(cumulative);
            bucket.set_upper_bound(*bound);
            bucket
        })
        .collect();
    histogram.set_bucket(buckets);
    let mut metric = proto::Metric::from_label(labels);
    metric.set_histogram(histogram);
    metric
}

impl Collector for CriticCollector {
    fn desc(&self) -> Vec<&Desc> {
        self.descs.iter().collect()
    }

    fn collect(&self) -> Vec<proto::MetricFamily> {
        let critics = (self.critics)();
        let mut families: [Vec<proto::Metric>; 4] = Default::default();
        for series in &critics {
            let totals = series.totals();
            let critic = series.label.as_str();
            families[0].push(counter(labels(critic, None), totals.executions()));
            families[1].push(histogram(labels(critic, None), &totals));
            for (reason, count) in FailureReason::ALL.iter().zip(totals.failures) {
                let label = (eje::REASON.name, reason.as_str());
                families[2].push(counter(labels(critic, Some(label)), count));
            }
            for (verdict, count) in Verdict::ALL.iter().zip(totals.verdicts) {
                let label = (eje::VERDICT.name, verdict.as_str());
                families[3].push(counter(labels(critic, Some(label)), count));
            }
        }
        FAMILIES
            .iter()
            .zip(families)
            .map(|(metric, metrics)| {
                let mut family = proto::MetricFamily::default();
                family.set_name(metric.name.to_string());
                family.set_help(metric.help.to_string());
                family.set_field_type(match metric.kind {
                    sextant_catalog::Kind::Histogram => proto::MetricType::HISTOGRAM,
                    _ => proto::MetricType::COUNTER,
                });
                family.set_metric(metrics);
                family
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::sync::atomic::AtomicBool;

    use prometheus::{HistogramOpts, HistogramVec, IntCounterVec, Opts, Registry};

    use super::*;
    use crate::metrics::Metrics;

    /// Latencies whose sums are exact in `f64` whatever the order, one per bucket region:
    /// under the first bound, in the second, in the third, in the eighth, past the last.
    const LATENCIES: [f64; 5] = [0.000_976_562_5, 0.003_906_25, 0.007_812_5, 0.5, 8.0];

    /// The `i`th call of thread `t`: its latency and outcome.
    fn call(t: usize, i: usize) -> (f64, Result<Verdict, FailureReason>) {
        let seconds = LATENCIES[(t + i) % LATENCIES.len()];
        let outcome = match (t * 7 + i) % 11 {
            0 => Err(FailureReason::Panic),
            1 | 2 => Err(FailureReason::ALL[i % REASONS]),
            n => Ok(Verdict::ALL[n % VERDICTS]),
        };
        (seconds, outcome)
    }

    /// The totals the calls of `threads` threads × `calls` calls add up to, counted one by one.
    fn expected(threads: usize, calls: usize) -> Totals {
        let mut totals = Totals::default();
        for t in 0..threads {
            for i in 0..calls {
                let (seconds, outcome) = call(t, i);
                totals.buckets[bucket_of(seconds)] += 1;
                match outcome {
                    Ok(v) => totals.verdicts[v.index()] += 1,
                    Err(r) => totals.failures[r.index()] += 1,
                }
                totals.sum += seconds;
            }
        }
        totals
    }

    /// The exposition as `series{labels}` → value.
    fn scrape(metrics: &Metrics) -> BTreeMap<String, f64> {
        String::from_utf8(metrics.encode())
            .unwrap()
            .lines()
            .filter(|line| !line.starts_with('#'))
            .map(|line| {
                let (series, value) = line.rsplit_once(' ').unwrap();
                (series.to_string(), value.parse().unwrap())
            })
            .collect()
    }

    /// The critic `critic`'s totals, read back from a scrape.
    fn scraped(samples: &BTreeMap<String, f64>, critic: &str) -> Totals {
        let get = |series: &str, more: &str| -> u64 {
            let key = format!("{series}{{critic=\"{critic}\"{more}}}");
            *samples.get(&key).unwrap_or_else(|| panic!("no {key}")) as u64
        };
        let mut buckets = [0; BOUNDS + 1];
        let mut below = 0;
        for (i, bound) in eje::CRITIC_BUCKETS.iter().enumerate() {
            let cumulative = get(
                "eje_critic_duration_seconds_bucket",
                &format!(",le=\"{bound}\""),
            );
            buckets[i] = cumulative - below;
            below = cumulative;
        }
        buckets[BOUNDS] = get("eje_critic_duration_seconds_bucket", ",le=\"+Inf\"") - below;
        let totals = Totals {
            verdicts: std::array::from_fn(|i| {
                let v = Verdict::ALL[i].as_str();
                get("eje_critic_verdicts_total", &format!(",verdict=\"{v}\""))
            }),
            failures: std::array::from_fn(|i| {
                let r = FailureReason::ALL[i].as_str();
                get("eje_critic_failures_total", &format!(",reason=\"{r}\""))
            }),
            buckets,
            sum: samples[&format!("eje_critic_duration_seconds_sum{{critic=\"{critic}\"}}")],
        };
        assert_eq!(get("eje_critic_executions_total", ""), totals.executions());
        assert_eq!(
            get("eje_critic_duration_seconds_count", ""),
            totals.executions()
        );
        totals
    }

    fn record_calls(series: &CriticSeries, t: usize, calls: usize) {
        for i in 0..calls {
            let (seconds, outcome) = call(t, i);
            series.record(seconds, outcome);
        }
    }

    #[test]
    fn calls_of_many_threads_add_up_exactly_in_the_exposition() {
        let metrics = Metrics::with_process_collector(false);
        let series = metrics.critic_series("bias_critic");
        let (threads, calls) = (8, 5_000);
        std::thread::scope(|s| {
            for t in 0..threads {
                let series = &series;
                s.spawn(move || record_calls(series, t, calls));
            }
        });
        let samples = scrape(&metrics);
        assert_eq!(scraped(&samples, "bias_critic"), expected(threads, calls));
        // One shard per thread; the other critics stay at zero.
        assert_eq!(series.shard_count(), threads);
        assert_eq!(scraped(&samples, "safety_critic"), Totals::default());
    }

    #[test]
    fn a_thread_that_exited_still_counts() {
        let metrics = Metrics::with_process_collector(false);
        let series = metrics.critic_series("legal_critic");
        let worker = series.clone();
        std::thread::spawn(move || record_calls(&worker, 0, 100))
            .join()
            .unwrap();
        record_calls(&series, 1, 100);
        let mut want = expected(1, 100);
        let mut second = Totals::default();
        for i in 0..100 {
            let (seconds, outcome) = call(1, i);
            second.buckets[bucket_of(seconds)] += 1;
            match outcome {
                Ok(v) => second.verdicts[v.index()] += 1,
                Err(r) => second.failures[r.index()] += 1,
            }
            second.sum += seconds;
        }
        want.add(&second);
        assert_eq!(scraped(&scrape(&metrics), "legal_critic"), want);
    }

    #[test]
    fn a_call_from_a_thread_local_destructor_still_counts() {
        struct RecordOnDrop(Arc<CriticSeries>);
        impl Drop for RecordOnDrop {
            fn drop(&mut self) {
                self.0.record(0.5, Err(FailureReason::Timeout));
            }
        }
        thread_local! {
            static LATE: std::cell::RefCell<Option<RecordOnDrop>> = const { std::cell::RefCell::new(None) };
        }
        let metrics = Metrics::with_process_collector(false);
        let series = metrics.critic_series("privacy_critic");
        let worker = series.clone();
        std::thread::spawn(move || {
            LATE.with(|late| *late.borrow_mut() = Some(RecordOnDrop(worker.clone())));
            // Whichever of the two thread-locals goes first, the call lands somewhere.
            worker.record(0.5, Ok(Verdict::Approve));
        })
        .join()
        .unwrap();
        let totals = scraped(&scrape(&metrics), "privacy_critic");
        assert_eq!(totals.failures[FailureReason::Timeout.index()], 1);
        assert_eq!(totals.verdicts[Verdict::Approve.index()], 1);
        assert_eq!(totals.executions(), 2);
        assert_eq!(totals.sum, 1.0);
    }

    #[test]
    fn critics_of_two_metrics_in_one_slot_keep_apart_on_one_thread() {
        let (one, two) = (
            Metrics::with_process_collector(false),
            Metrics::with_process_collector(false),
        );
        let (a, b) = (
            one.critic_series("bias_critic"),
            two.critic_series("bias_critic"),
        );
        assert_eq!(a.slot, b.slot);
        for i in 0..100 {
            a.record(0.5, Ok(Verdict::Approve));
            if i % 2 == 0 {
                b.record(0.25, Err(FailureReason::Error));
            }
        }
        let (a_totals, b_totals) = (
            scraped(&scrape(&one), "bias_critic"),
            scraped(&scrape(&two), "bias_critic"),
        );
        assert_eq!(a_totals.verdicts[Verdict::Approve.index()], 100);
        assert_eq!(a_totals.sum, 50.0);
        assert_eq!(b_totals.failures[FailureReason::Error.index()], 50);
        assert_eq!(b_totals.sum, 12.5);
        // Taking the cache back finds the thread's shard again.
        assert_eq!((a.shard_count(), b.shard_count()), (1, 1));
    }

    #[test]
    fn scrapes_during_calls_never_go_down_and_each_shard_is_read_whole() {
        let metrics = Metrics::with_process_collector(false);
        let series = metrics.critic_series("bias_critic");
        let stop = AtomicBool::new(false);
        let scrapes = std::thread::scope(|s| {
            for t in 0..3 {
                let (series, stop) = (&series, &stop);
                s.spawn(move || {
                    let mut round = 0;
                    while !stop.load(Ordering::Relaxed) {
                        record_calls(series, t + round, 200);
                        round += 1;
                    }
                });
            }
            let scraper = s.spawn(|| {
                let mut previous: Option<BTreeMap<String, f64>> = None;
                let mut scrapes = 0;
                for _ in 0..300 {
                    let samples = scrape(&metrics);
                    // Whole shards: every call is in the count, the buckets and one outcome.
                    let totals = scraped(&samples, "bias_critic");
                    let outcomes: u64 = totals.verdicts.iter().chain(&totals.failures).sum::<u64>();
                    assert_eq!(outcomes, totals.executions());
                    if let Some(previous) = &previous {
                        for (key, value) in &samples {
                            if key.starts_with("eje_critic_") {
                                assert!(
                                    *value >= previous[key],
                                    "{key} went from {} to {value}",
                                    previous[key]
                                );
                            }
                        }
                    }
                    previous = Some(samples);
                    scrapes += 1;
                }
                scrapes
            });
            let scrapes = scraper.join();
            // Stop the writers first, so a failed scrape fails the test rather than hanging it.
            stop.store(true, Ordering::Relaxed);
            scrapes.unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        });
        assert_eq!(scrapes, 300);
        assert!(series.totals().executions() > 0);
    }

    #[test]
    fn the_exposition_is_the_one_prometheus_vectors_give() {
        let metrics = Metrics::with_process_collector(false);
        let bias = metrics.critic_series("bias_critic");
        let extra = metrics.critic_series("tone_critic");
        record_calls(&bias, 0, 300);
        record_calls(&extra, 3, 70);

        // The same calls through `prometheus`' own vectors, every critic's series touched.
        let reference = Registry::new();
        let counter = |metric: &Metric| {
            let labels: Vec<&str> = metric.labels.iter().map(|l| l.name).collect();
            let vec = IntCounterVec::new(Opts::new(metric.name, metric.help), &labels).unwrap();
            reference.register(Box::new(vec.clone())).unwrap();
            vec
        };
        let executions = counter(&eje::CRITIC_EXECUTIONS_TOTAL);
        let failures = counter(&eje::CRITIC_FAILURES_TOTAL);
        let verdicts = counter(&eje::CRITIC_VERDICTS_TOTAL);
        let duration = HistogramVec::new(
            HistogramOpts::new(
                eje::CRITIC_DURATION_SECONDS.name,
                eje::CRITIC_DURATION_SECONDS.help,
            )
            .buckets(eje::CRITIC_BUCKETS.to_vec()),
            &[eje::CRITIC.name],
        )
        .unwrap();
        reference.register(Box::new(duration.clone())).unwrap();
        let mut critics = metrics.registered_critics();
        critics.push(eje::CRITIC_OVERFLOW.to_string());
        for critic in &critics {
            executions.with_label_values(&[critic]);
            duration.with_label_values(&[critic]);
            for r in FailureReason::ALL {
                failures.with_label_values(&[critic, r.as_str()]);
            }
            for v in Verdict::ALL {
                verdicts.with_label_values(&[critic, v.as_str()]);
            }
        }
        for (critic, t, calls) in [("bias_critic", 0, 300), ("tone_critic", 3, 70)] {
            for i in 0..calls {
                let (seconds, outcome) = call(t, i);
                executions.with_label_values(&[critic]).inc();
                duration.with_label_values(&[critic]).observe(seconds);
                match outcome {
                    Ok(v) => verdicts.with_label_values(&[critic, v.as_str()]).inc(),
                    Err(r) => failures.with_label_values(&[critic, r.as_str()]).inc(),
                }
            }
        }
        let want = String::from_utf8(crate::metrics::encode(&reference)).unwrap();
        let ours: String = String::from_utf8(metrics.encode())
            .unwrap()
            .lines()
            .filter(|line| FAMILIES.iter().any(|m| line.contains(m.name)))
            .map(|line| format!("{line}\n"))
            .collect();
        assert_eq!(ours, want);
    }
}
