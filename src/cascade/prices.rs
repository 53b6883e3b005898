//! Prices for OpenRouter tiers configured without one, from OpenRouter's
//! catalogue, cached per agent. A run asks only when such a tier is in its
//! plan; a catalogue that cannot be loaded never fails the run: the cost
//! stays unknown (null) and the attempt says why.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use crate::clock::Clock;
use crate::config::ModelConfig;
use crate::http::HttpClient;
use crate::providers::openrouter::{self, PriceList};

use super::call::load_prices;

/// How long a loaded catalogue is trusted. Prices change rarely; an hour
/// keeps runs free of the extra request almost always.
pub const DEFAULT_PRICE_TTL_MS: f64 = 60.0 * 60.0 * 1000.0;
/// A failed load is retried after this long rather than on every run, so a
/// catalogue that is down does not add a failing request to each run.
pub const RETRY_AFTER_FAILURE_MS: f64 = 60.0 * 1000.0;

pub struct PriceCache {
    ttl_ms: f64,
    /// By catalogue URL: tiers behind different base URLs get their own list.
    entries: HashMap<String, Entry>,
}

struct Entry {
    loaded_at: f64,
    outcome: Result<Rc<PriceList>, String>,
}

impl Default for PriceCache {
    fn default() -> Self {
        PriceCache { ttl_ms: DEFAULT_PRICE_TTL_MS, entries: HashMap::new() }
    }
}

impl PriceCache {
    pub fn set_ttl_ms(&mut self, ttl_ms: f64) {
        self.ttl_ms = ttl_ms.max(0.0);
    }

    fn fresh(&self, url: &str, now: f64) -> Option<Result<Rc<PriceList>, String>> {
        let e = self.entries.get(url)?;
        let ttl = if e.outcome.is_ok() { self.ttl_ms } else { RETRY_AFTER_FAILURE_MS.min(self.ttl_ms) };
        (now - e.loaded_at < ttl).then(|| e.outcome.clone())
    }
}

/// The tiers of one run, priced, and for each the reason its cost will be
/// unknown, if it will be.
pub struct Priced<'m> {
    pub models: Cow<'m, [ModelConfig]>,
    notes: Vec<Option<String>>,
}

impl Priced<'_> {
    pub fn note(&self, tier: usize) -> Option<&str> {
        self.notes.get(tier).and_then(|n| n.as_deref())
    }
}

/// Fill in the price of every OpenRouter tier that has none, and say why
/// any other unpriced tier's cost will be unknown. Borrows the tiers
/// untouched (no clone, no request) when there is nothing to fill.
/// With `keep_order` false the tiers are sorted again once priced: at
/// configuration time a tier priced only by the catalogue had no price and
/// went last.
pub async fn resolve<'m, H: HttpClient, C: Clock>(
    cache: &RefCell<PriceCache>,
    clock: &C,
    http: &H,
    models: &'m [ModelConfig],
    keep_order: bool,
) -> Priced<'m> {
    // Every tier priced (the usual case): nothing to fill, note or copy.
    if models.iter().all(|m| m.price.is_some()) {
        return Priced { models: Cow::Borrowed(models), notes: Vec::new() };
    }
    let needs = |m: &ModelConfig| m.price.is_none() && openrouter::is_openrouter(m);
    let mut notes: Vec<Option<String>> =
        models.iter().map(|m| (m.price.is_none() && !needs(m)).then(|| no_list_price(&m.name))).collect();
    if !models.iter().any(needs) {
        return Priced { models: Cow::Borrowed(models), notes };
    }
    let mut owned = models.to_vec();
    for (i, m) in owned.iter_mut().enumerate() {
        if !needs(m) {
            continue;
        }
        let note = match load(cache, clock, http, m).await {
            Ok(list) => match openrouter::price_for(&list, &m.name) {
                Some(p) => {
                    m.price = Some(p);
                    None
                }
                None => Some(format!("cost unknown: {:?} is not in OpenRouter's price list", m.name)),
            },
            Err(why) => Some(format!("cost unknown: OpenRouter prices could not be loaded ({why})")),
        };
        if let Some(slot) = notes.get_mut(i) {
            *slot = note;
        }
    }
    if !keep_order {
        crate::config::sort_tiers(&mut owned, |i, j| notes.swap(i, j));
    }
    Priced { models: Cow::Owned(owned), notes }
}

/// Why a tier outside OpenRouter has no cost: its name is not in the
/// price table (self-hosted tiers are always priced, at zero). A typo is
/// the usual cause, so the nearest priced name is offered.
fn no_list_price(model: &str) -> String {
    match crate::pricing::suggest(model) {
        Some(near) => {
            format!("cost unknown: no list price for {model:?} (set inputCost/outputCost; did you mean {near:?}?)")
        }
        None => format!("cost unknown: no list price for {model:?} (set inputCost/outputCost)"),
    }
}

async fn load<H: HttpClient, C: Clock>(
    cache: &RefCell<PriceCache>,
    clock: &C,
    http: &H,
    model: &ModelConfig,
) -> Result<Rc<PriceList>, String> {
    let url = openrouter::models_request(model).url;
    // Never hold a borrow across the await: other runs share the cache.
    let hit = cache.try_borrow().ok().and_then(|c| c.fresh(&url, clock.now_ms()));
    if let Some(hit) = hit {
        return hit;
    }
    let outcome =
        load_prices(http, model).await.map(Rc::new).map_err(|e| format!("{}: {}", e.code.as_str(), e.message));
    if let Ok(mut c) = cache.try_borrow_mut() {
        c.entries.insert(url, Entry { loaded_at: clock.now_ms(), outcome: outcome.clone() });
    }
    outcome
}
