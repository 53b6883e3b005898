//! The judge's word on one answer, as the tier loop needs it: the verdict
//! for the trace, whether the answer is taken, and the reason the attempt
//! gives. The last tier's answer is taken whatever the judge says (there
//! is nowhere higher to go); its verdict stays in the trace for the record,
//! and the reason says so when the two disagree.

use crate::quality::{self, JudgeInput, QualityConfig, QueryFacts, Turn, Verdict};
use crate::types::{ChatRequest, Completion, Message, Role};

pub(super) struct Judged {
    pub verdict: Verdict,
    pub accepted: bool,
    pub reason: String,
}

/// What the answer is judged against.
pub(super) struct Asked<'a> {
    pub query: &'a str,
    pub facts: &'a QueryFacts<'a>,
    pub messages: &'a [Message],
    pub req: &'a ChatRequest,
    pub cfg: &'a QualityConfig,
    /// The model's or the route's threshold, over the judge's own.
    pub threshold: Option<f64>,
}

/// `stopped_early`: why a streamed draft was cut short by an early
/// rejection, if it was; such a draft is never taken.
pub(super) fn judge_answer(
    asked: &Asked<'_>,
    completion: &Completion,
    stopped_early: Option<&str>,
    is_final: bool,
    tier: usize,
) -> Judged {
    // After a tool loop step the conversation already holds the tool
    // results: a text answer is then what is wanted, not another call.
    let turn = Turn { has_tool_results: asked.messages.iter().any(|m| m.role == Role::Tool) };
    let mut verdict = quality::judge_read(
        &JudgeInput {
            query: asked.query,
            // A refusal is the answer the judge must see (and refuse).
            answer: match (&completion.refusal, completion.content.is_empty()) {
                (Some(r), true) => r,
                _ => &completion.content,
            },
            finish_reason: completion.finish_reason,
            logprobs: completion.logprobs.as_deref(),
            tool_calls: &completion.tool_calls,
            tools: &asked.req.tools,
            response_format: asked.req.response_format.as_ref(),
        },
        asked.facts,
        turn,
        asked.cfg,
        asked.threshold,
    );
    if stopped_early.is_some() && !is_final {
        verdict.accepted = false;
    }
    let reason = match (is_final, tier > 0, verdict.accepted) {
        (false, _, _) if stopped_early.is_some() => {
            format!("judged early, stream stopped: {}", stopped_early.unwrap_or(""))
        }
        (false, _, _) => verdict.reason.clone(),
        (true, true, true) => "final tier: answer returned".to_string(),
        (true, false, true) => "single tier: answer returned".to_string(),
        (true, _, false) => format!(
            "returned as the last tier although the judge would not accept it ({} < {})",
            quality::format_fixed(verdict.score, 2),
            quality::format_fixed(verdict.threshold, 2)
        ),
    };
    Judged { accepted: is_final || verdict.accepted, verdict, reason }
}

/// How much new text must arrive before a streamed draft is judged again.
const EARLY_STEP: usize = 160;

/// Checks whose failure no later text can undo: a wrong equation stays wrong,
/// a loop stays a loop. Only these may cut a streamed draft short.
const FINAL_FAILURES: &[&str] = &["arithmetic", "repetition"];

/// Judge a streamed draft as early as its text allows: at each completed
/// line, once enough new text has come, look for a failure that settles it.
/// Returns why, if the draft is already certain to be rejected.
pub(super) fn early_rejection(
    query: &str,
    text: &str,
    checked_upto: &mut usize,
    cfg: &QualityConfig,
) -> Option<String> {
    if text.len() < checked_upto.saturating_add(EARLY_STEP) {
        return None;
    }
    // Only whole lines: the last equation may still be arriving.
    let cut = text.rfind('\n')?;
    if cut < checked_upto.saturating_add(EARLY_STEP) {
        return None;
    }
    *checked_upto = cut;
    let prefix = text.get(..cut)?;
    let v = quality::judge(&JudgeInput::text(query, prefix), cfg, None);
    v.checks.iter().find(|c| c.veto && FINAL_FAILURES.contains(&c.name)).map(|c| c.detail.clone())
}
