//! Client-side rate limits: `rateLimit: { requestsPerMinute, tokensPerMinute,
//! onRateLimit }`, for the agent and for each model. A provider's 429 costs a
//! round trip and, for some, a penalty; counting our own calls avoids both.
//!
//! Windows are fixed minutes of wall time, counted in the store like a
//! budget (reserve before the call, settle after), so every isolate that
//! shares a store shares the window. A call holds one request and its
//! token estimate (prompt counted generously plus `maxTokens`) and settles
//! to the tokens it really used.

use crate::value::Value;

use crate::config::{check_keys, kind_of, number, Fields};
use crate::error::CascadeError;

use super::store::{Reservation, Settlement};

/// What a call that does not fit its window does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OnRateLimit {
    /// Wait for the next window (within the run's deadline), then call.
    Wait,
    /// Do not call: the run fails with `E_RATE_LIMITED` at once.
    Skip,
    /// Pass this model over, as if it had answered 429: the next model of
    /// its failover group, or the next tier, is tried.
    Fallback,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RateLimitConfig {
    pub requests_per_minute: Option<u64>,
    pub tokens_per_minute: Option<u64>,
    pub on_limit: OnRateLimit,
    /// `perUser`: the same limits again for each `userId` a run names
    /// (each proxy key, each customer), beside the shared ones.
    pub per_user: Option<UserLimits>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct UserLimits {
    pub requests_per_minute: Option<u64>,
    pub tokens_per_minute: Option<u64>,
}

impl RateLimitConfig {
    /// The limits for one user's own window.
    pub fn for_user(&self) -> Option<RateLimitConfig> {
        self.per_user.map(|u| RateLimitConfig {
            requests_per_minute: u.requests_per_minute,
            tokens_per_minute: u.tokens_per_minute,
            on_limit: self.on_limit,
            per_user: None,
        })
    }
}

pub const WINDOW_MS: f64 = 60_000.0;

/// How many windows a `wait` call waits through before it gives up.
pub const MAX_WAITS: u32 = 3;

/// What a call holds in its windows, to settle after it.
#[derive(Clone, Debug, PartialEq)]
pub struct RateHold {
    /// (key, reserved, is a token count)
    items: Vec<(String, u64, bool)>,
}

/// The window a wall time falls in, and the ms until it ends.
pub fn window(epoch_ms: f64) -> (i64, f64) {
    let w = (epoch_ms / WINDOW_MS).floor();
    let w = if w.is_finite() { w.clamp(-1e12, 1e12) } else { 0.0 };
    (w as i64, ((w + 1.0) * WINDOW_MS - epoch_ms).max(0.0))
}

/// The reservations a call of `tokens` makes against `limits`, each
/// `(scope, limits)` with `scope` naming the agent or the model endpoint.
pub fn reservations(limits: &[(String, RateLimitConfig)], tokens: u64, epoch_ms: f64) -> Vec<Reservation> {
    let (w, _) = window(epoch_ms);
    // Twice the window: a late settlement still lands in its own minute.
    let ttl_ms = (2.0 * WINDOW_MS) as u64;
    let mut out = Vec::with_capacity(limits.len().saturating_mul(2));
    for (scope, cfg) in limits {
        if let Some(limit) = cfg.requests_per_minute {
            out.push(Reservation { key: format!("rate:{scope}:{w}:r"), amount: 1, limit, ttl_ms });
        }
        if let Some(limit) = cfg.tokens_per_minute {
            // A call larger than a whole window's tokens could never run: it
            // is let through alone in an empty window instead.
            out.push(Reservation { key: format!("rate:{scope}:{w}:t"), amount: tokens.min(limit), limit, ttl_ms });
        }
    }
    out
}

impl RateHold {
    pub fn new(items: &[Reservation]) -> RateHold {
        RateHold { items: items.iter().map(|r| (r.key.clone(), r.amount, r.key.ends_with(":t"))).collect() }
    }

    /// The call was not made after all: nothing is counted.
    pub fn released(self) -> Vec<Settlement> {
        let ttl_ms = (2.0 * WINDOW_MS) as u64;
        self.items.into_iter().map(|(key, reserved, _)| Settlement { key, reserved, actual: 0, ttl_ms }).collect()
    }

    /// The call happened (or was refused by the provider): a request counts
    /// as made; tokens settle to `used`, or to nothing when none came back.
    pub fn settlements(self, used: Option<u64>) -> Vec<Settlement> {
        let ttl_ms = (2.0 * WINDOW_MS) as u64;
        self.items
            .into_iter()
            .map(|(key, reserved, tokens)| {
                let actual = if tokens { used.unwrap_or(0) } else { reserved };
                Settlement { key, reserved, actual, ttl_ms }
            })
            .collect()
    }
}

const KEYS: &[&str] = &["requestsPerMinute", "tokensPerMinute", "onRateLimit", "enabled", "perUser"];
const USER_KEYS: &[&str] = &["requestsPerMinute", "tokensPerMinute"];

/// `rateLimit: { requestsPerMinute, tokensPerMinute, onRateLimit }`; `enabled:
/// false` (the seed's spelling) or `false` itself turns it off.
pub fn parse_rate_limit(v: &Value, path: &str) -> Result<Option<RateLimitConfig>, CascadeError> {
    let obj: &Fields = match v {
        Value::Null | Value::Bool(false) => return Ok(None),
        Value::Object(o) => o,
        other => {
            return Err(CascadeError::config(format!(
                "{path}: expected {{requestsPerMinute, tokensPerMinute, onRateLimit}} or false, got {}",
                kind_of(other)
            )))
        }
    };
    check_keys(obj, KEYS, path)?;
    if obj.get("enabled") == Some(&Value::Bool(false)) {
        return Ok(None);
    }
    let count = |n: &crate::value::Number| n.as_u64().filter(|c| (1..=1_000_000_000_000).contains(c));
    let requests_per_minute = number(obj, "requestsPerMinute", path, "a whole number of at least 1", count)?;
    let tokens_per_minute = number(obj, "tokensPerMinute", path, "a whole number of at least 1", count)?;
    let on_limit = match obj.get("onRateLimit") {
        None | Some(Value::Null) => OnRateLimit::Wait,
        Some(Value::String(s)) if s == "wait" => OnRateLimit::Wait,
        Some(Value::String(s)) if s == "skip" => OnRateLimit::Skip,
        Some(Value::String(s)) if s == "fallback" => OnRateLimit::Fallback,
        Some(other) => {
            return Err(CascadeError::config(format!(
                "{path}.onRateLimit: expected 'wait', 'skip' or 'fallback', got {other}"
            )))
        }
    };
    let per_user = match obj.get("perUser") {
        None | Some(Value::Null) => None,
        Some(Value::Object(u)) => {
            let upath = format!("{path}.perUser");
            check_keys(u, USER_KEYS, &upath)?;
            let limits = UserLimits {
                requests_per_minute: number(u, "requestsPerMinute", &upath, "a whole number of at least 1", count)?,
                tokens_per_minute: number(u, "tokensPerMinute", &upath, "a whole number of at least 1", count)?,
            };
            if limits == UserLimits::default() {
                return Err(CascadeError::config(format!("{upath}: give requestsPerMinute, tokensPerMinute or both")));
            }
            Some(limits)
        }
        Some(other) => {
            return Err(CascadeError::config(format!(
                "{path}.perUser: expected {{requestsPerMinute, tokensPerMinute}}, got {}",
                kind_of(other)
            )))
        }
    };
    if requests_per_minute.is_none() && tokens_per_minute.is_none() && per_user.is_none() {
        return Err(CascadeError::config(format!(
            "{path}: give requestsPerMinute, tokensPerMinute, perUser or a mix (or rateLimit: false)"
        )));
    }
    Ok(Some(RateLimitConfig { requests_per_minute, tokens_per_minute, on_limit, per_user }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json;
    use crate::reliability::store::{MemoryStore, Store};

    fn now<F: std::future::Future>(f: F) -> F::Output {
        let mut f = std::pin::pin!(f);
        match f.as_mut().poll(&mut std::task::Context::from_waker(std::task::Waker::noop())) {
            std::task::Poll::Ready(v) => v,
            std::task::Poll::Pending => panic!("the memory store waited"),
        }
    }

    const T: f64 = 1_769_817_600_000.0;

    #[test]
    fn a_window_holds_its_requests_and_tokens_then_the_next_minute_is_free() {
        let cfg = RateLimitConfig {
            requests_per_minute: Some(3),
            tokens_per_minute: Some(1_000),
            on_limit: OnRateLimit::Wait,
            per_user: None,
        };
        let s = MemoryStore::default();
        let take = |tokens, at| {
            let items = reservations(&[("m".to_string(), cfg)], tokens, at);
            now(s.reserve(&items, at)).unwrap().then(|| RateHold::new(&items))
        };
        let a = take(400, T).unwrap();
        let _b = take(400, T + 1.0).unwrap();
        assert!(take(400, T + 2.0).is_none(), "1,200 tokens would pass 1,000");
        // Settled to what was really used, the tokens are free again; the request is not.
        now(s.settle(&a.settlements(Some(100)), T)).unwrap();
        let _c = take(400, T + 3.0).unwrap();
        assert!(take(1, T + 4.0).is_none(), "three requests this minute");
        assert_eq!(window(T + 4.0).1, WINDOW_MS - 4.0);
        assert!(take(1, T + WINDOW_MS).is_some(), "a new minute");
    }

    #[test]
    fn a_call_larger_than_a_window_runs_alone() {
        let cfg = RateLimitConfig {
            requests_per_minute: None,
            tokens_per_minute: Some(100),
            on_limit: OnRateLimit::Wait,
            per_user: None,
        };
        let s = MemoryStore::default();
        let items = reservations(&[("m".to_string(), cfg)], 5_000, T);
        assert!(now(s.reserve(&items, T)).unwrap());
        assert!(!now(s.reserve(&reservations(&[("m".to_string(), cfg)], 1, T), T)).unwrap());
    }

    #[test]
    fn config_is_validated() {
        let c = parse_rate_limit(&json!({"requestsPerMinute": 100, "onRateLimit": "fallback"}), "config.rateLimit")
            .unwrap();
        assert_eq!(c.map(|c| (c.requests_per_minute, c.on_limit)), Some((Some(100), OnRateLimit::Fallback)));
        assert_eq!(parse_rate_limit(&json!(false), "x").unwrap(), None);
        assert_eq!(parse_rate_limit(&json!({"enabled": false, "requestsPerMinute": 5}), "x").unwrap(), None);
        let e = parse_rate_limit(&json!({"requestPerMinute": 5}), "config.rateLimit").unwrap_err();
        assert!(e.message.contains("did you mean `requestsPerMinute`"), "{}", e.message);
        assert!(parse_rate_limit(&json!({"requestsPerMinute": 0}), "x").is_err());
        assert!(parse_rate_limit(&json!({"requestsPerMinute": 1.5}), "x").is_err());
        assert!(parse_rate_limit(&json!({"onRateLimit": "wait"}), "x")
            .unwrap_err()
            .message
            .contains("give requestsPerMinute"));
        assert!(parse_rate_limit(&json!({"requestsPerMinute": 5, "onRateLimit": "hope"}), "x").is_err());
    }
}
