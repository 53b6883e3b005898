//! The inbound codecs against recorded client bodies, and against their
//! mirror image: what `serve` writes must read back through the provider
//! codecs (the same bytes a real provider would send), and what the
//! provider codecs write must read back through `serve` as the same turns.

use super::*;
use crate::config::ModelConfig;
use crate::json_in::Json;
use crate::providers;
use crate::types::{ChatRequest, Completion, FinishReason, Message, Role, StreamDelta, ToolCall};

fn model(name: &str, provider: &str) -> ModelConfig {
    let mut m = ModelConfig::new(name, provider).unwrap_or_else(|e| panic!("{e}"));
    m.api_key = Some("test-key-1".into());
    m
}

fn ok<T>(r: Result<T, BadRequest>) -> T {
    r.unwrap_or_else(|e| panic!("{}", e.0))
}

/// As the official TypeScript SDK and Claude Code send it: system blocks
/// with cache_control, a tool, a tool loop turn, a thinking block, and
/// fields this codec does not know.
const ANTHROPIC_REQUEST: &str = r#"{
  "model": "claude-sonnet-4-5-20250929",
  "max_tokens": 1024,
  "temperature": 0.2,
  "stream": true,
  "metadata": {"user_id": "u-1"},
  "system": [
    {"type": "text", "text": "You are terse.", "cache_control": {"type": "ephemeral"}},
    {"type": "text", "text": "Answer in English."}
  ],
  "tools": [
    {"name": "get_weather", "description": "Weather now", "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}},
    {"type": "web_search_20250305", "name": "web_search", "max_uses": 2}
  ],
  "tool_choice": {"type": "tool", "name": "get_weather"},
  "messages": [
    {"role": "user", "content": "Weather in Paris?"},
    {"role": "assistant", "content": [
      {"type": "thinking", "thinking": "use the tool", "signature": "sig-abc"},
      {"type": "text", "text": "Checking."},
      {"type": "tool_use", "id": "toolu_01", "name": "get_weather", "input": {"city": "Paris"}}
    ]},
    {"role": "user", "content": [
      {"type": "tool_result", "tool_use_id": "toolu_01", "content": [{"type": "text", "text": "18C, sunny"}]},
      {"type": "text", "text": "And tomorrow?", "cache_control": {"type": "ephemeral"}}
    ]}
  ]
}"#;

#[test]
fn anthropic_request_reads_into_neutral_turns() {
    let r = ok(anthropic::read_request(ANTHROPIC_REQUEST));
    assert_eq!(r.model, "claude-sonnet-4-5-20250929");
    assert!(r.stream);
    assert_eq!(r.max_tokens, Some(1024));
    assert_eq!(r.temperature, Some(0.2));
    let roles: Vec<Role> = r.messages.iter().map(|m| m.role).collect();
    assert_eq!(roles, [Role::System, Role::User, Role::Assistant, Role::Tool, Role::User]);
    assert_eq!(r.messages[0].content, "You are terse.\n\nAnswer in English.");
    assert_eq!(r.messages[2].content, "Checking.", "the thinking block is left out");
    assert_eq!(r.messages[2].tool_calls, [ToolCall::new("toolu_01", "get_weather", r#"{"city":"Paris"}"#)]);
    assert_eq!(r.messages[3].tool_call_id.as_deref(), Some("toolu_01"));
    assert_eq!(r.messages[3].content, "18C, sunny");
    assert_eq!(r.messages[4].content, "And tomorrow?");
    assert_eq!(r.tools.len(), 1, "the server tool has no schema to offer another model");
    assert_eq!(r.tools[0].schema, r#"{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}"#);
    assert_eq!(r.tool_choice.as_deref(), Some(r#"{"type":"function","function":{"name":"get_weather"}}"#));
}

#[test]
fn the_run_input_is_what_the_engine_options_parser_takes() {
    let r = ok(anthropic::read_request(ANTHROPIC_REQUEST));
    let opts = crate::value::from_str(&r.options_json()).unwrap_or_else(|e| panic!("{e}"));
    let parsed = crate::config::parse_call_options(&opts, "options").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(parsed.max_tokens, Some(1024));
    assert_eq!(parsed.tools.len(), 1);
    assert_eq!(parsed.tools[0].name, "get_weather");
    let msgs: Vec<Message> = match crate::value::from_str(&r.messages_json()) {
        Ok(crate::value::Value::Array(items)) => items.iter().map(|m| Message::from_value(m).unwrap()).collect(),
        other => panic!("not a list of messages: {other:?}"),
    };
    assert_eq!(msgs, r.messages);
    let all = Json::parse_str(&r.to_run_json()).map(|v| v.field("model").as_str().map(str::to_string));
    assert_eq!(all, Ok(Some("claude-sonnet-4-5-20250929".into())));
}

const OPENAI_REQUEST: &str = r#"{
  "model": "gpt-4o",
  "messages": [
    {"role": "developer", "content": "Be brief."},
    {"role": "user", "content": [{"type": "text", "text": "Weather in Paris?"}]},
    {"role": "assistant", "content": null, "tool_calls": [
      {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\":\"Paris\"}"}}
    ]},
    {"role": "tool", "tool_call_id": "call_1", "content": "18C"},
    {"role": "user", "content": "Summarise as JSON."}
  ],
  "max_completion_tokens": 300,
  "stream": true,
  "stream_options": {"include_usage": true},
  "tools": [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}],
  "tool_choice": "auto",
  "response_format": {"type": "json_schema", "json_schema": {"name": "w", "schema": {"type": "object"}}},
  "seed": 7,
  "user": "u-1"
}"#;

#[test]
fn openai_request_reads_into_neutral_turns() {
    let r = ok(openai::read_request(OPENAI_REQUEST));
    assert_eq!(r.model, "gpt-4o");
    assert!(r.stream && r.include_usage);
    assert_eq!(r.max_tokens, Some(300));
    let roles: Vec<Role> = r.messages.iter().map(|m| m.role).collect();
    assert_eq!(roles, [Role::System, Role::User, Role::Assistant, Role::Tool, Role::User]);
    assert_eq!(r.messages[1], Message::user("Weather in Paris?"));
    assert_eq!(r.messages[2].tool_calls[0].arguments_raw, r#"{"city":"Paris"}"#);
    assert_eq!(r.messages[3].tool_call_id.as_deref(), Some("call_1"));
    assert_eq!(r.tool_choice.as_deref(), Some("\"auto\""));
    assert_eq!(r.response_format.as_deref(), Some(r#"{"type":"json_schema","name":"w","schema":{"type":"object"}}"#));
    let opts = crate::value::from_str(&r.options_json()).unwrap_or_else(|e| panic!("{e}"));
    let parsed = crate::config::parse_call_options(&opts, "options").unwrap_or_else(|e| panic!("{e}"));
    assert!(parsed.response_format.is_some());
}

/// Claude Code's first turn: a reminder block, then the question. The
/// judge must see the question, and the model both blocks.
#[test]
fn a_users_blocks_are_separate_turns_so_the_question_is_the_last() {
    let body = r#"{"model":"claude-sonnet-4-5","max_tokens":64,"messages":[{"role":"user","content":[
      {"type":"text","text":"<system-reminder>Platform: linux. Use tools to read files.</system-reminder>"},
      {"type":"text","text":"What is 2+2?","cache_control":{"type":"ephemeral"}}]}]}"#;
    let r = ok(anthropic::read_request(body));
    let req = ChatRequest { messages: r.messages.clone(), ..Default::default() };
    assert_eq!(req.query_text(), "What is 2+2?");
    let body = r#"{"model":"gpt-4o","messages":[{"role":"user","content":[{"type":"text","text":"ctx"},{"type":"text","text":"Q?"}]}]}"#;
    let o = ok(openai::read_request(body));
    assert_eq!(o.messages, [Message::user("ctx"), Message::user("Q?")]);
    // Sent on, the two blocks are one user turn again, in order.
    let http = providers::build_request(&model("claude-haiku-4-5", "anthropic"), &req, false)
        .unwrap_or_else(|e| panic!("{e}"));
    let sent = http.body.unwrap_or_default();
    let v = Json::parse_str(&sent).unwrap();
    let turns = v.field("messages").as_array().unwrap();
    assert_eq!(turns.len(), 1);
    assert!(json_text(turns[0].field("content")).contains("system-reminder"));
}

#[test]
fn what_neither_neutral_request_can_carry_is_refused_not_dropped() {
    let img = r#"{"model":"m","max_tokens":5,"messages":[{"role":"user","content":[{"type":"image","source":{"type":"base64","media_type":"image/png","data":"AA=="}}]}]}"#;
    assert!(anthropic::read_request(img).unwrap_err().0.contains("image"));
    let img =
        r#"{"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:,"}}]}]}"#;
    assert!(openai::read_request(img).unwrap_err().0.contains("text parts"));
    assert!(openai::read_request(r#"{"model":"m","n":2,"messages":[]}"#).unwrap_err().0.starts_with("n:"));
    for bad in
        ["", "[]", "{", r#"{"messages":[]}"#, r#"{"model":"m"}"#, r#"{"model":"m","messages":[],"max_tokens":-1}"#]
    {
        assert!(anthropic::read_request(bad).is_err(), "{bad}");
        assert!(openai::read_request(bad).is_err(), "{bad}");
    }
}

/// The mirror: a neutral conversation written by a provider codec reads
/// back through `serve` as the same turns.
#[test]
fn provider_codecs_requests_read_back_as_the_same_turns() {
    let mut assistant = Message::new(Role::Assistant, "Checking.");
    assistant.tool_calls = vec![ToolCall::new("call_9", "lookup", r#"{"q":"x"}"#)];
    let mut tool = Message::new(Role::Tool, "found");
    tool.tool_call_id = Some("call_9".into());
    let messages = vec![Message::system("Sys."), Message::user("find x"), assistant, tool, Message::user("thanks")];
    let req = ChatRequest { messages: messages.clone(), max_tokens: Some(50), ..Default::default() };
    for (m, read) in [
        (model("claude-haiku-4-5", "anthropic"), anthropic::read_request as fn(&str) -> Result<Inbound, BadRequest>),
        (model("gpt-4o-mini", "openai"), openai::read_request),
    ] {
        let http = providers::build_request(&m, &req, false).unwrap_or_else(|e| panic!("{e}"));
        let body = http.body.clone().unwrap();
        let back = ok(read(&body));
        assert_eq!(back.messages, messages, "{}", m.provider);
        assert_eq!(back.max_tokens, Some(50));
    }
}

fn outcome() -> Outcome {
    Outcome {
        content: "Sunny, \"18C\".".into(),
        model: "claude-haiku-4-5".into(),
        finish_reason: FinishReason::ToolCalls,
        tool_calls: vec![ToolCall::new("toolu_7", "get_weather", r#"{"city":"Lyon"}"#)],
        refusal: None,
        input_tokens: 12,
        output_tokens: 34,
    }
}

fn as_completion(c: &Completion) -> (String, Vec<ToolCall>, FinishReason, u64, u64, Option<String>) {
    let u = c.usage.unwrap_or_default();
    (c.content.clone(), c.tool_calls.clone(), c.finish_reason, u.input_tokens, u.output_tokens, c.model.clone())
}

fn expected(r: &Outcome) -> (String, Vec<ToolCall>, FinishReason, u64, u64, Option<String>) {
    (r.content.clone(), r.tool_calls.clone(), r.finish_reason, r.input_tokens, r.output_tokens, Some(r.model.clone()))
}

#[test]
fn written_bodies_read_back_through_the_provider_codecs() {
    let r = outcome();
    let a = anthropic::write_response(&r, "msg_1");
    let c = providers::parse_response(&model("x", "anthropic"), a.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(as_completion(&c), expected(&r));
    let o = openai::write_response(&r, "chatcmpl-1", 1_700_000_000);
    let c = providers::parse_response(&model("x", "openai"), o.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(as_completion(&c), expected(&r));
    let v = Json::parse_str(&o).unwrap();
    assert_eq!(v.pointer("/usage/total_tokens").and_then(Json::as_u64), Some(46));
}

/// Decode a written stream with the provider's decoder, fed in pieces of
/// every size from 1 byte up, and fold the deltas into a completion.
fn decode_stream(provider: &str, sse: &str) -> Vec<(String, Vec<ToolCall>, FinishReason, u64, u64, bool)> {
    let mut outs = Vec::new();
    for step in [1usize, 3, 7, 64, usize::MAX] {
        let mut d = providers::stream_decoder(&model("x", provider)).unwrap_or_else(|e| panic!("{e}"));
        let mut deltas = Vec::new();
        for piece in sse.as_bytes().chunks(step.min(sse.len().max(1))) {
            deltas.extend(d.feed(piece).unwrap_or_else(|e| panic!("{e}")));
        }
        deltas.extend(d.finish().unwrap_or_else(|e| panic!("{e}")));
        let (mut text, mut calls, mut finish, mut usage, mut done) =
            (String::new(), Vec::<(String, String, String)>::new(), FinishReason::Unknown, (0, 0), false);
        for delta in deltas {
            match delta {
                StreamDelta::Text(t) => text.push_str(&t),
                StreamDelta::ToolCall { index, id, name, arguments } => {
                    if calls.len() <= index {
                        calls.resize(index + 1, Default::default());
                    }
                    let c = &mut calls[index];
                    c.0.push_str(id.as_deref().unwrap_or(""));
                    c.1.push_str(name.as_deref().unwrap_or(""));
                    c.2.push_str(&arguments);
                }
                StreamDelta::Finish(f) => finish = f,
                StreamDelta::Usage(u) => {
                    if u.input_tokens > 0 {
                        usage.0 = u.input_tokens;
                    }
                    if u.output_tokens > 0 {
                        usage.1 = u.output_tokens;
                    }
                }
                StreamDelta::Done => done = true,
                _ => {}
            }
        }
        let calls = calls.into_iter().map(|(id, name, args)| ToolCall::new(id, name, args)).collect();
        outs.push((text, calls, finish, usage.0, usage.1, done));
    }
    outs
}

#[test]
fn written_streams_read_back_through_the_provider_decoders() {
    let r = outcome();
    let want = (r.content.clone(), r.tool_calls.clone(), r.finish_reason, 12, 34, true);
    let mut w = anthropic::StreamWriter::new("msg_2");
    let sse = [w.text("Sunny, ", &r.model), w.text("\"18C\".", &r.model), w.finish(&r)].concat();
    assert!(sse.starts_with("event: message_start\ndata: {"));
    assert!(sse.ends_with("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"));
    for got in decode_stream("anthropic", &sse) {
        assert_eq!(got, want);
    }
    let mut w = openai::StreamWriter::new("chatcmpl-2", 1_700_000_000, true);
    let sse = [w.text("Sunny, ", &r.model), w.text("\"18C\".", &r.model), w.finish(&r)].concat();
    assert!(sse.ends_with("data: [DONE]\n\n"));
    assert!(sse.contains(r#""choices":[],"usage":{"prompt_tokens":12,"completion_tokens":34,"total_tokens":46}"#));
    for got in decode_stream("openai", &sse) {
        assert_eq!(got, want);
    }
}

#[test]
fn a_stream_with_no_text_still_opens_names_the_model_and_ends() {
    let r = Outcome { content: String::new(), tool_calls: Vec::new(), finish_reason: FinishReason::Stop, ..outcome() };
    let mut w = anthropic::StreamWriter::new("msg_3");
    let sse = w.finish(&r);
    assert!(sse.contains(r#""model":"claude-haiku-4-5""#));
    assert_eq!(sse.matches("event: message_stop").count(), 1);
    let mut w = openai::StreamWriter::new("c", 1, false);
    let sse = w.finish(&r);
    assert!(!sse.contains("usage"), "no usage chunk unless asked for");
    assert_eq!(decode_stream("openai", &sse)[0].2, FinishReason::Stop);
}

#[test]
fn result_json_reads_into_an_outcome() {
    let json = r#"{"content":"Paris","modelUsed":"gpt-4o-mini","finishReason":"tool_calls","usage":{"inputTokens":5,"outputTokens":2,"estimated":false},
      "toolCalls":[{"id":"c1","name":"f","argumentsRaw":"{\"a\":1}","arguments":{"a":1}}],"refusal":"no","draftAccepted":true}"#;
    let o = Outcome::from_result_json(json).unwrap_or_else(|e| panic!("{}", e.0));
    assert_eq!(o.model, "gpt-4o-mini");
    assert_eq!(o.finish_reason, FinishReason::ToolCalls);
    assert_eq!((o.input_tokens, o.output_tokens), (5, 2));
    assert_eq!(o.tool_calls, [ToolCall::new("c1", "f", r#"{"a":1}"#)]);
    assert_eq!(o.refusal.as_deref(), Some("no"));
    assert!(Outcome::from_result_json("[]").is_err());
    // Escalated: the answer's own tokens, not the rejected draft's added in.
    let json = r#"{"content":"x","modelUsed":"big","usage":{"inputTokens":30,"outputTokens":50},"attempts":[
      {"model":"small","outcome":"rejected","usage":{"inputTokens":15,"outputTokens":10}},
      {"model":"big","outcome":"accepted","usage":{"inputTokens":15,"outputTokens":40}}]}"#;
    let o = Outcome::from_result_json(json).unwrap_or_else(|e| panic!("{}", e.0));
    assert_eq!((o.input_tokens, o.output_tokens), (15, 40));
}

#[test]
fn errors_take_each_wires_envelope_and_one_status_table() {
    let k = status_of("E_PROXY_AUTH", None);
    assert_eq!(k.status, 401);
    let a = anthropic::error_body(k.anthropic, "bad key");
    assert_eq!(a, r#"{"type":"error","error":{"type":"authentication_error","message":"bad key"}}"#);
    let o = openai::error_body(k.openai, "invalid_api_key", "bad key");
    assert_eq!(
        o,
        r#"{"error":{"message":"bad key","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}"#
    );
    assert_eq!(status_of("E_TOO_LARGE", None).status, 413);
    assert_eq!(status_of("E_AUTH", Some(401)).status, 502, "the proxy's upstream key is not the caller's");
    assert_eq!(status_of("E_PROVIDER_STATUS", Some(404)).status, 404);
    assert_eq!(status_of("E_RATE_LIMITED", Some(429)).anthropic, "rate_limit_error");
    // Anthropic's SDK maps an error event mid-stream to an APIError.
    let e = anthropic::StreamWriter::new("m").error("api_error", "cut");
    assert!(e.starts_with("event: error\ndata: {\"type\":\"error\""));
}

/// Every prefix of the recorded bodies, and a few thousand deterministic
/// mutations of them, go through both readers and the result reader
/// without a panic (a panic would trap the wasm instance serving every
/// request of the isolate); whatever is read is written back out whole.
#[test]
fn truncated_and_mutated_bodies_never_panic() {
    const RESULT: &str = r#"{"content":"Paris","modelUsed":"m","finishReason":"stop","usage":{"inputTokens":5,"outputTokens":2},"toolCalls":[{"id":"c","name":"f","argumentsRaw":"{}"}],"attempts":[{"model":"m","outcome":"accepted","usage":{"inputTokens":5,"outputTokens":2}}]}"#;
    let exercise = |body: &str| {
        for read in [anthropic::read_request, openai::read_request] {
            if let Ok(r) = read(body) {
                let _ = (r.to_run_json(), r.options_json());
            }
        }
        if let Ok(o) = Outcome::from_result_json(body) {
            let _ = (anthropic::write_response(&o, "id"), openai::write_response(&o, "id", 0));
            let _ = anthropic::StreamWriter::new("id").finish(&o);
            let _ = openai::StreamWriter::new("id", 0, true).finish(&o);
        }
    };
    const SWAPS: &[char] = &['{', '}', '[', ']', '"', ',', ':', '0', '-', 'a', '\\', ' ', 'é'];
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = |n: usize| {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (seed >> 33) as usize % n
    };
    for body in [ANTHROPIC_REQUEST, OPENAI_REQUEST, RESULT] {
        for (i, _) in body.char_indices() {
            exercise(&body[..i]);
        }
        let chars: Vec<char> = body.chars().collect();
        for _ in 0..1500 {
            let mut m = chars.clone();
            for _ in 0..=next(3) {
                let at = next(m.len());
                m[at] = SWAPS[next(SWAPS.len())];
            }
            exercise(&m.into_iter().collect::<String>());
        }
    }
}
