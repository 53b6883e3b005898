//! One model's turn in the tier loop: its place in the rate windows and
//! the budget, the call, and the calls again that the failure table, a
//! refused key or a refused prefill allow. Every try that fails is pushed
//! to the trace here; what the turn ended with goes back to the loop.

use crate::clock::Clock;
use crate::config::ModelConfig;
use crate::decimal::Plain;
use crate::error::{CascadeError, ErrorCode};
use crate::http::HttpClient;
use crate::reliability::{self, Admit, Attempted, Step, Store};
use crate::types::{ChatRequest, Completion};

use super::call::CallEnv;
use super::engine::Engine;
use super::events::{Event, StreamMode};
use super::gate::{Admitted, Refused};
use super::result::Attempt;
use super::resume::Resume;
use super::trace::{failed_attempt, skipped_attempt};

/// The model a turn is for, and what is asked of it.
pub(super) struct Target<'a> {
    pub model: &'a ModelConfig,
    pub tier: usize,
    pub is_final: bool,
    /// Its breaker's (and rate window's) key.
    pub endpoint: &'a str,
    pub req: &'a ChatRequest,
    /// Whose budget pays.
    pub user: Option<&'a str>,
}

/// How a turn ended. Returned once per turn and taken apart at once, so
/// the common variant is not boxed (that would be an allocation per call).
#[allow(clippy::large_enum_variant)]
pub(super) enum Called {
    /// The last call, and what the failure table decided after it
    /// (`MoveOn` after an answer).
    Done(TierCall, Step),
    /// Not sent: the budget has no room for it (`cheapest-only` may still
    /// return an earlier draft).
    OverBudget(CascadeError),
    /// The run ends: a rate limit set to `skip`, or a wait the caller cut short.
    Ended(CascadeError),
}

impl<C: Clock, S: Store> Engine<C, S> {
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn call_model<H: HttpClient>(
        &self,
        http: &H,
        call_env: &CallEnv<'_, C>,
        t: &Target<'_>,
        query: &str,
        mode: Option<StreamMode>,
        resume: &mut Option<Resume>,
        attempts: &mut Vec<Attempt>,
        emit: &mut dyn FnMut(Event),
    ) -> Called {
        let Target { model, tier, is_final, endpoint, req, user } = *t;
        let mut retries = 0u32;
        // Keys of a rotating model the provider refused in this run.
        let mut refused_keys: Vec<usize> = Vec::new();
        loop {
            let mut rate = Admitted { hold: None, note: None };
            if self.rate_limited(model) {
                match Box::pin(self.take_rate(http, model, endpoint, req, user)).await {
                    Ok(admitted) => rate = admitted,
                    Err(Refused::Stop(e)) => {
                        attempts.push(skipped_attempt(tier, model, &format!("not called: {}", e.message)));
                        return Called::Ended(e);
                    }
                    Err(Refused::MoveOn(e)) => {
                        let (call, step) = rate_refused(e);
                        return Called::Done(call, step);
                    }
                }
            }
            // Boxed: budget code stays out of the hot loop's state machine (and the .wasm's
            // largest function) and costs an allocation only under a budget.
            let hold = match self.config.budget.is_some() {
                true => Box::pin(self.reserve(model, req, user)).await,
                false => Ok(None),
            };
            let hold = match hold {
                Ok(hold) => hold,
                Err(e) => {
                    if let Some(h) = rate.hold.take() {
                        // Not sent after all: its place in the window is given back.
                        let _ = Box::pin(self.store.settle(&h.released(), self.clock.now_ms())).await;
                    }
                    let e = e.for_model(&model.provider, &model.name);
                    attempts.push(skipped_attempt(tier, model, &format!("not called: {}", e.message)));
                    return Called::OverBudget(e);
                }
            };
            let key_index = model.key_rotation.as_ref().and_then(|r| self.pick_key(endpoint, r, &refused_keys));
            let keyed = with_key(model, key_index);
            let prefilled = resume.as_ref().and_then(|r| r.request(req));
            let sent = prefilled.as_ref().unwrap_or(req);
            let mut call =
                self.call_tier(http, call_env, &keyed, tier, sent, query, is_final, mode, resume.as_mut(), emit).await;
            call.key_index = key_index;
            call.note = rate.note;
            if let Some(h) = rate.hold {
                let unsettled = Box::pin(self.settle_rate(h, req, &call.outcome)).await;
                call.note = join_notes(call.note, unsettled);
            }
            if hold.is_some() {
                let unsettled = Box::pin(self.settle(hold, model, req, &call.outcome)).await;
                call.note = join_notes(call.note, unsettled);
            }
            match (self.store.is_local(), breaker_verdict(&call.outcome)) {
                (_, None) => {}
                (true, Some(ok)) => self.record_outcome(endpoint, ok),
                (false, Some(ok)) => Box::pin(self.record_shared(endpoint, ok)).await,
            }
            let Err(e) = &call.outcome else { return Called::Done(call, Step::MoveOn) };
            // The failure's effect on the endpoint's breaker, for the trace.
            if let Some(state) = self.breakers.try_borrow().ok().filter(|b| b.enabled()).map(|b| b.describe(endpoint)) {
                call.note = join_notes(call.note.take(), Some(format!("circuit breaker {state}")));
            }
            // A refused prefill: the same model again, starting over and matching.
            if resume.as_ref().is_some_and(|r| r.prefills()) && e.status == Some(400) && !call.shown_any {
                *resume = resume.take().map(Resume::restart);
                let mut a = failed_attempt(tier, model, call.latency_ms, e);
                a.reason = format!("{}; the prefill was refused, so the model starts over", a.reason);
                attempts.push(a);
                continue;
            }
            // A refused key is replaced by the next one at once, while one is left.
            if let (Some(k), Some(rot)) = (call.key_index, &model.key_rotation) {
                let refused = e.code == ErrorCode::Auth && matches!(e.status, Some(401 | 403));
                if refused && refused_keys.len().saturating_add(1) < rot.keys.len() && !call.shown_any {
                    refused_keys.push(k);
                    let mut a = failed_attempt(tier, model, call.latency_ms, e);
                    a.key_index = Some(k);
                    a.reason = format!("{}; key #{k} was refused, the next key is tried", a.reason);
                    noted(&mut a.reason, call.note.as_deref());
                    attempts.push(a);
                    continue;
                }
            }
            let done = Attempted { retries, shown: call.shown_any };
            let step = match reliability::after_failure(e, &self.config.retry, done, self.clock.random()) {
                // No retry into a breaker this very failure has opened.
                Step::Retry { .. } if matches!(self.admit(endpoint), Admit::Skip { .. }) => Step::MoveOn,
                step => step,
            };
            match step {
                Step::Retry { delay_ms, why } => {
                    let mut a = failed_attempt(tier, model, call.latency_ms, e);
                    a.retry_in_ms = Some(delay_ms);
                    a.key_index = call.key_index;
                    a.reason = format!("{}; same model again in {} ms: {why}", a.reason, Plain(delay_ms.round()));
                    noted(&mut a.reason, call.note.as_deref());
                    attempts.push(a);
                    if let Err(stopped) = http.sleep(delay_ms).await {
                        return Called::Ended(stopped);
                    }
                    retries = retries.saturating_add(1);
                }
                decision => return Called::Done(call, decision),
            }
        }
    }
}

/// One tier's call as `call_tier` made it.
pub(super) struct TierCall {
    pub(super) outcome: Result<Completion, CascadeError>,
    pub(super) latency_ms: f64,
    /// Some of its text reached the consumer (live mode, or the final tier).
    pub(super) shown_any: bool,
    /// Why a streamed draft was stopped before its end, if it was.
    pub(super) stopped_early: Option<String>,
    /// What went wrong around the call (a budget store that did not settle).
    pub(super) note: Option<String>,
    /// Which of the model's rotating keys it used.
    pub(super) key_index: Option<usize>,
    /// The text of it the consumer saw, and whether a tool call was shown too.
    pub(super) shown_text: String,
    pub(super) shown_tools: bool,
}

/// `model` with the rotating key `index` as its key, for one call.
pub(super) fn with_key(model: &ModelConfig, index: Option<usize>) -> std::borrow::Cow<'_, ModelConfig> {
    let key = index.and_then(|i| model.key_rotation.as_ref()?.keys.get(i));
    match key {
        Some(k) => {
            let mut m = model.clone();
            m.api_key = Some(k.clone());
            std::borrow::Cow::Owned(m)
        }
        None => std::borrow::Cow::Borrowed(model),
    }
}

pub(super) fn join_notes(a: Option<String>, b: Option<String>) -> Option<String> {
    match (a, b) {
        (Some(a), Some(b)) => Some(format!("{a}; {b}")),
        (a, b) => a.or(b),
    }
}

/// A call the rate windows turned away (`fallback`, or `wait` that waited
/// long enough): it fails like a 429 would, without being sent.
pub(super) fn rate_refused(e: CascadeError) -> (TierCall, Step) {
    let call = TierCall {
        outcome: Err(e),
        latency_ms: 0.0,
        shown_any: false,
        stopped_early: None,
        note: None,
        key_index: None,
        shown_text: String::new(),
        shown_tools: false,
    };
    (call, Step::MoveOn)
}

pub(super) fn noted(reason: &mut String, note: Option<&str>) {
    if let Some(n) = note {
        reason.push_str("; ");
        reason.push_str(n);
    }
}

/// What a call tells the endpoint's breaker: `Some(true)` when the endpoint
/// answered (a rejected draft or a request refused as malformed included),
/// `None` for the caller's abort, which says nothing about it.
pub(super) fn breaker_verdict(outcome: &Result<Completion, CascadeError>) -> Option<bool> {
    match outcome {
        Ok(_) => Some(true),
        Err(e) => match e.failure_class() {
            crate::error::FailureClass::Aborted => None,
            class => Some(class.endpoint_answered()),
        },
    }
}
