//! Ollama's native chat API (`/api/chat`), streamed as NDJSON.
//!
//! Native rather than Ollama's OpenAI door because only the native API
//! takes `options` (num_ctx, top_k, ...) and returns thinking apart.

mod stream;
#[cfg(test)]
mod tests;

pub use stream::StreamParser;

use serde_json::{json, Map, Value};

use super::common::{arguments_object, body_text, base_headers, envelope_error, raw_arguments, read_json, str_at, u64_at};
use super::url::ollama_chat_url;
use super::Auth;
use crate::config::ModelConfig;
use crate::error::CascadeError;
use crate::http::HttpRequest;
use crate::json_in::Json;
use crate::types::{ChatRequest, Completion, FinishReason, Message, ResponseFormat, Role, ToolCall, Usage};

/// Parameters that are request fields rather than sampling `options`.
const TOP_LEVEL_KEYS: &[&str] = &["keep_alive", "think", "format", "tools"];
const ENGINE_KEYS: &[&str] = &["model", "messages", "stream", "options"];

pub fn build_request(model: &ModelConfig, req: &ChatRequest, stream: bool) -> Result<HttpRequest, CascadeError> {
    let mut body = Map::new();
    body.insert("model".into(), json!(model.name));
    body.insert("messages".into(), Value::Array(messages(&req.messages)));
    // Ollama streams unless told not to.
    body.insert("stream".into(), json!(stream));

    let mut options = Map::new();
    if let Some(max) = req.max_tokens.or(model.max_tokens) {
        options.insert("num_predict".into(), json!(max));
    }
    if let Some(t) = req.temperature.or(model.temperature) {
        options.insert("temperature".into(), json!(t));
    }
    if !req.tools.is_empty() {
        body.insert("tools".into(), super::openai::function_tools(&req.tools));
    }
    match &req.response_format {
        Some(ResponseFormat::JsonObject) => {
            body.insert("format".into(), json!("json"));
        }
        Some(ResponseFormat::JsonSchema { schema, .. }) => {
            body.insert("format".into(), schema.clone());
        }
        Some(ResponseFormat::Text) | None => {}
    }
    for (k, v) in &model.parameters {
        match (k.as_str(), v) {
            // A nested `options` object, as in a native Ollama config.
            ("options", Value::Object(o)) => options.extend(o.iter().map(|(k, v)| (k.clone(), v.clone()))),
            (key, _) if ENGINE_KEYS.contains(&key) => {}
            (key, _) if TOP_LEVEL_KEYS.contains(&key) => {
                body.insert(k.clone(), v.clone());
            }
            _ => {
                options.insert(k.clone(), v.clone());
            }
        }
    }
    if !options.is_empty() {
        body.insert("options".into(), Value::Object(options));
    }
    let headers = base_headers(model, Auth::Bearer);
    Ok(HttpRequest::post_json(ollama_chat_url(&model.base_url), headers, body_text(&body)))
}

fn messages(msgs: &[Message]) -> Vec<Value> {
    msgs.iter()
        .map(|m| {
            let mut out = Map::new();
            out.insert("role".into(), json!(m.role.as_str()));
            out.insert("content".into(), json!(m.content));
            if m.role == Role::Assistant && !m.tool_calls.is_empty() {
                let calls: Vec<Value> = m
                    .tool_calls
                    .iter()
                    .map(|c| json!({"function": {"name": c.name, "arguments": arguments_object(c)}}))
                    .collect();
                out.insert("tool_calls".into(), Value::Array(calls));
            }
            if m.role == Role::Tool {
                // Ollama matches results by tool name; recover it from the call.
                let name = m.tool_call_id.as_deref().and_then(|id| {
                    msgs.iter().flat_map(|p| p.tool_calls.iter()).find(|c| c.id == id).map(|c| c.name.as_str())
                });
                if let Some(name) = name {
                    out.insert("tool_name".into(), json!(name));
                }
            }
            Value::Object(out)
        })
        .collect()
}

pub fn parse_response(body: &[u8]) -> Result<Completion, CascadeError> {
    let v = read_json(body, "ollama")?;
    if let Some(msg) = envelope_error(&v) {
        return Err(CascadeError::bad_response(format!("ollama: response is an error: {msg}")));
    }
    let message = v.get("message").filter(|m| m.is_object()).ok_or_else(|| {
        CascadeError::bad_response("ollama: response has no message object (expected an /api/chat answer)")
    })?;
    let tool_calls: Vec<ToolCall> = message
        .get("tool_calls")
        .and_then(Json::as_array)
        .map(|calls| calls.iter().enumerate().map(|(i, c)| tool_call(c, i)).collect())
        .unwrap_or_default();
    let finish_reason = map_done(v.get("done_reason"), !tool_calls.is_empty());
    Ok(Completion {
        content: str_at(message, "/content").unwrap_or("").to_string(),
        finish_reason,
        tool_calls,
        usage: usage(&v),
        logprobs: None,
        thinking: str_at(message, "/thinking").filter(|t| !t.is_empty()).map(str::to_string),
        model: str_at(&v, "/model").map(str::to_string),
    })
}

/// Ollama gives arguments as an object and usually no id; ids are made up
/// as `call_N` (N counting calls in this answer) so tool results can refer back.
pub(crate) fn tool_call(c: &Json, n: usize) -> ToolCall {
    let id = str_at(c, "/id").filter(|s| !s.is_empty()).map(str::to_string).unwrap_or_else(|| format!("call_{n}"));
    let name = str_at(c, "/function/name").unwrap_or("");
    ToolCall::new(id, name, raw_arguments(c.pointer("/function/arguments")))
}

/// Ollama says `stop` even when it stopped to call tools; the engine needs
/// to know it was tool calls.
pub(crate) fn map_done(v: Option<&Json>, has_tool_calls: bool) -> FinishReason {
    match v.and_then(Json::as_str) {
        Some("length") => FinishReason::Length,
        Some("stop") | None if has_tool_calls => FinishReason::ToolCalls,
        Some("stop") => FinishReason::Stop,
        _ => FinishReason::Unknown,
    }
}

/// `None` when Ollama reported nothing, so the engine estimates instead of
/// recording a free call.
pub(crate) fn usage(v: &Json) -> Option<Usage> {
    let input = u64_at(v, "/prompt_eval_count");
    let output = u64_at(v, "/eval_count");
    if input == 0 && output == 0 {
        return None;
    }
    Some(Usage { input_tokens: input, output_tokens: output, ..Usage::default() })
}
