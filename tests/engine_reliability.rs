//! Client-side rate limits and key rotation on the host, with the manual
//! clock: the scripted client moves it forward whenever the engine waits.

mod support;

use std::rc::Rc;

use cascade_edge::cascade::{AttemptOutcome, Engine, RunError};
use cascade_edge::clock::ManualClock;
use cascade_edge::config::{parse_agent, CallOptions};
use cascade_edge::error::ErrorCode;
use cascade_edge::json;
use cascade_edge::types::Message;
use cascade_edge::value::Value;
use cascade_edge::CascadeResult;
use support::{block_on, openai_body, Reply, Scripted};

fn engine(config: Value) -> (Engine<Rc<ManualClock>>, Rc<ManualClock>) {
    let clock = Rc::new(ManualClock::default());
    let e = Engine::with_store(
        parse_agent(&support::with_keys(config)).expect("valid config"),
        clock.clone(),
        Default::default(),
    );
    (e, clock)
}

fn run(e: &Engine<Rc<ManualClock>>, http: &Scripted) -> Result<CascadeResult, RunError> {
    block_on(e.run(http, vec![Message::user("What is the capital of France?")], &CallOptions::default()))
}

fn paris() -> Reply {
    Reply::Json(200, openai_body("The capital of France is Paris.", "stop", Some((10, 8))))
}

fn model(name: &str, extra: Value) -> Value {
    let mut m = json!({"name": name, "provider": "openai", "inputCost": 0.15, "outputCost": 0.6});
    if let (Some(m), Some(x)) = (m.as_object_mut(), extra.as_object()) {
        m.extend(x.clone());
    }
    m
}

#[test]
fn wait_holds_the_call_until_the_next_minute() {
    let (e, clock) =
        engine(json!({"models": [model("gpt-4o-mini", json!({}))], "rateLimit": {"requestsPerMinute": 2}}));
    clock.advance(10_000.0);
    for _ in 0..2 {
        let http = Scripted::timed(vec![paris()], &clock);
        run(&e, &http).unwrap();
        assert!(http.sleeps.borrow().is_empty());
    }
    let http = Scripted::timed(vec![paris()], &clock);
    let r = run(&e, &http).unwrap();
    let slept: f64 = http.sleeps.borrow().iter().sum();
    assert!((50_001.0..=50_251.0).contains(&slept), "waited into the next minute, not longer: {slept}");
    assert!(r.attempts[0].reason.contains("waited"), "{}", r.attempts[0].reason);
    assert_eq!(http.calls(), 1);
}

#[test]
fn fallback_passes_a_full_model_over_and_skip_sends_nothing() {
    let (e, clock) = engine(json!({"models": [
        model("gpt-4o-mini", json!({"rateLimit": {"requestsPerMinute": 1, "onRateLimit": "fallback"}})),
        model("gpt-4o", json!({"inputCost": 2.5, "outputCost": 10}))
    ]}));
    let http = Scripted::timed(vec![paris()], &clock);
    assert_eq!(run(&e, &http).unwrap().model_used, "gpt-4o-mini");
    let http = Scripted::timed(vec![paris()], &clock);
    let r = run(&e, &http).unwrap();
    assert_eq!(r.model_used, "gpt-4o");
    assert_eq!(http.calls(), 1, "the full drafter was not called");
    assert_eq!(r.attempts[0].outcome, AttemptOutcome::Failed);
    assert_eq!(r.attempts[0].error.as_ref().map(|e| e.code), Some("E_RATE_LIMITED"));
    assert!(r.attempts[0].reason.contains("client-side rate limit"), "{}", r.attempts[0].reason);

    let (e, clock) = engine(json!({"models": [
        model("gpt-4o-mini", json!({})),
        model("gpt-4o", json!({"inputCost": 2.5, "outputCost": 10}))
    ], "rateLimit": {"requestsPerMinute": 1, "onRateLimit": "skip"}}));
    run(&e, &Scripted::timed(vec![paris()], &clock)).unwrap();
    let http = Scripted::timed(vec![paris()], &clock);
    let err = run(&e, &http).unwrap_err();
    assert_eq!(err.error.code, ErrorCode::RateLimited);
    assert_eq!(http.calls(), 0);
}

#[test]
fn tokens_per_minute_settle_to_what_was_used() {
    // Each call holds its prompt estimate (15 + 8 framing) plus maxTokens
    // (100), 123 in all, and settles to the 18 it used: 16 calls fit under
    // 400 (18 × 15 + 123 = 393), where holding the worst case would allow 3.
    let (e, clock) = engine(json!({"models": [model("gpt-4o-mini", json!({"maxTokens": 100}))],
        "rateLimit": {"tokensPerMinute": 400, "onRateLimit": "skip"}}));
    let ok = (0..20).filter(|_| run(&e, &Scripted::timed(vec![paris()], &clock)).is_ok()).count();
    assert_eq!(ok, 16);
    clock.advance(60_000.0);
    assert!(run(&e, &Scripted::timed(vec![paris()], &clock)).is_ok(), "a new minute");
}

#[test]
fn rate_limit_options_are_checked() {
    let bad = |c: Value| parse_agent(&support::with_keys(c)).unwrap_err().message;
    let m = bad(json!({"models": [model("a", json!({}))], "rateLimit": {"requestsPerMinute": 0}}));
    assert!(m.contains("config.rateLimit.requestsPerMinute"), "{m}");
    let m = bad(json!({"models": [model("a", json!({"rateLimit": {"onRateLimit": "wait"}}))]}));
    assert!(m.contains("models[0].rateLimit"), "{m}");
}

fn auth_of(http: &Scripted, i: usize) -> String {
    let reqs = http.requests.borrow();
    reqs[i]
        .headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("authorization"))
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

#[test]
fn keys_rotate_and_a_refused_key_is_replaced_within_the_run() {
    let keys = json!({"keys": ["sk-rot-AAAA-1111", "sk-rot-BBBB-2222", "sk-rot-CCCC-3333"]});
    let (e, clock) = engine(json!([model("gpt-4o-mini", json!({"keyRotation": keys}))]));
    let http = Scripted::timed(vec![paris(), paris()], &clock);
    run(&e, &http).unwrap();
    run(&e, &http).unwrap();
    assert_eq!(auth_of(&http, 0), "Bearer sk-rot-AAAA-1111");
    assert_eq!(auth_of(&http, 1), "Bearer sk-rot-BBBB-2222", "round robin by default");
    // Key 2 is refused: key 0 answers in the same run, and the trace names indexes only.
    let refused = Reply::Json(401, r#"{"error":{"message":"Incorrect API key provided: sk-rot-CC**3333"}}"#.into());
    let http = Scripted::timed(vec![refused, paris()], &clock);
    let r = run(&e, &http).unwrap();
    assert_eq!(http.calls(), 2);
    assert_eq!(auth_of(&http, 1), "Bearer sk-rot-AAAA-1111");
    let trace: Vec<_> = r.attempts.iter().map(|a| (a.outcome, a.key_index)).collect();
    assert_eq!(trace, vec![(AttemptOutcome::Failed, Some(2)), (AttemptOutcome::Accepted, Some(0))]);
    assert!(r.attempts[0].reason.contains("key #2 was refused"), "{}", r.attempts[0].reason);
    let text = cascade_edge::json_out::ToJson::to_json(&r);
    assert!(!text.contains("sk-rot") && !text.contains("AAAA-1111"), "{text}");
    assert!(text.contains("\"keyIndex\":2"), "{text}");
}

#[test]
fn when_every_key_is_refused_the_run_fails_with_e_auth_once_per_key() {
    let keys = json!({"keys": ["sk-rot-AAAA-1111", "sk-rot-BBBB-2222"], "strategy": "least_used"});
    let (e, clock) = engine(json!([model("gpt-4o-mini", json!({"keyRotation": keys}))]));
    let refused = || Reply::Json(403, r#"{"error":{"message":"forbidden"}}"#.into());
    let http = Scripted::timed(vec![refused(), refused(), paris()], &clock);
    let err = run(&e, &http).unwrap_err();
    assert_eq!(err.error.code, ErrorCode::Auth);
    assert_eq!(http.calls(), 2, "each key once, never the same refused key again");
    let used: Vec<_> = err.attempts.iter().map(|a| a.key_index).collect();
    assert_eq!(used, vec![Some(0), Some(1)]);
}

/// One memory store shared by two engines, as Redis or a Durable Object
/// would be by two isolates.
struct Shared(Rc<cascade_edge::reliability::MemoryStore>);

impl cascade_edge::reliability::Store for Shared {
    async fn reserve(
        &self,
        items: &[cascade_edge::reliability::store::Reservation],
        now: f64,
    ) -> Result<bool, cascade_edge::error::CascadeError> {
        self.0.reserve(items, now).await
    }
    async fn settle(
        &self,
        items: &[cascade_edge::reliability::store::Settlement],
        now: f64,
    ) -> Result<(), cascade_edge::error::CascadeError> {
        self.0.settle(items, now).await
    }
    async fn read(
        &self,
        keys: &[String],
        now: f64,
    ) -> Result<Vec<cascade_edge::reliability::store::Counter>, cascade_edge::error::CascadeError> {
        self.0.read(keys, now).await
    }
    async fn get(
        &self,
        key: &str,
        now: f64,
    ) -> Result<Option<cascade_edge::reliability::store::Record>, cascade_edge::error::CascadeError> {
        self.0.get(key, now).await
    }
    async fn compare_and_set(
        &self,
        key: &str,
        version: u64,
        value: &str,
        ttl_ms: u64,
        now: f64,
    ) -> Result<bool, cascade_edge::error::CascadeError> {
        self.0.compare_and_set(key, version, value, ttl_ms, now).await
    }
}

#[test]
fn two_engines_on_one_store_share_a_breaker_and_one_probe_closes_it_for_both() {
    let store = Rc::new(cascade_edge::reliability::MemoryStore::default());
    let clock = Rc::new(ManualClock::default());
    let config = json!({"models": [model("gpt-4o-mini", json!({})), model("gpt-4o", json!({"inputCost": 2.5, "outputCost": 10}))],
        "circuitBreaker": {"failureThreshold": 2, "resetTimeoutMs": 1000}, "retry": {"maxRetries": 0}});
    let make = || {
        Engine::with_store(
            parse_agent(&support::with_keys(config.clone())).unwrap(),
            clock.clone(),
            Shared(store.clone()),
        )
    };
    let (a, b) = (make(), make());
    let down = || Reply::Json(503, r#"{"error":{"message":"overloaded"}}"#.into());
    let go = |e: &Engine<Rc<ManualClock>, Shared>, http: &Scripted| {
        block_on(e.run(http, vec![Message::user("What is the capital of France?")], &CallOptions::default()))
    };
    // A sees the drafter fail twice: the shared breaker opens.
    for _ in 0..2 {
        let http = Scripted::timed(vec![down(), paris()], &clock);
        assert_eq!(go(&a, &http).unwrap().model_used, "gpt-4o");
    }
    // B never called the drafter, and skips it.
    let http = Scripted::timed(vec![paris()], &clock);
    let r = go(&b, &http).unwrap();
    assert_eq!((http.calls(), r.attempts[0].outcome), (1, AttemptOutcome::Skipped));
    // After the reset timeout, B takes the probe.
    clock.advance(1_000.0);
    let admit_b = Scripted::timed(vec![paris()], &clock);
    let probe = go(&b, &admit_b).unwrap();
    assert_eq!(probe.model_used, "gpt-4o-mini", "the probe went through and the drafter answered");
    // The probe's success closed the breaker for A too.
    let http = Scripted::timed(vec![paris()], &clock);
    assert_eq!(go(&a, &http).unwrap().model_used, "gpt-4o-mini");
}

#[test]
fn a_health_verdict_found_by_one_engine_is_taken_by_another_on_the_same_store() {
    let store = Rc::new(cascade_edge::reliability::MemoryStore::default());
    let clock = Rc::new(ManualClock::default());
    let config = json!({"models": [model("gpt-4o-mini", json!({})), model("gpt-4o", json!({"inputCost": 2.5, "outputCost": 10}))],
        "healthCheck": {"intervalMs": 60000, "timeoutMs": 1000}});
    let make = || {
        Engine::with_store(
            parse_agent(&support::with_keys(config.clone())).unwrap(),
            clock.clone(),
            Shared(store.clone()),
        )
    };
    let (a, b) = (make(), make());
    // A probes the drafter's models list and finds it failing.
    let index = a.next_health_probe().expect("a probe is due");
    let http = Scripted::timed(vec![Reply::Json(503, r#"{"error":{"message":"down"}}"#.into())], &clock);
    block_on(a.health_probe(&http, index));
    assert_eq!(http.calls(), 1);
    assert!(http.requests.borrow()[0].url.ends_with("/models"), "a models-list probe, not a chat call");
    // B, due too, takes A's verdict without a request of its own, and passes the drafter over.
    let index = b.next_health_probe().expect("B has not probed");
    let quiet = Scripted::timed(vec![], &clock);
    block_on(b.health_probe(&quiet, index));
    assert_eq!(quiet.calls(), 0);
    let http = Scripted::timed(vec![paris()], &clock);
    let r =
        block_on(b.run(&http, vec![Message::user("What is the capital of France?")], &CallOptions::default())).unwrap();
    assert_eq!(r.model_used, "gpt-4o");
    assert!(r.attempts[0].reason.contains("health check failed"), "{}", r.attempts[0].reason);
}

#[test]
fn per_user_windows_hold_each_user_to_their_own_share() {
    let (e, clock) = engine(json!({"models": [model("gpt-4o-mini", json!({}))],
        "rateLimit": {"requestsPerMinute": 3, "perUser": {"requestsPerMinute": 2}, "onRateLimit": "skip"}}));
    let as_user = |u: &str| {
        let opts = CallOptions { user_id: Some(u.to_string()), ..Default::default() };
        block_on(e.run(
            &Scripted::timed(vec![paris()], &clock),
            vec![Message::user("What is the capital of France?")],
            &opts,
        ))
    };
    assert!(as_user("ana").is_ok());
    assert!(as_user("ana").is_ok());
    let refused = as_user("ana").unwrap_err();
    assert_eq!(refused.error.code, ErrorCode::RateLimited, "ana's own two a minute");
    assert!(as_user("bo").is_ok(), "bo has his own window");
    assert_eq!(as_user("cy").unwrap_err().error.code, ErrorCode::RateLimited, "and all share three a minute");
}
