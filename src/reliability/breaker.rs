//! Circuit breakers, one per model endpoint (provider, model, base URL):
//! after `failureThreshold` failures in a row the endpoint is skipped for
//! `resetTimeoutMs`, so a dead drafter stops costing every run a failed
//! call; then one real request is let through (half-open), and its outcome
//! closes the breaker or opens it again. Time comes from the caller.

use crate::decimal::Plain;
use crate::value::Value;

use crate::config::{check_keys, kind_of, number};
use crate::error::CascadeError;

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BreakerConfig {
    pub failure_threshold: u32,
    pub reset_timeout_ms: f64,
}

impl Default for BreakerConfig {
    /// Five failures in a row is past any blip the retries ride out; half a
    /// minute is short enough that a recovered provider is soon back.
    fn default() -> Self {
        BreakerConfig { failure_threshold: 5, reset_timeout_ms: 30_000.0 }
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum State {
    Closed {
        failures: u32,
    },
    Open {
        until: f64,
    },
    /// One request is testing the endpoint since `since`.
    HalfOpen {
        since: f64,
    },
}

/// What to do with an endpoint now.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Admit {
    Call,
    /// The breaker was open and this call tests whether the endpoint is back.
    Probe,
    /// Open: do not call before `until` (the clock's ms).
    Skip {
        until: f64,
    },
}

#[derive(Debug, Default)]
pub struct Breakers {
    cfg: Option<BreakerConfig>,
    /// By endpoint. An agent has a handful, so a list: no hashing code in the wasm.
    states: Vec<(String, State)>,
}

impl Breakers {
    /// `None` turns breakers off: every call is admitted.
    pub fn new(cfg: Option<BreakerConfig>) -> Self {
        Breakers { cfg, states: Vec::new() }
    }

    fn get(&self, key: &str) -> Option<State> {
        self.states.iter().find(|(k, _)| k == key).map(|(_, s)| *s)
    }

    fn set(&mut self, key: &str, state: Option<State>) {
        let at = self.states.iter().position(|(k, _)| k == key);
        match (at, state) {
            (Some(i), Some(s)) => {
                if let Some(slot) = self.states.get_mut(i) {
                    slot.1 = s;
                }
            }
            (None, Some(s)) => self.states.push((key.to_string(), s)),
            (Some(i), None) => {
                self.states.swap_remove(i);
            }
            (None, None) => {}
        }
    }

    pub fn admit(&mut self, key: &str, now: f64) -> Admit {
        let Some(cfg) = self.cfg else { return Admit::Call };
        match self.get(key) {
            None | Some(State::Closed { .. }) => Admit::Call,
            Some(State::Open { until }) if now < until => Admit::Skip { until },
            // A probe that never reported (its run was abandoned) must not
            // keep the endpoint shut: after another timeout, probe again.
            Some(State::HalfOpen { since }) if now < since + cfg.reset_timeout_ms => {
                Admit::Skip { until: since + cfg.reset_timeout_ms }
            }
            Some(State::Open { .. } | State::HalfOpen { .. }) => {
                self.set(key, Some(State::HalfOpen { since: now }));
                Admit::Probe
            }
        }
    }

    /// The outcome of a call the breaker admitted: `ok` when the endpoint
    /// answered (a rejected draft or a 400 is still an answer).
    pub fn record(&mut self, key: &str, now: f64, ok: bool) {
        let Some(cfg) = self.cfg else { return };
        let next = match (self.get(key), ok) {
            (_, true) => None,
            (Some(State::HalfOpen { .. }), false) => Some(State::Open { until: now + cfg.reset_timeout_ms }),
            (Some(State::Closed { failures }), false) => {
                let failures = failures.saturating_add(1);
                Some(if failures >= cfg.failure_threshold {
                    State::Open { until: now + cfg.reset_timeout_ms }
                } else {
                    State::Closed { failures }
                })
            }
            (None, false) if cfg.failure_threshold <= 1 => Some(State::Open { until: now + cfg.reset_timeout_ms }),
            (None, false) => Some(State::Closed { failures: 1 }),
            // A late report for an endpoint already open changes nothing.
            (Some(open @ State::Open { .. }), false) => Some(open),
        };
        self.set(key, next);
    }

    /// The endpoint's state as a small record for a shared store: `c:N`,
    /// `o:UNTIL` or `h:SINCE` (wall-clock ms); `None` when closed and clean.
    pub fn export(&self, key: &str) -> Option<String> {
        match self.get(key)? {
            State::Closed { failures } => Some(format!("c:{failures}")),
            State::Open { until } => Some(format!("o:{}", Plain(until.round()))),
            State::HalfOpen { since } => Some(format!("h:{}", Plain(since.round()))),
        }
    }

    /// Take the state another isolate wrote; an unreadable record is no record.
    pub fn import(&mut self, key: &str, record: Option<&str>) {
        let state = record.and_then(|r| {
            let (kind, n) = r.split_once(':')?;
            match kind {
                "c" => n.parse().ok().map(|failures| State::Closed { failures }),
                "o" => crate::decimal::parse_f64(n).filter(|t| t.is_finite()).map(|until| State::Open { until }),
                "h" => crate::decimal::parse_f64(n).filter(|t| t.is_finite()).map(|since| State::HalfOpen { since }),
                _ => None,
            }
        });
        self.set(key, state);
    }

    /// Whether breakers are on at all.
    pub fn enabled(&self) -> bool {
        self.cfg.is_some()
    }

    /// How long a record must outlive its last write: long enough to outlast an open breaker.
    pub fn record_ttl_ms(&self) -> u64 {
        self.cfg.map_or(0, |c| (c.reset_timeout_ms * 4.0).max(60_000.0) as u64)
    }

    /// For the trace: "closed (2 failures)", "open", "half-open".
    pub fn describe(&self, key: &str) -> String {
        match self.get(key) {
            None => "closed".to_string(),
            Some(State::Closed { failures: 1 }) => "closed (1 failure)".to_string(),
            Some(State::Closed { failures }) => format!("closed ({failures} failures in a row)"),
            Some(State::Open { .. }) => "open".to_string(),
            Some(State::HalfOpen { .. }) => "half-open".to_string(),
        }
    }
}

const KEYS: &[&str] = &["failureThreshold", "resetTimeoutMs"];

/// `circuitBreaker: { failureThreshold, resetTimeoutMs }`, or `false` for none.
pub fn parse_breaker(v: &Value) -> Result<Option<BreakerConfig>, CascadeError> {
    let path = "config.circuitBreaker";
    let obj = match v {
        Value::Bool(false) => return Ok(None),
        Value::Bool(true) | Value::Null => return Ok(Some(BreakerConfig::default())),
        Value::Object(o) => o,
        other => {
            return Err(CascadeError::config(format!(
                "{path}: expected {{failureThreshold, resetTimeoutMs}} or false, got {}",
                kind_of(other)
            )))
        }
    };
    check_keys(obj, KEYS, path)?;
    let mut out = BreakerConfig::default();
    let at_least_one = |n: &crate::value::Number| n.as_u64().and_then(|n| u32::try_from(n).ok()).filter(|n| *n >= 1);
    if let Some(n) = number(obj, "failureThreshold", path, "a whole number of at least 1", at_least_one)? {
        out.failure_threshold = n;
    }
    let positive = |n: &crate::value::Number| n.as_f64().filter(|ms| ms.is_finite() && *ms > 0.0);
    if let Some(ms) = number(obj, "resetTimeoutMs", path, "a positive number of milliseconds", positive)? {
        out.reset_timeout_ms = ms;
    }
    Ok(Some(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json;

    fn breakers() -> Breakers {
        Breakers::new(Some(BreakerConfig { failure_threshold: 3, reset_timeout_ms: 1_000.0 }))
    }

    #[test]
    fn state_round_trips_through_a_record() {
        let mut b = breakers();
        for t in 0..3 {
            b.record("m", f64::from(t), false);
        }
        let rec = b.export("m");
        assert_eq!(rec.as_deref(), Some("o:1002"));
        let mut other = breakers();
        other.import("m", rec.as_deref());
        assert_eq!(other.admit("m", 10.0), Admit::Skip { until: 1002.0 });
        other.import("m", Some("nonsense"));
        assert_eq!(other.admit("m", 10.0), Admit::Call);
        assert_eq!(other.export("m"), None);
    }

    #[test]
    fn opens_after_the_threshold_then_lets_one_probe_through() {
        let mut b = breakers();
        for t in 0..2 {
            b.record("m", f64::from(t), false);
            assert_eq!(b.admit("m", f64::from(t)), Admit::Call);
        }
        b.record("m", 2.0, false);
        assert_eq!(b.admit("m", 500.0), Admit::Skip { until: 1_002.0 });
        assert_eq!(b.describe("m"), "open");
        // Reset timeout passed: one probe, the others still skip.
        assert_eq!(b.admit("m", 1_002.0), Admit::Probe);
        assert_eq!(b.admit("m", 1_003.0), Admit::Skip { until: 2_002.0 });
        // The probe failed: open again for a whole timeout.
        b.record("m", 1_100.0, false);
        assert_eq!(b.admit("m", 2_000.0), Admit::Skip { until: 2_100.0 });
        // The next probe succeeds: closed, counting from zero.
        assert_eq!(b.admit("m", 2_100.0), Admit::Probe);
        b.record("m", 2_150.0, true);
        assert_eq!(b.admit("m", 2_151.0), Admit::Call);
        assert_eq!(b.describe("m"), "closed");
    }

    #[test]
    fn a_success_resets_the_count_and_endpoints_are_apart() {
        let mut b = breakers();
        b.record("m", 0.0, false);
        b.record("m", 1.0, false);
        b.record("m", 2.0, true);
        b.record("m", 3.0, false);
        b.record("m", 4.0, false);
        assert_eq!(b.admit("m", 5.0), Admit::Call);
        assert_eq!(b.describe("m"), "closed (2 failures in a row)");
        for t in 0..3 {
            b.record("other", f64::from(t), false);
        }
        assert!(matches!(b.admit("other", 3.0), Admit::Skip { .. }));
        assert_eq!(b.admit("m", 5.0), Admit::Call);
    }

    #[test]
    fn an_abandoned_probe_does_not_keep_the_endpoint_shut() {
        let mut b = breakers();
        for t in 0..3 {
            b.record("m", f64::from(t), false);
        }
        assert_eq!(b.admit("m", 1_002.0), Admit::Probe);
        // The probe's run was aborted and never reported.
        assert_eq!(b.admit("m", 2_002.0), Admit::Probe);
    }

    #[test]
    fn off_admits_everything_and_config_is_validated() {
        let mut off = Breakers::new(None);
        for t in 0..10 {
            off.record("m", f64::from(t), false);
        }
        assert_eq!(off.admit("m", 10.0), Admit::Call);
        assert_eq!(parse_breaker(&json!(false)).unwrap(), None);
        let c = parse_breaker(&json!({"failureThreshold": 2, "resetTimeoutMs": 50})).unwrap().unwrap();
        assert_eq!((c.failure_threshold, c.reset_timeout_ms), (2, 50.0));
        let e = parse_breaker(&json!({"failureTreshold": 2})).unwrap_err();
        assert!(e.message.contains("config.circuitBreaker.failureTreshold") && e.message.contains("failureThreshold"));
        assert!(parse_breaker(&json!({"failureThreshold": 0})).is_err());
    }
}
