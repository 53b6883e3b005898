//! What stands between the tier loop and a call: the client-side rate
//! windows of the agent and of the model, and circuit breakers whose state
//! lives in a shared store. Kept apart from `engine.rs` so
//! the loop reads as decisions, and boxed by the caller so that none of it
//! weighs on runs without a rate limit.

use crate::clock::Clock;
use crate::config::ModelConfig;
use crate::decimal::Plain;
use crate::error::{CascadeError, ErrorCode, FailureClass};
use crate::http::HttpClient;
use crate::reliability::rate_limit::{self, OnRateLimit, RateHold, RateLimitConfig, MAX_WAITS};
use crate::reliability::{Admit, Store};
use crate::types::{ChatRequest, Completion};

use super::engine::Engine;
use super::result::{Attempt, AttemptOutcome};
use super::trace::{all_failed, skipped_attempt};

/// A call the rate windows did not admit.
pub(super) enum Refused {
    /// `skip`: the run ends with this error.
    Stop(CascadeError),
    /// `fallback`: this model is passed over, as after a 429.
    MoveOn(CascadeError),
}

/// A call the windows admitted: what it holds, and what the trace should say.
pub(super) struct Admitted {
    pub hold: Option<RateHold>,
    pub note: Option<String>,
}

impl<C: Clock, S: Store> Engine<C, S> {
    /// Whether any rate limit applies to `model` (checked before boxing).
    pub(super) fn rate_limited(&self, model: &ModelConfig) -> bool {
        self.config.rate_limit.is_some() || model.rate_limit.is_some()
    }

    /// Take a place in the current minute's windows for one call to `model`,
    /// waiting for the next minute when `onRateLimit` is `wait`. A store
    /// that fails lets the call through (rate limits fail open).
    pub(super) async fn take_rate<H: HttpClient>(
        &self,
        http: &H,
        model: &ModelConfig,
        endpoint: &str,
        req: &ChatRequest,
        user: Option<&str>,
    ) -> Result<Admitted, Refused> {
        let mut limits: Vec<(String, RateLimitConfig)> = Vec::with_capacity(4);
        // A user's own window: the length first, so no id can spell another's.
        let who = |scope: &str, u: &str| format!("{scope}:u:{}:{u}", u.len());
        for (scope, cfg) in [("agent", self.config.rate_limit), (endpoint, model.rate_limit)] {
            let Some(cfg) = cfg else { continue };
            if cfg.requests_per_minute.is_some() || cfg.tokens_per_minute.is_some() {
                limits.push((scope.to_string(), cfg));
            }
            if let (Some(user_cfg), Some(u)) = (cfg.for_user(), user) {
                limits.push((who(scope, u), user_cfg));
            }
        }
        // The model's own choice wins over the agent's.
        let on_limit = model.rate_limit.or(self.config.rate_limit).map_or(OnRateLimit::Wait, |c| c.on_limit);
        let tokens = super::engine::worst_case_tokens(req);
        let mut waited = 0.0f64;
        for round in 0..=MAX_WAITS {
            let epoch = self.wall_ms();
            let items = rate_limit::reservations(&limits, tokens, epoch);
            match self.store.reserve(&items, self.clock.now_ms()).await {
                Ok(true) => {
                    let note = (waited > 0.0)
                        .then(|| format!("waited {} ms for its rate-limit window", Plain(waited.round())));
                    return Ok(Admitted { hold: Some(RateHold::new(&items)), note });
                }
                Err(e) => {
                    let note = format!("rate limit not checked, the store failed: {}", e.message);
                    return Ok(Admitted { hold: None, note: Some(note) });
                }
                Ok(false) => {}
            }
            let full = |what: &str| {
                CascadeError::new(
                    ErrorCode::RateLimited,
                    format!(
                        "{} ({}) is at its client-side rate limit (rateLimit) for this minute{what}",
                        model.provider, model.name
                    ),
                )
                .for_model(&model.provider, &model.name)
            };
            match on_limit {
                OnRateLimit::Skip => return Err(Refused::Stop(full("").with_class(FailureClass::Client))),
                OnRateLimit::Fallback => return Err(Refused::MoveOn(full("").with_class(FailureClass::RateLimited))),
                OnRateLimit::Wait if round == MAX_WAITS => {
                    let e = full(&format!(", after waiting {} ms", Plain(waited.round())));
                    return Err(Refused::MoveOn(e.with_class(FailureClass::RateLimited)));
                }
                OnRateLimit::Wait => {
                    // Into the next minute, spread a little so that waiting
                    // runs do not all arrive in its first millisecond.
                    let (_, left) = rate_limit::window(epoch);
                    let ms = left + 1.0 + self.clock.random() * 250.0;
                    http.sleep(ms).await.map_err(Refused::Stop)?;
                    waited += ms;
                }
            }
        }
        Err(Refused::MoveOn(CascadeError::new(ErrorCode::RateLimited, "rate limit")))
    }

    /// Count the call in its windows: a request made, the tokens it used.
    pub(super) async fn settle_rate(
        &self,
        hold: RateHold,
        req: &ChatRequest,
        outcome: &Result<Completion, CascadeError>,
    ) -> Option<String> {
        let used = outcome.as_ref().ok().map(|c| {
            let u = super::trace::usage_or_estimate(c, req);
            u.input_tokens.saturating_add(u.output_tokens)
        });
        let items = hold.settlements(used);
        self.store
            .settle(&items, self.clock.now_ms())
            .await
            .err()
            .map(|e| format!("the rate-limit store did not take the call's count: {}", e.message))
    }

    /// The breaker's say on `endpoint` when its state is shared: the record
    /// is read into this agent's breakers, decided there, and a change (an
    /// open breaker turning half-open for this call's probe) written back
    /// only if nobody wrote first, so that one isolate alone probes. A store
    /// that fails leaves the decision to this agent's own breakers.
    pub(super) async fn admit_shared(&self, endpoint: &str) -> Admit {
        if !self.breakers.try_borrow().is_ok_and(|b| b.enabled()) {
            return Admit::Call;
        }
        let key = format!("breaker:{endpoint}");
        let Ok(record) = self.store.get(&key, self.clock.now_ms()).await else { return self.admit(endpoint) };
        let version = record.as_ref().map_or(0, |r| r.version);
        let (admit, after, ttl) = match self.breakers.try_borrow_mut() {
            Ok(mut b) => {
                b.import(endpoint, record.as_ref().map(|r| r.value.as_str()));
                let admit = b.admit(endpoint, self.wall_ms());
                (admit, b.export(endpoint), b.record_ttl_ms())
            }
            Err(_) => return Admit::Call,
        };
        if admit != Admit::Probe {
            return admit;
        }
        let after = after.unwrap_or_default();
        match self.store.compare_and_set(&key, version, &after, ttl, self.clock.now_ms()).await {
            Ok(true) | Err(_) => Admit::Probe,
            // Another isolate took the probe first: wait for its outcome.
            Ok(false) => self.admit(endpoint),
        }
    }

    /// Report a call to a shared breaker: read, apply, compare-and-set, a
    /// few times if others write meanwhile. A success on a clean endpoint
    /// (the usual case) writes nothing.
    pub(super) async fn record_shared(&self, endpoint: &str, ok: bool) {
        let key = format!("breaker:{endpoint}");
        let clean = self.breakers.try_borrow().map_or(true, |b| b.export(endpoint).is_none());
        if ok && clean {
            return;
        }
        for _ in 0..3 {
            let Ok(record) = self.store.get(&key, self.clock.now_ms()).await else { break };
            let version = record.as_ref().map_or(0, |r| r.version);
            let (after, ttl) = match self.breakers.try_borrow_mut() {
                Ok(mut b) => {
                    b.import(endpoint, record.as_ref().map(|r| r.value.as_str()));
                    b.record(endpoint, self.wall_ms(), ok);
                    (b.export(endpoint).unwrap_or_default(), b.record_ttl_ms())
                }
                Err(_) => return,
            };
            if version == 0 && after.is_empty() {
                return;
            }
            match self.store.compare_and_set(&key, version, &after, ttl, self.clock.now_ms()).await {
                Ok(false) => continue,
                Ok(true) | Err(_) => return,
            }
        }
        // The store is unreachable: this agent's own breaker still learns.
        self.record_outcome(endpoint, ok);
    }

    /// The next endpoint a health probe is due for, as an index into
    /// `config.all_models()`, marked as being probed; `None` when none is
    /// due or health checks are off. Custom providers have nothing to probe.
    pub fn next_health_probe(&self) -> Option<usize> {
        let cfg = self.config.health_check?;
        let now = self.wall_ms();
        let mut health = self.health.try_borrow_mut().ok()?;
        let mut seen: Vec<String> = Vec::new();
        for (i, m) in self.config.all_models().enumerate() {
            let endpoint = super::engine::breaker_key(m);
            if m.wire == crate::providers::WireFormat::Custom || seen.contains(&endpoint) {
                continue;
            }
            if health.take_due(&endpoint, &cfg, now) {
                return Some(i);
            }
            seen.push(endpoint);
        }
        None
    }

    /// Probe model `index` (from `next_health_probe`) and remember the
    /// verdict. With a shared store, a verdict another isolate found within
    /// the interval is taken instead of probing again, and a new one is
    /// written for the others; a store that fails changes nothing here.
    pub async fn health_probe<H: HttpClient>(&self, http: &H, index: usize) {
        let Some(model) = self.config.all_models().nth(index) else { return };
        let Some(cfg) = self.config.health_check else { return };
        let endpoint = super::engine::breaker_key(model);
        let key = format!("health:{endpoint}");
        let shared = !self.store.is_local();
        let mut version = 0;
        if shared {
            if let Ok(Some(rec)) = self.store.get(&key, self.clock.now_ms()).await {
                version = rec.version;
                if let Some((ok, at, reason)) = read_health(&rec.value) {
                    if self.wall_ms() < at + cfg.interval_ms {
                        self.note_health(&endpoint, ok, reason.to_string(), at);
                        return;
                    }
                }
            }
        }
        let (ok, reason) = match super::call::probe(http, &self.clock, model, false).await {
            Ok(r) => (r.ok, r.reason),
            Err(e) => (false, e.message),
        };
        let now = self.wall_ms();
        if shared {
            let text = format!("{}|{}|{reason}", u8::from(ok), Plain(now.round()));
            let ttl = (cfg.interval_ms * 2.0) as u64;
            let _ = self.store.compare_and_set(&key, version, &text, ttl, self.clock.now_ms()).await;
        }
        self.note_health(&endpoint, ok, reason, now);
    }

    fn note_health(&self, endpoint: &str, ok: bool, reason: String, at: f64) {
        if let Ok(mut h) = self.health.try_borrow_mut() {
            h.record(endpoint, ok, reason, at);
        }
    }

    /// What the probes last found, endpoint by endpoint (without keys).
    pub fn health_report(&self) -> Vec<crate::reliability::health::EndpointHealth> {
        let Ok(health) = self.health.try_borrow() else { return Vec::new() };
        let mut seen: Vec<String> = Vec::new();
        let mut out = Vec::new();
        for m in self.config.all_models() {
            let endpoint = super::engine::breaker_key(m);
            if m.wire == crate::providers::WireFormat::Custom || seen.contains(&endpoint) {
                continue;
            }
            let (healthy, checked_at, reason) = health.last(&endpoint);
            out.push(crate::reliability::health::EndpointHealth {
                provider: m.provider.clone(),
                model: m.name.clone(),
                base_url: m.display_base_url(),
                healthy,
                checked_at,
                reason,
            });
            seen.push(endpoint);
        }
        out
    }

    /// Whether `model`'s endpoint may be called now: not while its last
    /// health probe failed (unless no later model remains) or its breaker
    /// is open. A model passed over is in `attempts`; an open breaker on the
    /// last model fails the run at once, rather than waiting on a request
    /// that would most likely fail.
    pub(super) async fn endpoint_open(
        &self,
        model: &ModelConfig,
        tier: usize,
        endpoint: &str,
        has_next: bool,
        attempts: &mut Vec<Attempt>,
    ) -> Result<bool, CascadeError> {
        let sick = self.health.try_borrow().ok().and_then(|h| h.unhealthy(endpoint).map(str::to_string));
        if let (Some(why), true) = (sick, has_next) {
            attempts.push(skipped_attempt(tier, model, &format!("its last health check failed ({why})")));
            return Ok(false);
        }
        let admitted = match self.store.is_local() {
            true => self.admit(endpoint),
            false => Box::pin(self.admit_shared(endpoint)).await,
        };
        let Admit::Skip { until } = admitted else { return Ok(true) };
        let why = format!(
            "skipped: its circuit breaker is open after repeated failures (for another {} ms)",
            Plain((until - self.wall_ms()).max(0.0).ceil())
        );
        attempts.push(skipped_attempt(tier, model, &why));
        if has_next {
            return Ok(false);
        }
        let e =
            CascadeError::new(ErrorCode::ProviderUnavailable, format!("{} ({}) was {why}", model.provider, model.name))
                .with_class(FailureClass::Server)
                .for_model(&model.provider, &model.name);
        let others_failed = attempts.iter().any(|a| a.outcome == AttemptOutcome::Failed)
            && !attempts.iter().any(|a| matches!(a.outcome, AttemptOutcome::Rejected | AttemptOutcome::Accepted));
        Err(if others_failed { all_failed(attempts, e) } else { e })
    }
}

/// A shared health record: `1|<wall ms>|<reason>` or `0|...`.
fn read_health(text: &str) -> Option<(bool, f64, &str)> {
    let mut parts = text.splitn(3, '|');
    let ok = match parts.next()? {
        "1" => true,
        "0" => false,
        _ => return None,
    };
    let at = crate::decimal::parse_f64(parts.next()?).filter(|t| t.is_finite())?;
    Some((ok, at, parts.next().unwrap_or("")))
}
