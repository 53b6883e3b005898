//! The tier loop end to end on the host: scripted provider replies, real codecs.

mod support;

use cascade_edge::cascade::{AttemptOutcome, Engine};
use cascade_edge::clock::ManualClock;
use cascade_edge::config::{parse_agent, CallOptions};
use cascade_edge::error::ErrorCode;
use cascade_edge::json;
use cascade_edge::json_out::ToJson;
use cascade_edge::types::Message;
use support::{block_on, openai_body, Reply, Scripted};

fn engine(models: cascade_edge::value::Value) -> Engine<ManualClock> {
    Engine::new(parse_agent(&support::with_keys(models)).expect("valid config"), ManualClock::default())
}

fn two_tier() -> Engine<ManualClock> {
    engine(json!([
        {"name": "gpt-4o-mini", "provider": "openai", "apiKey": "sk-test-SECRET-123"},
        {"name": "gpt-4o", "provider": "openai", "apiKey": "sk-test-SECRET-123"}
    ]))
}

fn run(
    e: &Engine<ManualClock>,
    http: &Scripted,
    q: &str,
) -> Result<cascade_edge::CascadeResult, cascade_edge::cascade::RunError> {
    block_on(e.run(http, vec![Message::user(q)], &CallOptions::default()))
}

#[test]
fn correct_short_answer_to_trivial_question_is_accepted() {
    let http = Scripted::new(vec![Reply::Json(200, openai_body("4", "stop", Some((12, 1))))]);
    let r = run(&two_tier(), &http, "What is 2+2?").unwrap();
    assert_eq!(r.content, "4");
    assert_eq!(r.model_used, "gpt-4o-mini");
    assert!(r.draft_accepted && !r.cascaded);
    assert_eq!(http.calls(), 1);
    // 12 in at $0.15/M + 1 out at $0.60/M
    let cost = r.total_cost.unwrap();
    assert!((cost - (12.0 * 0.15 + 0.60) / 1e6).abs() < 1e-12, "{cost}");
    // Baseline: gpt-4o on the same tokens (12 x 2.50 + 1 x 10.00) / 1M.
    let baseline = (12.0 * 2.5 + 10.0) / 1e6;
    assert!((r.cost_saved.unwrap() - (baseline - cost)).abs() < 1e-12);
    assert!(r.savings_percentage.unwrap() > 90.0);
    assert!(!r.usage.estimated);
    assert_eq!(r.attempts.len(), 1);
    assert_eq!(r.attempts[0].outcome, AttemptOutcome::Accepted);
}

#[test]
fn refused_draft_escalates_and_reports_negative_savings_honestly() {
    let http = Scripted::new(vec![
        Reply::Json(200, openai_body("I'm sorry, but I can't help with that request.", "stop", Some((20, 12)))),
        Reply::Json(200, openai_body("Entanglement links the states of two particles so that measuring one fixes the other, whatever the distance.", "stop", Some((20, 25)))),
    ]);
    let r = run(&two_tier(), &http, "Explain quantum entanglement in two sentences.").unwrap();
    assert_eq!(r.model_used, "gpt-4o");
    assert!(r.cascaded && !r.draft_accepted);
    assert_eq!(r.attempts.len(), 2);
    assert_eq!(r.attempts[0].outcome, AttemptOutcome::Rejected);
    let v = r.attempts[0].verdict.as_ref().expect("rejected draft carries its verdict");
    assert!(!v.accepted && v.score < v.threshold);
    // Paid for the draft and the verifier: more than the verifier alone.
    assert!(r.cost_saved.unwrap() < 0.0);
    assert!(r.savings_percentage.unwrap() < 0.0);
}

#[test]
fn truncated_draft_escalates() {
    let http = Scripted::new(vec![
        Reply::Json(
            200,
            openai_body(
                "The three main causes of the French Revolution were, first, the fiscal",
                "length",
                Some((20, 16)),
            ),
        ),
        Reply::Json(
            200,
            openai_body("Fiscal crisis, social inequality and Enlightenment ideas.", "stop", Some((20, 12))),
        ),
    ]);
    let r = run(&two_tier(), &http, "What were the main causes of the French Revolution?").unwrap();
    assert_eq!(r.model_used, "gpt-4o");
    assert_eq!(r.attempts[0].outcome, AttemptOutcome::Rejected);
}

#[test]
fn three_tiers_with_a_failing_middle_tier() {
    let e = engine(json!([
        {"name": "small", "provider": "openai", "inputCost": 0.1, "outputCost": 0.1},
        {"name": "mid", "provider": "openai", "inputCost": 1.0, "outputCost": 1.0},
        {"name": "big", "provider": "openai", "inputCost": 10.0, "outputCost": 10.0}
    ]));
    let overloaded = || Reply::Json(503, r#"{"error":{"message":"overloaded"}}"#.into());
    let http = Scripted::new(vec![
        Reply::Json(200, openai_body("", "stop", Some((10, 0)))),
        overloaded(),
        overloaded(),
        overloaded(),
        Reply::Json(200, openai_body("A full answer about the topic asked.", "stop", Some((10, 8)))),
    ]);
    let r = run(&e, &http, "Describe the water cycle.").unwrap();
    assert_eq!(r.model_used, "big");
    let outcomes: Vec<_> = r.attempts.iter().map(|a| a.outcome).collect();
    use AttemptOutcome::{Accepted, Failed, Rejected};
    assert_eq!(outcomes, vec![Rejected, Failed, Failed, Failed, Accepted]);
    for a in &r.attempts[1..4] {
        let err = a.error.as_ref().unwrap();
        assert_eq!((a.model.as_str(), err.code, err.status), ("mid", "E_PROVIDER_UNAVAILABLE", Some(503)));
    }
    // Backed off twice (0.5 s then 1 s, jittered with the clock's middle draw), then moved on.
    let waits: Vec<_> = r.attempts.iter().map(|a| a.retry_in_ms).collect();
    assert_eq!(waits, vec![None, Some(375.0), Some(750.0), None, None]);
    assert!(r.reason.contains("mid failed"), "{}", r.reason);
}

#[test]
fn client_error_fails_fast_without_calling_the_next_tier() {
    let http = Scripted::new(vec![Reply::Json(400, r#"{"error":{"message":"max_tokens is too large"}}"#.into())]);
    let e = run(&two_tier(), &http, "hello there").unwrap_err();
    assert_eq!(e.error.code, ErrorCode::ProviderStatus);
    assert_eq!(e.error.status, Some(400));
    assert!(e.error.message.contains("max_tokens is too large"));
    assert_eq!(http.calls(), 1);
    assert_eq!(e.attempts.len(), 1);
}

#[test]
fn every_tier_failing_is_one_clear_error_with_the_trace() {
    let bad_gateway = || Reply::Json(502, "bad gateway".into());
    let http = Scripted::new(vec![
        Reply::Transport("connection refused"),
        Reply::Transport("connection refused"),
        bad_gateway(),
        bad_gateway(),
        bad_gateway(),
    ]);
    let e = run(&two_tier(), &http, "hello there").unwrap_err();
    assert_eq!(e.error.code, ErrorCode::AllModelsFailed);
    // A refused connection is tried once more at once; a 502 backs off twice.
    let tiers: Vec<_> = e.attempts.iter().map(|a| (a.tier, a.retry_in_ms)).collect();
    assert_eq!(tiers, vec![(0, Some(0.0)), (0, None), (1, Some(375.0)), (1, Some(750.0)), (1, None)]);
    assert!(e.attempts.iter().all(|a| a.outcome == AttemptOutcome::Failed));
    assert_eq!(http.calls(), 5);
}

#[test]
fn missing_usage_is_estimated_and_flagged() {
    let http = Scripted::new(vec![Reply::Json(200, openai_body("Paris", "stop", None))]);
    let r = run(&two_tier(), &http, "What is the capital of France?").unwrap();
    assert_eq!(r.content, "Paris");
    assert!(r.usage.estimated);
    assert!(r.usage.input_tokens > 0 && r.usage.output_tokens > 0);
    assert!(r.total_cost.unwrap() > 0.0);
}

#[test]
fn unknown_price_is_null_not_zero() {
    let e = engine(json!([
        {"name": "my-finetune", "provider": "openai"},
        {"name": "gpt-4o", "provider": "openai"}
    ]));
    let http = Scripted::new(vec![Reply::Json(200, openai_body("4", "stop", Some((5, 1))))]);
    let r = run(&e, &http, "What is 2+2?").unwrap();
    // Unknown price sorts last: gpt-4o is tried first and answers.
    assert_eq!(r.model_used, "gpt-4o");
    let e = engine(json!({"keepOrder": true, "models": [
        {"name": "my-finetune", "provider": "openai"},
        {"name": "gpt-4o", "provider": "openai"}
    ]}));
    let http = Scripted::new(vec![Reply::Json(200, openai_body("4", "stop", Some((5, 1))))]);
    let r = run(&e, &http, "What is 2+2?").unwrap();
    assert_eq!(r.model_used, "my-finetune");
    assert_eq!(r.total_cost, None);
    assert_eq!(r.cost_saved, None);
}

#[test]
fn tiers_are_ordered_by_price_unless_asked_not_to() {
    let e = engine(json!([
        {"name": "gpt-4o", "provider": "openai"},
        {"name": "gpt-4o-mini", "provider": "openai"}
    ]));
    assert_eq!(e.config.models[0].name, "gpt-4o-mini");
}

#[test]
fn api_key_never_appears_in_errors_or_traces() {
    let http = Scripted::new(vec![
        Reply::Json(401, r#"{"error":{"message":"Incorrect API key provided: sk-test-SECRET-123"}}"#.into()),
        Reply::Json(401, r#"{"error":{"message":"Incorrect API key provided: sk-test-SECRET-123"}}"#.into()),
    ]);
    let e = run(&two_tier(), &http, "hello there").unwrap_err();
    let text = e.to_json();
    assert!(!text.contains("sk-test-SECRET-123"), "{text}");
    assert!(text.contains("Incorrect API key provided"));
    // And it was sent, as a bearer token.
    assert_eq!(http.requests.borrow()[0].header("authorization"), Some("Bearer sk-test-SECRET-123"));
}

#[test]
fn options_reach_the_request() {
    let http = Scripted::new(vec![Reply::Json(200, openai_body("4", "stop", Some((5, 1))))]);
    let opts = CallOptions {
        max_tokens: Some(77),
        temperature: Some(0.2),
        system_prompt: Some("Be brief.".into()),
        ..Default::default()
    };
    block_on(two_tier().run(&http, vec![Message::user("What is 2+2?")], &opts)).unwrap();
    let body = http.body(0);
    assert_eq!(body["max_tokens"], 77);
    assert_eq!(body["temperature"], 0.2);
    assert_eq!(body["messages"][0]["role"], "system");
    assert_eq!(body["messages"][0]["content"], "Be brief.");
    assert_eq!(body["logprobs"], true, "drafts ask for logprobs where the provider has them");
}

#[test]
fn analytics_add_up_and_reset() {
    let e = two_tier();
    let http = Scripted::new(vec![
        Reply::Json(200, openai_body("4", "stop", Some((10, 1)))),
        Reply::Json(200, openai_body("", "stop", Some((10, 0)))),
        Reply::Json(200, openai_body("Paris is the capital of France.", "stop", Some((10, 7)))),
    ]);
    let a = run(&e, &http, "What is 2+2?").unwrap();
    let b = run(&e, &http, "What is the capital of France?").unwrap();
    let stats = e.analytics();
    assert_eq!(stats.runs, 2);
    assert!((stats.total_cost - (a.total_cost.unwrap() + b.total_cost.unwrap())).abs() < 1e-12);
    assert_eq!(stats.drafter_acceptance.drafts, 2);
    assert_eq!(stats.drafter_acceptance.accepted, 1);
    assert_eq!(stats.per_model["gpt-4o-mini"].calls, 2);
    assert_eq!(stats.per_model["gpt-4o"].calls, 1);
    assert_eq!(stats.by_complexity["trivial"].drafts, 2);
    e.reset_analytics();
    assert_eq!(e.analytics().runs, 0);
}

#[test]
fn domain_routes_pick_their_own_tiers_and_can_require_the_verifier() {
    let e = engine(json!({
        "models": [
            {"name": "gpt-4o-mini", "provider": "openai"},
            {"name": "gpt-4o", "provider": "openai"}
        ],
        "domains": {
            "medical": {"requireVerifier": true},
            "code": [
                {"name": "deepseek-chat", "provider": "deepseek"},
                {"name": "claude-sonnet-4-20250514", "provider": "anthropic"}
            ]
        }
    }));
    let http = Scripted::new(vec![Reply::Json(
        200,
        openai_body("See a doctor about persistent chest pain; it can signal heart disease.", "stop", Some((20, 15))),
    )]);
    let r = run(
        &e,
        &http,
        "What dosage of ibuprofen is safe for chest pain symptoms, and which medication interactions matter?",
    )
    .unwrap();
    assert_eq!(r.model_used, "gpt-4o");
    assert_eq!(http.calls(), 1, "the drafter is skipped, not paid for");
    assert_eq!(r.attempts[0].outcome, AttemptOutcome::Skipped);
    assert!(!r.cascaded);
}

#[test]
fn pre_routing_skips_the_drafter_for_hard_queries() {
    let e = engine(json!({
        "models": [{"name": "gpt-4o-mini", "provider": "openai"}, {"name": "gpt-4o", "provider": "openai"}],
        "preRouting": {"skipDrafterFrom": "trivial"}
    }));
    let http = Scripted::new(vec![Reply::Json(200, openai_body("4", "stop", Some((5, 1))))]);
    let r = run(&e, &http, "What is 2+2?").unwrap();
    assert_eq!(r.model_used, "gpt-4o");
    assert_eq!(r.attempts.len(), 2);
    assert!(r.attempts[0].reason.contains("pre-routed"), "{}", r.attempts[0].reason);
}

#[test]
fn a_hosted_provider_without_a_key_is_refused_before_sending() {
    let e =
        Engine::new(parse_agent(&json!([{"name": "gpt-4o", "provider": "openai"}])).unwrap(), ManualClock::default());
    let http = Scripted::new(vec![]);
    let err = run(&e, &http, "Describe the water cycle.").unwrap_err();
    assert_eq!(err.error.code, cascade_edge::ErrorCode::Auth);
    assert!(err.error.message.contains("OPENAI_API_KEY"), "{}", err.error.message);
    assert_eq!(http.calls(), 0);
    // A gateway of the user's own, or a key given in the headers, needs none of ours.
    let local = json!([{"name": "m", "provider": "openai", "baseUrl": "http://127.0.0.1:9/v1"}]);
    let e = Engine::new(parse_agent(&local).unwrap(), ManualClock::default());
    let http = Scripted::new(vec![Reply::Json(200, openai_body("A full answer about the water cycle.", "stop", None))]);
    assert!(run(&e, &http, "Describe the water cycle.").is_ok());
}

#[test]
fn routing_config_errors_name_the_field() {
    let err = parse_agent(&json!({"models": [{"name": "a", "provider": "openai"}], "domains": {"astrology": []}}))
        .unwrap_err();
    assert!(err.message.contains("domains.astrology"), "{}", err.message);
    let err = parse_agent(
        &json!({"models": [{"name": "a", "provider": "openai"}], "preRouting": {"skipDrafterFrom": "huge"}}),
    )
    .unwrap_err();
    assert!(err.message.contains("preRouting.skipDrafterFrom"), "{}", err.message);
    let err = parse_agent(&json!([{"name": "a", "provider": "openai", "cost": "cheap"}])).unwrap_err();
    assert_eq!(err.message, "models[0].cost: expected a non-negative number, got a string");
    let err = parse_agent(&json!([{"name": "a", "provider": "openai", "apikey": "x"}])).unwrap_err();
    assert!(err.message.starts_with("models[0].apikey: unknown field"), "{}", err.message);
}

#[test]
fn a_dead_drafter_is_skipped_once_its_breaker_opens_and_probed_after_the_timeout() {
    let e = engine(json!([
        {"name": "gpt-4o-mini", "provider": "openai"},
        {"name": "gpt-4o", "provider": "openai"}
    ]));
    let down = || Reply::Json(503, r#"{"error":{"message":"overloaded"}}"#.into());
    let answer = || Reply::Json(200, openai_body("The capital of France is Paris.", "stop", Some((10, 8))));
    let q = "What is the capital of France?";
    // Run 1: three failed tries (two retries), then the verifier.
    let http = Scripted::new(vec![down(), down(), down(), answer()]);
    let r = run(&e, &http, q).unwrap();
    assert_eq!(r.model_used, "gpt-4o");
    let reasons: Vec<&str> = r.attempts.iter().take(3).map(|a| a.reason.as_str()).collect();
    assert!(reasons[0].ends_with("circuit breaker closed (1 failure)"), "{}", reasons[0]);
    assert!(reasons[2].ends_with("circuit breaker closed (3 failures in a row)"), "{}", reasons[2]);
    // Run 2: the fifth failure in a row opens the breaker: no retry into it.
    let http = Scripted::new(vec![down(), down(), answer()]);
    let r = run(&e, &http, q).unwrap();
    assert_eq!(r.attempts.iter().filter(|a| a.tier == 0).count(), 2);
    // Run 3: the drafter is not called at all.
    let http = Scripted::new(vec![answer()]);
    let r = run(&e, &http, q).unwrap();
    assert_eq!(http.calls(), 1);
    assert_eq!(r.attempts[0].outcome, AttemptOutcome::Skipped);
    assert!(r.attempts[0].reason.contains("circuit breaker is open"), "{}", r.attempts[0].reason);
    // After the reset timeout one real request tests it, and it is back.
    e.clock().advance(30_000.0);
    let http = Scripted::new(vec![answer()]);
    let r = run(&e, &http, q).unwrap();
    assert_eq!((r.model_used.as_str(), r.draft_accepted), ("gpt-4o-mini", true));
}

#[test]
fn an_open_breaker_on_the_only_tier_fails_fast_and_circuit_breaker_false_turns_it_off() {
    let down = || Reply::Json(503, r#"{"error":{"message":"overloaded"}}"#.into());
    let e = engine(json!({"models": [{"name": "gpt-4o", "provider": "openai"}], "retry": {"maxRetries": 0},
        "circuitBreaker": {"failureThreshold": 2, "resetTimeoutMs": 1000}}));
    for _ in 0..2 {
        let http = Scripted::new(vec![down()]);
        assert!(run(&e, &http, "hello there").is_err());
    }
    let http = Scripted::new(vec![]);
    let err = run(&e, &http, "hello there").unwrap_err();
    assert_eq!((err.error.code, http.calls()), (ErrorCode::ProviderUnavailable, 0));
    assert!(err.error.message.contains("circuit breaker"), "{}", err.error.message);

    let off = engine(json!({"models": [{"name": "gpt-4o", "provider": "openai"}], "retry": {"maxRetries": 0},
        "circuitBreaker": false}));
    for _ in 0..10 {
        let http = Scripted::new(vec![down()]);
        assert!(run(&off, &http, "hello there").is_err());
        assert_eq!(http.calls(), 1);
    }
}

#[test]
fn a_failing_drafter_fails_over_within_its_tier_but_a_rejected_draft_escalates() {
    let config = || {
        json!({"retry": {"maxRetries": 0}, "models": [
            [{"name": "primary", "provider": "openai", "inputCost": 0.1, "outputCost": 0.1},
             {"name": "backup", "provider": "openai", "inputCost": 0.2, "outputCost": 0.2}],
            {"name": "top", "provider": "openai", "inputCost": 5.0, "outputCost": 5.0}
        ]})
    };
    let good = || Reply::Json(200, openai_body("The capital of France is Paris.", "stop", Some((10, 8))));
    let q = "What is the capital of France?";

    // The primary fails: its backup drafts, in the same tier, and is accepted.
    let e = engine(config());
    let http = Scripted::new(vec![Reply::Json(503, r#"{"error":{"message":"overloaded"}}"#.into()), good()]);
    let r = run(&e, &http, q).unwrap();
    assert_eq!((r.model_used.as_str(), r.draft_accepted), ("backup", true));
    let trace: Vec<_> = r.attempts.iter().map(|a| (a.tier, a.model.as_str(), a.outcome)).collect();
    assert_eq!(trace, vec![(0, "primary", AttemptOutcome::Failed), (0, "backup", AttemptOutcome::Accepted)]);

    // The primary's draft is rejected: the backup is not asked, the top tier is.
    let e = engine(config());
    let http = Scripted::new(vec![Reply::Json(200, openai_body("", "stop", Some((10, 0)))), good()]);
    let r = run(&e, &http, q).unwrap();
    assert_eq!(r.model_used, "top");
    let trace: Vec<_> = r.attempts.iter().map(|a| (a.tier, a.model.as_str())).collect();
    assert_eq!(trace, vec![(0, "primary"), (1, "top")]);

    // Both drafters fail, then the top tier fails too: every model failed.
    let e = engine(config());
    let down = || Reply::Json(503, r#"{"error":{"message":"overloaded"}}"#.into());
    let http = Scripted::new(vec![down(), down(), down()]);
    let err = run(&e, &http, q).unwrap_err();
    assert_eq!((err.error.code, err.attempts.len()), (ErrorCode::AllModelsFailed, 3));
}

#[test]
fn a_failover_group_is_sorted_as_one_tier_by_its_first_model() {
    let cfg = parse_agent(&json!([
        {"name": "big", "provider": "openai", "inputCost": 20.0, "outputCost": 20.0},
        [{"name": "a", "provider": "openai", "inputCost": 1.0, "outputCost": 1.0},
         {"name": "b", "provider": "openai", "inputCost": 50.0, "outputCost": 50.0}],
        {"name": "mid", "provider": "openai", "inputCost": 5.0, "outputCost": 5.0}
    ]))
    .unwrap();
    let names: Vec<_> = cfg.models.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(names, vec!["a", "b", "mid", "big"]);
    assert_eq!(cascade_edge::config::tier_numbers(&cfg.models), vec![0, 0, 1, 2]);
    let err = parse_agent(&json!([[], {"name": "m", "provider": "openai"}])).unwrap_err();
    assert!(err.message.starts_with("config.models[0]: expected a model or a non-empty array"), "{}", err.message);
    let err = parse_agent(&json!([[{"name": "m", "provider": "openai", "cost": "x"}]])).unwrap_err();
    assert!(err.message.starts_with("models[0][0].cost"), "{}", err.message);
}
