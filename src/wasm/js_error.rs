//! Errors to JS: a plain object `{code, message, status, provider, model,
//! retryAfterMs, attempts}` serialized as JSON, which the TypeScript wrapper
//! turns into the matching `CascadeError` subclass.

use wasm_bindgen::JsValue;

use crate::cascade::RunError;
use crate::error::CascadeError;
use crate::json_out::ToJson;

pub fn run_error(e: &RunError) -> JsValue {
    JsValue::from_str(&e.to_json())
}

pub fn error(e: &CascadeError) -> JsValue {
    run_error(&RunError { error: e.clone(), attempts: Vec::new() })
}

/// Best-effort text of a thrown JS value, for messages.
pub fn describe(v: &JsValue) -> String {
    if let Some(s) = v.as_string() {
        return s;
    }
    let msg = js_sys::Reflect::get(v, &JsValue::from_str("message")).ok().and_then(|m| m.as_string());
    let name = js_sys::Reflect::get(v, &JsValue::from_str("name")).ok().and_then(|m| m.as_string());
    match (name, msg) {
        (Some(n), Some(m)) => format!("{n}: {m}"),
        (None, Some(m)) => m,
        (Some(n), None) => n,
        (None, None) => "unknown error".to_string(),
    }
}

/// The `name` of a thrown DOMException / Error (`AbortError`, `TimeoutError`).
pub fn name_of(v: &JsValue) -> Option<String> {
    js_sys::Reflect::get(v, &JsValue::from_str("name")).ok().and_then(|m| m.as_string())
}
