//! `HttpClient` over the runtime's `fetch`, handed in by the JS wrapper
//! (the global one unless the user supplies their own). Never `window.fetch`:
//! there is no `window` in Node, Workers or Vercel Edge.

use std::rc::Rc;

use js_sys::{Array, Function, Object, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::ReadableStreamDefaultReader;

use crate::config::{Limits, ModelConfig, Timeouts};
use crate::error::{CascadeError, ErrorCode, FailureClass};
use crate::http::{ByteStream, HttpClient, HttpRequest, HttpResponse, StreamResponse};
use crate::types::{ChatRequest, Completion, StreamDelta};

use super::driver::js_await;
use super::js_error::{describe, name_of};

/// The JS transport's functions (js/src/transport.ts): `send` and `open`
/// each do a whole fetch in one promise, so a call costs one await here;
/// `read` gives a streamed body's next bytes, or null at its end. Held in
/// an `Rc`: each run shares it rather than cloning three JS handles.
pub struct Transport {
    send: Function,
    open: Function,
    read: Function,
    /// `(ms, signal) => Promise<void>`: a retry's wait, cut short by the run's abort.
    sleep: Function,
    /// What one attempt may take (`AttemptLimits` in transport.ts), made
    /// once per agent: plain and streamed calls differ in `firstByteMs`.
    send_limits: JsValue,
    open_limits: JsValue,
    /// For custom JS providers, which have no transport of ours to time; 0 = none.
    pub attempt_ms: f64,
}

impl Transport {
    pub fn from_js(obj: &JsValue, limits: &Limits, timeouts: &Timeouts) -> Result<Transport, CascadeError> {
        let f = |name: &str| {
            Reflect::get(obj, &JsValue::from_str(name))
                .ok()
                .and_then(|f| f.dyn_into::<Function>().ok())
                .ok_or_else(|| CascadeError::config(format!("transport.{name}: expected a function")))
        };
        Ok(Transport {
            send: f("send")?,
            open: f("open")?,
            read: f("read")?,
            sleep: f("sleep")?,
            send_limits: attempt_limits(limits, timeouts, false),
            open_limits: attempt_limits(limits, timeouts, true),
            attempt_ms: if timeouts.attempt_ms.is_finite() { timeouts.attempt_ms } else { 0.0 },
        })
    }
}

/// `{maxResponseBytes, firstByteMs, idleMs, attemptMs}`; 0 means no deadline.
fn attempt_limits(limits: &Limits, timeouts: &Timeouts, stream: bool) -> JsValue {
    let o = Object::new();
    let ms = |v: Option<f64>| JsValue::from_f64(v.filter(|v| v.is_finite()).unwrap_or(0.0));
    let fields = [
        ("maxResponseBytes", JsValue::from_f64(limits.max_response_bytes as f64)),
        ("firstByteMs", ms(timeouts.first_byte_for(stream))),
        ("idleMs", ms(Some(timeouts.idle_ms))),
        ("attemptMs", ms(Some(timeouts.attempt_ms))),
    ];
    for (k, v) in fields {
        let _ = Reflect::set(&o, &JsValue::from_str(k), &v);
    }
    o.into()
}

pub struct FetchClient {
    pub transport: Rc<Transport>,
    /// The run's AbortSignal, if the caller gave one.
    pub signal: JsValue,
    /// `{ [providerName]: adapter }` built by the JS wrapper.
    pub custom: Rc<JsValue>,
}

fn key(k: &str) -> JsValue {
    JsValue::from_str(k)
}

/// `[name, value, name, value...]`: structured, so that no text in a
/// name or value can be read as the start of another header.
fn header_pairs(headers: &[(String, String)]) -> Array {
    let arr = Array::new();
    for (k, v) in headers {
        arr.push(&JsValue::from_str(k));
        arr.push(&JsValue::from_str(v));
    }
    arr
}

impl FetchClient {
    /// One transport call, awaited.
    async fn call(&self, f: &Function, req: &HttpRequest, limits: &JsValue) -> Result<JsValue, CascadeError> {
        let target = [req.method, " ", &req.url].concat();
        let body = req.body.as_deref().map(JsValue::from_str).unwrap_or(JsValue::UNDEFINED);
        let headers: JsValue = header_pairs(&req.headers).into();
        let promise = f
            .call5(&JsValue::UNDEFINED, &key(&target), &headers, &body, &self.signal, limits)
            .map_err(|e| self.classify(&e))?;
        js_await(promise).await.map_err(|e| self.classify(&e))
    }

    /// A rejected fetch: the caller's abort, a deadline, a response over
    /// its size limit, or the network.
    fn classify(&self, e: &JsValue) -> CascadeError {
        let mut text = describe(e);
        if let Ok(cause) = Reflect::get(e, &key("cause")) {
            if !cause.is_undefined() && !cause.is_null() {
                text = format!("{text} ({})", describe(&cause));
            }
        }
        classify_failure(&self.signal, e, text, ErrorCode::Transport)
    }
}

impl HttpClient for FetchClient {
    type Body = FetchBody;

    async fn send(&self, req: HttpRequest) -> Result<HttpResponse, CascadeError> {
        let out = self.call(&self.transport.send, &req, &self.transport.send_limits).await?;
        Ok(HttpResponse::from_transport_text(out.as_string().unwrap_or_default()))
    }

    async fn open_stream(&self, req: HttpRequest) -> Result<StreamResponse<FetchBody>, CascadeError> {
        let arr: Array = self.call(&self.transport.open, &req, &self.transport.open_limits).await?.unchecked_into();
        let HttpResponse { status, headers, .. } =
            HttpResponse::from_transport_text(arr.get(0).as_string().unwrap_or_default());
        let reader = arr.get(1);
        let reader = if reader.is_null() || reader.is_undefined() { None } else { Some(reader) };
        let body = FetchBody { reader, transport: self.transport.clone(), done: false, signal: self.signal.clone() };
        Ok(StreamResponse { status, headers, body })
    }

    async fn sleep(&self, ms: f64) -> Result<(), CascadeError> {
        let promise = self
            .transport
            .sleep
            .call2(&JsValue::UNDEFINED, &JsValue::from_f64(ms), &self.signal)
            .map_err(|e| self.classify(&e))?;
        js_await(promise).await.map(|_| ()).map_err(|e| self.classify(&e))
    }

    async fn call_custom(
        &self,
        model: &ModelConfig,
        req: &ChatRequest,
        stream: bool,
        on_delta: &mut dyn FnMut(&StreamDelta),
    ) -> Result<Option<Completion>, CascadeError> {
        super::custom::call(&self.custom, &self.signal, self.transport.attempt_ms, model, req, stream, on_delta).await
    }
}

pub struct FetchBody {
    /// The transport's `OpenBody`: the reader with its byte budget and deadlines.
    reader: Option<JsValue>,
    /// For `transport.read`: one call per chunk instead of a read and two property lookups.
    transport: Rc<Transport>,
    done: bool,
    signal: JsValue,
}

impl ByteStream for FetchBody {
    async fn next_chunk(&mut self) -> Option<Result<Vec<u8>, CascadeError>> {
        if self.done {
            return None;
        }
        let reader = self.reader.as_ref()?;
        let next = match self.transport.read.call1(&JsValue::UNDEFINED, reader) {
            Ok(promise) => js_await(promise).await,
            Err(e) => Err(e),
        };
        let bytes = match next {
            Ok(b) => b,
            Err(e) => {
                self.done = true;
                return Some(Err(classify_failure(&self.signal, &e, describe(&e), ErrorCode::Stream)));
            }
        };
        if bytes.is_null() || bytes.is_undefined() {
            self.done = true;
            return None;
        }
        Some(Ok(bytes.unchecked_into::<Uint8Array>().to_vec()))
    }
}

impl Drop for FetchBody {
    /// An abandoned body (an early-rejected draft) releases its connection
    /// and stops its deadline timer.
    fn drop(&mut self) {
        if !self.done {
            if let Some(open) = &self.reader {
                if let Ok(r) = Reflect::get(open, &key("reader")) {
                    let _ = r.unchecked_into::<ReadableStreamDefaultReader>().cancel();
                }
                if let Ok(w) = Reflect::get(open, &key("watch")) {
                    if let Ok(stop) = Reflect::get(&w, &key("stop")).and_then(|f| f.dyn_into::<Function>()) {
                        let _ = stop.call0(&w);
                    }
                }
            }
        }
    }
}

/// What a failed transport call or body read means. The run's own signal
/// tells the caller's abort and the run deadline (`timeoutMs`, which end
/// the run) from an attempt's deadline (which moves on to the next tier).
pub(super) fn classify_failure(signal: &JsValue, e: &JsValue, text: String, otherwise: ErrorCode) -> CascadeError {
    let run_stopped = Reflect::get(signal, &key("aborted")).ok().and_then(|v| v.as_bool()).unwrap_or(false);
    let name = name_of(e).unwrap_or_default();
    if run_stopped {
        let reason = Reflect::get(signal, &key("reason")).ok().and_then(|r| name_of(&r));
        return if reason.as_deref() == Some("TimeoutError") {
            CascadeError::new(ErrorCode::Timeout, format!("the run timed out (its deadline passed): {text}"))
                .with_class(FailureClass::Aborted)
        } else {
            CascadeError::new(ErrorCode::Aborted, format!("the request was aborted: {text}"))
                .with_class(FailureClass::Aborted)
        };
    }
    match name.as_str() {
        "TimeoutError" => CascadeError::new(ErrorCode::Timeout, format!("the request timed out: {text}"))
            .with_class(FailureClass::Timeout),
        "ResponseTooLargeError" => CascadeError::bad_response(text),
        "AbortError" => CascadeError::new(ErrorCode::Aborted, format!("the request was aborted: {text}"))
            .with_class(FailureClass::Aborted),
        _ if otherwise == ErrorCode::Transport => {
            CascadeError::new(ErrorCode::Transport, format!("network error: {text}"))
                .with_class(FailureClass::Transport)
        }
        _ => CascadeError::new(otherwise, text).with_class(FailureClass::Transport),
    }
}
