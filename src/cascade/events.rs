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
    Routing {
        complexity: Complexity,
        domain: Domain,
        plan: Vec<String>,
        mode: &'static str,
    },
    Chunk {
        text: String,
        model: String,
        tier: usize,
    },
    ToolCallDelta {
        index: usize,
        id: Option<String>,
        name: Option<String>,
        arguments: String,
        model: String,
    },
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
    Escalated {
        from: String,
        to: String,
        reason: String,
        discard: bool,
    },
    /// Tool loop: the caller's executor ran a call; its result goes back to
    /// the model in the next step, which starts with a new `routing` event.
    ToolResult {
        step: usize,
        id: String,
        name: String,
        content: String,
    },
}

impl ToJson for Event {
    fn write_json(&self, o: &mut JsonOut) {
        o.begin_object();
        o.key("type");
        match self {
            Event::Routing { complexity, domain, plan, mode } => {
                o.str("routing");
                o.str_field("complexity", complexity.as_str());
                o.str_field("domain", domain.as_str());
                o.key("plan");
                o.begin_array();
                for p in plan {
                    o.str(p);
                }
                o.end_array();
                o.str_field("mode", mode);
            }
            Event::Chunk { text, model, tier } => {
                o.str("chunk");
                o.str_field("text", text);
                o.str_field("model", model);
                o.u64_field("tier", *tier as u64);
            }
            Event::ToolCallDelta { index, id, name, arguments, model } => {
                o.str("toolCallDelta");
                o.u64_field("index", *index as u64);
                o.key("id");
                o.opt_str(id.as_deref());
                o.key("name");
                o.opt_str(name.as_deref());
                o.str_field("arguments", arguments);
                o.str_field("model", model);
            }
            Event::DraftDecision { model, tier, accepted, score, threshold, reason, checks } => {
                o.str("draftDecision");
                o.str_field("model", model);
                o.u64_field("tier", *tier as u64);
                o.bool_field("accepted", *accepted);
                o.f64_field("score", *score);
                o.f64_field("threshold", *threshold);
                o.str_field("reason", reason);
                o.key("checks");
                o.each(checks);
            }
            Event::Escalated { from, to, reason, discard } => {
                o.str("escalated");
                o.str_field("from", from);
                o.str_field("to", to);
                o.str_field("reason", reason);
                o.bool_field("discard", *discard);
            }
            Event::ToolResult { step, id, name, content } => {
                o.str("toolResult");
                o.u64_field("step", *step as u64);
                o.str_field("id", id);
                o.str_field("name", name);
                o.str_field("content", content);
            }
        }
        o.end_object();
    }
}
