//! Requests as they leave for the wire, and recorded bodies parsed back,
//! through the public `providers` entry points.

use cascade_edge::config::{parse_model, ModelConfig};
use cascade_edge::error::ErrorCode;
use cascade_edge::http::HttpRequest;
use cascade_edge::json;
use cascade_edge::providers::{build_request, parse_response};
use cascade_edge::types::{ChatRequest, FinishReason, Message, ResponseFormat, Role, ToolCall, ToolSpec};
use cascade_edge::value::Value;

const KEY: &str = "sk-live-SECRET-0001";

fn model(cfg: Value) -> ModelConfig {
    parse_model(&cfg, "models[0]").unwrap_or_else(|e| panic!("{e}"))
}

fn body(r: &HttpRequest) -> Value {
    cascade_edge::value::from_str(r.body.as_deref().unwrap_or("")).unwrap_or(Value::Null)
}

fn weather_request() -> ChatRequest {
    let mut asst = Message::new(Role::Assistant, "");
    asst.tool_calls = vec![ToolCall::new("call_a", "get_weather", r#"{"city":"Paris"}"#)];
    let mut result = Message::new(Role::Tool, "18C, sunny");
    result.tool_call_id = Some("call_a".into());
    ChatRequest {
        messages: vec![Message::system("You are terse."), Message::user("Weather in Paris?"), asst, result],
        max_tokens: Some(256),
        temperature: Some(0.3),
        tools: vec![ToolSpec {
            name: "get_weather".into(),
            description: "Current weather".into(),
            parameters: json!({"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}),
        }],
        tool_choice: Some(json!({"type": "function", "function": {"name": "get_weather"}})),
        response_format: None,
        logprobs: true,
    }
}

#[test]
fn openai_compatible_urls_from_any_base() {
    let cases = [
        ("vllm", "http://localhost:8000/v1", "http://localhost:8000/v1/chat/completions"),
        ("litellm", "http://localhost:4000", "http://localhost:4000/v1/chat/completions"),
        ("groq", "https://api.groq.com/openai/v1/", "https://api.groq.com/openai/v1/chat/completions"),
        ("openai-compatible", "https://llm.test/v1/chat/completions", "https://llm.test/v1/chat/completions"),
    ];
    for (provider, base, want) in cases {
        let m = model(json!({"name": "x", "provider": provider, "baseUrl": base}));
        let r = build_request(&m, &ChatRequest::default(), false).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.url, want, "{provider} {base}");
        assert_eq!(r.method, "POST");
    }
    let m = model(json!({"name": "x", "provider": "groq"}));
    let r = build_request(&m, &ChatRequest::default(), false).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.url, "https://api.groq.com/openai/v1/chat/completions");
}

#[test]
fn openai_tool_loop_request() {
    let m = model(json!({"name": "gpt-4o-mini", "provider": "openai", "apiKey": KEY,
        "parameters": {"seed": 7, "presence_penalty": 0.1, "stop": ["\n\n"]}, "headers": {"OpenAI-Organization": "org-1"}}));
    let r = build_request(&m, &weather_request(), true).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.header("Authorization"), Some(format!("Bearer {KEY}").as_str()));
    assert_eq!(r.header("openai-organization"), Some("org-1"));
    let b = body(&r);
    assert_eq!(b["messages"].as_array().map(Vec::len), Some(4));
    assert_eq!(b["messages"][2]["tool_calls"][0]["id"], "call_a");
    assert_eq!(b["messages"][3]["tool_call_id"], "call_a");
    assert_eq!(b["tools"][0]["function"]["parameters"]["required"], json!(["city"]));
    assert_eq!(b["tool_choice"]["function"]["name"], "get_weather");
    assert_eq!((b["max_tokens"].as_u64(), b["temperature"].as_f64()), (Some(256), Some(0.3)));
    assert_eq!((b["logprobs"].as_bool(), b["top_logprobs"].as_u64()), (Some(true), Some(3)));
    assert_eq!((b["seed"].as_u64(), b["stop"].clone()), (Some(7), json!(["\n\n"])));
    assert_eq!(b["stream_options"]["include_usage"], true);
}

#[test]
fn openai_reasoning_models_follow_their_rules() {
    for name in ["o1", "o3-mini", "o4-mini", "gpt-5-mini", "openai/gpt-5"] {
        let m = model(json!({"name": name, "provider": "openrouter", "temperature": 0.5,
            "parameters": {"top_p": 0.9, "reasoning_effort": "low"}}));
        let b = body(&build_request(&m, &weather_request(), false).unwrap_or_else(|e| panic!("{e}")));
        assert_eq!(b["max_completion_tokens"], 256, "{name}");
        for k in ["max_tokens", "temperature", "top_p", "logprobs", "top_logprobs"] {
            assert!(b.get(k).is_none(), "{name}: {k} sent");
        }
        assert_eq!(b["reasoning_effort"], "low");
    }
}

#[test]
fn anthropic_request() {
    let m = model(json!({"name": "claude-sonnet-4-5", "provider": "anthropic", "apiKey": KEY,
        "baseUrl": "https://api.anthropic.com", "cacheControl": true,
        "parameters": {"top_k": 40, "stop": ["END"], "thinking": {"type": "enabled", "budget_tokens": 4000}}}));
    let r = build_request(&m, &weather_request(), true).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.url, "https://api.anthropic.com/v1/messages");
    assert_eq!(r.header("x-api-key"), Some(KEY));
    assert_eq!(r.header("anthropic-version"), Some("2023-06-01"));
    let b = body(&r);
    assert_eq!(
        b["system"],
        json!([{"type": "text", "text": "You are terse.", "cache_control": {"type": "ephemeral"}}])
    );
    let roles: Vec<&str> =
        b["messages"].as_array().map(|a| a.iter().filter_map(|m| m["role"].as_str()).collect()).unwrap_or_default();
    assert_eq!(roles, ["user", "assistant", "user"]);
    assert_eq!(b["messages"][1]["content"][0]["input"], json!({"city": "Paris"}));
    assert_eq!(b["messages"][2]["content"][0]["type"], "tool_result");
    assert_eq!(b["tools"][0]["input_schema"]["required"], json!(["city"]));
    assert_eq!(b["tool_choice"], json!({"type": "tool", "name": "get_weather"}));
    // Thinking: no temperature, and max_tokens (256) raised above the budget.
    assert!(b.get("temperature").is_none());
    assert_eq!(b["max_tokens"], 4256);
    assert_eq!((b["top_k"].as_u64(), b["stop_sequences"].clone()), (Some(40), json!(["END"])));
    assert_eq!(b["stream"], true);
}

#[test]
fn anthropic_json_mode_and_small_budget() {
    let m = model(json!({"name": "claude-haiku-4-5", "provider": "anthropic"}));
    let mut req = ChatRequest { messages: vec![Message::user("List two colours")], ..Default::default() };
    req.response_format =
        Some(ResponseFormat::JsonSchema { name: Some("colours".into()), schema: json!({"type": "array"}) });
    let b = body(&build_request(&m, &req, false).unwrap_or_else(|e| panic!("{e}")));
    assert!(b["system"].as_str().unwrap_or("").contains(r#"JSON Schema: {"type":"array"}"#), "{b}");
    assert_eq!(b["max_tokens"], 1024);

    let m = model(json!({"name": "claude-sonnet-4-5", "provider": "anthropic",
        "parameters": {"thinking": {"type": "enabled", "budget_tokens": 100}}}));
    let e = build_request(&m, &req, false).err().unwrap_or_else(|| panic!("accepted"));
    assert_eq!(e.code, ErrorCode::Config);
    assert!(e.message.contains("parameters.thinking.budget_tokens") && e.message.contains("1024"), "{}", e.message);
    assert_eq!(e.model.as_deref(), Some("claude-sonnet-4-5"));
}

#[test]
fn ollama_request() {
    let m = model(json!({"name": "llama3.2", "provider": "ollama", "baseUrl": "http://127.0.0.1:11434/v1",
        "parameters": {"top_k": 20, "seed": 1}}));
    let mut req = weather_request();
    req.response_format = Some(ResponseFormat::JsonObject);
    let r = build_request(&m, &req, false).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.url, "http://127.0.0.1:11434/api/chat");
    assert!(r.header("authorization").is_none());
    let b = body(&r);
    assert_eq!(b["stream"], false);
    assert_eq!(b["format"], "json");
    assert_eq!(b["options"], json!({"num_predict": 256, "temperature": 0.3, "top_k": 20, "seed": 1}));
    assert_eq!(b["messages"][2]["tool_calls"][0]["function"]["arguments"], json!({"city": "Paris"}));
    assert_eq!(b["tools"][0]["type"], "function");
}

#[test]
fn openai_recorded_bodies() {
    let m = model(json!({"name": "gpt-4o-mini", "provider": "openai"}));
    let c = parse_response(&m, include_bytes!("fixtures/codecs/openai_chat_logprobs.json"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(c.content, "Paris is the capital.");
    assert_eq!(c.finish_reason, FinishReason::Stop);
    assert_eq!(c.model.as_deref(), Some("gpt-4o-mini-2024-07-18"));
    let u = c.usage.unwrap_or_default();
    assert_eq!((u.input_tokens, u.cache_read_tokens, u.output_tokens), (138, 1152, 5));
    let lp = c.logprobs.unwrap_or_default();
    assert_eq!(lp.len(), 5);
    assert_eq!(lp.first().map(|t| t.top_logprobs.len()), Some(3));
    assert_eq!(lp.get(1).and_then(|t| t.top_logprobs.get(1)).map(|t| t.token.as_str()), Some("."));
    assert_eq!(lp.last().map(|t| t.top_logprobs.len()), Some(0));

    let c = parse_response(&m, include_bytes!("fixtures/codecs/openai_chat_reasoning.json"))
        .unwrap_or_else(|e| panic!("{e}"));
    let u = c.usage.unwrap_or_default();
    assert_eq!((u.output_tokens, u.reasoning_tokens), (530, 512));
    assert_eq!(c.logprobs, None);

    let c = parse_response(&m, include_bytes!("fixtures/codecs/aimock_openai_chat_tools.json"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(c.content, "");
    assert_eq!(c.finish_reason, FinishReason::ToolCalls);
    let names: Vec<&str> = c.tool_calls.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["get_weather", "get_time"]);
    assert_eq!(
        c.tool_calls.first().and_then(|t| t.arguments.clone()),
        Some(json!({"city": "Paris", "unit": "celsius"}))
    );
}

#[test]
fn anthropic_recorded_bodies() {
    let m = model(json!({"name": "claude-sonnet-4-5", "provider": "anthropic"}));
    let c =
        parse_response(&m, include_bytes!("fixtures/codecs/anthropic_message.json")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(c.content, "I'll check the current weather in Paris.");
    assert_eq!(c.thinking.as_deref(), Some("Paris weather needs the tool."));
    assert_eq!(c.finish_reason, FinishReason::ToolCalls);
    assert_eq!(c.tool_calls.first().map(|t| t.id.as_str()), Some("toolu_01A09q90qw90lq917835lq9"));
    assert_eq!(
        c.tool_calls.first().and_then(|t| t.arguments.clone()),
        Some(json!({"location": "Paris, FR", "unit": "celsius"}))
    );
    let u = c.usage.unwrap_or_default();
    assert_eq!((u.input_tokens, u.output_tokens, u.cache_write_tokens, u.cache_read_tokens), (384, 96, 1536, 0));

    let c = parse_response(&m, include_bytes!("fixtures/codecs/aimock_anthropic_message_tools.json"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(c.tool_calls.len(), 2);
}

#[test]
fn ollama_recorded_body() {
    let m = model(json!({"name": "llama3.2", "provider": "ollama"}));
    let c = parse_response(&m, include_bytes!("fixtures/codecs/ollama_chat.json")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(c.content, "The sky is blue because of Rayleigh scattering.");
    assert_eq!(c.finish_reason, FinishReason::Stop);
    assert_eq!(c.usage.map(|u| (u.input_tokens, u.output_tokens)), Some((26, 11)));
}

#[test]
fn error_bodies_with_200_never_echo_the_key() {
    let cases = [
        (
            "openai",
            r#"{"error":{"message":"Incorrect API key provided: sk-live-SECRET-0001.","type":"invalid_request_error"}}"#,
        ),
        (
            "anthropic",
            r#"{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key sk-live-SECRET-0001"}}"#,
        ),
        ("ollama", r#"{"error":"unauthorized: sk-live-SECRET-0001"}"#),
        ("openai", "upstream proxy: Authorization: Bearer sk-live-SECRET-0001 rejected"),
        // Not our key, but a key all the same: a gateway echoing its own.
        (
            "groq",
            r#"{"error":{"message":"Invalid API Key gsk_OTHERKEY1234567890abcd","type":"invalid_request_error"}}"#,
        ),
    ];
    for (provider, text) in cases {
        let m = model(json!({"name": "m", "provider": provider, "apiKey": KEY}));
        let e = parse_response(&m, text.as_bytes()).err().unwrap_or_else(|| panic!("{provider}: accepted"));
        assert_eq!(e.code, ErrorCode::BadResponse, "{provider}");
        assert!(!e.message.contains(KEY) && !e.message.contains("OTHERKEY"), "{provider}: {}", e.message);
        assert!(!format!("{e:?}").contains(KEY), "{provider}: debug output leaks");
        assert_eq!(e.provider.as_deref(), Some(provider));
    }
}

#[test]
fn missing_choices_is_a_clear_bad_response() {
    let m = model(json!({"name": "m", "provider": "together"}));
    let e = parse_response(&m, br#"{"id":"x","object":"chat.completion","choices":[]}"#)
        .err()
        .unwrap_or_else(|| panic!("accepted"));
    assert_eq!(e.code, ErrorCode::BadResponse);
    assert!(e.message.contains("choices"), "{}", e.message);
}
