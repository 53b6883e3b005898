//! The threshold search behind `calibrate`: per group of records, every
//! distinct split of the scores is a candidate; one threshold for all, then
//! a joint choice per complexity level by dynamic programming over the
//! number of escalations.

use super::{eval_records, judge_all, outcome, Calibration, Judged, Labelled, Prices, QualitySettings};
use crate::quality::eval::summarize;
use crate::quality::QualityConfig;

/// A threshold between `lo` (escalated) and `hi` (accepted), short when possible.
fn tidy(lo: f64, hi: f64) -> f64 {
    let mid = (lo + hi) / 2.0;
    for digits in 2..=6 {
        let f = 10f64.powi(digits);
        let t = (mid * f).round() / f;
        if t > lo && t <= hi {
            return t;
        }
    }
    mid
}

/// What `calibrate` aims at.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CalibrateOptions {
    /// Share of verifier-only quality to reach (0.95 = 95% of it).
    pub target_quality: f64,
    /// A complexity level gets its own threshold only with this many records.
    pub min_per_complexity: usize,
}

impl Default for CalibrateOptions {
    fn default() -> Self {
        CalibrateOptions { target_quality: 0.95, min_per_complexity: 50 }
    }
}

/// One candidate threshold for a group of records: how many it escalates
/// and how many answers are then right.
#[derive(Clone, Copy, Debug)]
struct Cand {
    t: f64,
    esc: usize,
    ok: usize,
}

/// The most candidates kept per group (evenly spread), so that the joint
/// search stays linear in the number of records.
const MAX_CANDS: usize = 257;

/// Every distinct split of a group: escalate the `j` lowest-scored drafts
/// (vetoed ones always go).
fn candidates(group: &[Judged]) -> Vec<Cand> {
    let (vetoed, mut open): (Vec<&Judged>, Vec<&Judged>) = group.iter().partition(|j| j.veto);
    crate::sort::sort_by(&mut open, |a, b| a.score.total_cmp(&b.score).is_lt());
    let base_esc = vetoed.len();
    let base_ok = vetoed.iter().filter(|j| j.v).count();
    // Escalating none: every open draft stands.
    let mut ok = base_ok.saturating_add(open.iter().filter(|j| j.d).count());
    let mut out = vec![Cand { t: 0.0, esc: base_esc, ok }];
    for (i, j) in open.iter().enumerate() {
        ok = (ok.saturating_add(usize::from(j.v))).saturating_sub(usize::from(j.d));
        let next = open.get(i.saturating_add(1)).map(|n| n.score);
        match next {
            Some(n) if n == j.score => continue,
            Some(n) => out.push(Cand { t: tidy(j.score, n), esc: base_esc.saturating_add(i).saturating_add(1), ok }),
            None if j.score < 1.0 => {
                out.push(Cand { t: tidy(j.score, 1.0), esc: base_esc.saturating_add(i).saturating_add(1), ok })
            }
            None => {}
        }
    }
    if out.len() > MAX_CANDS {
        let last = out.len().saturating_sub(1);
        out = (0..MAX_CANDS).filter_map(|k| out.get(k.saturating_mul(last) / (MAX_CANDS - 1)).copied()).collect();
    }
    out
}

/// Index of the cheapest candidate reaching `need` correct answers (ties:
/// more correct); if none does, the most correct (ties: fewer escalations).
fn pick(c: &[(usize, usize)], need: f64) -> (usize, bool) {
    let meets = |ok: usize| ok as f64 >= need - 1e-9;
    let best_met =
        c.iter().enumerate().filter(|(_, x)| meets(x.1)).min_by(|(_, a), (_, b)| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
    match best_met {
        Some((i, _)) => (i, true),
        None => (
            c.iter().enumerate().max_by(|(_, a), (_, b)| a.1.cmp(&b.1).then(b.0.cmp(&a.0))).map_or(0, |(i, _)| i),
            false,
        ),
    }
}

/// Thresholds that reach `target_quality` of verifier-only quality with
/// the fewest escalations: one for every query, then per complexity level
/// where each level has enough records, kept only if it escalates at least
/// 1% of the records less.
pub fn calibrate(records: &[Labelled], opts: &CalibrateOptions, prices: &Prices) -> Calibration {
    let (judged, _) = judge_all(records, &QualityConfig::default());
    search(records, &judged, opts, prices)
}

fn search(records: &[Labelled], judged: &[Judged], opts: &CalibrateOptions, prices: &Prices) -> Calibration {
    let evals = eval_records(records, judged);
    let s = summarize(&evals);
    let verifier_ok = records.iter().filter(|r| r.verifier_correct).count();
    let need = opts.target_quality * verifier_ok as f64;

    let global = candidates(judged);
    let pairs: Vec<(usize, usize)> = global.iter().map(|c| (c.esc, c.ok)).collect();
    let (gi, global_met) = pick(&pairs, need);
    let g = global.get(gi).map_or(0.0, |c| c.t);

    let groups: Vec<Vec<Judged>> = (0..5).map(|l| judged.iter().filter(|j| j.level == l).copied().collect()).collect();
    let counts: [usize; 5] = std::array::from_fn(|l| groups.get(l).map_or(0, Vec::len));
    let mut thresholds = [g; 5];
    let mut met = global_met;
    let free: Vec<usize> =
        counts.iter().enumerate().filter(|&(_, &n)| n >= opts.min_per_complexity.max(1)).map(|(l, _)| l).collect();
    // `candidates` always yields one, so `single` is there.
    if let (false, Some(&single)) = (free.is_empty(), pairs.get(gi)) {
        // Levels without enough records keep the single threshold.
        let fixed = judged.iter().filter(|j| !free.contains(&j.level));
        let (fixed_esc, fixed_ok) = fixed.fold((0usize, 0usize), |(e, o), j| {
            let esc = j.veto || j.score < g;
            (e.saturating_add(usize::from(esc)), o.saturating_add(usize::from(if esc { j.v } else { j.d })))
        });
        let cands: Vec<Vec<Cand>> =
            free.iter().map(|&l| candidates(groups.get(l).map_or(&[], Vec::as_slice))).collect();
        if let Some((choice, ok_met)) = joint(&cands, fixed_esc, fixed_ok, need, single, (records.len() / 100).max(1)) {
            for ((&l, level), &k) in free.iter().zip(&cands).zip(&choice) {
                if let (Some(t), Some(c)) = (thresholds.get_mut(l), level.get(k)) {
                    *t = c.t;
                }
            }
            met = ok_met;
        }
    }
    let decide = |t: &[f64; 5]| -> Vec<bool> {
        judged.iter().map(|j| j.veto || t.get(j.level).is_some_and(|&t| j.score < t)).collect()
    };
    let global_outcome = outcome(records, &evals, &decide(&[g; 5]), prices);
    Calibration {
        target_quality: opts.target_quality,
        target: opts.target_quality * s.verifier_quality,
        met,
        threshold: g,
        per_complexity: thresholds != [g; 5],
        reached: outcome(records, &evals, &decide(&thresholds), prices),
        global: global_outcome,
        thresholds: thresholds.into(),
        counts: counts.into(),
        draft_only_quality: s.draft_quality,
        verifier_only_quality: s.verifier_quality,
        quality: QualitySettings { thresholds: thresholds.into() },
    }
}

/// The joint choice over levels: `dp[e]` = most correct answers with `e`
/// escalations among the free levels. Returns one candidate per level and
/// whether the target is met, only if it beats `single` (the single
/// threshold's escalations and correct answers): by `min_gain` fewer
/// escalations when both meet the target, since a smaller gain on the
/// calibration records is more likely noise than a real difference.
fn joint(
    cands: &[Vec<Cand>],
    fixed_esc: usize,
    fixed_ok: usize,
    need: f64,
    single: (usize, usize),
    min_gain: usize,
) -> Option<(Vec<usize>, bool)> {
    let max_esc: usize = cands.iter().map(|c| c.iter().map(|x| x.esc).max().unwrap_or(0)).sum();
    let mut dp: Vec<Option<usize>> = vec![None; max_esc.saturating_add(1)];
    if let Some(none_escalated) = dp.first_mut() {
        *none_escalated = Some(0);
    }
    let mut choice: Vec<Vec<u16>> = Vec::with_capacity(cands.len());
    for level in cands {
        let mut next: Vec<Option<usize>> = vec![None; max_esc.saturating_add(1)];
        let mut pick_here = vec![0u16; max_esc.saturating_add(1)];
        for (e, ok) in dp.iter().enumerate().filter_map(|(e, o)| o.map(|o| (e, o))) {
            for (k, c) in level.iter().enumerate() {
                let (ne, no) = (e.saturating_add(c.esc), ok.saturating_add(c.ok));
                if let (Some(best), Some(here)) = (next.get_mut(ne), pick_here.get_mut(ne)) {
                    if best.is_none_or(|cur| no > cur) {
                        *best = Some(no);
                        *here = k as u16;
                    }
                }
            }
        }
        dp = next;
        choice.push(pick_here);
    }
    let totals: Vec<(usize, usize)> = dp
        .iter()
        .enumerate()
        .map(|(e, o)| (e.saturating_add(fixed_esc), o.map_or(0, |o| o.saturating_add(fixed_ok))))
        .collect();
    let reachable: Vec<usize> = dp.iter().enumerate().filter(|(_, o)| o.is_some()).map(|(e, _)| e).collect();
    let opts: Vec<(usize, usize)> = reachable.iter().filter_map(|&e| totals.get(e).copied()).collect();
    let (i, met) = pick(&opts, need);
    let (esc, ok) = *opts.get(i)?;
    let single_met = single.1 as f64 >= need - 1e-9;
    let better = if met && single_met {
        esc.saturating_add(min_gain) <= single.0
    } else {
        ok > single.1 || (ok == single.1 && esc < single.0)
    };
    if !better || (single_met && !met) {
        return None;
    }
    // Walk back through the levels.
    let mut e = *reachable.get(i)?;
    let mut picks = vec![0usize; cands.len()];
    for ((pick, level), row) in picks.iter_mut().zip(cands).zip(&choice).rev() {
        let k = row.get(e).map_or(0, |&k| usize::from(k));
        *pick = k;
        e = e.saturating_sub(level.get(k).map_or(0, |c| c.esc));
    }
    Some((picks, met))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn j(score: f64, level: usize, d: bool, v: bool) -> Judged {
        Judged { score, escalation: 1.0 - score, veto: false, level, d, v }
    }

    fn labelled(js: &[Judged]) -> Vec<Labelled> {
        js.iter()
            .map(|j| Labelled {
                query: String::new(),
                draft: String::new(),
                draft_correct: j.d,
                verifier_correct: j.v,
                input_tokens: 100,
                draft_tokens: 100,
                verifier_tokens: 100,
            })
            .collect()
    }

    fn run(js: &[Judged], target: f64, min: usize) -> Calibration {
        let opts = CalibrateOptions { target_quality: target, min_per_complexity: min };
        search(&labelled(js), js, &opts, &Prices::default())
    }

    #[test]
    fn candidates_split_between_distinct_scores_and_always_escalate_vetoes() {
        let mut g = vec![j(0.5, 2, false, true), j(0.5, 2, true, true), j(0.8, 2, true, true)];
        g.push(Judged { veto: true, ..j(0.9, 2, false, true) });
        let c = candidates(&g);
        let view: Vec<(f64, usize, usize)> = c.iter().map(|c| (c.t, c.esc, c.ok)).collect();
        // Tied 0.5 scores split as one block; 0.8 is the last; the veto is always escalated.
        assert_eq!(view, [(0.0, 1, 3), (0.65, 3, 4), (0.9, 4, 4)]);
    }

    #[test]
    fn tidy_prefers_short_thresholds_inside_the_gap() {
        assert_eq!(tidy(0.5, 0.8), 0.65);
        assert_eq!(tidy(0.731, 0.7322), 0.732);
        let t = tidy(0.123456781, 0.123456789);
        assert!(t > 0.123456781 && t <= 0.123456789);
    }

    /// Moderate drafts score lower than hard ones, so one threshold must
    /// escalate every moderate draft to catch the wrong hard ones.
    fn two_levels() -> Vec<Judged> {
        let mut v = Vec::new();
        v.extend((0..50).map(|_| j(0.60, 2, true, true)));
        v.extend((0..10).map(|_| j(0.50, 2, false, true)));
        v.extend((0..50).map(|_| j(0.80, 3, true, true)));
        v.extend((0..10).map(|_| j(0.70, 3, false, true)));
        v
    }

    #[test]
    fn per_complexity_thresholds_escalate_less_for_the_same_quality() {
        let c = run(&two_levels(), 1.0, 50);
        assert!(c.met);
        assert_eq!(c.threshold, 0.75);
        assert!((c.global.escalated_share - 70.0 / 120.0).abs() < 1e-12);
        assert!(c.per_complexity);
        assert_eq!((c.thresholds.moderate, c.thresholds.hard), (0.55, 0.75));
        // Levels without records keep the single threshold.
        assert_eq!(c.thresholds.trivial, 0.75);
        assert!((c.reached.escalated_share - 20.0 / 120.0).abs() < 1e-12);
        assert_eq!(c.reached.quality, 1.0);
        assert_eq!(c.counts.moderate, 60);
    }

    #[test]
    fn too_few_records_per_level_keeps_one_threshold() {
        let c = run(&two_levels(), 1.0, 61);
        assert!(!c.per_complexity);
        assert_eq!(c.thresholds.moderate, c.threshold);
        assert_eq!(c.reached, c.global);
    }

    #[test]
    fn a_low_target_keeps_every_draft() {
        // Drafts alone reach 100/120 of verifier quality: nothing to escalate.
        let c = run(&two_levels(), 0.8, 50);
        assert!(c.met);
        assert_eq!(c.threshold, 0.0);
        assert_eq!(c.reached.escalated_share, 0.0);
    }

    #[test]
    fn the_target_is_a_share_of_verifier_quality_which_a_router_can_beat() {
        // The verifier is wrong where the draft is right: drafts alone already match it.
        let mut v = vec![j(0.5, 2, false, true); 10];
        v.extend(vec![j(0.9, 2, true, false); 10]);
        let c = run(&v, 1.0, 50);
        assert!(c.met);
        assert_eq!((c.target, c.reached.escalated_share, c.reached.quality), (0.5, 0.0, 0.5));
    }

    #[test]
    fn an_unreachable_target_is_reported_not_met() {
        // A score of 1.0 is accepted at every threshold: these drafts cannot be escalated.
        let v = vec![j(1.0, 2, false, true); 10];
        let c = run(&v, 0.9, 50);
        assert!(!c.met);
        assert_eq!((c.reached.quality, c.reached.escalated_share), (0.0, 0.0));
    }
}
