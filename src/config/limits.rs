//! How much a provider may send and how long it may take: the agent's
//! `limits` and `timeouts`. Both exist so that no provider, hostile or just
//! broken, can exhaust a Worker's 128 MB or hold a run open forever.

use crate::value::{Map, Value};

use super::fields::{check_keys, number, object};
use super::kind_of;
use crate::error::CascadeError;

/// A response larger than this is cut off and treated as a provider fault.
/// 8 MiB is far above any real completion (a 128k-token answer is about
/// 0.5 MB) and well inside a Worker's memory.
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 8 * 1024 * 1024;
/// One stream event; server-tool results (a fetched web page) are the
/// largest seen in practice, and stay far below this.
pub const DEFAULT_MAX_EVENT_BYTES: u64 = 2 * 1024 * 1024;

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Limits {
    pub max_response_bytes: u64,
    pub max_event_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES, max_event_bytes: DEFAULT_MAX_EVENT_BYTES }
    }
}

/// Per-attempt deadlines, in milliseconds. Each one that fires ends the
/// attempt as a timeout, and the cascade moves on to the next tier; only
/// `total_ms` (the run's budget, like `timeoutMs`) ends the whole run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Timeouts {
    /// Until the response headers arrive. Applies to streamed calls: a
    /// non-streamed answer sends its headers only when it is complete, so
    /// there `attempt_ms` bounds it unless this is set explicitly.
    pub first_byte_ms: Option<f64>,
    /// Until the first piece of answer text or tool call of a stream.
    /// Off by default: reasoning models may think silently for minutes.
    pub first_token_ms: Option<f64>,
    /// Longest silence between two reads of a streamed body.
    pub idle_ms: f64,
    /// One call, from sending to the last byte.
    pub attempt_ms: f64,
    /// The whole run; `None` means no run deadline (per-run `timeoutMs` may set one).
    pub total_ms: Option<f64>,
    /// Whether `first_byte_ms` was given (else it only guards streams).
    pub first_byte_explicit: bool,
}

/// Ten minutes, the official OpenAI SDK's own default request timeout.
pub const DEFAULT_ATTEMPT_MS: f64 = 600_000.0;
/// Streams send headers at once; two minutes without them is a dead route.
pub const DEFAULT_FIRST_BYTE_MS: f64 = 120_000.0;
pub const DEFAULT_IDLE_MS: f64 = 120_000.0;

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            first_byte_ms: Some(DEFAULT_FIRST_BYTE_MS),
            first_token_ms: None,
            idle_ms: DEFAULT_IDLE_MS,
            attempt_ms: DEFAULT_ATTEMPT_MS,
            total_ms: None,
            first_byte_explicit: false,
        }
    }
}

impl Timeouts {
    /// The headers deadline for a call, streamed or not.
    pub fn first_byte_for(&self, stream: bool) -> Option<f64> {
        if stream || self.first_byte_explicit {
            self.first_byte_ms
        } else {
            None
        }
    }
}

const LIMIT_KEYS: &[&str] = &["maxResponseBytes", "maxEventBytes"];
const TIMEOUT_KEYS: &[&str] = &["firstByteMs", "firstTokenMs", "idleMs", "attemptMs", "totalMs"];

pub(super) fn parse_limits(v: &Value) -> Result<Limits, CascadeError> {
    let obj = object(v, "config.limits")?;
    check_keys(obj, LIMIT_KEYS, "config.limits")?;
    let mut out = Limits::default();
    if let Some(n) = byte_count(obj, "maxResponseBytes")? {
        out.max_response_bytes = n;
    }
    if let Some(n) = byte_count(obj, "maxEventBytes")? {
        out.max_event_bytes = n;
    }
    Ok(out)
}

pub(super) fn parse_timeouts(v: &Value) -> Result<Timeouts, CascadeError> {
    let obj = object(v, "config.timeouts")?;
    check_keys(obj, TIMEOUT_KEYS, "config.timeouts")?;
    let mut out = Timeouts::default();
    if let Some(ms) = duration(obj, "firstByteMs", "config.timeouts")? {
        out.first_byte_ms = ms;
        out.first_byte_explicit = true;
    }
    if let Some(ms) = duration(obj, "firstTokenMs", "config.timeouts")? {
        out.first_token_ms = ms;
    }
    if let Some(ms) = duration(obj, "idleMs", "config.timeouts")? {
        out.idle_ms = ms.unwrap_or(f64::INFINITY);
    }
    if let Some(ms) = duration(obj, "attemptMs", "config.timeouts")? {
        out.attempt_ms = ms.unwrap_or(f64::INFINITY);
    }
    if let Some(ms) = duration(obj, "totalMs", "config.timeouts")? {
        out.total_ms = ms;
    }
    Ok(out)
}

/// A positive whole number of bytes.
fn byte_count(obj: &Map<String, Value>, key: &str) -> Result<Option<u64>, CascadeError> {
    number(obj, key, "config.limits", "a positive whole number of bytes", |n| n.as_u64().filter(|b| *b > 0))
}

/// A duration in ms: a positive number, or `null`/`false` for "no deadline".
/// `Some(None)` means the user switched the deadline off.
pub fn duration(obj: &Map<String, Value>, key: &str, path: &str) -> Result<Option<Option<f64>>, CascadeError> {
    match obj.get(key) {
        None => Ok(None),
        Some(Value::Null) | Some(Value::Bool(false)) => Ok(Some(None)),
        Some(Value::Number(n)) => match n.as_f64() {
            Some(ms) if ms > 0.0 && ms.is_finite() => Ok(Some(Some(ms))),
            _ => Err(CascadeError::config(format!(
                "{path}.{key}: expected a positive number of milliseconds (or null for none), got {n}"
            ))),
        },
        Some(other) => Err(CascadeError::config(format!(
            "{path}.{key}: expected a positive number of milliseconds (or null for none), got {}",
            kind_of(other)
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json;

    #[test]
    fn defaults_bound_every_attempt() {
        let t = Timeouts::default();
        assert!(t.attempt_ms.is_finite() && t.idle_ms.is_finite());
        assert_eq!(t.first_byte_for(true), Some(DEFAULT_FIRST_BYTE_MS));
        assert_eq!(t.first_byte_for(false), None);
        assert_eq!(Limits::default().max_response_bytes, 8 * 1024 * 1024);
    }

    #[test]
    fn parses_and_names_the_field() {
        let t = parse_timeouts(&json!({"firstByteMs": 500, "idleMs": null, "totalMs": 9000})).unwrap();
        assert_eq!(t.first_byte_for(false), Some(500.0));
        assert!(t.idle_ms.is_infinite());
        assert_eq!(t.total_ms, Some(9000.0));
        let e = parse_timeouts(&json!({"idelMs": 5})).unwrap_err();
        assert!(e.message.contains("config.timeouts.idelMs") && e.message.contains("idleMs"), "{}", e.message);
        let e = parse_timeouts(&json!({"attemptMs": -1})).unwrap_err();
        assert!(e.message.contains("config.timeouts.attemptMs"), "{}", e.message);
        let e = parse_limits(&json!({"maxResponseBytes": 1.5})).unwrap_err();
        assert!(e.message.contains("config.limits.maxResponseBytes"), "{}", e.message);
        assert_eq!(parse_limits(&json!({"maxEventBytes": 1024})).unwrap().max_event_bytes, 1024);
    }
}
