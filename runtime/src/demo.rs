//! The EJE pipeline on synthetic requests, for the `eje-demo` binary and the tests: four critics
//! (bias, safety, privacy, legal), an aggregator combining their verdicts, per-critic fault
//! injection that can be changed at run time over HTTP, and a driver at a steady rate.
//!
//! Randomness is a seeded SplitMix64: the same seed gives the same requests and verdicts.

use std::collections::BTreeMap;
use std::ops::Deref;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, TrySendError};
use std::sync::{Arc, Condvar, Mutex, RwLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use sextant_catalog::eje::{ApiVersion, FailureReason, RequestStatus, UserType, Verdict};

use crate::critic::CriticHandle;
use crate::runtime::Runtime;
use crate::server::{Handler, Request, Response};
use crate::verdict::{CriticError, CriticOutput, HasVerdict};

/// The critics of the pipeline, in call order.
pub const CRITICS: [&str; 4] = [
    "bias_critic",
    "safety_critic",
    "privacy_critic",
    "legal_critic",
];

/// The pipeline's name, on its decision spans.
pub const PIPELINE: &str = "main_pipeline";

/// A decision slower than this ends with status `timeout`.
pub const DECISION_DEADLINE: Duration = Duration::from_secs(2);

/// SplitMix64: small, fast, and good enough for synthetic traffic.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `[0, 1)`.
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[(self.next_u64() % items.len() as u64) as usize]
    }
}

/// The largest latency a fault may add to a call. A call sleeping through it still ends at once
/// when the driver stops ([`Faults::interrupt`]).
pub const MAX_LATENCY: Duration = Duration::from_secs(600);

/// What is injected into one critic.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Fault {
    /// The share of calls that fail, in `[0, 1]`.
    pub fail_ratio: f64,
    /// Added to every call, at most [`MAX_LATENCY`].
    pub latency: Duration,
}

/// The faults injected per critic, shared by the pipeline and the control endpoint.
#[derive(Debug, Default)]
pub struct Faults {
    by_critic: RwLock<BTreeMap<String, Fault>>,
    /// Set by [`Faults::interrupt`]: injected latencies end at once from then on.
    interrupted: Mutex<bool>,
    wake: Condvar,
}

impl Faults {
    pub fn new() -> Arc<Faults> {
        Arc::new(Faults::default())
    }

    /// Sets the fault of `critic`, one of [`CRITICS`].
    pub fn set(&self, critic: &str, fault: Fault) -> Result<(), String> {
        if !CRITICS.contains(&critic) {
            return Err(format!(
                "unknown critic {critic:?}, expected one of {}",
                CRITICS.join(", ")
            ));
        }
        if !(0.0..=1.0).contains(&fault.fail_ratio) {
            return Err(format!(
                "failure ratio {} is outside [0, 1]",
                fault.fail_ratio
            ));
        }
        if fault.latency > MAX_LATENCY {
            return Err(format!(
                "latency of {} ms is over the limit of {} ms",
                fault.latency.as_millis(),
                MAX_LATENCY.as_millis()
            ));
        }
        let mut map = self.by_critic.write().unwrap_or_else(|e| e.into_inner());
        if fault == Fault::default() {
            map.remove(critic);
        } else {
            map.insert(critic.to_string(), fault);
        }
        Ok(())
    }

    /// Removes the fault of `critic`, or all of them.
    pub fn clear(&self, critic: Option<&str>) {
        let mut map = self.by_critic.write().unwrap_or_else(|e| e.into_inner());
        match critic {
            Some(critic) => drop(map.remove(critic)),
            None => map.clear(),
        }
    }

    /// Ends every injected latency in progress, and makes later ones end at once: the pipeline
    /// is stopping.
    pub fn interrupt(&self) {
        *self.interrupted.lock().unwrap_or_else(|e| e.into_inner()) = true;
        self.wake.notify_all();
    }

    /// Sleeps `latency`, or less if interrupted; whether the whole latency was slept.
    pub fn delay(&self, latency: Duration) -> bool {
        let interrupted = self.interrupted.lock().unwrap_or_else(|e| e.into_inner());
        let (interrupted, _) = self
            .wake
            .wait_timeout_while(interrupted, latency, |interrupted| !*interrupted)
            .unwrap_or_else(|e| e.into_inner());
        !*interrupted
    }

    pub fn get(&self, critic: &str) -> Fault {
        let map = self.by_critic.read().unwrap_or_else(|e| e.into_inner());
        map.get(critic).copied().unwrap_or_default()
    }

    /// `{"bias_critic":{"fail":0.9,"latency_ms":0}}`, critics sorted.
    pub fn to_json(&self) -> String {
        let map = self.by_critic.read().unwrap_or_else(|e| e.into_inner());
        let mut out = serde_json::Map::new();
        for (critic, fault) in map.iter() {
            let mut entry = serde_json::Map::new();
            entry.insert("fail".into(), fault.fail_ratio.into());
            entry.insert(
                "latency_ms".into(),
                (fault.latency.as_millis() as u64).into(),
            );
            out.insert(critic.clone(), entry.into());
        }
        serde_json::Value::Object(out).to_string()
    }
}

/// The fault control routes:
/// - `GET /faults`: the faults, as JSON;
/// - `POST /faults?critic=NAME&fail=RATIO&latency_ms=MS`: sets one critic's fault (parameters in
///   the query or a form body; a missing one is 0);
/// - `POST /faults/clear` (optionally `?critic=NAME`): removes faults.
impl Handler for Faults {
    fn handle(&self, request: &Request) -> Option<Response> {
        let answer = |result: Result<(), String>| match result {
            Ok(()) => Response::json(200, self.to_json() + "\n"),
            Err(message) => Response::text(400, message + "\n"),
        };
        match (request.method.as_str(), request.path.as_str()) {
            ("GET", "/faults") => Some(answer(Ok(()))),
            ("POST" | "PUT", "/faults") => Some(answer(
                parse_fault(request).and_then(|(critic, fault)| self.set(&critic, fault)),
            )),
            ("POST" | "DELETE", "/faults/clear") | ("DELETE", "/faults") => {
                self.clear(request.param("critic"));
                Some(answer(Ok(())))
            }
            (_, "/faults" | "/faults/clear") => Some(Response::text(405, "method not allowed\n")),
            _ => None,
        }
    }
}

fn parse_fault(request: &Request) -> Result<(String, Fault), String> {
    let critic = request
        .param("critic")
        .ok_or("missing parameter critic")?
        .to_string();
    let fail_ratio = match request.param("fail") {
        Some(text) => text
            .parse::<f64>()
            .map_err(|_| format!("fail={text:?} is not a number"))?,
        None => 0.0,
    };
    let latency_ms = match request.param("latency_ms") {
        Some(text) => text
            .parse::<u64>()
            .map_err(|_| format!("latency_ms={text:?} is not a whole number"))?,
        None => 0,
    };
    Ok((
        critic,
        Fault {
            fail_ratio,
            latency: Duration::from_millis(latency_ms),
        },
    ))
}

/// One synthetic request to the EJE API.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SyntheticRequest {
    pub id: u64,
    pub user_type: UserType,
    pub api_version: ApiVersion,
    /// How risky the content is, in `[0, 1)`: riskier content gets stricter verdicts.
    pub risk: f64,
    /// An invalid request is refused (4xx) before the pipeline.
    pub valid: bool,
}

impl SyntheticRequest {
    pub fn generate(rng: &mut Rng, id: u64) -> SyntheticRequest {
        SyntheticRequest {
            id,
            user_type: rng.pick(UserType::ALL),
            api_version: rng.pick(ApiVersion::ALL),
            risk: rng.next_f64(),
            valid: rng.next_f64() >= 0.02,
        }
    }
}

/// The pipeline: its critics bound once, and the faults they obey.
#[derive(Clone, Debug)]
pub struct Pipeline {
    critics: Vec<CriticHandle>,
    faults: Arc<Faults>,
    seed: u64,
}

impl Pipeline {
    pub fn new(runtime: &Runtime, faults: Arc<Faults>, seed: u64) -> Pipeline {
        Pipeline {
            critics: CRITICS.iter().map(|name| runtime.critic(*name)).collect(),
            faults,
            seed,
        }
    }

    /// One decision: every critic, then the aggregator, inside the decision's span.
    pub fn decide(
        &self,
        runtime: &Runtime,
        request: &SyntheticRequest,
    ) -> Result<CriticOutput, CriticError> {
        runtime.decide(PIPELINE, || {
            let started = Instant::now();
            let outputs: Vec<Result<CriticOutput, CriticError>> = self
                .critics
                .iter()
                .enumerate()
                .map(|(index, handle)| handle.track(|| self.evaluate(index, request)))
                .collect();
            let _span = runtime
                .span("aggregate")
                .with("eje.critics", outputs.len() as i64);
            aggregate(&outputs, started.elapsed())
        })
    }

    /// One critic's verdict on a request, with its injected fault.
    fn evaluate(
        &self,
        critic: usize,
        request: &SyntheticRequest,
    ) -> Result<CriticOutput, CriticError> {
        let fault = self.faults.get(CRITICS[critic]);
        let mut rng =
            Rng::new(self.seed ^ request.id.rotate_left(17) ^ ((critic as u64 + 1) << 56));
        if !fault.latency.is_zero() && !self.faults.delay(fault.latency) {
            return Err(CriticError::new(
                FailureReason::Timeout,
                format!("{} interrupted: the pipeline is stopping", CRITICS[critic]),
            ));
        }
        if fault.fail_ratio > 0.0 && rng.next_f64() < fault.fail_ratio {
            return Err(CriticError::new(
                FailureReason::Error,
                format!("{} failed (injected)", CRITICS[critic]),
            ));
        }
        // Each critic is a little more or less strict, with noise.
        let strictness = [0.0, 0.05, -0.05, 0.02][critic];
        let score = (request.risk + strictness + (rng.next_f64() - 0.5) * 0.2).clamp(0.0, 1.0);
        let verdict = if score < 0.7 {
            Verdict::Approve
        } else if score < 0.9 {
            Verdict::Escalate
        } else {
            Verdict::Reject
        };
        let confidence = 0.5 + (score - 0.5).abs();
        Ok(CriticOutput::new(verdict, confidence))
    }
}

/// Combines the critics' answers: any reject rejects, any escalation or failure escalates, and
/// more than half failing, or taking longer than [`DECISION_DEADLINE`], fails the decision.
pub fn aggregate(
    outputs: &[Result<CriticOutput, CriticError>],
    elapsed: Duration,
) -> Result<CriticOutput, CriticError> {
    if elapsed > DECISION_DEADLINE {
        return Err(CriticError::new(
            FailureReason::Timeout,
            format!("decision took {elapsed:?}"),
        ));
    }
    let failed = outputs.iter().filter(|o| o.is_err()).count();
    if failed * 2 > outputs.len() {
        return Err(CriticError::new(
            FailureReason::Error,
            format!("{failed} of {} critics failed", outputs.len()),
        ));
    }
    let verdicts: Vec<&CriticOutput> = outputs.iter().filter_map(|o| o.as_ref().ok()).collect();
    let verdict = if verdicts.iter().any(|o| o.verdict == Verdict::Reject) {
        Verdict::Reject
    } else if failed > 0 || verdicts.iter().any(|o| o.verdict == Verdict::Escalate) {
        Verdict::Escalate
    } else {
        Verdict::Approve
    };
    let agreeing: Vec<f64> = verdicts
        .iter()
        .filter(|o| o.verdict == verdict)
        .map(|o| o.confidence)
        .collect();
    let confidence = if agreeing.is_empty() {
        0.5
    } else {
        agreeing.iter().sum::<f64>() / agreeing.len() as f64
    };
    Ok(CriticOutput::new(verdict, confidence))
}

/// Serves one request: refuses an invalid one, else runs the pipeline; counts it by status.
pub fn handle_request(
    runtime: &Runtime,
    pipeline: &Pipeline,
    request: &SyntheticRequest,
) -> RequestStatus {
    let status = if !request.valid {
        RequestStatus::ClientError
    } else {
        match pipeline.decide(runtime, request).verdict() {
            Ok(_) => RequestStatus::Success,
            Err(_) => RequestStatus::ServerError,
        }
    };
    runtime
        .metrics()
        .record_request(request.user_type, request.api_version, status);
    status
}

/// How the driver runs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DriverConfig {
    /// Requests per second.
    pub rate: f64,
    /// Decisions processed at once (`eje_decision_capacity`).
    pub workers: usize,
    pub seed: u64,
}

impl Default for DriverConfig {
    fn default() -> Self {
        DriverConfig {
            rate: 20.0,
            workers: 8,
            seed: 42,
        }
    }
}

/// Requests at a steady rate onto a pool of workers; a request that finds every worker busy and
/// the queue full is refused with a 5xx (counted, no decision).
pub struct Driver {
    stop: Arc<AtomicBool>,
    faults: Arc<Faults>,
    threads: Vec<JoinHandle<()>>,
}

impl Driver {
    pub fn start<R>(runtime: R, faults: Arc<Faults>, config: DriverConfig) -> Driver
    where
        R: Deref<Target = Runtime> + Clone + Send + 'static,
    {
        let workers = config.workers.max(1);
        runtime.metrics().set_capacity(workers as i64);
        let pipeline = Pipeline::new(&runtime, faults.clone(), config.seed);
        let stop = Arc::new(AtomicBool::new(false));
        let (sender, receiver) = sync_channel::<SyntheticRequest>(workers);
        let receiver = Arc::new(Mutex::new(receiver));
        let mut threads = Vec::new();
        for index in 0..workers {
            let (runtime, pipeline, receiver) =
                (runtime.clone(), pipeline.clone(), receiver.clone());
            threads.push(
                std::thread::Builder::new()
                    .name(format!("eje-worker-{index}"))
                    .spawn(move || worker(&runtime, &pipeline, &receiver))
                    .expect("spawning a worker thread"),
            );
        }
        let ticker_stop = stop.clone();
        threads.push(
            std::thread::Builder::new()
                .name("eje-driver".into())
                .spawn(move || {
                    let period = Duration::from_secs_f64(1.0 / config.rate.max(0.001));
                    let mut rng = Rng::new(config.seed);
                    let mut next = Instant::now();
                    let mut id = 0u64;
                    while !ticker_stop.load(Ordering::Relaxed) {
                        let request = SyntheticRequest::generate(&mut rng, id);
                        id += 1;
                        if let Err(TrySendError::Full(request)) = sender.try_send(request) {
                            runtime.metrics().record_request(
                                request.user_type,
                                request.api_version,
                                RequestStatus::ServerError,
                            );
                        }
                        next += period;
                        let now = Instant::now();
                        if next > now {
                            // Sleep in short steps so stop is prompt at low rates.
                            std::thread::sleep((next - now).min(Duration::from_millis(100)));
                            while Instant::now() < next && !ticker_stop.load(Ordering::Relaxed) {
                                std::thread::sleep(
                                    (next - Instant::now()).min(Duration::from_millis(100)),
                                );
                            }
                        } else if now - next > Duration::from_secs(1) {
                            // Far behind (the machine stalled): do not burst to catch up.
                            next = now;
                        }
                    }
                    // Dropping the sender ends the workers once the queue is drained.
                })
                .expect("spawning the driver thread"),
        );
        Driver {
            stop,
            faults,
            threads,
        }
    }

    /// Stops the requests, interrupts injected latencies, and waits at most `limit` for the
    /// decisions in progress; whether they all ended (threads still busy are left behind).
    pub fn stop(self, limit: Duration) -> bool {
        self.stop.store(true, Ordering::Relaxed);
        self.faults.interrupt();
        let deadline = Instant::now() + limit;
        while !self.threads.iter().all(JoinHandle::is_finished) {
            if Instant::now() >= deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        for thread in self.threads {
            let _ = thread.join();
        }
        true
    }
}

fn worker(runtime: &Runtime, pipeline: &Pipeline, receiver: &Mutex<Receiver<SyntheticRequest>>) {
    loop {
        let next = receiver.lock().unwrap_or_else(|e| e.into_inner()).recv();
        match next {
            Ok(request) => {
                handle_request(runtime, pipeline, &request);
            }
            Err(_) => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sextant_catalog::eje;

    fn ok(verdict: Verdict, confidence: f64) -> Result<CriticOutput, CriticError> {
        Ok(CriticOutput::new(verdict, confidence))
    }

    fn failed() -> Result<CriticOutput, CriticError> {
        Err(CriticError::new(FailureReason::Error, "x"))
    }

    #[track_caller]
    fn check(
        outputs: &[Result<CriticOutput, CriticError>],
        expect: Result<Verdict, FailureReason>,
    ) {
        assert_eq!(aggregate(outputs, Duration::ZERO).verdict(), expect);
    }

    #[test]
    fn aggregator_is_as_strict_as_its_strictest_critic() {
        use Verdict::*;
        check(&[ok(Approve, 0.9), ok(Approve, 0.8)], Ok(Approve));
        check(&[ok(Approve, 0.9), ok(Escalate, 0.6)], Ok(Escalate));
        check(
            &[ok(Escalate, 0.9), ok(Reject, 0.6), ok(Approve, 0.9)],
            Ok(Reject),
        );
        check(
            &[
                ok(Approve, 0.9),
                ok(Approve, 0.9),
                ok(Approve, 0.9),
                failed(),
            ],
            Ok(Escalate),
        );
        check(
            &[ok(Approve, 0.9), failed(), failed(), failed()],
            Err(FailureReason::Error),
        );
        assert_eq!(
            aggregate(&[ok(Approve, 1.0)], DECISION_DEADLINE * 2).verdict(),
            Err(FailureReason::Timeout)
        );
    }

    #[test]
    fn the_demo_runs_the_catalogs_critics() {
        assert_eq!(eje::KNOWN_CRITICS, CRITICS);
    }

    #[test]
    fn the_prng_is_deterministic_and_spread() {
        let a: Vec<u64> = (0..4)
            .map({
                let mut r = Rng::new(7);
                move |_| r.next_u64()
            })
            .collect();
        let b: Vec<u64> = (0..4)
            .map({
                let mut r = Rng::new(7);
                move |_| r.next_u64()
            })
            .collect();
        assert_eq!(a, b);
        let mut rng = Rng::new(1);
        let mean = (0..10_000).map(|_| rng.next_f64()).sum::<f64>() / 10_000.0;
        assert!((mean - 0.5).abs() < 0.02, "{mean}");
    }

    #[track_caller]
    fn check_route(faults: &Faults, method: &str, target: &str, status: u16, body: &str) {
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        let request = Request {
            method: method.into(),
            path: path.into(),
            params: crate::server::parse_form(query),
            body: Vec::new(),
        };
        let response = faults.handle(&request).expect("a fault route");
        assert_eq!(
            response.status,
            status,
            "{}",
            String::from_utf8_lossy(&response.body)
        );
        assert_eq!(String::from_utf8(response.body).unwrap().trim(), body);
    }

    #[test]
    fn fault_routes_set_show_and_clear() {
        let faults = Faults::default();
        check_route(
            &faults,
            "POST",
            "/faults?critic=bias_critic&fail=0.9&latency_ms=5",
            200,
            r#"{"bias_critic":{"fail":0.9,"latency_ms":5}}"#,
        );
        check_route(
            &faults,
            "POST",
            "/faults?critic=legal_critic&latency_ms=1",
            200,
            r#"{"bias_critic":{"fail":0.9,"latency_ms":5},"legal_critic":{"fail":0.0,"latency_ms":1}}"#,
        );
        check_route(
            &faults,
            "POST",
            "/faults/clear?critic=bias_critic",
            200,
            r#"{"legal_critic":{"fail":0.0,"latency_ms":1}}"#,
        );
        check_route(&faults, "POST", "/faults?critic=nope&fail=1", 400, "unknown critic \"nope\", expected one of bias_critic, safety_critic, privacy_critic, legal_critic");
        check_route(
            &faults,
            "POST",
            "/faults?critic=bias_critic&fail=2",
            400,
            "failure ratio 2 is outside [0, 1]",
        );
        check_route(
            &faults,
            "POST",
            "/faults?critic=bias_critic&latency_ms=600001",
            400,
            "latency of 600001 ms is over the limit of 600000 ms",
        );
        check_route(&faults, "POST", "/faults/clear", 200, "{}");
        check_route(&faults, "GET", "/faults/clear", 405, "method not allowed");
        assert_eq!(faults.get("bias_critic"), Fault::default());
    }

    #[test]
    fn an_interrupt_ends_a_latency_in_progress_and_the_next_ones() {
        let faults = Faults::new();
        let sleeper = {
            let faults = faults.clone();
            std::thread::spawn(move || faults.delay(Duration::from_secs(20)))
        };
        assert!(
            faults.delay(Duration::from_millis(1)),
            "not interrupted yet"
        );
        faults.interrupt();
        assert!(
            !sleeper.join().unwrap(),
            "the sleep in progress ended early"
        );
        assert!(
            !faults.delay(Duration::from_secs(20)),
            "later sleeps end at once"
        );
    }
}
