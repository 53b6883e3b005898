//! The proxy's inbound codecs: the providers' mirror image.
//!
//! A provider codec writes a request and reads the answer; these read a
//! client's request (Anthropic Messages in `anthropic.rs`, OpenAI Chat
//! Completions in `openai.rs`) into one neutral [`Inbound`], and write the
//! cascade's neutral [`Outcome`] back as a body or a stream in the caller's
//! wire. The two files share only the types here, never each other's wire
//! shapes, so an OpenAI request answered by Anthropic tiers (or the other
//! way round) needs no code of its own.
//!
//! The inbound request is handed to the engine as a `CascadeAgent` run
//! (messages and options as JSON), and the result comes back as the run's
//! public JSON: the proxy drives the same engine a library caller does. The
//! reading is done with the borrowing `json_in` reader and the writing with
//! `json_out`, so tool schemas go through as the caller wrote them, byte
//! for byte, without a `Value` tree in between.

pub mod anthropic;
pub mod errors;
pub mod openai;
mod outcome;

#[cfg(test)]
mod tests;

pub use errors::{status_of, ErrorKind};
pub use outcome::Outcome;

use crate::json_in::Json;
use crate::json_out::{JsonOut, ToJson};
use crate::pricing::estimate_tokens;
use crate::types::{Message, ToolCall};

/// The two wires a client may speak to the proxy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wire {
    Anthropic,
    OpenAi,
}

impl Wire {
    pub fn parse(name: &str) -> Option<Wire> {
        match name {
            "anthropic" => Some(Wire::Anthropic),
            "openai" => Some(Wire::OpenAi),
            _ => None,
        }
    }
}

/// A tool the caller offers, with its JSON Schema kept as the caller's text.
#[derive(Clone, Debug, PartialEq)]
pub struct InboundTool {
    pub name: String,
    pub description: String,
    /// The schema object as JSON text (`{}` when the caller gave none).
    pub schema: String,
}

/// A client's request, read from either wire: what the cascade needs, and
/// how the answer must be sent back.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Inbound {
    /// The model the caller asked for: the route's key.
    pub model: String,
    pub stream: bool,
    /// OpenAI's `stream_options.include_usage`: a final usage chunk.
    pub include_usage: bool,
    /// System turns first (a system prompt given apart becomes one), then
    /// the conversation with tool calls and tool results as neutral turns.
    pub messages: Vec<Message>,
    pub max_tokens: Option<u32>,
    pub temperature: Option<f64>,
    pub tools: Vec<InboundTool>,
    /// In the OpenAI shape the engine's options take (`"auto"`,
    /// `"required"`, `"none"` or `{type: "function", function: {name}}`), as JSON text.
    pub tool_choice: Option<String>,
    /// In the engine's `responseFormat` shape, as JSON text.
    pub response_format: Option<String>,
}

/// Why a request could not be read: said to the caller as a 400 in its wire.
#[derive(Clone, Debug, PartialEq)]
pub struct BadRequest(pub String);

impl Inbound {
    /// The request's input tokens, estimated the way the engine estimates
    /// an unreported count (a token per four characters, never less than
    /// one for any text), plus a few for each turn's and tool's framing. An
    /// estimate: a cascade's tiers have different tokenizers, so no single
    /// exact count would be right for all of them.
    pub fn estimated_input_tokens(&self) -> u64 {
        let framing = 4u64;
        let turns = self.messages.iter().fold(0u64, |n, m| {
            let calls = m.tool_calls.iter().fold(0u64, |c, t| {
                c.saturating_add(estimate_tokens(&t.name)).saturating_add(estimate_tokens(&t.arguments_raw))
            });
            n.saturating_add(estimate_tokens(&m.content)).saturating_add(calls).saturating_add(framing)
        });
        self.tools.iter().fold(turns, |n, t| {
            n.saturating_add(estimate_tokens(&t.name))
                .saturating_add(estimate_tokens(&t.description))
                .saturating_add(estimate_tokens(&t.schema))
                .saturating_add(framing)
        })
    }

    /// The messages as `CascadeAgent.run` takes them.
    pub fn messages_json(&self) -> String {
        let mut o = JsonOut::with_capacity(256);
        o.each(&self.messages);
        o.finish()
    }

    /// The run options (`maxTokens`, `temperature`, `tools`, `toolChoice`,
    /// `responseFormat`), only those the caller set.
    pub fn options_json(&self) -> String {
        let mut o = JsonOut::with_capacity(64);
        o.begin_object();
        if let Some(n) = self.max_tokens {
            o.u64_field("maxTokens", u64::from(n));
        }
        if let Some(t) = self.temperature {
            o.f64_field("temperature", t);
        }
        if !self.tools.is_empty() {
            o.key("tools");
            o.begin_array();
            for t in &self.tools {
                o.begin_object();
                o.str_field("name", &t.name);
                o.str_field("description", &t.description);
                o.key("parameters");
                o.raw(&t.schema);
                o.end_object();
            }
            o.end_array();
        }
        if let Some(c) = &self.tool_choice {
            o.key("toolChoice");
            o.raw(c);
        }
        if let Some(f) = &self.response_format {
            o.key("responseFormat");
            o.raw(f);
        }
        o.end_object();
        o.finish()
    }

    /// `{model, stream, messages, options}`: what the JS handler needs to
    /// pick a route and start the run, in one JSON text.
    pub fn to_run_json(&self) -> String {
        let mut o = JsonOut::with_capacity(512);
        o.begin_object();
        o.str_field("model", &self.model);
        o.bool_field("stream", self.stream);
        o.bool_field("includeUsage", self.include_usage);
        o.key("messages");
        o.raw(&self.messages_json());
        o.key("options");
        o.raw(&self.options_json());
        o.end_object();
        o.finish()
    }
}

/// Parse a request body, refusing what is not a JSON object.
pub(crate) fn parse_body(body: &str) -> Result<Json<'_>, BadRequest> {
    let v = Json::parse_str(body).map_err(|e| BadRequest(format!("the request body is not valid JSON ({e})")))?;
    if v.is_object() {
        Ok(v)
    } else {
        Err(BadRequest("the request body must be a JSON object".into()))
    }
}

/// A JSON value written back as compact text.
pub(crate) fn json_text(v: &Json<'_>) -> String {
    v.to_json()
}

/// `max_tokens` as a u32, refusing what no model would take.
pub(crate) fn read_max_tokens(v: &Json<'_>, field: &str) -> Result<Option<u32>, BadRequest> {
    match v {
        Json::Null => Ok(None),
        _ => match v.as_u64().and_then(|n| u32::try_from(n).ok()) {
            Some(n) if n > 0 => Ok(Some(n)),
            _ => Err(BadRequest(format!("{field}: expected a positive integer"))),
        },
    }
}

pub(crate) fn read_temperature(v: &Json<'_>) -> Result<Option<f64>, BadRequest> {
    match v {
        Json::Null => Ok(None),
        _ => match v.as_f64() {
            Some(t) if t.is_finite() && t >= 0.0 => Ok(Some(t)),
            _ => Err(BadRequest("temperature: expected a non-negative number".into())),
        },
    }
}

/// A tool call from the caller's history; its arguments as JSON text.
pub(crate) fn history_call(id: &str, name: &str, arguments: String) -> ToolCall {
    ToolCall::new(id, name, arguments)
}

/// The tool call arguments as a JSON object's text: `{}` for arguments
/// that are not an object (Anthropic's `input` must be one).
pub(crate) fn arguments_object(raw: &str) -> &str {
    match Json::parse_str(raw) {
        Ok(v) if v.is_object() => raw,
        _ => "{}",
    }
}
