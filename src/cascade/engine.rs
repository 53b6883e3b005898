//! The tier loop: draft, judge, accept or escalate, and account for it all.

use std::cell::RefCell;

use crate::json_out::{JsonOut, ToJson};

use crate::clock::Clock;
use crate::config::{AgentConfig, CallOptions, ModelConfig};
use crate::error::{CascadeError, ErrorCode};
use crate::http::HttpClient;
use crate::quality::{self, Complexity, Domain, JudgeInput, Turn};
use crate::reliability::budget::{BudgetPolicy, BudgetStatus, Ledger};
use crate::reliability::{self, Admit, Attempted, Breakers, Step};
use crate::types::{ChatRequest, Completion, Message, ResponseFormat, StreamDelta, Usage};

use super::analytics::Analytics;
use super::call::{call_once, call_streaming, CallEnv};
use super::events::{Event, StreamMode};
use super::prices::{self, PriceCache};
use super::result::{sum_usage, summarise_cost, Attempt, AttemptOutcome, CascadeResult};
use super::trace::{
    all_failed, delta_event, explain, failed_attempt, last_user_text, parse_json_answer, release_buffered,
    skipped_attempt, usage_or_estimate, with_system_prompt,
};

/// Holds what lives as long as an agent. The HTTP client is per run, so a
/// run's abort signal and custom providers travel with it.
pub struct Engine<C> {
    pub config: AgentConfig,
    pub(super) clock: C,
    analytics: RefCell<Analytics>,
    /// OpenRouter's catalogue, for tiers configured without a price.
    prices: RefCell<PriceCache>,
    /// Which endpoints are failing too often to be worth a call just now.
    breakers: RefCell<Breakers>,
    /// What has been spent and is held against the budget, if one is set.
    ledger: RefCell<Option<Ledger>>,
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
        let breaker = config.circuit_breaker;
        let ledger = config.budget.map(Ledger::new);
        Engine {
            config,
            clock,
            analytics: RefCell::new(Analytics::default()),
            prices: RefCell::new(PriceCache::default()),
            breakers: RefCell::new(Breakers::new(breaker)),
            ledger: RefCell::new(ledger),
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
    pub fn budget_status(&self, user: Option<&str>) -> Option<BudgetStatus> {
        let now = self.wall_ms();
        self.ledger.try_borrow_mut().ok()?.as_mut().map(|l| l.status(user, now))
    }

    /// Wall time for budget periods; a host without one counts from the clock's origin.
    fn wall_ms(&self) -> f64 {
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
            if let Admit::Skip { until } = self.admit(&endpoint) {
                let why = format!(
                    "skipped: its circuit breaker is open after repeated failures (for another {} ms)",
                    (until - self.clock.now_ms()).max(0.0).ceil()
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
            let (call, decision) = loop {
                let hold = match self.reserve(model, &req, user) {
                    Ok(hold) => hold,
                    Err(e) => {
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
                let call = self.call_tier(http, &call_env, model, tier, &req, &query, is_final, mode, emit).await;
                self.settle(hold, model, &req, &call.outcome);
                self.record_outcome(&endpoint, &call.outcome);
                let Err(e) = &call.outcome else { break (call, Step::MoveOn) };
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
                        a.reason = format!("{}; same model again in {} ms: {why}", a.reason, delay_ms.round());
                        attempts.push(a);
                        if let Err(stopped) = http.sleep(delay_ms).await {
                            return Err(RunError { error: stopped, attempts });
                        }
                        retries = retries.saturating_add(1);
                    }
                    decision => break (call, decision),
                }
            };
            let TierCall { outcome, latency_ms, shown_any, stopped_early } = call;
            let completion = match outcome {
                Ok(c) => c,
                Err(e) => {
                    attempts.push(failed_attempt(tier, model, latency_ms, &e));
                    let mut stop = decision == Step::Stop;
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
                    if mode.is_some() {
                        let same_tier = tier_of.get(i.saturating_add(1)) == Some(&tier);
                        emit(Event::Escalated {
                            from: model.name.clone(),
                            to: next.name.clone(),
                            reason: if same_tier {
                                format!("{} failed: {}; failing over within the tier", model.name, e.code.as_str())
                            } else {
                                format!("{} failed: {}", model.name, e.code.as_str())
                            },
                            discard: shown_any,
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
                reason: match (cost, priced.note(i)) {
                    (None, Some(note)) => format!("{reason}; {note}"),
                    _ => reason,
                },
                step: None,
                retry_in_ms: None,
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
                        discard: shown_any,
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
    fn reserve(&self, model: &ModelConfig, req: &ChatRequest, user: Option<&str>) -> Result<Option<u64>, CascadeError> {
        let now = self.wall_ms();
        let Ok(mut ledger) = self.ledger.try_borrow_mut() else { return Ok(None) };
        let Some(ledger) = ledger.as_mut() else { return Ok(None) };
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
        ledger.reserve(user, worst, now).map(Some)
    }

    /// Turn a call's hold into what it really cost, or free it if it failed.
    fn settle(
        &self,
        hold: Option<u64>,
        model: &ModelConfig,
        req: &ChatRequest,
        outcome: &Result<Completion, CascadeError>,
    ) {
        let Some(id) = hold else { return };
        let now = self.wall_ms();
        let Ok(mut ledger) = self.ledger.try_borrow_mut() else { return };
        let Some(ledger) = ledger.as_mut() else { return };
        match (outcome, model.price) {
            (Ok(c), Some(price)) => ledger.settle(id, price.cost(&usage_or_estimate(c, req)), now),
            // A failure the provider still bills (a filtered answer) is spent.
            (Err(e), Some(price)) => match e.billed() {
                Some(u) => ledger.settle(id, price.cost(u), now),
                None => ledger.release(id),
            },
            _ => ledger.release(id),
        }
    }

    fn admit(&self, endpoint: &str) -> Admit {
        let now = self.clock.now_ms();
        self.breakers.try_borrow_mut().map(|mut b| b.admit(endpoint, now)).unwrap_or(Admit::Call)
    }

    /// Tell the endpoint's breaker how a call went. An answer of any kind,
    /// a rejected draft or a request the provider refused as malformed
    /// included, shows the endpoint is up; the caller's abort says nothing.
    fn record_outcome(&self, endpoint: &str, outcome: &Result<Completion, CascadeError>) {
        let ok = match outcome {
            Ok(_) => true,
            Err(e) => match e.failure_class() {
                crate::error::FailureClass::Aborted => return,
                class => class.endpoint_answered(),
            },
        };
        let now = self.clock.now_ms();
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
        emit: &mut dyn FnMut(Event),
    ) -> TierCall {
        let t0 = self.clock.now_ms();
        // Drafts stream to the consumer only in live mode; the final tier always.
        let show = is_final || mode == Some(StreamMode::Live);
        let mut shown_any = false;
        let mut stopped_early: Option<String> = None;
        let mut checked_upto = 0usize;
        let outcome = match mode {
            None => call_once(http, env, model, req).await,
            Some(_) => {
                let mut on_delta = |d: &StreamDelta| {
                    if show {
                        if let Some(ev) = delta_event(d, model, tier) {
                            shown_any = true;
                            emit(ev);
                        }
                    }
                };
                let mut stop_early = |text: &str| {
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
        TierCall { outcome, latency_ms, shown_any, stopped_early }
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

/// The most a call can cost: its output bound at the output price, and its
/// input counted generously (a token for every two bytes, which no
/// tokenizer goes below for real text, plus each message's framing).
/// `None` when the model has no price.
fn worst_case_cost(model: &ModelConfig, req: &ChatRequest) -> Option<f64> {
    let price = model.price?;
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
    let output = u64::from(req.max_tokens.unwrap_or(BUDGET_MAX_TOKENS));
    Some(price.cost(&Usage { input_tokens: input, output_tokens: output, ..Default::default() }))
}

/// A breaker watches one endpoint: the same model behind another base URL
/// (another region, a gateway) fails on its own.
fn breaker_key(model: &ModelConfig) -> String {
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
