//! Provider codecs: a request in, URL + headers + body out; a body or a
//! stream event in, neutral types out. Codecs never send anything.
//!
//! Services that speak the OpenAI wire (Groq, Together, vLLM, DeepSeek, ...)
//! share the OpenAI codec and differ only in the rows of `PROVIDERS`.

pub mod anthropic;
mod classify;
mod common;
pub mod custom;
pub mod ollama;
pub mod openai;
pub mod openrouter;
pub mod probe;
pub mod retry_after;
mod sse_wire;
mod status;
pub mod url;

pub use status::{error_from_status, error_from_status_at};

use crate::config::ModelConfig;
use crate::error::{CascadeError, ErrorCode, FailureClass};
use crate::http::HttpRequest;
use crate::types::{ChatRequest, Completion, StreamDelta};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WireFormat {
    OpenAi,
    Anthropic,
    Ollama,
    /// A provider written in JS: the wasm layer calls it directly.
    Custom,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Auth {
    /// `Authorization: Bearer KEY`
    Bearer,
    /// `x-api-key: KEY` (Anthropic)
    XApiKey,
}

#[derive(Clone, Copy, Debug)]
pub struct ProviderInfo {
    pub id: &'static str,
    pub wire: WireFormat,
    pub default_base_url: Option<&'static str>,
    /// Where the Node wrapper looks for a key when the config has none.
    pub env_var: Option<&'static str>,
    /// Where it looks for a base URL when the config has none, as the
    /// official SDKs do (`OPENAI_BASE_URL`, `ANTHROPIC_BASE_URL`).
    pub base_url_env_var: Option<&'static str>,
    pub auth: Auth,
    /// Whether the service returns token logprobs when asked.
    pub logprobs: bool,
}

const fn p(
    id: &'static str,
    wire: WireFormat,
    base: Option<&'static str>,
    env: Option<&'static str>,
    auth: Auth,
    logprobs: bool,
) -> ProviderInfo {
    ProviderInfo { id, wire, default_base_url: base, env_var: env, base_url_env_var: None, auth, logprobs }
}

/// A provider whose official SDK reads its base URL from `var`.
const fn sdk_base_url(mut info: ProviderInfo, var: &'static str) -> ProviderInfo {
    info.base_url_env_var = Some(var);
    info
}

use Auth::*;
use WireFormat::*;

pub const PROVIDERS: &[ProviderInfo] = &[
    sdk_base_url(
        p("openai", OpenAi, Some("https://api.openai.com/v1"), Some("OPENAI_API_KEY"), Bearer, true),
        "OPENAI_BASE_URL",
    ),
    sdk_base_url(
        p("anthropic", Anthropic, Some("https://api.anthropic.com/v1"), Some("ANTHROPIC_API_KEY"), XApiKey, false),
        "ANTHROPIC_BASE_URL",
    ),
    p("ollama", Ollama, Some("http://localhost:11434"), None, Bearer, false),
    p("groq", OpenAi, Some("https://api.groq.com/openai/v1"), Some("GROQ_API_KEY"), Bearer, false),
    p("together", OpenAi, Some("https://api.together.xyz/v1"), Some("TOGETHER_API_KEY"), Bearer, true),
    p("vllm", OpenAi, Some("http://localhost:8000/v1"), Some("VLLM_API_KEY"), Bearer, true),
    p("huggingface", OpenAi, Some("https://router.huggingface.co/v1"), Some("HF_TOKEN"), Bearer, false),
    p("deepseek", OpenAi, Some("https://api.deepseek.com/v1"), Some("DEEPSEEK_API_KEY"), Bearer, true),
    p("openrouter", OpenAi, Some("https://openrouter.ai/api/v1"), Some("OPENROUTER_API_KEY"), Bearer, false),
    p("litellm", OpenAi, Some("http://localhost:4000/v1"), Some("LITELLM_API_KEY"), Bearer, false),
    // Any OpenAI-compatible server: `baseUrl` is required.
    p("openai-compatible", OpenAi, None, None, Bearer, false),
];

pub fn lookup(id: &str) -> Option<&'static ProviderInfo> {
    PROVIDERS.iter().find(|p| p.id.eq_ignore_ascii_case(id))
}

/// Shape a request for `model`'s wire. `stream` selects the streaming form.
pub fn build_request(model: &ModelConfig, req: &ChatRequest, stream: bool) -> Result<HttpRequest, CascadeError> {
    match model.wire {
        OpenAi => openai::build_request(model, req, stream),
        Anthropic => anthropic::build_request(model, req, stream),
        Ollama => ollama::build_request(model, req, stream),
        Custom => Err(unregistered(model)),
    }
    .map_err(|e| tag(model, e))
}

/// A hosted API called with no key would only answer 401, after a round
/// trip and with a message that does not say where the key should have come
/// from. Refuse before sending, naming the variable. Only for the
/// provider's own endpoint: a custom `baseUrl` (a gateway, a local server)
/// may well need none, and a key in `headers` counts.
pub fn missing_key(model: &ModelConfig) -> Option<CascadeError> {
    let info = lookup(&model.provider)?;
    let var = info.env_var?;
    let official = info.default_base_url == Some(model.base_url.as_str())
        && !model.base_url.starts_with("http://localhost")
        && !model.base_url.starts_with("http://127.0.0.1");
    let in_headers = model
        .headers
        .iter()
        .any(|(k, _)| ["authorization", "x-api-key", "api-key"].iter().any(|h| k.eq_ignore_ascii_case(h)));
    if model.api_key.is_some() || in_headers || !official {
        return None;
    }
    Some(
        CascadeError::new(
            ErrorCode::Auth,
            format!(
                "{} ({}): no API key. Set {var} in the environment (in a Cloudflare Worker or on Vercel Edge, pass the environment as `env`: new CascadeAgent({{ models, env }})), or give this model an `apiKey`",
                model.provider, model.name
            ),
        )
        .with_class(FailureClass::Auth)
        .for_model(&model.provider, &model.name),
    )
}

/// Parse a successful (2xx) body.
pub fn parse_response(model: &ModelConfig, body: &[u8]) -> Result<Completion, CascadeError> {
    match model.wire {
        OpenAi => openai::parse_response_as(body, &model.provider),
        Anthropic => anthropic::parse_response(body),
        Ollama => ollama::parse_response(body),
        Custom => Err(unregistered(model)),
    }
    .map_err(|e| tag(model, e))
}

/// Turns a streamed body into neutral deltas, whatever way the bytes are split.
pub trait StreamDecoder {
    fn feed(&mut self, bytes: &[u8]) -> Result<Vec<StreamDelta>, CascadeError>;
    /// The body ended: flush what is buffered.
    fn finish(&mut self) -> Result<Vec<StreamDelta>, CascadeError>;
    /// The largest event to hold (`limits.maxEventBytes`), before the first
    /// `feed`. Decoders without a buffer of their own ignore it.
    fn limit_events(&mut self, _max_bytes: usize) {}
    /// The events that could not be read and were skipped so far.
    fn skipped(&self) -> &Skipped;
}

/// Events of a stream that were not JSON at all, skipped rather than
/// ending the answer: one garbled line from a proxy should not cost a
/// paid answer. The caller decides when there were too many, or when
/// nothing readable came after the last one (it may have been the end).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Skipped {
    pub count: u32,
    /// A readable event carrying part of the answer came after the last skipped one.
    pub covered: bool,
    /// Why the last one could not be read (a short excerpt).
    pub last: String,
}

impl Skipped {
    pub(crate) fn skip(&mut self, why: String) {
        self.count = self.count.saturating_add(1);
        self.covered = false;
        // The excerpt is the provider's text: it may echo a credential.
        self.last = common::scrub_key_like(&why);
    }

    /// A readable event came; `carried` when it held any delta.
    pub(crate) fn read_after(&mut self, carried: bool) {
        if carried && self.count > 0 {
            self.covered = true;
        }
    }
}

pub fn stream_decoder(model: &ModelConfig) -> Result<Box<dyn StreamDecoder>, CascadeError> {
    let inner: Box<dyn StreamDecoder> = match model.wire {
        OpenAi => Box::new(openai::stream_parser(&model.provider)),
        Anthropic => Box::new(anthropic::StreamParser::default()),
        Ollama => Box::new(ollama::StreamParser::default()),
        Custom => return Err(unregistered(model)),
    };
    Ok(Box::new(Tagged { inner, model: model.clone() }))
}

/// Name the model on a codec error and mask its key: codecs quote provider
/// text, and a misbehaving proxy may echo request headers back.
fn tag(model: &ModelConfig, err: CascadeError) -> CascadeError {
    let mut err = if err.provider.is_none() { err.for_model(&model.provider, &model.name) } else { err };
    err.message = common::scrub_key_like(&err.message);
    err.redacted(&model.secrets())
}

/// A stream decoder whose errors go through `tag`.
struct Tagged {
    inner: Box<dyn StreamDecoder>,
    model: ModelConfig,
}

impl StreamDecoder for Tagged {
    fn feed(&mut self, bytes: &[u8]) -> Result<Vec<StreamDelta>, CascadeError> {
        self.inner.feed(bytes).map_err(|e| tag(&self.model, e))
    }
    fn limit_events(&mut self, max_bytes: usize) {
        self.inner.limit_events(max_bytes);
    }
    fn finish(&mut self) -> Result<Vec<StreamDelta>, CascadeError> {
        self.inner.finish().map_err(|e| tag(&self.model, e))
    }
    fn skipped(&self) -> &Skipped {
        self.inner.skipped()
    }
}

/// A model whose provider is neither built in nor registered as a JS provider.
pub fn unregistered(model: &ModelConfig) -> CascadeError {
    CascadeError::config(format!(
        "provider {:?} (model {:?}) is not a built-in provider and no custom provider is registered under that name",
        model.provider, model.name
    ))
}
