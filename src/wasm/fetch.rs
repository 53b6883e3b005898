//! `HttpClient` over the runtime's `fetch`, handed in by the JS wrapper
//! (the global one unless the user supplies their own). Never `window.fetch`:
//! there is no `window` in Node, Workers or Vercel Edge.

use std::rc::Rc;

use js_sys::{Array, Function, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::ReadableStreamDefaultReader;

use crate::config::ModelConfig;
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
}

impl Transport {
    pub fn from_js(obj: &JsValue) -> Result<Transport, CascadeError> {
        let f = |name: &str| {
            Reflect::get(obj, &JsValue::from_str(name))
                .ok()
                .and_then(|f| f.dyn_into::<Function>().ok())
                .ok_or_else(|| CascadeError::config(format!("transport.{name}: expected a function")))
        };
        Ok(Transport { send: f("send")?, open: f("open")?, read: f("read")? })
    }
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

/// `name\nvalue\n...`: one string instead of an object built key by key.
fn header_text(headers: &[(String, String)]) -> String {
    let mut s = String::with_capacity(headers.iter().map(|(k, v)| k.len() + v.len() + 2).sum());
    for (k, v) in headers {
        s.push_str(k);
        s.push('\n');
        s.push_str(v);
        s.push('\n');
    }
    s
}


impl FetchClient {
    /// One transport call, awaited.
    async fn call(&self, f: &Function, req: &HttpRequest) -> Result<JsValue, CascadeError> {
        let target = [req.method, " ", &req.url].concat();
        let body = req.body.as_deref().map(JsValue::from_str).unwrap_or(JsValue::UNDEFINED);
        let promise = f
            .call4(&JsValue::UNDEFINED, &key(&target), &key(&header_text(&req.headers)), &body, &self.signal)
            .map_err(|e| self.classify(&e))?;
        js_await(promise).await.map_err(|e| self.classify(&e))
    }

    /// A rejected fetch: the caller's abort, a timeout, or the network.
    fn classify(&self, e: &JsValue) -> CascadeError {
        let user_aborted = Reflect::get(&self.signal, &key("aborted")).ok().and_then(|v| v.as_bool()).unwrap_or(false);
        let name = name_of(e).unwrap_or_default();
        let mut text = describe(e);
        if let Ok(cause) = Reflect::get(e, &key("cause")) {
            if !cause.is_undefined() && !cause.is_null() {
                text = format!("{text} ({})", describe(&cause));
            }
        }
        if name == "TimeoutError" {
            // A run deadline (our signal fired) ends the run; a per-request one escalates.
            let class = if user_aborted { FailureClass::Aborted } else { FailureClass::Timeout };
            CascadeError::new(ErrorCode::Timeout, format!("the request timed out: {text}")).with_class(class)
        } else if user_aborted || name == "AbortError" {
            CascadeError::new(ErrorCode::Aborted, format!("the request was aborted: {text}"))
                .with_class(FailureClass::Aborted)
        } else {
            CascadeError::new(ErrorCode::Transport, format!("network error: {text}"))
                .with_class(FailureClass::Transport)
        }
    }

}

impl HttpClient for FetchClient {
    type Body = FetchBody;

    async fn send(&self, req: HttpRequest) -> Result<HttpResponse, CascadeError> {
        let out = self.call(&self.transport.send, &req).await?;
        Ok(HttpResponse::from_transport_text(out.as_string().unwrap_or_default()))
    }

    async fn open_stream(&self, req: HttpRequest) -> Result<StreamResponse<FetchBody>, CascadeError> {
        let arr: Array = self.call(&self.transport.open, &req).await?.unchecked_into();
        let HttpResponse { status, headers, .. } = HttpResponse::from_transport_text(arr.get(0).as_string().unwrap_or_default());
        let reader = arr.get(1);
        let reader =
            if reader.is_null() || reader.is_undefined() { None } else { Some(reader.unchecked_into::<ReadableStreamDefaultReader>()) };
        let body = FetchBody { reader, transport: self.transport.clone(), done: false, signal: self.signal.clone() };
        Ok(StreamResponse { status, headers, body })
    }

    async fn call_custom(
        &self,
        model: &ModelConfig,
        req: &ChatRequest,
        stream: bool,
        on_delta: &mut dyn FnMut(&StreamDelta),
    ) -> Result<Option<Completion>, CascadeError> {
        super::custom::call(&self.custom, model, req, stream, on_delta).await
    }
}

pub struct FetchBody {
    reader: Option<ReadableStreamDefaultReader>,
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
                let aborted =
                    Reflect::get(&self.signal, &key("aborted")).ok().and_then(|v| v.as_bool()).unwrap_or(false);
                let class = if aborted { FailureClass::Aborted } else { FailureClass::Transport };
                // A run deadline (`timeoutMs`) aborts our signal with a TimeoutError reason.
                let deadline = aborted
                    && Reflect::get(&self.signal, &key("reason")).ok().and_then(|r| name_of(&r)).as_deref()
                        == Some("TimeoutError");
                let code = match (aborted, deadline) {
                    (true, true) => ErrorCode::Timeout,
                    (true, false) => ErrorCode::Aborted,
                    _ => ErrorCode::Stream,
                };
                return Some(Err(CascadeError::new(code, describe(&e)).with_class(class)));
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
    /// An abandoned body (an early-rejected draft) releases its connection.
    fn drop(&mut self) {
        if !self.done {
            if let Some(r) = &self.reader {
                let _ = r.cancel();
            }
        }
    }
}
