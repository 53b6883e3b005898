//! Calling providers written in JS through the adapter the wrapper builds:
//! `complete(json) -> Promise<json>` and `open(json) -> { next(): Promise<json|null> }`.

use js_sys::{Function, Reflect};
use wasm_bindgen::{JsCast, JsValue};

use crate::config::ModelConfig;
use crate::error::{CascadeError, ErrorCode, FailureClass};
use crate::providers::custom::{parse_completion, parse_delta, request_json};
use crate::types::{ChatRequest, Completion, StreamDelta};

use super::driver::js_await;
use super::fetch::classify_failure;
use super::js_error::{describe, name_of};

fn threw(model: &ModelConfig, e: &JsValue, signal: &JsValue) -> CascadeError {
    // The attempt's deadline or the caller's abort, not the provider's own failure.
    let stopped = Reflect::get(signal, &JsValue::from_str("aborted")).ok().and_then(|v| v.as_bool()).unwrap_or(false);
    if stopped || matches!(name_of(e).as_deref(), Some("TimeoutError" | "AbortError")) {
        return classify_failure(signal, e, describe(e), ErrorCode::CustomProvider);
    }
    CascadeError::new(
        ErrorCode::CustomProvider,
        format!("custom provider {:?} failed: {}", model.provider, describe(e)),
    )
    .with_class(FailureClass::Server)
}

fn method(obj: &JsValue, name: &str) -> Option<Function> {
    Reflect::get(obj, &JsValue::from_str(name)).ok().and_then(|f| f.dyn_into::<Function>().ok())
}

async fn await_value(
    model: &ModelConfig,
    v: Result<JsValue, JsValue>,
    signal: &JsValue,
) -> Result<JsValue, CascadeError> {
    let v = v.map_err(|e| threw(model, &e, signal))?;
    js_await(v).await.map_err(|e| threw(model, &e, signal))
}

/// `signal`: the run's; `attempt_ms`: the attempt deadline, which the
/// adapter (js/src/custom.ts) keeps even for a provider that never settles.
#[allow(clippy::too_many_arguments)]
pub async fn call(
    registry: &JsValue,
    signal: &JsValue,
    attempt_ms: f64,
    model: &ModelConfig,
    req: &ChatRequest,
    stream: bool,
    on_delta: &mut dyn FnMut(&StreamDelta),
) -> Result<Option<Completion>, CascadeError> {
    let adapter = Reflect::get(registry, &JsValue::from_str(&model.provider)).unwrap_or(JsValue::UNDEFINED);
    if adapter.is_undefined() || adapter.is_null() {
        return Err(crate::providers::unregistered(model));
    }
    let body = JsValue::from_str(&request_json(model, req, stream));
    let open = if stream { method(&adapter, "open") } else { None };
    let Some(open) = open else {
        let complete = method(&adapter, "complete").ok_or_else(|| {
            CascadeError::config(format!("custom provider {:?} has no complete() method", model.provider))
        })?;
        let out =
            await_value(model, complete.call3(&adapter, &body, signal, &JsValue::from_f64(attempt_ms)), signal).await?;
        let text = out.as_string().unwrap_or_default();
        let c = parse_completion(model, &text)?;
        if stream {
            for d in completion_as_deltas(&c) {
                on_delta(&d);
            }
        }
        return Ok(Some(c));
    };
    let iter =
        open.call3(&adapter, &body, signal, &JsValue::from_f64(attempt_ms)).map_err(|e| threw(model, &e, signal))?;
    let next = method(&iter, "next")
        .ok_or_else(|| threw(model, &JsValue::from_str("stream adapter has no next()"), signal))?;
    loop {
        let item = await_value(model, next.call0(&iter), signal).await?;
        let Some(text) = item.as_string() else { break };
        for d in parse_delta(model, &text)? {
            on_delta(&d);
        }
    }
    Ok(None)
}

/// A non-streaming custom provider used from `stream()`: its whole answer
/// becomes one chunk, so the consumer sees the same events either way.
fn completion_as_deltas(c: &Completion) -> Vec<StreamDelta> {
    let mut out = Vec::new();
    if !c.content.is_empty() {
        out.push(StreamDelta::Text(c.content.clone()));
    }
    for (i, t) in c.tool_calls.iter().enumerate() {
        out.push(StreamDelta::ToolCall {
            index: i,
            id: Some(t.id.clone()),
            name: Some(t.name.clone()),
            arguments: t.arguments_raw.clone(),
        });
    }
    out
}
