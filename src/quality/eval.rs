//! Routing metrics in the RouteLLM style, as pure functions so the engine,
//! the JS bindings and the evaluation example all compute them the same way.
//!
//! Each record has an escalation score (how strongly the cascade wants the
//! stronger model; `1 - verdict.score` for the judge) and whether the draft
//! and the verifier answered correctly. Escalating records in order of
//! score traces quality against the share sent to the verifier:
//! - PGR (performance gap recovered) at a share = (quality - draft-only) /
//!   (verifier-only - draft-only): 0 at no escalation, 1 at full.
//! - CPT(x) = the smallest share of escalations reaching PGR x. Lower is better.
//! - APGR = the area under the PGR curve over shares 0..1. Higher is better.
//!
//! Records with equal scores cannot be ordered by the router, so a tied
//! group is escalated as a block and the curve runs straight across it: the
//! expected curve over every order within the tie. This is exact and does
//! not depend on sampling thresholds.

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EvalRecord {
    /// Higher = escalate sooner.
    pub escalation: f64,
    pub draft_correct: bool,
    pub verifier_correct: bool,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CurvePoint {
    /// Share of records escalated, 0..1.
    pub share: f64,
    /// Share of records answered correctly at that point.
    pub quality: f64,
    /// Performance gap recovered (0 when draft and verifier are equally good).
    pub pgr: f64,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Summary {
    pub records: usize,
    pub draft_quality: f64,
    pub verifier_quality: f64,
    /// `None` when draft and verifier are equally good (no gap to recover).
    pub apgr: Option<f64>,
    pub cpt50: Option<f64>,
    pub cpt80: Option<f64>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Decision {
    pub escalated_share: f64,
    pub quality: f64,
    pub pgr: Option<f64>,
}

fn gap(records: &[EvalRecord]) -> (f64, f64, Option<f64>) {
    let n = records.len().max(1) as f64;
    let d = records.iter().filter(|r| r.draft_correct).count() as f64 / n;
    let v = records.iter().filter(|r| r.verifier_correct).count() as f64 / n;
    let g = v - d;
    (d, v, (g.abs() > 1e-12 && !records.is_empty()).then_some(g))
}

/// The escalation curve: one point at 0, then one at the end of each group
/// of tied scores. NaN scores are escalated last.
pub fn curve(records: &[EvalRecord]) -> Vec<CurvePoint> {
    let n = records.len();
    let (dq, _, g) = gap(records);
    let key = |r: &EvalRecord| if r.escalation.is_nan() { f64::NEG_INFINITY } else { r.escalation };
    let mut order: Vec<&EvalRecord> = records.iter().collect();
    crate::sort::sort_by(&mut order, |a, b| key(b).total_cmp(&key(a)).is_lt());
    let pgr = |q: f64| g.map_or(0.0, |g| (q - dq) / g);
    let mut out = Vec::with_capacity(n.saturating_add(1));
    out.push(CurvePoint { share: 0.0, quality: dq, pgr: 0.0 });
    let mut correct = records.iter().filter(|r| r.draft_correct).count() as i64;
    let mut i = 0;
    while i < n {
        let k = order.get(i).map_or(0.0, |r| key(r));
        let mut j = i;
        while let Some(r) = order.get(j).filter(|r| key(r) == k) {
            correct = correct.saturating_add(i64::from(r.verifier_correct)).saturating_sub(i64::from(r.draft_correct));
            j = j.saturating_add(1);
        }
        let q = correct as f64 / n as f64;
        out.push(CurvePoint { share: j as f64 / n as f64, quality: q, pgr: pgr(q) });
        i = j;
    }
    out
}

/// Area under the PGR curve (trapezoids between tie-group ends).
pub fn apgr(records: &[EvalRecord]) -> Option<f64> {
    gap(records).2?;
    let c = curve(records);
    Some(c.iter().zip(c.iter().skip(1)).map(|(a, b)| (b.share - a.share) * (a.pgr + b.pgr) / 2.0).sum())
}

/// Share of escalations needed to recover `target` (e.g. 0.5) of the gap,
/// interpolated inside a tie group; `None` if never reached or no gap.
pub fn cpt(records: &[EvalRecord], target: f64) -> Option<f64> {
    gap(records).2?;
    if target <= 0.0 {
        return Some(0.0);
    }
    let c = curve(records);
    c.iter().zip(c.iter().skip(1)).find(|(_, b)| b.pgr >= target).map(|(a, b)| {
        if b.pgr > a.pgr {
            a.share + (b.share - a.share) * ((target - a.pgr) / (b.pgr - a.pgr)).clamp(0.0, 1.0)
        } else {
            b.share
        }
    })
}

pub fn summarize(records: &[EvalRecord]) -> Summary {
    let (d, v, _) = gap(records);
    Summary {
        records: records.len(),
        draft_quality: d,
        verifier_quality: v,
        apgr: apgr(records),
        cpt50: cpt(records, 0.5),
        cpt80: cpt(records, 0.8),
    }
}

/// Quality and escalation share at a fixed accept/escalate decision:
/// `escalate[i]` says whether record `i` went to the verifier.
pub fn at_decision(records: &[EvalRecord], escalate: &[bool]) -> Decision {
    let n = records.len().max(1) as f64;
    let mut sent = 0usize;
    let mut correct = 0usize;
    for (r, &e) in records.iter().zip(escalate) {
        sent = sent.saturating_add(usize::from(e));
        correct = correct.saturating_add(usize::from(if e { r.verifier_correct } else { r.draft_correct }));
    }
    let quality = correct as f64 / n;
    let (d, _, g) = gap(records);
    Decision { escalated_share: sent as f64 / n, quality, pgr: g.map(|g| (quality - d) / g) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(e: f64, d: bool, v: bool) -> EvalRecord {
        EvalRecord { escalation: e, draft_correct: d, verifier_correct: v }
    }

    /// 2 records the verifier fixes, 1 it breaks, 1 both get right.
    fn set(scores: [f64; 4]) -> Vec<EvalRecord> {
        vec![
            rec(scores[0], false, true),
            rec(scores[1], false, true),
            rec(scores[2], true, false),
            rec(scores[3], true, true),
        ]
    }

    #[test]
    fn perfect_order_recovers_fast() {
        let r = set([0.9, 0.8, 0.1, 0.2]);
        let s = summarize(&r);
        assert_eq!((s.draft_quality, s.verifier_quality), (0.5, 0.75));
        // Gap = 1 record; the first escalation already recovers it.
        assert_eq!(cpt(&r, 0.5), Some(0.125));
        assert_eq!(cpt(&r, 1.0), Some(0.25));
        let c = curve(&r);
        assert_eq!(c.iter().map(|p| p.pgr).collect::<Vec<_>>(), [0.0, 1.0, 2.0, 2.0, 1.0]);
        // Trapezoids: 0.125 + 0.375 + 0.5 + 0.375 = 1.375
        assert!((apgr(&r).unwrap() - 1.375).abs() < 1e-12);
    }

    #[test]
    fn ties_run_straight_and_reverse_order_is_worst() {
        let tied = set([0.5; 4]);
        assert!((apgr(&tied).unwrap() - 0.5).abs() < 1e-12);
        assert_eq!(cpt(&tied, 0.5), Some(0.5));
        let reverse = set([0.1, 0.2, 0.9, 0.8]);
        assert!(apgr(&reverse).unwrap() < 0.5);
    }

    #[test]
    fn degenerate_inputs() {
        assert_eq!(apgr(&[]), None);
        assert_eq!(cpt(&[rec(1.0, true, true)], 0.5), None);
        let nan = set([f64::NAN, 0.8, 0.1, 0.2]);
        assert!(apgr(&nan).is_some());
        let d = at_decision(&set([0.9, 0.8, 0.1, 0.2]), &[true, true, false, false]);
        assert_eq!((d.escalated_share, d.quality, d.pgr), (0.5, 1.0, Some(2.0)));
    }
}
