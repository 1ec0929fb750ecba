//! Durations as Prometheus writes them (`30s`, `5m`, `1h30m`, `30d`): typed in the DSL, so a
//! malformed or negative duration cannot be expressed.

use std::fmt;

/// A non-negative duration with millisecond resolution.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Duration {
    millis: u64,
}

const SECOND: u64 = 1000;
const MINUTE: u64 = 60 * SECOND;
const HOUR: u64 = 60 * MINUTE;
const DAY: u64 = 24 * HOUR;
const WEEK: u64 = 7 * DAY;

impl Duration {
    pub const ZERO: Duration = Duration { millis: 0 };

    pub const fn millis(millis: u64) -> Duration {
        Duration { millis }
    }

    pub const fn as_millis(self) -> u64 {
        self.millis
    }

    pub fn as_secs_f64(self) -> f64 {
        self.millis as f64 / 1000.0
    }

    pub const fn is_zero(&self) -> bool {
        self.millis == 0
    }

    /// Parses Prometheus's duration syntax: one or more `<number><unit>` with units `y w d h m s
    /// ms`, largest first, as `promtool` accepts.
    pub fn parse(text: &str) -> Result<Duration, String> {
        const UNITS: [(&str, u64); 7] = [
            ("y", 365 * DAY),
            ("w", WEEK),
            ("d", DAY),
            ("h", HOUR),
            ("ms", 1),
            ("m", MINUTE),
            ("s", SECOND),
        ];
        let order = |unit: &str| {
            ["y", "w", "d", "h", "m", "s", "ms"]
                .iter()
                .position(|u| *u == unit)
        };
        if text.is_empty() {
            return Err("empty duration".into());
        }
        if text == "0" {
            return Ok(Duration::ZERO);
        }
        let mut rest = text;
        let mut total: u64 = 0;
        let mut last: Option<usize> = None;
        while !rest.is_empty() {
            let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 {
                return Err(format!("not a valid duration string: {text:?}"));
            }
            let number: u64 = rest[..digits]
                .parse()
                .map_err(|_| format!("duration out of range: {text:?}"))?;
            rest = &rest[digits..];
            let (unit, size) = UNITS
                .iter()
                .find(|(unit, _)| rest.starts_with(unit))
                .ok_or_else(|| format!("not a valid duration string: {text:?}"))?;
            let position = order(unit);
            if last.is_some() && position <= last {
                return Err(format!("not a valid duration string: {text:?}"));
            }
            last = position;
            rest = &rest[unit.len()..];
            total = number
                .checked_mul(*size)
                .and_then(|n| total.checked_add(n))
                .ok_or_else(|| format!("duration out of range: {text:?}"))?;
        }
        Ok(Duration { millis: total })
    }
}

impl std::ops::Add for Duration {
    type Output = Duration;
    fn add(self, other: Duration) -> Duration {
        Duration::millis(self.millis + other.millis)
    }
}

impl std::ops::Mul<u64> for Duration {
    type Output = Duration;
    fn mul(self, factor: u64) -> Duration {
        Duration::millis(self.millis * factor)
    }
}

/// `n` seconds.
pub const fn secs(n: u64) -> Duration {
    Duration::millis(n * SECOND)
}

/// `n` minutes.
pub const fn mins(n: u64) -> Duration {
    Duration::millis(n * MINUTE)
}

/// `n` hours.
pub const fn hours(n: u64) -> Duration {
    Duration::millis(n * HOUR)
}

/// `n` days.
pub const fn days(n: u64) -> Duration {
    Duration::millis(n * DAY)
}

impl fmt::Display for Duration {
    /// Prometheus's own formatting: `0s`, `90s` as `1m30s`, `30d`, `1w`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.millis == 0 {
            return f.write_str("0s");
        }
        let mut rest = self.millis;
        for (unit, size) in [
            ("w", WEEK),
            ("d", DAY),
            ("h", HOUR),
            ("m", MINUTE),
            ("s", SECOND),
            ("ms", 1),
        ] {
            // Prometheus prints weeks only when the whole duration is a number of weeks.
            if unit == "w" && rest % WEEK != 0 {
                continue;
            }
            if rest >= size {
                write!(f, "{}{unit}", rest / size)?;
                rest %= size;
            }
        }
        Ok(())
    }
}

impl serde::Serialize for Duration {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(text: &str, expect: &str) {
        let got = match Duration::parse(text) {
            Ok(d) => d.to_string(),
            Err(e) => format!("error: {e}"),
        };
        assert_eq!(got, expect, "parsing {text:?}");
    }

    #[test]
    fn round_trips() {
        check("0", "0s");
        check("30s", "30s");
        check("90s", "1m30s");
        check("1h30m", "1h30m");
        check("30d", "30d");
        check("28d", "4w");
        check("1500ms", "1s500ms");
        check("5m0s", "5m");
    }

    #[test]
    fn rejects_what_prometheus_rejects() {
        check("", "error: empty duration");
        check("5", "error: not a valid duration string: \"5\"");
        check("5x", "error: not a valid duration string: \"5x\"");
        check("1m1h", "error: not a valid duration string: \"1m1h\"");
        check("-5m", "error: not a valid duration string: \"-5m\"");
    }
}
