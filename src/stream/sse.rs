//! Server-sent events decoder, after the WHATWG event-stream rules.
//!
//! Providers stream as SSE (OpenAI, Anthropic, every OpenAI-compatible
//! server), and the network may cut the body anywhere, so bytes are buffered
//! until a line is complete and an event until its blank line.

use super::lines::{Line, LineSplitter};
use super::MAX_EVENT_BYTES;

/// One dispatched event. `data` lines are joined with `\n`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SseEvent {
    /// The `event:` field, when the server named the event.
    pub event: Option<String>,
    pub data: String,
}

pub struct SseDecoder {
    lines: LineSplitter,
    event: Option<String>,
    data: String,
    /// A `data:` field was seen: `data:` alone still yields an (empty) event.
    has_data: bool,
    /// The current event grew past the limit: drop it up to its blank line.
    discarding: bool,
    overflowed: bool,
    at_start: bool,
    max: usize,
}

impl Default for SseDecoder {
    fn default() -> Self {
        Self::with_limit(MAX_EVENT_BYTES)
    }
}

impl SseDecoder {
    pub fn new() -> Self {
        Self::default()
    }

    /// A decoder that drops any line or event larger than `max` bytes.
    pub fn with_limit(max: usize) -> Self {
        SseDecoder {
            lines: LineSplitter::new(max),
            event: None,
            data: String::new(),
            has_data: false,
            discarding: false,
            overflowed: false,
            at_start: true,
            max,
        }
    }

    /// Feed body bytes; returns every event completed by them.
    pub fn push(&mut self, bytes: &[u8]) -> Vec<SseEvent> {
        let mut out = Vec::new();
        let mut lines = std::mem::replace(&mut self.lines, LineSplitter::new(0));
        lines.push(bytes, &mut |line| self.on_line(line, &mut out));
        self.lines = lines;
        out
    }

    /// The body ended: a last event without its blank line is still dispatched.
    pub fn finish(&mut self) -> Vec<SseEvent> {
        let mut out = Vec::new();
        let mut lines = std::mem::replace(&mut self.lines, LineSplitter::new(0));
        lines.finish(&mut |line| self.on_line(line, &mut out));
        self.lines = lines;
        self.dispatch(&mut out);
        out
    }

    /// Whether some event was dropped for exceeding the size limit. Callers
    /// must treat this as a broken stream: an event is missing.
    pub fn overflowed(&self) -> bool {
        self.overflowed
    }

    fn on_line(&mut self, line: Line<'_>, out: &mut Vec<SseEvent>) {
        let bytes = match line {
            Line::Text(b) => b,
            Line::TooLong => {
                self.start_discarding();
                return;
            }
        };
        let mut bytes = bytes;
        if self.at_start {
            self.at_start = false;
            bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        }
        if bytes.is_empty() {
            self.dispatch(out);
            return;
        }
        if self.discarding || bytes.first() == Some(&b':') {
            return;
        }
        let text = String::from_utf8_lossy(bytes);
        let (field, value) = match text.split_once(':') {
            Some((f, v)) => (f, v.strip_prefix(' ').unwrap_or(v)),
            None => (text.as_ref(), ""),
        };
        match field {
            "data" => {
                if self.data.len().saturating_add(value.len()).saturating_add(1) > self.max {
                    self.start_discarding();
                    return;
                }
                if self.has_data {
                    self.data.push('\n');
                }
                self.data.push_str(value);
                self.has_data = true;
            }
            "event" => self.event = Some(value.to_string()),
            // `id` and `retry` matter only to reconnecting browsers.
            _ => {}
        }
    }

    fn start_discarding(&mut self) {
        self.discarding = true;
        self.overflowed = true;
        self.data = String::new();
        self.has_data = false;
    }

    fn dispatch(&mut self, out: &mut Vec<SseEvent>) {
        let event = self.event.take().filter(|e| !e.is_empty());
        if self.has_data && !self.discarding {
            out.push(SseEvent { event, data: std::mem::take(&mut self.data) });
        }
        self.data.clear();
        self.has_data = false;
        self.discarding = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(event: Option<&str>, data: &str) -> SseEvent {
        SseEvent { event: event.map(str::to_string), data: data.to_string() }
    }

    fn decode_chunks(chunks: &[&[u8]]) -> Vec<SseEvent> {
        let mut d = SseDecoder::new();
        let mut out = Vec::new();
        for c in chunks {
            out.extend(d.push(c));
        }
        out.extend(d.finish());
        out
    }

    fn decode(s: &[u8]) -> Vec<SseEvent> {
        decode_chunks(&[s])
    }

    #[test]
    fn basic_events_and_names() {
        let got = decode(b"data: a\n\nevent: ping\ndata: {}\n\n");
        assert_eq!(got, vec![ev(None, "a"), ev(Some("ping"), "{}")]);
    }

    #[test]
    fn multi_line_data_joined_with_newline() {
        assert_eq!(decode(b"data: one\ndata:two\ndata:  three\n\n"), vec![ev(None, "one\ntwo\n three")]);
    }

    #[test]
    fn comments_keepalives_and_unknown_fields_ignored() {
        let got = decode(b": keep-alive\n\n:\n\nid: 7\nretry: 10\nfoo\ndata: x\n\n");
        assert_eq!(got, vec![ev(None, "x")]);
    }

    #[test]
    fn empty_data_field_still_dispatches() {
        assert_eq!(decode(b"data\n\ndata:\n\n"), vec![ev(None, ""), ev(None, "")]);
    }

    #[test]
    fn event_without_data_is_not_dispatched_and_name_resets() {
        assert_eq!(decode(b"event: a\n\ndata: b\n\n"), vec![ev(None, "b")]);
    }

    #[test]
    fn crlf_and_cr_endings() {
        let want = vec![ev(Some("e"), "1"), ev(None, "2")];
        assert_eq!(decode(b"event: e\r\ndata: 1\r\n\r\ndata: 2\r\n\r\n"), want);
        assert_eq!(decode(b"event: e\rdata: 1\r\rdata: 2\r\r"), want);
    }

    #[test]
    fn last_event_without_blank_line_flushed_by_finish() {
        let mut d = SseDecoder::new();
        assert!(d.push(b"data: tail").is_empty());
        assert_eq!(d.finish(), vec![ev(None, "tail")]);
        assert!(d.finish().is_empty());
    }

    #[test]
    fn bom_stripped_only_at_start() {
        assert_eq!(decode("\u{FEFF}data: a\n\n".as_bytes()), vec![ev(None, "a")]);
    }

    #[test]
    fn utf8_split_mid_character() {
        let text = "data: héllo 👋 wörld\n\n".as_bytes();
        // Cut inside the 4-byte emoji.
        let cut = text.iter().position(|&b| b == 0xF0).unwrap_or(0) + 2;
        let (a, b) = text.split_at(cut);
        assert_eq!(decode_chunks(&[a, b]), vec![ev(None, "héllo 👋 wörld")]);
    }

    #[test]
    fn oversized_event_dropped_and_flagged_rest_survives() {
        let mut d = SseDecoder::with_limit(16);
        let mut got = d.push(b"data: 0123456789\ndata: 0123456789\n\ndata: ok\n\n");
        got.extend(d.finish());
        assert_eq!(got, vec![ev(None, "ok")]);
        assert!(d.overflowed());
    }

    const STREAM: &[u8] = "\u{FEFF}: hi\r\nevent: message_start\r\ndata: {\"a\":\"é\"}\r\n\r\n\
data: l1\rdata:l2\r\r:ka\n\ndata: 👋\n\nevent: end\ndata: [DONE]"
        .as_bytes();

    #[test]
    fn every_split_gives_identical_events() {
        let whole = decode(STREAM);
        assert_eq!(whole.len(), 4);
        let bytes: Vec<&[u8]> = STREAM.chunks(1).collect();
        assert_eq!(decode_chunks(&bytes), whole, "byte by byte");
        for i in 0..=STREAM.len() {
            let (a, b) = STREAM.split_at(i);
            assert_eq!(decode_chunks(&[a, b]), whole, "split at {i}");
        }
    }
}
