//! Running totals over an agent's runs: what it cost, what it saved, how
//! often drafts were good enough, by model, complexity and domain.

use std::collections::BTreeMap;

use super::result::{Attempt, AttemptOutcome, CascadeResult};
use crate::json_out::{JsonOut, ToJson};
use crate::quality::Verdict;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct ModelStats {
    pub calls: u64,
    pub failures: u64,
    pub cost: f64,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Acceptance {
    pub drafts: u64,
    pub accepted: u64,
    pub rate: f64,
}

impl Acceptance {
    fn add(&mut self, accepted: bool) {
        // Counters saturate: a long-lived agent must not be able to overflow them.
        self.drafts = self.drafts.saturating_add(1);
        if accepted {
            self.accepted = self.accepted.saturating_add(1);
        }
        self.rate = self.accepted as f64 / self.drafts as f64;
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Analytics {
    pub runs: u64,
    pub failed_runs: u64,
    pub total_cost: f64,
    pub cost_saved: f64,
    /// What the same runs would have cost on the top tier alone.
    pub baseline_cost: f64,
    pub savings_percentage: f64,
    /// Runs whose cost could not be known (a model without a price).
    pub runs_with_unknown_cost: u64,
    pub drafter_acceptance: Acceptance,
    pub per_model: BTreeMap<String, ModelStats>,
    pub by_complexity: BTreeMap<String, Acceptance>,
    pub by_domain: BTreeMap<String, Acceptance>,
}

impl Analytics {
    /// Add one finished run. The drafter's acceptance is read from the run
    /// itself: the route it took may have more or fewer tiers than the
    /// agent's `models` (a domain's own list), so `_agent_has_tiers` (the
    /// agent's own list has a drafter) is not what decides it.
    pub fn record(&mut self, r: &CascadeResult, _agent_has_tiers: bool) {
        self.runs = self.runs.saturating_add(1);
        self.count_calls(&r.attempts);
        match (r.total_cost, r.cost_saved) {
            (Some(t), Some(s)) => {
                self.total_cost += t;
                self.cost_saved += s;
                self.baseline_cost += t + s;
            }
            (Some(t), None) => {
                self.total_cost += t;
                self.runs_with_unknown_cost = self.runs_with_unknown_cost.saturating_add(1);
            }
            _ => self.runs_with_unknown_cost = self.runs_with_unknown_cost.saturating_add(1),
        }
        self.update_percentage();
        self.count_draft(&r.attempts, r.draft_accepted);
    }

    /// A run that ended in an error after these calls: what they cost was
    /// spent for nothing, so it counts in the total and against the savings
    /// (a run with no answer has no top-tier baseline).
    pub fn record_failed_run(&mut self, attempts: &[Attempt]) {
        self.runs = self.runs.saturating_add(1);
        self.failed_runs = self.failed_runs.saturating_add(1);
        self.count_calls(attempts);
        // A draft rejected before the failure was still judged.
        self.count_draft(attempts, false);
        let spent: f64 = attempts.iter().filter(|a| a.outcome != AttemptOutcome::Skipped).filter_map(|a| a.cost).sum();
        self.total_cost += spent;
        self.cost_saved -= spent;
        self.update_percentage();
    }

    fn count_calls(&mut self, attempts: &[Attempt]) {
        for a in attempts {
            if a.outcome == AttemptOutcome::Skipped {
                continue;
            }
            if let Some(m) = tally(&mut self.per_model, &a.model) {
                m.calls = m.calls.saturating_add(1);
                if a.outcome == AttemptOutcome::Failed {
                    m.failures = m.failures.saturating_add(1);
                }
                m.cost += a.cost.unwrap_or(0.0);
            }
        }
    }

    fn count_draft(&mut self, attempts: &[Attempt], draft_accepted: bool) {
        if let Some((accepted, v)) = drafter_verdict(attempts, draft_accepted) {
            self.drafter_acceptance.add(accepted);
            let tallies =
                [tally(&mut self.by_complexity, v.complexity.as_str()), tally(&mut self.by_domain, v.domain.as_str())];
            for t in tallies.into_iter().flatten() {
                t.add(accepted);
            }
        }
    }

    fn update_percentage(&mut self) {
        if self.baseline_cost > 0.0 {
            self.savings_percentage = self.cost_saved / self.baseline_cost * 100.0;
        }
    }
}

/// The entry for `key`, made on first use: after that a run's tally
/// allocates nothing (`entry` would want an owned key every time).
fn tally<'a, V: Default>(map: &'a mut BTreeMap<String, V>, key: &str) -> Option<&'a mut V> {
    if !map.contains_key(key) {
        map.insert(key.to_string(), V::default());
    }
    map.get_mut(key)
}

/// Whether the run's first tier judged a draft that a later tier could
/// replace, and if so whether it was accepted. A single-tier route's answer
/// is returned whatever its verdict, so it is no draft; a pre-routed run or
/// a failed first call judged none.
fn drafter_verdict(attempts: &[Attempt], draft_accepted: bool) -> Option<(bool, &Verdict)> {
    let first = attempts.first().filter(|a| a.tier == 0)?;
    let verdict = first.verdict.as_ref()?;
    match first.outcome {
        AttemptOutcome::Rejected => Some((false, verdict)),
        AttemptOutcome::Accepted if draft_accepted => Some((true, verdict)),
        _ => None,
    }
}

/// Sums keep full precision; what is shown drops the sub-nano-dollar float noise.
fn usd(o: &mut JsonOut, key: &str, v: f64) {
    o.key(key);
    o.float_exact((v * 1e10).round() / 1e10);
}

/// `getAnalytics()`'s JSON: camelCase fields in declaration order, floats
/// as serde_json wrote them when this was derived.
impl ToJson for Analytics {
    fn write_json(&self, o: &mut JsonOut) {
        o.begin_object();
        o.u64_field("runs", self.runs);
        o.u64_field("failedRuns", self.failed_runs);
        usd(o, "totalCost", self.total_cost);
        usd(o, "costSaved", self.cost_saved);
        usd(o, "baselineCost", self.baseline_cost);
        o.key("savingsPercentage");
        o.float_exact(self.savings_percentage);
        o.u64_field("runsWithUnknownCost", self.runs_with_unknown_cost);
        o.key("drafterAcceptance");
        self.drafter_acceptance.write_json(o);
        o.key("perModel");
        keyed(o, &self.per_model);
        o.key("byComplexity");
        keyed(o, &self.by_complexity);
        o.key("byDomain");
        keyed(o, &self.by_domain);
        o.end_object();
    }
}

fn keyed<T: ToJson>(o: &mut JsonOut, map: &BTreeMap<String, T>) {
    o.begin_object();
    for (k, v) in map {
        o.escaped_key(k);
        v.write_json(o);
    }
    o.end_object();
}

impl ToJson for ModelStats {
    fn write_json(&self, o: &mut JsonOut) {
        o.begin_object();
        o.u64_field("calls", self.calls);
        o.u64_field("failures", self.failures);
        usd(o, "cost", self.cost);
        o.end_object();
    }
}

impl ToJson for Acceptance {
    fn write_json(&self, o: &mut JsonOut) {
        o.begin_object();
        o.u64_field("drafts", self.drafts);
        o.u64_field("accepted", self.accepted);
        o.key("rate");
        o.float_exact(self.rate);
        o.end_object();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quality::{judge, JudgeInput, QualityConfig};

    fn attempt(tier: usize, outcome: AttemptOutcome, cost: Option<f64>) -> Attempt {
        let verdict = (outcome != AttemptOutcome::Failed)
            .then(|| judge(&JudgeInput::text("What is 2+2?", "5"), &QualityConfig::default(), None));
        Attempt {
            tier,
            model: format!("m{tier}"),
            provider: "p".into(),
            outcome,
            cost,
            latency_ms: 1.0,
            usage: None,
            verdict,
            error: None,
            reason: String::new(),
            step: None,
            retry_in_ms: None,
            key_index: None,
            malformed_events: 0,
        }
    }

    #[test]
    fn a_failed_run_counts_what_it_spent_and_the_rejected_draft() {
        let mut a = Analytics::default();
        a.record_failed_run(&[
            attempt(0, AttemptOutcome::Rejected, Some(0.002)),
            attempt(1, AttemptOutcome::Failed, None),
        ]);
        assert_eq!((a.runs, a.failed_runs), (1, 1));
        assert_eq!((a.total_cost, a.cost_saved, a.baseline_cost), (0.002, -0.002, 0.0));
        assert_eq!(a.per_model["m0"], ModelStats { calls: 1, failures: 0, cost: 0.002 });
        assert_eq!(a.per_model["m1"], ModelStats { calls: 1, failures: 1, cost: 0.0 });
        assert_eq!((a.drafter_acceptance.drafts, a.drafter_acceptance.accepted), (1, 0));
        assert_eq!(a.by_complexity["trivial"].drafts, 1);
        a.record_failed_run(&[]);
        assert_eq!((a.runs, a.failed_runs, a.per_model.len()), (2, 2, 2));
    }

    #[test]
    fn only_a_replaceable_first_answer_is_a_draft() {
        let single = [attempt(0, AttemptOutcome::Accepted, Some(0.001))];
        assert_eq!(drafter_verdict(&single, false).map(|d| d.0), None);
        assert_eq!(drafter_verdict(&single, true).map(|d| d.0), Some(true));
        let escalated = [attempt(0, AttemptOutcome::Rejected, Some(0.001)), attempt(1, AttemptOutcome::Accepted, None)];
        assert_eq!(drafter_verdict(&escalated, false).map(|d| d.0), Some(false));
        let skipped = [attempt(0, AttemptOutcome::Skipped, None), attempt(1, AttemptOutcome::Accepted, None)];
        assert_eq!(drafter_verdict(&skipped, false).map(|d| d.0), None);
    }
}
