//! What every SSE wire shares: decoding the bytes into events, refusing a
//! stream whose events outgrow the decoder's limit, and the loop over
//! events. A wire says only what one event means (`SseWire::event`).

use super::common::oversized_event;
use super::StreamDecoder;
use crate::error::CascadeError;
use crate::stream::sse::{SseDecoder, SseEvent};
use crate::types::StreamDelta;

pub trait SseWire {
    /// For messages: "openai", "anthropic".
    const NAME: &'static str;
    fn event(&mut self, ev: &SseEvent, out: &mut Vec<StreamDelta>) -> Result<(), CascadeError>;
}

/// A wire's stream decoder: the SSE decoder and the wire's own state.
#[derive(Default)]
pub struct SseStream<W> {
    sse: SseDecoder,
    wire: W,
}

impl<W: SseWire> SseStream<W> {
    fn deltas(&mut self, events: Vec<SseEvent>) -> Result<Vec<StreamDelta>, CascadeError> {
        if self.sse.overflowed() {
            return Err(oversized_event(W::NAME));
        }
        let mut out = Vec::new();
        for ev in &events {
            self.wire.event(ev, &mut out)?;
        }
        Ok(out)
    }
}

impl<W: SseWire> StreamDecoder for SseStream<W> {
    fn feed(&mut self, bytes: &[u8]) -> Result<Vec<StreamDelta>, CascadeError> {
        let events = self.sse.push(bytes);
        self.deltas(events)
    }

    fn finish(&mut self) -> Result<Vec<StreamDelta>, CascadeError> {
        let events = self.sse.finish();
        self.deltas(events)
    }
}
