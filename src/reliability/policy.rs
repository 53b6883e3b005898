//! The failure table: for each kind of failure, whether the same model is
//! called again (and after how long), the cascade moves on, or the run
//! stops. One function, so the README's table and the code's are the same
//! thing, and the tier loop only carries the decision out.
//!
//! | failure | decision |
//! |---|---|
//! | caller's abort or run deadline; a request the provider refused as such (400, 404, 422); a tool that threw | stop |
//! | 429 with `Retry-After` no longer than `maxRetryAfterMs` | wait it, same model |
//! | 429 with a longer `Retry-After` | move on at once |
//! | 429 without it; 5xx; a stream that reported a server error | back off with jitter, `maxRetries` times, then move on |
//! | connection reset or refused before any answer | retry once at once, then move on |
//! | an attempt deadline (silent provider, no first token, a stall) | move on: the route is not retried |
//! | a cut stream; an unreadable or oversized answer | move on |
//! | 401/403, no key, 402 | move on |
//!
//! Nothing is retried once text of the attempt has been shown to the
//! consumer (live streaming): a retry would show it twice.

use super::retry::RetryConfig;
use crate::decimal::Plain;
use crate::error::{CascadeError, ErrorCode, FailureClass};

#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    /// Call the same model again after `delay_ms`; `why` is for the trace.
    Retry { delay_ms: f64, why: String },
    /// Give up on this tier; the next one, if any, is tried.
    MoveOn,
    /// End the run with this error.
    Stop,
}

/// What has happened on this tier so far in the run.
#[derive(Clone, Copy, Debug, Default)]
pub struct Attempted {
    /// Retries already made (0 after the first call).
    pub retries: u32,
    /// Some of the attempt's text already reached the consumer.
    pub shown: bool,
}

/// Decide what follows failure `e`. `draw` is a uniform number in [0, 1)
/// from the injected source, for the jitter.
pub fn after_failure(e: &CascadeError, cfg: &RetryConfig, done: Attempted, draw: f64) -> Step {
    let class = e.failure_class();
    if !class.escalates() {
        return Step::Stop;
    }
    if done.shown || done.retries >= cfg.max_retries {
        return Step::MoveOn;
    }
    let next = done.retries.saturating_add(1);
    let backoff = || Step::Retry {
        delay_ms: cfg.delay_ms(next, draw),
        why: format!("{} (retry {next} of {})", e.code.as_str(), cfg.max_retries),
    };
    match class {
        FailureClass::RateLimited => match e.retry_after_ms {
            Some(ms) if cfg.honor_retry_after => {
                let ms = ms as f64;
                if ms <= cfg.max_retry_after_ms {
                    Step::Retry {
                        delay_ms: ms,
                        why: format!("429 with Retry-After {} ms (retry {next} of {})", Plain(ms), cfg.max_retries),
                    }
                } else {
                    Step::MoveOn
                }
            }
            _ => backoff(),
        },
        FailureClass::Server => backoff(),
        // A reset or refused connection (often a stale pooled socket) is
        // worth one immediate retry; a stream cut half-way is not a blip.
        FailureClass::Transport if e.code == ErrorCode::Transport && done.retries == 0 => {
            Step::Retry { delay_ms: 0.0, why: format!("{} (retry once at once)", e.code.as_str()) }
        }
        _ => Step::MoveOn,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(code: ErrorCode, class: FailureClass) -> CascadeError {
        CascadeError::new(code, "x").with_class(class)
    }

    fn step(e: &CascadeError, retries: u32, shown: bool) -> Step {
        let cfg = RetryConfig { jitter: false, ..RetryConfig::default() };
        after_failure(e, &cfg, Attempted { retries, shown }, 0.5)
    }

    fn retry_after(ms: u64) -> CascadeError {
        let mut e = err(ErrorCode::RateLimited, FailureClass::RateLimited);
        e.retry_after_ms = Some(ms);
        e
    }

    /// The table, row by row: what each failure leads to on the first
    /// failure, after the retries are spent, and once text was shown.
    #[test]
    fn the_failure_table() {
        use ErrorCode as C;
        use FailureClass as F;
        let delay = |s: Step| match s {
            Step::Retry { delay_ms, .. } => Some(delay_ms),
            _ => None,
        };
        let rows: Vec<(&str, CascadeError, Option<f64>, Step)> = vec![
            ("caller's abort", err(C::Aborted, F::Aborted), None, Step::Stop),
            ("run deadline", err(C::Timeout, F::Aborted), None, Step::Stop),
            ("400", err(C::ProviderStatus, F::Client), None, Step::Stop),
            ("tool threw", err(C::Tool, F::Client), None, Step::Stop),
            ("429 Retry-After 2 s", retry_after(2_000), Some(2_000.0), Step::MoveOn),
            ("429 Retry-After 10 min", retry_after(600_000), None, Step::MoveOn),
            ("429 without it", err(C::RateLimited, F::RateLimited), Some(500.0), Step::MoveOn),
            ("503", err(C::ProviderUnavailable, F::Server), Some(500.0), Step::MoveOn),
            ("stream reported an error", err(C::Stream, F::Server), Some(500.0), Step::MoveOn),
            ("reset", err(C::Transport, F::Transport), Some(0.0), Step::MoveOn),
            ("cut stream", err(C::Stream, F::Transport), None, Step::MoveOn),
            ("attempt deadline", err(C::Timeout, F::Timeout), None, Step::MoveOn),
            ("malformed", err(C::BadResponse, F::Malformed), None, Step::MoveOn),
            ("401", err(C::Auth, F::Auth), None, Step::MoveOn),
            ("402", err(C::Budget, F::Auth), None, Step::MoveOn),
        ];
        for (what, e, first, spent) in rows {
            let s = step(&e, 0, false);
            match first {
                Some(ms) => assert_eq!(delay(s), Some(ms), "{what}: first failure"),
                None => assert!(matches!(s, Step::MoveOn | Step::Stop), "{what}: first failure gave {s:?}"),
            }
            if first.is_none() {
                assert_eq!(step(&e, 0, false), spent, "{what}");
            }
            assert_eq!(step(&e, 2, false), spent, "{what}: retries spent");
            let once_shown = if spent == Step::Stop { Step::Stop } else { Step::MoveOn };
            assert_eq!(step(&e, 0, true), once_shown, "{what}: text already shown");
        }
    }

    #[test]
    fn backoff_grows_and_a_reset_is_retried_only_once() {
        let e = err(ErrorCode::ProviderUnavailable, FailureClass::Server);
        assert!(matches!(step(&e, 1, false), Step::Retry { delay_ms, .. } if delay_ms == 1_000.0));
        let reset = err(ErrorCode::Transport, FailureClass::Transport);
        assert_eq!(step(&reset, 1, false), Step::MoveOn);
        let never = RetryConfig { max_retries: 0, ..RetryConfig::default() };
        assert_eq!(after_failure(&e, &never, Attempted::default(), 0.5), Step::MoveOn);
        let ignore = RetryConfig { honor_retry_after: false, jitter: false, ..RetryConfig::default() };
        assert!(matches!(
            after_failure(&retry_after(600_000), &ignore, Attempted::default(), 0.5),
            Step::Retry { delay_ms, .. } if delay_ms == 500.0
        ));
    }
}
