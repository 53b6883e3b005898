//! What a run returns: the answer, who gave it, what it cost and saved, and
//! the decision trace with one entry per model called.

use serde_json::Value;

use crate::error::CascadeError;
use crate::json_out::{JsonOut, ToJson};
use crate::tape_out::{TapeOut, ToTape};
use crate::pricing::Price;
use crate::quality::{Complexity, Domain, Verdict};
use crate::types::{FinishReason, ToolCall, Usage};

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
    /// Skipped before the call (pre-routing); no cost.
    Skipped,
}

impl AttemptOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            AttemptOutcome::Accepted => "accepted",
            AttemptOutcome::Rejected => "rejected",
            AttemptOutcome::Failed => "failed",
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
    /// Cascade runs this result covers: 1, or more in a tool loop.
    pub steps: usize,
    pub attempts: Vec<Attempt>,
}

// The public JSON shapes (camelCase; optional parts left out when absent).
// js/src/types.ts declares the same shapes for TypeScript.

impl ToJson for UsageSummary {
    fn write_json(&self, o: &mut JsonOut) {
        o.begin_object();
        o.u64_field("inputTokens", self.input_tokens);
        o.u64_field("outputTokens", self.output_tokens);
        o.bool_field("estimated", self.estimated);
        o.end_object();
    }
}

impl ToJson for AttemptError {
    fn write_json(&self, o: &mut JsonOut) {
        o.begin_object();
        o.str_field("code", self.code);
        o.str_field("message", &self.message);
        if let Some(s) = self.status {
            o.u64_field("status", u64::from(s));
        }
        o.end_object();
    }
}

impl ToJson for Attempt {
    fn write_json(&self, o: &mut JsonOut) {
        o.begin_object();
        o.u64_field("tier", self.tier as u64);
        o.str_field("model", &self.model);
        o.str_field("provider", &self.provider);
        o.str_field("outcome", self.outcome.as_str());
        o.opt_f64_field("cost", self.cost);
        o.f64_field("latencyMs", self.latency_ms);
        o.str_field("reason", &self.reason);
        if let Some(u) = &self.usage {
            o.key("usage");
            u.write_json(o);
        }
        if let Some(v) = &self.verdict {
            o.key("verdict");
            v.write_json(o);
        }
        if let Some(e) = &self.error {
            o.key("error");
            e.write_json(o);
        }
        if let Some(s) = self.step {
            o.u64_field("step", s as u64);
        }
        o.end_object();
    }
}

impl ToTape for Attempt {
    fn write_tape(&self, t: &mut TapeOut) {
        t.u64(self.tier as u64);
        t.str(&self.model);
        t.str(&self.provider);
        t.str(self.outcome.as_str());
        t.opt_f64(self.cost);
        t.f64(self.latency_ms);
        t.str(&self.reason);
        t.flag(self.usage.is_some());
        if let Some(u) = &self.usage {
            u.write_tape(t);
        }
        t.flag(self.verdict.is_some());
        if let Some(v) = &self.verdict {
            v.write_tape(t);
        }
        match &self.error {
            Some(e) => t.json(e),
            None => t.opt_str(None),
        }
        t.opt_f64(self.step.map(|s| s as f64));
    }
}

// Optional parts come last in both forms, so that the tape's reader, which
// adds them after building the rest, gives the same key order.
impl ToJson for CascadeResult {
    fn write_json(&self, o: &mut JsonOut) {
        o.begin_object();
        o.str_field("content", &self.content);
        o.str_field("modelUsed", &self.model_used);
        o.str_field("provider", &self.provider);
        o.opt_f64_field("totalCost", self.total_cost);
        o.opt_f64_field("costSaved", self.cost_saved);
        o.opt_f64_field("savingsPercentage", self.savings_percentage);
        o.bool_field("draftAccepted", self.draft_accepted);
        o.bool_field("cascaded", self.cascaded);
        o.str_field("complexity", self.complexity.as_str());
        o.str_field("domain", self.domain.as_str());
        o.str_field("reason", &self.reason);
        o.key("usage");
        self.usage.write_json(o);
        o.f64_field("latencyMs", self.latency_ms);
        o.str_field("finishReason", self.finish_reason.as_str());
        o.u64_field("steps", self.steps as u64);
        o.key("attempts");
        o.each(&self.attempts);
        if !self.tool_calls.is_empty() {
            o.key("toolCalls");
            o.each(&self.tool_calls);
        }
        if let Some(t) = &self.thinking {
            o.str_field("thinking", t);
        }
        if let Some(p) = &self.parsed {
            o.key("parsed");
            o.value(p);
        }
        o.end_object();
    }
}

impl ToTape for CascadeResult {
    fn write_tape(&self, t: &mut TapeOut) {
        t.str(&self.content);
        t.str(&self.model_used);
        t.str(&self.provider);
        t.opt_f64(self.total_cost);
        t.opt_f64(self.cost_saved);
        t.opt_f64(self.savings_percentage);
        t.flag(self.draft_accepted);
        t.flag(self.cascaded);
        t.str(self.complexity.as_str());
        t.str(self.domain.as_str());
        t.str(&self.reason);
        t.u64(self.usage.input_tokens);
        t.u64(self.usage.output_tokens);
        t.flag(self.usage.estimated);
        t.f64(self.latency_ms);
        t.str(self.finish_reason.as_str());
        t.u64(self.steps as u64);
        t.each(&self.attempts);
        if self.tool_calls.is_empty() {
            t.opt_str(None);
        } else {
            t.json(&ToolCalls(&self.tool_calls));
        }
        t.opt_str(self.thinking.as_deref());
        match &self.parsed {
            Some(p) => t.json(p),
            None => t.opt_str(None),
        }
    }
}

struct ToolCalls<'a>(&'a [ToolCall]);

impl ToJson for ToolCalls<'_> {
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
            (Some(t), None) if a.outcome == AttemptOutcome::Failed && a.usage.is_none() => Some(t),
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
        out.input_tokens += u.input_tokens + u.cache_read_tokens + u.cache_write_tokens;
        out.output_tokens += u.output_tokens;
        out.estimated |= u.estimated;
    }
    out
}
