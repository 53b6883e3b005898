//! The tool loop: when an answer asks for tools and the caller gave an
//! executor, run the calls, hand the results back, and cascade again, up to
//! `maxSteps` runs. Every step is a full cascade (drafted, judged, priced),
//! so a tool-using conversation saves the same way a single question does.

use crate::clock::Clock;
use crate::error::{CascadeError, ErrorCode};
use crate::http::HttpClient;
use crate::types::{Message, Role, ToolCall};

use super::engine::{Engine, RunError};
use super::events::{Event, StreamMode};
use super::result::{Attempt, CascadeResult, UsageSummary};
use crate::config::CallOptions;

/// Runs the tools a model asks for. Implemented over a JS callback in
/// wasm, and by plain closures in tests: the engine never knows which.
#[allow(async_fn_in_trait)]
pub trait ToolExecutor {
    /// Run one call. `Ok` is the text the model reads back as the result;
    /// `Err` is why the tool failed, and ends the run with `E_TOOL`.
    async fn call(&self, call: &ToolCall) -> Result<String, String>;
}

/// Cascade runs per tool loop when the caller does not say.
pub const DEFAULT_MAX_STEPS: u32 = 5;

impl<C: Clock, S: crate::reliability::Store> Engine<C, S> {
    /// `run`, with a tool loop.
    pub async fn run_with_tools<H: HttpClient, T: ToolExecutor>(
        &self,
        http: &H,
        tools: &T,
        messages: Vec<Message>,
        opts: &CallOptions,
    ) -> Result<CascadeResult, RunError> {
        self.tool_loop(http, tools, messages, opts, None, &mut |_| {}).await
    }

    /// `stream`, with a tool loop: each step emits its own events, and a
    /// `toolResult` event follows every executed call.
    pub async fn stream_with_tools<H: HttpClient, T: ToolExecutor>(
        &self,
        http: &H,
        tools: &T,
        messages: Vec<Message>,
        opts: &CallOptions,
        mode: StreamMode,
        emit: &mut dyn FnMut(Event),
    ) -> Result<CascadeResult, RunError> {
        self.tool_loop(http, tools, messages, opts, Some(mode), emit).await
    }

    async fn tool_loop<H: HttpClient, T: ToolExecutor>(
        &self,
        http: &H,
        tools: &T,
        messages: Vec<Message>,
        opts: &CallOptions,
        mode: Option<StreamMode>,
        emit: &mut dyn FnMut(Event),
    ) -> Result<CascadeResult, RunError> {
        let max_steps = opts.max_steps.or(self.config.defaults.max_steps).unwrap_or(DEFAULT_MAX_STEPS).max(1) as usize;
        let started = self.clock.now_ms();
        let mut conversation = messages;
        let mut done: Vec<CascadeResult> = Vec::new();
        let last = loop {
            let step = done.len().saturating_add(1);
            let out = self.execute(http, conversation.clone(), opts, mode, emit).await;
            // Each step is a cascade of its own in the analytics.
            self.record(&out);
            let mut result = match out {
                Ok(r) => r,
                Err(mut e) => {
                    mark(&mut e.attempts, step);
                    return Err(RunError { error: e.error, attempts: earlier_attempts(&done, e.attempts) });
                }
            };
            mark(&mut result.attempts, step);
            // The last allowed step hands its calls back unexecuted: there
            // would be no next step to read their results.
            if result.tool_calls.is_empty() || step >= max_steps {
                break result;
            }
            let mut turn = Message::new(Role::Assistant, result.content.clone());
            turn.tool_calls = result.tool_calls.clone();
            conversation.push(turn);
            for call in &result.tool_calls {
                let content = match tools.call(call).await {
                    Ok(text) => text,
                    Err(why) => {
                        let error = CascadeError::new(
                            ErrorCode::Tool,
                            format!("tool {:?} (call {}) failed in step {step}: {why}", call.name, call.id),
                        );
                        let attempts = earlier_attempts(&done, result.attempts);
                        return Err(RunError { error, attempts });
                    }
                };
                if mode.is_some() {
                    emit(Event::ToolResult {
                        step,
                        id: call.id.clone(),
                        name: call.name.clone(),
                        content: content.clone(),
                    });
                }
                let mut reply = Message::new(Role::Tool, content);
                reply.tool_call_id = Some(call.id.clone());
                conversation.push(reply);
            }
            done.push(result);
        };
        let latency_ms = (self.clock.now_ms() - started).max(0.0);
        Ok(combine(done, last, latency_ms))
    }
}

fn mark(attempts: &mut [Attempt], step: usize) {
    for a in attempts {
        a.step = Some(step);
    }
}

fn earlier_attempts(done: &[CascadeResult], current: Vec<Attempt>) -> Vec<Attempt> {
    done.iter().flat_map(|r| r.attempts.iter().cloned()).chain(current).collect()
}

/// One result for the whole loop: the last step's answer, every step's
/// attempts, and costs, savings and usage summed over the steps.
fn combine(steps: Vec<CascadeResult>, mut last: CascadeResult, latency_ms: f64) -> CascadeResult {
    if steps.is_empty() {
        last.latency_ms = latency_ms;
        return last;
    }
    let n = steps.len().saturating_add(1);
    let tool_calls_run: usize = steps.iter().map(|s| s.tool_calls.len()).sum();
    let all: Vec<&CascadeResult> = steps.iter().chain(std::iter::once(&last)).collect();
    let total = sum_options(all.iter().map(|s| s.total_cost));
    let saved = sum_options(all.iter().map(|s| s.cost_saved));
    let percentage = match (total, saved) {
        (Some(t), Some(s)) if t + s > 0.0 => Some(((s / (t + s) * 100.0) * 100.0).round() / 100.0),
        _ => None,
    };
    let mut usage = UsageSummary { input_tokens: 0, output_tokens: 0, estimated: false };
    for s in &all {
        usage.input_tokens = usage.input_tokens.saturating_add(s.usage.input_tokens);
        usage.output_tokens = usage.output_tokens.saturating_add(s.usage.output_tokens);
        usage.estimated |= s.usage.estimated;
    }
    let cascaded = all.iter().any(|s| s.cascaded);
    let attempts: Vec<Attempt> = all.iter().flat_map(|s| s.attempts.iter().cloned()).collect();
    last.reason = format!("{n} steps, {tool_calls_run} tool calls run; last step: {}", last.reason);
    last.total_cost = total.map(round_usd);
    last.cost_saved = saved.map(round_usd);
    last.savings_percentage = percentage;
    last.usage = usage;
    last.cascaded = cascaded;
    last.attempts = attempts;
    last.steps = n;
    last.latency_ms = latency_ms;
    last
}

/// `None` as soon as one is unknown: a partly known cost is not a cost.
fn sum_options(values: impl Iterator<Item = Option<f64>>) -> Option<f64> {
    values.sum::<Option<f64>>()
}

fn round_usd(v: f64) -> f64 {
    (v * 1e10).round() / 1e10
}
