//! What a run returns: the answer, who gave it, what it cost and saved, and
//! the decision trace with one entry per model called.

use crate::value::Value;

use crate::error::CascadeError;
use crate::json_out::{JsonOut, ToJson};
use crate::pricing::Price;
use crate::quality::{Complexity, Domain, Verdict};
use crate::shape::{Shape, Sink};
use crate::types::{FinishReason, RawBlock, ToolCall, Usage};

#[derive(Clone, Debug, PartialEq)]
pub struct UsageSummary {
    pub input_tokens: u64,
    pub output_tokens: u64,
    /// True when any counted call reported no usage and we estimated it.
    pub estimated: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttemptOutcome {
    Accepted,
    Rejected,
    /// The call failed (see `error`).
    Failed,
    /// Stopped by the caller (their AbortSignal, or a stream consumer that
    /// stopped reading): the request was cancelled, not failed by the provider.
    Cancelled,
    /// Skipped before the call (pre-routing); no cost.
    Skipped,
}

impl AttemptOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            AttemptOutcome::Accepted => "accepted",
            AttemptOutcome::Rejected => "rejected",
            AttemptOutcome::Failed => "failed",
            AttemptOutcome::Cancelled => "cancelled",
            AttemptOutcome::Skipped => "skipped",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct AttemptError {
    pub code: &'static str,
    pub message: String,
    pub status: Option<u16>,
}

impl From<&CascadeError> for AttemptError {
    fn from(e: &CascadeError) -> Self {
        AttemptError { code: e.code.as_str(), message: e.message.clone(), status: e.status }
    }
}

/// One model call in the decision trace. A rejected draft is a normal
/// outcome recorded here, not an error.
#[derive(Clone, Debug, PartialEq)]
pub struct Attempt {
    pub tier: usize,
    pub model: String,
    pub provider: String,
    pub outcome: AttemptOutcome,
    /// USD; `None` when the model's price is unknown.
    pub cost: Option<f64>,
    pub latency_ms: f64,
    pub usage: Option<Usage>,
    pub verdict: Option<Verdict>,
    pub error: Option<AttemptError>,
    pub reason: String,
    /// In a tool loop, which step (1-based) made this call.
    pub step: Option<usize>,
    /// The call failed and the same model is called again after this wait.
    pub retry_in_ms: Option<f64>,
    /// Which of the model's `keyRotation.keys` the call used (never the key).
    pub key_index: Option<usize>,
    /// Stream events skipped as unreadable: the answer may have a gap there.
    pub malformed_events: u32,
}

#[derive(Clone, Debug, PartialEq)]
pub struct CascadeResult {
    pub content: String,
    pub model_used: String,
    pub provider: String,
    /// Sum over every attempt; `None` if any called model's price is unknown.
    pub total_cost: Option<f64>,
    /// Versus running the top tier alone on the answer's tokens. Negative
    /// when the cascade cost more (a draft was paid for and then discarded).
    pub cost_saved: Option<f64>,
    pub savings_percentage: Option<f64>,
    pub draft_accepted: bool,
    pub cascaded: bool,
    pub complexity: Complexity,
    pub domain: Domain,
    pub reason: String,
    pub usage: UsageSummary,
    pub latency_ms: f64,
    pub finish_reason: FinishReason,
    pub tool_calls: Vec<ToolCall>,
    pub thinking: Option<String>,
    /// Structured output, parsed, when a JSON response format was asked for.
    pub parsed: Option<Value>,
    /// The model's refusal, when it declined (`content` is then empty).
    pub refusal: Option<String>,
    /// Server-side tool calls and results the provider ran itself (web
    /// search, code execution, MCP), as it sent them; see `RawBlock`.
    pub raw_blocks: Vec<RawBlock>,
    /// Cascade runs this result covers: 1, or more in a tool loop.
    pub steps: usize,
    pub attempts: Vec<Attempt>,
}

// The public JSON shapes (camelCase; optional parts left out when absent).
// js/src/types.ts declares the same shapes for TypeScript.

impl Shape for UsageSummary {
    fn shape<S: Sink>(&self, s: &mut S) {
        s.u64("inputTokens", self.input_tokens);
        s.u64("outputTokens", self.output_tokens);
        s.flag("estimated", self.estimated);
    }
}

impl Shape for AttemptError {
    fn shape<S: Sink>(&self, s: &mut S) {
        s.str("code", self.code);
        s.str("message", &self.message);
        s.optional_u64("status", self.status.map(u64::from));
    }
}

impl Shape for Attempt {
    fn shape<S: Sink>(&self, s: &mut S) {
        s.u64("tier", self.tier as u64);
        s.str("model", &self.model);
        s.str("provider", &self.provider);
        s.str("outcome", self.outcome.as_str());
        s.nullable_f64("cost", self.cost);
        s.f64("latencyMs", self.latency_ms);
        s.str("reason", &self.reason);
        s.optional_object("usage", self.usage.as_ref());
        s.optional_object("verdict", self.verdict.as_ref());
        s.optional_json("error", self.error.as_ref());
        s.optional_u64("step", self.step.map(|n| n as u64));
        s.optional_u64("retryInMs", self.retry_in_ms.map(|ms| ms.round().max(0.0) as u64));
        s.optional_u64("keyIndex", self.key_index.map(|i| i as u64));
        s.optional_u64("malformedEvents", Some(u64::from(self.malformed_events)).filter(|n| *n > 0));
    }
}

// Optional parts come last, so that the tape's reader, which adds them
// after building the rest, gives the same key order as the JSON.
impl Shape for CascadeResult {
    fn shape<S: Sink>(&self, s: &mut S) {
        s.str("content", &self.content);
        s.str("modelUsed", &self.model_used);
        s.str("provider", &self.provider);
        s.nullable_f64("totalCost", self.total_cost);
        s.nullable_f64("costSaved", self.cost_saved);
        s.nullable_f64("savingsPercentage", self.savings_percentage);
        s.flag("draftAccepted", self.draft_accepted);
        s.flag("cascaded", self.cascaded);
        s.str("complexity", self.complexity.as_str());
        s.str("domain", self.domain.as_str());
        s.str("reason", &self.reason);
        s.object("usage", &self.usage);
        s.f64("latencyMs", self.latency_ms);
        s.str("finishReason", self.finish_reason.as_str());
        s.u64("steps", self.steps as u64);
        s.list("attempts", &self.attempts);
        let calls = ToolCalls(&self.tool_calls);
        s.optional_json("toolCalls", Some(&calls).filter(|c| !c.0.is_empty()));
        s.optional_str("thinking", self.thinking.as_deref());
        s.optional_json("parsed", self.parsed.as_ref());
        s.optional_str("refusal", self.refusal.as_deref());
        let blocks = RawBlocks(&self.raw_blocks);
        s.optional_json("rawBlocks", Some(&blocks).filter(|b| !b.0.is_empty()));
    }
}

struct ToolCalls<'a>(&'a [ToolCall]);

impl ToJson for ToolCalls<'_> {
    fn write_json(&self, o: &mut JsonOut) {
        o.each(self.0);
    }
}

struct RawBlocks<'a>(&'a [RawBlock]);

impl ToJson for RawBlocks<'_> {
    fn write_json(&self, o: &mut JsonOut) {
        o.each(self.0);
    }
}

/// Totals over the attempts and the savings against the top tier.
pub struct CostSummary {
    pub total: Option<f64>,
    pub saved: Option<f64>,
    pub percentage: Option<f64>,
}

pub fn summarise_cost(attempts: &[Attempt], answer_usage: &Usage, top_price: Option<Price>) -> CostSummary {
    let mut total = Some(0.0);
    for a in attempts {
        if a.outcome == AttemptOutcome::Skipped {
            continue;
        }
        total = match (total, a.cost) {
            (Some(t), Some(c)) => Some(t + c),
            // A failed call with no usage cost nothing we can see.
            (Some(t), None)
                if matches!(a.outcome, AttemptOutcome::Failed | AttemptOutcome::Cancelled) && a.usage.is_none() =>
            {
                Some(t)
            }
            _ => None,
        };
    }
    let baseline = top_price.map(|p| p.cost(answer_usage));
    let saved = match (baseline, total) {
        (Some(b), Some(t)) => Some(b - t),
        _ => None,
    };
    let percentage = match (saved, baseline) {
        (Some(s), Some(b)) if b > 0.0 => Some(s / b * 100.0),
        _ => None,
    };
    CostSummary {
        total: total.map(round_usd),
        saved: saved.map(round_usd),
        percentage: percentage.map(|p| (p * 100.0).round() / 100.0),
    }
}

/// Sub-nano-dollar digits are float noise (`-0.0000013999999999999934`).
fn round_usd(v: f64) -> f64 {
    (v * 1e10).round() / 1e10
}

pub fn sum_usage(attempts: &[Attempt]) -> UsageSummary {
    let mut out = UsageSummary { input_tokens: 0, output_tokens: 0, estimated: false };
    for u in attempts.iter().filter_map(|a| a.usage.as_ref()) {
        // Saturating: counts come from providers, and a sum past u64 is no count anyone pays.
        let input = u.input_tokens.saturating_add(u.cache_read_tokens).saturating_add(u.cache_write_tokens);
        out.input_tokens = out.input_tokens.saturating_add(input);
        out.output_tokens = out.output_tokens.saturating_add(u.output_tokens);
        out.estimated |= u.estimated;
    }
    out
}
