//! Tracked critic calls, sync, async and by hand: each records one execution, its latency, and
//! either its verdict or its bounded failure reason; panics are recorded, then resumed.

mod common;

use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Duration;

use common::{block_on, Exposition, YieldThen};
use eje_runtime::{CriticError, CriticHandle, CriticOutput, FailureReason, Runtime, Verdict};
use sextant_catalog::eje;

/// What one critic call does.
#[derive(Clone, Copy, Debug)]
enum Behaviour {
    Answer(Verdict),
    Output(Verdict, f64),
    Error,
    CriticError(FailureReason),
    NoVerdict,
    Panic,
    Sleep(Duration, Verdict),
}

type Out = Result<Option<CriticOutput>, CriticError>;

fn run(behaviour: Behaviour) -> Out {
    match behaviour {
        Behaviour::Answer(v) => Ok(Some(CriticOutput::new(v, 1.0))),
        Behaviour::Output(v, c) => Ok(Some(CriticOutput::new(v, c))),
        Behaviour::Error => Err(CriticError::new(FailureReason::Error, "model unavailable")),
        Behaviour::CriticError(reason) => Err(CriticError::new(reason, "by reason")),
        Behaviour::NoVerdict => Ok(None),
        Behaviour::Panic => panic!("critic exploded"),
        Behaviour::Sleep(d, v) => {
            std::thread::sleep(d);
            Ok(Some(CriticOutput::new(v, 0.5)))
        }
    }
}

/// The critic's counters, read from the exposition.
#[derive(Debug, PartialEq)]
struct Counts {
    executions: f64,
    durations: f64,
    verdicts: Vec<f64>,
    failures: Vec<f64>,
}

fn counts(runtime: &Runtime, critic: &str) -> Counts {
    // The failure log lines are checked in spans.rs; here they would only be noise.
    eje_runtime::log::set_level(eje_runtime::log::Level::Off);
    let e = Exposition::parse(&String::from_utf8(runtime.metrics().encode()).unwrap());
    let critic_label = [("critic", critic)];
    Counts {
        executions: e.get(eje::CRITIC_EXECUTIONS_TOTAL.name, &critic_label),
        durations: e.get("eje_critic_duration_seconds_count", &critic_label),
        verdicts: Verdict::ALL
            .iter()
            .map(|v| {
                e.get(
                    eje::CRITIC_VERDICTS_TOTAL.name,
                    &[("critic", critic), ("verdict", v.as_str())],
                )
            })
            .collect(),
        failures: FailureReason::ALL
            .iter()
            .map(|r| {
                e.get(
                    eje::CRITIC_FAILURES_TOTAL.name,
                    &[("critic", critic), ("reason", r.as_str())],
                )
            })
            .collect(),
    }
}

/// How each way of calling runs a behaviour.
#[derive(Clone, Copy, Debug)]
enum Form {
    Closure,
    Future,
    Guard,
}

fn call(handle: &CriticHandle, form: Form, behaviour: Behaviour) -> std::thread::Result<Out> {
    catch_unwind(AssertUnwindSafe(|| match form {
        Form::Closure => handle.track(|| run(behaviour)),
        Form::Future => block_on(handle.track_future(async move {
            YieldThen {
                n: 2,
                value: Some(()),
            }
            .await;
            run(behaviour)
        })),
        Form::Guard => {
            let call = handle.start();
            let out = run(behaviour);
            call.finish(&out);
            out
        }
    }))
}

#[track_caller]
fn check(
    form: Form,
    behaviour: Behaviour,
    verdict: Option<Verdict>,
    failure: Option<FailureReason>,
) {
    let runtime = Runtime::builder().process_collector(false).build().unwrap();
    let handle = runtime.critic("bias_critic");
    let before = counts(&runtime, "bias_critic");
    let result = call(&handle, form, behaviour);
    assert_eq!(
        result.is_err(),
        matches!(behaviour, Behaviour::Panic),
        "{form:?} {behaviour:?}: the panic must be resumed, nothing else panics"
    );
    let after = counts(&runtime, "bias_critic");
    let mut expect = before;
    expect.executions += 1.0;
    expect.durations += 1.0;
    if let Some(v) = verdict {
        expect.verdicts[v.index()] += 1.0;
    }
    if let Some(r) = failure {
        expect.failures[r.index()] += 1.0;
    }
    assert_eq!(after, expect, "{form:?} {behaviour:?}");
}

#[test]
fn each_call_records_its_verdict_or_its_failure_reason() {
    use Behaviour::*;
    for form in [Form::Closure, Form::Future] {
        check(form, Answer(Verdict::Approve), Some(Verdict::Approve), None);
        check(
            form,
            Output(Verdict::Reject, 0.3),
            Some(Verdict::Reject),
            None,
        );
        check(form, Error, None, Some(FailureReason::Error));
        check(
            form,
            CriticError(FailureReason::Timeout),
            None,
            Some(FailureReason::Timeout),
        );
        check(form, NoVerdict, None, Some(FailureReason::InvalidOutput));
        check(form, Panic, None, Some(FailureReason::Panic));
    }
    check(
        Form::Guard,
        Answer(Verdict::Escalate),
        Some(Verdict::Escalate),
        None,
    );
    check(Form::Guard, Error, None, Some(FailureReason::Error));
    // A guard unwound by a panic before `finish` records the panic.
    check(Form::Guard, Panic, None, Some(FailureReason::Panic));
}

#[test]
fn latency_lands_in_the_catalog_buckets() {
    let runtime = Runtime::builder().process_collector(false).build().unwrap();
    let handle = runtime.critic("safety_critic");
    let _ = handle.track(|| {
        run(Behaviour::Sleep(
            Duration::from_millis(30),
            Verdict::Approve,
        ))
    });
    let e = Exposition::parse(&String::from_utf8(runtime.metrics().encode()).unwrap());
    let bucket = |le: &str| {
        e.get(
            "eje_critic_duration_seconds_bucket",
            &[("critic", "safety_critic"), ("le", le)],
        )
    };
    assert_eq!(bucket("0.025"), 0.0);
    assert_eq!(bucket("5"), 1.0);
    assert_eq!(bucket("+Inf"), 1.0);
    let sum = e.get(
        "eje_critic_duration_seconds_sum",
        &[("critic", "safety_critic")],
    );
    assert!((0.03..5.0).contains(&sum), "{sum}");
}

#[test]
fn a_future_dropped_before_its_answer_counts_as_a_timeout_and_an_unpolled_one_not_at_all() {
    let runtime = Runtime::builder().process_collector(false).build().unwrap();
    let handle = runtime.critic("legal_critic");
    let before = counts(&runtime, "legal_critic");

    drop(handle.track_future(async { Verdict::Approve }));
    assert_eq!(counts(&runtime, "legal_critic"), before);

    let mut future = Box::pin(handle.track_future(YieldThen {
        n: 5,
        value: Some(Verdict::Approve),
    }));
    let waker = std::task::Waker::noop();
    let poll = future
        .as_mut()
        .poll(&mut std::task::Context::from_waker(waker));
    assert!(poll.is_pending());
    drop(future);
    let after = counts(&runtime, "legal_critic");
    assert_eq!(after.executions, before.executions + 1.0);
    assert_eq!(
        after.failures[FailureReason::Timeout.index()],
        before.failures[FailureReason::Timeout.index()] + 1.0
    );
    assert_eq!(after.verdicts, before.verdicts);
}

#[test]
fn a_guard_dropped_unfinished_counts_as_a_timeout_and_fail_takes_a_reason() {
    let runtime = Runtime::builder().process_collector(false).build().unwrap();
    let handle = runtime.critic("privacy_critic");
    drop(handle.start());
    handle.start().fail(
        FailureReason::InvalidOutput,
        "confidence 3.2 is outside [0, 1]",
    );
    let after = counts(&runtime, "privacy_critic");
    assert_eq!(after.executions, 2.0);
    assert_eq!(after.failures[FailureReason::Timeout.index()], 1.0);
    assert_eq!(after.failures[FailureReason::InvalidOutput.index()], 1.0);
}

#[test]
fn handles_of_one_name_share_their_series() {
    let runtime = Runtime::builder().process_collector(false).build().unwrap();
    let a = runtime.critic("tone_critic");
    let b = runtime.critic(String::from("tone_critic"));
    a.track(|| Verdict::Approve);
    b.track(|| Verdict::Approve);
    assert_eq!(counts(&runtime, "tone_critic").executions, 2.0);
    assert_eq!(a.label(), "tone_critic");
    assert!(!a.is_traced());
}

/// The behaviour of call `i` on thread `t`, in every form: all verdicts, every failure, panics.
fn mixed(t: usize, i: usize) -> (Form, Behaviour) {
    use Behaviour::*;
    let form = [Form::Closure, Form::Future, Form::Guard][(t + i) % 3];
    let behaviour = match (t * 5 + i) % 13 {
        0 if !matches!(form, Form::Guard) => Panic,
        1 => Error,
        2 => CriticError(FailureReason::Timeout),
        3 => NoVerdict,
        n => Answer(Verdict::ALL[n % Verdict::ALL.len()]),
    };
    (form, behaviour)
}

#[test]
fn calls_from_many_threads_add_up_exactly() {
    let runtime = Runtime::builder().process_collector(false).build().unwrap();
    let handle = runtime.critic("bias_critic");
    let (threads, calls) = (6, 400);
    let mut expect = counts(&runtime, "bias_critic");
    for t in 0..threads {
        for i in 0..calls {
            expect.executions += 1.0;
            expect.durations += 1.0;
            match mixed(t, i).1 {
                Behaviour::Panic => expect.failures[FailureReason::Panic.index()] += 1.0,
                Behaviour::Error => expect.failures[FailureReason::Error.index()] += 1.0,
                Behaviour::CriticError(r) => expect.failures[r.index()] += 1.0,
                Behaviour::NoVerdict => {
                    expect.failures[FailureReason::InvalidOutput.index()] += 1.0
                }
                Behaviour::Answer(v) => expect.verdicts[v.index()] += 1.0,
                other => unreachable!("{other:?}"),
            }
        }
    }
    std::thread::scope(|s| {
        for t in 0..threads {
            let handle = &handle;
            s.spawn(move || {
                for i in 0..calls {
                    let (form, behaviour) = mixed(t, i);
                    let result = call(handle, form, behaviour);
                    assert_eq!(result.is_err(), matches!(behaviour, Behaviour::Panic));
                }
            });
        }
    });
    // Every thread has exited: their calls still count.
    assert_eq!(counts(&runtime, "bias_critic"), expect);
    let e = Exposition::parse(&String::from_utf8(runtime.metrics().encode()).unwrap());
    let critic = ("critic", "bias_critic");
    let inf = e.get(
        "eje_critic_duration_seconds_bucket",
        &[critic, ("le", "+Inf")],
    );
    assert_eq!(inf, expect.durations);
    assert!(e.get("eje_critic_duration_seconds_sum", &[critic]) > 0.0);
}
