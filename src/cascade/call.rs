//! The executor: one call to one tier, streamed or not, plus the two plain
//! GETs (OpenRouter's prices, the connection probe). The only place that
//! sends; codecs stay pure on either side of it.

use crate::clock::Clock;
use crate::config::{AgentConfig, ModelConfig};
use crate::decimal::Plain;
use crate::error::{CascadeError, ErrorCode, FailureClass};
use crate::http::{ByteStream, HttpClient};
use crate::providers::openrouter::{self, PriceList};
use crate::providers::probe::{self, ProbeResult};
use crate::providers::{self, WireFormat};
use crate::types::{ChatRequest, Completion, FinishReason, StreamDelta};

use super::accumulate::Accumulator;

/// Error bodies are read for their message only; a hostile server must not
/// make us buffer without limit.
const MAX_ERROR_BODY: usize = 64 * 1024;

/// What an attempt needs besides the request: the clock (for the first
/// token's deadline and for `Retry-After` dates) and the agent's limits.
pub struct CallEnv<'a, C> {
    pub clock: &'a C,
    pub config: &'a AgentConfig,
}

impl<C: Clock> CallEnv<'_, C> {
    fn status_error(
        &self,
        model: &ModelConfig,
        status: u16,
        headers: &[(String, String)],
        body: &[u8],
    ) -> CascadeError {
        providers::error_from_status_at(model, status, headers, body, self.clock.epoch_ms())
    }
}

pub async fn call_once<H: HttpClient, C: Clock>(
    http: &H,
    at: &CallEnv<'_, C>,
    model: &ModelConfig,
    req: &ChatRequest,
) -> Result<Completion, CascadeError> {
    if model.wire == WireFormat::Custom {
        let mut ignore = |_: &StreamDelta| {};
        return match http.call_custom(model, req, false, &mut ignore).await {
            Ok(Some(c)) => unless_filtered(model, c),
            Ok(None) => Err(custom_gave_nothing(model)),
            Err(e) => Err(tag(e, model)),
        };
    }
    if let Some(e) = providers::missing_key(model) {
        return Err(e);
    }
    let request = providers::build_request(model, req, false).map_err(|e| tag(e, model))?;
    let resp = http.send(request).await.map_err(|e| tag(e, model))?;
    if !(200..300).contains(&resp.status) {
        return Err(at.status_error(model, resp.status, &resp.headers, &resp.body));
    }
    let completion = providers::parse_response(model, &resp.body).map_err(|e| tag(e, model))?;
    unless_filtered(model, completion)
}

/// Stream one tier's answer, handing every delta to `on_delta` as it
/// arrives. Returns the assembled completion only if the stream finished
/// properly: a cut stream is an error, never a shorter answer. The one
/// exception is `stop_early`: when it says the text so far already settles
/// the verdict (a draft that must be rejected), reading stops there and the
/// partial text is returned for judging; the body is dropped, which cancels it.
pub async fn call_streaming<H: HttpClient, C: Clock>(
    http: &H,
    at: &CallEnv<'_, C>,
    model: &ModelConfig,
    req: &ChatRequest,
    on_delta: &mut dyn FnMut(&StreamDelta),
    stop_early: &mut dyn FnMut(&str) -> bool,
) -> Result<Completion, CascadeError> {
    let mut acc = Accumulator::default();
    if model.wire == WireFormat::Custom {
        let mut both = |d: &StreamDelta| {
            acc.push(d);
            on_delta(d);
        };
        return match http.call_custom(model, req, true, &mut both).await {
            Ok(Some(c)) => unless_filtered(model, c),
            Ok(None) => unless_filtered(model, acc.into_completion()),
            Err(e) => Err(tag(e, model)),
        };
    }
    if let Some(e) = providers::missing_key(model) {
        return Err(e);
    }
    let request = providers::build_request(model, req, true).map_err(|e| tag(e, model))?;
    let started = at.clock.now_ms();
    let mut resp = http.open_stream(request).await.map_err(|e| tag(e, model))?;
    if !(200..300).contains(&resp.status) {
        let mut body = Vec::new();
        while let Some(Ok(chunk)) = resp.body.next_chunk().await {
            body.extend_from_slice(&chunk);
            if body.len() > MAX_ERROR_BODY {
                break;
            }
        }
        return Err(at.status_error(model, resp.status, &resp.headers, &body));
    }
    let mut decoder = providers::stream_decoder(model).map_err(|e| tag(e, model))?;
    decoder.limit_events(usize::try_from(at.config.limits.max_event_bytes).unwrap_or(usize::MAX));
    let first_token_by = at.config.timeouts.first_token_ms.map(|ms| started + ms);
    loop {
        let (deltas, end) = match resp.body.next_chunk().await {
            Some(Ok(bytes)) => (decoder.feed(&bytes), false),
            // The caller's abort or the run's deadline is not a broken stream:
            // keep its code (E_ABORTED / E_TIMEOUT) so it is reported as such.
            Some(Err(e)) if e.failure_class() == FailureClass::Aborted => return Err(stopped(model, &acc, e)),
            // A deadline or a size limit keeps its own code: it is not a broken connection.
            Some(Err(e)) if matches!(e.failure_class(), FailureClass::Timeout | FailureClass::Malformed) => {
                return Err(stopped(model, &acc, e))
            }
            Some(Err(e)) => return Err(cut(model, &acc, &e.message, e.failure_class())),
            None => (decoder.finish(), true),
        };
        for d in &deltas.map_err(|e| tag(e, model))? {
            acc.push(d);
            on_delta(d);
        }
        let skipped = decoder.skipped();
        if skipped.count > MAX_MALFORMED_EVENTS {
            let why = format!("{} unreadable events (more than {MAX_MALFORMED_EVENTS})", skipped.count);
            return Err(malformed(model, &acc, &why, &skipped.last));
        }
        // Pings and comments keep a silent stream alive; this deadline
        // does not count them, only answer text or a tool call.
        if let Some(by) = first_token_by {
            if !acc.has_output() && at.clock.now_ms() > by {
                let ms = at.config.timeouts.first_token_ms.unwrap_or(0.0);
                return Err(tag(
                    CascadeError::new(
                        ErrorCode::Timeout,
                        format!("no answer text within timeouts.firstTokenMs ({} ms) of sending", Plain(ms)),
                    )
                    .with_class(FailureClass::Timeout),
                    model,
                ));
            }
        }
        if !end && !acc.saw_terminator() && stop_early(acc.text()) {
            let count = decoder.skipped().count;
            return Ok(Completion { malformed_events: count, ..acc.into_completion() });
        }
        // Stop at the wire's terminator: some servers keep the socket open.
        if end || acc.saw_terminator() {
            break;
        }
    }
    let skipped = decoder.skipped();
    if skipped.count > 0 && !skipped.covered {
        // Nothing readable followed: the skipped event may have been the
        // end of the answer, so what came before cannot pass as all of it.
        let why = format!("{} unreadable event(s), the last with nothing readable after it", skipped.count);
        return Err(malformed(model, &acc, &why, &skipped.last));
    }
    if !acc.is_complete() {
        return Err(cut(
            model,
            &acc,
            "the stream ended before the provider said it was finished",
            FailureClass::Transport,
        ));
    }
    let count = skipped.count;
    unless_filtered(model, Completion { malformed_events: count, ..acc.into_completion() })
}

/// More unreadable events than this in one stream is not a stray line: the
/// stream is not what its wire promises.
const MAX_MALFORMED_EVENTS: u32 = 8;

fn malformed(model: &ModelConfig, acc: &Accumulator, why: &str, last: &str) -> CascadeError {
    let shown = acc.text().chars().count();
    let e = CascadeError::bad_response(format!(
        "{} ({}) stream failed after {shown} characters: {why}; last: {last}",
        model.provider, model.name
    ));
    tag(e, model)
}

/// An answer the provider's filter stopped (finish reason `content_filter`,
/// Anthropic's `refusal` stop) is no answer: its text ends where the filter
/// struck, and no other model should be asked to get round the provider's
/// decision. It becomes `E_CONTENT_FILTER` with the provider's reason, and
/// keeps its usage, since those tokens are billed. A model that declines in
/// words (OpenAI's `refusal`) has answered: that stays a result.
fn unless_filtered(model: &ModelConfig, c: Completion) -> Result<Completion, CascadeError> {
    if c.finish_reason != FinishReason::ContentFilter || c.refusal.is_some() {
        return Ok(c);
    }
    let why = c.stop_detail.as_deref().unwrap_or("no reason given beyond the finish reason");
    let e = CascadeError::new(
        ErrorCode::ContentFilter,
        format!(
            "{} ({}) stopped the answer with its content filter after {} characters: {why}",
            model.provider,
            model.name,
            c.content.chars().count()
        ),
    )
    .with_class(FailureClass::ContentFilter)
    .with_billed(c.usage);
    Err(tag(e, model))
}

/// OpenRouter's price catalogue for `model`'s base URL.
pub async fn load_prices<H: HttpClient>(http: &H, model: &ModelConfig) -> Result<PriceList, CascadeError> {
    let resp = http.send(openrouter::models_request(model)).await.map_err(|e| tag(e, model))?;
    if !(200..300).contains(&resp.status) {
        return Err(providers::error_from_status(model, resp.status, &resp.headers, &resp.body));
    }
    openrouter::parse_prices(&resp.body).map_err(|e| tag(e, model))
}

/// One connection check. A refused key or an unreachable server is an
/// answer (`ok: false`), not an error; only a bad config or the caller's own
/// abort is an `Err`.
pub async fn probe<H: HttpClient, C: Clock>(
    http: &H,
    clock: &C,
    model: &ModelConfig,
    check_name: bool,
) -> Result<ProbeResult, CascadeError> {
    let request = probe::build_probe(model).map_err(|e| tag(e, model))?;
    let url = request.url.clone();
    let t0 = clock.now_ms();
    let mut out = match http.send(request).await {
        Ok(resp) => probe::read_probe(model, &url, resp.status, &resp.body, check_name),
        Err(e) if e.code == ErrorCode::Aborted => return Err(tag(e, model)),
        Err(e) => probe::unreachable(model, &e),
    };
    // Microseconds of timer noise are not information.
    out.latency_ms = ((clock.now_ms() - t0).max(0.0) * 1000.0).round() / 1000.0;
    Ok(out)
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

/// The stream was stopped on purpose (the caller, a deadline, a limit): the
/// error keeps its code and class, with how far the answer had got.
fn stopped(model: &ModelConfig, acc: &Accumulator, e: CascadeError) -> CascadeError {
    let shown = acc.text().chars().count();
    let mut out = CascadeError::new(
        e.code,
        format!("{} ({}) stream stopped after {shown} characters: {}", model.provider, model.name, e.message),
    )
    .with_class(e.failure_class());
    out.status = e.status;
    tag(out, model)
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
