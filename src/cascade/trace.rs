//! The pieces of a run's record that the tier loop builds: attempts of each
//! kind, the one-line explanation, usage when a provider gave none, and the
//! events a streamed draft turns into. Kept apart from the loop itself so
//! `engine.rs` reads as the policy and nothing else.

use crate::config::ModelConfig;
use crate::error::{CascadeError, ErrorCode};
use crate::pricing::estimate_tokens;
use crate::types::{ChatRequest, Completion, Message, Role, StreamDelta, Usage};

use super::events::Event;
use super::result::{Attempt, AttemptError, AttemptOutcome};

pub(super) fn with_system_prompt(mut messages: Vec<Message>, system: Option<&str>) -> Vec<Message> {
    if let Some(s) = system.filter(|s| !s.trim().is_empty()) {
        if !messages.iter().any(|m| m.role == Role::System) {
            messages.insert(0, Message::system(s));
        }
    }
    messages
}

pub(super) fn last_user_text(messages: &[Message]) -> String {
    messages.iter().rev().find(|m| m.role == Role::User).map(|m| m.content.clone()).unwrap_or_default()
}

pub(super) fn usage_or_estimate(c: &Completion, req: &ChatRequest) -> Usage {
    // A report of zero tokens both ways is no report (aimock's Anthropic and
    // Ollama, some OpenAI-compatible servers): estimate it, as the stream
    // accumulator already does, rather than price the call at $0.
    if let Some(u) = c.usage.filter(|u| u.input_tokens > 0 || u.output_tokens > 0) {
        return u;
    }
    // Estimates of text held in memory: far below u64::MAX, saturating regardless.
    let input: u64 =
        req.messages.iter().fold(0, |n, m| n.saturating_add(estimate_tokens(&m.content)).saturating_add(4));
    let output = c.tool_calls.iter().fold(estimate_tokens(&c.content), |n, t| {
        n.saturating_add(estimate_tokens(&t.arguments_raw)).saturating_add(estimate_tokens(&t.name))
    });
    Usage { input_tokens: input, output_tokens: output, estimated: true, ..Default::default() }
}

pub(super) fn delta_event(d: &StreamDelta, model: &ModelConfig, tier: usize) -> Option<Event> {
    match d {
        StreamDelta::Text(t) if !t.is_empty() => {
            Some(Event::Chunk { text: t.clone(), model: model.name.clone(), tier })
        }
        StreamDelta::ToolCall { index, id, name, arguments } => Some(Event::ToolCallDelta {
            index: *index,
            id: id.clone(),
            name: name.clone(),
            arguments: arguments.clone(),
            model: model.name.clone(),
        }),
        _ => None,
    }
}

pub(super) fn release_buffered(c: &Completion, model: &ModelConfig, tier: usize, emit: &mut dyn FnMut(Event)) {
    if !c.content.is_empty() {
        emit(Event::Chunk { text: c.content.clone(), model: model.name.clone(), tier });
    }
    for (i, t) in c.tool_calls.iter().enumerate() {
        emit(Event::ToolCallDelta {
            index: i,
            id: Some(t.id.clone()),
            name: Some(t.name.clone()),
            arguments: t.arguments_raw.clone(),
            model: model.name.clone(),
        });
    }
}

pub(super) fn skipped_attempt(tier: usize, model: &ModelConfig, why: &str) -> Attempt {
    Attempt {
        tier,
        model: model.name.clone(),
        provider: model.provider.clone(),
        outcome: AttemptOutcome::Skipped,
        cost: None,
        latency_ms: 0.0,
        usage: None,
        verdict: None,
        error: None,
        reason: format!("skipped: {why}"),
        step: None,
        retry_in_ms: None,
        key_index: None,
        malformed_events: 0,
    }
}

pub(super) fn failed_attempt(tier: usize, model: &ModelConfig, latency_ms: f64, e: &CascadeError) -> Attempt {
    Attempt {
        tier,
        model: model.name.clone(),
        provider: model.provider.clone(),
        outcome: if e.code == ErrorCode::Aborted { AttemptOutcome::Cancelled } else { AttemptOutcome::Failed },
        // A failure can still be billed (an answer a filter stopped half-way).
        cost: e.billed().and_then(|u| model.price.map(|p| (p.cost(u) * 1e10).round() / 1e10)),
        latency_ms,
        usage: e.billed().copied(),
        verdict: None,
        error: Some(AttemptError::from(e)),
        reason: format!("call failed: {}", e.message),
        step: None,
        retry_in_ms: None,
        key_index: None,
        malformed_events: 0,
    }
}

pub(super) fn all_failed(attempts: &[Attempt], last: CascadeError) -> CascadeError {
    let tried: Vec<String> = attempts
        .iter()
        .map(|a| match &a.error {
            Some(e) => format!("{} ({})", a.model, e.code),
            None => format!("{} (rejected)", a.model),
        })
        .collect();
    let mut e = CascadeError::new(
        ErrorCode::AllModelsFailed,
        format!("no model could answer; tried {}. Last error: {}", tried.join(", "), last.message),
    );
    e.status = last.status;
    e.provider = last.provider;
    e.model = last.model;
    e.retry_after_ms = last.retry_after_ms;
    e
}

/// One sentence for `result.reason`: who answered and why.
pub(super) fn explain(attempts: &[Attempt], tier: usize, tiers: usize) -> String {
    let answered = attempts.last().map(|a| a.model.as_str()).unwrap_or("");
    if tiers == 1 {
        return format!("single model {answered} answered");
    }
    if tier == 0 {
        let why = attempts.first().map(|a| a.reason.as_str()).unwrap_or("");
        return ["draft from ", answered, " accepted: ", why].concat();
    }
    let steps: Vec<String> = attempts
        .iter()
        .take(attempts.len().saturating_sub(1))
        .map(|a| match a.outcome {
            AttemptOutcome::Failed => {
                format!("{} failed ({})", a.model, a.error.as_ref().map(|e| e.code).unwrap_or("error"))
            }
            AttemptOutcome::Cancelled => format!("{} cancelled", a.model),
            AttemptOutcome::Skipped => format!("{} {}", a.model, a.reason),
            _ => format!("{} rejected ({})", a.model, a.reason),
        })
        .collect();
    let verb = if tier.saturating_add(1) == tiers { "answered by" } else { "accepted from" };
    format!("{}; {verb} {answered}", steps.join("; "))
}

/// The answer as JSON, allowing the Markdown fence models like to add.
pub(super) fn parse_json_answer(content: &str) -> Option<crate::value::Value> {
    let t = content.trim();
    let t = t.strip_prefix("```json").or_else(|| t.strip_prefix("```")).unwrap_or(t);
    let t = t.strip_suffix("```").unwrap_or(t).trim();
    if t.starts_with('{') || t.starts_with('[') {
        crate::value::from_str(t).ok()
    } else {
        None
    }
}
