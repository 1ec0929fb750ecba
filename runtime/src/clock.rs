//! The clock of critic call latency: the CPU's time-stamp counter where the kernel itself trusts
//! it as its clocksource, else `Instant`.
//!
//! Why: on the reference machine `Instant::now()` costs about 23 ns and `rdtsc` about 10 ns; a
//! tracked call reads the clock twice, and that difference is most of the budget of a call.
//!
//! Architecture Invariant: the mode is chosen once, by [`init`], before any handle that reads the
//! clock exists (`Metrics::new` calls it first), so a start and its end always use the same mode.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Seconds per TSC tick as `f64` bits; 0 while the clock is `Instant`-based.
static SECONDS_PER_TICK: AtomicU64 = AtomicU64::new(0);
static CALIBRATED: OnceLock<()> = OnceLock::new();
static BASE: OnceLock<Instant> = OnceLock::new();

/// Chooses the clock (once per process): the TSC if the kernel's clocksource is `tsc`.
pub(crate) fn init() {
    CALIBRATED.get_or_init(|| {
        BASE.get_or_init(Instant::now);
        if let Some(seconds_per_tick) = calibrate_tsc() {
            SECONDS_PER_TICK.store(seconds_per_tick.to_bits(), Ordering::Release);
        }
    });
}

/// Whether the clock reads the TSC.
pub(crate) fn uses_tsc() -> bool {
    SECONDS_PER_TICK.load(Ordering::Relaxed) != 0
}

/// A reading, to give back to [`seconds_since`].
#[inline(always)]
pub(crate) fn now() -> u64 {
    if uses_tsc() {
        return ticks();
    }
    BASE.get_or_init(Instant::now).elapsed().as_nanos() as u64
}

/// Seconds from `start` (a reading of [`now`]) to now; never negative.
#[inline(always)]
pub(crate) fn seconds_since(start: u64) -> f64 {
    let per_tick = SECONDS_PER_TICK.load(Ordering::Relaxed);
    if per_tick != 0 {
        return ticks().saturating_sub(start) as f64 * f64::from_bits(per_tick);
    }
    now().saturating_sub(start) as f64 * 1e-9
}

#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn ticks() -> u64 {
    // SAFETY: `rdtsc` exists on every x86_64 CPU and has no memory effects.
    unsafe { core::arch::x86_64::_rdtsc() }
}

#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
fn ticks() -> u64 {
    0
}

#[cfg(all(target_arch = "x86_64", target_os = "linux"))]
fn calibrate_tsc() -> Option<f64> {
    let source =
        std::fs::read_to_string("/sys/devices/system/clocksource/clocksource0/current_clocksource")
            .ok()?;
    if source.trim() != "tsc" {
        return None;
    }
    let (t0, c0) = (Instant::now(), ticks());
    std::thread::sleep(Duration::from_millis(2));
    let (c1, t1) = (ticks(), Instant::now());
    let elapsed = t1.duration_since(t0).as_secs_f64();
    let counted = c1.checked_sub(c0)? as f64;
    // A counter slower than 100 MHz or faster than 10 GHz is not a TSC to trust.
    let hz = counted / elapsed;
    (1e8..1e10).contains(&hz).then_some(1.0 / hz)
}

#[cfg(not(all(target_arch = "x86_64", target_os = "linux")))]
fn calibrate_tsc() -> Option<f64> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

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
                "{measured} vs {truth} (tsc: {})",
                uses_tsc()
            );
        }
    }
}
