//! The proxy's codecs (`crate::serve`) for the JS fetch handler: a request
//! body in, the run's input out; a run's result in, a body or stream frames
//! out. Text both ways, as everywhere at this door. The handler does only
//! HTTP; which wire means what is decided in Rust.

use wasm_bindgen::prelude::*;

use crate::json_out::JsonOut;
use crate::serve::{anthropic, openai, status_of, Outcome, Wire};

fn wire(name: &str) -> Wire {
    Wire::parse(name).unwrap_or(Wire::OpenAi)
}

/// `{model, stream, includeUsage, messages, options}` for a request body in
/// `wire_name`'s format, or `{error}` saying why it cannot be read.
#[wasm_bindgen(js_name = serveRead)]
pub fn serve_read(wire_name: &str, body: &str) -> String {
    let read = match wire(wire_name) {
        Wire::Anthropic => anthropic::read_request(body),
        Wire::OpenAi => openai::read_request(body),
    };
    match read {
        Ok(r) => r.to_run_json(),
        Err(e) => {
            let mut o = JsonOut::with_capacity(64);
            o.begin_object();
            o.str_field("error", &e.0);
            o.end_object();
            o.finish()
        }
    }
}

/// `POST /v1/messages/count_tokens`: `{"input_tokens": n}`, estimated (see
/// `Inbound::estimated_input_tokens`), or `{error}` for a body it cannot read.
#[wasm_bindgen(js_name = serveCountTokens)]
pub fn serve_count_tokens(body: &str) -> String {
    let mut o = JsonOut::with_capacity(32);
    o.begin_object();
    match anthropic::read_request(body) {
        Ok(r) => o.u64_field("input_tokens", r.estimated_input_tokens()),
        Err(e) => o.str_field("error", &e.0),
    }
    o.end_object();
    o.finish()
}

fn outcome(result_json: &str) -> Outcome {
    Outcome::from_result_json(result_json).unwrap_or_default()
}

/// The response body for a run's result (its JSON); `id` and `created`
/// (Unix seconds) come from the host, which has the randomness and the clock.
#[wasm_bindgen(js_name = serveWrite)]
pub fn serve_write(wire_name: &str, result_json: &str, id: &str, created: f64) -> String {
    let r = outcome(result_json);
    match wire(wire_name) {
        Wire::Anthropic => anthropic::write_response(&r, id),
        Wire::OpenAi => openai::write_response(&r, id, created as u64),
    }
}

/// The HTTP status for an error `code` (`status`: the provider's, or 0).
#[wasm_bindgen(js_name = serveStatus)]
pub fn serve_status(code: &str, status: u16) -> u16 {
    status_of(code, Some(status).filter(|s| *s != 0)).status
}

/// The error body in the wire's envelope.
#[wasm_bindgen(js_name = serveError)]
pub fn serve_error(wire_name: &str, code: &str, status: u16, message: &str) -> String {
    let k = status_of(code, Some(status).filter(|s| *s != 0));
    match wire(wire_name) {
        Wire::Anthropic => anthropic::error_body(k.anthropic, message),
        Wire::OpenAi => openai::error_body(k.openai, code, message),
    }
}

enum Writer {
    Anthropic(anthropic::StreamWriter),
    OpenAi(openai::StreamWriter),
}

/// One response stream's writer: each method returns the SSE text to send.
#[wasm_bindgen]
pub struct ServeStream {
    writer: Writer,
}

#[wasm_bindgen]
impl ServeStream {
    #[wasm_bindgen(constructor)]
    pub fn new(wire_name: &str, id: &str, created: f64, include_usage: bool) -> ServeStream {
        let writer = match wire(wire_name) {
            Wire::Anthropic => Writer::Anthropic(anthropic::StreamWriter::new(id)),
            Wire::OpenAi => Writer::OpenAi(openai::StreamWriter::new(id, created as u64, include_usage)),
        };
        ServeStream { writer }
    }

    pub fn text(&mut self, text: &str, model: &str) -> String {
        match &mut self.writer {
            Writer::Anthropic(w) => w.text(text, model),
            Writer::OpenAi(w) => w.text(text, model),
        }
    }

    pub fn finish(&mut self, result_json: &str) -> String {
        let r = outcome(result_json);
        match &mut self.writer {
            Writer::Anthropic(w) => w.finish(&r),
            Writer::OpenAi(w) => w.finish(&r),
        }
    }

    pub fn error(&mut self, code: &str, status: u16, message: &str) -> String {
        let k = status_of(code, Some(status).filter(|s| *s != 0));
        match &mut self.writer {
            Writer::Anthropic(w) => w.error(k.anthropic, message),
            Writer::OpenAi(w) => w.error(k.openai, code, message),
        }
    }
}
