//! Typed events a streamed run emits, in order. The JS wrapper yields them
//! from `agent.stream()`; their shape is public and documented in the README.

use crate::json_out::{JsonOut, ToJson};
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

/// In JSON, `{"type": "routing" | "chunk" | "toolCallDelta" | "draftDecision"
/// | "escalated" | "toolResult", ...fields in camelCase}`.
#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    Routing { complexity: Complexity, domain: Domain, plan: Vec<String>, mode: &'static str },
    Chunk { text: String, model: String, tier: usize },
    ToolCallDelta { index: usize, id: Option<String>, name: Option<String>, arguments: String, model: String },
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
    Escalated { from: String, to: String, reason: String, discard: bool },
    /// Tool loop: the caller's executor ran a call; its result goes back to
    /// the model in the next step, which starts with a new `routing` event.
    ToolResult { step: usize, id: String, name: String, content: String },
}

impl ToJson for Event {
    fn write_json(&self, o: &mut JsonOut) {
        o.begin_object();
        o.key("type");
        match self {
            Event::Routing { complexity, domain, plan, mode } => {
                o.str("routing");
                o.key("complexity");
                o.str(complexity.as_str());
                o.key("domain");
                o.str(domain.as_str());
                o.key("plan");
                o.begin_array();
                for p in plan {
                    o.str(p);
                }
                o.end_array();
                o.key("mode");
                o.str(mode);
            }
            Event::Chunk { text, model, tier } => {
                o.str("chunk");
                o.key("text");
                o.str(text);
                o.key("model");
                o.str(model);
                o.key("tier");
                o.u64(*tier as u64);
            }
            Event::ToolCallDelta { index, id, name, arguments, model } => {
                o.str("toolCallDelta");
                o.key("index");
                o.u64(*index as u64);
                o.key("id");
                o.opt_str(id.as_deref());
                o.key("name");
                o.opt_str(name.as_deref());
                o.key("arguments");
                o.str(arguments);
                o.key("model");
                o.str(model);
            }
            Event::DraftDecision { model, tier, accepted, score, threshold, reason, checks } => {
                o.str("draftDecision");
                o.key("model");
                o.str(model);
                o.key("tier");
                o.u64(*tier as u64);
                o.key("accepted");
                o.bool(*accepted);
                o.key("score");
                o.f64(*score);
                o.key("threshold");
                o.f64(*threshold);
                o.key("reason");
                o.str(reason);
                o.key("checks");
                o.each(checks);
            }
            Event::Escalated { from, to, reason, discard } => {
                o.str("escalated");
                o.key("from");
                o.str(from);
                o.key("to");
                o.str(to);
                o.key("reason");
                o.str(reason);
                o.key("discard");
                o.bool(*discard);
            }
            Event::ToolResult { step, id, name, content } => {
                o.str("toolResult");
                o.key("step");
                o.u64(*step as u64);
                o.key("id");
                o.str(id);
                o.key("name");
                o.str(name);
                o.key("content");
                o.str(content);
            }
        }
        o.end_object();
    }
}
