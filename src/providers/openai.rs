//! OpenAI Chat Completions: the wire of OpenAI itself and of every
//! compatible server (Groq, Together, vLLM, DeepSeek, OpenRouter, LiteLLM,
//! Hugging Face, llama.cpp, ...). Differences between them are handled by
//! reading fields leniently, not by per-server branches.

mod stream;
#[cfg(test)]
mod tests;

pub use stream::{stream_parser, StreamParser};

use crate::value::{object, Map, Value};

use super::common::{base_headers, count_at, envelope_error, raw_arguments, read_json, reported_error, str_at};
use super::url::openai_chat_url;
use super::{lookup, Auth};
use crate::config::ModelConfig;
use crate::error::CascadeError;
use crate::http::HttpRequest;
use crate::json_in::Json;
use crate::json_out::JsonOut;
use crate::types::{
    ChatRequest, Completion, FinishReason, Message, ResponseFormat, Role, TokenLogprob, ToolCall, TopLogprob, Usage,
};

/// Keys the codec owns: a pass-through parameter must not turn a
/// non-streaming call into a stream or swap the model under the judge.
const ENGINE_KEYS: &[&str] = &["model", "messages", "stream"];

/// Sampling knobs reasoning models reject with a 400.
const REASONING_FORBIDDEN: &[&str] = &["temperature", "top_p", "logprobs", "top_logprobs"];

/// o-series and GPT-5 models reason before answering and take a different
/// token limit; `vendor/` prefixes (OpenRouter, LiteLLM) are ignored.
pub fn is_reasoning_model(name: &str) -> bool {
    let base = name.rsplit('/').next().unwrap_or(name).to_ascii_lowercase();
    ["o1", "o3", "o4", "gpt-5"].iter().any(|p| base.starts_with(p))
}

/// The body is written straight out, not assembled as a map first: this
/// runs on every call, cold. A pass-through parameter replaces the field of
/// the same name, so each of ours is written only when no parameter takes
/// its place, and the body never holds a key twice.
pub fn build_request(model: &ModelConfig, req: &ChatRequest, stream: bool) -> Result<HttpRequest, CascadeError> {
    let reasoning = is_reasoning_model(&model.name);
    let params = &model.parameters;
    let ours = |key: &str| !(params.contains_key(key) || reasoning && REASONING_FORBIDDEN.contains(&key));
    let mut o = JsonOut::with_capacity(256);
    o.begin_object();
    o.str_field("model", &model.name);
    o.key("messages");
    o.begin_array();
    for (i, m) in req.messages.iter().enumerate() {
        write_message(&mut o, m, i)?;
    }
    o.end_array();

    if let Some(max) = req.max_tokens.or(model.max_tokens) {
        // A reasoning model's own limit; a `max_tokens` parameter, renamed below, wins over it.
        let (key, displaced) = if reasoning {
            ("max_completion_tokens", params.contains_key("max_tokens"))
        } else {
            ("max_tokens", false)
        };
        if ours(key) && !displaced {
            o.u64_field(key, u64::from(max));
        }
    }
    if let Some(t) = req.temperature.or(model.temperature).filter(|_| ours("temperature")) {
        o.key("temperature");
        o.float(t);
    }
    if !req.tools.is_empty() {
        if ours("tools") {
            o.key("tools");
            o.value(&function_tools(&req.tools));
        }
        // Only with tools: OpenAI rejects a `tool_choice` that has none.
        if let Some(choice) = req.tool_choice.as_ref().filter(|_| ours("tool_choice")) {
            o.key("tool_choice");
            o.value(choice);
        }
    }
    if let Some(rf) = response_format_json(req.response_format.as_ref()).filter(|_| ours("response_format")) {
        o.key("response_format");
        o.value(&rf);
    }
    if req.logprobs && lookup(&model.provider).is_some_and(|i| i.logprobs) {
        if ours("logprobs") {
            o.bool_field("logprobs", true);
        }
        if ours("top_logprobs") {
            o.u64_field("top_logprobs", 3);
        }
    }
    for (k, v) in params {
        let key = match k.as_str() {
            k if ENGINE_KEYS.contains(&k) || k == "stream_options" => continue,
            k if reasoning && REASONING_FORBIDDEN.contains(&k) => continue,
            "max_tokens" if reasoning && params.contains_key("max_completion_tokens") => continue,
            "max_tokens" if reasoning => "max_completion_tokens",
            k => k,
        };
        o.escaped_key(key);
        o.value(v);
    }
    if stream {
        o.bool_field("stream", true);
        // Without `include_usage` the stream carries no token counts at all.
        o.key("stream_options");
        o.begin_object();
        if let Some(Value::Object(extra)) = params.get("stream_options") {
            for (k, v) in extra.iter().filter(|(k, _)| *k != "include_usage") {
                o.escaped_key(k);
                o.value(v);
            }
        }
        o.bool_field("include_usage", true);
        o.end_object();
    }
    o.end_object();

    let mut headers = base_headers(model, Auth::Bearer);
    if super::openrouter::is_openrouter(model) {
        super::openrouter::attribution_headers(&mut headers);
    }
    Ok(HttpRequest::post_json(openai_chat_url(&model.base_url), headers, o.finish()))
}

fn write_message(o: &mut JsonOut, m: &Message, index: usize) -> Result<(), CascadeError> {
    o.begin_object();
    o.str_field("role", m.role.as_str());
    match m.role {
        Role::Assistant if !m.tool_calls.is_empty() => {
            // OpenAI wants `null`, not "", beside tool calls with no text.
            o.key("content");
            o.opt_str(Some(m.content.as_str()).filter(|c| !c.is_empty()));
            o.key("tool_calls");
            o.begin_array();
            for c in &m.tool_calls {
                let args = if c.arguments_raw.trim().is_empty() { "{}" } else { c.arguments_raw.as_str() };
                o.begin_object();
                o.str_field("id", &c.id);
                o.str_field("type", "function");
                o.key("function");
                o.begin_object();
                o.str_field("name", &c.name);
                o.str_field("arguments", args);
                o.end_object();
                o.end_object();
            }
            o.end_array();
        }
        Role::Tool => {
            let id = m.tool_call_id.as_deref().filter(|s| !s.is_empty()).ok_or_else(|| {
                CascadeError::config(format!(
                    "messages[{index}].toolCallId: required for a message with role 'tool' (the id of the call it answers)"
                ))
            })?;
            o.str_field("tool_call_id", id);
            o.str_field("content", &m.content);
        }
        _ => o.str_field("content", &m.content),
    }
    o.end_object();
    Ok(())
}

/// Tools in the OpenAI function shape, which Ollama's `/api/chat` takes too.
pub(crate) fn function_tools(tools: &[crate::types::ToolSpec]) -> Value {
    Value::Array(
        tools
            .iter()
            .map(|t| {
                let function = object([
                    ("name", t.name.as_str().into()),
                    ("description", t.description.as_str().into()),
                    ("parameters", tool_parameters(&t.parameters)),
                ]);
                object([("type", "function".into()), ("function", function)])
            })
            .collect(),
    )
}

/// A tool without a schema still needs an object schema on this wire.
pub(crate) fn tool_parameters(p: &Value) -> Value {
    match p {
        Value::Object(o) if !o.is_empty() => p.clone(),
        _ => object([("type", "object".into()), ("properties", Value::Object(Map::new()))]),
    }
}

fn response_format_json(rf: Option<&ResponseFormat>) -> Option<Value> {
    match rf? {
        ResponseFormat::Text => None,
        ResponseFormat::JsonObject => Some(object([("type", "json_object".into())])),
        ResponseFormat::JsonSchema { name, schema } => {
            let inner = object([
                ("name", schema_name(name.as_deref()).into()),
                ("schema", schema.clone()),
                ("strict", false.into()),
            ]);
            Some(object([("type", "json_schema".into()), ("json_schema", inner)]))
        }
    }
}

/// OpenAI requires `^[a-zA-Z0-9_-]{1,64}$`; a user's free-form name is
/// coerced rather than turned into a 400.
fn schema_name(name: Option<&str>) -> String {
    let cleaned: String = name
        .unwrap_or("")
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '_' || c == '-' { c } else { '_' })
        .take(64)
        .collect();
    if cleaned.is_empty() {
        "response".to_string()
    } else {
        cleaned
    }
}

pub fn parse_response(body: &[u8]) -> Result<Completion, CascadeError> {
    parse_response_as(body, "openai")
}

/// `parse_response` for an OpenAI-compatible `provider`, named in errors
/// so that a Groq or OpenRouter failure does not read as OpenAI's.
///
/// A body of the wrong shape (no message object, `content: 42`) is a
/// malformed response, never an empty answer: an empty answer would be
/// judged, and maybe accepted, as if the model had said nothing.
pub fn parse_response_as(body: &[u8], provider: &str) -> Result<Completion, CascadeError> {
    let v = read_json(body, provider)?;
    if let Some(msg) = envelope_error(&v) {
        let otherwise = CascadeError::bad_response(format!("{provider}: response is an error: {msg}"));
        return Err(reported_error(provider, &v, &msg, otherwise));
    }
    let choice = v
        .get("choices")
        .and_then(Json::as_array)
        .and_then(|c| c.first())
        .filter(|c| c.is_object())
        .ok_or_else(|| {
            CascadeError::bad_response(format!("{provider}: response has no choices[0] (expected a chat.completion)"))
        })?;
    let message = choice.get("message").filter(|m| m.is_object()).ok_or_else(|| {
        CascadeError::bad_response(format!("{provider}: choices[0] has no message object (expected a chat.completion)"))
    })?;

    let mut tool_calls: Vec<ToolCall> = match message.get("tool_calls") {
        None | Some(Json::Null) => Vec::new(),
        Some(Json::Array(calls)) => calls.iter().enumerate().map(|(i, c)| tool_call(c, i)).collect(),
        Some(_) => return Err(wrong_type(provider, "message.tool_calls", "an array")),
    };
    // The pre-2024 single `function_call` some servers still emit.
    if let Some(f) = message.get("function_call").filter(|f| f.is_object()) {
        let name = str_at(f, "/name").unwrap_or("");
        tool_calls.push(ToolCall::new(format!("call_{}", tool_calls.len()), name, raw_arguments(f.get("arguments"))));
    }
    let parts = content_parts(message.get("content"))
        .ok_or_else(|| wrong_type(provider, "message.content", "a string, null or an array of parts"))?;
    let refusal = refusal_text(message);

    Ok(Completion {
        content: parts.text,
        tool_calls,
        finish_reason: if refusal.is_some() {
            FinishReason::ContentFilter
        } else {
            map_finish(choice.get("finish_reason"))
        },
        usage: v.get("usage").filter(|u| u.is_object()).map(|u| usage(u, provider)).transpose()?,
        logprobs: choice.get("logprobs").and_then(logprobs).filter(|l| !l.is_empty()),
        thinking: reasoning_text(message).or(Some(parts.thinking).filter(|t| !t.is_empty())),
        refusal,
        raw_blocks: Vec::new(),
        model: v.get("model").and_then(Json::as_str).map(str::to_string),
        stop_detail: super::classify::filtered_categories(choice),
        malformed_events: 0,
    })
}

pub(crate) fn wrong_type(provider: &str, field: &str, expected: &str) -> CascadeError {
    CascadeError::bad_response(format!("{provider}: {field} is not {expected}"))
}

/// Content split into the answer and any reasoning that came inside it.
#[derive(Default)]
pub(crate) struct Parts {
    pub text: String,
    pub thinking: String,
}

/// Content is a string, `null` (tool calls or a refusal only), or an array
/// of parts: `{type:'text', text}` on many servers, and on Mistral's
/// reasoning models `{type:'thinking', thinking: [{type:'text', text}]}`
/// before the answer, which must not be read as the answer. Parts of other
/// types (images, references) are skipped. `None`: the content is of a
/// type no server sends, so the body is malformed.
pub(crate) fn content_parts(v: Option<&Json>) -> Option<Parts> {
    let mut out = Parts::default();
    match v {
        None | Some(Json::Null) => {}
        Some(Json::String(s)) => out.text.push_str(s),
        Some(Json::Array(parts)) => {
            for p in parts {
                if !p.is_object() {
                    return None;
                }
                match p.get("type").and_then(Json::as_str) {
                    Some("thinking") => push_text_parts(&mut out.thinking, p.get("thinking"))?,
                    Some("text") | None => push_text_parts(&mut out.text, p.get("text"))?,
                    Some(_) => {}
                }
            }
        }
        Some(_) => return None,
    }
    Some(out)
}

/// A part's text: a string, or (Mistral's thinking) an array of text parts.
fn push_text_parts(out: &mut String, v: Option<&Json>) -> Option<()> {
    match v {
        None | Some(Json::Null) => {}
        Some(Json::String(s)) => out.push_str(s),
        Some(Json::Array(items)) => {
            for item in items {
                match item.get("text") {
                    Some(Json::String(s)) => out.push_str(s),
                    None | Some(Json::Null) => {}
                    Some(_) => return None,
                }
            }
        }
        Some(_) => return None,
    }
    Some(())
}

/// DeepSeek sends `reasoning_content`, OpenRouter and vLLM `reasoning`.
pub(crate) fn reasoning_text(message: &Json) -> Option<String> {
    ["reasoning_content", "reasoning"]
        .iter()
        .filter_map(|k| message.get(k).and_then(Json::as_str))
        .find(|s| !s.is_empty())
        .map(str::to_string)
}

fn tool_call(c: &Json, position: usize) -> ToolCall {
    let id = c.get("id").and_then(Json::as_str).filter(|s| !s.is_empty());
    let id = id.map(str::to_string).unwrap_or_else(|| format!("call_{position}"));
    let name = str_at(c, "/function/name").unwrap_or("");
    ToolCall::new(id, name, raw_arguments(c.pointer("/function/arguments")))
}

pub(crate) fn map_finish(v: Option<&Json>) -> FinishReason {
    match v.and_then(Json::as_str) {
        Some("stop") => FinishReason::Stop,
        Some("length") => FinishReason::Length,
        Some("tool_calls" | "function_call") => FinishReason::ToolCalls,
        Some("content_filter") => FinishReason::ContentFilter,
        _ => FinishReason::Unknown,
    }
}

/// A refusal arrives as `refusal` text beside `content: null`, with
/// `finish_reason: "stop"`; it is a filtered answer, not a finished one.
pub(crate) fn refusal_text(message: &Json) -> Option<String> {
    message.get("refusal").and_then(Json::as_str).filter(|r| !r.is_empty()).map(str::to_string)
}

/// Cached prompt tokens are part of `prompt_tokens` but priced apart, so
/// they move out of `input_tokens` rather than being billed twice.
pub(crate) fn usage(u: &Json, provider: &str) -> Result<Usage, CascadeError> {
    let count = |path: &str| count_at(u, path, provider);
    let prompt = count("/prompt_tokens")?;
    let cached = match count("/prompt_tokens_details/cached_tokens")? {
        0 => count("/prompt_cache_hit_tokens")?, // DeepSeek's spelling
        n => n,
    }
    .min(prompt);
    Ok(Usage {
        input_tokens: prompt.saturating_sub(cached),
        output_tokens: count("/completion_tokens")?,
        reasoning_tokens: count("/completion_tokens_details/reasoning_tokens")?,
        cache_read_tokens: cached,
        cache_write_tokens: 0,
        estimated: false,
    })
}

/// `logprobs.content[]`; entries missing a token or a number are skipped.
pub(crate) fn logprobs(v: &Json) -> Option<Vec<TokenLogprob>> {
    let items = v.get("content")?.as_array()?;
    Some(
        items
            .iter()
            .filter_map(|item| {
                let (token, logprob) = token_and_logprob(item)?;
                let top_logprobs = item
                    .get("top_logprobs")
                    .and_then(Json::as_array)
                    .map(|tops| {
                        tops.iter()
                            .filter_map(token_and_logprob)
                            .map(|(token, logprob)| TopLogprob { token, logprob })
                            .collect()
                    })
                    .unwrap_or_default();
                Some(TokenLogprob { token, logprob, top_logprobs })
            })
            .collect(),
    )
}

fn token_and_logprob(v: &Json) -> Option<(String, f64)> {
    Some((v.get("token")?.as_str()?.to_string(), v.get("logprob")?.as_f64()?))
}
