//! The one seam between the engine and the network.
//!
//! Codecs build `HttpRequest`s and parse `HttpResponse`s; an `HttpClient`
//! sends them. In wasm that is the runtime's global `fetch`; in tests it is a
//! scripted client with recorded bodies. No `Send` bounds: wasm is
//! single-threaded and JS futures are not `Send`.

use crate::config::ModelConfig;
use crate::error::CascadeError;
use crate::types::{ChatRequest, Completion, StreamDelta};

#[derive(Clone, Debug, PartialEq)]
pub struct HttpRequest {
    pub method: &'static str,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<String>,
}

impl HttpRequest {
    pub fn post_json(url: String, headers: Vec<(String, String)>, body: String) -> Self {
        let mut headers = headers;
        headers.push(("content-type".into(), "application/json".into()));
        HttpRequest { method: "POST", url, headers, body: Some(body) }
    }

    pub fn get(url: String, headers: Vec<(String, String)>) -> Self {
        HttpRequest { method: "GET", url, headers, body: None }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }
}

pub fn find_header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
}

/// The status line and headers of a streamed response, with its body to read.
pub struct StreamResponse<B> {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: B,
}

/// Body bytes as they arrive. `None` is the clean end of the body.
#[allow(async_fn_in_trait)]
pub trait ByteStream {
    async fn next_chunk(&mut self) -> Option<Result<Vec<u8>, CascadeError>>;
}

/// Sends requests. Errors are transport-level (network, timeout, abort): an
/// HTTP error status is a normal `HttpResponse` for the codec to classify.
#[allow(async_fn_in_trait)]
pub trait HttpClient {
    type Body: ByteStream;
    async fn send(&self, req: HttpRequest) -> Result<HttpResponse, CascadeError>;
    async fn open_stream(&self, req: HttpRequest) -> Result<StreamResponse<Self::Body>, CascadeError>;

    /// Providers written in the host language (custom JS providers) have no
    /// wire: the client that knows them calls them directly. When streaming
    /// it may push deltas through `on_delta` and return `None`, and the
    /// engine assembles the answer as it does for any stream.
    async fn call_custom(
        &self,
        model: &ModelConfig,
        req: &ChatRequest,
        stream: bool,
        on_delta: &mut dyn FnMut(&StreamDelta),
    ) -> Result<Option<Completion>, CascadeError> {
        let _ = (req, stream, on_delta);
        Err(crate::providers::unregistered(model))
    }
}
