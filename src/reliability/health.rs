//! Health checks: `healthCheck: { intervalMs, timeoutMs }`. Each endpoint is
//! probed at most once per interval with the cheapest call its wire has (the
//! models list: no tokens, nothing the user pays for), in the background of
//! the runs that find it due; an endpoint whose last probe failed is passed
//! over while a later candidate remains. The policy is here; the wrapper
//! only starts the probes the engine asks for.

use crate::value::Value;

use crate::config::{check_keys, kind_of, number, Fields};
use crate::error::CascadeError;

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct HealthConfig {
    pub interval_ms: f64,
    pub timeout_ms: f64,
}

impl Default for HealthConfig {
    /// The seed's figures: every minute, five seconds to answer.
    fn default() -> Self {
        HealthConfig { interval_ms: 60_000.0, timeout_ms: 5_000.0 }
    }
}

#[derive(Clone, Debug, PartialEq)]
struct Probe {
    /// When the last probe started (wall ms); `None` before the first.
    started: Option<f64>,
    /// The last finished probe's verdict and when it finished.
    last: Option<(bool, f64, String)>,
    in_flight: bool,
}

/// What is known of one endpoint, for `agent.getHealth()`.
#[derive(Clone, Debug, PartialEq)]
pub struct EndpointHealth {
    pub provider: String,
    pub model: String,
    /// As it may be shown: password and query values masked.
    pub base_url: String,
    /// `None` until a probe has finished.
    pub healthy: Option<bool>,
    /// Wall-clock ms of the last finished probe.
    pub checked_at: Option<f64>,
    pub reason: String,
}

impl crate::json_out::ToJson for EndpointHealth {
    fn write_json(&self, o: &mut crate::json_out::JsonOut) {
        o.begin_object();
        o.str_field("provider", &self.provider);
        o.str_field("model", &self.model);
        o.str_field("baseUrl", &self.base_url);
        o.key("healthy");
        match self.healthy {
            Some(b) => o.bool(b),
            None => o.null(),
        }
        o.opt_f64_field("checkedAt", self.checked_at);
        o.str_field("reason", &self.reason);
        o.end_object();
    }
}

#[derive(Debug, Default)]
pub struct Health {
    states: Vec<(String, Probe)>,
}

impl Health {
    fn state(&mut self, endpoint: &str) -> Option<&mut Probe> {
        let at = match self.states.iter().position(|(k, _)| k == endpoint) {
            Some(at) => at,
            None => {
                self.states.push((endpoint.to_string(), Probe { started: None, last: None, in_flight: false }));
                self.states.len().saturating_sub(1)
            }
        };
        self.states.get_mut(at).map(|(_, p)| p)
    }

    /// Whether `endpoint` should be probed now; if so it is marked as being
    /// probed, so that runs arriving meanwhile do not start another probe.
    pub fn take_due(&mut self, endpoint: &str, cfg: &HealthConfig, now: f64) -> bool {
        let Some(p) = self.state(endpoint) else { return false };
        // A probe that never reported (its isolate went away) is given up on
        // after its own timeout.
        let stuck = p.in_flight && p.started.is_some_and(|t| now >= t + cfg.timeout_ms * 2.0);
        let due = p.started.is_none_or(|t| now >= t + cfg.interval_ms);
        if (p.in_flight && !stuck) || !due {
            return false;
        }
        p.in_flight = true;
        p.started = Some(now);
        true
    }

    pub fn record(&mut self, endpoint: &str, healthy: bool, reason: String, now: f64) {
        if let Some(p) = self.state(endpoint) {
            p.in_flight = false;
            p.last = Some((healthy, now, reason));
        }
    }

    /// Why `endpoint` should be passed over, if its last probe failed.
    pub fn unhealthy(&self, endpoint: &str) -> Option<&str> {
        self.states.iter().find(|(k, _)| k == endpoint).and_then(|(_, p)| match &p.last {
            Some((false, _, reason)) => Some(reason.as_str()),
            _ => None,
        })
    }

    /// The last verdict on `endpoint`: healthy, when, and why.
    pub fn last(&self, endpoint: &str) -> (Option<bool>, Option<f64>, String) {
        match self.states.iter().find(|(k, _)| k == endpoint).and_then(|(_, p)| p.last.as_ref()) {
            Some((ok, at, why)) => (Some(*ok), Some(*at), why.clone()),
            None => (None, None, "not checked yet".into()),
        }
    }
}

const KEYS: &[&str] = &["intervalMs", "timeoutMs"];

/// `healthCheck: { intervalMs, timeoutMs }`, `true` for the defaults, `false` for none.
pub fn parse_health(v: &Value) -> Result<Option<HealthConfig>, CascadeError> {
    let path = "config.healthCheck";
    let obj: &Fields = match v {
        Value::Null | Value::Bool(false) => return Ok(None),
        Value::Bool(true) => return Ok(Some(HealthConfig::default())),
        Value::Object(o) => o,
        other => {
            return Err(CascadeError::config(format!(
                "{path}: expected {{intervalMs, timeoutMs}} or a boolean, got {}",
                kind_of(other)
            )))
        }
    };
    check_keys(obj, KEYS, path)?;
    let mut out = HealthConfig::default();
    let ms = |n: &crate::value::Number| n.as_f64().filter(|ms| ms.is_finite() && *ms >= 1.0 && *ms <= 2_147_483_647.0);
    let expected = "a number of milliseconds from 1 to 2^31-1";
    if let Some(v) = number(obj, "intervalMs", path, expected, ms)? {
        out.interval_ms = v;
    }
    if let Some(v) = number(obj, "timeoutMs", path, expected, ms)? {
        out.timeout_ms = v;
    }
    Ok(Some(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json;

    const CFG: HealthConfig = HealthConfig { interval_ms: 1_000.0, timeout_ms: 100.0 };

    #[test]
    fn one_probe_per_interval_and_a_failed_one_marks_the_endpoint() {
        let mut h = Health::default();
        assert!(h.take_due("a", &CFG, 0.0));
        assert!(!h.take_due("a", &CFG, 10.0), "one in flight");
        assert_eq!(h.unhealthy("a"), None, "unknown counts as healthy");
        h.record("a", false, "HTTP 503".into(), 50.0);
        assert_eq!(h.unhealthy("a"), Some("HTTP 503"));
        assert!(!h.take_due("a", &CFG, 900.0), "not before the interval");
        assert!(h.take_due("a", &CFG, 1_000.0));
        h.record("a", true, "ok".into(), 1_010.0);
        assert_eq!(h.unhealthy("a"), None);
        assert_eq!(h.last("a").0, Some(true));
    }

    #[test]
    fn a_probe_that_never_reports_is_given_up_on() {
        let mut h = Health::default();
        let cfg = HealthConfig { interval_ms: 10.0, timeout_ms: 100.0 };
        assert!(h.take_due("a", &cfg, 0.0));
        assert!(!h.take_due("a", &cfg, 150.0));
        assert!(h.take_due("a", &cfg, 200.0));
    }

    #[test]
    fn config_is_validated() {
        assert_eq!(parse_health(&json!(true)).unwrap(), Some(HealthConfig::default()));
        assert_eq!(parse_health(&json!({"intervalMs": 5000})).unwrap().map(|c| c.interval_ms), Some(5_000.0));
        assert!(parse_health(&json!({"interval": 5})).unwrap_err().message.contains("did you mean `intervalMs`"));
        assert!(parse_health(&json!({"timeoutMs": 0})).is_err());
        assert!(parse_health(&json!("often")).is_err());
    }
}
