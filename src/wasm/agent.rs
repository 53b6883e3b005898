//! The exported API the TypeScript wrapper builds on. Kept thin: parse the
//! JSON, hand over to the engine, serialise the answer.

use std::rc::Rc;

use js_sys::Function;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::cascade::{CascadeResult, Engine, Event, RunError, StreamMode};
use crate::config::{self, CallOptions};
use crate::error::CascadeError;
use crate::json_in::Json;
use crate::json_out::{JsonOut, ToJson};
use crate::quality::{self, JudgeInput};
use crate::types::{FinishReason, Message, ResponseFormat, ToolCall};
use crate::value::Value;

use super::clock::JsClock;
use super::driver::spawn;
use super::fetch::{FetchClient, Transport};
use super::js_error;
use super::store::AgentStore;
use super::tools::JsTools;

fn parse_json(text: &str, what: &str) -> Result<Value, JsValue> {
    crate::value::from_str(text)
        .map_err(|e| js_error::error(&CascadeError::config(format!("{what}: not valid JSON ({e})"))))
}

#[wasm_bindgen]
pub struct WasmAgent {
    engine: Rc<Engine<JsClock, AgentStore>>,
    transport: Rc<Transport>,
    custom: Rc<JsValue>,
}

#[wasm_bindgen]
impl WasmAgent {
    /// `config_json`: `{models, quality, keepOrder, defaults}`; `fetch`: the
    /// function to send with; `custom`: adapters of JS providers by name;
    /// `store`: the bridge to a shared store (`src/wasm/store.rs`), or undefined.
    #[wasm_bindgen(constructor)]
    pub fn new(config_json: &str, transport: JsValue, custom: JsValue, store: JsValue) -> Result<WasmAgent, JsValue> {
        let value = parse_json(config_json, "config")?;
        let cfg = config::parse_agent(&value).map_err(|e| js_error::error(&e))?;
        let names: Vec<String> = match custom.dyn_ref::<js_sys::Object>() {
            Some(o) => js_sys::Object::keys(o).iter().filter_map(|k| k.as_string()).collect(),
            None => Vec::new(),
        };
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        cfg.check_providers(&names).map_err(|e| js_error::error(&e))?;
        let transport = Transport::from_js(&transport, &cfg.limits, &cfg.timeouts).map_err(|e| js_error::error(&e))?;
        let store = match store.dyn_into::<Function>() {
            Ok(f) => AgentStore::Js(f),
            Err(_) => AgentStore::Memory(Default::default()),
        };
        Ok(WasmAgent {
            engine: Rc::new(Engine::with_store(cfg, JsClock, store)),
            transport: Rc::new(transport),
            custom: Rc::new(custom),
        })
    }

    /// The resolved tiers, cheapest first, without keys: for display and checks.
    pub fn models(&self) -> String {
        let models = &self.engine.config.models;
        let tiers = config::tier_numbers(models);
        let mut o = JsonOut::with_capacity(256);
        o.begin_array();
        for (m, tier) in models.iter().zip(tiers) {
            // Keys in sorted order, as this list was written before.
            o.begin_object();
            o.str_field("baseUrl", &m.display_base_url());
            o.key("contextWindow");
            match m.context_window {
                Some(w) => o.u64(u64::from(w)),
                None => o.null(),
            }
            o.bool_field("hasApiKey", m.api_key.is_some());
            o.key("inputCostPer1M");
            opt_float(&mut o, m.price.map(|p| p.input_per_m));
            o.str_field("name", &m.name);
            o.key("outputCostPer1M");
            opt_float(&mut o, m.price.map(|p| p.output_per_m));
            o.str_field("provider", &m.provider);
            o.bool_field("rateLimited", m.rate_limit.is_some());
            // How many keys rotate, never which.
            o.u64_field("rotatingKeys", m.key_rotation.as_ref().map_or(0, |r| r.keys.len() as u64));
            o.u64_field("tier", tier as u64);
            o.end_object();
        }
        o.end_array();
        o.finish()
    }

    pub fn analytics(&self) -> String {
        self.engine.analytics().to_json()
    }

    /// A task ending with the budget's state as JSON (`null` with no
    /// budget), overall or for `user`: a shared store is read asynchronously.
    pub fn budget(&self, user: Option<String>) -> u32 {
        let engine = self.engine.clone();
        spawn(async move {
            match engine.budget_status(user.as_deref()).await {
                Ok(Some(s)) => Ok(JsValue::from_str(&s.to_json())),
                Ok(None) => Ok(JsValue::from_str("null")),
                Err(e) => Err(js_error::error(&e)),
            }
        })
    }

    /// Start the next due health probe as a task cut off by `signal` (the
    /// probe's `timeoutMs`); `u32::MAX` when no probe is due.
    #[wasm_bindgen(js_name = healthTick)]
    pub fn health_tick(&self, signal: JsValue) -> u32 {
        let Some(index) = self.engine.next_health_probe() else { return u32::MAX };
        let engine = self.engine.clone();
        let http = FetchClient { transport: self.transport.clone(), signal, custom: self.custom.clone() };
        spawn(async move {
            engine.health_probe(&http, index).await;
            Ok(JsValue::from_str("null"))
        })
    }

    /// Add this agent's unsent analytics to the shared store, as a task;
    /// `u32::MAX` when there is nothing to send (or no shared store).
    #[wasm_bindgen(js_name = analyticsFlush)]
    pub fn analytics_flush(&self) -> u32 {
        let Some(sums) = self.engine.analytics_to_flush() else { return u32::MAX };
        let engine = self.engine.clone();
        spawn(async move {
            engine.flush_analytics(sums).await;
            Ok(JsValue::from_str("null"))
        })
    }

    /// A task ending with every agent's totals on the shared store, as JSON
    /// (`null` without a shared store).
    #[wasm_bindgen(js_name = sharedAnalytics)]
    pub fn shared_analytics(&self) -> u32 {
        let engine = self.engine.clone();
        spawn(async move {
            match engine.shared_analytics().await {
                Ok(Some(a)) => Ok(JsValue::from_str(&a.to_json())),
                Ok(None) => Ok(JsValue::from_str("null")),
                Err(e) => Err(js_error::error(&e)),
            }
        })
    }

    /// What the health probes last found, as a JSON array.
    pub fn health(&self) -> String {
        let mut o = crate::json_out::JsonOut::with_capacity(256);
        o.each(&self.engine.health_report());
        o.finish()
    }

    #[wasm_bindgen(js_name = resetAnalytics)]
    pub fn reset_analytics(&self) {
        self.engine.reset_analytics();
    }

    /// A task number (see `driver.rs`); the task ends with the result as a tape
    /// (src/tape_out.rs), or throws an error as JSON text.
    /// `tools`: the wrapper's `(callJson) => Promise<string>` around the
    /// user's `onToolCall`, or undefined for no tool loop.
    pub fn run(&self, messages_json: &str, options_json: &str, signal: JsValue, tools: JsValue) -> u32 {
        let Begin { prepared, engine, http, tools } = self.begin(messages_json, options_json, signal, tools);
        spawn(async move {
            let (messages, opts) = prepared?;
            let out = match &tools {
                Some(t) => engine.run_with_tools(&http, t, messages, &opts).await,
                None => engine.run(&http, messages, &opts).await,
            };
            finish(out, crate::tape_out::to_tape)
        })
    }

    /// Like `run`, calling `on_chunk(text, model, tier)` for each piece of
    /// answer text and `on_event(json)` for every other typed event. Chunks
    /// are most of a stream's events, and three plain arguments cost a
    /// fraction of a JSON text parsed in JS for each.
    #[allow(clippy::too_many_arguments)]
    pub fn stream(
        &self,
        messages_json: &str,
        options_json: &str,
        live: bool,
        on_event: Function,
        on_chunk: Function,
        signal: JsValue,
        tools: JsValue,
    ) -> u32 {
        let Begin { prepared, engine, http, tools } = self.begin(messages_json, options_json, signal, tools);
        spawn(async move {
            let (messages, opts) = prepared?;
            let mode = if live { StreamMode::Live } else { StreamMode::Buffered };
            let mut events = JsEvents { on_event, on_chunk, model: (String::new(), JsValue::UNDEFINED) };
            let mut emit = |ev: Event| events.emit(&ev);
            let out = match &tools {
                Some(t) => engine.stream_with_tools(&http, t, messages, &opts, mode, &mut emit).await,
                None => engine.stream(&http, messages, &opts, mode, &mut emit).await,
            };
            finish(out, ToJson::to_json)
        })
    }
}

/// Where a stream's events go: text chunks to `on_chunk(text, model, tier)`,
/// the rest as JSON to `on_event`.
struct JsEvents {
    on_event: Function,
    on_chunk: Function,
    /// The last chunk's model and its name as a JS string, made once per
    /// tier rather than for every chunk.
    model: (String, JsValue),
}

impl JsEvents {
    fn emit(&mut self, ev: &Event) {
        let _ = match ev {
            Event::Chunk { text, model, tier } => {
                if self.model.0 != *model {
                    self.model = (model.clone(), JsValue::from_str(model));
                }
                let tier = JsValue::from(*tier as u32);
                self.on_chunk.call3(&JsValue::UNDEFINED, &JsValue::from_str(text), &self.model.1, &tier)
            }
            _ => self.on_event.call1(&JsValue::UNDEFINED, &JsValue::from_str(&ev.to_json())),
        };
    }
}

/// What a run's task takes with it. A bad query or options is kept as
/// the error the task ends with, so `run` and `stream` always return a task.
struct Begin {
    prepared: Result<(Vec<Message>, CallOptions), JsValue>,
    engine: Rc<Engine<JsClock, AgentStore>>,
    http: FetchClient,
    tools: Option<JsTools>,
}

impl WasmAgent {
    fn begin(&self, messages_json: &str, options_json: &str, signal: JsValue, tools: JsValue) -> Begin {
        Begin {
            prepared: self.prepare(messages_json, options_json),
            engine: self.engine.clone(),
            http: FetchClient { transport: self.transport.clone(), signal, custom: self.custom.clone() },
            tools: tools.dyn_into::<Function>().ok().map(|run| JsTools { run }),
        }
    }

    fn prepare(&self, messages_json: &str, options_json: &str) -> Result<(Vec<Message>, CallOptions), JsValue> {
        let messages = parse_messages(messages_json).map_err(|e| js_error::error(&e))?;
        // Most runs pass no options; the wrapper sends exactly "{}" then.
        if options_json == "{}" {
            return Ok((messages, CallOptions::default()));
        }
        let opts_v = parse_json(options_json, "options")?;
        let opts = config::parse_call_options(&opts_v, "options").map_err(|e| js_error::error(&e))?;
        Ok((messages, opts))
    }
}

/// `encode` is the result's tape for `run` (read by js/src/tape.ts) and its
/// JSON for `stream`, where it is one event among many.
fn finish(out: Result<CascadeResult, RunError>, encode: fn(&CascadeResult) -> String) -> Result<JsValue, JsValue> {
    match out {
        Ok(r) => Ok(JsValue::from_str(&encode(&r))),
        Err(e) => Err(js_error::run_error(&e)),
    }
}

/// A query string (JSON-quoted) or an array of `{role, content}` messages.
fn parse_messages(text: &str) -> Result<Vec<Message>, CascadeError> {
    // A plain query, the common case, goes through the reader that parses
    // the provider's answer later in the run: no `Value` tree, and no
    // second JSON parser's code to bring into the cache.
    if text.starts_with('"') {
        if let Ok(Json::String(s)) = Json::parse_str(text) {
            return Ok(vec![Message::user(s.into_owned())]);
        }
    }
    let v = crate::value::from_str(text).map_err(|e| CascadeError::config(format!("query: not valid JSON ({e})")))?;
    match v {
        Value::String(s) => Ok(vec![Message::user(s)]),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, m)| {
                Message::from_value(m).map_err(|e| {
                    CascadeError::config(format!(
                        "messages[{i}]: expected {{role: 'system'|'user'|'assistant'|'tool', content: string}} ({e})"
                    ))
                })
            })
            .collect(),
        other => Err(CascadeError::config(format!(
            "query: expected a string or an array of messages, got {}",
            config::kind_of(&other)
        ))),
    }
}

/// The engine's judge, standalone and offline. `options_json`:
/// `{quality, qualityThreshold, finishReason, logprobs, toolCalls, tools, responseFormat}`.
#[wasm_bindgen(js_name = scoreDraft)]
pub fn score_draft(query: &str, draft: &str, options_json: &str) -> Result<String, JsValue> {
    // Read with the logprobs capped as they are parsed: see quality::read_draft_options.
    let quality::DraftOptions { rest: o, logprobs } = quality::read_draft_options(options_json)
        .map_err(|e| js_error::error(&CascadeError::config(format!("options: not valid JSON ({e})"))))?;
    let cfg = match o.get("quality") {
        Some(q) if !q.is_null() => {
            quality::QualityConfig::parse(q, "options.quality").map_err(|e| js_error::error(&e))?
        }
        _ => quality::QualityConfig::default(),
    };
    let threshold = o.get("qualityThreshold").and_then(|v| v.as_f64());
    let finish_reason = o.get("finishReason").and_then(|v| FinishReason::from_value(v).ok()).unwrap_or_default();
    let tool_calls: Vec<ToolCall> = o
        .get("toolCalls")
        .and_then(|v| v.as_array())
        .map(|a| {
            a.iter()
                .enumerate()
                .filter_map(|(i, t)| {
                    let name = t.get("name")?.as_str()?;
                    let raw = match t.get("arguments") {
                        Some(Value::String(s)) => s.clone(),
                        Some(v) => v.to_string(),
                        None => "{}".into(),
                    };
                    Some(ToolCall::new(format!("call_{i}"), name, raw))
                })
                .collect()
        })
        .unwrap_or_default();
    let tools = match o.get("tools") {
        Some(t) if !t.is_null() => config::parse_tools(t, "options.tools").map_err(|e| js_error::error(&e))?,
        _ => Vec::new(),
    };
    let response_format: Option<ResponseFormat> =
        o.get("responseFormat").and_then(|v| ResponseFormat::from_value(v).ok());
    let turn = quality::Turn { has_tool_results: o.get("hasToolResults").and_then(|v| v.as_bool()).unwrap_or(false) };
    let verdict = quality::judge_turn(
        &JudgeInput {
            query,
            answer: draft,
            finish_reason,
            logprobs: logprobs.as_deref(),
            tool_calls: &tool_calls,
            tools: &tools,
            response_format: response_format.as_ref(),
        },
        turn,
        &cfg,
        threshold,
    );
    Ok(verdict.to_json())
}

/// The judge as a router on labelled records (no network): CPT, APGR and
/// what its own decision reaches and costs. `records_json`: an array of
/// `{query, draft, verifier?, draft_correct, verifier_correct}`;
/// `options_json`: `{quality, prices, tokens, curve}`.
#[wasm_bindgen(js_name = evaluateCascade)]
pub fn evaluate_cascade(records_json: &str, options_json: &str) -> Result<String, JsValue> {
    on_records(records_json, options_json, quality::calibrate::evaluate_json)
}

/// Thresholds reaching a share of verifier-only quality with the fewest
/// escalations. `options_json`: `{targetQuality, minPerComplexity, prices, tokens}`.
#[wasm_bindgen(js_name = calibrate)]
pub fn calibrate(records_json: &str, options_json: &str) -> Result<String, JsValue> {
    on_records(records_json, options_json, quality::calibrate::calibrate_json)
}

/// Parse labelled records and options, run `f` over them, answer as JSON.
fn on_records<T: ToJson>(
    records_json: &str,
    options_json: &str,
    f: fn(&Value, &Value) -> Result<T, CascadeError>,
) -> Result<String, JsValue> {
    let records = parse_json(records_json, "records")?;
    let options = parse_json(options_json, "options")?;
    let out = f(&records, &options).map_err(|e| js_error::error(&e))?;
    Ok(out.to_json())
}

/// A float as it was written before (`5.0`, not `5`), or `null`.
fn opt_float(o: &mut JsonOut, v: Option<f64>) {
    match v {
        Some(x) => o.float(x),
        None => o.null(),
    }
}

/// The built-in provider table, for the wrapper's key lookup and docs.
#[wasm_bindgen(js_name = providerTable)]
pub fn provider_table() -> String {
    use crate::providers::{Auth, WireFormat};
    let mut o = JsonOut::with_capacity(2048);
    o.begin_array();
    for p in crate::providers::PROVIDERS {
        let wire = match p.wire {
            WireFormat::OpenAi => "openai",
            WireFormat::Anthropic => "anthropic",
            WireFormat::Ollama => "ollama",
            WireFormat::Custom => "custom",
        };
        let auth = match p.auth {
            Auth::Bearer => "bearer",
            Auth::XApiKey => "x-api-key",
        };
        // Keys in sorted order, as this table was written before.
        o.begin_object();
        o.str_field("auth", auth);
        o.key("baseUrlEnvVar");
        o.opt_str(p.base_url_env_var);
        o.key("defaultBaseUrl");
        o.opt_str(p.default_base_url);
        o.key("envVar");
        o.opt_str(p.env_var);
        o.str_field("id", p.id);
        o.str_field("wire", wire);
        o.end_object();
    }
    o.end_array();
    o.finish()
}

/// One connection check for a model config (JSON), sent with `fetch`.
/// `options_json`: `{browser?, checkModel?}`. A task that ends with the
/// probe result as JSON, also when the key is refused; it throws (error
/// JSON) only for a bad config or the caller's abort.
#[wasm_bindgen(js_name = testConnection)]
pub fn test_connection(model_json: &str, options_json: &str, transport: JsValue, signal: JsValue) -> u32 {
    let parsed = parse_json(model_json, "model").and_then(|v| {
        let opts = parse_json(options_json, "options")?;
        let mut model = config::parse_model(&v, "model").map_err(|e| js_error::error(&e))?;
        model.browser = opts.get("browser").and_then(|b| b.as_bool()).unwrap_or(false);
        let check = opts.get("checkModel").and_then(|b| b.as_bool()).unwrap_or(true);
        Ok((model, check))
    });
    let transport = Transport::from_js(&transport, &config::Limits::default(), &config::Timeouts::default())
        .map_err(|e| js_error::error(&e));
    spawn(async move {
        let (model, check) = parsed?;
        let http = FetchClient { transport: Rc::new(transport?), signal, custom: Rc::new(JsValue::UNDEFINED) };
        let out = crate::cascade::test_connection(&http, &JsClock, &model, check).await;
        match out {
            Ok(r) => Ok(JsValue::from_str(&r.to_json())),
            Err(e) => Err(js_error::error(&e)),
        }
    })
}

/// Traps the instance on purpose, so that the wrapper's recovery from a
/// panic (drop the instance, start a new one, report `E_INTERNAL` once) is
/// tested for real. Never called by the package itself.
#[wasm_bindgen(js_name = __panicForTests)]
#[allow(clippy::panic)] // the one deliberate panic: its purpose is to trap
pub fn panic_for_tests() {
    panic!("cascade-edge: deliberate panic for the recovery test");
}

/// The instance's linear memory in bytes: lets the tests check that an
/// oversized response never reaches wasm memory.
#[wasm_bindgen(js_name = __memoryBytes)]
pub fn memory_bytes() -> f64 {
    core::arch::wasm32::memory_size(0) as f64 * 65536.0
}
