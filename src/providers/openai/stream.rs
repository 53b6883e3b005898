//! OpenAI streaming: `chat.completion.chunk` events over SSE, ended by
//! `data: [DONE]`, with usage in a last chunk whose `choices` is empty.

use super::{content_parts, logprobs, map_finish, reasoning_text, refusal_text, usage, wrong_type};
use crate::error::CascadeError;
use crate::json_in::Json;
use crate::providers::common::{envelope_error, reported_error, stream_error};
use crate::providers::sse_wire::{Read, SseStream, SseWire};
use crate::stream::preview;
use crate::stream::sse::SseEvent;
use crate::types::{merge_tool_name, FinishReason, StreamDelta};

pub type StreamParser = SseStream<Events>;

/// A decoder whose errors name `provider`, the OpenAI-compatible service
/// actually configured.
pub fn stream_parser(provider: &str) -> StreamParser {
    SseStream::new(Events { provider: provider.to_string(), ..Events::default() })
}

/// Tool calls past this index keep whatever names they are sent: the
/// per-call memory below stays bounded whatever a stream claims.
const MAX_TRACKED_TOOLS: usize = 1024;

pub struct Events {
    provider: String,
    /// A `refusal` delta was seen: the closing `stop` becomes ContentFilter.
    refused: bool,
    /// Each tool call's name so far, to drop a name a server repeats in
    /// every delta before it reaches the accumulator or the caller's events.
    names: Vec<String>,
}

impl Default for Events {
    fn default() -> Self {
        Events { provider: "openai".to_string(), refused: false, names: Vec::new() }
    }
}

impl SseWire for Events {
    fn name(&self) -> &str {
        &self.provider
    }

    fn event(&mut self, ev: &SseEvent, out: &mut Vec<StreamDelta>) -> Result<Read, CascadeError> {
        let data = ev.data.trim();
        if data == "[DONE]" {
            out.push(StreamDelta::Done);
            return Ok(Read::Used);
        }
        if data.is_empty() {
            return Ok(Read::Used);
        }
        let provider = self.provider.as_str();
        let v = match Json::parse_str(data) {
            Ok(v) => v,
            // An error event says so by its name, JSON or not.
            Err(_) if ev.event.as_deref() == Some("error") => return Err(stream_error(provider, &preview(data, 300))),
            Err(e) => {
                return Ok(Read::Unreadable(format!(
                    "{provider}: stream event is not valid JSON ({e}): {}",
                    preview(data, 120)
                )))
            }
        };
        if let Some(msg) = envelope_error(&v) {
            return Err(reported_error(provider, &v, &msg, stream_error(provider, &msg)));
        }
        if ev.event.as_deref() == Some("error") {
            return Err(stream_error(provider, &preview(data, 300)));
        }
        let choices = v.get("choices").and_then(Json::as_array).unwrap_or(&[]);
        // With `n > 1` choices interleave; the engine asks for one, so only
        // choice 0 is read.
        for choice in choices.iter().filter(|c| c.get("index").and_then(Json::as_u64).unwrap_or(0) == 0) {
            self.choice_deltas(choice, out)?;
        }
        let usage_v = v.get("usage").filter(|u| u.is_object()).or_else(|| v.pointer("/x_groq/usage"));
        if let Some(u) = usage_v.filter(|u| u.is_object()) {
            out.push(StreamDelta::Usage(usage(u, &self.provider)?));
        }
        Ok(Read::Used)
    }
}

impl Events {
    fn choice_deltas(&mut self, choice: &Json, out: &mut Vec<StreamDelta>) -> Result<(), CascadeError> {
        let delta = choice.field("delta");
        if let Some(refusal) = refusal_text(delta) {
            self.refused = true;
            out.push(StreamDelta::Refusal(refusal));
        }
        if let Some(thinking) = reasoning_text(delta) {
            out.push(StreamDelta::Thinking(thinking));
        }
        // Mistral's reasoning models stream `content` as parts, thinking first.
        let parts = content_parts(delta.get("content"))
            .ok_or_else(|| wrong_type(&self.provider, "delta.content", "a string, null or an array of parts"))?;
        if !parts.thinking.is_empty() {
            out.push(StreamDelta::Thinking(parts.thinking));
        }
        if !parts.text.is_empty() {
            out.push(StreamDelta::Text(parts.text));
        }
        if let Some(calls) = delta.get("tool_calls").and_then(Json::as_array) {
            for (position, call) in calls.iter().enumerate() {
                let index =
                    call.get("index").and_then(Json::as_u64).and_then(|i| usize::try_from(i).ok()).unwrap_or(position);
                let text = |ptr: &str| call.pointer(ptr).and_then(Json::as_str).filter(|s| !s.is_empty());
                out.push(StreamDelta::ToolCall {
                    index,
                    id: text("/id").map(str::to_string),
                    name: text("/function/name").and_then(|n| self.new_name(index, n)),
                    arguments: text("/function/arguments").unwrap_or("").to_string(),
                });
            }
        }
        if let Some(lp) = choice.get("logprobs").and_then(logprobs).filter(|l| !l.is_empty()) {
            out.push(StreamDelta::Logprobs(lp));
        }
        // Azure's filter says on the choice which categories it flagged.
        if let Some(flagged) = crate::providers::classify::filtered_categories(choice) {
            out.push(StreamDelta::StopDetail(flagged));
        }
        if choice.get("finish_reason").is_some_and(|f| !f.is_null()) {
            let reason = match map_finish(choice.get("finish_reason")) {
                FinishReason::Stop if self.refused => FinishReason::ContentFilter,
                other => other,
            };
            out.push(StreamDelta::Finish(reason));
        }
        Ok(())
    }

    /// The name piece to pass on for call `index`, or `None` when it is the
    /// name already given (see `merge_tool_name` for the other shapes).
    fn new_name(&mut self, index: usize, piece: &str) -> Option<String> {
        if index >= MAX_TRACKED_TOOLS {
            return Some(piece.to_string());
        }
        while self.names.len() <= index {
            self.names.push(String::new());
        }
        let stored = self.names.get_mut(index)?;
        if stored == piece {
            return None;
        }
        merge_tool_name(stored, piece);
        Some(piece.to_string())
    }
}
