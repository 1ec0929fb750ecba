//! `eje-demo`: the EJE pipeline on synthetic requests, serving `/metrics` and exporting traces,
//! with per-critic fault injection from flags and, at run time, from `POST /faults`.
//!
//! Stops on SIGINT or SIGTERM (or after `--duration`), flushing its spans.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use eje_runtime::demo::{Driver, DriverConfig, Fault, Faults};
use eje_runtime::log::Level;
use eje_runtime::{log, Runtime, TraceConfig};

const USAGE: &str = "\
eje-demo: the EJE pipeline on synthetic requests, instrumented

USAGE: eje-demo [FLAGS]

  --metrics-addr HOST:PORT   serve /metrics and /faults here [default: 0.0.0.0:8000]
  --otlp-endpoint URL        post spans here (OTLP/HTTP protobuf) [default: http://localhost:4318/v1/traces]
  --no-traces                export no spans
  --rate N                   requests per second [default: 20]
  --workers N                decisions at once, eje_decision_capacity [default: 8]
  --fail CRITIC=RATIO        fail this share of CRITIC's calls (repeatable)
  --latency CRITIC=MS        add MS milliseconds to CRITIC's calls (repeatable)
  --seed N                   seed of the synthetic traffic [default: 42]
  --duration SECS            stop after SECS seconds [default: run until SIGINT/SIGTERM]
  --sample-ratio R           share of decisions traced [default: 1]
  --batch-delay-ms MS        longest a span waits for export [default: 5000]
  --otlp-timeout-ms MS       bound of one export [default: 10000]
  --log-level LEVEL          debug, info, warn, error or off [default: info]
  -h, --help                 this text

CRITIC is one of bias_critic, safety_critic, privacy_critic, legal_critic.
At run time: POST /faults?critic=C&fail=R&latency_ms=MS, POST /faults/clear[?critic=C], GET /faults.
";

/// The flags, parsed.
#[derive(Debug)]
struct Options {
    metrics_addr: String,
    trace: Option<TraceConfig>,
    driver: DriverConfig,
    faults: Vec<(String, Fault)>,
    duration: Option<Duration>,
    log_level: Level,
}

fn parse(args: impl IntoIterator<Item = String>) -> Result<Options, String> {
    let mut options = Options {
        metrics_addr: eje_runtime::DEFAULT_METRICS_ADDR.to_string(),
        trace: Some(TraceConfig::default()),
        driver: DriverConfig::default(),
        faults: Vec::new(),
        duration: None,
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
    options.trace = traces.then_some(trace);
    Ok(options)
}

fn number<T: std::str::FromStr>(flag: &str, text: &str) -> Result<T, String> {
    text.parse()
        .map_err(|_| format!("{flag}: {text:?} is not a valid number"))
}

static STOP: AtomicBool = AtomicBool::new(false);

extern "C" fn on_signal(_: libc::c_int) {
    STOP.store(true, Ordering::SeqCst);
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
    let server = match runtime.serve(options.metrics_addr.as_str(), Some(faults.clone())) {
        Ok(server) => server,
        Err(e) => {
            driver.stop();
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
        faults = faults.to_json(),
    );

    let started = Instant::now();
    while !STOP.load(Ordering::SeqCst) && options.duration.is_none_or(|d| started.elapsed() < d) {
        std::thread::sleep(Duration::from_millis(50));
    }
    driver.stop();
    let flushed = runtime.shutdown(Duration::from_secs(5));
    server.shutdown();
    let decisions: u64 = eje_runtime::Verdict::ALL
        .iter()
        .flat_map(|v| {
            eje_runtime::DecisionStatus::ALL
                .iter()
                .map(move |s| runtime.metrics().decisions(*v, *s).get())
        })
        .sum();
    log!(
        Level::Info,
        "eje-demo stopped",
        decisions = decisions,
        spans_dropped = runtime.metrics().spans_dropped().get(),
        trace_flush = flushed.err().map(|e| e.to_string()),
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
        let o = parse_words("--metrics-addr 127.0.0.1:0 --otlp-endpoint=http://c:4318/v1/traces --rate 5 --fail bias_critic=0.5 --latency bias_critic=20 --fail legal_critic=1").unwrap();
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
            parse_words("--bogus").unwrap_err(),
            "unknown flag \"--bogus\"; see --help"
        );
    }
}
