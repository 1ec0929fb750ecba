//! What a critic or a decision returns, read by the tracking code: a verdict, or why there is none.

use sextant_catalog::eje::{FailureReason, Verdict};

/// A return value the runtime can read a verdict from.
///
/// Implemented for [`Verdict`], [`CriticOutput`], `Option<T>` (`None` is an invalid output),
/// `Result<T, E>` (`Err` is a failure with reason `error`, or the reason a [`CriticError`]
/// names) and references to those.
pub trait HasVerdict {
    /// The verdict, or the bounded reason the call failed.
    fn verdict(&self) -> Result<Verdict, FailureReason>;

    /// The failure's text, for logs and span status (never a label).
    fn failure_message(&self) -> Option<String> {
        None
    }

    /// The confidence in the verdict, when the output carries one.
    fn confidence(&self) -> Option<f64> {
        None
    }
}

/// A critic's answer, the seed's `{"verdict": "APPROVE", "confidence": 0.9}`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CriticOutput {
    pub verdict: Verdict,
    /// In `[0, 1]`.
    pub confidence: f64,
}

impl CriticOutput {
    pub const fn new(verdict: Verdict, confidence: f64) -> Self {
        CriticOutput {
            verdict,
            confidence,
        }
    }
}

impl HasVerdict for Verdict {
    fn verdict(&self) -> Result<Verdict, FailureReason> {
        Ok(*self)
    }
}

impl HasVerdict for CriticOutput {
    fn verdict(&self) -> Result<Verdict, FailureReason> {
        Ok(self.verdict)
    }

    fn confidence(&self) -> Option<f64> {
        Some(self.confidence)
    }
}

impl<T: HasVerdict, E: std::fmt::Display + 'static> HasVerdict for Result<T, E> {
    fn verdict(&self) -> Result<Verdict, FailureReason> {
        match self {
            Ok(output) => output.verdict(),
            Err(e) => match (e as &dyn std::any::Any).downcast_ref::<CriticError>() {
                Some(critic_error) => Err(critic_error.reason),
                None => Err(FailureReason::Error),
            },
        }
    }

    fn failure_message(&self) -> Option<String> {
        match self {
            Ok(output) => output.failure_message(),
            Err(e) => Some(e.to_string()),
        }
    }

    fn confidence(&self) -> Option<f64> {
        self.as_ref().ok().and_then(HasVerdict::confidence)
    }
}

impl<T: HasVerdict> HasVerdict for Option<T> {
    fn verdict(&self) -> Result<Verdict, FailureReason> {
        match self {
            Some(output) => output.verdict(),
            None => Err(FailureReason::InvalidOutput),
        }
    }

    fn failure_message(&self) -> Option<String> {
        match self {
            Some(output) => output.failure_message(),
            None => Some("the critic returned no verdict".to_string()),
        }
    }

    fn confidence(&self) -> Option<f64> {
        self.as_ref().and_then(HasVerdict::confidence)
    }
}

impl<T: HasVerdict + ?Sized> HasVerdict for &T {
    fn verdict(&self) -> Result<Verdict, FailureReason> {
        (**self).verdict()
    }

    fn failure_message(&self) -> Option<String> {
        (**self).failure_message()
    }

    fn confidence(&self) -> Option<f64> {
        (**self).confidence()
    }
}

impl<T: HasVerdict + ?Sized> HasVerdict for Box<T> {
    fn verdict(&self) -> Result<Verdict, FailureReason> {
        (**self).verdict()
    }

    fn failure_message(&self) -> Option<String> {
        (**self).failure_message()
    }

    fn confidence(&self) -> Option<f64> {
        (**self).confidence()
    }
}

/// An error that names its own bounded reason (a timeout, an invalid output), for a critic that
/// wants more than `error`: return `Result<T, CriticError>`.
#[derive(Clone, Debug, PartialEq)]
pub struct CriticError {
    pub reason: FailureReason,
    pub message: String,
}

impl CriticError {
    pub fn new(reason: FailureReason, message: impl Into<String>) -> Self {
        CriticError {
            reason,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for CriticError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.reason, self.message)
    }
}

impl std::error::Error for CriticError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(
        output: &dyn HasVerdict,
        expect: Result<Verdict, FailureReason>,
        message: Option<&str>,
    ) {
        assert_eq!(output.verdict(), expect);
        assert_eq!(output.failure_message().as_deref(), message);
    }

    #[test]
    fn outputs_map_to_verdicts_or_bounded_reasons() {
        check(&Verdict::Reject, Ok(Verdict::Reject), None);
        check(
            &CriticOutput::new(Verdict::Approve, 0.9),
            Ok(Verdict::Approve),
            None,
        );
        check(
            &Ok::<_, String>(Verdict::Escalate),
            Ok(Verdict::Escalate),
            None,
        );
        check(
            &Err::<Verdict, _>("boom"),
            Err(FailureReason::Error),
            Some("boom"),
        );
        check(
            &None::<Verdict>,
            Err(FailureReason::InvalidOutput),
            Some("the critic returned no verdict"),
        );
        check(
            &Ok::<_, String>(Some(Verdict::Approve)),
            Ok(Verdict::Approve),
            None,
        );
        let late = CriticError::new(FailureReason::Timeout, "no answer in 1s");
        check(
            &Err::<Verdict, _>(late),
            Err(FailureReason::Timeout),
            Some("timeout: no answer in 1s"),
        );
        assert_eq!(
            Ok::<_, String>(CriticOutput::new(Verdict::Approve, 0.25)).confidence(),
            Some(0.25)
        );
    }
}
