//! The tier loop: draft, judge, accept or escalate, and account for it all.

use std::cell::RefCell;

use crate::json_out::{JsonOut, ToJson};

use crate::clock::Clock;
use crate::config::{AgentConfig, CallOptions, ModelConfig};
use crate::error::{CascadeError, ErrorCode};
use crate::http::HttpClient;
use crate::quality::{self, Complexity, Domain};
use crate::reliability::budget::{self, BudgetPolicy, BudgetStatus, Hold};
use crate::reliability::health::Health;
use crate::reliability::keys::{KeyRotation, KeyUse};
use crate::reliability::{self, Admit, Breakers, MemoryStore, Store};
use crate::types::{ChatRequest, Completion, Message, ResponseFormat, StreamDelta, Usage};

use super::analytics::Analytics;
use super::attempt::{noted, Called, Target, TierCall};
use super::call::{call_once, call_streaming, CallEnv};
use super::events::{Event, StreamMode};
use super::handoff::{hand_off, Carry, Failed, Position};
use super::judged::{early_rejection, judge_answer, Asked, Judged};
use super::prices::{self, PriceCache};
use super::result::{sum_usage, summarise_cost, Attempt, AttemptOutcome, CascadeResult};
use super::resume::Resume;
use super::shared_analytics::{self, Pending, SharedAnalytics, Sums};
use super::trace::{
    delta_event, explain, failed_attempt, last_user_text, parse_json_answer, release_buffered, skipped_attempt,
    usage_or_estimate, with_system_prompt,
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
    /// Analytics not yet added to a shared store.
    pending: Pending,
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
            pending: Pending::default(),
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
            let before = (!self.store.is_local()).then(|| Sums::of(&a));
            match out {
                Ok(r) => a.record(r, self.config.models.len() > 1),
                Err(e) => a.record_failed_run(&e.attempts),
            }
            if let Some(before) = before {
                self.pending.note(&before, &Sums::of(&a));
            }
        }
    }

    /// The analytics deltas to flush to a shared store now, if any are due.
    pub fn analytics_to_flush(&self) -> Option<Sums> {
        self.pending.take()
    }

    /// Add `sums` to the store's all-agent totals; kept for later if it fails.
    pub async fn flush_analytics(&self, sums: Sums) {
        let ok = self.store.settle(&shared_analytics::settlements(&sums), self.clock.now_ms()).await.is_ok();
        self.pending.done(sums, ok);
    }

    /// The totals of every agent on the shared store; `None` without one.
    pub async fn shared_analytics(&self) -> Result<Option<SharedAnalytics>, CascadeError> {
        if self.store.is_local() {
            return Ok(None);
        }
        let counters = self.store.read(&shared_analytics::keys(), self.clock.now_ms()).await?;
        SharedAnalytics::from_counters(&counters).map(Some)
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
            match self.endpoint_open(model, tier, &endpoint, next_model.is_some(), &mut attempts).await {
                Ok(true) => {}
                Ok(false) => continue,
                Err(error) => return Err(RunError { error, attempts }),
            }
            let req = self.request_for(model, &messages, &opts, !is_final);
            let target = Target { model, tier, is_final, endpoint: &endpoint, req: &req, user };
            let called =
                self.call_model(http, &call_env, &target, &query, mode, &mut resume, &mut attempts, emit).await;
            let (call, decision) = match called {
                Called::Done(call, decision) => (call, decision),
                Called::Ended(error) => return Err(RunError { error, attempts }),
                Called::OverBudget(e) => {
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
            let TierCall { outcome, latency_ms, shown_any, stopped_early, note, key_index, shown_text, shown_tools } =
                call;
            let outcome = super::resume::completed(resume.as_ref(), model, outcome);
            let completion = match outcome {
                Ok(c) => c,
                Err(e) => {
                    let mut a = failed_attempt(tier, model, latency_ms, &e);
                    a.key_index = key_index;
                    noted(&mut a.reason, note.as_deref());
                    attempts.push(a);
                    let failed = Failed { error: e, decision, shown_any, shown_text, shown_tools };
                    let at = Position { models, tier_of: &tier_of, index: i, tier, is_final };
                    let state = Carry { context_need: &mut context_need, resume: &mut resume };
                    if let Err(error) = hand_off(failed, &at, state, &attempts, mode, emit) {
                        return Err(RunError { error, attempts });
                    }
                    continue;
                }
            };
            let usage = usage_or_estimate(&completion, &req);
            let cost = model.price.map(|p| (p.cost(&usage) * 1e10).round() / 1e10);
            let asked = Asked {
                query: &query,
                facts: &facts,
                messages: &messages,
                req: &req,
                cfg: &self.config.quality,
                threshold: model.quality_threshold.or(domain_threshold),
            };
            let Judged { verdict, accepted, reason } =
                judge_answer(&asked, &completion, stopped_early.as_deref(), is_final, tier);
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
    pub(super) async fn reserve(
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
    pub(super) async fn settle(
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
    pub(super) fn pick_key(&self, endpoint: &str, rot: &KeyRotation, refused: &[usize]) -> Option<usize> {
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
    pub(super) async fn call_tier<H: HttpClient>(
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

/// A breaker watches one endpoint: the same model behind another base URL
/// (another region, a gateway) fails on its own.
pub(super) fn breaker_key(model: &ModelConfig) -> String {
    [model.provider.as_str(), model.name.as_str(), model.base_url.as_str()].join("\u{0}")
}
