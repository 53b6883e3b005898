//! The failure table: for each kind of failure, whether the same model is
//! called again (and after how long), the cascade moves on, or the run
//! stops. One function, so the README's table and the code's are the same
//! thing, and the tier loop only carries the decision out.
//!
//! | failure | decision |
//! |---|---|
//! | caller's abort or run deadline; a request the provider refused as such (400, 404, 422); a tool that threw | stop |
//! | the provider's content filter blocked the request (400 `content_filter`, `content_policy_violation`, Azure's `ResponsibleAIPolicyViolation`) or stopped the answer (`finish_reason: content_filter`, Anthropic's `refusal` stop) | stop with `E_CONTENT_FILTER` and the provider's reason: no retry, no other model |
//! | the prompt is longer than the model's context window (`context_length_exceeded`, "prompt is too long", "maximum context length", ...) | never the same model again: once, to the first later model whose `contextWindow` is larger; none known, or a second time: stop with `E_CONTEXT_LENGTH` |
//! | 429 with `Retry-After` no longer than `maxRetryAfterMs` | wait it, same model |
//! | 429 with a longer `Retry-After` | move on at once |
//! | 429 without it; 5xx; a stream that reported a server error | back off with jitter, `maxRetries` times, then move on |
//! | connection reset or refused before any answer; a plain answer whose body breaks off | retry once at once, then move on |
//! | an attempt deadline: no headers by `firstByteMs`, no text by `firstTokenMs`, a stall past `idleMs` | move on: the route is not retried |
//! | a cut stream, or one that ended with no finish reason and no terminator | move on: never an answer |
//! | a stream that ended without its terminator after its finish reason | an answer: finished normally |
//! | a stream event that is not JSON | skipped and counted (`malformedEvents`); more than 8, or one with nothing readable after it: move on (`E_BAD_RESPONSE`) |
//! | an unreadable or oversized answer | move on |
//! | 401/403, no key, 402 | move on |
//!
//! A model that declines in words (OpenAI's `refusal`) has answered: on the
//! last tier that is the result (`refusal`, `finishReason: content_filter`);
//! a draft's refusal is rejected by the judge and escalates like any draft.
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
    /// The prompt does not fit this model's context window: go on, once,
    /// and only to later models known to have a larger one (`ContextNeed`).
    LargerWindow,
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
    // Never the same request to the same model again: it can only fail.
    if class == FailureClass::ContextLength {
        return Step::LargerWindow;
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
                let ms = f64::from(ms);
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

/// After a prompt proved too long for a model: which later models may
/// still be asked. Only one move is made on these grounds, and only to a
/// model whose configured `contextWindow` is larger than the window that
/// refused; a model whose window is unknown could only fail the same way.
#[derive(Clone, Debug, PartialEq)]
pub struct ContextNeed {
    /// The refusing model's window, in tokens: what a later one must exceed.
    pub over: u64,
    pub refused_by: String,
    /// The refusal, for the run's error if no later model takes the prompt.
    pub error: CascadeError,
}

impl ContextNeed {
    pub fn admits(&self, window: Option<u32>) -> bool {
        window.is_some_and(|w| u64::from(w) > self.over)
    }

    /// Why `name` (with `window`) is passed over, for its skipped attempt.
    pub fn passed_over(&self, name: &str, window: Option<u32>) -> String {
        let theirs = match window {
            Some(w) => format!("{w} tokens"),
            None => "unknown (no contextWindow)".to_string(),
        };
        format!(
            "the prompt was too long for {}'s context window ({} tokens), and {name}'s is {theirs}",
            self.refused_by, self.over
        )
    }

    /// The run's error once no later model could take the prompt.
    pub fn exhausted(self) -> CascadeError {
        let mut e = self.error;
        e.message.push_str("; no later model with a larger context window could answer");
        e
    }
}

/// The move after model `name` (configured window `configured`) refused a
/// prompt as too long, with `later` the windows of the models after it:
/// `Ok` with what a later model must exceed when one of them is known to,
/// else the run's error. `stated` is the window the provider's message
/// names, which wins over the configured one (the provider knows its own
/// limit). `moved` says a move was already made in this run.
pub fn larger_window(
    e: CascadeError,
    name: &str,
    configured: Option<u32>,
    stated: Option<u32>,
    later: &[Option<u32>],
    moved: bool,
) -> Result<ContextNeed, CascadeError> {
    let stop = |e: CascadeError, why: &str| {
        let mut e = e;
        e.message.push_str("; ");
        e.message.push_str(why);
        Err(e)
    };
    if moved {
        return stop(e, "already moved once to a model with a larger context window; shorten the prompt");
    }
    let Some(over) = stated.or(configured).map(u64::from) else {
        return stop(
            e,
            "its context window is unknown, so no later model is known to be larger (set contextWindow on the models)",
        );
    };
    let need = ContextNeed { over, refused_by: name.to_string(), error: e };
    if later.iter().any(|w| need.admits(*w)) {
        Ok(need)
    } else {
        let why = format!("no later model has a contextWindow larger than {over} tokens");
        stop(need.error, &why)
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

    fn retry_after(ms: u32) -> CascadeError {
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
            ("content filter", err(C::ContentFilter, F::ContentFilter), None, Step::Stop),
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

    /// A prompt too long is never retried, whatever the retries left or
    /// what was shown; where it may go is `larger_window`'s to say.
    #[test]
    fn a_prompt_too_long_goes_to_a_larger_window() {
        let e = err(ErrorCode::ContextLength, FailureClass::ContextLength);
        for (retries, shown) in [(0, false), (2, false), (0, true)] {
            assert_eq!(step(&e, retries, shown), Step::LargerWindow);
        }
        let never = RetryConfig { max_retries: 0, ..RetryConfig::default() };
        assert_eq!(after_failure(&e, &never, Attempted::default(), 0.5), Step::LargerWindow);
    }

    #[test]
    fn larger_window_names_what_a_later_model_must_exceed() {
        let e = || err(ErrorCode::ContextLength, FailureClass::ContextLength);
        // The provider's stated window wins over the configured one.
        let need = larger_window(e(), "a", Some(8192), Some(4096), &[Some(6000)], false).unwrap();
        assert_eq!((need.over, need.refused_by.as_str()), (4096, "a"));
        assert!(need.admits(Some(6000)) && !need.admits(Some(4096)) && !need.admits(None));
        assert!(need.passed_over("b", None).contains("unknown"));
        assert!(need.exhausted().message.ends_with("no later model with a larger context window could answer"));
        // Configured only.
        assert_eq!(larger_window(e(), "a", Some(8192), None, &[None, Some(9000)], false).map(|n| n.over), Ok(8192));
        // Unknown, none larger, or a second time: the run's error, saying why.
        let why = |r: Result<ContextNeed, CascadeError>| r.map(|_| ()).unwrap_err().message;
        assert!(why(larger_window(e(), "a", None, None, &[Some(1_000_000)], false)).contains("set contextWindow"));
        assert!(why(larger_window(e(), "a", Some(8192), None, &[Some(8192), None], false)).contains("larger than 8192"));
        assert!(why(larger_window(e(), "a", Some(8192), None, &[Some(99_999)], true)).contains("already moved once"));
        assert!(why(larger_window(e(), "a", Some(8192), None, &[], false)).contains("larger than 8192"));
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
