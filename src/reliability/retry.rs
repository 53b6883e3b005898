//! `retry: { maxRetries, backoff, baseDelayMs, maxDelayMs, jitter,
//! honorRetryAfter, maxRetryAfterMs }`, and how long each retry waits.

use crate::value::Value;

use crate::config::{at_least, check_keys, flag, kind_of, number, object, Fields};
use crate::error::CascadeError;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backoff {
    Exponential,
    Linear,
    Constant,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RetryConfig {
    /// Retries of the same model after its first call, per tier and run.
    pub max_retries: u32,
    pub backoff: Backoff,
    pub base_delay_ms: f64,
    pub max_delay_ms: f64,
    /// Spread each wait over its upper half, so that many clients hit by
    /// the same outage do not all come back at the same instant.
    pub jitter: bool,
    /// Wait what a 429's `Retry-After` asks, when it is no longer than
    /// `max_retry_after_ms`; a longer wait moves on to the next tier.
    pub honor_retry_after: bool,
    pub max_retry_after_ms: f64,
}

impl Default for RetryConfig {
    /// Two retries, 0.5 s then 1 s (jittered): enough to ride out a blip
    /// without making a user wait long before the next tier is tried.
    fn default() -> Self {
        RetryConfig {
            max_retries: 2,
            backoff: Backoff::Exponential,
            base_delay_ms: 500.0,
            max_delay_ms: 8_000.0,
            jitter: true,
            honor_retry_after: true,
            max_retry_after_ms: 30_000.0,
        }
    }
}

impl RetryConfig {
    /// The wait before retry number `retry` (1 for the first), with `draw`
    /// a uniform number in [0, 1) from the injected source.
    pub fn delay_ms(&self, retry: u32, draw: f64) -> f64 {
        let n = f64::from(retry.max(1));
        let raw = match self.backoff {
            Backoff::Exponential => self.base_delay_ms * 2f64.powf(n - 1.0),
            Backoff::Linear => self.base_delay_ms * n,
            Backoff::Constant => self.base_delay_ms,
        };
        let capped = raw.min(self.max_delay_ms).max(0.0);
        if self.jitter {
            capped * (0.5 + 0.5 * draw.clamp(0.0, 1.0))
        } else {
            capped
        }
    }
}

const RETRY_KEYS: &[&str] =
    &["maxRetries", "backoff", "baseDelayMs", "maxDelayMs", "jitter", "honorRetryAfter", "maxRetryAfterMs"];
const ERROR_CONFIG_KEYS: &[&str] = &["retryOnError", "maxRetries", "fallbackOnProviderError"];

/// The agent's `retry` option.
pub fn parse_retry(v: &Value) -> Result<RetryConfig, CascadeError> {
    let path = "config.retry";
    let obj = object(v, path)?;
    check_keys(obj, RETRY_KEYS, path)?;
    let mut out = RetryConfig::default();
    if let Some(n) = count(obj, "maxRetries", path)? {
        out.max_retries = n;
    }
    match obj.get("backoff") {
        None | Some(Value::Null) => {}
        Some(Value::String(s)) => {
            out.backoff = match s.as_str() {
                "exponential" => Backoff::Exponential,
                "linear" => Backoff::Linear,
                "constant" => Backoff::Constant,
                other => {
                    return Err(CascadeError::config(format!(
                        "{path}.backoff: expected 'exponential', 'linear' or 'constant', got {other:?}"
                    )))
                }
            }
        }
        Some(other) => {
            return Err(CascadeError::config(format!(
                "{path}.backoff: expected 'exponential', 'linear' or 'constant', got {}",
                kind_of(other)
            )))
        }
    }
    if let Some(ms) = millis(obj, "baseDelayMs", path)? {
        out.base_delay_ms = ms;
    }
    if let Some(ms) = millis(obj, "maxDelayMs", path)? {
        out.max_delay_ms = ms;
    }
    if let Some(b) = flag(obj, "jitter", path)? {
        out.jitter = b;
    }
    if let Some(b) = flag(obj, "honorRetryAfter", path)? {
        out.honor_retry_after = b;
    }
    if let Some(ms) = millis(obj, "maxRetryAfterMs", path)? {
        out.max_retry_after_ms = ms;
    }
    Ok(out)
}

/// The seed's `errorConfig: { retryOnError, maxRetries, fallbackOnProviderError }`.
/// A failed tier always falls back to the next one here, so the last key
/// is accepted for compatibility and has nothing to switch.
pub fn parse_error_config(v: &Value) -> Result<RetryConfig, CascadeError> {
    let path = "config.errorConfig";
    let obj = object(v, path)?;
    check_keys(obj, ERROR_CONFIG_KEYS, path)?;
    let mut out = RetryConfig::default();
    if let Some(n) = count(obj, "maxRetries", path)? {
        out.max_retries = n;
    }
    if flag(obj, "retryOnError", path)? == Some(false) {
        out.max_retries = 0;
    }
    flag(obj, "fallbackOnProviderError", path)?;
    Ok(out)
}

/// Retries per tier and run: a small whole number.
fn count(obj: &Fields, key: &str, path: &str) -> Result<Option<u32>, CascadeError> {
    let take = |n: &crate::value::Number| n.as_u64().and_then(|n| u32::try_from(n).ok()).filter(|n| *n <= 10);
    number(obj, key, path, "a whole number from 0 to 10", take)
}

fn millis(obj: &Fields, key: &str, path: &str) -> Result<Option<f64>, CascadeError> {
    number(obj, key, path, "a non-negative number of milliseconds", at_least(0.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json;

    #[test]
    fn delays_grow_cap_and_jitter_within_the_upper_half() {
        let c = RetryConfig { jitter: false, ..RetryConfig::default() };
        assert_eq!([1, 2, 3, 4, 5, 6].map(|n| c.delay_ms(n, 0.0)), [500.0, 1000.0, 2000.0, 4000.0, 8000.0, 8000.0]);
        let linear = RetryConfig { backoff: Backoff::Linear, jitter: false, ..c };
        assert_eq!([1, 2, 3].map(|n| linear.delay_ms(n, 0.0)), [500.0, 1000.0, 1500.0]);
        let constant = RetryConfig { backoff: Backoff::Constant, jitter: false, ..c };
        assert_eq!([1, 3].map(|n| constant.delay_ms(n, 0.0)), [500.0, 500.0]);
        let j = RetryConfig::default();
        assert_eq!(j.delay_ms(2, 0.0), 500.0);
        assert!((j.delay_ms(2, 0.999_999) - 999.9995).abs() < 1e-6);
        assert_eq!(j.delay_ms(2, 7.0), 1000.0, "a draw out of range is clamped");
    }

    #[test]
    fn parses_both_spellings_and_names_the_field() {
        let r =
            parse_retry(&json!({"maxRetries": 4, "backoff": "linear", "baseDelayMs": 10, "jitter": false})).unwrap();
        assert_eq!((r.max_retries, r.backoff, r.base_delay_ms, r.jitter), (4, Backoff::Linear, 10.0, false));
        let e = parse_retry(&json!({"maxRetrys": 1})).unwrap_err();
        assert!(e.message.contains("config.retry.maxRetrys") && e.message.contains("maxRetries"), "{}", e.message);
        let e = parse_retry(&json!({"backoff": "fibonacci"})).unwrap_err();
        assert!(e.message.starts_with("config.retry.backoff:"), "{}", e.message);
        let e = parse_retry(&json!({"maxRetries": 100})).unwrap_err();
        assert!(e.message.contains("from 0 to 10"), "{}", e.message);
        let off = parse_error_config(&json!({"retryOnError": false, "maxRetries": 3})).unwrap();
        assert_eq!(off.max_retries, 0);
        let three =
            parse_error_config(&json!({"retryOnError": true, "maxRetries": 3, "fallbackOnProviderError": true}))
                .unwrap();
        assert_eq!(three.max_retries, 3);
    }
}
