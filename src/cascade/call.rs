//! The executor: one call to one tier, streamed or not. The only place the
//! engine awaits I/O; codecs stay pure on either side of it.

use crate::config::ModelConfig;
use crate::error::{CascadeError, ErrorCode, FailureClass};
use crate::http::{ByteStream, HttpClient};
use crate::providers::{self, WireFormat};
use crate::types::{ChatRequest, Completion, StreamDelta};

use super::accumulate::Accumulator;

/// Error bodies are read for their message only; a hostile server must not
/// make us buffer without limit.
const MAX_ERROR_BODY: usize = 64 * 1024;

pub async fn call_once<H: HttpClient>(
    http: &H,
    model: &ModelConfig,
    req: &ChatRequest,
) -> Result<Completion, CascadeError> {
    if model.wire == WireFormat::Custom {
        let mut ignore = |_: &StreamDelta| {};
        return match http.call_custom(model, req, false, &mut ignore).await {
            Ok(Some(c)) => Ok(c),
            Ok(None) => Err(custom_gave_nothing(model)),
            Err(e) => Err(tag(e, model)),
        };
    }
    let request = providers::build_request(model, req, false).map_err(|e| tag(e, model))?;
    let resp = http.send(request).await.map_err(|e| tag(e, model))?;
    if !(200..300).contains(&resp.status) {
        return Err(providers::error_from_status(model, resp.status, &resp.headers, &resp.body));
    }
    providers::parse_response(model, &resp.body).map_err(|e| tag(e, model))
}

/// Stream one tier's answer, handing every delta to `on_delta` as it
/// arrives. Returns the assembled completion only if the stream finished
/// properly: a cut stream is an error, never a shorter answer.
pub async fn call_streaming<H: HttpClient>(
    http: &H,
    model: &ModelConfig,
    req: &ChatRequest,
    on_delta: &mut dyn FnMut(&StreamDelta),
) -> Result<Completion, CascadeError> {
    let mut acc = Accumulator::default();
    if model.wire == WireFormat::Custom {
        let mut both = |d: &StreamDelta| {
            acc.push(d);
            on_delta(d);
        };
        return match http.call_custom(model, req, true, &mut both).await {
            Ok(Some(c)) => Ok(c),
            Ok(None) => Ok(acc.into_completion()),
            Err(e) => Err(tag(e, model)),
        };
    }
    let request = providers::build_request(model, req, true).map_err(|e| tag(e, model))?;
    let mut resp = http.open_stream(request).await.map_err(|e| tag(e, model))?;
    if !(200..300).contains(&resp.status) {
        let mut body = Vec::new();
        while let Some(Ok(chunk)) = resp.body.next_chunk().await {
            body.extend_from_slice(&chunk);
            if body.len() > MAX_ERROR_BODY {
                break;
            }
        }
        return Err(providers::error_from_status(model, resp.status, &resp.headers, &body));
    }
    let mut decoder = providers::stream_decoder(model).map_err(|e| tag(e, model))?;
    loop {
        let (deltas, end) = match resp.body.next_chunk().await {
            Some(Ok(bytes)) => (decoder.feed(&bytes), false),
            Some(Err(e)) => return Err(cut(model, &acc, &e.message, e.failure_class())),
            None => (decoder.finish(), true),
        };
        for d in &deltas.map_err(|e| tag(e, model))? {
            acc.push(d);
            on_delta(d);
        }
        // Stop at the wire's terminator: some servers keep the socket open.
        if end || acc.saw_terminator() {
            break;
        }
    }
    if !acc.is_complete() {
        return Err(cut(
            model,
            &acc,
            "the stream ended before the provider said it was finished",
            FailureClass::Transport,
        ));
    }
    Ok(acc.into_completion())
}

fn cut(model: &ModelConfig, acc: &Accumulator, why: &str, class: FailureClass) -> CascadeError {
    let shown = acc.text().chars().count();
    CascadeError::new(
        ErrorCode::Stream,
        format!("{} ({}) stream broke after {shown} characters: {why}", model.provider, model.name),
    )
    .with_class(if class == FailureClass::Aborted { class } else { FailureClass::Transport })
    .for_model(&model.provider, &model.name)
    .redacted(&model.secrets())
}

fn custom_gave_nothing(model: &ModelConfig) -> CascadeError {
    CascadeError::new(
        ErrorCode::CustomProvider,
        format!("custom provider {:?} returned nothing for model {:?}", model.provider, model.name),
    )
    .with_class(FailureClass::Server)
    .for_model(&model.provider, &model.name)
}

/// Attach the model to an error that came from below, and mask its key.
fn tag(mut e: CascadeError, model: &ModelConfig) -> CascadeError {
    if e.provider.is_none() {
        e = e.for_model(&model.provider, &model.name);
    }
    e.redacted(&model.secrets())
}
