//! Anthropic Messages API.
//!
//! The shape differs from OpenAI's in ways that bite: the system prompt is
//! top-level, roles must alternate, tool results are user content blocks,
//! `max_tokens` is required, and extended thinking constrains sampling.

mod stream;
#[cfg(test)]
mod tests;

pub use stream::StreamParser;

use crate::value::{object, Value};

use super::common::{
    arguments_object, base_headers, count_at, default_header, envelope_error, read_json, reported_error,
};
use super::url::anthropic_messages_url;
use super::Auth;
use crate::config::ModelConfig;
use crate::error::CascadeError;
use crate::http::HttpRequest;
use crate::json_in::Json;
use crate::json_out::{JsonOut, ToJson};
use crate::types::{ChatRequest, Completion, FinishReason, Message, RawBlock, ResponseFormat, Role, ToolCall, Usage};

pub const API_VERSION: &str = "2023-06-01";
/// Anthropic answers CORS preflights only for requests carrying this header.
pub const BROWSER_HEADER: &str = "anthropic-dangerous-direct-browser-access";
/// The API requires `max_tokens`; used when neither the call nor the model sets one.
pub const DEFAULT_MAX_TOKENS: u32 = 1024;
/// The smallest thinking budget the API accepts.
pub const MIN_THINKING_BUDGET: u64 = 1024;

const ENGINE_KEYS: &[&str] = &["model", "messages", "stream", "system"];

/// Written straight out like OpenAI's body (see `openai::build_request`):
/// a pass-through parameter replaces our field of the same name, and the
/// extended-thinking rules are settled on the final values before writing.
pub fn build_request(model: &ModelConfig, req: &ChatRequest, stream: bool) -> Result<HttpRequest, CascadeError> {
    let params = &model.parameters;
    let thinking = thinking_budget(params.get("thinking"))?;
    let asked_max = match params.get("max_tokens") {
        Some(v) => v.as_u64(),
        None => Some(u64::from(req.max_tokens.or(model.max_tokens).unwrap_or(DEFAULT_MAX_TOKENS))),
    };
    // The thinking budget is carved out of `max_tokens`; keep the asked-for room for the answer.
    let max_tokens = match (thinking, asked_max.unwrap_or(u64::from(DEFAULT_MAX_TOKENS))) {
        (Some(budget), max) if max <= budget => Some(budget.saturating_add(max)),
        _ if params.contains_key("max_tokens") => None,
        _ => asked_max,
    };

    let mut o = JsonOut::with_capacity(256);
    o.begin_object();
    o.str_field("model", &model.name);
    if let Some(system) = system_prompt(req) {
        o.key("system");
        if model.cache_control {
            o.begin_array();
            o.begin_object();
            o.str_field("type", "text");
            o.str_field("text", &system);
            o.key("cache_control");
            o.begin_object();
            o.str_field("type", "ephemeral");
            o.end_object();
            o.end_object();
            o.end_array();
        } else {
            o.str(&system);
        }
    }
    o.key("messages");
    write_messages(&mut o, &req.messages)?;
    if let Some(max) = max_tokens {
        o.u64_field("max_tokens", max);
    }
    // Extended thinking allows only the default temperature: it is left out.
    let temperature = req.temperature.or(model.temperature);
    if let Some(t) = temperature.filter(|_| thinking.is_none() && !params.contains_key("temperature")) {
        o.key("temperature");
        o.float(t);
    }
    if !req.tools.is_empty() {
        if !params.contains_key("tools") {
            o.key("tools");
            o.begin_array();
            for t in &req.tools {
                o.begin_object();
                o.str_field("name", &t.name);
                if !t.description.is_empty() {
                    o.str_field("description", &t.description);
                }
                o.key("input_schema");
                o.value(&super::openai::tool_parameters(&t.parameters));
                o.end_object();
            }
            o.end_array();
        }
        let choice = req.tool_choice.as_ref().and_then(tool_choice);
        if let Some(choice) = choice.filter(|_| !params.contains_key("tool_choice")) {
            o.key("tool_choice");
            o.value(&choice);
        }
    }
    for (k, v) in params {
        match k.as_str() {
            k if ENGINE_KEYS.contains(&k) => {}
            "max_tokens" if max_tokens.is_some() => {}
            "temperature" if thinking.is_some() => {}
            // OpenAI's name for it, common in shared configs; the API's own name wins.
            "stop" if params.contains_key("stop_sequences") => {}
            "stop" => {
                o.key("stop_sequences");
                match v {
                    Value::String(s) => {
                        o.begin_array();
                        o.str(s);
                        o.end_array();
                    }
                    other => o.value(other),
                }
            }
            _ => {
                o.escaped_key(k);
                o.value(v);
            }
        }
    }
    if stream {
        o.bool_field("stream", true);
    }
    o.end_object();

    Ok(HttpRequest::post_json(anthropic_messages_url(&model.base_url), headers(model), o.finish()))
}

/// Key, API version and, from a web page, the opt-in without which the API
/// refuses cross-origin calls. The user's headers win over all three.
pub(crate) fn headers(model: &ModelConfig) -> Vec<(String, String)> {
    let mut headers = base_headers(model, Auth::XApiKey);
    default_header(&mut headers, "anthropic-version", API_VERSION);
    if model.browser {
        default_header(&mut headers, BROWSER_HEADER, "true");
    }
    headers
}

/// The budget of `thinking: {type:'enabled', budget_tokens}`, checked here:
/// with it the API rejects any temperature but 1 and any `max_tokens` not
/// above the budget, and fixing both beats a 400 on a tier the user
/// expected to work.
fn thinking_budget(thinking: Option<&Value>) -> Result<Option<u64>, CascadeError> {
    let Some(thinking) = thinking else {
        return Ok(None);
    };
    if thinking.get("type").and_then(Value::as_str) != Some("enabled") {
        return Ok(None);
    }
    let budget = thinking.get("budget_tokens").and_then(Value::as_u64).ok_or_else(|| {
        CascadeError::config(
            "parameters.thinking.budget_tokens: required with thinking.type 'enabled', expected an integer of at least 1024",
        )
    })?;
    if budget < MIN_THINKING_BUDGET {
        return Err(CascadeError::config(format!(
            "parameters.thinking.budget_tokens: expected at least {MIN_THINKING_BUDGET}, got {budget}"
        )));
    }
    Ok(Some(budget))
}

/// System messages joined, plus the JSON instruction that stands in for a
/// JSON mode the API does not have.
fn system_prompt(req: &ChatRequest) -> Option<String> {
    let mut parts: Vec<String> = req
        .messages
        .iter()
        .filter(|m| m.role == Role::System && !m.content.is_empty())
        .map(|m| m.content.clone())
        .collect();
    match &req.response_format {
        Some(ResponseFormat::JsonObject) => {
            parts.push("Respond with only a JSON object: no prose, no code fences.".to_string())
        }
        Some(ResponseFormat::JsonSchema { schema, .. }) => parts.push(format!(
            "Respond with only a JSON object that matches this JSON Schema: {schema}\nNo prose, no code fences."
        )),
        Some(ResponseFormat::Text) | None => {}
    }
    if parts.is_empty() {
        None
    } else {
        Some(parts.join("\n\n"))
    }
}

/// One content block of a turn, borrowed from the messages.
enum Block<'a> {
    Text(&'a str),
    ToolUse(&'a ToolCall),
    ToolResult { id: &'a str, content: &'a str },
}

/// Writes the messages as alternating user/assistant turns of content blocks.
fn write_messages(o: &mut JsonOut, msgs: &[Message]) -> Result<(), CascadeError> {
    let mut turns: Vec<(Role, Vec<Block>)> = Vec::new();
    for (i, m) in msgs.iter().enumerate() {
        // Empty text blocks are rejected by the API, so they are left out.
        let text = (!m.content.is_empty()).then_some(Block::Text(&m.content));
        let (role, blocks): (Role, Vec<Block>) = match m.role {
            Role::System => continue,
            Role::User => (Role::User, text.into_iter().collect()),
            Role::Assistant => {
                (Role::Assistant, text.into_iter().chain(m.tool_calls.iter().map(Block::ToolUse)).collect())
            }
            Role::Tool => {
                let id = m.tool_call_id.as_deref().filter(|s| !s.is_empty()).ok_or_else(|| {
                    CascadeError::config(format!(
                        "messages[{i}].toolCallId: required for a message with role 'tool' (the id of the call it answers)"
                    ))
                })?;
                (Role::User, vec![Block::ToolResult { id, content: &m.content }])
            }
        };
        if blocks.is_empty() {
            continue;
        }
        match turns.last_mut() {
            Some((last, existing)) if *last == role => existing.extend(blocks),
            _ => turns.push((role, blocks)),
        }
    }
    o.begin_array();
    for (role, blocks) in turns {
        // The API wants tool results ahead of any text in a user turn.
        let (results, rest): (Vec<Block>, Vec<Block>) =
            blocks.into_iter().partition(|b| matches!(b, Block::ToolResult { .. }));
        o.begin_object();
        o.str_field("role", role.as_str());
        o.key("content");
        o.begin_array();
        for b in results.iter().chain(&rest) {
            o.begin_object();
            match b {
                Block::Text(text) => {
                    o.str_field("type", "text");
                    o.str_field("text", text);
                }
                Block::ToolUse(c) => {
                    o.str_field("type", "tool_use");
                    o.str_field("id", &c.id);
                    o.str_field("name", &c.name);
                    o.key("input");
                    o.value(&arguments_object(c));
                }
                Block::ToolResult { id, content } => {
                    o.str_field("type", "tool_result");
                    o.str_field("tool_use_id", id);
                    o.str_field("content", content);
                }
            }
            o.end_object();
        }
        o.end_array();
        o.end_object();
    }
    o.end_array();
    Ok(())
}

/// OpenAI-shaped `tool_choice` to Anthropic's; an already Anthropic-shaped
/// object passes through.
fn tool_choice(choice: &Value) -> Option<Value> {
    match choice {
        Value::String(s) => match s.as_str() {
            "auto" => Some(object([("type", "auto".into())])),
            "required" | "any" => Some(object([("type", "any".into())])),
            "none" => Some(object([("type", "none".into())])),
            _ => None,
        },
        Value::Object(o) => match o.get("type").and_then(Value::as_str) {
            Some("function") => {
                let name = choice.pointer("/function/name").or_else(|| o.get("name"))?;
                Some(object([("type", "tool".into()), ("name", name.clone())]))
            }
            Some(_) => Some(choice.clone()),
            None => None,
        },
        _ => None,
    }
}

/// Text blocks (with or without `citations`) make the answer; `tool_use`
/// blocks are the caller's tool calls. Server-side tools (web search, web
/// fetch, code execution), MCP connector calls, their results and block
/// types added later are kept whole as `RawBlock`s: the caller defined none
/// of those tools, so running them is not its job.
pub fn parse_response(body: &[u8]) -> Result<Completion, CascadeError> {
    let v = read_json(body, "anthropic")?;
    if let Some(msg) = envelope_error(&v) {
        let otherwise = CascadeError::bad_response(format!("anthropic: response is an error: {msg}"));
        return Err(reported_error("anthropic", &v, &msg, otherwise));
    }
    let blocks = v
        .get("content")
        .and_then(Json::as_array)
        .ok_or_else(|| CascadeError::bad_response("anthropic: response has no content array (expected a message)"))?;
    let mut content = String::new();
    let mut thinking: Vec<&str> = Vec::new();
    let mut tool_calls = Vec::new();
    let mut raw_blocks = Vec::new();
    for b in blocks {
        let kind = b
            .get("type")
            .and_then(Json::as_str)
            .ok_or_else(|| CascadeError::bad_response("anthropic: a content block is not an object with a type"))?;
        match kind {
            "text" => match b.get("text") {
                Some(Json::String(t)) => content.push_str(t),
                _ => return Err(CascadeError::bad_response("anthropic: a text block's text is not a string")),
            },
            "thinking" => thinking.extend(b.get("thinking").and_then(Json::as_str)),
            // Encrypted reasoning: nothing anyone can read.
            "redacted_thinking" => {}
            "tool_use" => {
                let input = b.get("input").map(Json::to_json).unwrap_or_default();
                let id = b.get("id").and_then(Json::as_str).unwrap_or("");
                let name = b.get("name").and_then(Json::as_str).unwrap_or("");
                tool_calls.push(ToolCall::new(id, name, input));
            }
            other => raw_blocks.push(RawBlock { kind: other.to_string(), json: b.to_json() }),
        }
    }
    Ok(Completion {
        content,
        tool_calls,
        finish_reason: map_stop(v.get("stop_reason")),
        usage: v.get("usage").filter(|u| u.is_object()).map(usage).transpose()?,
        logprobs: None,
        thinking: if thinking.is_empty() { None } else { Some(thinking.join("\n")) },
        refusal: None,
        raw_blocks,
        model: v.get("model").and_then(Json::as_str).map(str::to_string),
        stop_detail: v.get("stop_details").and_then(stop_details),
        malformed_events: 0,
    })
}

/// `stop_details: {type: "refusal", category, explanation}`: the reason a
/// refusal stop gives, as "category: explanation".
pub(crate) fn stop_details(d: &Json) -> Option<String> {
    let text = |k: &str| d.get(k).and_then(Json::as_str).filter(|s| !s.trim().is_empty());
    match (text("category"), text("explanation")) {
        (Some(c), Some(e)) => Some(format!("{c}: {e}")),
        (c, e) => c.or(e).map(str::to_string),
    }
}

pub(crate) fn map_stop(v: Option<&Json>) -> FinishReason {
    match v.and_then(Json::as_str) {
        Some("end_turn" | "stop_sequence") => FinishReason::Stop,
        Some("max_tokens" | "model_context_window_exceeded") => FinishReason::Length,
        Some("tool_use") => FinishReason::ToolCalls,
        Some("refusal") => FinishReason::ContentFilter,
        _ => FinishReason::Unknown,
    }
}

/// Anthropic already reports cached tokens apart from `input_tokens`.
pub(crate) fn usage(u: &Json) -> Result<Usage, CascadeError> {
    let count = |path: &str| count_at(u, path, "anthropic");
    Ok(Usage {
        input_tokens: count("/input_tokens")?,
        output_tokens: count("/output_tokens")?,
        reasoning_tokens: 0,
        cache_read_tokens: count("/cache_read_input_tokens")?,
        cache_write_tokens: count("/cache_creation_input_tokens")?,
        estimated: false,
    })
}
