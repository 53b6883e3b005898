//! Newline-delimited JSON decoder (Ollama streams one object per line).
//!
//! Split-safe like the SSE decoder: only complete lines are handed out. A
//! bad line's error names its number and a short excerpt, and decoding
//! carries on, so the caller decides whether one bad line ends the stream.

use super::lines::{Line, LineSplitter};
use super::{preview, MAX_EVENT_BYTES};
use crate::error::CascadeError;
use crate::json_in::Json;

/// One complete, non-blank line. It stays text until read, because the
/// values read from it borrow from it.
#[derive(Clone, Debug, PartialEq)]
pub struct NdjsonLine {
    /// 1-based, blank lines included.
    pub number: usize,
    pub text: String,
}

impl NdjsonLine {
    pub fn json(&self) -> Result<Json<'_>, CascadeError> {
        Json::parse_str(&self.text).map_err(|e| {
            CascadeError::bad_response(format!(
                "NDJSON line {} is not valid JSON ({e}): {}",
                self.number,
                preview(&self.text, 80)
            ))
        })
    }
}

pub struct NdjsonDecoder {
    lines: LineSplitter,
    /// 1-based number of the last line seen, blank lines included.
    line_no: usize,
    max: usize,
}

impl Default for NdjsonDecoder {
    fn default() -> Self {
        Self::with_limit(MAX_EVENT_BYTES)
    }
}

impl NdjsonDecoder {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn with_limit(max: usize) -> Self {
        NdjsonDecoder { lines: LineSplitter::new(max), line_no: 0, max }
    }

    /// Feed body bytes; one result per complete non-blank line.
    pub fn push(&mut self, bytes: &[u8]) -> Vec<Result<NdjsonLine, CascadeError>> {
        let mut out = Vec::new();
        let mut lines = std::mem::replace(&mut self.lines, LineSplitter::new(0));
        lines.push(bytes, &mut |line| self.on_line(line, &mut out));
        self.lines = lines;
        out
    }

    /// The body ended: parse a last line that had no newline.
    pub fn finish(&mut self) -> Vec<Result<NdjsonLine, CascadeError>> {
        let mut out = Vec::new();
        let mut lines = std::mem::replace(&mut self.lines, LineSplitter::new(0));
        lines.finish(&mut |line| self.on_line(line, &mut out));
        self.lines = lines;
        out
    }

    fn on_line(&mut self, line: Line<'_>, out: &mut Vec<Result<NdjsonLine, CascadeError>>) {
        self.line_no = self.line_no.saturating_add(1);
        let bytes = match line {
            Line::Text(b) => b,
            Line::TooLong => {
                out.push(Err(CascadeError::bad_response(format!(
                    "NDJSON line {} is longer than {} bytes",
                    self.line_no, self.max
                ))));
                return;
            }
        };
        let text = String::from_utf8_lossy(bytes);
        if text.trim().is_empty() {
            return;
        }
        out.push(Ok(NdjsonLine { number: self.line_no, text: text.into_owned() }));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json;
    use crate::json_out::ToJson;
    use crate::value::Value;

    fn decode_chunks(chunks: &[&[u8]]) -> Vec<Result<Value, String>> {
        let read = |line: NdjsonLine| line.json().map(|v| crate::value::from_str(&v.to_json()).unwrap());
        let mut d = NdjsonDecoder::new();
        let mut out = Vec::new();
        for c in chunks {
            out.extend(d.push(c));
        }
        out.extend(d.finish());
        out.into_iter().map(|r| r.and_then(read).map_err(|e| e.message)).collect()
    }

    #[test]
    fn lines_blank_lines_and_crlf() {
        let got = decode_chunks(&[b"{\"a\":1}\n\n  \r\n{\"b\":\"\xC3\xA9\"}\r\n[1]"]);
        assert_eq!(got, vec![Ok(json!({"a":1})), Ok(json!({"b":"é"})), Ok(json!([1]))]);
    }

    #[test]
    fn bad_line_is_named_and_decoding_continues() {
        let got = decode_chunks(&[b"{\"a\":1}\n\n{oops\n{\"c\":3}\n"]);
        assert_eq!(got.len(), 3);
        let err = got.get(1).cloned().and_then(Result::err).unwrap_or_default();
        assert!(err.contains("line 3"), "{err}");
        assert!(err.contains("{oops"), "{err}");
        assert_eq!(got.get(2), Some(&Ok(json!({"c":3}))));
    }

    #[test]
    fn bad_line_preview_is_truncated() {
        let long = format!("{{{}\n", "x".repeat(1000));
        let got = decode_chunks(&[long.as_bytes()]);
        let err = got.first().cloned().and_then(Result::err).unwrap_or_default();
        assert!(err.len() < 300, "{err}");
        assert!(err.ends_with('…'), "{err}");
    }

    #[test]
    fn overlong_line_is_an_error_not_a_hang() {
        let mut d = NdjsonDecoder::with_limit(8);
        let got = d.push(b"{\"a\":\"0123456789\"}\n{}\n");
        assert_eq!(got.len(), 2);
        assert!(got.first().is_some_and(|r| r.is_err()));
        assert!(got.get(1).is_some_and(|r| r.as_ref().is_ok_and(|l| l.json().is_ok())));
    }

    const STREAM: &[u8] =
        "{\"message\":{\"content\":\"h€llo\"}}\r\n\n{\"done\":false}\r{\"x\":\"👋\"}\n{\"done\":true}".as_bytes();

    #[test]
    fn every_split_gives_identical_values() {
        let whole = decode_chunks(&[STREAM]);
        assert_eq!(whole.len(), 4);
        assert!(whole.iter().all(Result::is_ok));
        let bytes: Vec<&[u8]> = STREAM.chunks(1).collect();
        assert_eq!(decode_chunks(&bytes), whole, "byte by byte");
        for i in 0..=STREAM.len() {
            let (a, b) = STREAM.split_at(i);
            assert_eq!(decode_chunks(&[a, b]), whole, "split at {i}");
        }
    }
}
