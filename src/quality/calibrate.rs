//! Offline evaluation and calibration of the judge on labelled drafts.
//!
//! A labelled record is a query, the cheap model's draft, and whether the
//! draft and the strong model's answer were right. With no model call,
//! `evaluate` judges every draft and reports the routing metrics of
//! `eval` (CPT, APGR), what the judge's own accept/escalate decision
//! reaches, and dollars per query at given prices. `calibrate` searches
//! the thresholds that reach a target share of verifier-only quality
//! while sending the fewest drafts to the verifier.
//!
//! The judge's score does not depend on the thresholds (they only decide),
//! so each draft is judged once and every candidate threshold is tried on
//! the stored scores: a draft is accepted at threshold `t` when no check
//! vetoed it and `score >= t`, exactly the judge's own rule.

use super::eval::{at_decision, curve, summarize, CurvePoint, EvalRecord};
use super::{judge, JudgeInput, QualityConfig};
use crate::pricing::{lookup, Price};

mod input;
mod json;
mod search;

pub use input::{calibrate_json, evaluate_json, parse_prices, parse_records, TokenDefaults};
pub use search::{calibrate, CalibrateOptions};

/// One labelled draft, as read from a log or a data file.
#[derive(Clone, Debug, PartialEq)]
pub struct Labelled {
    pub query: String,
    pub draft: String,
    pub draft_correct: bool,
    pub verifier_correct: bool,
    /// Tokens of the query (billed as input to both models).
    pub input_tokens: u64,
    pub draft_tokens: u64,
    pub verifier_tokens: u64,
}

/// USD per 1M tokens for the drafter and the verifier, with where they came from.
#[derive(Clone, Debug, PartialEq)]
pub struct ModelPrice {
    pub model: Option<String>,
    pub input_cost: f64,
    pub output_cost: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Prices {
    pub draft: ModelPrice,
    pub verifier: ModelPrice,
}

impl Default for Prices {
    /// gpt-4o-mini drafts, gpt-4o verifies (list prices from the built-in table).
    fn default() -> Self {
        let named = |m: &str, fallback: (f64, f64)| {
            let p = lookup("", m).unwrap_or(Price::per_million(fallback.0, fallback.1));
            ModelPrice { model: Some(m.into()), input_cost: p.input_per_m, output_cost: p.output_per_m }
        };
        Prices { draft: named("gpt-4o-mini", (0.15, 0.6)), verifier: named("gpt-4o", (2.5, 10.0)) }
    }
}

/// What the cascade reaches at one accept/escalate decision.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Outcome {
    pub escalated_share: f64,
    pub quality: f64,
    /// Share of the draft-to-verifier quality gap recovered; `None` without a gap.
    pub gap_recovered: Option<f64>,
    pub cost_per_query: f64,
    pub verifier_only_cost_per_query: f64,
    /// Saved against sending every query to the verifier alone.
    pub savings_percentage: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Decision {
    pub outcome: Outcome,
    pub draft_only_quality: f64,
    pub verifier_only_quality: f64,
    pub draft_only_cost_per_query: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Evaluation {
    pub count: usize,
    pub cpt50: Option<f64>,
    pub cpt80: Option<f64>,
    pub apgr: Option<f64>,
    pub decision: Decision,
    pub prices: Prices,
    pub curve: Option<Vec<CurvePoint>>,
}

/// One value per complexity level, serialised as `{trivial, ..., expert}`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Levels<T> {
    pub trivial: T,
    pub simple: T,
    pub moderate: T,
    pub hard: T,
    pub expert: T,
}

impl<T: Copy> From<[T; 5]> for Levels<T> {
    fn from(a: [T; 5]) -> Self {
        Levels { trivial: a[0], simple: a[1], moderate: a[2], hard: a[3], expert: a[4] }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Calibration {
    /// The share of verifier-only quality asked for, and that quality itself.
    pub target_quality: f64,
    pub target: f64,
    /// Whether `reached.quality` meets the target; if not, the thresholds
    /// give the best quality found.
    pub met: bool,
    /// The best single threshold for every query.
    pub threshold: f64,
    /// What to use, per complexity: the single threshold, or per-level
    /// ones where enough records allowed and it escalates less.
    pub thresholds: Levels<f64>,
    pub per_complexity: bool,
    pub reached: Outcome,
    /// What the single threshold alone reaches.
    pub global: Outcome,
    pub counts: Levels<usize>,
    pub draft_only_quality: f64,
    pub verifier_only_quality: f64,
    /// Ready for `new CascadeAgent({ quality })`.
    pub quality: QualitySettings,
}

/// The agent's `quality` option that applies a calibration.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct QualitySettings {
    pub thresholds: Levels<f64>,
}

/// A judged record: what the thresholds need.
#[derive(Clone, Copy, Debug)]
struct Judged {
    score: f64,
    /// The judge's own ranking (`Verdict::escalation_score`), for CPT and APGR.
    escalation: f64,
    veto: bool,
    level: usize,
    /// Whether the draft, and the verifier, answered right.
    d: bool,
    v: bool,
}

/// Dollars per query for a decision, and for the verifier and the drafter alone.
fn costs(records: &[Labelled], escalate: &[bool], p: &Prices) -> (f64, f64, f64) {
    let (mut cascade, mut verifier_only, mut draft_only) = (0.0, 0.0, 0.0);
    for (r, &e) in records.iter().zip(escalate) {
        let input = r.input_tokens as f64;
        let d = (input * p.draft.input_cost + r.draft_tokens as f64 * p.draft.output_cost) / 1e6;
        let v = (input * p.verifier.input_cost + r.verifier_tokens as f64 * p.verifier.output_cost) / 1e6;
        cascade += d + if e { v } else { 0.0 };
        verifier_only += v;
        draft_only += d;
    }
    let n = records.len().max(1) as f64;
    (cascade / n, verifier_only / n, draft_only / n)
}

fn outcome(records: &[Labelled], evals: &[EvalRecord], escalate: &[bool], p: &Prices) -> Outcome {
    let d = at_decision(evals, escalate);
    let (c, v, _) = costs(records, escalate, p);
    Outcome {
        escalated_share: d.escalated_share,
        quality: d.quality,
        gap_recovered: d.pgr,
        cost_per_query: c,
        verifier_only_cost_per_query: v,
        savings_percentage: if v > 0.0 { (1.0 - c / v) * 100.0 } else { 0.0 },
    }
}

fn eval_records(records: &[Labelled], judged: &[Judged]) -> Vec<EvalRecord> {
    records
        .iter()
        .zip(judged)
        .map(|(r, j)| EvalRecord {
            escalation: j.escalation,
            draft_correct: r.draft_correct,
            verifier_correct: r.verifier_correct,
        })
        .collect()
}

/// Judge every draft under `cfg`; returns the judged records and the judge's decisions.
fn judge_all(records: &[Labelled], cfg: &QualityConfig) -> (Vec<Judged>, Vec<bool>) {
    records
        .iter()
        .map(|r| {
            let v = judge(&JudgeInput::text(&r.query, &r.draft), cfg, None);
            let j = Judged {
                score: v.score,
                escalation: v.escalation_score(),
                veto: v.checks.iter().any(|c| c.veto),
                level: v.complexity as usize,
                d: r.draft_correct,
                v: r.verifier_correct,
            };
            (j, !v.accepted)
        })
        .unzip()
}

/// The judge as a router on labelled records, under the thresholds of `cfg`.
pub fn evaluate(records: &[Labelled], cfg: &QualityConfig, prices: &Prices, with_curve: bool) -> Evaluation {
    let (judged, escalate) = judge_all(records, cfg);
    let evals = eval_records(records, &judged);
    let s = summarize(&evals);
    let (_, _, draft_only) = costs(records, &escalate, prices);
    Evaluation {
        count: records.len(),
        cpt50: s.cpt50,
        cpt80: s.cpt80,
        apgr: s.apgr,
        decision: Decision {
            outcome: outcome(records, &evals, &escalate, prices),
            draft_only_quality: s.draft_quality,
            verifier_only_quality: s.verifier_quality,
            draft_only_cost_per_query: draft_only,
        },
        prices: prices.clone(),
        curve: with_curve.then(|| curve(&evals)),
    }
}
