//! Structured logs: one JSON object per line, carrying the `trace_id` and `span_id` of the
//! current span, so a log line leads to its trace.
//!
//! ```text
//! {"ts":"2025-01-01T12:00:00.000Z","level":"warn","msg":"critic call failed","trace_id":"4bf9…","span_id":"00f0…","critic":"bias_critic","reason":"error"}
//! ```
//!
//! The writer is process-wide (stderr unless [`set_writer`] says otherwise), as is the minimum
//! level ([`set_level`]). Keys after `span_id` come in the order given.

use std::io::Write;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Mutex;
use std::time::SystemTime;

use opentelemetry::trace::TraceContextExt;
use opentelemetry::Context;
pub use serde_json::Value;

/// How severe a log line is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Debug = 0,
    Info = 1,
    Warn = 2,
    Error = 3,
    /// Above every level: `set_level(Level::Off)` silences the logs.
    Off = 4,
}

impl Level {
    pub const fn as_str(self) -> &'static str {
        match self {
            Level::Debug => "debug",
            Level::Info => "info",
            Level::Warn => "warn",
            Level::Error => "error",
            Level::Off => "off",
        }
    }

    pub fn parse(text: &str) -> Option<Level> {
        [
            Level::Debug,
            Level::Info,
            Level::Warn,
            Level::Error,
            Level::Off,
        ]
        .into_iter()
        .find(|l| l.as_str().eq_ignore_ascii_case(text))
    }
}

static LEVEL: AtomicU8 = AtomicU8::new(Level::Info as u8);
static WRITER: Mutex<Option<Box<dyn Write + Send>>> = Mutex::new(None);

/// Sends every later line to `writer` instead of stderr.
pub fn set_writer(writer: Box<dyn Write + Send>) {
    *WRITER.lock().unwrap_or_else(|e| e.into_inner()) = Some(writer);
}

/// Lines below `level` are not written.
pub fn set_level(level: Level) {
    LEVEL.store(level as u8, Ordering::Relaxed);
}

pub fn enabled(level: Level) -> bool {
    level != Level::Off && level as u8 >= LEVEL.load(Ordering::Relaxed)
}

/// Writes one line, if `level` is enabled. Failing to write a log line is not an error of the
/// caller: it is ignored.
pub fn emit(level: Level, message: &str, fields: &[(&str, Value)]) {
    if !enabled(level) {
        return;
    }
    let line = format_line(
        level,
        message,
        fields,
        &Context::current(),
        SystemTime::now(),
    );
    let mut writer = WRITER.lock().unwrap_or_else(|e| e.into_inner());
    let _ = match writer.as_mut() {
        Some(w) => w.write_all(line.as_bytes()).and_then(|_| w.flush()),
        None => std::io::stderr().lock().write_all(line.as_bytes()),
    };
}

/// The line `emit` writes, newline included.
pub fn format_line(
    level: Level,
    message: &str,
    fields: &[(&str, Value)],
    cx: &Context,
    now: SystemTime,
) -> String {
    let mut out = String::with_capacity(160);
    out.push_str("{\"ts\":\"");
    out.push_str(&rfc3339_millis(now));
    out.push_str("\",\"level\":\"");
    out.push_str(level.as_str());
    out.push_str("\",\"msg\":");
    push_json_str(&mut out, message);
    let span = cx.span();
    let span_context = span.span_context();
    if span_context.is_valid() {
        out.push_str(",\"trace_id\":\"");
        out.push_str(&span_context.trace_id().to_string());
        out.push_str("\",\"span_id\":\"");
        out.push_str(&span_context.span_id().to_string());
        out.push('"');
    }
    for (key, value) in fields {
        out.push(',');
        push_json_str(&mut out, key);
        out.push(':');
        out.push_str(&value.to_string());
    }
    out.push_str("}\n");
    out
}

fn push_json_str(out: &mut String, text: &str) {
    out.push_str(&Value::from(text).to_string());
}

/// `2025-01-01T12:00:00.000Z`.
fn rfc3339_millis(time: SystemTime) -> String {
    humantime::format_rfc3339_millis(time).to_string()
}

/// Logs a line at a level: `eje_runtime::log!(Level::Info, "listening", addr = addr.to_string())`.
/// Values are anything `serde_json::Value: From` takes.
#[macro_export]
macro_rules! log {
    ($level:expr, $msg:expr $(, $key:ident = $value:expr)* $(,)?) => {
        if $crate::log::enabled($level) {
            $crate::log::emit(
                $level,
                &$msg,
                &[$((stringify!($key), $crate::log::Value::from($value))),*],
            )
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    #[track_caller]
    fn check_time(unix_millis: u64, expect: &str) {
        assert_eq!(
            rfc3339_millis(UNIX_EPOCH + Duration::from_millis(unix_millis)),
            expect
        );
    }

    #[test]
    fn timestamps_are_rfc3339_utc() {
        check_time(0, "1970-01-01T00:00:00.000Z");
        check_time(951_782_400_123, "2000-02-29T00:00:00.123Z");
        check_time(1_735_732_800_000, "2025-01-01T12:00:00.000Z");
        check_time(4_107_542_399_999, "2100-02-28T23:59:59.999Z");
    }

    #[test]
    fn a_line_is_one_json_object_with_fields_in_order() {
        let line = format_line(
            Level::Warn,
            "say \"hi\"\n",
            &[("critic", "bias_critic".into()), ("n", 3.into())],
            &Context::new(),
            UNIX_EPOCH,
        );
        assert_eq!(
            line,
            "{\"ts\":\"1970-01-01T00:00:00.000Z\",\"level\":\"warn\",\"msg\":\"say \\\"hi\\\"\\n\",\"critic\":\"bias_critic\",\"n\":3}\n"
        );
        let parsed: Value = serde_json::from_str(&line).unwrap();
        assert_eq!(parsed["msg"], "say \"hi\"\n");
    }
}
