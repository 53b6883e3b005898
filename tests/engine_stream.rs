//! Streamed cascades: what the consumer sees, in which mode, and what
//! happens when a stream breaks.

mod support;

use cascade_edge::cascade::{AttemptOutcome, Engine, Event, StreamMode};
use cascade_edge::clock::ManualClock;
use cascade_edge::config::{parse_agent, CallOptions};
use cascade_edge::error::ErrorCode;
use cascade_edge::json;
use cascade_edge::types::Message;
use support::{block_on, openai_sse, pieces, Reply, Scripted};

fn two_tier() -> Engine<ManualClock> {
    let cfg = parse_agent(&support::with_keys(json!([
        {"name": "gpt-4o-mini", "provider": "openai"},
        {"name": "gpt-4o", "provider": "openai"}
    ])))
    .unwrap();
    Engine::new(cfg, ManualClock::default())
}

fn stream(
    http: &Scripted,
    q: &str,
    mode: StreamMode,
) -> (Result<cascade_edge::CascadeResult, cascade_edge::cascade::RunError>, Vec<Event>) {
    let mut events = Vec::new();
    let e = two_tier();
    let r = block_on(e.stream(http, vec![Message::user(q)], &CallOptions::default(), mode, &mut |ev| events.push(ev)));
    (r, events)
}

fn chunk_text(events: &[Event]) -> String {
    events.iter().filter_map(|e| if let Event::Chunk { text, .. } = e { Some(text.as_str()) } else { None }).collect()
}

const REFUSAL: &[&str] = &["I'm sorry, ", "but I can't ", "help with that."];
const GOOD: &[&str] = &["Entanglement ", "correlates ", "two particles' states."];

#[test]
fn accepted_draft_is_released_whole_after_the_decision() {
    let body = openai_sse(&["4"], "stop", (10, 1));
    let http = Scripted::new(vec![Reply::Stream { status: 200, chunks: pieces(&body, 7), cut: false }]);
    let (r, events) = stream(&http, "What is 2+2?", StreamMode::Buffered);
    let r = r.unwrap();
    assert_eq!(r.content, "4");
    assert!(matches!(events.first(), Some(Event::Routing { .. })));
    let decision = events.iter().position(|e| matches!(e, Event::DraftDecision { accepted: true, .. })).unwrap();
    let first_chunk = events.iter().position(|e| matches!(e, Event::Chunk { .. })).unwrap();
    assert!(decision < first_chunk, "buffered drafts are shown only after judging");
    assert_eq!(chunk_text(&events), "4");
    assert_eq!(r.usage.output_tokens, 1);
    assert!(http.body(0)["stream_options"]["include_usage"].as_bool().unwrap());
}

#[test]
fn buffered_mode_never_shows_a_rejected_draft() {
    let http = Scripted::new(vec![
        Reply::Stream { status: 200, chunks: pieces(&openai_sse(REFUSAL, "stop", (10, 9)), 5), cut: false },
        Reply::Stream { status: 200, chunks: pieces(&openai_sse(GOOD, "stop", (10, 6)), 3), cut: false },
    ]);
    let (r, events) = stream(&http, "Explain quantum entanglement in one sentence.", StreamMode::Buffered);
    let r = r.unwrap();
    assert_eq!(r.model_used, "gpt-4o");
    assert_eq!(chunk_text(&events), GOOD.concat());
    assert!(!chunk_text(&events).contains("sorry"));
    assert!(events.iter().any(|e| matches!(e, Event::Escalated { discard: false, .. })));
}

#[test]
fn live_mode_shows_the_draft_then_says_to_discard_it() {
    let http = Scripted::new(vec![
        Reply::Stream { status: 200, chunks: pieces(&openai_sse(REFUSAL, "stop", (10, 9)), 64), cut: false },
        Reply::Stream { status: 200, chunks: pieces(&openai_sse(GOOD, "stop", (10, 6)), 64), cut: false },
    ]);
    let (r, events) = stream(&http, "Explain quantum entanglement in one sentence.", StreamMode::Live);
    assert_eq!(r.unwrap().model_used, "gpt-4o");
    let esc = events
        .iter()
        .position(|e| matches!(e, Event::Escalated { discard: true, .. }))
        .expect("escalated with discard");
    let before: String = events[..esc]
        .iter()
        .filter_map(|e| if let Event::Chunk { text, .. } = e { Some(text.as_str()) } else { None })
        .collect();
    assert_eq!(before, REFUSAL.concat());
    let after: String = events[esc..]
        .iter()
        .filter_map(|e| if let Event::Chunk { text, .. } = e { Some(text.as_str()) } else { None })
        .collect();
    assert_eq!(after, GOOD.concat());
}

#[test]
fn a_cut_final_stream_is_an_error_not_a_short_answer() {
    let full = openai_sse(GOOD, "stop", (10, 6));
    let half = &full[..full.len() / 2];
    let http = Scripted::new(vec![
        Reply::Stream { status: 200, chunks: pieces(&openai_sse(REFUSAL, "stop", (10, 9)), 64), cut: false },
        Reply::Stream { status: 200, chunks: pieces(half, 8), cut: true },
    ]);
    let (r, _) = stream(&http, "Explain quantum entanglement in one sentence.", StreamMode::Buffered);
    let e = r.unwrap_err();
    // The draft answered (and was rejected), so not every model failed: the
    // final tier's cut stream is the error.
    assert_eq!(e.error.code, ErrorCode::Stream);
    assert_eq!(e.attempts.len(), 2);
    assert_eq!(e.attempts.last().unwrap().error.as_ref().unwrap().code, "E_STREAM");
}

#[test]
fn a_stream_that_just_stops_without_finishing_is_cut_too() {
    let full = openai_sse(GOOD, "stop", (10, 6));
    let upto = full.find("\"finish_reason\":\"stop\"").unwrap();
    let cut_at = full[..upto].rfind("data:").unwrap();
    let http = Scripted::new(vec![
        Reply::Stream { status: 200, chunks: pieces(&full[..cut_at], 8), cut: false },
        Reply::Stream { status: 200, chunks: pieces(&full, 8), cut: false },
    ]);
    let (r, _) = stream(&http, "Explain quantum entanglement in one sentence.", StreamMode::Buffered);
    let r = r.unwrap();
    // The cut draft counts as a failure and the next tier answers in full.
    assert_eq!(r.attempts[0].outcome, AttemptOutcome::Failed);
    assert_eq!(r.attempts[0].error.as_ref().unwrap().code, "E_STREAM");
    assert_eq!(r.content, GOOD.concat());
}

#[test]
fn missing_done_is_fine_when_the_finish_reason_came() {
    let full = openai_sse(&["4"], "stop", (10, 1));
    let without_done = full.replace("data: [DONE]\n\n", "");
    let http = Scripted::new(vec![Reply::Stream { status: 200, chunks: pieces(&without_done, 5), cut: false }]);
    let (r, _) = stream(&http, "What is 2+2?", StreamMode::Buffered);
    assert_eq!(r.unwrap().content, "4");
}

#[test]
fn error_status_on_a_stream_escalates_with_the_providers_message() {
    let http = Scripted::new(vec![
        // A wait longer than `maxRetryAfterMs` moves on at once.
        Reply::Headers(
            429,
            vec![("retry-after".into(), "600".into())],
            r#"{"error":{"message":"Rate limit reached"}}"#.into(),
        ),
        Reply::Stream { status: 200, chunks: pieces(&openai_sse(&["4"], "stop", (10, 1)), 9), cut: false },
    ]);
    let (r, events) = stream(&http, "What is 2+2?", StreamMode::Buffered);
    let r = r.unwrap();
    assert_eq!(r.model_used, "gpt-4o");
    let err = r.attempts[0].error.as_ref().unwrap();
    assert_eq!(err.code, "E_RATE_LIMITED");
    assert!(err.message.contains("Rate limit reached"));
    assert!(events.iter().any(|e| matches!(e, Event::Escalated { .. })));
}

#[test]
fn a_draft_with_wrong_working_is_stopped_early_and_escalated() {
    let lines = [
        "Each box holds 12 eggs and there are 4 boxes, so altogether there are 4 * 12 = 52 eggs in the boxes.\n",
        "Then she sells 10 of them at the market on Saturday morning to her regular customers there.\n",
        "So she has 52 - 10 = 42 eggs left over, which she keeps for the week ahead.\n",
        "After that she bakes a cake with some of them and gives a few away.\n",
    ];
    // The draft's stream never finishes and then breaks: reading it to the end
    // would make it a failed call, not a rejected draft.
    let mut sse = String::new();
    for l in lines {
        let ev = json!({"choices":[{"index":0,"delta":{"content":l},"finish_reason":null}]});
        sse.push_str(&format!("data: {ev}\n\n"));
    }
    let http = Scripted::new(vec![
        Reply::Stream { status: 200, chunks: pieces(&sse, 40), cut: true },
        Reply::Stream {
            status: 200,
            chunks: pieces(&openai_sse(&["She has 38 eggs left."], "stop", (30, 6)), 16),
            cut: false,
        },
    ]);
    let (r, events) =
        stream(&http, "She has 4 boxes of 12 eggs and sells 10. How many eggs are left?", StreamMode::Buffered);
    let r = r.unwrap();
    assert_eq!(r.model_used, "gpt-4o");
    assert_eq!(r.attempts[0].outcome, AttemptOutcome::Rejected, "{:?}", r.attempts[0]);
    assert!(r.attempts[0].reason.starts_with("judged early"), "{}", r.attempts[0].reason);
    assert!(!chunk_text(&events).contains("52"), "the rejected draft is never shown");
}
