//! Token log-probabilities, when the provider returns them.
//!
//! The probability of the whole sequence shrinks with every token, so a
//! long good answer would look worse than a short bad one. Instead we use
//! length-free summaries: the mean log-probability per token (the
//! geometric-mean token probability), a low percentile (a confident answer
//! has few shaky tokens, and one odd token should not sink it, so the 10th
//! percentile is used rather than the minimum), and the mean entropy of
//! the top alternatives (how spread out the model's choices were).

use super::{fixed, outcome, ramp, Ctx};
use crate::quality::CheckOutcome;
use crate::types::TokenLogprob;

/// Length-free confidence numbers for a token sequence.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Confidence {
    pub tokens: usize,
    /// exp(mean logprob): the typical token's probability.
    pub mean_prob: f64,
    /// Logprob at the 10th percentile (histogram estimate).
    pub low_logprob: f64,
    pub min_logprob: f64,
    /// Mean entropy in nats over tokens that carry alternatives.
    pub entropy: Option<f64>,
}

/// How many tokens are read: the first 8192. Past a few thousand tokens the
/// mean, the 10th percentile and the entropy no longer move (the tail
/// bucket alone then holds hundreds of tokens), and 8192 covers the whole
/// of an answer at the output limits drafts are usually run with. A
/// provider or caller can send far more; reading it all would make the
/// judge's cost grow with whatever it is handed.
pub const MAX_LOGPROB_TOKENS: usize = 8192;

/// Histogram buckets of width 0.25 over logprobs -16..0; a fixed array so
/// the percentile needs no allocation or sort.
const BUCKETS: usize = 64;
const WIDTH: f64 = 0.25;

pub(crate) fn summarize(lp: &[TokenLogprob]) -> Option<Confidence> {
    let mut hist = [0u32; BUCKETS];
    let (mut sum, mut n, mut min) = (0.0f64, 0usize, 0.0f64);
    let (mut ent_sum, mut ent_n) = (0.0f64, 0usize);
    for t in lp.iter().take(MAX_LOGPROB_TOKENS) {
        if !t.logprob.is_finite() {
            continue;
        }
        let x = t.logprob.clamp(-30.0, 0.0);
        sum += x;
        n = n.saturating_add(1);
        min = min.min(x);
        let b = ((-x / WIDTH) as usize).min(BUCKETS - 1);
        if let Some(h) = hist.get_mut(b) {
            *h = (*h).saturating_add(1);
        }
        if t.top_logprobs.len() >= 2 {
            let mut mass = 0.0;
            let mut h = 0.0;
            for alt in &t.top_logprobs {
                if !alt.logprob.is_finite() {
                    continue;
                }
                let p = alt.logprob.clamp(-30.0, 0.0).exp();
                mass += p;
                h -= p * p.ln();
            }
            // The mass outside the listed alternatives counts as one more.
            let rest = (1.0 - mass).max(0.0);
            if rest > 1e-12 {
                h -= rest * rest.ln();
            }
            ent_sum += h;
            ent_n = ent_n.saturating_add(1);
        }
    }
    if n == 0 {
        return None;
    }
    // Walk from the least likely bucket up to the 10th percentile.
    let target = (n as f64 * 0.1).ceil().max(1.0) as u32;
    let mut seen = 0u32;
    let mut low = 0.0;
    for (i, &c) in hist.iter().enumerate().rev() {
        seen = seen.saturating_add(c);
        if seen >= target {
            low = -(i as f64) * WIDTH;
            break;
        }
    }
    let entropy = (ent_n > 0).then(|| ent_sum / ent_n as f64);
    Some(Confidence { tokens: n, mean_prob: (sum / n as f64).exp(), low_logprob: low, min_logprob: min, entropy })
}

pub(crate) fn logprobs(ctx: &Ctx) -> Option<CheckOutcome> {
    let c = summarize(ctx.input.logprobs?)?;
    if c.tokens < 2 {
        return None;
    }
    let s_mean = ramp(c.mean_prob, 0.45, 0.15, 0.85, 1.0);
    let s_low = ramp(c.low_logprob, -4.0, 0.35, -1.0, 1.0);
    let mut score = 0.6 * s_mean + 0.4 * s_low;
    if let Some(h) = c.entropy {
        let s_ent = ramp(h, 0.4, 1.0, 1.6, 0.3);
        score = 0.75 * score + 0.25 * s_ent;
    }
    let detail = format!(
        "typical token p={}, 10th percentile logprob {}{}",
        fixed(c.mean_prob, 2),
        fixed(c.low_logprob, 2),
        c.entropy.map_or_else(String::new, |h| format!(", entropy {}", fixed(h, 2)))
    );
    Some(outcome("logprobs", score, 1.0, false, detail))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quality::checks::Ctx;
    use crate::quality::JudgeInput;
    use crate::types::TopLogprob;

    fn toks(lps: &[f64]) -> Vec<TokenLogprob> {
        lps.iter().map(|&l| TokenLogprob { token: "x".into(), logprob: l, top_logprobs: vec![] }).collect()
    }

    fn judge_lp(lp: &[TokenLogprob]) -> CheckOutcome {
        let mut input = JudgeInput::text("q", "a b c");
        input.logprobs = Some(lp);
        logprobs(&Ctx::read(&input, &crate::quality::QueryFacts::read(input.query), Default::default())).unwrap()
    }

    #[test]
    fn confident_beats_shaky_regardless_of_length() {
        let confident_long = toks(&[-0.05; 400]);
        let shaky_short = toks(&[-0.9, -2.5, -0.4, -3.0, -1.2]);
        let a = judge_lp(&confident_long);
        let b = judge_lp(&shaky_short);
        assert!(a.score > 0.95 && b.score < 0.5, "{a:?} {b:?}");
    }

    #[test]
    fn one_odd_token_does_not_sink_a_long_answer() {
        let mut lp = vec![-0.05; 100];
        lp[50] = -9.0;
        let c = summarize(&toks(&lp)).unwrap();
        assert!(c.min_logprob <= -9.0 && c.low_logprob > -1.0);
        assert!(judge_lp(&toks(&lp)).passed);
    }

    #[test]
    fn entropy_from_alternatives() {
        let flat = TokenLogprob {
            token: "a".into(),
            logprob: (0.25f64).ln(),
            top_logprobs: (0..4).map(|i| TopLogprob { token: i.to_string(), logprob: (0.25f64).ln() }).collect(),
        };
        let c = summarize(&[flat.clone(), flat]).unwrap();
        assert!((c.entropy.unwrap() - (4f64).ln()).abs() < 1e-9);
    }

    #[test]
    fn only_the_first_tokens_are_read() {
        // 200k tokens, the last of them all shaky: only the first
        // MAX_LOGPROB_TOKENS are counted, so the shaky tail is never seen.
        let mut lp = vec![-0.05; 200_000];
        for x in lp.iter_mut().skip(MAX_LOGPROB_TOKENS) {
            *x = -9.0;
        }
        let c = summarize(&toks(&lp)).unwrap();
        assert_eq!(c.tokens, MAX_LOGPROB_TOKENS);
        assert!(c.min_logprob > -1.0);
    }

    #[test]
    fn junk_values_are_ignored() {
        assert!(summarize(&toks(&[f64::NAN, f64::INFINITY])).is_none());
        assert!(summarize(&[]).is_none());
        let c = summarize(&toks(&[f64::NEG_INFINITY, -0.1, -1e300])).unwrap();
        assert_eq!(c.tokens, 2);
    }
}
