//! Anthropic streaming: typed SSE events (`message_start`,
//! `content_block_start/delta/stop`, `message_delta`, `message_stop`).
//!
//! Tool-call indexes count `tool_use` blocks only, not the raw block index:
//! a text block before the first tool must not make it "tool 1". Blocks
//! passed through (server tools and their results, see `RawBlock`) are
//! numbered the same way among themselves, and their streamed `input`
//! follows them, never a tool call.

use super::{map_stop, stop_details, usage};
use crate::error::CascadeError;
use crate::json_in::Json;
use crate::json_out::ToJson;
use crate::providers::common::{envelope_error, raw_arguments, reported_error, str_at, stream_error};
use crate::providers::sse_wire::{Read, SseStream, SseWire};
use crate::stream::preview;
use crate::stream::sse::SseEvent;
use crate::types::StreamDelta;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Block {
    Tool(usize),
    Raw(usize),
    Other,
}

pub type StreamParser = SseStream<Events>;

#[derive(Default)]
pub struct Events {
    /// Raw block index → what it is, for the deltas that refer to it.
    blocks: Vec<(u64, Block)>,
    tools_seen: usize,
    raw_seen: usize,
}

impl SseWire for Events {
    fn name(&self) -> &str {
        "anthropic"
    }

    fn event(&mut self, ev: &SseEvent, out: &mut Vec<StreamDelta>) -> Result<Read, CascadeError> {
        let data = ev.data.trim();
        if data.is_empty() {
            return Ok(Read::Used);
        }
        let v = match Json::parse_str(data) {
            Ok(v) => v,
            // An error event says so by its name, JSON or not.
            Err(_) if ev.event.as_deref() == Some("error") => {
                return Err(stream_error("anthropic", &preview(data, 300)))
            }
            Err(e) => {
                return Ok(Read::Unreadable(format!(
                    "anthropic: stream event is not valid JSON ({e}): {}",
                    preview(data, 120)
                )))
            }
        };
        let kind = v.get("type").and_then(Json::as_str).or(ev.event.as_deref()).unwrap_or("");
        if kind == "error" || v.get("error").is_some_and(|e| !e.is_null()) {
            let msg = envelope_error(&v).unwrap_or_else(|| preview(data, 300));
            return Err(reported_error("anthropic", &v, &msg, stream_error("anthropic", &msg)));
        }
        match kind {
            "message_start" => {
                if let Some(u) = v.pointer("/message/usage").filter(|u| u.is_object()) {
                    out.push(StreamDelta::Usage(usage(u)?));
                }
            }
            "content_block_start" => self.block_start(&v, out),
            "content_block_delta" => self.block_delta(&v, out),
            "message_delta" => {
                if let Some(u) = v.get("usage").filter(|u| u.is_object()) {
                    out.push(StreamDelta::Usage(usage(u)?));
                }
                if let Some(reason) = v.pointer("/delta/stop_reason").filter(|r| !r.is_null()) {
                    out.push(StreamDelta::Finish(map_stop(Some(reason))));
                }
                let details = v.pointer("/delta/stop_details").or_else(|| v.get("stop_details"));
                if let Some(d) = details.and_then(stop_details) {
                    out.push(StreamDelta::StopDetail(d));
                }
            }
            "message_stop" => out.push(StreamDelta::Done),
            // ping, content_block_stop, and event types added later.
            _ => {}
        }
        Ok(Read::Used)
    }
}

/// Take the next number of a count; the count cannot realistically reach
/// `usize::MAX`, and saturating keeps a hostile stream from panicking.
fn next(count: &mut usize) -> usize {
    let n = *count;
    *count = n.saturating_add(1);
    n
}

impl Events {
    fn block_start(&mut self, v: &Json, out: &mut Vec<StreamDelta>) {
        let index = v.get("index").and_then(Json::as_u64).unwrap_or(0);
        let block = v.field("content_block");
        let kind = match block.get("type").and_then(Json::as_str) {
            Some("tool_use") => {
                let tool = next(&mut self.tools_seen);
                // The input normally streams as deltas and starts as `{}`;
                // a proxy that sends it whole here is honoured.
                let input = block.get("input").filter(|i| matches!(i, Json::Object(fields) if !fields.is_empty()));
                out.push(StreamDelta::ToolCall {
                    index: tool,
                    id: str_at(block, "/id").map(str::to_string),
                    name: str_at(block, "/name").map(str::to_string),
                    arguments: raw_arguments(input),
                });
                Block::Tool(tool)
            }
            Some("text") => {
                if let Some(t) = str_at(block, "/text").filter(|t| !t.is_empty()) {
                    out.push(StreamDelta::Text(t.to_string()));
                }
                Block::Other
            }
            Some("thinking") => {
                if let Some(t) = str_at(block, "/thinking").filter(|t| !t.is_empty()) {
                    out.push(StreamDelta::Thinking(t.to_string()));
                }
                Block::Other
            }
            Some("redacted_thinking") | None => Block::Other,
            // server_tool_use, *_tool_result, mcp_tool_use, mcp_tool_result,
            // and whatever block type comes next: passed through.
            Some(other) => {
                let raw = next(&mut self.raw_seen);
                out.push(StreamDelta::RawBlock { index: raw, kind: other.to_string(), json: block.to_json() });
                Block::Raw(raw)
            }
        };
        self.blocks.retain(|(i, _)| *i != index);
        self.blocks.push((index, kind));
    }

    /// Deltas of a type this code does not know, or for a block it does not
    /// track, are skipped: the API adds both over time, and an answer must
    /// not be lost to a field the engine does not use.
    fn block_delta(&mut self, v: &Json, out: &mut Vec<StreamDelta>) {
        let index = v.get("index").and_then(Json::as_u64).unwrap_or(0);
        let delta = v.field("delta");
        match delta.get("type").and_then(Json::as_str) {
            Some("text_delta") => {
                if let Some(t) = str_at(delta, "/text").filter(|t| !t.is_empty()) {
                    out.push(StreamDelta::Text(t.to_string()));
                }
            }
            Some("thinking_delta") => {
                if let Some(t) = str_at(delta, "/thinking").filter(|t| !t.is_empty()) {
                    out.push(StreamDelta::Thinking(t.to_string()));
                }
            }
            Some("input_json_delta") => {
                let partial = str_at(delta, "/partial_json").unwrap_or("").to_string();
                match self.blocks.iter().find(|(i, _)| *i == index).map(|(_, b)| *b) {
                    Some(Block::Tool(tool)) => {
                        out.push(StreamDelta::ToolCall { index: tool, id: None, name: None, arguments: partial })
                    }
                    Some(Block::Raw(raw)) => out.push(StreamDelta::RawBlockInput { index: raw, partial_json: partial }),
                    Some(Block::Other) | None => {}
                }
            }
            // signature_delta, citations_delta (the cited text is already in
            // the answer), and delta types added later.
            _ => {}
        }
    }
}
