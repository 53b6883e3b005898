use crate::json;
use crate::value::Value;

use super::*;
use crate::error::{ErrorCode, FailureClass};
use crate::providers::StreamDecoder;
use crate::types::{StreamDelta, ToolSpec};

fn model() -> ModelConfig {
    let mut m = ModelConfig::new("claude-sonnet-4-5", "anthropic").unwrap_or_else(|e| panic!("{e}"));
    m.api_key = Some("sk-ant-test-999".into());
    m
}

fn body(req: &HttpRequest) -> Value {
    crate::providers::common::sent_body(req)
}

fn build(m: &ModelConfig, req: &ChatRequest) -> Value {
    body(&build_request(m, req, false).unwrap_or_else(|e| panic!("{e}")))
}

fn chat() -> ChatRequest {
    ChatRequest {
        messages: vec![Message::system("S1"), Message::system("S2"), Message::user("hi")],
        ..Default::default()
    }
}

#[test]
fn url_headers_and_defaults() {
    let r = build_request(&model(), &chat(), true).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.url, "https://api.anthropic.com/v1/messages");
    assert_eq!(r.header("x-api-key"), Some("sk-ant-test-999"));
    assert_eq!(r.header("anthropic-version"), Some(API_VERSION));
    assert!(r.header("authorization").is_none());
    let b = body(&r);
    assert_eq!(b["system"], "S1\n\nS2");
    assert_eq!(b["max_tokens"], 1024);
    assert_eq!(b["stream"], true);
    assert_eq!(b["messages"], json!([{"role": "user", "content": [{"type": "text", "text": "hi"}]}]));
}

#[test]
fn cache_control_and_json_instruction() {
    let mut m = model();
    m.cache_control = true;
    let mut req = chat();
    req.response_format = Some(ResponseFormat::JsonSchema { name: None, schema: json!({"type": "object"}) });
    let b = build(&m, &req);
    let sys = &b["system"][0];
    assert_eq!(sys["cache_control"], json!({"type": "ephemeral"}));
    let text = sys["text"].as_str().unwrap_or("");
    assert!(text.starts_with("S1\n\nS2\n\n"), "{text}");
    assert!(text.contains(r#"matches this JSON Schema: {"type":"object"}"#), "{text}");
    assert!(b.get("response_format").is_none());
}

#[test]
fn tool_loop_alternation_and_merging() {
    let mut req = chat();
    let mut asst = Message::new(Role::Assistant, "Checking.");
    asst.tool_calls =
        vec![ToolCall::new("toolu_1", "weather", r#"{"city":"Paris"}"#), ToolCall::new("toolu_2", "time", "oops")];
    let mut r1 = Message::new(Role::Tool, "18C");
    r1.tool_call_id = Some("toolu_1".into());
    let mut r2 = Message::new(Role::Tool, "noon");
    r2.tool_call_id = Some("toolu_2".into());
    req.messages.extend([asst, r1, r2, Message::user("thanks"), Message::user("and?")]);
    req.tools =
        vec![ToolSpec { name: "weather".into(), description: String::new(), parameters: json!({"type": "object"}) }];
    req.tool_choice = Some(json!({"type": "function", "function": {"name": "weather"}}));
    let b = build(&model(), &req);
    let msgs = b["messages"].as_array().cloned().unwrap_or_default();
    let roles: Vec<&str> = msgs.iter().map(|m| m["role"].as_str().unwrap_or("")).collect();
    assert_eq!(roles, ["user", "assistant", "user"]);
    assert_eq!(
        msgs[1]["content"][1],
        json!({"type": "tool_use", "id": "toolu_1", "name": "weather", "input": {"city": "Paris"}})
    );
    assert_eq!(msgs[1]["content"][2]["input"], json!({}));
    assert_eq!(msgs[2]["content"][0], json!({"type": "tool_result", "tool_use_id": "toolu_1", "content": "18C"}));
    assert_eq!(msgs[2]["content"][1]["tool_use_id"], "toolu_2");
    assert_eq!(msgs[2]["content"][3]["text"], "and?");
    assert_eq!(b["tools"], json!([{"name": "weather", "input_schema": {"type": "object"}}]));
    assert_eq!(b["tool_choice"], json!({"type": "tool", "name": "weather"}));
}

#[test]
fn tool_choice_mapping() {
    assert_eq!(tool_choice(&json!("auto")), Some(json!({"type": "auto"})));
    assert_eq!(tool_choice(&json!("required")), Some(json!({"type": "any"})));
    assert_eq!(tool_choice(&json!("none")), Some(json!({"type": "none"})));
    assert_eq!(tool_choice(&json!({"type": "any"})), Some(json!({"type": "any"})));
    assert_eq!(tool_choice(&json!(42)), None);
}

#[test]
fn thinking_rules() {
    let mut m = model();
    m.temperature = Some(0.2);
    m.parameters.insert("thinking".into(), json!({"type": "enabled", "budget_tokens": 2048}));
    m.parameters.insert("stop".into(), json!("END"));
    let mut req = chat();
    req.max_tokens = Some(500);
    let b = build(&m, &req);
    assert!(b.get("temperature").is_none(), "{b}");
    assert_eq!(b["max_tokens"], 2548);
    assert_eq!(b["thinking"]["budget_tokens"], 2048);
    assert_eq!(b["stop_sequences"], json!(["END"]));
    assert!(b.get("stop").is_none());

    req.max_tokens = Some(8000);
    assert_eq!(build(&m, &req)["max_tokens"], 8000);

    m.parameters.insert("thinking".into(), json!({"type": "enabled", "budget_tokens": 500}));
    let e = build_request(&m, &req, false).err().unwrap_or_else(|| panic!("accepted"));
    assert_eq!(e.code, ErrorCode::Config);
    assert!(e.message.contains("parameters.thinking.budget_tokens") && e.message.contains("1024"), "{}", e.message);
}

#[test]
fn parameters_replace_our_fields_and_no_key_is_written_twice() {
    let mut m = model();
    m.temperature = Some(0.2);
    for (k, v) in [
        ("temperature", json!(1.0)),
        ("max_tokens", json!(64)),
        ("tools", json!([])),
        ("tool_choice", json!({"type": "auto"})),
        ("stop", json!(["A"])),
        ("stop_sequences", json!(["B"])),
        ("system", json!("swapped")),
    ] {
        m.parameters.insert(k.into(), v);
    }
    let mut req = chat();
    req.tools = vec![ToolSpec { name: "t".into(), description: "d".into(), parameters: json!({"type": "object"}) }];
    req.tool_choice = Some(json!("required"));
    let b = build(&m, &req);
    assert_eq!(b["temperature"], 1.0);
    assert_eq!(b["max_tokens"], 64);
    assert_eq!(b["tools"], json!([]));
    assert_eq!(b["tool_choice"], json!({"type": "auto"}));
    assert_eq!(b["stop_sequences"], json!(["B"]), "the API's own name wins over `stop`");
    assert_eq!(b["system"], "S1\n\nS2");

    // Thinking with a `max_tokens` parameter below the budget: one adjusted value.
    m.parameters.insert("thinking".into(), json!({"type": "enabled", "budget_tokens": 1024}));
    let b = build(&m, &req);
    assert_eq!(b["max_tokens"], 1088);
    assert!(b.get("temperature").is_none(), "{b}");
}

#[test]
fn parse_blocks_usage_and_errors() {
    let b = br#"{"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5",
        "content":[{"type":"thinking","thinking":"hmm","signature":"x"},{"type":"text","text":"Hel"},
        {"type":"text","text":"lo"},{"type":"tool_use","id":"toolu_1","name":"w","input":{"a":1}}],
        "stop_reason":"tool_use","usage":{"input_tokens":10,"output_tokens":5,
        "cache_read_input_tokens":100,"cache_creation_input_tokens":7}}"#;
    let c = parse_response(b).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(c.content, "Hello");
    assert_eq!(c.thinking.as_deref(), Some("hmm"));
    assert_eq!(c.tool_calls, vec![ToolCall::new("toolu_1", "w", r#"{"a":1}"#)]);
    assert_eq!(c.finish_reason, FinishReason::ToolCalls);
    let u = c.usage.unwrap_or_default();
    assert_eq!((u.input_tokens, u.output_tokens, u.cache_read_tokens, u.cache_write_tokens), (10, 5, 100, 7));

    let e = parse_response(br#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#)
        .err()
        .unwrap_or_else(|| panic!("accepted"));
    assert_eq!(e.code, ErrorCode::BadResponse);
    assert!(e.message.contains("Overloaded"));
    for (raw, want) in [
        ("end_turn", FinishReason::Stop),
        ("stop_sequence", FinishReason::Stop),
        ("max_tokens", FinishReason::Length),
        ("refusal", FinishReason::ContentFilter),
        ("pause_turn", FinishReason::Unknown),
    ] {
        assert_eq!(map_stop(Some(&crate::json_in::Json::String(raw.into()))), want, "{raw}");
    }
}

fn stream_all(data: &str) -> Result<Vec<StreamDelta>, CascadeError> {
    let mut p = StreamParser::default();
    let mut out = p.feed(data.as_bytes())?;
    out.extend(p.finish()?);
    Ok(out)
}

#[test]
fn stream_tool_index_counts_tool_blocks_only() {
    let got = stream_all(concat!(
        "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n",
        "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":1,\"content_block\":{\"type\":\"tool_use\",\"id\":\"t1\",\"name\":\"w\",\"input\":{}}}\n\n",
        "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{}\"}}\n\n",
        "event: ping\ndata: {\"type\": \"ping\"}\n\n",
    ))
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        got,
        vec![
            StreamDelta::ToolCall { index: 0, id: Some("t1".into()), name: Some("w".into()), arguments: String::new() },
            StreamDelta::ToolCall { index: 0, id: None, name: None, arguments: "{}".into() },
        ]
    );
}

#[test]
fn stream_errors() {
    let e = stream_all("event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n")
        .err()
        .unwrap_or_else(|| panic!("accepted"));
    assert_eq!(e.code, ErrorCode::Stream);
    assert_eq!(e.failure_class(), FailureClass::Server);
    // Input for a block never started is skipped, not fatal: the API adds
    // block types over time, and the answer must survive them.
    let got = stream_all("data: {\"type\":\"content_block_delta\",\"index\":3,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{\"}}\n\n")
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(got.is_empty(), "{got:?}");
    // An event that is not JSON is skipped and counted; the caller decides
    // whether the answer around it stands (cascade::call).
    let mut p = StreamParser::default();
    let got = p.feed(b"event: message_start\ndata: {not json\n\nevent: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hi\"}}\n\n");
    assert_eq!(got.unwrap_or_else(|e| panic!("{e}")), vec![StreamDelta::Text("Hi".into())]);
    let skipped = crate::providers::StreamDecoder::skipped(&p);
    assert_eq!((skipped.count, skipped.covered), (1, true));
    assert!(skipped.last.contains("not valid JSON") && skipped.last.contains("{not json"), "{}", skipped.last);
    // Named `error`, it is an error even when its data is not JSON.
    let e = stream_all("event: error\ndata: upstream overloaded\n\n").err().unwrap_or_else(|| panic!("accepted"));
    assert_eq!((e.code, e.failure_class()), (ErrorCode::Stream, FailureClass::Server));
    // A prompt too long, reported inside the stream, keeps its meaning.
    let e = stream_all("event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\",\"message\":\"prompt is too long: 208310 tokens > 200000 maximum\"}}\n\n")
        .err()
        .unwrap_or_else(|| panic!("accepted"));
    assert_eq!((e.code, e.stated_window()), (ErrorCode::ContextLength, Some(200_000)));
}
