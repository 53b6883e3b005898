use crate::json;
use crate::value::Value;

use super::*;
use crate::error::{ErrorCode, FailureClass};
use crate::providers::StreamDecoder;
use crate::types::{StreamDelta, ToolSpec};

fn model() -> ModelConfig {
    ModelConfig::new("llama3.2", "ollama").unwrap_or_else(|e| panic!("{e}"))
}

fn body(req: &HttpRequest) -> Value {
    crate::providers::common::sent_body(req)
}

#[test]
fn parameters_replace_our_fields_and_no_key_is_written_twice() {
    let mut m = model();
    m.max_tokens = Some(64);
    m.parameters.insert("options".into(), json!({"num_predict": 32, "top_k": 5}));
    m.parameters.insert("top_k".into(), json!(9));
    m.parameters.insert("format".into(), json!({"type": "object"}));
    m.parameters.insert("tools".into(), json!([]));
    let mut req = ChatRequest { messages: vec![Message::user("hi")], ..Default::default() };
    req.tools = vec![ToolSpec { name: "w".into(), description: "d".into(), parameters: json!({"type": "object"}) }];
    req.response_format = Some(ResponseFormat::JsonObject);
    let b = body(&build_request(&m, &req, false).unwrap_or_else(|e| panic!("{e}")));
    assert_eq!(b["options"], json!({"num_predict": 32, "top_k": 9}), "ours, then nested options, then flat");
    assert_eq!(b["format"], json!({"type": "object"}));
    assert_eq!(b["tools"], json!([]));
}

#[test]
fn request_shape() {
    let mut m = model();
    m.max_tokens = Some(64);
    m.parameters.insert("top_k".into(), json!(20));
    m.parameters.insert("keep_alive".into(), json!("5m"));
    m.parameters.insert("options".into(), json!({"num_ctx": 8192}));
    let mut req = ChatRequest { messages: vec![Message::user("hi")], temperature: Some(0.0), ..Default::default() };
    req.tools = vec![ToolSpec { name: "w".into(), description: "d".into(), parameters: json!({"type": "object"}) }];
    req.response_format = Some(ResponseFormat::JsonObject);
    let r = build_request(&m, &req, false).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.url, "http://localhost:11434/api/chat");
    assert!(r.header("authorization").is_none());
    let b = body(&r);
    assert_eq!(b["stream"], false);
    assert_eq!(b["options"], json!({"num_predict": 64, "temperature": 0.0, "top_k": 20, "num_ctx": 8192}));
    assert_eq!(b["keep_alive"], "5m");
    assert_eq!(b["format"], "json");
    assert_eq!(b["tools"][0]["function"]["name"], "w");

    m.api_key = Some("ollama-key-1".into());
    req.response_format = Some(ResponseFormat::JsonSchema { name: None, schema: json!({"type": "object"}) });
    let r = build_request(&m, &req, true).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.header("authorization"), Some("Bearer ollama-key-1"));
    assert_eq!(body(&r)["format"], json!({"type": "object"}));
    assert_eq!(body(&r)["stream"], true);
}

#[test]
fn tool_history_uses_object_arguments_and_tool_name() {
    let mut asst = Message::new(Role::Assistant, "");
    asst.tool_calls = vec![ToolCall::new("call_0", "w", r#"{"city":"Oslo"}"#)];
    let mut res = Message::new(Role::Tool, "3C");
    res.tool_call_id = Some("call_0".into());
    let req = ChatRequest { messages: vec![Message::user("hi"), asst, res], ..Default::default() };
    let b = body(&build_request(&model(), &req, false).unwrap_or_else(|e| panic!("{e}")));
    assert_eq!(b["messages"][1]["tool_calls"][0], json!({"function": {"name": "w", "arguments": {"city": "Oslo"}}}));
    assert_eq!(b["messages"][2], json!({"role": "tool", "content": "3C", "tool_name": "w"}));
}

#[test]
fn parse_answer_tools_and_usage() {
    let b = br#"{"model":"qwen3","created_at":"2025-01-01T00:00:00Z","message":{"role":"assistant","content":"",
        "thinking":"let me see","tool_calls":[{"function":{"name":"w","arguments":{"city":"Oslo"}}},
        {"function":{"name":"t","arguments":{}}}]},"done":true,"done_reason":"stop",
        "prompt_eval_count":12,"eval_count":8}"#;
    let c = parse_response(b).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        c.tool_calls,
        vec![ToolCall::new("call_0", "w", r#"{"city":"Oslo"}"#), ToolCall::new("call_1", "t", "{}")]
    );
    assert_eq!(c.finish_reason, FinishReason::ToolCalls);
    assert_eq!(c.thinking.as_deref(), Some("let me see"));
    assert_eq!(c.usage.map(|u| (u.input_tokens, u.output_tokens)), Some((12, 8)));

    let c = parse_response(
        br#"{"message":{"role":"assistant","content":"hi"},"done":true,"done_reason":"length","eval_count":0}"#,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(c.finish_reason, FinishReason::Length);
    assert_eq!(c.usage, None);

    let e = parse_response(br#"{"error":"model 'x' not found"}"#).err().unwrap_or_else(|| panic!("accepted"));
    assert_eq!(e.code, ErrorCode::BadResponse);
    assert!(e.message.contains("not found"));
    let e = parse_response(br#"{"done":true}"#).err().unwrap_or_else(|| panic!("accepted"));
    assert!(e.message.contains("no message"), "{}", e.message);
}

#[test]
fn stream_error_and_bad_lines() {
    let mut p = StreamParser::default();
    let e = p.feed(b"{\"message\":{\"content\":\"a\"},\"done\":false}\n{\"error\":\"out of memory\"}\n").err();
    let e = e.unwrap_or_else(|| panic!("accepted"));
    assert_eq!(e.code, ErrorCode::Stream);
    assert_eq!(e.failure_class(), FailureClass::Server);
    // A line that is not JSON is skipped and counted, naming its line.
    let mut p = StreamParser::default();
    let got = p.feed(b"{\"message\":\n{\"message\":{\"content\":\"b\"},\"done\":false}\n").unwrap_or_default();
    assert_eq!(got, vec![StreamDelta::Text("b".into())]);
    let skipped = crate::providers::StreamDecoder::skipped(&p);
    assert_eq!((skipped.count, skipped.covered), (1, true));
    assert!(skipped.last.contains("line 1"), "{}", skipped.last);
    // One over the event limit still ends the stream.
    let mut p = StreamParser::default();
    crate::providers::StreamDecoder::limit_events(&mut p, 8);
    let e = p.feed(b"{\"message\":{\"content\":\"0123456789\"}}\n").err().unwrap_or_else(|| panic!("accepted"));
    assert_eq!(e.code, ErrorCode::BadResponse);
    // Ollama's own error line for a prompt past num_ctx is a context refusal.
    let mut p = StreamParser::default();
    let e = p.feed(b"{\"error\":\"the input length exceeds the context length\"}\n").err();
    assert_eq!(e.map(|e| e.code), Some(ErrorCode::ContextLength));
}

#[test]
fn stream_final_line_gives_usage_finish_done() {
    let mut p = StreamParser::default();
    let mut got =
        p.feed(b"{\"message\":{\"role\":\"assistant\",\"content\":\"Hi\"},\"done\":false}\n").unwrap_or_default();
    got.extend(p.feed(b"{\"message\":{\"content\":\"\"},\"done\":true,\"done_reason\":\"stop\",\"prompt_eval_count\":3,\"eval_count\":2}").unwrap_or_default());
    assert_eq!(got.len(), 1);
    got.extend(p.finish().unwrap_or_default());
    assert_eq!(
        got,
        vec![
            StreamDelta::Text("Hi".into()),
            StreamDelta::Usage(Usage { input_tokens: 3, output_tokens: 2, ..Usage::default() }),
            StreamDelta::Finish(FinishReason::Stop),
            StreamDelta::Done,
        ]
    );
}
