//! A scripted `HttpClient` for host tests: answers from a queue of recorded
//! responses, records every request, and can split stream bodies anywhere.

#![allow(dead_code)]

use std::cell::RefCell;
use std::collections::VecDeque;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use cascade_edge::error::{CascadeError, ErrorCode, FailureClass};
use cascade_edge::http::{ByteStream, HttpClient, HttpRequest, HttpResponse, StreamResponse};

pub enum Reply {
    Json(u16, String),
    Headers(u16, Vec<(String, String)>, String),
    /// A streamed body in the given pieces; `cut` ends it with a transport error.
    Stream {
        status: u16,
        chunks: Vec<Vec<u8>>,
        cut: bool,
    },
    Transport(&'static str),
}

#[derive(Default)]
pub struct Scripted {
    replies: RefCell<VecDeque<Reply>>,
    pub requests: RefCell<Vec<HttpRequest>>,
    /// Every wait the engine asked for, in ms.
    pub sleeps: RefCell<Vec<f64>>,
    /// Moved forward by each wait, when the engine shares it.
    pub clock: Option<std::rc::Rc<cascade_edge::clock::ManualClock>>,
}

impl Scripted {
    pub fn new(replies: Vec<Reply>) -> Self {
        Scripted { replies: RefCell::new(replies.into()), ..Default::default() }
    }

    /// A client whose waits move `clock` forward.
    pub fn timed(replies: Vec<Reply>, clock: &std::rc::Rc<cascade_edge::clock::ManualClock>) -> Self {
        Scripted { clock: Some(clock.clone()), ..Scripted::new(replies) }
    }

    fn next(&self, req: HttpRequest) -> Reply {
        self.requests.borrow_mut().push(req);
        self.replies.borrow_mut().pop_front().unwrap_or(Reply::Transport("no scripted reply left"))
    }

    pub fn calls(&self) -> usize {
        self.requests.borrow().len()
    }

    pub fn body(&self, i: usize) -> cascade_edge::value::Value {
        let reqs = self.requests.borrow();
        cascade_edge::value::from_str(reqs[i].body.as_deref().unwrap_or("null")).unwrap()
    }
}

pub struct Body {
    chunks: VecDeque<Vec<u8>>,
    cut: bool,
}

impl ByteStream for Body {
    async fn next_chunk(&mut self) -> Option<Result<Vec<u8>, CascadeError>> {
        match self.chunks.pop_front() {
            Some(c) => Some(Ok(c)),
            None if self.cut => {
                self.cut = false;
                Some(Err(
                    CascadeError::new(ErrorCode::Transport, "connection reset").with_class(FailureClass::Transport)
                ))
            }
            None => None,
        }
    }
}

fn transport(msg: &str) -> CascadeError {
    CascadeError::new(ErrorCode::Transport, msg).with_class(FailureClass::Transport)
}

impl HttpClient for Scripted {
    type Body = Body;

    async fn send(&self, req: HttpRequest) -> Result<HttpResponse, CascadeError> {
        match self.next(req) {
            Reply::Json(status, body) => Ok(HttpResponse { status, headers: vec![], body: body.into_bytes() }),
            Reply::Headers(status, headers, body) => Ok(HttpResponse { status, headers, body: body.into_bytes() }),
            Reply::Stream { status, chunks, .. } => Ok(HttpResponse { status, headers: vec![], body: chunks.concat() }),
            Reply::Transport(m) => Err(transport(m)),
        }
    }

    async fn open_stream(&self, req: HttpRequest) -> Result<StreamResponse<Body>, CascadeError> {
        match self.next(req) {
            Reply::Stream { status, chunks, cut } => {
                Ok(StreamResponse { status, headers: vec![], body: Body { chunks: chunks.into(), cut } })
            }
            Reply::Json(status, body) => Ok(StreamResponse {
                status,
                headers: vec![],
                body: Body { chunks: VecDeque::from(vec![body.into_bytes()]), cut: false },
            }),
            Reply::Headers(status, headers, body) => Ok(StreamResponse {
                status,
                headers,
                body: Body { chunks: VecDeque::from(vec![body.into_bytes()]), cut: false },
            }),
            Reply::Transport(m) => Err(transport(m)),
        }
    }

    async fn sleep(&self, ms: f64) -> Result<(), CascadeError> {
        self.sleeps.borrow_mut().push(ms);
        if let Some(c) = &self.clock {
            c.advance(ms);
        }
        Ok(())
    }
}

/// Split `text` into pieces of `n` bytes (ignoring UTF-8 boundaries on purpose).
pub fn pieces(text: &str, n: usize) -> Vec<Vec<u8>> {
    text.as_bytes().chunks(n.max(1)).map(|c| c.to_vec()).collect()
}

/// Run a future whose I/O is all scripted (always ready) to completion.
pub fn block_on<F: Future>(f: F) -> F::Output {
    let mut f = pin!(f);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
    }
}

/// An OpenAI chat.completion body.
pub fn openai_body(content: &str, finish: &str, usage: Option<(u64, u64)>) -> String {
    let mut v = cascade_edge::json!({
        "id": "chatcmpl-test", "object": "chat.completion", "created": 1, "model": "m",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": finish}]
    });
    if let Some((i, o)) = usage {
        v.as_object_mut().unwrap().insert(
            "usage".into(),
            cascade_edge::json!({"prompt_tokens": i, "completion_tokens": o, "total_tokens": i + o}),
        );
    }
    v.to_string()
}

/// An OpenAI SSE stream of `content` in `parts` pieces, with a usage chunk and [DONE].
pub fn openai_sse(content_parts: &[&str], finish: &str, usage: (u64, u64)) -> String {
    let mut s = String::new();
    for p in content_parts {
        let ev = cascade_edge::json!({"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":p},"finish_reason":null}]});
        s.push_str(&format!("data: {ev}\n\n"));
    }
    let fin = cascade_edge::json!({"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{},"finish_reason":finish}]});
    s.push_str(&format!("data: {fin}\n\n"));
    let u = cascade_edge::json!({"id":"c","object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":usage.0,"completion_tokens":usage.1,"total_tokens":usage.0+usage.1}});
    s.push_str(&format!("data: {u}\n\ndata: [DONE]\n\n"));
    s
}

/// `config` with a key on every model that has none: a hosted provider
/// without a key is refused before sending, and these tests script the
/// provider's own endpoint.
pub fn with_keys(mut config: cascade_edge::value::Value) -> cascade_edge::value::Value {
    fn keyed(v: &mut cascade_edge::value::Value) {
        match v {
            cascade_edge::value::Value::Object(o) if o.contains_key("provider") => {
                o.entry("apiKey".into()).or_insert_with(|| cascade_edge::value::Value::String("sk-test-key".into()));
            }
            cascade_edge::value::Value::Object(o) => o.values_mut().for_each(keyed),
            cascade_edge::value::Value::Array(a) => a.iter_mut().for_each(keyed),
            _ => {}
        }
    }
    keyed(&mut config);
    config
}
