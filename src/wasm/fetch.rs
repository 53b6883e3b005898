//! `HttpClient` over the runtime's `fetch`, handed in by the JS wrapper
//! (the global one unless the user supplies their own). Never `window.fetch`:
//! there is no `window` in Node, Workers or Vercel Edge.

use js_sys::{Function, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{ReadableStreamDefaultReader, Response};

use crate::config::ModelConfig;
use crate::error::{CascadeError, ErrorCode, FailureClass};
use crate::http::{ByteStream, HttpClient, HttpRequest, HttpResponse, StreamResponse};
use crate::types::{ChatRequest, Completion, StreamDelta};

use super::js_error::{describe, name_of};

/// Response headers the engine reads; copying all of them would cost a
/// boundary crossing each for nothing.
const KEPT_HEADERS: &[&str] = &["retry-after", "retry-after-ms", "content-type", "x-request-id", "request-id"];

pub struct FetchClient {
    pub fetch: Function,
    /// The run's AbortSignal, if the caller gave one.
    pub signal: JsValue,
    /// `{ [providerName]: adapter }` built by the JS wrapper.
    pub custom: JsValue,
}

fn key(k: &str) -> JsValue {
    JsValue::from_str(k)
}

impl FetchClient {
    async fn start(&self, req: &HttpRequest) -> Result<Response, CascadeError> {
        let init = Object::new();
        let headers = Object::new();
        for (k, v) in &req.headers {
            let _ = Reflect::set(&headers, &key(k), &key(v));
        }
        let _ = Reflect::set(&init, &key("method"), &key(req.method));
        let _ = Reflect::set(&init, &key("headers"), &headers);
        if let Some(b) = &req.body {
            let _ = Reflect::set(&init, &key("body"), &key(b));
        }
        if !self.signal.is_undefined() && !self.signal.is_null() {
            let _ = Reflect::set(&init, &key("signal"), &self.signal);
        }
        let promise = self.fetch.call2(&JsValue::UNDEFINED, &key(&req.url), &init).map_err(|e| self.classify(&e))?;
        let resp = JsFuture::from(Promise::from(promise)).await.map_err(|e| self.classify(&e))?;
        Ok(resp.unchecked_into::<Response>())
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

    fn headers_of(resp: &Response) -> Vec<(String, String)> {
        let h = resp.headers();
        KEPT_HEADERS.iter().filter_map(|name| h.get(name).ok().flatten().map(|v| (name.to_string(), v))).collect()
    }
}

impl HttpClient for FetchClient {
    type Body = FetchBody;

    async fn send(&self, req: HttpRequest) -> Result<HttpResponse, CascadeError> {
        let resp = self.start(&req).await?;
        let status = resp.status();
        let headers = Self::headers_of(&resp);
        let buf = resp.array_buffer().map_err(|e| self.classify(&e))?;
        let buf = JsFuture::from(buf).await.map_err(|e| self.classify(&e))?;
        Ok(HttpResponse { status, headers, body: Uint8Array::new(&buf).to_vec() })
    }

    async fn open_stream(&self, req: HttpRequest) -> Result<StreamResponse<FetchBody>, CascadeError> {
        let resp = self.start(&req).await?;
        let status = resp.status();
        let headers = Self::headers_of(&resp);
        let reader = match resp.body() {
            Some(stream) => Some(stream.get_reader().unchecked_into::<ReadableStreamDefaultReader>()),
            None => None,
        };
        let body = FetchBody { reader, done: false, signal: self.signal.clone() };
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
    done: bool,
    signal: JsValue,
}

impl ByteStream for FetchBody {
    async fn next_chunk(&mut self) -> Option<Result<Vec<u8>, CascadeError>> {
        if self.done {
            return None;
        }
        let reader = self.reader.as_ref()?;
        let result = match JsFuture::from(reader.read()).await {
            Ok(r) => r,
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
        let done = Reflect::get(&result, &key("done")).ok().and_then(|v| v.as_bool()).unwrap_or(true);
        if done {
            self.done = true;
            return None;
        }
        let value = Reflect::get(&result, &key("value")).unwrap_or(JsValue::UNDEFINED);
        if value.is_undefined() {
            return Some(Ok(Vec::new()));
        }
        Some(Ok(value.unchecked_into::<Uint8Array>().to_vec()))
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
