//! The door to shared state. Budgets and rate windows are counters that
//! are reserved against a limit and settled after the call; breakers are
//! small versioned records changed by compare-and-set. Those few atomic
//! operations are all a store must offer (the JS contract is
//! `js/src/store.ts`), so the same policy code runs on the agent's own
//! memory (the default, never leaving wasm) or on Redis, Upstash or a
//! Durable Object that many isolates share.
//!
//! Amounts are integers so that stores add them exactly: budgets count in
//! nano-dollars, rate windows in requests or tokens.

use std::cell::RefCell;
use std::collections::HashMap;

use crate::error::CascadeError;

/// The limit of a counter kept only to be read: the largest integer a JS
/// number holds exactly, so that every store compares it exactly.
pub const NO_LIMIT: u64 = (1 << 53) - 1;

/// Hold `amount` against `limit` on `key`, which must live `ttl_ms` more.
#[derive(Clone, Debug, PartialEq)]
pub struct Reservation {
    pub key: String,
    pub amount: u64,
    pub limit: u64,
    pub ttl_ms: u64,
}

/// A hold turned into spending: `held -= reserved`, `used += actual`.
#[derive(Clone, Debug, PartialEq)]
pub struct Settlement {
    pub key: String,
    pub reserved: u64,
    pub actual: u64,
    pub ttl_ms: u64,
}

/// A counter's state; a key never written (or expired) reads as zeros.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counter {
    pub used: u64,
    pub held: u64,
}

/// A small record and its version (1 after the first write).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    pub value: String,
    pub version: u64,
}

/// `now_ms` is the injected clock's time, for stores that keep their own
/// expiry (the memory store); shared stores use their own (Redis TTLs).
#[allow(async_fn_in_trait)]
pub trait Store {
    /// All or nothing: every item fits (`used + held + amount <= limit`) and
    /// is held, or nothing changes and the answer is `false`.
    async fn reserve(&self, items: &[Reservation], now_ms: f64) -> Result<bool, CascadeError>;
    async fn settle(&self, items: &[Settlement], now_ms: f64) -> Result<(), CascadeError>;
    async fn read(&self, keys: &[String], now_ms: f64) -> Result<Vec<Counter>, CascadeError>;
    async fn get(&self, key: &str, now_ms: f64) -> Result<Option<Record>, CascadeError>;
    /// Write `value` as version `version + 1` when the record is still at
    /// `version` (0: absent). Whether it wrote.
    async fn compare_and_set(
        &self,
        key: &str,
        version: u64,
        value: &str,
        ttl_ms: u64,
        now_ms: f64,
    ) -> Result<bool, CascadeError>;
    /// Whether the state lives only in this agent, so that its breakers can
    /// stay in their faster local form.
    fn is_local(&self) -> bool {
        false
    }
}

#[derive(Clone, Debug, Default)]
struct Slot {
    counter: Counter,
    record: Option<Record>,
    /// Clock ms after which the slot reads as absent.
    expires: f64,
}

/// The default store: this agent's memory. Expired slots are swept when
/// the map has grown, so keys of past days and windows do not pile up.
#[derive(Debug, Default)]
pub struct MemoryStore {
    slots: RefCell<HashMap<String, Slot>>,
}

/// Sweep expired slots once the map holds this many.
const SWEEP_AT: usize = 1024;

impl MemoryStore {
    fn with<T>(&self, now: f64, f: impl FnOnce(&mut HashMap<String, Slot>) -> T) -> Option<T> {
        let mut slots = self.slots.try_borrow_mut().ok()?;
        if slots.len() >= SWEEP_AT {
            slots.retain(|_, s| s.expires > now);
        }
        Some(f(&mut slots))
    }

    /// Number of live and not yet swept slots (for tests of the sweep).
    pub fn len(&self) -> usize {
        self.slots.try_borrow().map(|s| s.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn live<'a>(slots: &'a HashMap<String, Slot>, key: &str, now: f64) -> Option<&'a Slot> {
    slots.get(key).filter(|s| s.expires > now)
}

/// The slot at `key`, emptied first if it had expired, living at least `ttl_ms` more.
fn slot<'a>(slots: &'a mut HashMap<String, Slot>, key: &str, ttl_ms: u64, now: f64) -> &'a mut Slot {
    let s = slots.entry(key.to_string()).or_default();
    if s.expires <= now {
        *s = Slot::default();
    }
    s.expires = s.expires.max(now + ttl_ms as f64);
    s
}

impl Store for MemoryStore {
    async fn reserve(&self, items: &[Reservation], now: f64) -> Result<bool, CascadeError> {
        let done = self.with(now, |slots| {
            let fits = items.iter().all(|r| {
                let c = live(slots, &r.key, now).map(|s| s.counter).unwrap_or_default();
                c.used.saturating_add(c.held).saturating_add(r.amount) <= r.limit
            });
            if fits {
                for r in items {
                    let s = slot(slots, &r.key, r.ttl_ms, now);
                    s.counter.held = s.counter.held.saturating_add(r.amount);
                }
            }
            fits
        });
        Ok(done.unwrap_or(false))
    }

    async fn settle(&self, items: &[Settlement], now: f64) -> Result<(), CascadeError> {
        self.with(now, |slots| {
            for i in items {
                let s = slot(slots, &i.key, i.ttl_ms, now);
                s.counter.held = s.counter.held.saturating_sub(i.reserved);
                s.counter.used = s.counter.used.saturating_add(i.actual);
            }
        });
        Ok(())
    }

    async fn read(&self, keys: &[String], now: f64) -> Result<Vec<Counter>, CascadeError> {
        let read = |slots: &mut HashMap<String, Slot>| {
            keys.iter().map(|k| live(slots, k, now).map(|s| s.counter).unwrap_or_default()).collect()
        };
        Ok(self.with(now, read).unwrap_or_else(|| vec![Counter::default(); keys.len()]))
    }

    async fn get(&self, key: &str, now: f64) -> Result<Option<Record>, CascadeError> {
        Ok(self.with(now, |slots| live(slots, key, now).and_then(|s| s.record.clone())).flatten())
    }

    async fn compare_and_set(
        &self,
        key: &str,
        version: u64,
        value: &str,
        ttl_ms: u64,
        now: f64,
    ) -> Result<bool, CascadeError> {
        let wrote = self.with(now, |slots| {
            let current = live(slots, key, now).and_then(|s| s.record.as_ref()).map_or(0, |r| r.version);
            if current != version {
                return false;
            }
            let s = slot(slots, key, 0, now);
            // A record's life restarts with each write.
            s.expires = now + ttl_ms as f64;
            s.record = Some(Record { value: value.to_string(), version: version.saturating_add(1) });
            true
        });
        Ok(wrote.unwrap_or(false))
    }

    fn is_local(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs a store future that never waits (the memory store's).
    pub(crate) fn now<F: std::future::Future>(f: F) -> F::Output {
        let mut f = std::pin::pin!(f);
        match f.as_mut().poll(&mut std::task::Context::from_waker(std::task::Waker::noop())) {
            std::task::Poll::Ready(v) => v,
            std::task::Poll::Pending => panic!("the memory store waited"),
        }
    }

    fn res(key: &str, amount: u64, limit: u64) -> Reservation {
        Reservation { key: key.into(), amount, limit, ttl_ms: 1_000 }
    }

    #[test]
    fn reserve_is_all_or_nothing() {
        let s = MemoryStore::default();
        assert!(now(s.reserve(&[res("a", 6, 10), res("b", 6, 10)], 0.0)).unwrap());
        // "a" would fit again, "b" would not: neither changes.
        assert!(!now(s.reserve(&[res("a", 4, 10), res("b", 5, 10)], 0.0)).unwrap());
        let c = now(s.read(&["a".into(), "b".into(), "none".into()], 0.0)).unwrap();
        assert_eq!(c, vec![Counter { used: 0, held: 6 }, Counter { used: 0, held: 6 }, Counter::default()]);
    }

    #[test]
    fn settling_frees_the_hold_and_counts_the_spending() {
        let s = MemoryStore::default();
        assert!(now(s.reserve(&[res("a", 8, 10)], 0.0)).unwrap());
        now(s.settle(&[Settlement { key: "a".into(), reserved: 8, actual: 3, ttl_ms: 1_000 }], 0.0)).unwrap();
        assert_eq!(now(s.read(&["a".into()], 0.0)).unwrap(), vec![Counter { used: 3, held: 0 }]);
        assert!(now(s.reserve(&[res("a", 7, 10)], 0.0)).unwrap());
        assert!(!now(s.reserve(&[res("a", 1, 10)], 0.0)).unwrap());
    }

    #[test]
    fn keys_expire_and_are_swept() {
        let s = MemoryStore::default();
        assert!(now(s.reserve(&[res("a", 10, 10)], 0.0)).unwrap());
        assert!(!now(s.reserve(&[res("a", 1, 10)], 999.0)).unwrap());
        assert!(now(s.reserve(&[res("a", 10, 10)], 1_000.0)).unwrap(), "expired at 1000 ms");
        for i in 0..(SWEEP_AT * 2) {
            now(s.reserve(&[res(&format!("k{i}"), 1, 1)], i as f64 * 10.0)).unwrap();
        }
        assert!(s.len() <= SWEEP_AT + 101, "old windows are swept: {}", s.len());
    }

    #[test]
    fn compare_and_set_takes_turns() {
        let s = MemoryStore::default();
        assert_eq!(now(s.get("b", 0.0)).unwrap(), None);
        assert!(now(s.compare_and_set("b", 0, "x", 100, 0.0)).unwrap());
        assert!(!now(s.compare_and_set("b", 0, "y", 100, 0.0)).unwrap(), "someone wrote first");
        assert_eq!(now(s.get("b", 0.0)).unwrap(), Some(Record { value: "x".into(), version: 1 }));
        assert!(now(s.compare_and_set("b", 1, "y", 100, 0.0)).unwrap());
        assert_eq!(now(s.get("b", 100.0)).unwrap(), None, "expired");
        assert!(now(s.compare_and_set("b", 0, "z", 100, 100.0)).unwrap(), "an expired record is absent");
    }
}
