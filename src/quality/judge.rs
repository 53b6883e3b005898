//! Weighing the checks into one score and one decision.
//!
//! The score reads as "how sure are we this draft is fine". It starts from
//! a prior that falls with the query's difficulty (a fluent answer to a
//! hard question is right less often), and each check that has a concern
//! multiplies it by `score ^ weight`. A product, not an average: one strong
//! reason to doubt a draft should not be diluted by five checks that found
//! nothing, and independent mild doubts should compound. Because the prior
//! and several checks are continuous, drafts rarely tie, which keeps
//! `1 - score` usable as an escalation ranking. Hard failures (empty,
//! truncated, wrong arithmetic, invalid JSON or tool call, refusal) veto:
//! no threshold accepts them.

use super::checks::fixed;
use super::checks::{alignment, arith, depth, failure, format, logprobs, math, tools, Ctx};
use super::{CheckOutcome, JudgeInput, QualityConfig, QueryFacts, Turn, Verdict};
use crate::quality::text::K_DIGITS;

/// The confidence a draft with no concern earns, by query difficulty
/// (0 = a lookup, 4 = expert work).
pub(crate) fn prior(complexity_score: f64) -> f64 {
    0.97 - 0.055 * complexity_score.clamp(0.0, 4.0)
}

pub(crate) fn run(input: &JudgeInput, turn: Turn, cfg: &QualityConfig, tier_threshold: Option<f64>) -> Verdict {
    run_read(input, &QueryFacts::read(input.query), turn, cfg, tier_threshold)
}

/// `run` with the query already read (`facts` is of `input.query`).
pub(crate) fn run_read(
    input: &JudgeInput,
    facts: &QueryFacts,
    turn: Turn,
    cfg: &QualityConfig,
    tier_threshold: Option<f64>,
) -> Verdict {
    let ctx = Ctx::read(input, facts, turn);
    let mut checks: Vec<CheckOutcome> = Vec::with_capacity(12);
    checks.push(failure::completeness(&ctx));
    let report = if ctx.answer.words.iter().any(|w| w.is(K_DIGITS)) {
        arith::scan(&ctx.answer)
    } else {
        arith::Report::default()
    };
    let found = [
        failure::refusal(&ctx),
        failure::hedging(&ctx),
        failure::repetition(&ctx),
        failure::language(&ctx),
        alignment::alignment(&ctx),
        depth::depth(&ctx),
        math::arithmetic(&ctx, &report),
        math::final_answer(&ctx, &report),
        math::working(&ctx, &report),
        format::json(&ctx),
        format::code(&ctx),
        tools::tools(&ctx),
        logprobs::logprobs(&ctx),
    ];
    checks.extend(found.into_iter().flatten());

    let mut score = prior(ctx.complexity_score);
    // Token probabilities are the one direct evidence of confidence: a
    // draft the model wrote without hesitation earns up to half the
    // distance from the prior to certainty.
    if let Some(lp) = checks.iter().find(|c| c.name == "logprobs") {
        score += (1.0 - score) * ((lp.score - 0.9) * 5.0).clamp(0.0, 0.5);
    }
    for c in &checks {
        if c.weight > 0.0 {
            score *= c.score.max(1e-4).powf(c.weight);
        }
    }
    let score = if score.is_finite() { score.clamp(0.0, 1.0) } else { 0.0 };
    let threshold = tier_threshold
        .filter(|t| t.is_finite())
        .unwrap_or_else(|| cfg.threshold_for(ctx.complexity, ctx.domain))
        .clamp(0.0, 1.0);
    let veto = checks.iter().find(|c| c.veto);
    let accepted = veto.is_none() && score >= threshold;
    let reason = reason(&ctx, &checks, veto, accepted, score, threshold);
    Verdict { accepted, score, threshold, complexity: ctx.complexity, domain: ctx.domain, checks, reason }
}

/// One sentence: the decision and the finding that decided it.
fn reason(
    ctx: &Ctx,
    checks: &[CheckOutcome],
    veto: Option<&CheckOutcome>,
    accepted: bool,
    score: f64,
    threshold: f64,
) -> String {
    // Built by appending: this runs on every judgement, and the pieces are
    // all strings already.
    let mut out = String::with_capacity(96);
    if let Some(v) = veto {
        out.push_str("Rejected: ");
        out.push_str(&v.detail);
        out.push('.');
        return out;
    }
    // The check that cost the most.
    let worst = checks
        .iter()
        .filter(|c| c.weight > 0.0 && c.score < 1.0)
        .min_by(|a, b| a.score.powf(a.weight).total_cmp(&b.score.powf(b.weight)));
    out.push_str(if accepted { "Accepted (" } else { "Rejected (" });
    out.push_str(&fixed(score, 2));
    // ">=", not "≥": a result with only Latin-1 text becomes a one-byte JS
    // string, which JSON.parse reads about a third faster.
    out.push_str(if accepted { " >= " } else { " < " });
    out.push_str(&fixed(threshold, 2));
    out.push(')');
    match worst {
        Some(w) => {
            out.push_str(if accepted { " despite a minor concern: " } else { ": " });
            out.push_str(&w.detail);
            out.push('.');
        }
        None => {
            let level = ctx.complexity.as_str();
            for piece in [": ", article(level), " ", level, " ", ctx.domain.as_str(), " query"] {
                out.push_str(piece);
            }
            out.push_str(if accepted {
                " and no check found a problem."
            } else {
                " needs more confidence than a clean draft earns without logprobs."
            });
        }
    }
    out
}

/// "a" or "an", by the sound the next word starts with (which, for the
/// words used here, its first letter tells).
fn article(next: &str) -> &'static str {
    match next.as_bytes().first() {
        Some(b'a' | b'e' | b'i' | b'o' | b'u' | b'A' | b'E' | b'I' | b'O' | b'U') => "an",
        _ => "a",
    }
}

#[cfg(test)]
mod tests {
    use super::article;

    #[test]
    fn articles_agree() {
        assert_eq!(article("expert"), "an");
        assert_eq!(article("Expert"), "an");
        assert_eq!(article("hard"), "a");
        assert_eq!(article("moderate"), "a");
        assert_eq!(article(""), "a");
    }
}
