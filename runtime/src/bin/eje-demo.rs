//! `eje-demo`: the EJE pipeline on synthetic requests, serving `/metrics` and exporting traces,
//! with per-critic fault injection from flags and, at run time, from `POST /faults`.
//!
//! Stops on SIGINT or SIGTERM (or after `--duration`), flushing its spans, within
//! `--shutdown-timeout-ms` (plus at most [`SHUTDOWN_SLACK`]) whatever faults are set; a second
//! signal exits at once.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use eje_runtime::demo::{Driver, DriverConfig, Fault, Faults, MAX_LATENCY};
use eje_runtime::log::Level;
use eje_runtime::server::SHUTDOWN_GRACE;
use eje_runtime::{log, Runtime, SpanDropReason, TraceConfig};

/// What the stop may take past `--shutdown-timeout-ms`: the server's grace is inside the budget,
/// this is for the threads to get there.
const SHUTDOWN_SLACK: Duration = Duration::from_millis(500);
/// The longest the decisions in progress are waited for (injected latencies end at once).
const DRIVER_STOP_LIMIT: Duration = Duration::from_secs(1);

const USAGE: &str = "\
eje-demo: the EJE pipeline on synthetic requests, instrumented

USAGE: eje-demo [FLAGS]

  --metrics-addr HOST:PORT   serve /metrics (and /faults) here [default: 127.0.0.1:8000];
                             0.0.0.0:8000 to be scraped from other hosts
  --enable-faults            allow fault injection: --fail, --latency and the /faults routes
  --otlp-endpoint URL        post spans here (OTLP/HTTP protobuf) [default: http://localhost:4318/v1/traces]
  --no-traces                export no spans
  --rate N                   requests per second [default: 20]
  --workers N                decisions at once, eje_decision_capacity [default: 8]
  --fail CRITIC=RATIO        fail this share of CRITIC's calls (repeatable)
  --latency CRITIC=MS        add MS milliseconds to CRITIC's calls, at most 600000 (repeatable)
  --seed N                   seed of the synthetic traffic [default: 42]
  --duration SECS            stop after SECS seconds [default: run until SIGINT/SIGTERM]
  --sample-ratio R           share of decisions traced [default: 1]
  --batch-delay-ms MS        longest a span waits for export [default: 5000]
  --otlp-timeout-ms MS       bound of one export [default: 10000]
  --shutdown-timeout-ms MS   stop within MS (+0.5 s) of SIGTERM, flushing spans [default: 5000]
  --log-level LEVEL          debug, info, warn, error or off [default: info]
  -h, --help                 this text

CRITIC is one of bias_critic, safety_critic, privacy_critic, legal_critic.
With --enable-faults, at run time: POST /faults?critic=C&fail=R&latency_ms=MS,
POST /faults/clear[?critic=C], GET /faults.
";

/// The flags, parsed.
#[derive(Debug)]
struct Options {
    metrics_addr: String,
    trace: Option<TraceConfig>,
    driver: DriverConfig,
    enable_faults: bool,
    faults: Vec<(String, Fault)>,
    duration: Option<Duration>,
    shutdown_timeout: Duration,
    log_level: Level,
}

fn parse(args: impl IntoIterator<Item = String>) -> Result<Options, String> {
    let mut options = Options {
        metrics_addr: eje_runtime::DEFAULT_METRICS_ADDR.to_string(),
        trace: Some(TraceConfig::default()),
        driver: DriverConfig::default(),
        enable_faults: false,
        faults: Vec::new(),
        duration: None,
        shutdown_timeout: Duration::from_secs(5),
        log_level: Level::Info,
    };
    let mut trace = TraceConfig::default();
    let mut traces = true;
    let mut args = args.into_iter();
    while let Some(flag) = args.next() {
        let (flag, inline) = match flag.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (flag, None),
        };
        let mut value = || -> Result<String, String> {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| format!("{flag} needs a value"))
        };
        match flag.as_str() {
            "-h" | "--help" => return Err(String::new()),
            "--metrics-addr" => options.metrics_addr = value()?,
            "--otlp-endpoint" => trace.endpoint = value()?,
            "--no-traces" => traces = false,
            "--enable-faults" => options.enable_faults = true,
            "--shutdown-timeout-ms" => {
                options.shutdown_timeout = Duration::from_millis(number(&flag, &value()?)?)
            }
            "--rate" => options.driver.rate = number(&flag, &value()?)?,
            "--workers" => options.driver.workers = number(&flag, &value()?)?,
            "--seed" => options.driver.seed = number(&flag, &value()?)?,
            "--duration" => {
                options.duration = Some(Duration::from_secs_f64(number(&flag, &value()?)?))
            }
            "--sample-ratio" => trace.sample_ratio = number(&flag, &value()?)?,
            "--batch-delay-ms" => {
                trace.batch.scheduled_delay = Duration::from_millis(number(&flag, &value()?)?)
            }
            "--otlp-timeout-ms" => {
                trace.export_timeout = Duration::from_millis(number(&flag, &value()?)?)
            }
            "--log-level" => {
                let text = value()?;
                options.log_level =
                    Level::parse(&text).ok_or_else(|| format!("unknown log level {text:?}"))?;
            }
            "--fail" | "--latency" => {
                let text = value()?;
                let (critic, amount) = text
                    .split_once('=')
                    .ok_or_else(|| format!("{flag} takes CRITIC=VALUE, got {text:?}"))?;
                let mut fault = options
                    .faults
                    .iter()
                    .find(|(c, _)| c == critic)
                    .map(|(_, f)| *f)
                    .unwrap_or_default();
                if flag == "--fail" {
                    fault.fail_ratio = number(&flag, amount)?;
                } else {
                    fault.latency = Duration::from_millis(number(&flag, amount)?);
                    if fault.latency > MAX_LATENCY {
                        return Err(format!(
                            "{flag} {text}: at most {} ms",
                            MAX_LATENCY.as_millis()
                        ));
                    }
                }
                options.faults.retain(|(c, _)| c != critic);
                options.faults.push((critic.to_string(), fault));
            }
            other => return Err(format!("unknown flag {other:?}; see --help")),
        }
    }
    if options.driver.rate.is_nan() || options.driver.rate <= 0.0 {
        return Err("--rate must be above 0".into());
    }
    if !options.faults.is_empty() && !options.enable_faults {
        return Err("--fail and --latency inject faults: add --enable-faults".into());
    }
    options.trace = traces.then_some(trace);
    Ok(options)
}

fn number<T: std::str::FromStr>(flag: &str, text: &str) -> Result<T, String> {
    text.parse()
        .map_err(|_| format!("{flag}: {text:?} is not a valid number"))
}

static STOP: AtomicBool = AtomicBool::new(false);

extern "C" fn on_signal(_: libc::c_int) {
    if STOP.swap(true, Ordering::SeqCst) {
        // The second signal: the operator wants out now.
        // SAFETY: `_exit` is async-signal-safe.
        unsafe { libc::_exit(130) };
    }
}

fn main() {
    let options = match parse(std::env::args().skip(1)) {
        Ok(options) => options,
        Err(message) if message.is_empty() => {
            print!("{USAGE}");
            return;
        }
        Err(message) => {
            eprintln!("eje-demo: {message}");
            std::process::exit(2);
        }
    };
    if let Err(message) = run(options) {
        log!(Level::Error, "eje-demo failed", error = message.clone());
        eprintln!("eje-demo: {message}");
        std::process::exit(1);
    }
}

fn run(options: Options) -> Result<(), String> {
    log::set_level(options.log_level);
    // SAFETY: the handler only stores to an atomic, which is async-signal-safe.
    unsafe {
        libc::signal(libc::SIGINT, on_signal as *const () as libc::sighandler_t);
        libc::signal(libc::SIGTERM, on_signal as *const () as libc::sighandler_t);
    }

    let mut builder = Runtime::builder();
    if let Some(trace) = &options.trace {
        builder = builder.otlp(trace.clone());
    }
    let runtime = builder.build().map_err(|e| e.to_string())?;
    let runtime = runtime
        .install()
        .map_err(|_| "a runtime was already installed".to_string())?;

    let faults = Faults::new();
    for (critic, fault) in &options.faults {
        faults.set(critic, *fault)?;
    }
    // The driver first, so the first scrape already sees the capacity.
    let driver = Driver::start(runtime, faults.clone(), options.driver);
    let routes: Option<std::sync::Arc<dyn eje_runtime::server::Handler>> = if options.enable_faults
    {
        Some(faults.clone())
    } else {
        None
    };
    let server = match runtime.serve(options.metrics_addr.as_str(), routes) {
        Ok(server) => server,
        Err(e) => {
            driver.stop(DRIVER_STOP_LIMIT);
            return Err(format!("{e} (address {})", options.metrics_addr));
        }
    };
    log!(
        Level::Info,
        "eje-demo started",
        metrics_addr = server.local_addr().to_string(),
        otlp_endpoint = options.trace.as_ref().map(|t| t.endpoint.clone()),
        rate = options.driver.rate,
        workers = options.driver.workers,
        faults_enabled = options.enable_faults,
        faults = faults.to_json(),
    );

    let started = Instant::now();
    while !STOP.load(Ordering::SeqCst) && options.duration.is_none_or(|d| started.elapsed() < d) {
        std::thread::sleep(Duration::from_millis(50));
    }
    // Every step below is bounded, so the whole stop fits in the budget.
    let stop_started = Instant::now();
    let deadline = stop_started + options.shutdown_timeout;
    let left = || deadline.saturating_duration_since(Instant::now());
    let drained = driver.stop(left().min(DRIVER_STOP_LIMIT));
    let flushed = runtime.shutdown(
        left()
            .saturating_sub(SHUTDOWN_GRACE)
            .max(Duration::from_millis(100)),
    );
    server.shutdown();
    let decisions: u64 = eje_runtime::Verdict::ALL
        .iter()
        .flat_map(|v| {
            eje_runtime::DecisionStatus::ALL
                .iter()
                .map(move |s| runtime.metrics().decisions(*v, *s).get())
        })
        .sum();
    let spans = runtime.span_counts();
    let took = stop_started.elapsed();
    if took > options.shutdown_timeout + SHUTDOWN_SLACK {
        log!(
            Level::Warn,
            "eje-demo stop overran its bound",
            stop_ms = took.as_millis() as u64,
            bound_ms = (options.shutdown_timeout + SHUTDOWN_SLACK).as_millis() as u64,
        );
    }
    log!(
        Level::Info,
        "eje-demo stopped",
        decisions = decisions,
        decisions_drained = drained,
        spans_ended = spans.ended,
        spans_exported = spans.exported,
        spans_dropped = spans.dropped_total(),
        spans_dropped_queue_full = spans.dropped(SpanDropReason::QueueFull),
        spans_dropped_export_failed = spans.dropped(SpanDropReason::ExportFailed),
        spans_dropped_shutdown = spans.dropped(SpanDropReason::Shutdown),
        trace_flush = flushed.err().map(|e| e.to_string()),
        stop_ms = took.as_millis() as u64,
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_words(line: &str) -> Result<Options, String> {
        parse(line.split_whitespace().map(String::from))
    }

    #[test]
    fn flags_parse_into_options() {
        let o = parse_words("--metrics-addr 127.0.0.1:0 --otlp-endpoint=http://c:4318/v1/traces --rate 5 --enable-faults --fail bias_critic=0.5 --latency bias_critic=20 --fail legal_critic=1").unwrap();
        assert_eq!(o.metrics_addr, "127.0.0.1:0");
        assert_eq!(o.trace.unwrap().endpoint, "http://c:4318/v1/traces");
        assert_eq!(o.driver.rate, 5.0);
        assert_eq!(
            o.faults,
            vec![
                (
                    "bias_critic".to_string(),
                    Fault {
                        fail_ratio: 0.5,
                        latency: Duration::from_millis(20)
                    }
                ),
                (
                    "legal_critic".to_string(),
                    Fault {
                        fail_ratio: 1.0,
                        latency: Duration::ZERO
                    }
                ),
            ]
        );
        assert!(parse_words("--no-traces").unwrap().trace.is_none());
        let defaults = parse_words("").unwrap();
        assert_eq!(defaults.metrics_addr, "127.0.0.1:8000");
        assert!(!defaults.enable_faults);
        assert_eq!(defaults.shutdown_timeout, Duration::from_secs(5));
    }

    #[test]
    fn bad_flags_say_what_is_wrong() {
        assert_eq!(parse_words("--rate").unwrap_err(), "--rate needs a value");
        assert_eq!(
            parse_words("--rate x").unwrap_err(),
            "--rate: \"x\" is not a valid number"
        );
        assert_eq!(
            parse_words("--rate 0").unwrap_err(),
            "--rate must be above 0"
        );
        assert_eq!(
            parse_words("--fail bias_critic").unwrap_err(),
            "--fail takes CRITIC=VALUE, got \"bias_critic\""
        );
        assert_eq!(
            parse_words("--fail bias_critic=1").unwrap_err(),
            "--fail and --latency inject faults: add --enable-faults"
        );
        assert_eq!(
            parse_words("--enable-faults --latency bias_critic=600001").unwrap_err(),
            "--latency bias_critic=600001: at most 600000 ms"
        );
        assert_eq!(
            parse_words("--bogus").unwrap_err(),
            "unknown flag \"--bogus\"; see --help"
        );
    }
}
