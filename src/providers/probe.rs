//! Connection checks (`testConnection`, `validateApiKey`): the cheapest call
//! each wire has that needs a valid key and costs no tokens, the models
//! list, and a yes/no with a reason a person can act on.

use crate::json_in::Json;
use crate::json_out::{JsonOut, ToJson};

use super::common::{base_headers, scrub_key_like};
use super::url::{anthropic_models_url, ollama_tags_url, openai_models_url};
use super::{anthropic, openrouter, Auth, WireFormat, PROVIDERS};
use crate::config::ModelConfig;
use crate::error::{redact, CascadeError};
use crate::http::HttpRequest;

/// How many model ids a probe reports; enough to eyeball, small to ship.
pub const MAX_LISTED: usize = 50;

#[derive(Clone, Debug, PartialEq)]
pub struct ProbeResult {
    pub ok: bool,
    /// The HTTP status, when the server answered at all.
    pub status: Option<u16>,
    /// Why, in one line; never contains the key.
    pub reason: String,
    pub latency_ms: f64,
    /// The first `MAX_LISTED` model ids the server listed.
    pub models: Option<Vec<String>>,
}

/// `{ok, status?, reason, latencyMs, models?}`; the latency as serde_json
/// wrote it when this was derived.
impl ToJson for ProbeResult {
    fn write_json(&self, o: &mut JsonOut) {
        o.begin_object();
        o.bool_field("ok", self.ok);
        if let Some(status) = self.status {
            o.u64_field("status", u64::from(status));
        }
        o.str_field("reason", &self.reason);
        o.key("latencyMs");
        o.float_exact(self.latency_ms);
        if let Some(models) = &self.models {
            o.key("models");
            o.begin_array();
            for m in models {
                o.str(m);
            }
            o.end_array();
        }
        o.end_object();
    }
}

/// The probe request for `model`'s wire. Custom (JS) providers have no wire
/// to probe, so they are refused as configuration errors.
pub fn build_probe(model: &ModelConfig) -> Result<HttpRequest, CascadeError> {
    match model.wire {
        WireFormat::OpenAi => {
            let mut headers = base_headers(model, Auth::Bearer);
            if openrouter::is_openrouter(model) {
                openrouter::attribution_headers(&mut headers);
            }
            Ok(HttpRequest::get(openai_models_url(&model.base_url), headers))
        }
        WireFormat::Anthropic => Ok(HttpRequest::get(anthropic_models_url(&model.base_url), anthropic::headers(model))),
        WireFormat::Ollama => Ok(HttpRequest::get(ollama_tags_url(&model.base_url), base_headers(model, Auth::Bearer))),
        WireFormat::Custom => {
            let known: Vec<&str> = PROVIDERS.iter().map(|p| p.id).collect();
            Err(CascadeError::config(format!(
                "provider {:?} is not a built-in provider, so there is no endpoint to check (expected one of {})",
                model.provider,
                known.join(", ")
            )))
        }
    }
}

/// Judge the probe's answer. `check_name`: say so when the configured model
/// is missing from the list (a typo there is the usual cause of a later 404).
pub fn read_probe(model: &ModelConfig, url: &str, status: u16, body: &[u8], check_name: bool) -> ProbeResult {
    let mut out = ProbeResult { ok: false, status: Some(status), reason: String::new(), latency_ms: 0.0, models: None };
    if !(200..300).contains(&status) {
        out.reason = refusal(model, url, status, body);
        return out;
    }
    let Some(ids) = Json::parse(body).ok().as_ref().and_then(model_ids) else {
        out.reason = clean(
            model,
            format!("HTTP {status} from {url}, but the body is not a models list; is baseUrl the API's base URL?"),
        );
        return out;
    };
    out.ok = true;
    out.reason = format!("connected: {} answered HTTP {status} and lists {} models", model.provider, ids.len());
    if check_name && !ids.is_empty() && !ids.iter().any(|id| id.eq_ignore_ascii_case(&model.name)) {
        out.reason.push_str(&format!("; {:?} is not among them", model.name));
    }
    out.models = Some(ids.into_iter().take(MAX_LISTED).collect());
    out.reason = clean(model, out.reason);
    out
}

/// The probe could not reach the server (network, timeout, abort).
pub fn unreachable(model: &ModelConfig, err: &CascadeError) -> ProbeResult {
    ProbeResult {
        ok: false,
        status: None,
        reason: clean(model, format!("could not reach {}: {}", model.provider, err.message)),
        latency_ms: 0.0,
        models: None,
    }
}

fn refusal(model: &ModelConfig, url: &str, status: u16, body: &[u8]) -> String {
    let err = super::error_from_status(model, status, &[], body);
    let why = match status {
        401 | 403 if model.api_key.is_none() => "the server wants an API key and none was given".to_string(),
        401 | 403 => format!("the API key was refused (invalid key or no access): {}", err.message),
        404 => format!("{url} does not exist; is baseUrl the API's base URL? ({})", err.message),
        _ => err.message,
    };
    clean(model, format!("HTTP {status}: {why}"))
}

/// Model ids from `{data: [{id}]}` (OpenAI, Anthropic, OpenRouter),
/// `{models: [{name}]}` (Ollama) or a bare array.
fn model_ids(v: &Json) -> Option<Vec<String>> {
    let list = v.get("data").or_else(|| v.get("models")).unwrap_or(v).as_array()?;
    Some(
        list.iter()
            .filter_map(|m| match m {
                Json::String(s) => Some(s.to_string()),
                Json::Object(_) => ["id", "name", "model"].iter().find_map(|k| m.get(k)?.as_str()).map(str::to_string),
                _ => None,
            })
            .collect(),
    )
}

/// A reason may quote the server: mask the key and anything shaped like one.
fn clean(model: &ModelConfig, text: String) -> String {
    redact(&scrub_key_like(&text), &model.secrets())
}
