//! The tool loop in the engine: calls run through an executor, results fed
//! back in each wire's native form, steps summed, `maxSteps` respected, and
//! a failing executor surfacing as `E_TOOL` with the trace so far.

mod support;

use cascade_edge::json_out::ToJson;
use std::cell::RefCell;

use cascade_edge::cascade::{AttemptOutcome, Engine, Event, StreamMode, ToolExecutor};
use cascade_edge::clock::ManualClock;
use cascade_edge::config::{parse_agent, parse_call_options, CallOptions};
use cascade_edge::error::ErrorCode;
use cascade_edge::json;
use cascade_edge::types::{Message, ToolCall};
use cascade_edge::value::Value;
use support::{block_on, openai_body, Reply, Scripted};

const Q: &str = "What is the weather in Paris right now?";

/// Records every call; answers with `reply`, or fails when it is `None`.
struct Tools {
    seen: RefCell<Vec<ToolCall>>,
    reply: Option<&'static str>,
}

impl Tools {
    fn answering(reply: &'static str) -> Self {
        Tools { seen: RefCell::new(Vec::new()), reply: Some(reply) }
    }
}

impl ToolExecutor for Tools {
    async fn call(&self, call: &ToolCall) -> Result<String, String> {
        self.seen.borrow_mut().push(call.clone());
        self.reply.map(str::to_string).ok_or_else(|| "weather service unavailable".to_string())
    }
}

fn engine(models: Value) -> Engine<ManualClock> {
    Engine::new(parse_agent(&support::with_keys(models)).unwrap_or_else(|e| panic!("{e}")), ManualClock::default())
}

fn opts(extra: Value) -> CallOptions {
    let mut o = json!({"tools": [{"type": "function", "function": {"name": "get_weather",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}]});
    if let (Some(o), Some(e)) = (o.as_object_mut(), extra.as_object()) {
        o.extend(e.clone());
    }
    parse_call_options(&o, "options").unwrap_or_else(|e| panic!("{e}"))
}

fn openai_tool_call(ids: &[&str], usage: (u64, u64)) -> String {
    let calls: Vec<Value> = ids
        .iter()
        .map(|id| json!({"id": id, "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\":\"Paris\"}"}}))
        .collect();
    json!({"id": "c", "object": "chat.completion", "model": "m", "choices": [{"index": 0,
        "message": {"role": "assistant", "content": null, "tool_calls": calls}, "finish_reason": "tool_calls"}],
        "usage": {"prompt_tokens": usage.0, "completion_tokens": usage.1}})
    .to_string()
}

const ANSWER: &str = "It is sunny in Paris at 21 degrees.";

#[test]
fn two_steps_feed_results_back_and_sum_the_costs() {
    let e = engine(json!([{"name": "gpt-4o-mini", "provider": "openai", "apiKey": "k"}]));
    let http = Scripted::new(vec![
        Reply::Json(200, openai_tool_call(&["call_1", "call_2"], (100, 20))),
        Reply::Json(200, openai_body(ANSWER, "stop", Some((150, 10)))),
    ]);
    let tools = Tools::answering(r#"{"temp":21}"#);
    let r = block_on(e.run_with_tools(&http, &tools, vec![Message::user(Q)], &opts(json!({}))))
        .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(r.content, ANSWER);
    assert_eq!(r.steps, 2);
    assert!(r.tool_calls.is_empty(), "the last step's calls: none");
    assert_eq!(tools.seen.borrow().iter().map(|c| c.id.as_str()).collect::<Vec<_>>(), ["call_1", "call_2"]);
    assert_eq!(tools.seen.borrow()[0].arguments, Some(json!({"city": "Paris"})));

    let second = http.body(1);
    let msgs = second["messages"].as_array().cloned().unwrap_or_default();
    assert_eq!(msgs.len(), 4);
    assert_eq!(msgs[1]["role"], "assistant");
    assert_eq!(msgs[1]["content"], Value::Null);
    assert_eq!(msgs[1]["tool_calls"][1]["id"], "call_2");
    assert_eq!(msgs[2], json!({"role": "tool", "tool_call_id": "call_1", "content": "{\"temp\":21}"}));
    assert_eq!(msgs[3]["tool_call_id"], "call_2");

    assert_eq!(r.attempts.iter().map(|a| a.step).collect::<Vec<_>>(), [Some(1), Some(2)]);
    assert_eq!((r.usage.input_tokens, r.usage.output_tokens), (250, 30));
    // gpt-4o-mini: $0.15 / $0.60 per 1M.
    let want = (250.0 * 0.15 + 30.0 * 0.60) / 1e6;
    assert!((r.total_cost.unwrap_or(f64::NAN) - want).abs() < 1e-12, "{:?}", r.total_cost);
    assert!(r.reason.starts_with("2 steps, 2 tool calls run"), "{}", r.reason);
    assert_eq!(e.analytics().runs, 2, "each step is a cascade");
}

#[test]
fn max_steps_returns_the_pending_calls_unrun() {
    let e = engine(json!([{"name": "gpt-4o-mini", "provider": "openai", "apiKey": "k"}]));
    let http = Scripted::new(vec![
        Reply::Json(200, openai_tool_call(&["call_1"], (10, 5))),
        Reply::Json(200, openai_tool_call(&["call_2"], (10, 5))),
    ]);
    let tools = Tools::answering("21C");
    let r = block_on(e.run_with_tools(&http, &tools, vec![Message::user(Q)], &opts(json!({"maxSteps": 2}))))
        .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!((r.steps, http.calls(), tools.seen.borrow().len()), (2, 2, 1));
    assert_eq!(r.tool_calls.len(), 1);
    assert_eq!(r.tool_calls[0].id, "call_2");

    let bad = parse_call_options(&json!({"maxSteps": 0}), "options").expect_err("0 steps");
    assert!(bad.message.contains("options.maxSteps"), "{}", bad.message);
}

#[test]
fn a_failing_executor_is_a_tool_error_with_the_trace() {
    let e = engine(json!([{"name": "gpt-4o-mini", "provider": "openai", "apiKey": "k"}]));
    let http = Scripted::new(vec![Reply::Json(200, openai_tool_call(&["call_1"], (10, 5)))]);
    let tools = Tools { seen: RefCell::new(Vec::new()), reply: None };
    let err = block_on(e.run_with_tools(&http, &tools, vec![Message::user(Q)], &opts(json!({}))))
        .expect_err("the tool failed");
    assert_eq!(err.error.code, ErrorCode::Tool);
    assert_eq!(err.error.code.as_str(), "E_TOOL");
    assert!(err.error.message.contains("get_weather") && err.error.message.contains("weather service unavailable"));
    assert_eq!(err.attempts.len(), 1);
    assert_eq!(err.attempts[0].outcome, AttemptOutcome::Accepted);
    assert_eq!(http.calls(), 1, "no further step after a failed tool");
}

#[test]
fn anthropic_wire_gets_tool_use_and_tool_result_blocks() {
    let e = engine(json!([{"name": "claude-3-5-haiku-latest", "provider": "anthropic", "apiKey": "k"}]));
    let tool_use = json!({"id": "msg_1", "type": "message", "role": "assistant", "model": "claude",
        "content": [{"type": "text", "text": "Let me check."},
                    {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "Paris"}}],
        "stop_reason": "tool_use", "usage": {"input_tokens": 30, "output_tokens": 12}});
    let answer = json!({"id": "msg_2", "type": "message", "role": "assistant", "model": "claude",
        "content": [{"type": "text", "text": ANSWER}], "stop_reason": "end_turn",
        "usage": {"input_tokens": 60, "output_tokens": 12}});
    let http = Scripted::new(vec![Reply::Json(200, tool_use.to_string()), Reply::Json(200, answer.to_string())]);
    let tools = Tools::answering("21C and sunny");
    let r = block_on(e.run_with_tools(&http, &tools, vec![Message::user(Q)], &opts(json!({}))))
        .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!((r.content.as_str(), r.steps), (ANSWER, 2));
    let msgs = http.body(1)["messages"].clone();
    assert_eq!(msgs[1]["role"], "assistant");
    assert_eq!(
        msgs[1]["content"][1],
        json!({"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "Paris"}})
    );
    assert_eq!(msgs[2]["role"], "user");
    assert_eq!(
        msgs[2]["content"][0],
        json!({"type": "tool_result", "tool_use_id": "toolu_1", "content": "21C and sunny"})
    );
}

#[test]
fn streamed_tool_loop_emits_a_tool_result_between_steps() {
    let e = engine(json!([{"name": "gpt-4o-mini", "provider": "openai", "apiKey": "k"}]));
    let first = [
        json!({"choices": [{"index": 0, "delta": {"tool_calls": [{"index": 0, "id": "call_1", "type": "function",
            "function": {"name": "get_weather", "arguments": "{\"city\":"}}]}, "finish_reason": null}]}),
        json!({"choices": [{"index": 0, "delta": {"tool_calls": [{"index": 0, "function": {"arguments": "\"Paris\"}"}}]},
            "finish_reason": "tool_calls"}]}),
    ]
    .iter()
    .map(|v| format!("data: {v}\n\n"))
    .collect::<String>()
        + "data: [DONE]\n\n";
    let http = Scripted::new(vec![
        Reply::Stream { status: 200, chunks: support::pieces(&first, 9), cut: false },
        Reply::Stream {
            status: 200,
            chunks: support::pieces(&support::openai_sse(&[ANSWER], "stop", (20, 9)), 11),
            cut: false,
        },
    ]);
    let tools = Tools::answering("21C");
    let mut events = Vec::new();
    let r = block_on(e.stream_with_tools(
        &http,
        &tools,
        vec![Message::user(Q)],
        &opts(json!({})),
        StreamMode::Buffered,
        &mut |ev| events.push(ev),
    ))
    .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!((r.content.as_str(), r.steps), (ANSWER, 2));
    assert_eq!(tools.seen.borrow()[0].arguments, Some(json!({"city": "Paris"})));
    let kinds: Vec<&str> = events
        .iter()
        .map(|e| match e {
            Event::Routing { .. } => "routing",
            Event::ToolCallDelta { .. } => "toolCallDelta",
            Event::ToolResult { .. } => "toolResult",
            Event::Chunk { .. } => "chunk",
            _ => "other",
        })
        .collect();
    let tool_result = kinds.iter().position(|k| *k == "toolResult").expect("a toolResult event");
    assert_eq!(kinds.iter().filter(|k| **k == "routing").count(), 2);
    assert!(kinds[..tool_result].contains(&"toolCallDelta") && kinds[tool_result..].contains(&"chunk"), "{kinds:?}");
    assert!(
        matches!(&events[tool_result], Event::ToolResult { step: 1, id, content, .. } if id == "call_1" && content == "21C")
    );
    let json: cascade_edge::value::Value =
        cascade_edge::value::from_str(&events[tool_result].to_json()).unwrap_or_default();
    assert_eq!(json["type"], "toolResult");
}

#[test]
fn without_tool_calls_the_loop_is_one_ordinary_run() {
    let e = engine(json!([{"name": "gpt-4o-mini", "provider": "openai", "apiKey": "k"}]));
    let http = Scripted::new(vec![Reply::Json(200, openai_body("Paris.", "stop", Some((10, 2))))]);
    let tools = Tools::answering("unused");
    let r = block_on(e.run_with_tools(&http, &tools, vec![Message::user("Capital of France?")], &opts(json!({}))))
        .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!((r.steps, r.attempts[0].step), (1, Some(1)));
    assert!(tools.seen.borrow().is_empty());
    // A plain run reports one step and no step marks.
    let http = Scripted::new(vec![Reply::Json(200, openai_body("Paris.", "stop", Some((10, 2))))]);
    let r = block_on(e.run(&http, vec![Message::user("Capital of France?")], &CallOptions::default()))
        .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!((r.steps, r.attempts[0].step), (1, None));
}

/// The wasm door skips parsing when the wrapper sends "{}"; that shortcut
/// must mean exactly what parsing an empty object means.
#[test]
fn empty_options_are_the_default_options() {
    assert_eq!(parse_call_options(&json!({}), "options").unwrap_or_else(|e| panic!("{e}")), CallOptions::default());
}
