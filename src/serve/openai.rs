//! OpenAI Chat Completions, served: a `POST /v1/chat/completions` body read
//! into an [`Inbound`], and an [`Outcome`] written back as a completion or
//! as chunks (a role chunk, text deltas, the tool calls, the finish reason,
//! a `choices: []` usage chunk when `stream_options.include_usage` asks for
//! one, and `data: [DONE]`).
//!
//! As on the Anthropic side, an image or audio part is refused with a 400
//! rather than silently dropped, and `n` above 1 is refused: a cascade
//! judges one answer. Unknown fields (`user`, `seed`, `metadata`, ...) are
//! ignored, never refused.

use crate::json_in::Json;
use crate::json_out::JsonOut;
use crate::types::{FinishReason, Message, Role};

use super::{parse_body, read_max_tokens, read_temperature, BadRequest, Inbound, InboundTool, Outcome};

/// Read a Chat Completions request body.
pub fn read_request(body: &str) -> Result<Inbound, BadRequest> {
    let v = parse_body(body)?;
    let model = v.field("model").as_str().filter(|m| !m.is_empty());
    let model = model.ok_or_else(|| BadRequest("model: required, expected a string".into()))?.to_string();
    if v.field("n").as_u64().is_some_and(|n| n > 1) {
        return Err(BadRequest("n: only 1 is supported (a cascade judges one answer)".into()));
    }
    let turns = v.field("messages").as_array();
    let turns = turns.ok_or_else(|| BadRequest("messages: required, expected an array".into()))?;
    let mut messages = Vec::with_capacity(turns.len());
    for (i, turn) in turns.iter().enumerate() {
        read_turn(turn, i, &mut messages)?;
    }
    let max_tokens = match v.field("max_completion_tokens") {
        Json::Null => read_max_tokens(v.field("max_tokens"), "max_tokens")?,
        n => read_max_tokens(n, "max_completion_tokens")?,
    };
    Ok(Inbound {
        model,
        stream: v.field("stream").as_bool().unwrap_or(false),
        include_usage: v.field("stream_options").field("include_usage").as_bool().unwrap_or(false),
        messages,
        max_tokens,
        temperature: read_temperature(v.field("temperature"))?,
        tools: read_tools(v.field("tools"))?,
        tool_choice: match v.field("tool_choice") {
            Json::Null => None,
            c => Some(super::json_text(c)),
        },
        response_format: response_format(v.field("response_format"))?,
    })
}

fn read_turn(turn: &Json<'_>, i: usize, out: &mut Vec<Message>) -> Result<(), BadRequest> {
    let role = match turn.field("role").as_str() {
        Some("system" | "developer") => Role::System,
        Some("user") => Role::User,
        Some("assistant") => Role::Assistant,
        Some("tool") => Role::Tool,
        _ => return Err(BadRequest(format!("messages[{i}].role: expected system, user, assistant or tool"))),
    };
    // As on the Anthropic side, a user's text parts are turns of their own.
    if role == Role::User {
        if let Json::Array(parts) = turn.field("content") {
            for (j, p) in parts.iter().enumerate() {
                match p.field("type").as_str() {
                    Some("text") => out.push(Message::user(p.field("text").as_str().unwrap_or(""))),
                    _ => {
                        return Err(BadRequest(format!(
                            "messages[{i}].content[{j}]: only text parts are supported by this proxy yet"
                        )))
                    }
                }
            }
            return Ok(());
        }
    }
    let content = match turn.field("content") {
        Json::Null => String::new(),
        Json::String(s) => s.to_string(),
        Json::Array(parts) => {
            let mut text = String::new();
            for (j, p) in parts.iter().enumerate() {
                match p.field("type").as_str() {
                    Some("text") => {
                        if !text.is_empty() {
                            text.push_str("\n\n");
                        }
                        text.push_str(p.field("text").as_str().unwrap_or(""));
                    }
                    Some("refusal") => text.push_str(p.field("refusal").as_str().unwrap_or("")),
                    _ => {
                        return Err(BadRequest(format!(
                            "messages[{i}].content[{j}]: only text parts are supported by this proxy yet"
                        )))
                    }
                }
            }
            text
        }
        _ => return Err(BadRequest(format!("messages[{i}].content: expected a string or an array of parts"))),
    };
    let mut m = Message::new(role, content);
    for c in turn.field("tool_calls").as_array().unwrap_or(&[]) {
        let f = c.field("function");
        let args = f.field("arguments").as_str().unwrap_or("{}").to_string();
        m.tool_calls.push(super::history_call(
            c.field("id").as_str().unwrap_or(""),
            f.field("name").as_str().unwrap_or(""),
            args,
        ));
    }
    if role == Role::Tool {
        m.tool_call_id = Some(turn.field("tool_call_id").as_str().unwrap_or("").to_string());
    }
    out.push(m);
    Ok(())
}

fn read_tools(v: &Json<'_>) -> Result<Vec<InboundTool>, BadRequest> {
    let Some(list) = v.as_array() else {
        return if v.is_null() { Ok(Vec::new()) } else { Err(BadRequest("tools: expected an array".into())) };
    };
    let mut out = Vec::with_capacity(list.len());
    for (i, t) in list.iter().enumerate() {
        let f = t.field("function");
        let name = f.field("name").as_str().filter(|n| !n.is_empty());
        let name = name.ok_or_else(|| BadRequest(format!("tools[{i}].function.name: required")))?;
        out.push(InboundTool {
            name: name.to_string(),
            description: f.field("description").as_str().unwrap_or("").to_string(),
            schema: match f.get("parameters") {
                Some(p) if p.is_object() => super::json_text(p),
                _ => "{}".into(),
            },
        });
    }
    Ok(out)
}

/// OpenAI's `response_format` in the engine's `responseFormat` shape:
/// `json_schema.{name, schema}` lifted one level up.
fn response_format(v: &Json<'_>) -> Result<Option<String>, BadRequest> {
    let mut o = JsonOut::with_capacity(64);
    match v.field("type").as_str() {
        None if v.is_null() => return Ok(None),
        Some("text") => return Ok(None),
        Some("json_object") => {
            o.begin_object();
            o.str_field("type", "json_object");
            o.end_object();
        }
        Some("json_schema") => {
            let s = v.field("json_schema");
            let schema = s.get("schema").filter(|x| x.is_object());
            let schema = schema.ok_or_else(|| BadRequest("response_format.json_schema.schema: required".into()))?;
            o.begin_object();
            o.str_field("type", "json_schema");
            o.key("name");
            o.opt_str(s.field("name").as_str());
            o.key("schema");
            o.raw(&super::json_text(schema));
            o.end_object();
        }
        _ => return Err(BadRequest("response_format.type: expected text, json_object or json_schema".into())),
    }
    Ok(Some(o.finish()))
}

fn finish_reason(f: FinishReason) -> &'static str {
    match f {
        FinishReason::Length => "length",
        FinishReason::ToolCalls => "tool_calls",
        FinishReason::ContentFilter => "content_filter",
        FinishReason::Stop | FinishReason::Unknown => "stop",
    }
}

fn usage(o: &mut JsonOut, r: &Outcome) {
    o.key("usage");
    o.begin_object();
    o.u64_field("prompt_tokens", r.input_tokens);
    o.u64_field("completion_tokens", r.output_tokens);
    o.u64_field("total_tokens", r.input_tokens.saturating_add(r.output_tokens));
    o.end_object();
}

fn tool_calls(o: &mut JsonOut, r: &Outcome, indexed: bool) {
    o.key("tool_calls");
    o.begin_array();
    for (i, c) in r.tool_calls.iter().enumerate() {
        o.begin_object();
        if indexed {
            o.u64_field("index", i as u64);
        }
        o.str_field("id", &c.id);
        o.str_field("type", "function");
        o.key("function");
        o.begin_object();
        o.str_field("name", &c.name);
        o.str_field("arguments", &c.arguments_raw);
        o.end_object();
        o.end_object();
    }
    o.end_array();
}

/// The opening of a completion or chunk object; `created` in Unix seconds
/// comes from the host (the core reads no clock).
fn head(o: &mut JsonOut, id: &str, object: &str, created: u64, model: &str) {
    o.begin_object();
    o.str_field("id", id);
    o.str_field("object", object);
    o.u64_field("created", created);
    o.str_field("model", model);
}

/// A `chat.completion` body for the outcome.
pub fn write_response(r: &Outcome, id: &str, created: u64) -> String {
    let mut o = JsonOut::with_capacity(r.content.len().saturating_add(320));
    head(&mut o, id, "chat.completion", created, &r.model);
    o.key("choices");
    o.begin_array();
    o.begin_object();
    o.u64_field("index", 0);
    o.key("message");
    o.begin_object();
    o.str_field("role", "assistant");
    o.key("content");
    if r.content.is_empty() && (r.refusal.is_some() || !r.tool_calls.is_empty()) {
        o.null();
    } else {
        o.str(&r.content);
    }
    o.key("refusal");
    o.opt_str(r.refusal.as_deref());
    if !r.tool_calls.is_empty() {
        tool_calls(&mut o, r, false);
    }
    o.end_object();
    o.key("logprobs");
    o.null();
    o.str_field("finish_reason", finish_reason(r.finish_reason));
    o.end_object();
    o.end_array();
    usage(&mut o, r);
    o.end_object();
    o.finish()
}

/// `{"error":{"message","type","param":null,"code"}}`.
pub fn error_body(kind: &str, code: &str, message: &str) -> String {
    let mut o = JsonOut::with_capacity(message.len().saturating_add(96));
    o.begin_object();
    o.key("error");
    o.begin_object();
    o.str_field("message", message);
    o.str_field("type", kind);
    o.key("param");
    o.null();
    o.str_field("code", code);
    o.end_object();
    o.end_object();
    o.finish()
}

/// Writes `chat.completion.chunk`s as the cascade's stream events come.
#[derive(Debug)]
pub struct StreamWriter {
    id: String,
    created: u64,
    include_usage: bool,
    started: bool,
    streamed_text: bool,
}

fn data(out: &mut String, json: &str) {
    out.push_str("data: ");
    out.push_str(json);
    out.push_str("\n\n");
}

impl StreamWriter {
    pub fn new(id: &str, created: u64, include_usage: bool) -> StreamWriter {
        StreamWriter { id: id.to_string(), created, include_usage, started: false, streamed_text: false }
    }

    /// One chunk with a single choice carrying `delta`, written by `f`.
    fn chunk(&self, out: &mut String, model: &str, f: impl FnOnce(&mut JsonOut), finish: Option<&str>) {
        let mut o = JsonOut::with_capacity(192);
        head(&mut o, &self.id, "chat.completion.chunk", self.created, model);
        o.key("choices");
        o.begin_array();
        o.begin_object();
        o.u64_field("index", 0);
        o.key("delta");
        o.begin_object();
        f(&mut o);
        o.end_object();
        o.key("logprobs");
        o.null();
        o.key("finish_reason");
        o.opt_str(finish);
        o.end_object();
        o.end_array();
        o.end_object();
        data(out, &o.finish());
    }

    fn start(&mut self, out: &mut String, model: &str) {
        if !self.started {
            self.started = true;
            self.chunk(
                out,
                model,
                |o| {
                    o.str_field("role", "assistant");
                    o.str_field("content", "");
                },
                None,
            );
        }
    }

    pub fn text(&mut self, text: &str, model: &str) -> String {
        let mut out = String::with_capacity(text.len().saturating_add(192));
        self.start(&mut out, model);
        if !text.is_empty() {
            self.streamed_text = true;
            self.chunk(&mut out, model, |o| o.str_field("content", text), None);
        }
        out
    }

    /// The end: a refusal, the tool calls, the finish reason, usage if
    /// asked for, `[DONE]`.
    pub fn finish(&mut self, r: &Outcome) -> String {
        let mut out = String::with_capacity(384);
        self.start(&mut out, &r.model);
        if !self.streamed_text && !r.content.is_empty() {
            let text = r.content.clone();
            out.push_str(&self.text(&text, &r.model));
        }
        if let Some(words) = &r.refusal {
            self.chunk(&mut out, &r.model, |o| o.str_field("refusal", words), None);
        }
        if !r.tool_calls.is_empty() {
            self.chunk(&mut out, &r.model, |o| tool_calls(o, r, true), None);
        }
        self.chunk(&mut out, &r.model, |_| {}, Some(finish_reason(r.finish_reason)));
        if self.include_usage {
            let mut o = JsonOut::with_capacity(192);
            head(&mut o, &self.id, "chat.completion.chunk", self.created, &r.model);
            o.key("choices");
            o.begin_array();
            o.end_array();
            usage(&mut o, r);
            o.end_object();
            data(&mut out, &o.finish());
        }
        out.push_str("data: [DONE]\n\n");
        out
    }

    /// A failure after the stream began: an error object in a data frame,
    /// which the official SDK raises as an APIError.
    pub fn error(&mut self, kind: &str, code: &str, message: &str) -> String {
        let mut out = String::new();
        data(&mut out, &error_body(kind, code, message));
        out
    }
}
