//! A stream that breaks after its text was shown is continued by the next
//! model of the failover group: by prefill where the wire takes one, else by
//! a restart that must reproduce what was shown. Never twice the same text,
//! never a spliced answer.

mod support;

use cascade_edge::cascade::{Engine, Event, StreamMode};
use cascade_edge::clock::ManualClock;
use cascade_edge::config::{parse_agent, CallOptions};
use cascade_edge::error::ErrorCode;
use cascade_edge::json;
use cascade_edge::types::Message;
use cascade_edge::value::Value;
use support::{block_on, openai_sse, pieces, Reply, Scripted};

const Q: &str = "What is the capital of France?";

fn group(backup: &str) -> Engine<ManualClock> {
    let cfg = parse_agent(&support::with_keys(json!({"models": [[
        {"name": "gpt-4o-mini", "provider": "openai"},
        {"name": "backup", "provider": backup, "inputCost": 0.2, "outputCost": 0.4}
    ]], "retry": {"maxRetries": 0}})))
    .unwrap();
    Engine::new(cfg, ManualClock::default())
}

fn stream(e: &Engine<ManualClock>, http: &Scripted) -> (Result<cascade_edge::CascadeResult, ErrorCode>, Vec<Event>) {
    let mut events = Vec::new();
    let r =
        block_on(e.stream(http, vec![Message::user(Q)], &CallOptions::default(), StreamMode::Live, &mut |ev| {
            events.push(ev)
        }));
    (r.map_err(|e| e.error.code), events)
}

fn shown(events: &[Event]) -> String {
    events.iter().filter_map(|e| if let Event::Chunk { text, .. } = e { Some(text.as_str()) } else { None }).collect()
}

/// An OpenAI stream cut after its text, before any finish.
fn cut_after(text: &str) -> Reply {
    let body = openai_sse(&[text], "stop", (10, 5));
    let until = body.find("\"finish_reason\":\"stop\"").unwrap_or(body.len());
    let cut_at = body[..until].rfind("data:").unwrap_or(0);
    Reply::Stream { status: 200, chunks: pieces(&body[..cut_at], 9), cut: true }
}

fn anthropic_sse(parts: &[&str]) -> String {
    let mut s = String::from("event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"m\",\"model\":\"backup\",\"usage\":{\"input_tokens\":12,\"output_tokens\":0}}}\n\n");
    s.push_str("event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n");
    for p in parts {
        let delta = json!({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": p}});
        s.push_str(&format!("event: content_block_delta\ndata: {delta}\n\n"));
    }
    s.push_str("event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n");
    s.push_str("event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":6}}\n\n");
    s.push_str("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
    s
}

fn last_message(http: &Scripted, i: usize) -> Value {
    http.body(i)["messages"].as_array().and_then(|m| m.last().cloned()).unwrap_or(Value::Null)
}

#[test]
fn a_prefill_continues_the_shown_text_on_anthropic() {
    let http = Scripted::new(vec![
        cut_after("The capital of France is "),
        Reply::Stream { status: 200, chunks: pieces(&anthropic_sse(&[" Paris", "."]), 11), cut: false },
    ]);
    let (r, events) = stream(&group("anthropic"), &http);
    let r = r.unwrap();
    assert_eq!(r.content, "The capital of France is Paris.");
    assert_eq!(shown(&events), r.content, "the consumer saw each character once");
    let prefill = last_message(&http, 1);
    let text = match &prefill["content"] {
        Value::String(s) => s.clone(),
        blocks => blocks[0]["text"].as_str().unwrap_or_default().to_string(),
    };
    assert_eq!((prefill["role"].as_str(), text.as_str()), (Some("assistant"), "The capital of France is"));
    assert!(events.iter().any(|e| matches!(e, Event::Escalated { discard: false, .. })));
}

#[test]
fn a_restart_shows_only_what_comes_after_the_shown_text() {
    let http = Scripted::new(vec![
        cut_after("The capital of Fr"),
        Reply::Stream {
            status: 200,
            chunks: pieces(&openai_sse(&["The capital ", "of France is Paris."], "stop", (9, 7)), 5),
            cut: false,
        },
    ]);
    let (r, events) = stream(&group("openai"), &http);
    let r = r.unwrap();
    assert_eq!(r.content, "The capital of France is Paris.");
    assert_eq!(shown(&events), r.content);
    assert_eq!(last_message(&http, 1)["role"], "user", "no prefill on this wire");
}

#[test]
fn a_restart_that_says_something_else_ends_the_stream_with_an_error() {
    let http = Scripted::new(vec![
        cut_after("The capital of Fr"),
        Reply::Stream {
            status: 200,
            chunks: pieces(&openai_sse(&["Paris is the capital."], "stop", (9, 7)), 5),
            cut: false,
        },
    ]);
    let (r, events) = stream(&group("openai"), &http);
    assert_eq!(r.unwrap_err(), ErrorCode::Stream);
    assert_eq!(shown(&events), "The capital of Fr", "nothing of the other answer was shown");
}

#[test]
fn a_refused_prefill_falls_back_to_a_restart_on_the_same_model() {
    let refused = Reply::Json(
        400,
        r#"{"type":"error","error":{"type":"invalid_request_error","message":"prefill not supported with thinking"}}"#
            .into(),
    );
    let http = Scripted::new(vec![
        cut_after("The capital of "),
        refused,
        Reply::Stream {
            status: 200,
            chunks: pieces(&anthropic_sse(&["The capital of France is Paris."]), 7),
            cut: false,
        },
    ]);
    let (r, events) = stream(&group("anthropic"), &http);
    let r = r.unwrap();
    assert_eq!(r.content, "The capital of France is Paris.");
    assert_eq!(shown(&events), r.content);
    assert_eq!(last_message(&http, 2)["role"], "user", "the restart sends no prefill");
    assert!(r.attempts.iter().any(|a| a.reason.contains("prefill was refused")));
}

#[test]
fn a_live_draft_the_next_tier_cannot_continue_is_discarded_and_shown_whole() {
    let cfg = parse_agent(&support::with_keys(json!({"models": [
        {"name": "gpt-4o-mini", "provider": "openai"},
        {"name": "gpt-4o", "provider": "openai"}
    ], "retry": {"maxRetries": 0}})))
    .unwrap();
    let e = Engine::new(cfg, ManualClock::default());
    let http = Scripted::new(vec![
        cut_after("The capital of Fr"),
        Reply::Stream {
            status: 200,
            chunks: pieces(&openai_sse(&["Paris is the capital of France."], "stop", (9, 7)), 5),
            cut: false,
        },
    ]);
    let (r, events) = stream(&e, &http);
    let r = r.unwrap();
    assert_eq!(r.content, "Paris is the capital of France.");
    let discards: Vec<bool> = events
        .iter()
        .filter_map(|e| if let Event::Escalated { discard, .. } = e { Some(*discard) } else { None })
        .collect();
    assert_eq!(discards, vec![false, true], "asked to continue, then dropped when it could not be");
    let after_discard = events.iter().rposition(|e| matches!(e, Event::Escalated { discard: true, .. })).unwrap();
    assert_eq!(shown(&events[after_discard..]), r.content);
}
