//! Provider-neutral request and response types.
//!
//! Every codec translates between these and its own wire format, so the
//! cascade, the judge and the pricing never see a provider's JSON.

use crate::value::Value;

use crate::json_out::{JsonOut, ToJson};
use crate::shape::{Shape, Sink};

mod read;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    System,
    User,
    Assistant,
    Tool,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::System => "system",
            Role::User => "user",
            Role::Assistant => "assistant",
            Role::Tool => "tool",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Message {
    pub role: Role,
    pub content: String,
    /// Tool calls an assistant turn made (fed back in a tool loop).
    pub tool_calls: Vec<ToolCall>,
    /// For `Role::Tool`: which call this message answers.
    pub tool_call_id: Option<String>,
}

impl Message {
    pub fn new(role: Role, content: impl Into<String>) -> Self {
        Message { role, content: content.into(), tool_calls: Vec::new(), tool_call_id: None }
    }
    pub fn user(content: impl Into<String>) -> Self {
        Self::new(Role::User, content)
    }
    pub fn system(content: impl Into<String>) -> Self {
        Self::new(Role::System, content)
    }
}

/// The camelCase shape JS sees (a custom provider's request), the one `from_value` reads back.
impl ToJson for Message {
    fn write_json(&self, o: &mut JsonOut) {
        o.begin_object();
        o.str_field("role", self.role.as_str());
        o.str_field("content", &self.content);
        if !self.tool_calls.is_empty() {
            o.key("toolCalls");
            o.each(&self.tool_calls);
        }
        if let Some(id) = &self.tool_call_id {
            o.str_field("toolCallId", id);
        }
        o.end_object();
    }
}

/// A tool the model may call, in the OpenAI function shape.
#[derive(Clone, Debug, PartialEq)]
pub struct ToolSpec {
    pub name: String,
    pub description: String,
    /// JSON Schema of the arguments object.
    pub parameters: Value,
}

impl Shape for Usage {
    fn shape<S: Sink>(&self, s: &mut S) {
        s.u64("inputTokens", self.input_tokens);
        s.u64("outputTokens", self.output_tokens);
        s.u64("reasoningTokens", self.reasoning_tokens);
        s.u64("cacheReadTokens", self.cache_read_tokens);
        s.u64("cacheWriteTokens", self.cache_write_tokens);
        s.flag("estimated", self.estimated);
    }
}

/// In results and events, the same camelCase shape `from_value` reads back.
impl ToJson for ToolCall {
    fn write_json(&self, o: &mut JsonOut) {
        o.begin_object();
        o.str_field("id", &self.id);
        o.str_field("name", &self.name);
        o.str_field("argumentsRaw", &self.arguments_raw);
        o.key("arguments");
        match &self.arguments {
            Some(v) => o.value(v),
            None => o.null(),
        }
        o.end_object();
    }
}

/// A normalised tool call: arguments both as the raw text the model wrote and
/// parsed (when it parses), so the judge can tell a malformed call apart.
#[derive(Clone, Debug, PartialEq)]
pub struct ToolCall {
    pub id: String,
    pub name: String,
    pub arguments_raw: String,
    pub arguments: Option<Value>,
}

impl ToolCall {
    /// A call made without arguments comes as `""`, `null` or nothing at
    /// all depending on the wire; it becomes `{}` here, once for every
    /// codec and both paths, so `arguments_raw` is always JSON a caller can
    /// parse and send back.
    pub fn new(id: impl Into<String>, name: impl Into<String>, raw: impl Into<String>) -> Self {
        let mut raw = raw.into();
        if raw.trim().is_empty() {
            raw = "{}".to_string();
        }
        let arguments = crate::value::from_str(&raw).ok();
        ToolCall { id: id.into(), name: name.into(), arguments_raw: raw, arguments }
    }
}

/// Servers differ in how a tool's name streams: OpenAI sends it once,
/// OpenRouter routing to Novita repeats it whole in every delta, a few
/// servers resend the name so far, and some split it. A piece that starts
/// with what is stored (the same name again, or a longer prefix of it)
/// replaces it; anything else continues it. The one case this reads wrong,
/// a split whose second half starts with the whole first half ("ab" then
/// "abc" meaning "ababc"), no known server produces.
pub fn merge_tool_name(stored: &mut String, piece: &str) {
    if piece.starts_with(stored.as_str()) {
        piece.clone_into(stored);
    } else {
        stored.push_str(piece);
    }
}

/// A content block the engine passes through without acting on it:
/// Anthropic's server-side tools (web search, web fetch, code execution),
/// MCP connector calls, their results, and block types added after this
/// code. The caller never defined those tools, so they must not come back
/// as `ToolCall`s to run; they are kept whole so a caller can still see
/// what the provider did (sources searched, code run).
#[derive(Clone, Debug, PartialEq)]
pub struct RawBlock {
    /// The block's `type` (`server_tool_use`, `web_search_tool_result`, ...).
    pub kind: String,
    /// The whole block as JSON text, streamed `input` included.
    pub json: String,
}

/// The block as the provider sent it: an object with its `type`.
impl ToJson for RawBlock {
    fn write_json(&self, o: &mut JsonOut) {
        o.raw(&self.json);
    }
}

impl ToJson for ToolSpec {
    fn write_json(&self, o: &mut JsonOut) {
        o.begin_object();
        o.str_field("name", &self.name);
        o.str_field("description", &self.description);
        o.key("parameters");
        o.value(&self.parameters);
        o.end_object();
    }
}

/// `{type: 'text' | 'json_object'}` or `{type: 'json_schema', name, schema}`,
/// as the options give it.
impl ToJson for ResponseFormat {
    fn write_json(&self, o: &mut JsonOut) {
        o.begin_object();
        match self {
            ResponseFormat::Text => o.str_field("type", "text"),
            ResponseFormat::JsonObject => o.str_field("type", "json_object"),
            ResponseFormat::JsonSchema { name, schema } => {
                o.str_field("type", "json_schema");
                o.key("name");
                o.opt_str(name.as_deref());
                o.key("schema");
                o.value(schema);
            }
        }
        o.end_object();
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum ResponseFormat {
    Text,
    JsonObject,
    JsonSchema { name: Option<String>, schema: Value },
}

/// One request as the engine sees it, before a codec shapes it for a wire.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ChatRequest {
    pub messages: Vec<Message>,
    pub max_tokens: Option<u32>,
    pub temperature: Option<f64>,
    pub tools: Vec<ToolSpec>,
    pub tool_choice: Option<Value>,
    pub response_format: Option<ResponseFormat>,
    /// Ask for token logprobs where the wire offers them (the judge uses them).
    pub logprobs: bool,
}

impl ChatRequest {
    /// The last user turn: what the judge compares the answer against.
    pub fn query_text(&self) -> &str {
        self.messages.iter().rev().find(|m| m.role == Role::User).map(|m| m.content.as_str()).unwrap_or("")
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum FinishReason {
    #[default]
    Stop,
    /// Cut by the token limit: the answer is truncated.
    Length,
    ToolCalls,
    ContentFilter,
    /// The provider gave none (or one we don't know).
    Unknown,
}

impl FinishReason {
    /// The serialised name (`tool_calls`, not `ToolCalls`).
    pub fn as_str(self) -> &'static str {
        match self {
            FinishReason::Stop => "stop",
            FinishReason::Length => "length",
            FinishReason::ToolCalls => "tool_calls",
            FinishReason::ContentFilter => "content_filter",
            FinishReason::Unknown => "unknown",
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Usage {
    pub input_tokens: u64,
    pub output_tokens: u64,
    /// Part of `output_tokens` spent on hidden reasoning (priced as output).
    pub reasoning_tokens: u64,
    /// Anthropic prompt caching: tokens read from / written to the cache,
    /// reported apart from `input_tokens` and priced at their own rates.
    pub cache_read_tokens: u64,
    pub cache_write_tokens: u64,
    /// True when the provider reported no usage and we counted it ourselves.
    pub estimated: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TopLogprob {
    pub token: String,
    pub logprob: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TokenLogprob {
    pub token: String,
    pub logprob: f64,
    pub top_logprobs: Vec<TopLogprob>,
}

/// A provider's answer, parsed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Completion {
    pub content: String,
    pub tool_calls: Vec<ToolCall>,
    pub finish_reason: FinishReason,
    pub usage: Option<Usage>,
    pub logprobs: Option<Vec<TokenLogprob>>,
    /// Extended-thinking / reasoning text: never the answer, kept apart.
    pub thinking: Option<String>,
    /// The model declined (OpenAI's `refusal`): its words, apart from
    /// `content`, which stays empty, so a judge can tell a refusal from an
    /// empty answer and a caller can show why there is none.
    pub refusal: Option<String>,
    /// Blocks passed through untouched (see `RawBlock`), in answer order.
    pub raw_blocks: Vec<RawBlock>,
    /// The model id the provider says answered, if it says.
    pub model: Option<String>,
    /// Why the provider stopped, in its own words, beyond the finish
    /// reason: Anthropic's `stop_details` on a refusal, the categories
    /// Azure's filter flagged. What the caller is told when a filter cut
    /// the answer.
    pub stop_detail: Option<String>,
    /// Stream events that were not JSON and were skipped (0 for a plain
    /// answer): reported on the attempt, so a caller can see an answer
    /// that may have a gap.
    pub malformed_events: u32,
}

/// One decoded piece of a provider stream, already neutral.
#[derive(Clone, Debug, PartialEq)]
pub enum StreamDelta {
    Text(String),
    Thinking(String),
    /// A piece of the model's refusal (never part of the answer text).
    Refusal(String),
    /// Pass-through block number `index` (counting such blocks only) began;
    /// `json` is the block as it started, its `input` still to stream.
    RawBlock {
        index: usize,
        kind: String,
        json: String,
    },
    /// A fragment of the `input` JSON of pass-through block `index`.
    RawBlockInput {
        index: usize,
        partial_json: String,
    },
    /// A fragment of tool call number `index`; `id` and `name` come once.
    ToolCall {
        index: usize,
        id: Option<String>,
        name: Option<String>,
        arguments: String,
    },
    Logprobs(Vec<TokenLogprob>),
    /// Usage numbers; a later one overrides the fields it sets (non-zero).
    Usage(Usage),
    Finish(FinishReason),
    /// The provider's own words on why it stopped (see `Completion::stop_detail`).
    StopDetail(String),
    /// The wire's explicit end (`[DONE]`, `message_stop`, `done: true`).
    Done,
}
