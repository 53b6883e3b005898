//! The JSON contract with providers written in JS. The JS wrapper adapts a
//! user's `complete()` / `stream()` to it, so everything a custom provider
//! returns is validated and normalised here, in testable Rust.

use crate::config::ModelConfig;
use crate::error::{CascadeError, ErrorCode, FailureClass};
use crate::json_in::Json;
use crate::json_out::{JsonOut, ToJson};
use crate::providers::common::{raw_arguments, whole_count};
use crate::types::{ChatRequest, Completion, FinishReason, StreamDelta, TokenLogprob, ToolCall, TopLogprob, Usage};

/// The request a custom provider receives, camelCase like the rest of the JS API.
pub fn request_json(model: &ModelConfig, req: &ChatRequest, stream: bool) -> String {
    let mut o = JsonOut::with_capacity(256);
    o.begin_object();
    o.str_field("model", &model.name);
    o.str_field("provider", &model.provider);
    o.key("messages");
    o.each(&req.messages);
    o.bool_field("stream", stream);
    if let Some(m) = req.max_tokens.or(model.max_tokens) {
        o.u64_field("maxTokens", u64::from(m));
    }
    if let Some(t) = req.temperature.or(model.temperature) {
        o.f64_field("temperature", t);
    }
    if !req.tools.is_empty() {
        o.key("tools");
        o.each(&req.tools);
    }
    if let Some(tc) = &req.tool_choice {
        o.key("toolChoice");
        o.value(tc);
    }
    if let Some(rf) = &req.response_format {
        o.key("responseFormat");
        rf.write_json(&mut o);
    }
    o.key("parameters");
    o.value_object(&model.parameters);
    o.end_object();
    o.finish()
}

fn bad(model: &ModelConfig, what: String) -> CascadeError {
    CascadeError::new(ErrorCode::CustomProvider, format!("custom provider {:?}: {what}", model.provider))
        .with_class(FailureClass::Malformed)
}

fn finish_reason(v: Option<&Json>) -> FinishReason {
    match v.and_then(Json::as_str) {
        None | Some("stop") | Some("end_turn") => FinishReason::Stop,
        Some("length") | Some("max_tokens") => FinishReason::Length,
        Some("tool_calls") | Some("tool_use") => FinishReason::ToolCalls,
        Some("content_filter") => FinishReason::ContentFilter,
        Some(_) => FinishReason::Unknown,
    }
}

/// Counts follow the built-in codecs' rule (see `common::count_at`): a
/// count that is not a whole non-negative number fails the answer.
fn usage(model: &ModelConfig, v: Option<&Json>) -> Result<Option<Usage>, CascadeError> {
    let Some(u) = v.filter(|u| u.is_object()) else { return Ok(None) };
    let n = |k: &str| match u.get(k) {
        None | Some(Json::Null) => Ok(0),
        Some(c) => whole_count(c).ok_or_else(|| bad(model, format!("usage.{k} must be a whole non-negative number"))),
    };
    let out = Usage {
        input_tokens: n("inputTokens")?.max(n("promptTokens")?),
        output_tokens: n("outputTokens")?.max(n("completionTokens")?),
        ..Default::default()
    };
    Ok((out.input_tokens > 0 || out.output_tokens > 0).then_some(out))
}

fn tool_call(v: &Json, i: usize) -> Option<ToolCall> {
    let name = v.get("name").and_then(Json::as_str)?;
    let id = v.get("id").and_then(Json::as_str).map(str::to_string).unwrap_or_else(|| format!("call_{i}"));
    Some(ToolCall::new(id, name, raw_arguments(v.get("arguments"))))
}

/// `[{token, logprob, topLogprobs?: [{token, logprob}]}]`; one malformed
/// entry drops the list, as a half-read list would mislead the judge.
fn logprobs(v: &Json) -> Option<Vec<TokenLogprob>> {
    let pair = |e: &Json| Some((e.get("token")?.as_str()?.to_string(), e.get("logprob")?.as_f64()?));
    v.as_array()?
        .iter()
        .map(|e| {
            let (token, logprob) = pair(e)?;
            let top_logprobs = match e.get("topLogprobs") {
                None | Some(Json::Null) => Vec::new(),
                Some(t) => t
                    .as_array()?
                    .iter()
                    .map(|t| pair(t).map(|(token, logprob)| TopLogprob { token, logprob }))
                    .collect::<Option<_>>()?,
            };
            Some(TokenLogprob { token, logprob, top_logprobs })
        })
        .collect()
}

/// What `complete()` resolved to: a string, or `{content, toolCalls, usage, finishReason, thinking}`.
pub fn parse_completion(model: &ModelConfig, text: &str) -> Result<Completion, CascadeError> {
    let v = Json::parse_str(text)
        .map_err(|e| bad(model, format!("complete() returned something that is not JSON-serialisable ({e})")))?;
    if let Json::String(s) = v {
        return Ok(Completion { content: s.into_owned(), ..Default::default() });
    }
    if !v.is_object() {
        return Err(bad(model, "complete() must resolve to a string or an object with `content`".into()));
    }
    let content = match v.get("content") {
        Some(Json::String(s)) => s.to_string(),
        None | Some(Json::Null) => String::new(),
        Some(_) => return Err(bad(model, "`content` must be a string".into())),
    };
    let tool_calls: Vec<ToolCall> = v
        .get("toolCalls")
        .and_then(Json::as_array)
        .map(|a| a.iter().enumerate().filter_map(|(i, t)| tool_call(t, i)).collect())
        .unwrap_or_default();
    let finish = if v.get("finishReason").is_none() && !tool_calls.is_empty() {
        FinishReason::ToolCalls
    } else {
        finish_reason(v.get("finishReason"))
    };
    Ok(Completion {
        content,
        tool_calls,
        finish_reason: finish,
        usage: usage(model, v.get("usage"))?,
        logprobs: v.get("logprobs").and_then(logprobs),
        thinking: v.get("thinking").and_then(Json::as_str).map(str::to_string),
        refusal: v.get("refusal").and_then(Json::as_str).filter(|r| !r.is_empty()).map(str::to_string),
        raw_blocks: Vec::new(),
        model: v.get("model").and_then(Json::as_str).map(str::to_string),
        stop_detail: None,
        malformed_events: 0,
    })
}

/// One item of a custom stream, as the JS adapter normalised it:
/// `{type:'text', text}`, `{type:'toolCall', index, id, name, arguments}`,
/// `{type:'usage', usage}`, `{type:'finish', finishReason}`.
pub fn parse_delta(model: &ModelConfig, text: &str) -> Result<Vec<StreamDelta>, CascadeError> {
    let v = Json::parse_str(text).map_err(|e| bad(model, format!("stream item is not JSON ({e})")))?;
    let kind = v.get("type").and_then(Json::as_str).unwrap_or("");
    Ok(match kind {
        "text" => vec![StreamDelta::Text(v.get("text").and_then(Json::as_str).unwrap_or("").to_string())],
        "toolCall" => vec![StreamDelta::ToolCall {
            index: v.get("index").and_then(Json::as_u64).and_then(|i| usize::try_from(i).ok()).unwrap_or(0),
            id: v.get("id").and_then(Json::as_str).map(str::to_string),
            name: v.get("name").and_then(Json::as_str).map(str::to_string),
            arguments: raw_arguments(v.get("arguments")),
        }],
        "usage" => usage(model, v.get("usage"))?.map(StreamDelta::Usage).into_iter().collect(),
        "finish" => vec![StreamDelta::Finish(finish_reason(v.get("finishReason"))), StreamDelta::Done],
        other => return Err(bad(model, format!("unknown stream item type {other:?}"))),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json;
    use crate::value::Value;

    fn model() -> ModelConfig {
        ModelConfig::new("mock-small", "mock").unwrap()
    }

    #[test]
    fn string_and_object_results() {
        assert_eq!(parse_completion(&model(), "\"4\"").unwrap().content, "4");
        let c = parse_completion(
            &model(),
            r#"{"content":"","toolCalls":[{"name":"get_weather","arguments":{"city":"Paris"}}],"usage":{"inputTokens":9,"outputTokens":3}}"#,
        )
        .unwrap();
        assert_eq!(c.finish_reason, FinishReason::ToolCalls);
        assert_eq!(c.tool_calls[0].arguments, Some(json!({"city": "Paris"})));
        assert_eq!(c.usage.unwrap().output_tokens, 3);
    }

    #[test]
    fn logprobs_are_read_whole_or_not_at_all() {
        let read =
            |lp: &str| parse_completion(&model(), &format!(r#"{{"content":"4","logprobs":{lp}}}"#)).unwrap().logprobs;
        let got = read(
            r#"[{"token":"4","logprob":-0.01,"topLogprobs":[{"token":"5","logprob":-4.5}]},{"token":".","logprob":0}]"#,
        )
        .expect("a well-formed list");
        assert_eq!(got.len(), 2);
        assert_eq!((got[0].token.as_str(), got[0].logprob), ("4", -0.01));
        assert_eq!(got[0].top_logprobs, vec![TopLogprob { token: "5".into(), logprob: -4.5 }]);
        assert!(got[1].top_logprobs.is_empty());
        assert_eq!(read(r#"[{"token":"4","logprob":-0.01},{"token":"x"}]"#), None, "an entry without a number");
        assert_eq!(read(r#"[{"token":"4","logprob":-0.01,"topLogprobs":[{"logprob":-1}]}]"#), None);
        assert_eq!(read(r#""not a list""#), None);
        assert_eq!(parse_completion(&model(), r#"{"content":"4"}"#).unwrap().logprobs, None);
    }

    #[test]
    fn rejects_bad_shapes_with_the_provider_named() {
        let e = parse_completion(&model(), "{\"content\": 5}").unwrap_err();
        assert!(e.message.contains("mock") && e.message.contains("content"), "{}", e.message);
        assert!(parse_delta(&model(), "{\"type\":\"nope\"}").is_err());
    }

    #[test]
    fn request_carries_model_and_options() {
        let req = ChatRequest {
            messages: vec![crate::types::Message::user("hi")],
            max_tokens: Some(5),
            ..Default::default()
        };
        let v: Value = crate::value::from_str(&request_json(&model(), &req, true)).unwrap();
        assert_eq!(v["model"], "mock-small");
        assert_eq!(v["maxTokens"], 5);
        assert_eq!(v["messages"][0]["content"], "hi");
        assert_eq!(v["stream"], true);
    }

    #[test]
    fn request_shape_in_full() {
        let mut m = model();
        m.temperature = Some(0.5);
        m.parameters.insert("seed".into(), json!(7));
        let mut asst = crate::types::Message::new(crate::types::Role::Assistant, "");
        asst.tool_calls = vec![ToolCall::new("c1", "get_weather", "{\"city\":\"Paris\"}")];
        let mut tool = crate::types::Message::new(crate::types::Role::Tool, "sunny");
        tool.tool_call_id = Some("c1".into());
        let req = ChatRequest {
            messages: vec![crate::types::Message::user("weather?"), asst, tool],
            tools: vec![crate::types::ToolSpec {
                name: "get_weather".into(),
                description: "Weather".into(),
                parameters: json!({"type": "object"}),
            }],
            tool_choice: Some(json!("auto")),
            response_format: Some(crate::types::ResponseFormat::JsonSchema {
                name: None,
                schema: json!({"type": "object"}),
            }),
            ..Default::default()
        };
        let v: Value = crate::value::from_str(&request_json(&m, &req, false)).unwrap();
        assert_eq!(
            v,
            json!({
                "model": "mock-small", "provider": "mock", "stream": false, "temperature": 0.5,
                "messages": [
                    {"role": "user", "content": "weather?"},
                    {"role": "assistant", "content": "", "toolCalls": [
                        {"id": "c1", "name": "get_weather", "argumentsRaw": "{\"city\":\"Paris\"}", "arguments": {"city": "Paris"}}
                    ]},
                    {"role": "tool", "content": "sunny", "toolCallId": "c1"}
                ],
                "tools": [{"name": "get_weather", "description": "Weather", "parameters": {"type": "object"}}],
                "toolChoice": "auto",
                "responseFormat": {"type": "json_schema", "name": null, "schema": {"type": "object"}},
                "parameters": {"seed": 7}
            })
        );
        // What the wrapper's messages parser reads back is what was sent.
        let back: Vec<crate::types::Message> =
            v["messages"].as_array().unwrap().iter().map(|m| crate::types::Message::from_value(m).unwrap()).collect();
        assert_eq!(back, req.messages);
    }
}
