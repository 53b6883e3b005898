//! Budgets that cannot overshoot. Before each call the engine reserves the
//! call's worst-case cost (the prompt estimated generously, `maxTokens` at
//! the output price); a call that does not fit is not made. After the call
//! the reservation is settled to the real cost, or released if the call
//! failed. Because reserving happens before the request leaves, and wasm
//! runs one thing at a time, 200 concurrent runs cannot spend past a limit
//! between them. Days and months are UTC, from the injected wall clock.

use crate::decimal::Plain;
use crate::value::Value;

use crate::config::{at_least, check_keys, kind_of, number, Fields};
use crate::error::{CascadeError, ErrorCode, FailureClass};
use crate::json_out::{JsonOut, ToJson};

use super::store::{Counter, Reservation, Settlement, Store};

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

/// Budgets count in nano-dollars in the store, so that every store adds exactly.
const NANO: f64 = 1e9;

fn to_nano(usd: f64) -> u64 {
    // The small allowance absorbs float noise: $0.03 is not 30000000.000000004.
    (usd * NANO - 1e-6).ceil().max(0.0) as u64
}

fn from_nano(n: u64) -> f64 {
    round(n as f64 / NANO)
}

/// One limit that a call's cost counts against: where it is kept, how
/// much it allows, how long its key lives, and how a refusal names it.
struct Scope {
    key: String,
    limit: Option<f64>,
    ttl_ms: u64,
    label: String,
}

/// Calls in flight hold their worst case on every scope they count
/// against, until settled or released.
#[derive(Clone, Debug, PartialEq)]
pub struct Hold {
    scopes: Vec<(String, u64)>,
    amount: u64,
}

fn scopes(cfg: &BudgetConfig, user: Option<&str>, epoch_ms: f64) -> Vec<Scope> {
    let (day, month) = periods(epoch_ms);
    // Keys outlive their period a little, so a late settlement still lands.
    let day_ttl = (((day as f64 + 2.0) * DAY_MS - epoch_ms).max(DAY_MS)) as u64;
    let month_ttl = (63.0 * DAY_MS) as u64;
    let mut out = Vec::with_capacity(4);
    let mut add = |key: String, limit: Option<f64>, ttl_ms, label: String| {
        // A scope with no limit is still kept, for `getBudget` to report.
        out.push(Scope { key, limit, ttl_ms, label });
    };
    add(format!("budget:d:{day}"), cfg.total.daily, day_ttl, "the daily budget".into());
    add(format!("budget:m:{month}"), cfg.total.monthly, month_ttl, "the monthly budget".into());
    if let Some(u) = user {
        // The length first, so that no user id can spell another's key.
        let who = format!("{}:{u}", u.len());
        add(format!("budget:u:{who}:d:{day}"), cfg.per_user.daily, day_ttl, format!("user {u:?}'s daily budget"));
        add(
            format!("budget:u:{who}:m:{month}"),
            cfg.per_user.monthly,
            month_ttl,
            format!("user {u:?}'s monthly budget"),
        );
    }
    out
}

/// A store that failed: budgets fail closed, so the call is not made.
fn store_failed(e: &CascadeError) -> CascadeError {
    CascadeError::new(
        ErrorCode::BudgetStore,
        format!("the budget's store did not answer, so the call was not made: {}", e.message),
    )
    .with_class(FailureClass::Client)
}

/// Hold `usd` for a call on every scope of `user`, or say which limit it would break.
pub async fn reserve<S: Store>(
    cfg: &BudgetConfig,
    store: &S,
    user: Option<&str>,
    usd: f64,
    epoch_ms: f64,
    now_ms: f64,
) -> Result<Hold, CascadeError> {
    let amount = to_nano(usd);
    let scopes = scopes(cfg, user, epoch_ms);
    let items: Vec<Reservation> = scopes
        .iter()
        .map(|s| Reservation {
            key: s.key.clone(),
            amount,
            limit: s.limit.map_or(super::store::NO_LIMIT, to_limit),
            ttl_ms: s.ttl_ms,
        })
        .collect();
    if store.reserve(&items, now_ms).await.map_err(|e| store_failed(&e))? {
        return Ok(Hold { scopes: items.into_iter().map(|r| (r.key, r.ttl_ms)).collect(), amount });
    }
    // Refused: read the counters once more to say which limit and why.
    let keys: Vec<String> = scopes.iter().map(|s| s.key.clone()).collect();
    let counters = store.read(&keys, now_ms).await.map_err(|e| store_failed(&e))?;
    let broken = scopes
        .iter()
        .zip(&counters)
        .find(|(s, c)| s.limit.is_some_and(|l| c.used.saturating_add(c.held).saturating_add(amount) > to_limit(l)));
    let (scope, c) = match broken {
        Some((s, c)) => (s, *c),
        // Someone else's settlement freed room between the two calls.
        None => match (scopes.first(), counters.first()) {
            (Some(s), Some(c)) => (s, *c),
            _ => return Err(refusal("the budget", 0.0, 0.0, 0.0, usd)),
        },
    };
    Err(refusal(&scope.label, scope.limit.unwrap_or(0.0), from_nano(c.used), from_nano(c.held), usd))
}

fn to_limit(usd: f64) -> u64 {
    (usd * NANO).round().max(0.0) as u64
}

/// The call is done and cost `usd`; or, with `None`, it failed and spent nothing.
/// A store that fails here leaves the hold in place until its key expires:
/// the budget errs on the side of spending less.
pub async fn settle<S: Store>(store: &S, hold: Hold, usd: Option<f64>, now_ms: f64) -> Result<(), CascadeError> {
    let actual = usd.map_or(0, |u| (u * NANO).round().max(0.0) as u64);
    let items: Vec<Settlement> = hold
        .scopes
        .into_iter()
        .map(|(key, ttl_ms)| Settlement { key, reserved: hold.amount, actual, ttl_ms })
        .collect();
    store.settle(&items, now_ms).await.map_err(|e| store_failed(&e))
}

/// How the budget stands, overall or for one user.
pub async fn status<S: Store>(
    cfg: &BudgetConfig,
    store: &S,
    user: Option<&str>,
    epoch_ms: f64,
    now_ms: f64,
) -> Result<BudgetStatus, CascadeError> {
    let all = scopes(cfg, user, epoch_ms);
    // A user's status reads the user's own two scopes.
    let mine: Vec<&Scope> = all.iter().skip(if user.is_some() { 2 } else { 0 }).take(2).collect();
    let keys: Vec<String> = mine.iter().map(|s| s.key.clone()).collect();
    let counters = store.read(&keys, now_ms).await.map_err(|e| store_failed(&e))?;
    let c = |i: usize| counters.get(i).copied().unwrap_or_default();
    let (day, month): (Counter, Counter) = (c(0), c(1));
    let limits = if user.is_some() { cfg.per_user } else { cfg.total };
    let (spent_day, spent_month, reserved) = (from_nano(day.used), from_nano(month.used), from_nano(day.held));
    let left = |limit: Option<f64>, spent: f64| limit.map(|l| (l - spent - reserved).max(0.0));
    let remaining = match (left(limits.daily, spent_day), left(limits.monthly, spent_month)) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    let share = |limit: Option<f64>, spent: f64| limit.map(|l| if l > 0.0 { spent / l } else { 1.0 }).unwrap_or(0.0);
    let used = share(limits.daily, spent_day).max(share(limits.monthly, spent_month));
    Ok(BudgetStatus {
        user_id: user.map(str::to_string),
        spent_today: spent_day,
        spent_this_month: spent_month,
        reserved,
        remaining: remaining.map(round),
        daily_limit: limits.daily,
        monthly_limit: limits.monthly,
        at_warning: used >= cfg.warning_threshold,
        at_limit: remaining.is_some_and(|r| r <= 1e-9),
    })
}

fn round(usd: f64) -> f64 {
    (usd * 1e10).round() / 1e10
}

fn refusal(what: &str, limit: f64, spent: f64, reserved: f64, amount: f64) -> CascadeError {
    CascadeError::new(
        ErrorCode::Budget,
        format!(
            "{what} of ${} would be exceeded: ${} spent, ${} held by calls in flight, and this call could cost up to ${}",
            Plain(limit),
            Plain(round(spent)),
            Plain(round(reserved)),
            Plain(round(amount))
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
    let share = |n: &crate::value::Number| n.as_f64().filter(|t| (0.0..=1.0).contains(t));
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
    use crate::json;
    use crate::reliability::store::MemoryStore;

    const JAN_31: f64 = 1_769_817_600_000.0; // 2026-01-31T00:00:00Z

    fn cfg(daily: f64) -> BudgetConfig {
        BudgetConfig {
            total: Limits { daily: Some(daily), monthly: None },
            per_user: Limits { daily: Some(daily / 2.0), monthly: None },
            warning_threshold: 0.8,
            policy: BudgetPolicy::Block,
        }
    }

    fn now<F: std::future::Future>(f: F) -> F::Output {
        let mut f = std::pin::pin!(f);
        match f.as_mut().poll(&mut std::task::Context::from_waker(std::task::Waker::noop())) {
            std::task::Poll::Ready(v) => v,
            std::task::Poll::Pending => panic!("the memory store waited"),
        }
    }

    struct B {
        cfg: BudgetConfig,
        store: MemoryStore,
    }

    impl B {
        fn new(daily: f64) -> Self {
            B { cfg: cfg(daily), store: MemoryStore::default() }
        }
        fn reserve(&self, user: Option<&str>, usd: f64, at: f64) -> Result<Hold, CascadeError> {
            now(reserve(&self.cfg, &self.store, user, usd, at, at))
        }
        fn settle(&self, h: Hold, usd: Option<f64>, at: f64) {
            now(settle(&self.store, h, usd, at)).unwrap();
        }
        fn status(&self, user: Option<&str>, at: f64) -> BudgetStatus {
            now(status(&self.cfg, &self.store, user, at, at)).unwrap()
        }
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
        let b = B::new(0.10);
        let holds: Vec<_> = (0..10).filter_map(|_| b.reserve(None, 0.03, JAN_31).ok()).collect();
        assert_eq!(holds.len(), 3, "three calls of at most $0.03 fit under $0.10");
        let e = b.reserve(None, 0.03, JAN_31).unwrap_err();
        assert_eq!(e.code, ErrorCode::Budget);
        assert!(e.message.contains("daily budget of $0.1"), "{}", e.message);
        assert!(e.message.contains("$0.09 held"), "{}", e.message);
        // Settled below the worst case, the rest is free again.
        for h in holds {
            b.settle(h, Some(0.01), JAN_31);
        }
        let s = b.status(None, JAN_31);
        assert_eq!((s.spent_today, s.reserved, s.remaining), (0.03, 0.0, Some(0.07)));
        assert!(b.reserve(None, 0.07, JAN_31).is_ok());
        assert!(b.status(None, JAN_31).at_limit);
    }

    #[test]
    fn a_failed_call_releases_and_a_new_day_starts_from_zero() {
        let b = B::new(0.10);
        let h = b.reserve(None, 0.10, JAN_31).unwrap();
        assert!(b.reserve(None, 0.01, JAN_31).is_err());
        b.settle(h, None, JAN_31);
        let h = b.reserve(None, 0.09, JAN_31).unwrap();
        b.settle(h, Some(0.09), JAN_31);
        assert!(b.status(None, JAN_31).at_warning);
        assert!(b.reserve(None, 0.02, JAN_31).is_err());
        assert!(b.reserve(None, 0.02, JAN_31 + DAY_MS).is_ok(), "a new UTC day");
    }

    #[test]
    fn per_user_limits_apply_beside_the_total() {
        let b = B::new(0.10);
        let a = b.reserve(Some("ana"), 0.05, JAN_31).unwrap();
        b.settle(a, Some(0.05), JAN_31);
        let e = b.reserve(Some("ana"), 0.01, JAN_31).unwrap_err();
        assert!(e.message.contains("user \"ana\"'s daily budget"), "{}", e.message);
        assert!(b.reserve(Some("bo"), 0.05, JAN_31).is_ok());
        let s = b.status(Some("ana"), JAN_31);
        assert_eq!((s.user_id.as_deref(), s.spent_today, s.at_limit), (Some("ana"), 0.05, true));
        assert_eq!(b.status(None, JAN_31).spent_today, 0.05, "the total counts every user");
    }

    #[test]
    fn a_user_id_cannot_spell_another_users_key() {
        let c = cfg(1.0);
        let keys = |u| scopes(&c, Some(u), JAN_31).into_iter().skip(2).map(|s| s.key).collect::<Vec<_>>();
        let a = keys("a:d:1");
        let b = keys("a");
        assert!(a.iter().all(|k| !b.contains(k)), "{a:?} {b:?}");
    }

    /// A store that is down.
    struct Down;
    impl Store for Down {
        async fn reserve(&self, _: &[Reservation], _: f64) -> Result<bool, CascadeError> {
            Err(CascadeError::new(ErrorCode::Transport, "connection refused"))
        }
        async fn settle(&self, _: &[Settlement], _: f64) -> Result<(), CascadeError> {
            Err(CascadeError::new(ErrorCode::Transport, "connection refused"))
        }
        async fn read(&self, _: &[String], _: f64) -> Result<Vec<Counter>, CascadeError> {
            Err(CascadeError::new(ErrorCode::Transport, "connection refused"))
        }
        async fn get(&self, _: &str, _: f64) -> Result<Option<super::super::store::Record>, CascadeError> {
            Ok(None)
        }
        async fn compare_and_set(&self, _: &str, _: u64, _: &str, _: u64, _: f64) -> Result<bool, CascadeError> {
            Ok(false)
        }
    }

    #[test]
    fn a_store_that_is_down_fails_closed() {
        let e = now(reserve(&cfg(1.0), &Down, None, 0.01, JAN_31, 0.0)).unwrap_err();
        assert_eq!(e.code, ErrorCode::BudgetStore);
        assert!(e.message.contains("connection refused"), "{}", e.message);
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
