//! Analytics summed over every agent on a shared store. Each run's change to
//! the agent's own totals is kept as a pending delta, and the wrapper flushes
//! it to the store in the background (never on a run's path), one flush at a
//! time; a flush the store refuses is kept for the next. Only sums that rise
//! are stored, so every store adds them exactly: what was saved is the
//! top-tier baseline less what was spent, which holds for failed runs too.

use std::cell::{Cell, RefCell};

use crate::error::CascadeError;
use crate::json_out::{JsonOut, ToJson};
use crate::reliability::store::{Counter, Settlement};

use super::analytics::Analytics;

/// The stored sums: runs, failed runs, spent and baseline in nano-dollars,
/// runs of unknown cost, drafts judged and accepted.
const KEYS: [&str; 7] = [
    "analytics:runs",
    "analytics:failed",
    "analytics:cost",
    "analytics:baseline",
    "analytics:unknown",
    "analytics:drafts",
    "analytics:accepted",
];

/// All-time sums: ten years, renewed by every flush.
const TTL_MS: u64 = 10 * 365 * 86_400_000;

#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Sums([u64; 7]);

impl Sums {
    pub fn of(a: &Analytics) -> Sums {
        let nano = |usd: f64| (usd * 1e9).round().max(0.0) as u64;
        Sums([
            a.runs,
            a.failed_runs,
            nano(a.total_cost),
            nano(a.baseline_cost),
            a.runs_with_unknown_cost,
            a.drafter_acceptance.drafts,
            a.drafter_acceptance.accepted,
        ])
    }

    fn add(&mut self, before: &Sums, after: &Sums) {
        for ((s, b), a) in self.0.iter_mut().zip(before.0).zip(after.0) {
            *s = s.saturating_add(a.saturating_sub(b));
        }
    }

    fn is_empty(&self) -> bool {
        self.0.iter().all(|n| *n == 0)
    }
}

/// The deltas not yet in the store, and whether a flush is on its way.
#[derive(Debug, Default)]
pub struct Pending {
    sums: RefCell<Sums>,
    flushing: Cell<bool>,
}

impl Pending {
    /// Note what one run changed: the agent's sums before and after it.
    pub fn note(&self, before: &Sums, after: &Sums) {
        if let Ok(mut s) = self.sums.try_borrow_mut() {
            s.add(before, after);
        }
    }

    /// The deltas to send now, if any and no flush is in flight.
    pub fn take(&self) -> Option<Sums> {
        if self.flushing.get() {
            return None;
        }
        let mut s = self.sums.try_borrow_mut().ok()?;
        if s.is_empty() {
            return None;
        }
        self.flushing.set(true);
        Some(std::mem::take(&mut *s))
    }

    /// How the flush of `sent` went: on failure it is kept for the next.
    pub fn done(&self, sent: Sums, ok: bool) {
        if !ok {
            if let Ok(mut s) = self.sums.try_borrow_mut() {
                s.add(&Sums::default(), &sent);
            }
        }
        self.flushing.set(false);
    }
}

pub fn settlements(s: &Sums) -> Vec<Settlement> {
    KEYS.iter()
        .zip(s.0)
        .filter(|(_, n)| *n > 0)
        .map(|(k, n)| Settlement { key: (*k).to_string(), reserved: 0, actual: n, ttl_ms: TTL_MS })
        .collect()
}

pub fn keys() -> Vec<String> {
    KEYS.iter().map(|k| (*k).to_string()).collect()
}

/// What `agent.getSharedAnalytics()` reports.
#[derive(Clone, Debug, PartialEq)]
pub struct SharedAnalytics {
    sums: [u64; 7],
}

impl SharedAnalytics {
    pub fn from_counters(c: &[Counter]) -> Result<SharedAnalytics, CascadeError> {
        let mut sums = [0u64; 7];
        for (s, c) in sums.iter_mut().zip(c) {
            *s = c.used;
        }
        Ok(SharedAnalytics { sums })
    }
}

impl ToJson for SharedAnalytics {
    fn write_json(&self, o: &mut JsonOut) {
        let [runs, failed, cost, baseline, unknown, drafts, accepted] = self.sums;
        let usd = |n: u64| n as f64 / 1e9;
        let saved = usd(baseline) - usd(cost);
        o.begin_object();
        o.u64_field("runs", runs);
        o.u64_field("failedRuns", failed);
        o.f64_field("totalCost", usd(cost));
        o.f64_field("costSaved", saved);
        o.f64_field("baselineCost", usd(baseline));
        let pct = if baseline > 0 { (saved / usd(baseline) * 10_000.0).round() / 100.0 } else { 0.0 };
        o.f64_field("savingsPercentage", pct);
        o.u64_field("runsWithUnknownCost", unknown);
        o.key("drafterAcceptance");
        o.begin_object();
        o.u64_field("drafts", drafts);
        o.u64_field("accepted", accepted);
        o.f64_field("rate", if drafts > 0 { accepted as f64 / drafts as f64 } else { 0.0 });
        o.end_object();
        o.end_object();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deltas_gather_until_flushed_and_a_failed_flush_is_kept() {
        let p = Pending::default();
        let before = Analytics::default();
        let after = Analytics { runs: 2, total_cost: 0.003, baseline_cost: 0.01, ..Default::default() };
        p.note(&Sums::of(&before), &Sums::of(&after));
        let sent = p.take().unwrap();
        assert!(p.take().is_none(), "one flush at a time");
        assert_eq!(settlements(&sent).len(), 3);
        p.done(sent, false);
        let again = p.take().unwrap();
        assert_eq!(again, sent, "kept for the next flush");
        p.done(again, true);
        assert!(p.take().is_none());
    }

    #[test]
    fn the_report_derives_savings_from_the_sums() {
        let c = |used| Counter { used, held: 0 };
        let s = SharedAnalytics::from_counters(&[c(4), c(1), c(3_000_000), c(10_000_000), c(0), c(3), c(2)]).unwrap();
        let text = s.to_json();
        assert!(text.contains("\"costSaved\":0.007"), "{text}");
        assert!(text.contains("\"savingsPercentage\":70"), "{text}");
    }
}
