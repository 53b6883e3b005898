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

    /// A response as the JS transport hands it over: one string,
    /// `status\nname\nvalue\n...\n\nbody` (a streamed response's head is
    /// the same without the body). One string is one copy into wasm memory,
    /// where an array of parts cost a call per part. Header names are never
    /// empty, so the empty line ends them.
    pub fn from_transport_text(mut text: String) -> HttpResponse {
        let mut lines = text.split('\n');
        let mut head = 0; // bytes before the body, each line with its '\n'
        let status = next_line(&mut lines, &mut head).parse().unwrap_or(0);
        let mut headers = Vec::new();
        loop {
            let name = next_line(&mut lines, &mut head);
            if name.is_empty() {
                break;
            }
            headers.push((name.to_string(), next_line(&mut lines, &mut head).to_string()));
        }
        text.drain(..head.min(text.len()));
        HttpResponse { status, headers, body: text.into_bytes() }
    }
}

fn next_line<'a>(lines: &mut std::str::Split<'a, char>, head: &mut usize) -> &'a str {
    let line = lines.next();
    // Lines are pieces of one `String`, so their lengths sum to at most
    // its length: saturation is out of reach.
    *head = head.saturating_add(line.map_or(0, |l| l.len().saturating_add(1)));
    line.unwrap_or("")
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

    /// Wait `ms` before a retry. A wait the caller aborts ends with their
    /// error. Clients without timers (scripted tests) return at once.
    async fn sleep(&self, ms: f64) -> Result<(), CascadeError> {
        let _ = ms;
        Ok(())
    }

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

#[cfg(test)]
mod tests {
    use super::HttpResponse;

    #[test]
    fn transport_text_splits_status_headers_and_body() {
        let r =
            HttpResponse::from_transport_text("429\nretry-after\n7\nx-request-id\nabc\n\n{\"a\":\"b\\nc\"}\n".into());
        assert_eq!(r.status, 429);
        assert_eq!(r.header("Retry-After"), Some("7"));
        assert_eq!(r.header("x-request-id"), Some("abc"));
        assert_eq!(r.body, b"{\"a\":\"b\\nc\"}\n");

        let r = HttpResponse::from_transport_text("200\n\nline one\n\nline two".into());
        assert_eq!((r.status, r.headers.len()), (200, 0));
        assert_eq!(r.body, b"line one\n\nline two");

        let r = HttpResponse::from_transport_text("204\n\n".into());
        assert_eq!((r.status, r.body.len()), (204, 0));
    }

    #[test]
    fn transport_text_that_is_cut_short_never_panics() {
        for text in ["", "200", "200\n", "200\nname", "200\nname\n", "x\n\nbody", "é\né\n"] {
            let r = HttpResponse::from_transport_text(text.into());
            assert!(r.body.len() <= text.len(), "{text:?}");
        }
        assert_eq!(HttpResponse::from_transport_text("oops".into()).status, 0);
    }
}
