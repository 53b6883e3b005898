//! What follows a model's failed turn: the run ends, or the next model is
//! tried, and the consumer of a stream is told which and whether the text
//! it was shown stays (the next model continues it) or must go. A prompt
//! too long for the model narrows the next models to those known to take
//! it.

use crate::config::ModelConfig;
use crate::error::CascadeError;
use crate::providers::WireFormat;
use crate::reliability::{self, ContextNeed, Step};

use super::events::{Event, StreamMode};
use super::result::{Attempt, AttemptOutcome};
use super::resume::Resume;
use super::trace::all_failed;

/// The failed turn.
pub(super) struct Failed {
    pub error: CascadeError,
    /// What the failure table decided.
    pub decision: Step,
    /// Some of its text or tool calls reached the consumer.
    pub shown_any: bool,
    pub shown_text: String,
    pub shown_tools: bool,
}

/// Where in the plan the failed model sits.
pub(super) struct Position<'a> {
    pub models: &'a [ModelConfig],
    pub tier_of: &'a [usize],
    pub index: usize,
    pub tier: usize,
    pub is_final: bool,
}

/// What the run carries from one model to the next.
pub(super) struct Carry<'a> {
    pub context_need: &'a mut Option<ContextNeed>,
    pub resume: &'a mut Option<Resume>,
}

/// Hand the run to the next model (`Ok`), or say how it ends (`Err`).
pub(super) fn hand_off(
    f: Failed,
    at: &Position<'_>,
    carry: Carry<'_>,
    attempts: &[Attempt],
    mode: Option<StreamMode>,
    emit: &mut dyn FnMut(Event),
) -> Result<(), CascadeError> {
    let Failed { error: e, decision, shown_any, shown_text, shown_tools } = f;
    let Carry { context_need, resume } = carry;
    let Some(model) = at.models.get(at.index) else { return Err(e) };
    let mut stop = decision == Step::Stop || !e.failure_class().escalates();
    let later = at.models.get(at.index.saturating_add(1)..).unwrap_or(&[]);
    let e = match decision {
        Step::LargerWindow => {
            let windows: Vec<Option<u32>> = later.iter().map(|m| m.context_window).collect();
            let (configured, stated) = (model.context_window, e.stated_window());
            match reliability::larger_window(e, &model.name, configured, stated, &windows, context_need.is_some()) {
                Ok(need) => context_need.insert(need).error.clone(),
                Err(e) => {
                    stop = true;
                    e
                }
            }
        }
        _ => e,
    };
    let next_model = later.iter().find(|m| context_need.as_ref().is_none_or(|n| n.admits(m.context_window)));
    let Some(next) = next_model.filter(|_| !stop) else {
        // "All models failed" only when no model answered at all. After
        // a rejected draft the final tier's own error says more (a cut
        // stream stays a StreamError, as the README documents).
        let mut called = attempts.iter().filter(|a| a.outcome != AttemptOutcome::Skipped);
        let others = called.clone().any(|a| a.tier != at.tier || a.model != model.name);
        let none_answered = others && called.all(|a| a.outcome == AttemptOutcome::Failed);
        return Err(if !stop && none_answered { all_failed(attempts, e) } else { e });
    };
    // Shown text the next model continues, rather than the consumer
    // dropping it; a shown tool call cannot be continued. Text from a live
    // draft may still be discarded if it cannot be; a final tier's must be.
    let prefill = next.wire == WireFormat::Anthropic;
    let had_resume = resume.is_some();
    let may_discard = !at.is_final;
    *resume = match resume.take() {
        Some(r) if !shown_tools => Some(r.failed_again(prefill, may_discard)),
        None if shown_any && !shown_tools => Some(Resume::new(shown_text, prefill, may_discard)),
        _ => None,
    };
    let carried = resume.is_some();
    if mode.is_some() {
        let same_tier = at.tier_of.get(at.index.saturating_add(1)) == Some(&at.tier);
        let mut reason = if same_tier {
            format!("{} failed: {}; failing over within the tier", model.name, e.code.as_str())
        } else {
            format!("{} failed: {}", model.name, e.code.as_str())
        };
        if carried {
            reason.push_str("; the next model continues the text already shown");
        }
        emit(Event::Escalated {
            from: model.name.clone(),
            to: next.name.clone(),
            reason,
            discard: (shown_any || had_resume) && !carried,
        });
    }
    Ok(())
}
