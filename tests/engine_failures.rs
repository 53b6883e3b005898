//! The failure classes that are not the provider failing, end to end on the
//! host: a prompt too long for a model's context window, a request or an
//! answer the provider's content filter blocked, and stream events that are
//! not JSON. Each asserts on what was sent (how many requests, to which
//! model) and on what the caller got.

mod support;

use cascade_edge::cascade::{AttemptOutcome, Engine, Event, RunError, StreamMode};
use cascade_edge::clock::ManualClock;
use cascade_edge::config::{parse_agent, CallOptions};
use cascade_edge::error::ErrorCode;
use cascade_edge::json;
use cascade_edge::types::Message;
use cascade_edge::value::Value;
use cascade_edge::CascadeResult;
use support::{block_on, openai_body, openai_sse, pieces, Reply, Scripted};

const ANSWER: &str = "Entanglement links two particles so that measuring one fixes the other.";
const QUERY: &str = "Explain quantum entanglement in one sentence.";

/// Models in the given order, each `[name, contextWindow or null]`.
fn engine(models: &[(&str, Option<u32>)], extra: Value) -> Engine<ManualClock> {
    let list: Vec<Value> = models
        .iter()
        .map(|(name, window)| {
            let mut m = json!({"name": name, "provider": "openai", "inputCost": 1, "outputCost": 2});
            if let Some(w) = window {
                m["contextWindow"] = json!(w);
            }
            m
        })
        .collect();
    let mut cfg = json!({"models": list, "keepOrder": true});
    if let (Value::Object(c), Value::Object(x)) = (&mut cfg, extra) {
        c.extend(x);
    }
    Engine::new(parse_agent(&support::with_keys(cfg)).expect("valid config"), ManualClock::default())
}

fn run(e: &Engine<ManualClock>, http: &Scripted) -> Result<CascadeResult, RunError> {
    block_on(e.run(http, vec![Message::user(QUERY)], &CallOptions::default()))
}

fn stream(e: &Engine<ManualClock>, http: &Scripted) -> (Result<CascadeResult, RunError>, Vec<Event>) {
    let mut events = Vec::new();
    let opts = CallOptions::default();
    let r =
        block_on(e.stream(http, vec![Message::user(QUERY)], &opts, StreamMode::Buffered, &mut |ev| events.push(ev)));
    (r, events)
}

/// The model each request was sent to, in order.
fn sent_to(http: &Scripted) -> Vec<String> {
    (0..http.calls()).map(|i| http.body(i)["model"].as_str().unwrap_or("").to_string()).collect()
}

fn outcomes(attempts: &[cascade_edge::cascade::Attempt]) -> Vec<(String, AttemptOutcome)> {
    attempts.iter().map(|a| (a.model.clone(), a.outcome)).collect()
}

fn too_long(window: u64) -> Reply {
    Reply::Json(
        400,
        json!({"error": {
            "message": format!("This model's maximum context length is {window} tokens. However, your messages resulted in 9000 tokens. Please reduce the length of the messages."),
            "type": "invalid_request_error", "param": "messages", "code": "context_length_exceeded"
        }})
        .to_string(),
    )
}

/// Groq's wording: no number to go by.
fn too_long_unsized() -> Reply {
    Reply::Json(
        400,
        json!({"error": {"message": "Please reduce the length of the messages or completion.", "type": "invalid_request_error", "code": "context_length_exceeded"}}).to_string(),
    )
}

fn ok() -> Reply {
    Reply::Json(200, openai_body(ANSWER, "stop", Some((20, 15))))
}

#[test]
fn a_prompt_too_long_goes_once_to_the_first_later_model_with_a_larger_window() {
    let e = engine(
        &[("small", Some(8192)), ("smaller", Some(4096)), ("unsized", None), ("large", Some(128_000))],
        json!({}),
    );
    let http = Scripted::new(vec![too_long(8192), ok()]);
    let r = run(&e, &http).unwrap();
    assert_eq!(r.model_used, "large");
    assert_eq!(r.content, ANSWER);
    // Never the same request to the same model again; no request to a model
    // whose window is not known to be larger.
    assert_eq!(sent_to(&http), ["small", "large"]);
    assert_eq!(
        outcomes(&r.attempts),
        [
            ("small".into(), AttemptOutcome::Failed),
            ("smaller".into(), AttemptOutcome::Skipped),
            ("unsized".into(), AttemptOutcome::Skipped),
            ("large".into(), AttemptOutcome::Accepted),
        ]
    );
    assert_eq!(r.attempts[0].error.as_ref().map(|e| e.code), Some("E_CONTEXT_LENGTH"));
    assert!(r.attempts[1].reason.contains("small's context window (8192 tokens)"), "{}", r.attempts[1].reason);
    assert!(r.attempts[1].reason.contains("4096 tokens"), "{}", r.attempts[1].reason);
    assert!(r.attempts[2].reason.contains("unknown (no contextWindow)"), "{}", r.attempts[2].reason);
}

#[test]
fn the_window_the_provider_states_counts_when_none_is_configured() {
    let e = engine(&[("small", None), ("large", Some(16_384))], json!({}));
    let http = Scripted::new(vec![too_long(8192), ok()]);
    assert_eq!(run(&e, &http).unwrap().model_used, "large");
    assert_eq!(sent_to(&http), ["small", "large"]);
    // Stated at 32k, the 16k model is no larger: nothing else is asked.
    let http = Scripted::new(vec![too_long(32_768)]);
    let err = run(&e, &http).unwrap_err();
    assert_eq!(err.error.code, ErrorCode::ContextLength);
    assert!(
        err.error.message.contains("no later model has a contextWindow larger than 32768 tokens"),
        "{}",
        err.error.message
    );
    assert_eq!(sent_to(&http), ["small"]);
}

#[test]
fn with_no_larger_window_known_the_run_fails_after_one_request_however_many_retries() {
    let e = engine(&[("a", None), ("b", Some(128_000))], json!({"retry": {"maxRetries": 5}}));
    let http = Scripted::new(vec![too_long_unsized()]);
    let err = run(&e, &http).unwrap_err();
    assert_eq!(err.error.code, ErrorCode::ContextLength);
    assert!(err.error.message.contains("set contextWindow"), "{}", err.error.message);
    assert_eq!(sent_to(&http), ["a"]);
    assert_eq!(outcomes(&err.attempts), [("a".into(), AttemptOutcome::Failed)]);

    let same = engine(&[("a", Some(8192)), ("b", Some(8192))], json!({}));
    let http = Scripted::new(vec![too_long_unsized()]);
    let err = run(&same, &http).unwrap_err();
    assert_eq!(err.error.code, ErrorCode::ContextLength);
    assert_eq!(http.calls(), 1);
}

#[test]
fn only_one_move_is_made_for_a_prompt_too_long() {
    let e = engine(&[("a", Some(8192)), ("b", Some(16_384)), ("c", Some(128_000))], json!({}));
    let http = Scripted::new(vec![too_long(8192), too_long(16_384), ok()]);
    let err = run(&e, &http).unwrap_err();
    assert_eq!(err.error.code, ErrorCode::ContextLength);
    assert!(err.error.message.contains("already moved once"), "{}", err.error.message);
    assert_eq!(sent_to(&http), ["a", "b"]);
}

#[test]
fn a_larger_window_reached_through_a_failover_group_and_streamed() {
    let cfg = json!({"models": [
        [{"name": "draft-8k", "provider": "openai", "contextWindow": 8192, "inputCost": 0.1, "outputCost": 0.1},
         {"name": "draft-128k", "provider": "openai", "contextWindow": 128000, "inputCost": 0.2, "outputCost": 0.2}],
        {"name": "top", "provider": "openai", "inputCost": 5, "outputCost": 5}
    ]});
    let e = Engine::new(parse_agent(&support::with_keys(cfg)).unwrap(), ManualClock::default());
    let http = Scripted::new(vec![
        too_long(8192),
        Reply::Stream { status: 200, chunks: pieces(&openai_sse(&["4"], "stop", (10, 1)), 7), cut: false },
    ]);
    let opts = CallOptions::default();
    let mut events = Vec::new();
    let r =
        block_on(e.stream(&http, vec![Message::user("What is 2+2?")], &opts, StreamMode::Buffered, &mut |ev| {
            events.push(ev)
        }))
        .unwrap();
    assert_eq!((r.model_used.as_str(), r.content.as_str()), ("draft-128k", "4"));
    assert_eq!(sent_to(&http), ["draft-8k", "draft-128k"]);
    assert!(events.iter().any(|ev| matches!(ev, Event::Escalated { to, .. } if to == "draft-128k")));
}

#[test]
fn a_prompt_too_long_does_not_open_the_breaker() {
    let e = engine(
        &[("a", Some(8192)), ("b", Some(128_000))],
        json!({"circuitBreaker": {"failureThreshold": 1, "resetTimeoutMs": 60000}}),
    );
    for _ in 0..3 {
        let http = Scripted::new(vec![too_long(8192), ok()]);
        let r = run(&e, &http).unwrap();
        assert_eq!(sent_to(&http), ["a", "b"], "the model answered (with a refusal): it is up");
        assert_eq!(r.model_used, "b");
    }
}

fn azure_filter() -> Reply {
    Reply::Json(
        400,
        json!({"error": {
            "message": "The response was filtered due to the prompt triggering Azure OpenAI's content management policy. Please modify your prompt and retry.",
            "type": null, "param": "prompt", "code": "content_filter", "status": 400,
            "innererror": {"code": "ResponsibleAIPolicyViolation", "content_filter_result": {
                "hate": {"filtered": false, "severity": "safe"}, "violence": {"filtered": true, "severity": "medium"}
            }}
        }})
        .to_string(),
    )
}

#[test]
fn a_request_the_filter_blocked_is_neither_retried_nor_sent_elsewhere() {
    let e = engine(&[("drafter", None), ("verifier", None)], json!({"retry": {"maxRetries": 3}}));
    for streamed in [false, true] {
        let http = Scripted::new(vec![azure_filter(), ok()]);
        let err = if streamed { stream(&e, &http).0 } else { run(&e, &http) }.unwrap_err();
        assert_eq!(err.error.code, ErrorCode::ContentFilter);
        assert_eq!(err.error.status, Some(400));
        assert!(err.error.message.contains("content management policy"), "{}", err.error.message);
        assert!(err.error.message.contains("violence (medium)"), "{}", err.error.message);
        assert_eq!(sent_to(&http), ["drafter"], "streamed: {streamed}");
        assert_eq!(outcomes(&err.attempts), [("drafter".into(), AttemptOutcome::Failed)]);
    }
}

#[test]
fn an_answer_the_filter_stopped_is_an_error_that_keeps_its_billed_tokens() {
    let e = engine(&[("drafter", None), ("verifier", None)], json!({"budget": {"daily": 1}}));
    let mut body: Value =
        cascade_edge::value::from_str(&openai_body("The first step is", "content_filter", Some((30, 4)))).unwrap();
    body["choices"][0]["content_filter_results"] = json!({"self_harm": {"filtered": true, "severity": "high"}});
    let http = Scripted::new(vec![Reply::Json(200, body.to_string()), ok()]);
    let err = run(&e, &http).unwrap_err();
    assert_eq!(err.error.code, ErrorCode::ContentFilter);
    assert!(err.error.message.contains("self_harm (high)"), "{}", err.error.message);
    assert!(err.error.message.contains("after 17 characters"), "{}", err.error.message);
    assert_eq!(sent_to(&http), ["drafter"]);
    // 30 in at $1/M + 4 out at $2/M: billed, so priced in the trace and spent.
    let a = &err.attempts[0];
    assert_eq!(a.usage.map(|u| (u.input_tokens, u.output_tokens)), Some((30, 4)));
    assert_eq!(a.cost, Some(38e-6));
    let status = block_on(e.budget_status(None)).unwrap().unwrap();
    assert_eq!((status.spent_today, status.reserved), (38e-6, 0.0));
}

#[test]
fn anthropic_refusal_stops_carry_its_explanation_streamed_or_not() {
    let cfg = json!({"models": [
        {"name": "claude-haiku-4-5", "provider": "anthropic"},
        {"name": "claude-sonnet-4-5", "provider": "anthropic"}
    ], "keepOrder": true});
    let e = Engine::new(parse_agent(&support::with_keys(cfg)).unwrap(), ManualClock::default());
    let body = json!({
        "id": "msg_1", "type": "message", "role": "assistant", "model": "claude-haiku-4-5",
        "content": [{"type": "text", "text": "Hello.."}],
        "stop_reason": "refusal",
        "stop_details": {"type": "refusal", "category": "cyber", "explanation": "This request was declined because it could enable cyber harm."},
        "usage": {"input_tokens": 12, "output_tokens": 3}
    });
    let http = Scripted::new(vec![Reply::Json(200, body.to_string())]);
    let err = run(&e, &http).unwrap_err();
    assert_eq!(err.error.code, ErrorCode::ContentFilter);
    assert!(err.error.message.contains("cyber: This request was declined"), "{}", err.error.message);
    assert_eq!(http.calls(), 1);

    let sse = [
        r#"event: message_start
data: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude-haiku-4-5","content":[],"stop_reason":null,"usage":{"input_tokens":12,"output_tokens":1}}}"#,
        r#"event: content_block_start
data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"#,
        r#"event: content_block_delta
data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello.."}}"#,
        r#"event: message_delta
data: {"type":"message_delta","delta":{"stop_reason":"refusal","stop_details":{"type":"refusal","category":"cyber","explanation":"Declined: could enable cyber harm."}},"usage":{"output_tokens":3}}"#,
        r#"event: message_stop
data: {"type":"message_stop"}"#,
    ]
    .join("\n\n")
        + "\n\n";
    let http = Scripted::new(vec![Reply::Stream { status: 200, chunks: pieces(&sse, 11), cut: false }]);
    let (r, events) = stream(&e, &http);
    let err = r.unwrap_err();
    assert_eq!(err.error.code, ErrorCode::ContentFilter);
    assert!(err.error.message.contains("cyber: Declined"), "{}", err.error.message);
    assert_eq!(err.attempts[0].usage.map(|u| u.output_tokens), Some(3));
    // Buffered: the filtered draft's text never reached the consumer.
    assert!(!events.iter().any(|ev| matches!(ev, Event::Chunk { .. })));
    assert_eq!(http.calls(), 1);
}

#[test]
fn a_model_declining_in_words_has_answered() {
    let e = engine(&[("only", None)], json!({}));
    let body = json!({"choices": [{"index": 0, "message": {"role": "assistant", "content": null, "refusal": "I can't help with that."}, "finish_reason": "stop"}], "usage": {"prompt_tokens": 9, "completion_tokens": 6}});
    let http = Scripted::new(vec![Reply::Json(200, body.to_string())]);
    let r = run(&e, &http).unwrap();
    assert_eq!(r.refusal.as_deref(), Some("I can't help with that."));
    assert_eq!(r.finish_reason.as_str(), "content_filter");
    assert_eq!(r.content, "");
}

/// An OpenAI stream of `parts` with `junk` (not JSON) events inserted after
/// the first part.
fn with_junk(parts: &[&str], junk: usize) -> String {
    let good = openai_sse(parts, "stop", (10, 8));
    let first_end = good.find("\n\n").map(|i| i + 2).unwrap_or(0);
    let (head, tail) = good.split_at(first_end);
    format!("{head}{}{tail}", "data: {\"choices\": [oops\n\n".repeat(junk))
}

#[test]
fn one_unreadable_event_is_skipped_and_counted() {
    let e = engine(&[("drafter", None), ("verifier", None)], json!({}));
    let http = Scripted::new(vec![Reply::Stream {
        status: 200,
        chunks: pieces(&with_junk(&["2 + 2 ", "= 4"], 1), 9),
        cut: false,
    }]);
    let opts = CallOptions::default();
    let r = block_on(e.stream(&http, vec![Message::user("What is 2+2?")], &opts, StreamMode::Buffered, &mut |_| {}))
        .unwrap();
    assert_eq!((r.model_used.as_str(), r.content.as_str()), ("drafter", "2 + 2 = 4"));
    assert_eq!(r.attempts[0].malformed_events, 1);
    assert_eq!(http.calls(), 1);
}

#[test]
fn too_many_unreadable_events_fail_the_attempt_and_the_next_tier_answers() {
    let e = engine(&[("drafter", None), ("verifier", None)], json!({}));
    let http = Scripted::new(vec![
        Reply::Stream { status: 200, chunks: pieces(&with_junk(&["Entanglement ", "links..."], 9), 64), cut: false },
        Reply::Stream { status: 200, chunks: pieces(&openai_sse(&[ANSWER], "stop", (10, 15)), 64), cut: false },
    ]);
    let (r, _) = stream(&e, &http);
    let r = r.unwrap();
    assert_eq!(r.model_used, "verifier");
    let err = r.attempts[0].error.as_ref().unwrap();
    assert_eq!(err.code, "E_BAD_RESPONSE");
    assert!(err.message.contains("9 unreadable events (more than 8)"), "{}", err.message);
    // Eight are tolerated.
    let http = Scripted::new(vec![Reply::Stream {
        status: 200,
        chunks: pieces(&with_junk(&["2 + 2 ", "= 4"], 8), 64),
        cut: false,
    }]);
    let opts = CallOptions::default();
    let r = block_on(e.stream(&http, vec![Message::user("What is 2+2?")], &opts, StreamMode::Buffered, &mut |_| {}))
        .unwrap();
    assert_eq!(r.attempts[0].malformed_events, 8);
}

#[test]
fn an_unreadable_last_event_is_never_taken_for_the_end_of_the_answer() {
    let e = engine(&[("drafter", None), ("verifier", None)], json!({}));
    // The answer's text, then garbage where its finish and [DONE] should be.
    let good = openai_sse(&["Entanglement ", "links"], "stop", (10, 8));
    let text_end = good.find("\"finish_reason\":\"stop\"").and_then(|i| good[..i].rfind("data:")).unwrap();
    let body = format!("{}data: {{\"choices\": [{{\"index\":0,\"delta\":{{}},\"fin\n\n", &good[..text_end]);
    let http = Scripted::new(vec![
        Reply::Stream { status: 200, chunks: pieces(&body, 16), cut: false },
        Reply::Stream { status: 200, chunks: pieces(&openai_sse(&[ANSWER], "stop", (10, 15)), 64), cut: false },
    ]);
    let (r, events) = stream(&e, &http);
    let r = r.unwrap();
    assert_eq!(r.model_used, "verifier");
    let err = r.attempts[0].error.as_ref().unwrap();
    assert_eq!(err.code, "E_BAD_RESPONSE");
    assert!(err.message.contains("nothing readable after it"), "{}", err.message);
    let shown: String = events
        .iter()
        .filter_map(|ev| if let Event::Chunk { text, .. } = ev { Some(text.as_str()) } else { None })
        .collect();
    assert_eq!(shown, ANSWER, "the cut draft never reached the consumer");
}
