//! Running totals over an agent's runs: what it cost, what it saved, how
//! often drafts were good enough, by model, complexity and domain.

use std::collections::BTreeMap;

use serde::Serialize;

use super::result::{AttemptOutcome, CascadeResult};

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ModelStats {
    pub calls: u64,
    pub failures: u64,
    pub cost: f64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Acceptance {
    pub drafts: u64,
    pub accepted: u64,
    pub rate: f64,
}

impl Acceptance {
    fn add(&mut self, accepted: bool) {
        self.drafts += 1;
        if accepted {
            self.accepted += 1;
        }
        self.rate = self.accepted as f64 / self.drafts as f64;
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
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
    pub fn record(&mut self, r: &CascadeResult, has_drafter: bool) {
        self.runs += 1;
        for a in &r.attempts {
            if a.outcome == AttemptOutcome::Skipped {
                continue;
            }
            let m = self.per_model.entry(a.model.clone()).or_default();
            m.calls += 1;
            if a.outcome == AttemptOutcome::Failed {
                m.failures += 1;
            }
            m.cost += a.cost.unwrap_or(0.0);
        }
        match (r.total_cost, r.cost_saved) {
            (Some(t), Some(s)) => {
                self.total_cost += t;
                self.cost_saved += s;
                self.baseline_cost += t + s;
            }
            (Some(t), None) => {
                self.total_cost += t;
                self.runs_with_unknown_cost += 1;
            }
            _ => self.runs_with_unknown_cost += 1,
        }
        if self.baseline_cost > 0.0 {
            self.savings_percentage = self.cost_saved / self.baseline_cost * 100.0;
        }
        // Only a cascade has a drafter to judge; a failed first call judged nothing.
        if has_drafter {
            if let Some(first) = r.attempts.first().filter(|a| a.tier == 0 && a.verdict.is_some()) {
                let accepted = first.outcome == AttemptOutcome::Accepted;
                self.drafter_acceptance.add(accepted);
                self.by_complexity.entry(label(&r.complexity)).or_default().add(accepted);
                self.by_domain.entry(label(&r.domain)).or_default().add(accepted);
            }
        }
    }

    pub fn record_failure(&mut self) {
        self.runs += 1;
        self.failed_runs += 1;
    }
}

fn label<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}
