//! Ollama's native chat API (`/api/chat`), streamed as NDJSON.
//!
//! Native rather than Ollama's OpenAI door because only the native API
//! takes `options` (num_ctx, top_k, ...) and returns thinking apart.

mod stream;
#[cfg(test)]
mod tests;

pub use stream::StreamParser;

use crate::value::{Map, Value};

use super::common::{
    arguments_object, base_headers, count_at, envelope_error, raw_arguments, read_json, reported_error, str_at,
};
use super::url::ollama_chat_url;
use super::Auth;
use crate::config::ModelConfig;
use crate::error::CascadeError;
use crate::http::HttpRequest;
use crate::json_in::Json;
use crate::json_out::JsonOut;
use crate::types::{ChatRequest, Completion, FinishReason, Message, ResponseFormat, Role, ToolCall, Usage};

/// Parameters that are request fields rather than sampling `options`.
const TOP_LEVEL_KEYS: &[&str] = &["keep_alive", "think", "format", "tools"];
const ENGINE_KEYS: &[&str] = &["model", "messages", "stream", "options"];

/// Written straight out like OpenAI's body (see `openai::build_request`).
/// Sampling settings are merged into one `options` object first: ours, then
/// a nested `options` parameter, then flat parameters, each replacing the
/// one before.
pub fn build_request(model: &ModelConfig, req: &ChatRequest, stream: bool) -> Result<HttpRequest, CascadeError> {
    let params = &model.parameters;
    let mut options = Map::new();
    if let Some(max) = req.max_tokens.or(model.max_tokens) {
        options.insert("num_predict".into(), Value::from(max));
    }
    if let Some(t) = req.temperature.or(model.temperature) {
        options.insert("temperature".into(), Value::from(t));
    }
    if let Some(Value::Object(nested)) = params.get("options") {
        options.extend(nested.iter().map(|(k, v)| (k.clone(), v.clone())));
    }
    for (k, v) in params {
        if !ENGINE_KEYS.contains(&k.as_str()) && !TOP_LEVEL_KEYS.contains(&k.as_str()) {
            options.insert(k.clone(), v.clone());
        }
    }

    let mut o = JsonOut::with_capacity(256);
    o.begin_object();
    o.str_field("model", &model.name);
    o.key("messages");
    write_messages(&mut o, &req.messages);
    // Ollama streams unless told not to.
    o.bool_field("stream", stream);
    if !req.tools.is_empty() && !params.contains_key("tools") {
        o.key("tools");
        o.value(&super::openai::function_tools(&req.tools));
    }
    if !params.contains_key("format") {
        match &req.response_format {
            Some(ResponseFormat::JsonObject) => o.str_field("format", "json"),
            Some(ResponseFormat::JsonSchema { schema, .. }) => {
                o.key("format");
                o.value(schema);
            }
            Some(ResponseFormat::Text) | None => {}
        }
    }
    for (k, v) in params.iter().filter(|(k, _)| TOP_LEVEL_KEYS.contains(&k.as_str())) {
        o.escaped_key(k);
        o.value(v);
    }
    if !options.is_empty() {
        o.key("options");
        o.value_object(&options);
    }
    o.end_object();
    let headers = base_headers(model, Auth::Bearer);
    Ok(HttpRequest::post_json(ollama_chat_url(&model.base_url), headers, o.finish()))
}

fn write_messages(o: &mut JsonOut, msgs: &[Message]) {
    o.begin_array();
    for m in msgs {
        o.begin_object();
        o.str_field("role", m.role.as_str());
        o.str_field("content", &m.content);
        if m.role == Role::Assistant && !m.tool_calls.is_empty() {
            o.key("tool_calls");
            o.begin_array();
            for c in &m.tool_calls {
                o.begin_object();
                o.key("function");
                o.begin_object();
                o.str_field("name", &c.name);
                o.key("arguments");
                o.value(&arguments_object(c));
                o.end_object();
                o.end_object();
            }
            o.end_array();
        }
        if m.role == Role::Tool {
            // Ollama matches results by tool name; recover it from the call.
            let name = m.tool_call_id.as_deref().and_then(|id| {
                msgs.iter().flat_map(|p| p.tool_calls.iter()).find(|c| c.id == id).map(|c| c.name.as_str())
            });
            if let Some(name) = name {
                o.str_field("tool_name", name);
            }
        }
        o.end_object();
    }
    o.end_array();
}

pub fn parse_response(body: &[u8]) -> Result<Completion, CascadeError> {
    let v = read_json(body, "ollama")?;
    if let Some(msg) = envelope_error(&v) {
        let otherwise = CascadeError::bad_response(format!("ollama: response is an error: {msg}"));
        return Err(reported_error("ollama", &v, &msg, otherwise));
    }
    let message = v.get("message").filter(|m| m.is_object()).ok_or_else(|| {
        CascadeError::bad_response("ollama: response has no message object (expected an /api/chat answer)")
    })?;
    let tool_calls: Vec<ToolCall> = match message.get("tool_calls") {
        None | Some(Json::Null) => Vec::new(),
        Some(Json::Array(calls)) => calls.iter().enumerate().map(|(i, c)| tool_call(c, i)).collect(),
        Some(_) => return Err(CascadeError::bad_response("ollama: message.tool_calls is not an array")),
    };
    let finish_reason = map_done(v.get("done_reason"), !tool_calls.is_empty());
    Ok(Completion {
        content: content(message)?.to_string(),
        finish_reason,
        tool_calls,
        usage: usage(&v)?,
        logprobs: None,
        thinking: str_at(message, "/thinking").filter(|t| !t.is_empty()).map(str::to_string),
        refusal: None,
        raw_blocks: Vec::new(),
        model: str_at(&v, "/model").map(str::to_string),
        stop_detail: None,
        malformed_events: 0,
    })
}

/// `content` is text, or absent / `null` beside tool calls. Any other type
/// is a malformed answer, not an empty one the judge might accept.
pub(crate) fn content<'v>(message: &'v Json) -> Result<&'v str, CascadeError> {
    match message.get("content") {
        None | Some(Json::Null) => Ok(""),
        Some(Json::String(s)) => Ok(s),
        Some(_) => Err(CascadeError::bad_response("ollama: message.content is not a string")),
    }
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
/// recording a free call; an unreadable count is an error (see `count_at`).
pub(crate) fn usage(v: &Json) -> Result<Option<Usage>, CascadeError> {
    let input = count_at(v, "/prompt_eval_count", "ollama")?;
    let output = count_at(v, "/eval_count", "ollama")?;
    if input == 0 && output == 0 {
        return Ok(None);
    }
    Ok(Some(Usage { input_tokens: input, output_tokens: output, ..Usage::default() }))
}
