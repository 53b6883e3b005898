//! Budgets that cannot overshoot. Before each call the engine reserves the
//! call's worst-case cost (the prompt estimated generously, `maxTokens` at
//! the output price); a call that does not fit is not made. After the call
//! the reservation is settled to the real cost, or released if the call
//! failed. Because reserving happens before the request leaves, and wasm
//! runs one thing at a time, 200 concurrent runs cannot spend past a limit
//! between them. Days and months are UTC, from the injected wall clock.

use std::collections::HashMap;

use serde_json::Value;

use crate::config::{at_least, check_keys, kind_of, number, Fields};
use crate::error::{CascadeError, ErrorCode, FailureClass};
use crate::json_out::{JsonOut, ToJson};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BudgetPolicy {
    /// A call that does not fit fails the run with `E_BUDGET`.
    Block,
    /// When a dearer tier does not fit, the draft already paid for is
    /// returned instead; only a run whose first call does not fit fails.
    CheapestOnly,
}

#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Limits {
    pub daily: Option<f64>,
    pub monthly: Option<f64>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BudgetConfig {
    pub total: Limits,
    pub per_user: Limits,
    /// The share of a limit past which `atWarning` is set (default 0.8).
    pub warning_threshold: f64,
    pub policy: BudgetPolicy,
}

#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Totals {
    day: i64,
    month: i64,
    spent_day: f64,
    spent_month: f64,
    /// Held by calls in flight, whatever their period.
    reserved: f64,
}

impl Totals {
    /// Start a new day or month when the clock has moved into one.
    fn roll(&mut self, day: i64, month: i64) {
        if self.day != day {
            self.day = day;
            self.spent_day = 0.0;
        }
        if self.month != month {
            self.month = month;
            self.spent_month = 0.0;
        }
    }

    /// The first limit `amount` more would break, as (period, limit, spent).
    fn exceeds(&self, limits: &Limits, amount: f64) -> Option<(&'static str, f64, f64)> {
        let check = |name, limit: Option<f64>, spent: f64| {
            limit.filter(|l| spent + self.reserved + amount > *l + 1e-12).map(|l| (name, l, spent))
        };
        check("daily", limits.daily, self.spent_day).or_else(|| check("monthly", limits.monthly, self.spent_month))
    }
}

struct Hold {
    user: Option<String>,
    amount: f64,
}

/// How a budget stands, for `agent.getBudget(userId?)`.
#[derive(Clone, Debug, PartialEq)]
pub struct BudgetStatus {
    pub user_id: Option<String>,
    pub spent_today: f64,
    pub spent_this_month: f64,
    pub reserved: f64,
    /// What is left under the tightest limit, after what is reserved; `None` with no limit.
    pub remaining: Option<f64>,
    pub daily_limit: Option<f64>,
    pub monthly_limit: Option<f64>,
    pub at_warning: bool,
    pub at_limit: bool,
}

impl ToJson for BudgetStatus {
    fn write_json(&self, o: &mut JsonOut) {
        o.begin_object();
        o.key("userId");
        match &self.user_id {
            Some(u) => o.str(u),
            None => o.null(),
        }
        o.f64_field("spentToday", self.spent_today);
        o.f64_field("spentThisMonth", self.spent_this_month);
        o.f64_field("reserved", self.reserved);
        o.opt_f64_field("remaining", self.remaining);
        o.opt_f64_field("dailyLimit", self.daily_limit);
        o.opt_f64_field("monthlyLimit", self.monthly_limit);
        o.bool_field("atWarning", self.at_warning);
        o.bool_field("atLimit", self.at_limit);
        o.end_object();
    }
}

pub struct Ledger {
    cfg: BudgetConfig,
    total: Totals,
    users: HashMap<String, Totals>,
    /// Calls in flight: few at a time, so a list.
    holds: Vec<(u64, Hold)>,
    next: u64,
}

const DAY_MS: f64 = 86_400_000.0;

/// UTC day number and month number (year × 12 + month) of a Unix time in ms.
// The day is clamped to ±100 million (±270,000 years), so no step below can
// come near overflowing an i64.
#[allow(clippy::arithmetic_side_effects)]
pub fn periods(epoch_ms: f64) -> (i64, i64) {
    let day = (epoch_ms / DAY_MS).floor().clamp(-1e8, 1e8);
    let day = if day.is_finite() { day as i64 } else { 0 };
    // Days to civil date, after Howard Hinnant's published algorithm.
    let z = day.saturating_add(719_468);
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (day, year.saturating_mul(12).saturating_add(month - 1))
}

impl Ledger {
    pub fn new(cfg: BudgetConfig) -> Self {
        Ledger { cfg, total: Totals::default(), users: HashMap::new(), holds: Vec::new(), next: 0 }
    }

    pub fn config(&self) -> &BudgetConfig {
        &self.cfg
    }

    /// Hold `amount` (USD) for a call, or say which limit it would break.
    pub fn reserve(&mut self, user: Option<&str>, amount: f64, epoch_ms: f64) -> Result<u64, CascadeError> {
        let (day, month) = periods(epoch_ms);
        self.total.roll(day, month);
        let amount = amount.max(0.0);
        if let Some((period, limit, spent)) = self.total.exceeds(&self.cfg.total, amount) {
            return Err(refusal(&format!("the {period} budget"), limit, spent, self.total.reserved, amount));
        }
        if let Some(u) = user {
            let t = self.users.entry(u.to_string()).or_default();
            t.roll(day, month);
            if let Some((period, limit, spent)) = t.exceeds(&self.cfg.per_user, amount) {
                return Err(refusal(&format!("user {u:?}'s {period} budget"), limit, spent, t.reserved, amount));
            }
            t.reserved += amount;
        }
        self.total.reserved += amount;
        self.next = self.next.wrapping_add(1);
        self.holds.push((self.next, Hold { user: user.map(str::to_string), amount }));
        Ok(self.next)
    }

    /// The call is done and cost `actual` (USD): it counts as spent now.
    fn take(&mut self, id: u64) -> Option<Hold> {
        let at = self.holds.iter().position(|(h, _)| *h == id)?;
        Some(self.holds.swap_remove(at).1)
    }

    pub fn settle(&mut self, id: u64, actual: f64, epoch_ms: f64) {
        let Some(hold) = self.take(id) else { return };
        let (day, month) = periods(epoch_ms);
        let actual = actual.max(0.0);
        let apply = |t: &mut Totals| {
            t.roll(day, month);
            t.reserved = (t.reserved - hold.amount).max(0.0);
            t.spent_day += actual;
            t.spent_month += actual;
        };
        apply(&mut self.total);
        if let Some(t) = hold.user.as_deref().and_then(|u| self.users.get_mut(u)) {
            apply(t);
        }
    }

    /// The call failed (or was never made): nothing was spent.
    pub fn release(&mut self, id: u64) {
        let Some(hold) = self.take(id) else { return };
        self.total.reserved = (self.total.reserved - hold.amount).max(0.0);
        if let Some(t) = hold.user.as_deref().and_then(|u| self.users.get_mut(u)) {
            t.reserved = (t.reserved - hold.amount).max(0.0);
        }
    }

    pub fn status(&mut self, user: Option<&str>, epoch_ms: f64) -> BudgetStatus {
        let (day, month) = periods(epoch_ms);
        let (totals, limits) = match user {
            Some(u) => {
                let t = self.users.entry(u.to_string()).or_default();
                t.roll(day, month);
                (*t, self.cfg.per_user)
            }
            None => {
                self.total.roll(day, month);
                (self.total, self.cfg.total)
            }
        };
        let left = |limit: Option<f64>, spent: f64| limit.map(|l| (l - spent - totals.reserved).max(0.0));
        let remaining = match (left(limits.daily, totals.spent_day), left(limits.monthly, totals.spent_month)) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let share =
            |limit: Option<f64>, spent: f64| limit.map(|l| if l > 0.0 { spent / l } else { 1.0 }).unwrap_or(0.0);
        let used = share(limits.daily, totals.spent_day).max(share(limits.monthly, totals.spent_month));
        BudgetStatus {
            user_id: user.map(str::to_string),
            spent_today: round(totals.spent_day),
            spent_this_month: round(totals.spent_month),
            reserved: round(totals.reserved),
            remaining: remaining.map(round),
            daily_limit: limits.daily,
            monthly_limit: limits.monthly,
            at_warning: used >= self.cfg.warning_threshold,
            at_limit: remaining.is_some_and(|r| r <= 1e-12),
        }
    }
}

fn round(usd: f64) -> f64 {
    (usd * 1e10).round() / 1e10
}

fn refusal(what: &str, limit: f64, spent: f64, reserved: f64, amount: f64) -> CascadeError {
    CascadeError::new(
        ErrorCode::Budget,
        format!(
            "{what} of ${limit} would be exceeded: ${} spent, ${} held by calls in flight, and this call could cost up to ${}",
            round(spent),
            round(reserved),
            round(amount)
        ),
    )
    .with_class(FailureClass::Client)
}

const KEYS: &[&str] = &["daily", "monthly", "perUser", "warningThreshold", "policy", "onWarning", "onLimitExceeded"];
const LIMIT_KEYS: &[&str] = &["daily", "monthly"];

/// `budget: { daily, monthly, perUser: { daily, monthly }, warningThreshold, policy }`.
/// `onWarning` / `onLimitExceeded` are the JS wrapper's to call.
pub fn parse_budget(v: &Value) -> Result<Option<BudgetConfig>, CascadeError> {
    let path = "config.budget";
    let obj = match v {
        Value::Null => return Ok(None),
        Value::Object(o) => o,
        other => return Err(CascadeError::config(format!("{path}: expected an object, got {}", kind_of(other)))),
    };
    check_keys(obj, KEYS, path)?;
    let total = limits(obj, path)?;
    let per_user = match obj.get("perUser") {
        None | Some(Value::Null) => Limits::default(),
        Some(Value::Object(u)) => {
            check_keys(u, LIMIT_KEYS, &format!("{path}.perUser"))?;
            limits(u, &format!("{path}.perUser"))?
        }
        Some(other) => {
            return Err(CascadeError::config(format!(
                "{path}.perUser: expected {{daily, monthly}}, got {}",
                kind_of(other)
            )))
        }
    };
    let share = |n: &serde_json::Number| n.as_f64().filter(|t| (0.0..=1.0).contains(t));
    let warning_threshold = number(obj, "warningThreshold", path, "a number from 0 to 1", share)?.unwrap_or(0.8);
    let policy = match obj.get("policy") {
        None | Some(Value::Null) => BudgetPolicy::Block,
        Some(Value::String(s)) if s == "block" => BudgetPolicy::Block,
        Some(Value::String(s)) if s == "cheapest-only" => BudgetPolicy::CheapestOnly,
        Some(other) => {
            return Err(CascadeError::config(format!(
                "{path}.policy: expected 'block' or 'cheapest-only', got {other}"
            )))
        }
    };
    Ok(Some(BudgetConfig { total, per_user, warning_threshold, policy }))
}

fn limits(obj: &Fields, path: &str) -> Result<Limits, CascadeError> {
    let usd = |key| number(obj, key, path, "a non-negative amount in USD", at_least(0.0));
    Ok(Limits { daily: usd("daily")?, monthly: usd("monthly")? })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const JAN_31: f64 = 1_769_817_600_000.0; // 2026-01-31T00:00:00Z

    fn ledger(daily: f64) -> Ledger {
        Ledger::new(BudgetConfig {
            total: Limits { daily: Some(daily), monthly: None },
            per_user: Limits { daily: Some(daily / 2.0), monthly: None },
            warning_threshold: 0.8,
            policy: BudgetPolicy::Block,
        })
    }

    #[test]
    fn utc_days_and_months() {
        assert_eq!(periods(0.0), (0, 1970 * 12));
        let (day, month) = periods(JAN_31);
        assert_eq!(month, 2026 * 12);
        assert_eq!(periods(JAN_31 + DAY_MS), (day + 1, 2026 * 12 + 1));
        assert_eq!(periods(JAN_31 - 1.0).0, day - 1);
        assert_eq!(periods(951_782_400_000.0).1, 2000 * 12 + 1, "2000-02-29 is February");
    }

    #[test]
    fn reservations_in_flight_count_against_the_limit() {
        let mut l = ledger(0.10);
        let holds: Vec<_> = (0..10).filter_map(|_| l.reserve(None, 0.03, JAN_31).ok()).collect();
        assert_eq!(holds.len(), 3, "three calls of at most $0.03 fit under $0.10");
        let e = l.reserve(None, 0.03, JAN_31).unwrap_err();
        assert_eq!(e.code, ErrorCode::Budget);
        assert!(e.message.contains("daily budget of $0.1"), "{}", e.message);
        // Settled below the worst case, the rest is free again.
        for id in holds {
            l.settle(id, 0.01, JAN_31);
        }
        let s = l.status(None, JAN_31);
        assert_eq!((s.spent_today, s.reserved, s.remaining), (0.03, 0.0, Some(0.07)));
        assert!(l.reserve(None, 0.07, JAN_31).is_ok());
        assert!(l.status(None, JAN_31).at_limit);
    }

    #[test]
    fn a_failed_call_releases_and_a_new_day_starts_from_zero() {
        let mut l = ledger(0.10);
        let id = l.reserve(None, 0.10, JAN_31).unwrap();
        assert!(l.reserve(None, 0.01, JAN_31).is_err());
        l.release(id);
        let id = l.reserve(None, 0.09, JAN_31).unwrap();
        l.settle(id, 0.09, JAN_31);
        assert!(l.status(None, JAN_31).at_warning);
        assert!(l.reserve(None, 0.02, JAN_31).is_err());
        assert!(l.reserve(None, 0.02, JAN_31 + DAY_MS).is_ok(), "a new UTC day");
    }

    #[test]
    fn per_user_limits_apply_beside_the_total() {
        let mut l = ledger(0.10);
        let a = l.reserve(Some("ana"), 0.05, JAN_31).unwrap();
        l.settle(a, 0.05, JAN_31);
        assert!(l.reserve(Some("ana"), 0.01, JAN_31).is_err());
        assert!(l.reserve(Some("bo"), 0.05, JAN_31).is_ok());
        let s = l.status(Some("ana"), JAN_31);
        assert_eq!((s.user_id.as_deref(), s.spent_today, s.at_limit), (Some("ana"), 0.05, true));
    }

    #[test]
    fn config_is_validated() {
        let c =
            parse_budget(&json!({"daily": 1, "perUser": {"monthly": 5}, "policy": "cheapest-only"})).unwrap().unwrap();
        assert_eq!((c.total.daily, c.per_user.monthly, c.policy), (Some(1.0), Some(5.0), BudgetPolicy::CheapestOnly));
        assert!(parse_budget(&json!({"dayly": 1})).unwrap_err().message.contains("did you mean `daily`"));
        assert!(parse_budget(&json!({"daily": -1})).is_err());
        assert!(parse_budget(&json!({"policy": "hope"})).is_err());
    }
}
