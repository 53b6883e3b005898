//! Typed events a streamed run emits, in order. The JS wrapper yields them
//! from `agent.stream()`; their shape is public and documented in the README.

use serde::Serialize;

use crate::quality::{CheckOutcome, Complexity, Domain};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum StreamMode {
    /// Hold a draft back until it is judged; release it only when accepted.
    #[default]
    Buffered,
    /// Show the draft as it arrives; on rejection an `escalated` event tells
    /// the consumer to discard what it showed.
    Live,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum Event {
    #[serde(rename_all = "camelCase")]
    Routing { complexity: Complexity, domain: Domain, plan: Vec<String>, mode: &'static str },
    #[serde(rename_all = "camelCase")]
    Chunk { text: String, model: String, tier: usize },
    #[serde(rename_all = "camelCase")]
    ToolCallDelta { index: usize, id: Option<String>, name: Option<String>, arguments: String, model: String },
    #[serde(rename_all = "camelCase")]
    DraftDecision {
        model: String,
        tier: usize,
        accepted: bool,
        score: f64,
        threshold: f64,
        reason: String,
        checks: Vec<CheckOutcome>,
    },
    /// `discard` is true when the consumer was shown text from `from` that
    /// is not the answer (live mode) and must drop it.
    #[serde(rename_all = "camelCase")]
    Escalated { from: String, to: String, reason: String, discard: bool },
    /// Tool loop: the caller's executor ran a call; its result goes back to
    /// the model in the next step, which starts with a new `routing` event.
    #[serde(rename_all = "camelCase")]
    ToolResult { step: usize, id: String, name: String, content: String },
}
