//! The tier loop: draft, judge, accept or escalate, and account for it all.

use std::cell::RefCell;

use serde::Serialize;

use crate::clock::Clock;
use crate::config::{AgentConfig, CallOptions, ModelConfig};
use crate::error::{CascadeError, ErrorCode};
use crate::http::HttpClient;
use crate::pricing::estimate_tokens;
use crate::quality::{self, JudgeInput, Verdict};
use crate::types::{ChatRequest, Completion, Message, ResponseFormat, Role, StreamDelta, Usage};

use super::analytics::Analytics;
use super::call::{call_once, call_streaming};
use super::events::{Event, StreamMode};
use super::result::{sum_usage, summarise_cost, Attempt, AttemptError, AttemptOutcome, CascadeResult};

/// Holds what lives as long as an agent. The HTTP client is per run, so a
/// run's abort signal and custom providers travel with it.
pub struct Engine<C> {
    pub config: AgentConfig,
    clock: C,
    analytics: RefCell<Analytics>,
}

/// A failed run: the error, and the trace of what was tried before it.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RunError {
    #[serde(flatten)]
    pub error: CascadeError,
    pub attempts: Vec<Attempt>,
}

impl From<CascadeError> for RunError {
    fn from(error: CascadeError) -> Self {
        RunError { error, attempts: Vec::new() }
    }
}

impl<C: Clock> Engine<C> {
    pub fn new(config: AgentConfig, clock: C) -> Self {
        Engine { config, clock, analytics: RefCell::new(Analytics::default()) }
    }

    pub fn analytics(&self) -> Analytics {
        self.analytics.borrow().clone()
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

    fn record(&self, out: &Result<CascadeResult, RunError>) {
        // Never panics: a run in progress elsewhere only ever borrows briefly.
        if let Ok(mut a) = self.analytics.try_borrow_mut() {
            match out {
                Ok(r) => a.record(r, self.config.models.len() > 1),
                Err(_) => a.record_failure(),
            }
        }
    }

    async fn execute<H: HttpClient>(
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
        let complexity = quality::complexity(&query);
        let domain = quality::detect_domain(&query);
        let route = self.config.route(domain);
        let models: &[ModelConfig] = match route {
            Some(r) if !r.models.is_empty() => &r.models,
            _ => &self.config.models,
        };
        // Pre-routing: a draft that could not be accepted is not worth paying for.
        let skip_reason = match (route, self.config.skip_drafter_from) {
            (Some(r), _) if r.require_verifier => Some(format!("domain {} requires the verifier", label(&domain))),
            (_, Some(from)) if complexity >= from => {
                Some(format!("{} query: pre-routed past the drafter", label(&complexity)))
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
        let last = models.len() - 1;
        let mut attempts: Vec<Attempt> = Vec::with_capacity(models.len());

        for (tier, model) in models.iter().enumerate() {
            let is_final = tier == last;
            if let (Some(why), false) = (&skip_reason, is_final) {
                attempts.push(skipped_attempt(tier, model, why));
                continue;
            }
            let req = self.request_for(model, &messages, &opts, !is_final);
            let t0 = self.clock.now_ms();
            // Drafts stream to the consumer only in live mode; the final tier always.
            let show = is_final || mode == Some(StreamMode::Live);
            let mut shown_any = false;
            let outcome = match mode {
                None => call_once(http, model, &req).await,
                Some(_) => {
                    let mut on_delta = |d: &StreamDelta| {
                        if show {
                            if let Some(ev) = delta_event(d, model, tier) {
                                shown_any = true;
                                emit(ev);
                            }
                        }
                    };
                    call_streaming(http, model, &req, &mut on_delta).await
                }
            };
            let latency_ms = (self.clock.now_ms() - t0).max(0.0);
            let completion = match outcome {
                Ok(c) => c,
                Err(e) => {
                    let class = e.failure_class();
                    attempts.push(failed_attempt(tier, model, latency_ms, &e));
                    if !class.escalates() || is_final {
                        let error =
                            if is_final && tier > 0 && class.escalates() { all_failed(&attempts, e) } else { e };
                        return Err(RunError { error, attempts });
                    }
                    if let Some(next) = models.get(tier + 1) {
                        if mode.is_some() {
                            emit(Event::Escalated {
                                from: model.name.clone(),
                                to: next.name.clone(),
                                reason: format!("{} failed: {}", model.name, e.code.as_str()),
                                discard: shown_any,
                            });
                        }
                    }
                    continue;
                }
            };
            let usage = usage_or_estimate(&completion, &req);
            let cost = model.price.map(|p| (p.cost(&usage) * 1e10).round() / 1e10);
            let verdict = quality::judge(
                &JudgeInput {
                    query: &query,
                    answer: &completion.content,
                    finish_reason: completion.finish_reason,
                    logprobs: completion.logprobs.as_deref(),
                    tool_calls: &completion.tool_calls,
                    tools: &req.tools,
                    response_format: req.response_format.as_ref(),
                },
                &self.config.quality,
                model.quality_threshold.or(domain_threshold),
            );
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
            let reason = if is_final && tier > 0 {
                "final tier: answer returned".to_string()
            } else if is_final {
                "single tier: answer returned".to_string()
            } else {
                verdict.reason.clone()
            };
            attempts.push(Attempt {
                tier,
                model: model.name.clone(),
                provider: model.provider.clone(),
                outcome: if accepted { AttemptOutcome::Accepted } else { AttemptOutcome::Rejected },
                cost,
                latency_ms,
                usage: Some(usage),
                verdict: Some(verdict.clone()),
                error: None,
                reason,
            });
            if accepted {
                if mode.is_some() && !show {
                    // Buffered draft, now judged good: release it whole.
                    release_buffered(&completion, model, tier, emit);
                }
                let total_latency = (self.clock.now_ms() - started).max(0.0);
                let wants_json = matches!(
                    opts.response_format,
                    Some(ResponseFormat::JsonObject | ResponseFormat::JsonSchema { .. })
                );
                return Ok(self.finish(models, completion, usage, tier, verdict, attempts, total_latency, wants_json));
            }
            if let Some(next) = models.get(tier + 1) {
                if mode.is_some() {
                    emit(Event::Escalated {
                        from: model.name.clone(),
                        to: next.name.clone(),
                        reason: verdict.reason.clone(),
                        discard: shown_any,
                    });
                }
            }
        }
        // Unreachable in practice: the final tier either returns or errors.
        Err(CascadeError::new(ErrorCode::AllModelsFailed, "no tier produced an answer").into())
    }

    #[allow(clippy::too_many_arguments)]
    fn finish(
        &self,
        models: &[ModelConfig],
        completion: Completion,
        usage: Usage,
        tier: usize,
        verdict: Verdict,
        attempts: Vec<Attempt>,
        latency_ms: f64,
        wants_json: bool,
    ) -> CascadeResult {
        let model = &models[tier.min(models.len() - 1)];
        let top = models.last().and_then(|m| m.price);
        let costs = summarise_cost(&attempts, &usage, top);
        let cascaded = attempts.iter().filter(|a| a.outcome != AttemptOutcome::Skipped).count() > 1;
        let draft_accepted = tier == 0 && models.len() > 1;
        let reason = explain(&attempts, tier, models.len());
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
            complexity: verdict.complexity,
            domain: verdict.domain,
            reason,
            usage: sum_usage(&attempts),
            latency_ms,
            finish_reason: completion.finish_reason,
            tool_calls: completion.tool_calls,
            thinking: completion.thinking,
            parsed,
            attempts,
        }
    }

    fn request_for(&self, model: &ModelConfig, messages: &[Message], opts: &CallOptions, draft: bool) -> ChatRequest {
        ChatRequest {
            messages: messages.to_vec(),
            max_tokens: opts.max_tokens.or(model.max_tokens),
            temperature: opts.temperature.or(model.temperature),
            tools: opts.tools.clone(),
            tool_choice: opts.tool_choice.clone(),
            response_format: opts.response_format.clone(),
            logprobs: draft,
        }
    }
}

fn with_system_prompt(mut messages: Vec<Message>, system: Option<&str>) -> Vec<Message> {
    if let Some(s) = system.filter(|s| !s.trim().is_empty()) {
        if !messages.iter().any(|m| m.role == Role::System) {
            messages.insert(0, Message::system(s));
        }
    }
    messages
}

fn last_user_text(messages: &[Message]) -> String {
    messages.iter().rev().find(|m| m.role == Role::User).map(|m| m.content.clone()).unwrap_or_default()
}

fn usage_or_estimate(c: &Completion, req: &ChatRequest) -> Usage {
    // A report of zero tokens both ways is no report (aimock's Anthropic and
    // Ollama, some OpenAI-compatible servers): estimate it, as the stream
    // accumulator already does, rather than price the call at $0.
    if let Some(u) = c.usage.filter(|u| u.input_tokens > 0 || u.output_tokens > 0) {
        return u;
    }
    let input: u64 = req.messages.iter().map(|m| estimate_tokens(&m.content) + 4).sum();
    let output = estimate_tokens(&c.content)
        + c.tool_calls.iter().map(|t| estimate_tokens(&t.arguments_raw) + estimate_tokens(&t.name)).sum::<u64>();
    Usage { input_tokens: input, output_tokens: output, estimated: true, ..Default::default() }
}

fn delta_event(d: &StreamDelta, model: &ModelConfig, tier: usize) -> Option<Event> {
    match d {
        StreamDelta::Text(t) if !t.is_empty() => {
            Some(Event::Chunk { text: t.clone(), model: model.name.clone(), tier })
        }
        StreamDelta::ToolCall { index, id, name, arguments } => Some(Event::ToolCallDelta {
            index: *index,
            id: id.clone(),
            name: name.clone(),
            arguments: arguments.clone(),
            model: model.name.clone(),
        }),
        _ => None,
    }
}

fn release_buffered(c: &Completion, model: &ModelConfig, tier: usize, emit: &mut dyn FnMut(Event)) {
    if !c.content.is_empty() {
        emit(Event::Chunk { text: c.content.clone(), model: model.name.clone(), tier });
    }
    for (i, t) in c.tool_calls.iter().enumerate() {
        emit(Event::ToolCallDelta {
            index: i,
            id: Some(t.id.clone()),
            name: Some(t.name.clone()),
            arguments: t.arguments_raw.clone(),
            model: model.name.clone(),
        });
    }
}

fn skipped_attempt(tier: usize, model: &ModelConfig, why: &str) -> Attempt {
    Attempt {
        tier,
        model: model.name.clone(),
        provider: model.provider.clone(),
        outcome: AttemptOutcome::Skipped,
        cost: None,
        latency_ms: 0.0,
        usage: None,
        verdict: None,
        error: None,
        reason: format!("skipped: {why}"),
    }
}

fn label<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

fn failed_attempt(tier: usize, model: &ModelConfig, latency_ms: f64, e: &CascadeError) -> Attempt {
    Attempt {
        tier,
        model: model.name.clone(),
        provider: model.provider.clone(),
        outcome: AttemptOutcome::Failed,
        cost: None,
        latency_ms,
        usage: None,
        verdict: None,
        error: Some(AttemptError::from(e)),
        reason: format!("call failed: {}", e.message),
    }
}

fn all_failed(attempts: &[Attempt], last: CascadeError) -> CascadeError {
    let tried: Vec<String> = attempts
        .iter()
        .map(|a| match &a.error {
            Some(e) => format!("{} ({})", a.model, e.code),
            None => format!("{} (rejected)", a.model),
        })
        .collect();
    let mut e = CascadeError::new(
        ErrorCode::AllModelsFailed,
        format!("no model could answer; tried {}. Last error: {}", tried.join(", "), last.message),
    );
    e.status = last.status;
    e.provider = last.provider;
    e.model = last.model;
    e.retry_after_ms = last.retry_after_ms;
    e
}

/// One sentence for `result.reason`: who answered and why.
fn explain(attempts: &[Attempt], tier: usize, tiers: usize) -> String {
    let answered = attempts.last().map(|a| a.model.as_str()).unwrap_or("");
    if tiers == 1 {
        return format!("single model {answered} answered");
    }
    if tier == 0 {
        let why = attempts.first().map(|a| a.reason.as_str()).unwrap_or("");
        return format!("draft from {answered} accepted: {why}");
    }
    let steps: Vec<String> = attempts[..attempts.len().saturating_sub(1)]
        .iter()
        .map(|a| match a.outcome {
            AttemptOutcome::Failed => {
                format!("{} failed ({})", a.model, a.error.as_ref().map(|e| e.code).unwrap_or("error"))
            }
            AttemptOutcome::Skipped => format!("{} {}", a.model, a.reason),
            _ => format!("{} rejected ({})", a.model, a.reason),
        })
        .collect();
    let verb = if tier + 1 == tiers { "answered by" } else { "accepted from" };
    format!("{}; {verb} {answered}", steps.join("; "))
}

/// The answer as JSON, allowing the Markdown fence models like to add.
fn parse_json_answer(content: &str) -> Option<serde_json::Value> {
    let t = content.trim();
    let t = t.strip_prefix("```json").or_else(|| t.strip_prefix("```")).unwrap_or(t);
    let t = t.strip_suffix("```").unwrap_or(t).trim();
    if t.starts_with('{') || t.starts_with('[') {
        serde_json::from_str(t).ok()
    } else {
        None
    }
}
