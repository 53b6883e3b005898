//! Anthropic Messages, served: a `POST /v1/messages` body read into an
//! [`Inbound`], and an [`Outcome`] written back as a Message or as the
//! Messages SSE sequence (`message_start`, one `content_block_*` triple per
//! block, `message_delta` with the stop reason and usage, `message_stop`),
//! every frame with its `event:` line, as the official SDK's stream helper
//! insists.
//!
//! What the neutral request cannot carry is refused with a 400 rather than
//! dropped: an image or document the drafter never saw would be answered
//! as if it were not there. Thinking blocks in the history are left out:
//! their signatures are only valid for the model that wrote them, and the
//! tiers may be another vendor's. Fields this codec does not know
//! (`metadata`, `top_k`, `anthropic-beta` features) are ignored, never
//! refused.

use crate::json_in::Json;
use crate::json_out::JsonOut;
use crate::types::{FinishReason, Message, Role};

use super::{
    arguments_object, parse_body, read_max_tokens, read_temperature, BadRequest, Inbound, InboundTool, Outcome,
};

/// Read a Messages request body.
pub fn read_request(body: &str) -> Result<Inbound, BadRequest> {
    let v = parse_body(body)?;
    let model = v.field("model").as_str().filter(|m| !m.is_empty());
    let model = model.ok_or_else(|| BadRequest("model: required, expected a string".into()))?.to_string();
    let mut messages = Vec::new();
    match v.field("system") {
        Json::Null => {}
        Json::String(s) => messages.push(Message::system(s.to_string())),
        blocks @ Json::Array(_) => messages.push(Message::system(block_text(blocks, "system")?)),
        _ => return Err(BadRequest("system: expected a string or an array of text blocks".into())),
    }
    let turns = v.field("messages").as_array();
    let turns = turns.ok_or_else(|| BadRequest("messages: required, expected an array".into()))?;
    for (i, turn) in turns.iter().enumerate() {
        read_turn(turn, i, &mut messages)?;
    }
    Ok(Inbound {
        model,
        stream: v.field("stream").as_bool().unwrap_or(false),
        include_usage: true,
        messages,
        max_tokens: read_max_tokens(v.field("max_tokens"), "max_tokens")?,
        temperature: read_temperature(v.field("temperature"))?,
        tools: read_tools(v.field("tools"))?,
        tool_choice: tool_choice(v.field("tool_choice")),
        response_format: None,
    })
}

/// One `{role, content}` turn: text, `tool_use` (assistant) and
/// `tool_result` (user) blocks become neutral turns in order.
///
/// Each text block of a user turn becomes a user message of its own: the
/// judge weighs a draft against the last one, and agentic clients put
/// context before the question in the same turn (Claude Code opens it with
/// a `<system-reminder>` describing the machine, which read as part of the
/// question made "What is 2+2?" look like a request for code and live
/// data). The provider codecs merge consecutive user messages back into
/// one turn, so the model still sees every block, in order.
fn read_turn(turn: &Json<'_>, i: usize, out: &mut Vec<Message>) -> Result<(), BadRequest> {
    let role = match turn.field("role").as_str() {
        Some("user") => Role::User,
        Some("assistant") => Role::Assistant,
        Some("system") => Role::System,
        _ => return Err(BadRequest(format!("messages[{i}].role: expected \"user\" or \"assistant\""))),
    };
    let content = turn.field("content");
    if let Some(s) = content.as_str() {
        out.push(Message::new(role, s.to_string()));
        return Ok(());
    }
    let blocks = content.as_array();
    let blocks = blocks.ok_or_else(|| BadRequest(format!("messages[{i}].content: expected a string or blocks")))?;
    let mut text = String::new();
    let mut calls = Vec::new();
    for (j, b) in blocks.iter().enumerate() {
        let at = format!("messages[{i}].content[{j}]");
        match b.field("type").as_str().unwrap_or("") {
            // A user's blocks stay separate turns (see `read_turn`'s note).
            "text" if role == Role::User => out.push(Message::user(b.field("text").as_str().unwrap_or(""))),
            "text" => append(&mut text, b.field("text").as_str().unwrap_or("")),
            "tool_use" => {
                let id = b.field("id").as_str().unwrap_or("");
                let name = b.field("name").as_str().unwrap_or("");
                calls.push(super::history_call(id, name, super::json_text(b.field("input"))));
            }
            "tool_result" => {
                let id = b.field("tool_use_id").as_str().unwrap_or("").to_string();
                let body = match b.field("content") {
                    Json::Null => String::new(),
                    Json::String(s) => s.to_string(),
                    blocks @ Json::Array(_) => block_text(blocks, &at)?,
                    _ => return Err(BadRequest(format!("{at}.content: expected a string or text blocks"))),
                };
                let mut m = Message::new(Role::Tool, body);
                m.tool_call_id = Some(id);
                out.push(m);
            }
            "thinking" | "redacted_thinking" => {}
            "image" | "document" => {
                return Err(BadRequest(format!("{at}: image and document blocks are not supported by this proxy yet")))
            }
            // Server tool blocks and later additions carry no text to judge.
            _ => {}
        }
    }
    if !text.is_empty() || !calls.is_empty() {
        let mut m = Message::new(role, text);
        m.tool_calls = calls;
        out.push(m);
    }
    Ok(())
}

/// The text of an array of blocks; a non-text block is refused (see the module note).
fn block_text(blocks: &Json<'_>, at: &str) -> Result<String, BadRequest> {
    let mut text = String::new();
    for (j, b) in blocks.as_array().unwrap_or(&[]).iter().enumerate() {
        match b.field("type").as_str() {
            Some("text") => append(&mut text, b.field("text").as_str().unwrap_or("")),
            _ => return Err(BadRequest(format!("{at}[{j}]: only text blocks are supported here"))),
        }
    }
    Ok(text)
}

/// Blocks of one turn are joined by a blank line, as a reader would see them.
fn append(text: &mut String, piece: &str) {
    if !text.is_empty() && !piece.is_empty() {
        text.push_str("\n\n");
    }
    text.push_str(piece);
}

/// Client tools (`{name, description, input_schema}`). Server tools
/// (`web_search_20250305`, ...) have no schema: the engine cannot offer
/// them to another vendor, so they are left out.
fn read_tools(v: &Json<'_>) -> Result<Vec<InboundTool>, BadRequest> {
    let Some(list) = v.as_array() else {
        return if v.is_null() { Ok(Vec::new()) } else { Err(BadRequest("tools: expected an array".into())) };
    };
    let mut out = Vec::with_capacity(list.len());
    for t in list {
        let (Some(name), Some(schema)) = (t.field("name").as_str(), t.get("input_schema")) else { continue };
        out.push(InboundTool {
            name: name.to_string(),
            description: t.field("description").as_str().unwrap_or("").to_string(),
            schema: super::json_text(schema),
        });
    }
    Ok(out)
}

/// Anthropic's `tool_choice` in the OpenAI shape the engine's options take.
fn tool_choice(v: &Json<'_>) -> Option<String> {
    let mut o = JsonOut::with_capacity(48);
    match v.field("type").as_str()? {
        "auto" => o.str("auto"),
        "any" => o.str("required"),
        "none" => o.str("none"),
        "tool" => {
            o.begin_object();
            o.str_field("type", "function");
            o.key("function");
            o.begin_object();
            o.str_field("name", v.field("name").as_str()?);
            o.end_object();
            o.end_object();
        }
        _ => return None,
    }
    Some(o.finish())
}

fn stop_reason(f: FinishReason) -> &'static str {
    match f {
        FinishReason::Length => "max_tokens",
        FinishReason::ToolCalls => "tool_use",
        FinishReason::ContentFilter => "refusal",
        FinishReason::Stop | FinishReason::Unknown => "end_turn",
    }
}

fn usage(o: &mut JsonOut, input: u64, output: u64) {
    o.key("usage");
    o.begin_object();
    o.u64_field("input_tokens", input);
    o.u64_field("output_tokens", output);
    o.end_object();
}

/// The text the caller reads: the answer, or the refusal's words.
fn answer_text(r: &Outcome) -> &str {
    match &r.refusal {
        Some(words) if r.content.is_empty() => words,
        _ => &r.content,
    }
}

/// A Message body for the outcome. `id` is the caller's message id
/// (`msg_...`), made by the host: the core has no randomness.
pub fn write_response(r: &Outcome, id: &str) -> String {
    let mut o = JsonOut::with_capacity(r.content.len().saturating_add(256));
    o.begin_object();
    o.str_field("id", id);
    o.str_field("type", "message");
    o.str_field("role", "assistant");
    o.str_field("model", &r.model);
    o.key("content");
    o.begin_array();
    let text = answer_text(r);
    if !text.is_empty() || r.tool_calls.is_empty() {
        o.begin_object();
        o.str_field("type", "text");
        o.str_field("text", text);
        o.end_object();
    }
    for c in &r.tool_calls {
        tool_use_block(&mut o, &c.id, &c.name, Some(arguments_object(&c.arguments_raw)));
    }
    o.end_array();
    o.str_field("stop_reason", stop_reason(r.finish_reason));
    o.key("stop_sequence");
    o.null();
    usage(&mut o, r.input_tokens, r.output_tokens);
    o.end_object();
    o.finish()
}

/// A `tool_use` block; `input` is `{}` at a stream's block start.
fn tool_use_block(o: &mut JsonOut, id: &str, name: &str, input: Option<&str>) {
    o.begin_object();
    o.str_field("type", "tool_use");
    o.str_field("id", id);
    o.str_field("name", name);
    o.key("input");
    o.raw(input.unwrap_or("{}"));
    o.end_object();
}

/// `{"type":"error","error":{"type":..., "message":...}}`.
pub fn error_body(kind: &str, message: &str) -> String {
    let mut o = JsonOut::with_capacity(message.len().saturating_add(96));
    o.begin_object();
    o.str_field("type", "error");
    o.key("error");
    o.begin_object();
    o.str_field("type", kind);
    o.str_field("message", message);
    o.end_object();
    o.end_object();
    o.finish()
}

/// Writes the SSE sequence as the cascade's stream events come. Text is
/// streamed as it is released (in buffered mode, only once the judge has
/// accepted it); tool calls, complete by then, are written at the end from
/// the result, each as one block.
#[derive(Debug)]
pub struct StreamWriter {
    id: String,
    started: bool,
    /// The index of the open text block, if one is open.
    text_block: Option<usize>,
    next_block: usize,
}

fn frame(out: &mut String, event: &str, data: &str) {
    out.push_str("event: ");
    out.push_str(event);
    out.push_str("\ndata: ");
    out.push_str(data);
    out.push_str("\n\n");
}

impl StreamWriter {
    pub fn new(id: &str) -> StreamWriter {
        StreamWriter { id: id.to_string(), started: false, text_block: None, next_block: 0 }
    }

    fn start(&mut self, out: &mut String, model: &str) {
        if self.started {
            return;
        }
        self.started = true;
        let mut o = JsonOut::with_capacity(192);
        o.begin_object();
        o.str_field("type", "message_start");
        o.key("message");
        o.begin_object();
        o.str_field("id", &self.id);
        o.str_field("type", "message");
        o.str_field("role", "assistant");
        o.str_field("model", model);
        o.key("content");
        o.begin_array();
        o.end_array();
        o.key("stop_reason");
        o.null();
        o.key("stop_sequence");
        o.null();
        usage(&mut o, 0, 0);
        o.end_object();
        o.end_object();
        frame(out, "message_start", &o.finish());
    }

    fn open_block(&mut self) -> usize {
        let index = self.next_block;
        self.next_block = self.next_block.saturating_add(1);
        index
    }

    fn close_text(&mut self, out: &mut String) {
        if let Some(index) = self.text_block.take() {
            block_stop(out, index);
        }
    }

    /// A piece of answer text from `model`.
    pub fn text(&mut self, text: &str, model: &str) -> String {
        let mut out = String::with_capacity(text.len().saturating_add(96));
        self.start(&mut out, model);
        if text.is_empty() {
            return out;
        }
        let index = match self.text_block {
            Some(i) => i,
            None => {
                let i = self.open_block();
                self.text_block = Some(i);
                let mut o = JsonOut::with_capacity(96);
                o.begin_object();
                o.str_field("type", "content_block_start");
                o.u64_field("index", i as u64);
                o.key("content_block");
                o.begin_object();
                o.str_field("type", "text");
                o.str_field("text", "");
                o.end_object();
                o.end_object();
                frame(&mut out, "content_block_start", &o.finish());
                i
            }
        };
        let mut o = JsonOut::with_capacity(text.len().saturating_add(64));
        o.begin_object();
        o.str_field("type", "content_block_delta");
        o.u64_field("index", index as u64);
        o.key("delta");
        o.begin_object();
        o.str_field("type", "text_delta");
        o.str_field("text", text);
        o.end_object();
        o.end_object();
        frame(&mut out, "content_block_delta", &o.finish());
        out
    }

    /// The end: any text not streamed (a refusal's words), the tool calls,
    /// the stop reason and usage, `message_stop`.
    pub fn finish(&mut self, r: &Outcome) -> String {
        let mut out = String::with_capacity(256);
        self.start(&mut out, &r.model);
        if self.next_block == 0 {
            let text = answer_text(r).to_string();
            out.push_str(&self.text(&text, &r.model));
        }
        self.close_text(&mut out);
        for c in &r.tool_calls {
            let index = self.open_block();
            let mut o = JsonOut::with_capacity(128);
            o.begin_object();
            o.str_field("type", "content_block_start");
            o.u64_field("index", index as u64);
            o.key("content_block");
            tool_use_block(&mut o, &c.id, &c.name, None);
            o.end_object();
            frame(&mut out, "content_block_start", &o.finish());
            let mut o = JsonOut::with_capacity(c.arguments_raw.len().saturating_add(64));
            o.begin_object();
            o.str_field("type", "content_block_delta");
            o.u64_field("index", index as u64);
            o.key("delta");
            o.begin_object();
            o.str_field("type", "input_json_delta");
            o.str_field("partial_json", arguments_object(&c.arguments_raw));
            o.end_object();
            o.end_object();
            frame(&mut out, "content_block_delta", &o.finish());
            block_stop(&mut out, index);
        }
        let mut o = JsonOut::with_capacity(128);
        o.begin_object();
        o.str_field("type", "message_delta");
        o.key("delta");
        o.begin_object();
        o.str_field("stop_reason", stop_reason(r.finish_reason));
        o.key("stop_sequence");
        o.null();
        o.end_object();
        usage(&mut o, r.input_tokens, r.output_tokens);
        o.end_object();
        frame(&mut out, "message_delta", &o.finish());
        frame(&mut out, "message_stop", "{\"type\":\"message_stop\"}");
        out
    }

    /// A failure after the stream began: Anthropic's `error` event.
    pub fn error(&mut self, kind: &str, message: &str) -> String {
        let mut out = String::new();
        frame(&mut out, "error", &error_body(kind, message));
        out
    }
}

fn block_stop(out: &mut String, index: usize) {
    let mut o = JsonOut::with_capacity(48);
    o.begin_object();
    o.str_field("type", "content_block_stop");
    o.u64_field("index", index as u64);
    o.end_object();
    frame(out, "content_block_stop", &o.finish());
}
