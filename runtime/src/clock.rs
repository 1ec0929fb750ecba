//! The clock of critic call latency: `quanta`, which reads the CPU's time-stamp counter where it
//! is invariant (calibrated once against the monotonic clock) and the monotonic clock elsewhere.
//!
//! Why not `Instant`: a tracked call reads the clock twice, and on the reference machine
//! `Instant::now()` costs about twice a TSC read; that difference is most of a call's budget.
//!
//! Architecture Invariant: one clock for the process, made by [`init`] before any handle that
//! reads it exists (`Metrics::new` calls it first), so a start and its end share a calibration.

use std::sync::OnceLock;

static CLOCK: OnceLock<quanta::Clock> = OnceLock::new();

/// Makes the process's clock (calibrating the TSC, once).
pub(crate) fn init() {
    clock();
}

#[inline(always)]
fn clock() -> &'static quanta::Clock {
    CLOCK.get_or_init(quanta::Clock::new)
}

/// A reading, to give back to [`seconds_since`].
#[inline(always)]
pub(crate) fn now() -> u64 {
    clock().raw()
}

/// Seconds from `start` (a reading of [`now`]) to now; never negative.
#[inline(always)]
pub(crate) fn seconds_since(start: u64) -> f64 {
    let clock = clock();
    clock.delta_as_nanos(start, clock.raw()) as f64 * 1e-9
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    #[test]
    fn the_clock_measures_a_sleep_within_a_few_percent() {
        init();
        for millis in [5u64, 20] {
            let start = now();
            let reference = Instant::now();
            std::thread::sleep(Duration::from_millis(millis));
            let measured = seconds_since(start);
            let truth = reference.elapsed().as_secs_f64();
            assert!(
                (measured - truth).abs() < truth * 0.05 + 0.000_2,
                "{measured} vs {truth}"
            );
        }
    }
}
