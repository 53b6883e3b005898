//! Ollama streaming: one JSON object per line, the last with `done: true`
//! and the token counts.

use super::{content, map_done, tool_call, usage};
use crate::error::CascadeError;
use crate::json_in::Json;
use crate::providers::common::{envelope_error, reported_error, str_at, stream_error};
use crate::providers::{Skipped, StreamDecoder};
use crate::stream::ndjson::{NdjsonDecoder, NdjsonLine};
use crate::types::StreamDelta;

#[derive(Default)]
pub struct StreamParser {
    lines: NdjsonDecoder,
    /// Tool calls arrive whole, one line each; this numbers them.
    tools_seen: usize,
    /// The `done: true` line came: nothing after it counts.
    ended: bool,
    skipped: Skipped,
}

impl StreamDecoder for StreamParser {
    fn feed(&mut self, bytes: &[u8]) -> Result<Vec<StreamDelta>, CascadeError> {
        if self.ended {
            return Ok(Vec::new());
        }
        let lines = self.lines.push(bytes);
        self.lines_to_deltas(lines)
    }

    fn finish(&mut self) -> Result<Vec<StreamDelta>, CascadeError> {
        if self.ended {
            return Ok(Vec::new());
        }
        let lines = self.lines.finish();
        self.lines_to_deltas(lines)
    }

    fn limit_events(&mut self, max_bytes: usize) {
        self.lines = NdjsonDecoder::with_limit(max_bytes);
    }

    fn skipped(&self) -> &Skipped {
        &self.skipped
    }
}

impl StreamParser {
    fn lines_to_deltas(
        &mut self,
        lines: Vec<Result<NdjsonLine, CascadeError>>,
    ) -> Result<Vec<StreamDelta>, CascadeError> {
        let mut out = Vec::new();
        for line in lines {
            if self.ended {
                break;
            }
            let in_ollama = |e: CascadeError| CascadeError::bad_response(format!("ollama: {}", e.message));
            // A line over the size limit ends the stream; one that is not JSON is skipped.
            let line = line.map_err(in_ollama)?;
            match line.json() {
                Ok(v) => {
                    let before = out.len();
                    self.line(&v, &mut out)?;
                    self.skipped.read_after(out.len() > before);
                }
                Err(e) => self.skipped.skip(format!("ollama: {}", e.message)),
            }
        }
        Ok(out)
    }

    fn line(&mut self, v: &Json, out: &mut Vec<StreamDelta>) -> Result<(), CascadeError> {
        if let Some(msg) = envelope_error(v) {
            return Err(reported_error("ollama", v, &msg, stream_error("ollama", &msg)));
        }
        let message = v.field("message");
        if let Some(t) = str_at(message, "/thinking").filter(|t| !t.is_empty()) {
            out.push(StreamDelta::Thinking(t.to_string()));
        }
        let text = content(message)?;
        if !text.is_empty() {
            out.push(StreamDelta::Text(text.to_string()));
        }
        for call in message.get("tool_calls").and_then(Json::as_array).unwrap_or(&[]) {
            let index = self.tools_seen;
            self.tools_seen = index.saturating_add(1);
            let tc = tool_call(call, index);
            out.push(StreamDelta::ToolCall {
                index,
                id: Some(tc.id),
                name: Some(tc.name),
                arguments: tc.arguments_raw,
            });
        }
        if v.get("done").and_then(Json::as_bool) == Some(true) {
            if let Some(u) = usage(v)? {
                out.push(StreamDelta::Usage(u));
            }
            out.push(StreamDelta::Finish(map_done(v.get("done_reason"), self.tools_seen > 0)));
            out.push(StreamDelta::Done);
            self.ended = true;
        }
        Ok(())
    }
}
