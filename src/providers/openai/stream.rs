//! OpenAI streaming: `chat.completion.chunk` events over SSE, ended by
//! `data: [DONE]`, with usage in a last chunk whose `choices` is empty.

use super::{logprobs, map_finish, reasoning_text, refused, usage};
use crate::error::CascadeError;
use crate::json_in::Json;
use crate::providers::common::{envelope_error, stream_error, u64_at};
use crate::providers::sse_wire::{SseStream, SseWire};
use crate::stream::preview;
use crate::stream::sse::SseEvent;
use crate::types::{FinishReason, StreamDelta};

pub type StreamParser = SseStream<Events>;

#[derive(Default)]
pub struct Events {
    /// A `refusal` delta was seen: the closing `stop` becomes ContentFilter.
    refused: bool,
}

impl SseWire for Events {
    const NAME: &'static str = "openai";

    fn event(&mut self, ev: &SseEvent, out: &mut Vec<StreamDelta>) -> Result<(), CascadeError> {
        decode_event(ev, out, &mut self.refused)
    }
}

fn decode_event(ev: &SseEvent, out: &mut Vec<StreamDelta>, refusal: &mut bool) -> Result<(), CascadeError> {
    let data = ev.data.trim();
    if data == "[DONE]" {
        out.push(StreamDelta::Done);
        return Ok(());
    }
    if data.is_empty() {
        return Ok(());
    }
    let v = Json::parse_str(data).map_err(|e| {
        CascadeError::bad_response(format!("openai: stream event is not valid JSON ({e}): {}", preview(data, 120)))
    })?;
    if let Some(msg) = envelope_error(&v) {
        return Err(stream_error("openai", &msg));
    }
    if ev.event.as_deref() == Some("error") {
        return Err(stream_error("openai", &preview(data, 300)));
    }
    let choices = v.get("choices").and_then(Json::as_array).unwrap_or(&[]);
    // With `n > 1` choices interleave; the engine asks for one, so only
    // choice 0 is read.
    for choice in choices.iter().filter(|c| u64_at(c, "/index") == 0) {
        choice_deltas(choice, out, refusal);
    }
    let usage_v = v.get("usage").filter(|u| u.is_object()).or_else(|| v.pointer("/x_groq/usage"));
    if let Some(u) = usage_v.filter(|u| u.is_object()) {
        out.push(StreamDelta::Usage(usage(u)));
    }
    Ok(())
}

fn choice_deltas(choice: &Json, out: &mut Vec<StreamDelta>, refusal: &mut bool) {
    let delta = choice.field("delta");
    *refusal |= refused(delta);
    if let Some(thinking) = reasoning_text(delta) {
        out.push(StreamDelta::Thinking(thinking));
    }
    if let Some(text) = delta.get("content").and_then(Json::as_str).filter(|s| !s.is_empty()) {
        out.push(StreamDelta::Text(text.to_string()));
    }
    if let Some(calls) = delta.get("tool_calls").and_then(Json::as_array) {
        for (position, call) in calls.iter().enumerate() {
            let index =
                call.get("index").and_then(Json::as_u64).and_then(|i| usize::try_from(i).ok()).unwrap_or(position);
            let text = |ptr: &str| call.pointer(ptr).and_then(Json::as_str).filter(|s| !s.is_empty());
            out.push(StreamDelta::ToolCall {
                index,
                id: text("/id").map(str::to_string),
                name: text("/function/name").map(str::to_string),
                arguments: text("/function/arguments").unwrap_or("").to_string(),
            });
        }
    }
    if let Some(lp) = choice.get("logprobs").and_then(logprobs).filter(|l| !l.is_empty()) {
        out.push(StreamDelta::Logprobs(lp));
    }
    if choice.get("finish_reason").is_some_and(|f| !f.is_null()) {
        let reason = match map_finish(choice.get("finish_reason")) {
            FinishReason::Stop if *refusal => FinishReason::ContentFilter,
            other => other,
        };
        out.push(StreamDelta::Finish(reason));
    }
}
