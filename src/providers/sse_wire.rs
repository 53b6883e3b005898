//! What every SSE wire shares: decoding the bytes into events, refusing a
//! stream whose events outgrow the decoder's limit, the loop over events,
//! and ignoring whatever follows the wire's terminator. A wire says only
//! what one event means (`SseWire::event`).

use super::common::oversized_event;
use super::{Skipped, StreamDecoder};
use crate::error::CascadeError;
use crate::stream::sse::{SseDecoder, SseEvent};
use crate::types::StreamDelta;

pub trait SseWire {
    /// For messages: "anthropic", or the configured provider on the
    /// OpenAI wire ("groq", "openrouter"), so errors name who failed.
    fn name(&self) -> &str;
    fn event(&mut self, ev: &SseEvent, out: &mut Vec<StreamDelta>) -> Result<Read, CascadeError>;
}

/// What one event was to its wire.
pub enum Read {
    Used,
    /// Not JSON at all (a proxy's stray line, a garbled write): skipped and
    /// counted rather than ending the answer; why, for the error if too many.
    Unreadable(String),
}

/// A wire's stream decoder: the SSE decoder and the wire's own state.
#[derive(Default)]
pub struct SseStream<W> {
    sse: SseDecoder,
    wire: W,
    /// The wire sent its terminator (`Done`). Nothing after it counts: a
    /// proxy that appends a debug line or a second answer after `[DONE]`
    /// must not change the answer, nor fail it.
    ended: bool,
    skipped: Skipped,
}

impl<W: SseWire> SseStream<W> {
    pub fn new(wire: W) -> Self {
        SseStream { sse: SseDecoder::default(), wire, ended: false, skipped: Skipped::default() }
    }

    fn deltas(&mut self, events: Vec<SseEvent>) -> Result<Vec<StreamDelta>, CascadeError> {
        if self.sse.overflowed() {
            return Err(oversized_event(self.wire.name()));
        }
        let mut out = Vec::new();
        for ev in &events {
            let before = out.len();
            match self.wire.event(ev, &mut out)? {
                Read::Used => self.skipped.read_after(out.len() > before),
                Read::Unreadable(why) => self.skipped.skip(why),
            }
            if out.last() == Some(&StreamDelta::Done) {
                self.ended = true;
                break;
            }
        }
        Ok(out)
    }
}

impl<W: SseWire> StreamDecoder for SseStream<W> {
    fn feed(&mut self, bytes: &[u8]) -> Result<Vec<StreamDelta>, CascadeError> {
        if self.ended {
            return Ok(Vec::new());
        }
        let events = self.sse.push(bytes);
        self.deltas(events)
    }

    fn finish(&mut self) -> Result<Vec<StreamDelta>, CascadeError> {
        if self.ended {
            return Ok(Vec::new());
        }
        let events = self.sse.finish();
        self.deltas(events)
    }

    fn limit_events(&mut self, max_bytes: usize) {
        self.sse = SseDecoder::with_limit(max_bytes);
    }

    fn skipped(&self) -> &Skipped {
        &self.skipped
    }
}
