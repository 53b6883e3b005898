//! The tier loop: draft, judge, accept or escalate, and account for it all.

use std::cell::RefCell;

use crate::decimal::Plain;
use crate::json_out::{JsonOut, ToJson};

use crate::clock::Clock;
use crate::config::{AgentConfig, CallOptions, ModelConfig};
use crate::error::{CascadeError, ErrorCode};
use crate::http::HttpClient;
use crate::quality::{self, Complexity, Domain, JudgeInput, Turn};
use crate::reliability::budget::{self, BudgetPolicy, BudgetStatus, Hold};
use crate::reliability::health::Health;
use crate::reliability::keys::{KeyRotation, KeyUse};
use crate::reliability::{self, Admit, Attempted, Breakers, MemoryStore, Step, Store};
use crate::types::{ChatRequest, Completion, Message, ResponseFormat, StreamDelta, Usage};

use super::analytics::Analytics;
use super::call::{call_once, call_streaming, CallEnv};
use super::events::{Event, StreamMode};
use super::prices::{self, PriceCache};
use super::result::{sum_usage, summarise_cost, Attempt, AttemptOutcome, CascadeResult};
use super::resume::Resume;
use super::trace::{
    all_failed, delta_event, explain, failed_attempt, last_user_text, parse_json_answer, release_buffered,
    skipped_attempt, usage_or_estimate, with_system_prompt,
};

/// Holds what lives as long as an agent. The HTTP client is per run, so a
/// run's abort signal and custom providers travel with it. `S` keeps the
/// state that may be shared with other agents (budgets, rate windows).
pub struct Engine<C, S = MemoryStore> {
    pub config: AgentConfig,
    pub(super) clock: C,
    analytics: RefCell<Analytics>,
    /// OpenRouter's catalogue, for tiers configured without a price.
    prices: RefCell<PriceCache>,
    /// Which endpoints are failing too often to be worth a call just now.
    pub(super) breakers: RefCell<Breakers>,
    /// Budgets and rate windows: this agent's memory unless a shared store was given.
    pub(super) store: S,
    /// How each rotating model's keys have been used, by endpoint.
    keys: RefCell<Vec<(String, KeyUse)>>,
    /// What the health probes last found, by endpoint.
    pub(super) health: RefCell<Health>,
}

/// A failed run: the error, and the trace of what was tried before it.
#[derive(Clone, Debug, PartialEq)]
pub struct RunError {
    pub error: CascadeError,
    pub attempts: Vec<Attempt>,
}

/// The error's fields and `attempts`, in one object.
impl ToJson for RunError {
    fn write_json(&self, o: &mut JsonOut) {
        o.begin_object();
        self.error.write_fields(o);
        o.key("attempts");
        o.each(&self.attempts);
        o.end_object();
    }
}

impl From<CascadeError> for RunError {
    fn from(error: CascadeError) -> Self {
        RunError { error, attempts: Vec::new() }
    }
}

impl<C: Clock> Engine<C> {
    pub fn new(config: AgentConfig, clock: C) -> Self {
        Engine::with_store(config, clock, MemoryStore::default())
    }
}

impl<C: Clock, S: Store> Engine<C, S> {
    pub fn with_store(config: AgentConfig, clock: C, store: S) -> Self {
        let breaker = config.circuit_breaker;
        Engine {
            config,
            clock,
            analytics: RefCell::new(Analytics::default()),
            prices: RefCell::new(PriceCache::default()),
            breakers: RefCell::new(Breakers::new(breaker)),
            store,
            keys: RefCell::new(Vec::new()),
            health: RefCell::new(Health::default()),
        }
    }

    /// The injected clock (tests drive a `ManualClock` through it).
    pub fn clock(&self) -> &C {
        &self.clock
    }

    /// How long OpenRouter prices are kept (default one hour).
    pub fn set_price_ttl_ms(&self, ttl_ms: f64) {
        if let Ok(mut p) = self.prices.try_borrow_mut() {
            p.set_ttl_ms(ttl_ms);
        }
    }

    pub fn analytics(&self) -> Analytics {
        self.analytics.borrow().clone()
    }

    /// How the budget stands, overall or for one user; `None` with no budget.
    pub async fn budget_status(&self, user: Option<&str>) -> Result<Option<BudgetStatus>, CascadeError> {
        let Some(cfg) = &self.config.budget else { return Ok(None) };
        budget::status(cfg, &self.store, user, self.wall_ms(), self.clock.now_ms()).await.map(Some)
    }

    /// Wall time for budget periods; a host without one counts from the clock's origin.
    pub(super) fn wall_ms(&self) -> f64 {
        self.clock.epoch_ms().unwrap_or_else(|| self.clock.now_ms())
    }

    pub fn reset_analytics(&self) {
        *self.analytics.borrow_mut() = Analytics::default();
    }

    /// One cascade, not streamed.
    pub async fn run<H: HttpClient>(
        &self,
        http: &H,
        messages: Vec<Message>,
        opts: &CallOptions,
    ) -> Result<CascadeResult, RunError> {
        let out = self.execute(http, messages, opts, None, &mut |_| {}).await;
        self.record(&out);
        out
    }

    /// One cascade, streamed: `emit` receives the typed events as they happen.
    pub async fn stream<H: HttpClient>(
        &self,
        http: &H,
        messages: Vec<Message>,
        opts: &CallOptions,
        mode: StreamMode,
        emit: &mut dyn FnMut(Event),
    ) -> Result<CascadeResult, RunError> {
        let out = self.execute(http, messages, opts, Some(mode), emit).await;
        self.record(&out);
        out
    }

    pub(super) fn record(&self, out: &Result<CascadeResult, RunError>) {
        // Never panics: a run in progress elsewhere only ever borrows briefly.
        if let Ok(mut a) = self.analytics.try_borrow_mut() {
            match out {
                Ok(r) => a.record(r, self.config.models.len() > 1),
                Err(e) => a.record_failed_run(&e.attempts),
            }
        }
    }

    pub(super) async fn execute<H: HttpClient>(
        &self,
        http: &H,
        messages: Vec<Message>,
        call_opts: &CallOptions,
        mode: Option<StreamMode>,
        emit: &mut dyn FnMut(Event),
    ) -> Result<CascadeResult, RunError> {
        if messages.is_empty() || messages.iter().all(|m| m.content.trim().is_empty() && m.tool_calls.is_empty()) {
            return Err(
                CascadeError::config("query: expected a non-empty string or a non-empty array of messages").into()
            );
        }
        let opts = call_opts.or(&self.config.defaults);
        let messages = with_system_prompt(messages, opts.system_prompt.as_deref());
        let query = last_user_text(&messages);
        // Read once: routing needs it now, and every judgement of the run reuses it.
        let facts = quality::QueryFacts::read(&query);
        let (complexity, domain) = (facts.complexity, facts.domain);
        let route = self.config.route(domain);
        let planned: &[ModelConfig] = match route {
            Some(r) if !r.models.is_empty() => &r.models,
            _ => &self.config.models,
        };
        let priced = prices::resolve(&self.prices, &self.clock, http, planned, self.config.keep_order).await;
        let models: &[ModelConfig] = &priced.models;
        // Pre-routing: a draft that could not be accepted is not worth paying for.
        let skip_reason = match (route, self.config.skip_drafter_from) {
            (Some(r), _) if r.require_verifier => Some(format!("domain {} requires the verifier", domain.as_str())),
            (_, Some(from)) if complexity >= from => {
                Some(format!("{} query: pre-routed past the drafter", complexity.as_str()))
            }
            _ => None,
        };
        let domain_threshold = route.and_then(|r| r.threshold);
        if mode.is_some() {
            emit(Event::Routing {
                complexity,
                domain,
                plan: models.iter().map(|m| m.name.clone()).collect(),
                mode: if mode == Some(StreamMode::Live) { "live" } else { "buffered" },
            });
        }
        let started = self.clock.now_ms();
        let call_env = CallEnv { clock: &self.clock, config: &self.config };
        // Tiers, in the order tried; a same-tier failover group is one tier.
        let tier_of = crate::config::tier_numbers(models);
        let Some(&last) = tier_of.last() else {
            return Err(CascadeError::config("config.models: expected at least one model").into());
        };
        let mut attempts: Vec<Attempt> = Vec::with_capacity(models.len());
        // After a rejected draft, the rest of its failover group is passed
        // over: a backup drafter is for a provider that failed, not for a
        // draft the judge turned down.
        let mut next_tier_only: Option<usize> = None;
        // After a prompt too long for a model: only later models known to
        // have a larger context window are asked (once; see `larger_window`).
        let mut context_need: Option<reliability::ContextNeed> = None;
        let tiers = last.saturating_add(1);
        // Savings are measured against the top tier's first model.
        let top = models.iter().zip(&tier_of).find(|(_, t)| **t == last).map(|(m, _)| m);
        let user = opts.user_id.as_deref();
        let cheapest_only = self.config.budget.is_some_and(|b| b.policy == BudgetPolicy::CheapestOnly);
        // Under `cheapest-only`, the last rejected draft: what the run returns
        // when a dearer tier no longer fits the budget.
        let mut last_draft: Option<Draft<'_>> = None;
        // Text a failed stream already showed, for the next model to continue.
        let mut resume: Option<Resume> = None;
        let wants_json =
            matches!(opts.response_format, Some(ResponseFormat::JsonObject | ResponseFormat::JsonSchema { .. }));

        for (i, model) in models.iter().enumerate() {
            let tier = tier_of.get(i).copied().unwrap_or(last);
            let is_final = tier == last;
            let first_of_tier = i == 0 || tier_of.get(i.wrapping_sub(1)) != Some(&tier);
            let next_model = models.get(i.saturating_add(1));
            if next_tier_only.is_some_and(|t| tier < t) {
                continue;
            }
            if let Some(need) = context_need.as_ref().filter(|n| !n.admits(model.context_window)) {
                attempts.push(skipped_attempt(tier, model, &need.passed_over(&model.name, model.context_window)));
                continue;
            }
            if let (Some(why), false) = (&skip_reason, is_final) {
                if first_of_tier {
                    attempts.push(skipped_attempt(tier, model, why));
                }
                continue;
            }
            let endpoint = breaker_key(model);
            let sick = self.health.try_borrow().ok().and_then(|h| h.unhealthy(&endpoint).map(str::to_string));
            if let (Some(why), Some(_)) = (sick, next_model) {
                attempts.push(skipped_attempt(tier, model, &format!("its last health check failed ({why})")));
                continue;
            }
            let admitted = match self.store.is_local() {
                true => self.admit(&endpoint),
                false => Box::pin(self.admit_shared(&endpoint)).await,
            };
            if let Admit::Skip { until } = admitted {
                let why = format!(
                    "skipped: its circuit breaker is open after repeated failures (for another {} ms)",
                    Plain((until - self.wall_ms()).max(0.0).ceil())
                );
                attempts.push(skipped_attempt(tier, model, &why));
                if next_model.is_some() {
                    continue;
                }
                let e = CascadeError::new(
                    ErrorCode::ProviderUnavailable,
                    format!("{} ({}) was {why}", model.provider, model.name),
                )
                .with_class(crate::error::FailureClass::Server)
                .for_model(&model.provider, &model.name);
                let others_failed = attempts.iter().any(|a| a.outcome == AttemptOutcome::Failed)
                    && !attempts
                        .iter()
                        .any(|a| matches!(a.outcome, AttemptOutcome::Rejected | AttemptOutcome::Accepted));
                let error = if others_failed { all_failed(&attempts, e) } else { e };
                return Err(RunError { error, attempts });
            }
            let req = self.request_for(model, &messages, &opts, !is_final);
            // Call, and call again while the failure policy says the same
            // model is worth another try; each failed try is in the trace.
            let mut retries = 0u32;
            // Keys of a rotating model the provider refused in this run.
            let mut refused_keys: Vec<usize> = Vec::new();
            let (call, decision) = loop {
                let mut rate = super::gate::Admitted { hold: None, note: None };
                if self.rate_limited(model) {
                    match Box::pin(self.take_rate(http, model, &endpoint, &req)).await {
                        Ok(admitted) => rate = admitted,
                        Err(super::gate::Refused::Stop(e)) => {
                            attempts.push(skipped_attempt(tier, model, &format!("not called: {}", e.message)));
                            return Err(RunError { error: e, attempts });
                        }
                        Err(super::gate::Refused::MoveOn(e)) => break rate_refused(e),
                    }
                }
                // Boxed: budget code stays out of the hot loop's state machine (and the .wasm's
                // largest function) and costs an allocation only under a budget.
                let hold = match self.config.budget.is_some() {
                    true => Box::pin(self.reserve(model, &req, user)).await,
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
                        if let Some((m, completion, usage, t, judged)) = last_draft.take().filter(|_| cheapest_only) {
                            if let Some(a) = attempts.last_mut() {
                                a.reason.push_str("; budget policy cheapest-only: the draft is returned");
                            }
                            let latency = (self.clock.now_ms() - started).max(0.0);
                            return Ok(self.finish(
                                (tiers, top),
                                m,
                                completion,
                                usage,
                                t,
                                judged,
                                attempts,
                                latency,
                                wants_json,
                            ));
                        }
                        return Err(RunError { error: e, attempts });
                    }
                };
                let key_index = model.key_rotation.as_ref().and_then(|r| self.pick_key(&endpoint, r, &refused_keys));
                let keyed = with_key(model, key_index);
                let prefilled = resume.as_ref().and_then(|r| r.request(&req));
                let sent = prefilled.as_ref().unwrap_or(&req);
                let mut call = self
                    .call_tier(http, &call_env, &keyed, tier, sent, &query, is_final, mode, resume.as_mut(), emit)
                    .await;
                call.key_index = key_index;
                call.note = rate.note;
                if let Some(h) = rate.hold {
                    let unsettled = Box::pin(self.settle_rate(h, &req, &call.outcome)).await;
                    call.note = join_notes(call.note, unsettled);
                }
                if hold.is_some() {
                    let unsettled = Box::pin(self.settle(hold, model, &req, &call.outcome)).await;
                    call.note = join_notes(call.note, unsettled);
                }
                match (self.store.is_local(), breaker_verdict(&call.outcome)) {
                    (_, None) => {}
                    (true, Some(ok)) => self.record_outcome(&endpoint, ok),
                    (false, Some(ok)) => Box::pin(self.record_shared(&endpoint, ok)).await,
                }
                let Err(e) = &call.outcome else { break (call, Step::MoveOn) };
                // A refused prefill: the same model again, starting over and matching.
                if resume.as_ref().is_some_and(|r| r.prefills()) && e.status == Some(400) && !call.shown_any {
                    resume = resume.take().map(Resume::restart);
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
                    Step::Retry { .. } if matches!(self.admit(&endpoint), Admit::Skip { .. }) => Step::MoveOn,
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
                            return Err(RunError { error: stopped, attempts });
                        }
                        retries = retries.saturating_add(1);
                    }
                    decision => break (call, decision),
                }
            };
            let TierCall { outcome, latency_ms, shown_any, stopped_early, note, key_index, shown_text, shown_tools } =
                call;
            // A continued answer is the shown text and the continuation, or,
            // if the continuation contradicts it, an error: never a splice.
            let outcome = match (outcome, resume.as_ref()) {
                (Ok(mut c), Some(r)) => match r.complete(&c.content) {
                    Some(whole) => {
                        c.content = whole;
                        Ok(c)
                    }
                    None => Err(CascadeError::new(
                        ErrorCode::Stream,
                        format!(
                            "{} ({}) could not continue the answer already shown: its own answer differs, so the stream ends here",
                            model.provider, model.name
                        ),
                    )
                    .with_class(crate::error::FailureClass::Client)
                    .for_model(&model.provider, &model.name)),
                },
                (outcome, _) => outcome,
            };
            let completion = match outcome {
                Ok(c) => c,
                Err(e) => {
                    let mut a = failed_attempt(tier, model, latency_ms, &e);
                    a.key_index = key_index;
                    noted(&mut a.reason, note.as_deref());
                    attempts.push(a);
                    let mut stop = decision == Step::Stop || !e.failure_class().escalates();
                    let later = models.get(i.saturating_add(1)..).unwrap_or(&[]);
                    let e = match decision {
                        Step::LargerWindow => {
                            let windows: Vec<Option<u32>> = later.iter().map(|m| m.context_window).collect();
                            let (configured, stated) = (model.context_window, e.stated_window());
                            match reliability::larger_window(
                                e,
                                &model.name,
                                configured,
                                stated,
                                &windows,
                                context_need.is_some(),
                            ) {
                                Ok(need) => context_need.insert(need).error.clone(),
                                Err(e) => {
                                    stop = true;
                                    e
                                }
                            }
                        }
                        _ => e,
                    };
                    let next_model =
                        later.iter().find(|m| context_need.as_ref().is_none_or(|n| n.admits(m.context_window)));
                    let Some(next) = next_model.filter(|_| !stop) else {
                        // "All models failed" only when no model answered at all. After
                        // a rejected draft the final tier's own error says more (a cut
                        // stream stays a StreamError, as the README documents).
                        let mut called = attempts.iter().filter(|a| a.outcome != AttemptOutcome::Skipped);
                        let others = called.clone().any(|a| a.tier != tier || a.model != model.name);
                        let none_answered = others && called.all(|a| a.outcome == AttemptOutcome::Failed);
                        let error = if !stop && none_answered { all_failed(&attempts, e) } else { e };
                        return Err(RunError { error, attempts });
                    };
                    // Shown text the next model continues, rather than the consumer
                    // dropping it; a shown tool call cannot be continued.
                    let prefill = next.wire == crate::providers::WireFormat::Anthropic;
                    let had_resume = resume.is_some();
                    // Shown text from a live draft may still be discarded if it
                    // cannot be continued; a final tier's text must be.
                    let may_discard = !is_final;
                    resume = match resume.take() {
                        Some(r) if !shown_tools => Some(r.failed_again(prefill, may_discard)),
                        None if shown_any && !shown_tools => Some(Resume::new(shown_text, prefill, may_discard)),
                        _ => None,
                    };
                    let carried = resume.is_some();
                    if mode.is_some() {
                        let same_tier = tier_of.get(i.saturating_add(1)) == Some(&tier);
                        let mut reason = if same_tier {
                            format!("{} failed: {}; failing over within the tier", model.name, e.code.as_str())
                        } else {
                            format!("{} failed: {}", model.name, e.code.as_str())
                        };
                        if carried {
                            reason.push_str("; the next model continues the text already shown");
                        }
                        emit(Event::Escalated {
                            from: model.name.clone(),
                            to: next.name.clone(),
                            reason,
                            discard: (shown_any || had_resume) && !carried,
                        });
                    }
                    continue;
                }
            };
            let usage = usage_or_estimate(&completion, &req);
            let cost = model.price.map(|p| (p.cost(&usage) * 1e10).round() / 1e10);
            // After a tool loop step the conversation already holds the tool
            // results: a text answer is then what is wanted, not another call.
            let turn = Turn { has_tool_results: messages.iter().any(|m| m.role == crate::types::Role::Tool) };
            let mut verdict = quality::judge_read(
                &JudgeInput {
                    query: &query,
                    // A refusal is the answer the judge must see (and refuse).
                    answer: match (&completion.refusal, completion.content.is_empty()) {
                        (Some(r), true) => r,
                        _ => &completion.content,
                    },
                    finish_reason: completion.finish_reason,
                    logprobs: completion.logprobs.as_deref(),
                    tool_calls: &completion.tool_calls,
                    tools: &req.tools,
                    response_format: req.response_format.as_ref(),
                },
                &facts,
                turn,
                &self.config.quality,
                model.quality_threshold.or(domain_threshold),
            );
            if stopped_early.is_some() && !is_final {
                verdict.accepted = false;
            }
            let accepted = is_final || verdict.accepted;
            if !is_final && mode.is_some() {
                emit(Event::DraftDecision {
                    model: model.name.clone(),
                    tier,
                    accepted: verdict.accepted,
                    score: verdict.score,
                    threshold: verdict.threshold,
                    reason: verdict.reason.clone(),
                    checks: verdict.checks.clone(),
                });
            }
            // The last tier's answer is returned whatever the judge says (there
            // is nowhere higher to go); its verdict stays in the trace for the
            // record, and the reason says so when the two disagree.
            let reason = match (is_final, tier > 0, verdict.accepted) {
                (false, _, _) if stopped_early.is_some() => {
                    format!("judged early, stream stopped: {}", stopped_early.as_deref().unwrap_or(""))
                }
                (false, _, _) => verdict.reason.clone(),
                (true, true, true) => "final tier: answer returned".to_string(),
                (true, false, true) => "single tier: answer returned".to_string(),
                (true, _, false) => format!(
                    "returned as the last tier although the judge would not accept it ({} < {})",
                    quality::format_fixed(verdict.score, 2),
                    quality::format_fixed(verdict.threshold, 2)
                ),
            };
            // The verdict moves into the trace; what comes after needs only these.
            let judged = (verdict.complexity, verdict.domain);
            let draft_usage = usage;
            let escalation_reason = (!accepted && mode.is_some()).then(|| verdict.reason.clone());
            attempts.push(Attempt {
                tier,
                model: model.name.clone(),
                provider: model.provider.clone(),
                outcome: if accepted { AttemptOutcome::Accepted } else { AttemptOutcome::Rejected },
                cost,
                latency_ms,
                usage: Some(usage),
                verdict: Some(verdict),
                error: None,
                reason: {
                    let mut reason = match (cost, priced.note(i)) {
                        (None, Some(note)) => format!("{reason}; {note}"),
                        _ => reason,
                    };
                    noted(&mut reason, note.as_deref());
                    reason
                },
                step: None,
                retry_in_ms: None,
                key_index,
                malformed_events: completion.malformed_events,
            });
            if accepted {
                if mode == Some(StreamMode::Buffered) && !is_final {
                    // Buffered draft, now judged good: release it whole.
                    release_buffered(&completion, model, tier, emit);
                }
                let total_latency = (self.clock.now_ms() - started).max(0.0);
                return Ok(self.finish(
                    (tiers, top),
                    model,
                    completion,
                    usage,
                    tier,
                    judged,
                    attempts,
                    total_latency,
                    wants_json,
                ));
            }
            next_tier_only = Some(tier.saturating_add(1));
            // A rejected draft is dropped whole, the text it continued included.
            let continued = resume.take().is_some();
            if cheapest_only {
                last_draft = Some((model, completion, draft_usage, tier, judged));
            }
            let next_tier = models.iter().zip(&tier_of).find(|(_, t)| **t > tier).map(|(m, _)| m);
            if let Some(next) = next_tier {
                if mode.is_some() {
                    emit(Event::Escalated {
                        from: model.name.clone(),
                        to: next.name.clone(),
                        reason: escalation_reason.unwrap_or_default(),
                        discard: shown_any || continued,
                    });
                }
            }
        }
        // The models left could not take a prompt this long.
        if let Some(need) = context_need {
            return Err(RunError { error: need.exhausted(), attempts });
        }
        // Unreachable in practice: the final tier either returns or errors.
        Err(CascadeError::new(ErrorCode::AllModelsFailed, "no tier produced an answer").into())
    }

    /// Hold a call's worst-case cost against the budget, if there is one.
    async fn reserve(
        &self,
        model: &ModelConfig,
        req: &ChatRequest,
        user: Option<&str>,
    ) -> Result<Option<Hold>, CascadeError> {
        let Some(cfg) = &self.config.budget else { return Ok(None) };
        let Some(worst) = worst_case_cost(model, req) else {
            return Err(CascadeError::new(
                ErrorCode::Budget,
                format!(
                    "{} ({}) has no known price, so a budget cannot bound its cost; give it inputCost and outputCost",
                    model.provider, model.name
                ),
            )
            .with_class(crate::error::FailureClass::Client));
        };
        budget::reserve(cfg, &self.store, user, worst, self.wall_ms(), self.clock.now_ms()).await.map(Some)
    }

    /// Turn a call's hold into what it really cost, or free it if it failed.
    /// A store that does not take it is noted for the trace: the hold then
    /// stays until its period ends, so the budget errs towards spending less.
    async fn settle(
        &self,
        hold: Option<Hold>,
        model: &ModelConfig,
        req: &ChatRequest,
        outcome: &Result<Completion, CascadeError>,
    ) -> Option<String> {
        let hold = hold?;
        let cost = match (outcome, model.price) {
            (Ok(c), Some(price)) => Some(price.cost(&usage_or_estimate(c, req))),
            // A failure the provider still bills (a filtered answer) is spent.
            (Err(e), Some(price)) => e.billed().map(|u| price.cost(u)),
            _ => None,
        };
        budget::settle(&self.store, hold, cost, self.clock.now_ms()).await.err().map(|e| e.message)
    }

    /// The key of `rot` the next call to `endpoint` uses.
    fn pick_key(&self, endpoint: &str, rot: &KeyRotation, refused: &[usize]) -> Option<usize> {
        let draw = self.clock.random();
        let mut keys = self.keys.try_borrow_mut().ok()?;
        let at = match keys.iter().position(|(k, _)| k == endpoint) {
            Some(at) => at,
            None => {
                keys.push((endpoint.to_string(), KeyUse::default()));
                keys.len().saturating_sub(1)
            }
        };
        keys.get_mut(at)?.1.pick(rot, draw, refused)
    }

    /// Breakers run on wall time, which isolates sharing a store agree on.
    pub(super) fn admit(&self, endpoint: &str) -> Admit {
        let now = self.wall_ms();
        self.breakers.try_borrow_mut().map(|mut b| b.admit(endpoint, now)).unwrap_or(Admit::Call)
    }

    pub(super) fn record_outcome(&self, endpoint: &str, ok: bool) {
        let now = self.wall_ms();
        if let Ok(mut b) = self.breakers.try_borrow_mut() {
            b.record(endpoint, now, ok);
        }
    }

    /// One call to one tier, streamed or not, with what the consumer saw
    /// of it: in live mode a draft's text is shown as it arrives, and a
    /// streamed draft may be stopped early once a failure no later text can
    /// undo has shown.
    #[allow(clippy::too_many_arguments)]
    async fn call_tier<H: HttpClient>(
        &self,
        http: &H,
        env: &CallEnv<'_, C>,
        model: &ModelConfig,
        tier: usize,
        req: &ChatRequest,
        query: &str,
        is_final: bool,
        mode: Option<StreamMode>,
        mut resume: Option<&mut Resume>,
        emit: &mut dyn FnMut(Event),
    ) -> TierCall {
        let t0 = self.clock.now_ms();
        let mut shown_text = String::new();
        let mut shown_tools = false;
        let diverged = std::cell::Cell::new(false);
        // Drafts stream to the consumer only in live mode; the final tier always.
        let show = is_final || mode == Some(StreamMode::Live);
        let mut shown_any = false;
        let mut stopped_early: Option<String> = None;
        let mut checked_upto = 0usize;
        let outcome = match mode {
            None => call_once(http, env, model, req).await,
            Some(_) => {
                let mut on_delta = |d: &StreamDelta| {
                    if !show {
                        return;
                    }
                    let text = match (d, resume.as_deref_mut()) {
                        (StreamDelta::Text(t), Some(r)) => {
                            let shown = r.filter(t);
                            diverged.set(r.diverged);
                            if r.take_discard() {
                                shown_text.clear();
                                emit(Event::Escalated {
                                    from: model.name.clone(),
                                    to: model.name.clone(),
                                    reason: format!(
                                        "{}'s answer does not continue the draft text shown, so it is shown whole",
                                        model.name
                                    ),
                                    discard: true,
                                });
                            }
                            Some(shown)
                        }
                        (StreamDelta::Text(t), None) => Some(std::borrow::Cow::Borrowed(t.as_str())),
                        _ => None,
                    };
                    let ev = match text.as_deref() {
                        Some("") => None,
                        Some(t) => {
                            shown_text.push_str(t);
                            Some(Event::Chunk { text: t.to_string(), model: model.name.clone(), tier })
                        }
                        None => delta_event(d, model, tier).inspect(|_| shown_tools = true),
                    };
                    if let Some(ev) = ev {
                        shown_any = true;
                        emit(ev);
                    }
                };
                let mut stop_early = |text: &str| {
                    // A restart that contradicts the shown text is read no further.
                    if diverged.get() {
                        return true;
                    }
                    if is_final {
                        return false;
                    }
                    match early_rejection(query, text, &mut checked_upto, &self.config.quality) {
                        Some(why) => {
                            stopped_early = Some(why);
                            true
                        }
                        None => false,
                    }
                };
                call_streaming(http, env, model, req, &mut on_delta, &mut stop_early).await
            }
        };
        let latency_ms = (self.clock.now_ms() - t0).max(0.0);
        TierCall { outcome, latency_ms, shown_any, stopped_early, note: None, key_index: None, shown_text, shown_tools }
    }

    #[allow(clippy::too_many_arguments)]
    fn finish(
        &self,
        (tiers, top): (usize, Option<&ModelConfig>),
        model: &ModelConfig,
        completion: Completion,
        usage: Usage,
        tier: usize,
        (complexity, domain): (Complexity, Domain),
        attempts: Vec<Attempt>,
        latency_ms: f64,
        wants_json: bool,
    ) -> CascadeResult {
        let top = top.and_then(|m| m.price);
        let costs = summarise_cost(&attempts, &usage, top);
        let cascaded = attempts.iter().filter(|a| a.outcome != AttemptOutcome::Skipped).count() > 1;
        let draft_accepted = tier == 0 && tiers > 1;
        let reason = explain(&attempts, tier, tiers);
        let parsed = if wants_json { parse_json_answer(&completion.content) } else { None };
        CascadeResult {
            content: completion.content,
            model_used: model.name.clone(),
            provider: model.provider.clone(),
            total_cost: costs.total,
            cost_saved: costs.saved,
            savings_percentage: costs.percentage,
            draft_accepted,
            cascaded,
            complexity,
            domain,
            reason,
            usage: sum_usage(&attempts),
            latency_ms,
            finish_reason: completion.finish_reason,
            tool_calls: completion.tool_calls,
            thinking: completion.thinking,
            parsed,
            refusal: completion.refusal,
            raw_blocks: completion.raw_blocks,
            steps: 1,
            attempts,
        }
    }

    fn request_for(&self, model: &ModelConfig, messages: &[Message], opts: &CallOptions, draft: bool) -> ChatRequest {
        let max_tokens = opts.max_tokens.or(model.max_tokens);
        ChatRequest {
            messages: messages.to_vec(),
            // Under a budget every call is bounded, so that what is reserved
            // for it is what it can at most cost.
            max_tokens: max_tokens.or(self.config.budget.map(|_| BUDGET_MAX_TOKENS)),
            temperature: opts.temperature.or(model.temperature),
            tools: opts.tools.clone(),
            tool_choice: opts.tool_choice.clone(),
            response_format: opts.response_format.clone(),
            logprobs: draft,
        }
    }
}

/// A rejected draft kept for `cheapest-only`: its model, answer, usage,
/// tier and what the judge read of the query.
type Draft<'m> = (&'m ModelConfig, Completion, Usage, usize, (Complexity, Domain));

/// The output bound of a call under a budget when none is configured.
const BUDGET_MAX_TOKENS: u32 = 4096;

/// The most a call can use, in tokens: its output bound, and its input
/// counted generously (a token for every two bytes, which no tokenizer goes
/// below for real text, plus each message's framing).
pub(super) fn worst_case_tokens(req: &ChatRequest) -> u64 {
    let framing = 8u64;
    let mut input: u64 = 0;
    for m in &req.messages {
        let args: usize = m.tool_calls.iter().map(|t| t.arguments_raw.len().saturating_add(t.name.len())).sum();
        let bytes = m.content.len().saturating_add(args);
        input = input.saturating_add((bytes / 2) as u64).saturating_add(framing);
    }
    for t in &req.tools {
        let bytes = t.name.len().saturating_add(t.description.len()).saturating_add(t.parameters.to_string().len());
        input = input.saturating_add((bytes / 2) as u64).saturating_add(framing);
    }
    input.saturating_add(u64::from(req.max_tokens.unwrap_or(BUDGET_MAX_TOKENS)))
}

/// The most a call can cost: `worst_case_tokens`, all priced as output (the
/// dearer side); `None` when the model has no price.
fn worst_case_cost(model: &ModelConfig, req: &ChatRequest) -> Option<f64> {
    let price = model.price?;
    let output = u64::from(req.max_tokens.unwrap_or(BUDGET_MAX_TOKENS));
    let input = worst_case_tokens(req).saturating_sub(output);
    Some(price.cost(&Usage { input_tokens: input, output_tokens: output, ..Default::default() }))
}

/// What a call tells the endpoint's breaker: `Some(true)` when the endpoint
/// answered (a rejected draft or a request refused as malformed included),
/// `None` for the caller's abort, which says nothing about it.
fn breaker_verdict(outcome: &Result<Completion, CascadeError>) -> Option<bool> {
    match outcome {
        Ok(_) => Some(true),
        Err(e) => match e.failure_class() {
            crate::error::FailureClass::Aborted => None,
            class => Some(class.endpoint_answered()),
        },
    }
}

/// A breaker watches one endpoint: the same model behind another base URL
/// (another region, a gateway) fails on its own.
pub(super) fn breaker_key(model: &ModelConfig) -> String {
    [model.provider.as_str(), model.name.as_str(), model.base_url.as_str()].join("\u{0}")
}

/// One tier's call as `call_tier` made it.
struct TierCall {
    outcome: Result<Completion, CascadeError>,
    latency_ms: f64,
    /// Some of its text reached the consumer (live mode, or the final tier).
    shown_any: bool,
    /// Why a streamed draft was stopped before its end, if it was.
    stopped_early: Option<String>,
    /// What went wrong around the call (a budget store that did not settle).
    note: Option<String>,
    /// Which of the model's rotating keys it used.
    key_index: Option<usize>,
    /// The text of it the consumer saw, and whether a tool call was shown too.
    shown_text: String,
    shown_tools: bool,
}

/// `model` with the rotating key `index` as its key, for one call.
fn with_key(model: &ModelConfig, index: Option<usize>) -> std::borrow::Cow<'_, ModelConfig> {
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

fn join_notes(a: Option<String>, b: Option<String>) -> Option<String> {
    match (a, b) {
        (Some(a), Some(b)) => Some(format!("{a}; {b}")),
        (a, b) => a.or(b),
    }
}

/// A call the rate windows turned away (`fallback`, or `wait` that waited
/// long enough): it fails like a 429 would, without being sent.
fn rate_refused(e: CascadeError) -> (TierCall, Step) {
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

fn noted(reason: &mut String, note: Option<&str>) {
    if let Some(n) = note {
        reason.push_str("; ");
        reason.push_str(n);
    }
}

/// How much new text must arrive before a streamed draft is judged again.
const EARLY_STEP: usize = 160;

/// Checks whose failure no later text can undo: a wrong equation stays wrong,
/// a loop stays a loop. Only these may cut a streamed draft short.
const FINAL_FAILURES: &[&str] = &["arithmetic", "repetition"];

/// Judge a streamed draft as early as its text allows: at each completed
/// line, once enough new text has come, look for a failure that settles it.
/// Returns why, if the draft is already certain to be rejected.
fn early_rejection(
    query: &str,
    text: &str,
    checked_upto: &mut usize,
    cfg: &crate::quality::QualityConfig,
) -> Option<String> {
    if text.len() < checked_upto.saturating_add(EARLY_STEP) {
        return None;
    }
    // Only whole lines: the last equation may still be arriving.
    let cut = text.rfind('\n')?;
    if cut < checked_upto.saturating_add(EARLY_STEP) {
        return None;
    }
    *checked_upto = cut;
    let prefix = text.get(..cut)?;
    let v = quality::judge(&JudgeInput::text(query, prefix), cfg, None);
    v.checks.iter().find(|c| c.veto && FINAL_FAILURES.contains(&c.name)).map(|c| c.detail.clone())
}
