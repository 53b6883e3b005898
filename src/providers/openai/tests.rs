use crate::json;
use crate::value::Value;

use super::*;
use crate::error::ErrorCode;
use crate::providers::StreamDecoder;
use crate::types::{FinishReason, Message, StreamDelta, ToolSpec};

fn model(name: &str, provider: &str) -> ModelConfig {
    let mut m = ModelConfig::new(name, provider).unwrap_or_else(|e| panic!("{e}"));
    m.api_key = Some("sk-test-123456".into());
    m
}

fn body(req: &HttpRequest) -> Value {
    crate::providers::common::sent_body(req)
}

fn chat(text: &str) -> ChatRequest {
    ChatRequest { messages: vec![Message::system("Be brief."), Message::user(text)], ..Default::default() }
}

#[test]
fn reasoning_model_detection() {
    for n in ["o1", "o1-mini", "o3-mini", "o4-mini", "gpt-5", "gpt-5-nano", "openai/o3", "OpenAI/GPT-5.1"] {
        assert!(is_reasoning_model(n), "{n}");
    }
    for n in ["gpt-4o", "gpt-4.1-mini", "llama-3.1-8b", "openai/gpt-4o", "olmo-2"] {
        assert!(!is_reasoning_model(n), "{n}");
    }
}

#[test]
fn plain_request_shape() {
    let mut m = model("gpt-4o-mini", "openai");
    m.max_tokens = Some(200);
    m.temperature = Some(0.2);
    m.parameters.insert("top_p".into(), json!(0.9));
    m.parameters.insert("stream".into(), json!(true)); // must not leak
    let mut req = chat("hi");
    req.max_tokens = Some(50);
    req.logprobs = true;
    let r = build_request(&m, &req, false).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.url, "https://api.openai.com/v1/chat/completions");
    assert_eq!(r.header("authorization"), Some("Bearer sk-test-123456"));
    assert_eq!(r.header("content-type"), Some("application/json"));
    let b = body(&r);
    assert_eq!(b["model"], "gpt-4o-mini");
    assert_eq!(b["messages"][0], json!({"role": "system", "content": "Be brief."}));
    assert_eq!(b["max_tokens"], 50);
    assert_eq!(b["temperature"], 0.2);
    assert_eq!(b["top_p"], 0.9);
    assert_eq!(b["logprobs"], true);
    assert_eq!(b["top_logprobs"], 3);
    assert!(b.get("stream").is_none() && b.get("stream_options").is_none(), "{b}");
}

#[test]
fn logprobs_only_where_provider_offers_them() {
    let mut req = chat("hi");
    req.logprobs = true;
    let b = body(&build_request(&model("llama-3.1-8b-instant", "groq"), &req, false).unwrap_or_else(|e| panic!("{e}")));
    assert!(b.get("logprobs").is_none(), "{b}");
}

#[test]
fn reasoning_model_rules() {
    let mut m = model("o3-mini", "openai");
    m.temperature = Some(0.3);
    m.parameters.insert("top_p".into(), json!(0.5));
    m.parameters.insert("reasoning_effort".into(), json!("low"));
    let mut req = chat("hi");
    req.max_tokens = Some(300);
    req.logprobs = true;
    let b = body(&build_request(&m, &req, true).unwrap_or_else(|e| panic!("{e}")));
    assert_eq!(b["max_completion_tokens"], 300);
    for k in ["max_tokens", "temperature", "top_p", "logprobs", "top_logprobs"] {
        assert!(b.get(k).is_none(), "{k} in {b}");
    }
    assert_eq!(b["reasoning_effort"], "low");
    assert_eq!(b["stream"], true);
    assert_eq!(b["stream_options"], json!({"include_usage": true}));
}

#[test]
fn reasoning_model_max_tokens_parameter_is_renamed() {
    let mut m = model("openai/gpt-5-mini", "openrouter");
    m.parameters.insert("max_tokens".into(), json!(99));
    let b = body(&build_request(&m, &chat("hi"), false).unwrap_or_else(|e| panic!("{e}")));
    assert_eq!(b["max_completion_tokens"], 99);
    assert!(b.get("max_tokens").is_none());
}

#[test]
fn parameters_replace_our_fields_and_no_key_is_written_twice() {
    let mut m = model("gpt-4o-mini", "openai");
    m.temperature = Some(0.2);
    m.max_tokens = Some(100);
    for (k, v) in [
        ("temperature", json!(1.0)),
        ("max_tokens", json!(7)),
        ("logprobs", json!(false)),
        ("response_format", json!({"type": "text"})),
        ("stream_options", json!({"include_usage": false, "chunk_hint": 2})),
        ("model", json!("swapped")),
    ] {
        m.parameters.insert(k.into(), v);
    }
    let mut req = chat("hi");
    req.logprobs = true;
    req.response_format = Some(ResponseFormat::JsonObject);
    let streamed = body(&build_request(&m, &req, true).unwrap_or_else(|e| panic!("{e}")));
    assert_eq!(streamed["model"], "gpt-4o-mini");
    assert_eq!(streamed["temperature"], 1.0);
    assert_eq!(streamed["max_tokens"], 7);
    assert_eq!(streamed["logprobs"], false);
    assert_eq!(streamed["top_logprobs"], 3);
    assert_eq!(streamed["response_format"], json!({"type": "text"}));
    assert_eq!(streamed["stream_options"], json!({"chunk_hint": 2, "include_usage": true}));
    let plain = build_request(&m, &req, false).unwrap_or_else(|e| panic!("{e}"));
    assert!(body(&plain).get("stream_options").is_none());

    // Both limits given as parameters to a reasoning model: the right one is kept.
    let mut r = model("o4-mini", "openai");
    r.max_tokens = Some(50);
    r.parameters.insert("max_tokens".into(), json!(99));
    r.parameters.insert("max_completion_tokens".into(), json!(77));
    let b = body(&build_request(&r, &chat("hi"), false).unwrap_or_else(|e| panic!("{e}")));
    assert_eq!(b["max_completion_tokens"], 77);
    assert!(b.get("max_tokens").is_none(), "{b}");
}

#[test]
fn a_whole_temperature_stays_a_float_on_the_wire() {
    let mut m = model("gpt-4o-mini", "openai");
    m.temperature = Some(1.0);
    let r = build_request(&m, &chat("hi"), false).unwrap_or_else(|e| panic!("{e}"));
    assert!(r.body.as_deref().unwrap_or("").contains("\"temperature\":1.0"), "{:?}", r.body);
}

#[test]
fn tools_tool_history_and_formats() {
    let mut req = chat("weather?");
    req.tools = vec![ToolSpec { name: "get_weather".into(), description: "Weather".into(), parameters: Value::Null }];
    req.tool_choice = Some(json!("required"));
    req.response_format =
        Some(ResponseFormat::JsonSchema { name: Some("my schema!".into()), schema: json!({"type": "object"}) });
    let mut asst = Message::new(Role::Assistant, "");
    asst.tool_calls = vec![ToolCall::new("call_1", "get_weather", "{\"city\":\"Paris\"}")];
    let mut tool = Message::new(Role::Tool, "18C");
    tool.tool_call_id = Some("call_1".into());
    req.messages.extend([asst, tool]);
    let b = body(&build_request(&model("gpt-4o", "openai"), &req, false).unwrap_or_else(|e| panic!("{e}")));
    assert_eq!(
        b["tools"][0],
        json!({"type": "function", "function": {"name": "get_weather", "description": "Weather",
            "parameters": {"type": "object", "properties": {}}}})
    );
    assert_eq!(b["tool_choice"], "required");
    assert_eq!(b["response_format"]["json_schema"]["name"], "my_schema_");
    assert_eq!(b["response_format"]["json_schema"]["strict"], false);
    assert_eq!(b["messages"][2]["content"], Value::Null);
    assert_eq!(b["messages"][2]["tool_calls"][0]["function"]["arguments"], "{\"city\":\"Paris\"}");
    assert_eq!(b["messages"][3], json!({"role": "tool", "tool_call_id": "call_1", "content": "18C"}));
}

#[test]
fn tool_choice_without_tools_is_dropped_and_tool_message_needs_id() {
    let mut req = chat("hi");
    req.tool_choice = Some(json!("auto"));
    req.response_format = Some(ResponseFormat::JsonObject);
    let b = body(&build_request(&model("gpt-4o", "openai"), &req, false).unwrap_or_else(|e| panic!("{e}")));
    assert!(b.get("tool_choice").is_none());
    assert_eq!(b["response_format"], json!({"type": "json_object"}));
    req.messages.push(Message::new(Role::Tool, "x"));
    let e = build_request(&model("gpt-4o", "openai"), &req, false).err().unwrap_or_else(|| panic!("accepted"));
    assert_eq!(e.code, ErrorCode::Config);
    assert!(e.message.contains("messages[2].toolCallId"), "{}", e.message);
}

#[test]
fn openrouter_defaults_yield_to_user_headers() {
    let mut m = model("meta-llama/llama-3.1-8b-instruct", "openrouter");
    m.headers = vec![("X-Title".into(), "mine".into())];
    let r = build_request(&m, &chat("hi"), false).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.url, "https://openrouter.ai/api/v1/chat/completions");
    assert_eq!(r.header("x-title"), Some("mine"));
    assert_eq!(r.header("http-referer"), Some("https://github.com/cascade-edge/cascade-edge"));
    let mut local = model("qwen", "vllm");
    local.api_key = None;
    let r = build_request(&local, &chat("hi"), false).unwrap_or_else(|e| panic!("{e}"));
    assert!(r.header("authorization").is_none());
    assert!(r.header("x-title").is_none());
}

#[test]
fn parse_content_null_reasoning_and_cache() {
    let b = br#"{"model":"deepseek-reasoner","choices":[{"index":0,"message":{"role":"assistant","content":null,
        "reasoning_content":"think"},"finish_reason":"length"}],
        "usage":{"prompt_tokens":100,"completion_tokens":20,"prompt_tokens_details":{"cached_tokens":60},
        "completion_tokens_details":{"reasoning_tokens":12}}}"#;
    let c = parse_response(b).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(c.content, "");
    assert_eq!(c.thinking.as_deref(), Some("think"));
    assert_eq!(c.finish_reason, FinishReason::Length);
    let u = c.usage.unwrap_or_default();
    assert_eq!((u.input_tokens, u.cache_read_tokens, u.output_tokens, u.reasoning_tokens), (40, 60, 20, 12));
    assert_eq!(c.logprobs, None);
}

#[test]
fn parse_errors_are_clear() {
    let cases: [(&[u8], &str); 4] = [
        (br#"{"error":{"message":"model overloaded","type":"server_error"}}"#, "model overloaded"),
        (br#"{"id":"x","object":"chat.completion"}"#, "no choices[0]"),
        (br#"{"choices":[]}"#, "no choices[0]"),
        (b"<html>bad gateway</html>", "not valid JSON"),
    ];
    for (b, want) in cases {
        let e = parse_response(b).err().unwrap_or_else(|| panic!("accepted"));
        assert_eq!(e.code, ErrorCode::BadResponse);
        assert!(e.message.contains(want), "{}", e.message);
    }
}

#[test]
fn finish_reason_mapping() {
    for (raw, want) in [
        ("stop", FinishReason::Stop),
        ("length", FinishReason::Length),
        ("tool_calls", FinishReason::ToolCalls),
        ("function_call", FinishReason::ToolCalls),
        ("content_filter", FinishReason::ContentFilter),
        ("eos", FinishReason::Unknown),
    ] {
        assert_eq!(map_finish(Some(&crate::json_in::Json::String(raw.into()))), want, "{raw}");
    }
    assert_eq!(map_finish(Some(&crate::json_in::Json::Null)), FinishReason::Unknown);
}

fn stream_all(data: &str) -> Result<Vec<StreamDelta>, CascadeError> {
    let mut p = StreamParser::default();
    let mut out = p.feed(data.as_bytes())?;
    out.extend(p.finish()?);
    Ok(out)
}

#[test]
fn stream_error_event_and_malformed_json() {
    let e = stream_all("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}]}\n\ndata: {\"error\":{\"message\":\"boom\"}}\n\n")
        .err()
        .unwrap_or_else(|| panic!("accepted"));
    assert_eq!(e.code, ErrorCode::Stream);
    assert_eq!(e.failure_class(), crate::error::FailureClass::Server);
    assert!(e.message.contains("boom"));
    // Not JSON: skipped and counted, and the text after it still arrives.
    let mut p = StreamParser::default();
    let got = p.feed(b"data: {\"choices\":[\n\ndata: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"b\"}}]}\n\n");
    assert_eq!(got.unwrap_or_default(), vec![StreamDelta::Text("b".into())]);
    let skipped = crate::providers::StreamDecoder::skipped(&p);
    assert_eq!((skipped.count, skipped.covered), (1, true));
    // Azure's filter, reported in a stream event, is a content filter with its categories.
    let e = stream_all("data: {\"error\":{\"message\":\"The response was filtered due to the prompt triggering Azure OpenAI's content management policy.\",\"code\":\"content_filter\",\"innererror\":{\"code\":\"ResponsibleAIPolicyViolation\",\"content_filter_result\":{\"violence\":{\"filtered\":true,\"severity\":\"high\"}}}}}\n\n")
        .err()
        .unwrap_or_else(|| panic!("accepted"));
    assert_eq!((e.code, e.failure_class()), (ErrorCode::ContentFilter, crate::error::FailureClass::ContentFilter));
    assert!(e.message.contains("violence (high)"), "{}", e.message);
    // A filtered finish carries the categories as the stop detail.
    let got = stream_all("data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"content_filter\",\"content_filter_results\":{\"hate\":{\"filtered\":false,\"severity\":\"safe\"},\"sexual\":{\"filtered\":true,\"severity\":\"medium\"}}}]}\n\n")
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        got,
        vec![
            StreamDelta::StopDetail("filtered: sexual (medium)".into()),
            StreamDelta::Finish(FinishReason::ContentFilter)
        ]
    );
}

#[test]
fn stream_ignores_comments_role_chunks_and_unknown_fields() {
    let got = stream_all(
        ": OPENROUTER PROCESSING\n\ndata: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"x\":1}]}\n\n\
         data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"},\"finish_reason\":null}]}\n\n\
         data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(got, vec![StreamDelta::Text("Hi".into()), StreamDelta::Finish(FinishReason::Stop), StreamDelta::Done]);
}

#[test]
fn refusals_are_content_filtered() {
    let b = br#"{"choices":[{"index":0,"message":{"role":"assistant","content":null,"refusal":"I can't help with that."},"finish_reason":"stop"}]}"#;
    let c = parse_response(b).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(c.finish_reason, FinishReason::ContentFilter);
    assert_eq!(c.refusal.as_deref(), Some("I can't help with that."));
    assert_eq!(c.content, "");
    let got = stream_all(
        "data: {\"choices\":[{\"index\":0,\"delta\":{\"refusal\":\"No.\"}}]}\n\n\
         data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        got,
        vec![StreamDelta::Refusal("No.".into()), StreamDelta::Finish(FinishReason::ContentFilter), StreamDelta::Done]
    );
}
