//! Anthropic Messages API.
//!
//! The shape differs from OpenAI's in ways that bite: the system prompt is
//! top-level, roles must alternate, tool results are user content blocks,
//! `max_tokens` is required, and extended thinking constrains sampling.

mod stream;
#[cfg(test)]
mod tests;

pub use stream::StreamParser;

use serde_json::{json, Map, Value};

use super::common::{arguments_object, body_text, base_headers, default_header, envelope_error, read_json, u64_at};
use super::url::anthropic_messages_url;
use super::Auth;
use crate::config::ModelConfig;
use crate::error::CascadeError;
use crate::http::HttpRequest;
use crate::json_in::Json;
use crate::types::{ChatRequest, Completion, FinishReason, Message, ResponseFormat, Role, ToolCall, Usage};

pub const API_VERSION: &str = "2023-06-01";
/// Anthropic answers CORS preflights only for requests carrying this header.
pub const BROWSER_HEADER: &str = "anthropic-dangerous-direct-browser-access";
/// The API requires `max_tokens`; used when neither the call nor the model sets one.
pub const DEFAULT_MAX_TOKENS: u32 = 1024;
/// The smallest thinking budget the API accepts.
pub const MIN_THINKING_BUDGET: u64 = 1024;

const ENGINE_KEYS: &[&str] = &["model", "messages", "stream", "system"];

pub fn build_request(model: &ModelConfig, req: &ChatRequest, stream: bool) -> Result<HttpRequest, CascadeError> {
    let mut body = Map::new();
    body.insert("model".into(), json!(model.name));
    if let Some(system) = system_prompt(model, req) {
        body.insert("system".into(), system);
    }
    body.insert("messages".into(), Value::Array(messages(&req.messages)?));
    let max = req.max_tokens.or(model.max_tokens).unwrap_or(DEFAULT_MAX_TOKENS);
    body.insert("max_tokens".into(), json!(max));
    if let Some(t) = req.temperature.or(model.temperature) {
        body.insert("temperature".into(), json!(t));
    }
    if !req.tools.is_empty() {
        let tools: Vec<Value> = req
            .tools
            .iter()
            .map(|t| {
                let mut tool = Map::new();
                tool.insert("name".into(), json!(t.name));
                if !t.description.is_empty() {
                    tool.insert("description".into(), json!(t.description));
                }
                tool.insert("input_schema".into(), super::openai::tool_parameters(&t.parameters));
                Value::Object(tool)
            })
            .collect();
        body.insert("tools".into(), Value::Array(tools));
        if let Some(choice) = req.tool_choice.as_ref().and_then(tool_choice) {
            body.insert("tool_choice".into(), choice);
        }
    }
    for (k, v) in &model.parameters {
        match k.as_str() {
            k if ENGINE_KEYS.contains(&k) => {}
            // OpenAI's name for it, common in shared configs.
            "stop" => {
                let seqs = match v {
                    Value::String(s) => json!([s]),
                    other => other.clone(),
                };
                body.insert("stop_sequences".into(), seqs);
            }
            _ => {
                body.insert(k.clone(), v.clone());
            }
        }
    }
    apply_thinking_rules(&mut body)?;
    if stream {
        body.insert("stream".into(), json!(true));
    }

    Ok(HttpRequest::post_json(anthropic_messages_url(&model.base_url), headers(model), body_text(&body)))
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

/// With `thinking: {type:'enabled', budget_tokens}` the API rejects any
/// temperature but 1 and any `max_tokens` not above the budget; fixing both
/// here beats a 400 on a tier the user expected to work.
fn apply_thinking_rules(body: &mut Map<String, Value>) -> Result<(), CascadeError> {
    let Some(thinking) = body.get("thinking") else {
        return Ok(());
    };
    if thinking.get("type").and_then(Value::as_str) != Some("enabled") {
        return Ok(());
    }
    let budget = match thinking.get("budget_tokens") {
        Some(Value::Number(n)) => n.as_u64(),
        _ => None,
    }
    .ok_or_else(|| {
        CascadeError::config(
            "parameters.thinking.budget_tokens: required with thinking.type 'enabled', expected an integer of at least 1024",
        )
    })?;
    if budget < MIN_THINKING_BUDGET {
        return Err(CascadeError::config(format!(
            "parameters.thinking.budget_tokens: expected at least {MIN_THINKING_BUDGET}, got {budget}"
        )));
    }
    // Omitted rather than forced to 1: 1 is the API default and the only value allowed.
    body.remove("temperature");
    // The budget is carved out of `max_tokens`; keep the asked-for room for the answer.
    let max = body.get("max_tokens").and_then(Value::as_u64).unwrap_or(u64::from(DEFAULT_MAX_TOKENS));
    if max <= budget {
        body.insert("max_tokens".into(), json!(budget.saturating_add(max)));
    }
    Ok(())
}

/// System messages joined, plus the JSON instruction that stands in for a
/// JSON mode the API does not have.
fn system_prompt(model: &ModelConfig, req: &ChatRequest) -> Option<Value> {
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
        return None;
    }
    let text = parts.join("\n\n");
    Some(if model.cache_control {
        json!([{"type": "text", "text": text, "cache_control": {"type": "ephemeral"}}])
    } else {
        json!(text)
    })
}

/// Turns into alternating user/assistant messages of content blocks.
fn messages(msgs: &[Message]) -> Result<Vec<Value>, CascadeError> {
    let mut turns: Vec<(Role, Vec<Value>)> = Vec::new();
    for (i, m) in msgs.iter().enumerate() {
        let (role, blocks) = match m.role {
            Role::System => continue,
            Role::User => (Role::User, text_block(&m.content)),
            Role::Assistant => {
                let mut blocks = text_block(&m.content);
                blocks.extend(
                    m.tool_calls
                        .iter()
                        .map(|c| json!({"type": "tool_use", "id": c.id, "name": c.name, "input": arguments_object(c)})),
                );
                (Role::Assistant, blocks)
            }
            Role::Tool => {
                let id = m.tool_call_id.as_deref().filter(|s| !s.is_empty()).ok_or_else(|| {
                    CascadeError::config(format!(
                        "messages[{i}].toolCallId: required for a message with role 'tool' (the id of the call it answers)"
                    ))
                })?;
                (Role::User, vec![json!({"type": "tool_result", "tool_use_id": id, "content": m.content})])
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
    Ok(turns
        .into_iter()
        .map(|(role, mut blocks)| {
            // The API wants tool results ahead of any text in a user turn.
            blocks.sort_by_key(|b| b.get("type").and_then(Value::as_str) != Some("tool_result"));
            json!({"role": role.as_str(), "content": blocks})
        })
        .collect())
}

/// Empty text blocks are rejected by the API, so they are left out.
fn text_block(text: &str) -> Vec<Value> {
    if text.is_empty() {
        Vec::new()
    } else {
        vec![json!({"type": "text", "text": text})]
    }
}

/// OpenAI-shaped `tool_choice` to Anthropic's; an already Anthropic-shaped
/// object passes through.
fn tool_choice(choice: &Value) -> Option<Value> {
    match choice {
        Value::String(s) => match s.as_str() {
            "auto" => Some(json!({"type": "auto"})),
            "required" | "any" => Some(json!({"type": "any"})),
            "none" => Some(json!({"type": "none"})),
            _ => None,
        },
        Value::Object(o) => match o.get("type").and_then(Value::as_str) {
            Some("function") => {
                let name = choice.pointer("/function/name").or_else(|| o.get("name"))?;
                Some(json!({"type": "tool", "name": name}))
            }
            Some(_) => Some(choice.clone()),
            None => None,
        },
        _ => None,
    }
}

pub fn parse_response(body: &[u8]) -> Result<Completion, CascadeError> {
    let v = read_json(body, "anthropic")?;
    if let Some(msg) = envelope_error(&v) {
        return Err(CascadeError::bad_response(format!("anthropic: response is an error: {msg}")));
    }
    let blocks = v
        .get("content")
        .and_then(Json::as_array)
        .ok_or_else(|| CascadeError::bad_response("anthropic: response has no content array (expected a message)"))?;
    let mut content = String::new();
    let mut thinking: Vec<&str> = Vec::new();
    let mut tool_calls = Vec::new();
    for b in blocks {
        match b.get("type").and_then(Json::as_str) {
            Some("text") => content.push_str(b.get("text").and_then(Json::as_str).unwrap_or("")),
            Some("thinking") => thinking.extend(b.get("thinking").and_then(Json::as_str)),
            Some("tool_use") => {
                let input = b.get("input").map(Json::to_text).unwrap_or_default();
                let id = b.get("id").and_then(Json::as_str).unwrap_or("");
                let name = b.get("name").and_then(Json::as_str).unwrap_or("");
                tool_calls.push(ToolCall::new(id, name, input));
            }
            _ => {}
        }
    }
    Ok(Completion {
        content,
        tool_calls,
        finish_reason: map_stop(v.get("stop_reason")),
        usage: v.get("usage").filter(|u| u.is_object()).map(usage),
        logprobs: None,
        thinking: if thinking.is_empty() { None } else { Some(thinking.join("\n")) },
        model: v.get("model").and_then(Json::as_str).map(str::to_string),
    })
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
pub(crate) fn usage(u: &Json) -> Usage {
    Usage {
        input_tokens: u64_at(u, "/input_tokens"),
        output_tokens: u64_at(u, "/output_tokens"),
        reasoning_tokens: 0,
        cache_read_tokens: u64_at(u, "/cache_read_input_tokens"),
        cache_write_tokens: u64_at(u, "/cache_creation_input_tokens"),
        estimated: false,
    }
}
