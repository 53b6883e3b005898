//! OpenRouter: an OpenAI-compatible gateway, so chat goes through the OpenAI
//! codec. What is OpenRouter's own lives here: the attribution headers, and
//! its public catalogue (`GET /models`), which is where prices for the
//! hundreds of `vendor/model` ids come from, since no static table keeps up.

use std::collections::HashMap;

use crate::json_in::Json;

use super::common::{base_headers, default_header, read_json};
use super::url::openai_models_url;
use super::Auth;
use crate::config::ModelConfig;
use crate::error::CascadeError;
use crate::http::HttpRequest;
use crate::pricing::Price;

/// OpenRouter credits traffic to an app by these two headers.
pub const REFERER_HEADER: &str = "HTTP-Referer";
pub const TITLE_HEADER: &str = "X-Title";
pub const DEFAULT_REFERER: &str = "https://github.com/cascade-edge/cascade-edge";
pub const DEFAULT_TITLE: &str = "cascade-edge";

/// Prices by model id, USD per 1M tokens.
pub type PriceList = HashMap<String, Price>;

pub fn is_openrouter(model: &ModelConfig) -> bool {
    model.provider.eq_ignore_ascii_case("openrouter")
}

/// Add the attribution headers unless the model's `headers` set them. An
/// empty value there means "send none": an app may not want to be named.
pub(crate) fn attribution_headers(headers: &mut Vec<(String, String)>) {
    default_header(headers, REFERER_HEADER, DEFAULT_REFERER);
    default_header(headers, TITLE_HEADER, DEFAULT_TITLE);
    headers.retain(|(k, v)| {
        let ours = k.eq_ignore_ascii_case(REFERER_HEADER) || k.eq_ignore_ascii_case(TITLE_HEADER);
        !(ours && v.trim().is_empty())
    });
}

/// `GET {base}/models`. The catalogue is public, but the key goes along so
/// that a gateway in front of OpenRouter that checks keys lets it through.
pub fn models_request(model: &ModelConfig) -> HttpRequest {
    let mut headers = base_headers(model, Auth::Bearer);
    attribution_headers(&mut headers);
    HttpRequest::get(openai_models_url(&model.base_url), headers)
}

/// Parse `{data: [{id, pricing: {prompt, completion, ...}}]}`. Prices there
/// are USD per token, as decimal strings. Entries with a missing, unreadable
/// or negative price (OpenRouter's `openrouter/auto` says `-1`: "depends on
/// the routed model") are left out rather than guessed.
pub fn parse_prices(body: &[u8]) -> Result<PriceList, CascadeError> {
    let v = read_json(body, "openrouter models")?;
    let data = v.get("data").and_then(Json::as_array).ok_or_else(|| {
        CascadeError::bad_response("openrouter models: expected {data: [...]} with one entry per model")
    })?;
    let mut out = PriceList::with_capacity(data.len());
    for entry in data {
        let Some(id) = entry.get("id").and_then(Json::as_str).filter(|s| !s.is_empty()) else { continue };
        let pricing = entry.field("pricing");
        let (Some(input), Some(output)) = (per_million(pricing.get("prompt")), per_million(pricing.get("completion")))
        else {
            continue;
        };
        let mut price = Price::per_million(input, output);
        price.cache_read_per_m = per_million(pricing.get("input_cache_read"));
        price.cache_write_per_m = per_million(pricing.get("input_cache_write"));
        out.insert(id.to_string(), price);
    }
    Ok(out)
}

/// The price of `name`: exact id first, then ignoring case (users type
/// `Meta-Llama/...`; OpenRouter ids are lower case).
pub fn price_for(list: &PriceList, name: &str) -> Option<Price> {
    let name = name.trim();
    list.get(name).copied().or_else(|| list.iter().find(|(id, _)| id.eq_ignore_ascii_case(name)).map(|(_, p)| *p))
}

/// A per-token price (string or number) as USD per 1M tokens, rounded to a
/// nano-dollar so that "0.000001" reads back as exactly 1.
fn per_million(v: Option<&Json>) -> Option<f64> {
    let v = v?;
    let per_token = match v.as_str() {
        Some(s) => crate::decimal::parse_f64(s.trim())?,
        None => v.as_f64()?,
    };
    if !per_token.is_finite() || per_token < 0.0 {
        return None;
    }
    Some((per_token * 1e6 * 1e9).round() / 1e9)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_are_per_million_and_bad_entries_are_skipped() {
        let body = br#"{"data":[
            {"id":"meta-llama/llama-3.1-8b-instruct","pricing":{"prompt":"0.00000002","completion":"0.00000005"}},
            {"id":"anthropic/claude-3.5-sonnet","pricing":{"prompt":"0.000003","completion":"0.000015",
              "input_cache_read":"0.0000003","input_cache_write":"0.00000375"}},
            {"id":"openrouter/auto","pricing":{"prompt":"-1","completion":"-1"}},
            {"id":"free/model","pricing":{"prompt":"0","completion":"0"}},
            {"id":"broken","pricing":{"prompt":"n/a"}},
            {"pricing":{"prompt":"1","completion":"1"}},
            {"id":"numeric","pricing":{"prompt":0.000001,"completion":0.000002}}
        ]}"#;
        let list = parse_prices(body).unwrap();
        assert_eq!(list.len(), 4);
        let llama = list["meta-llama/llama-3.1-8b-instruct"];
        assert_eq!((llama.input_per_m, llama.output_per_m), (0.02, 0.05));
        let sonnet = list["anthropic/claude-3.5-sonnet"];
        assert_eq!((sonnet.input_per_m, sonnet.output_per_m), (3.0, 15.0));
        assert_eq!((sonnet.cache_read_per_m, sonnet.cache_write_per_m), (Some(0.3), Some(3.75)));
        assert_eq!(list["free/model"].blended(), 0.0);
        assert_eq!(list["numeric"].output_per_m, 2.0);
        assert!(price_for(&list, "Meta-Llama/Llama-3.1-8B-Instruct").is_some());
        assert!(price_for(&list, "openrouter/auto").is_none());
    }

    #[test]
    fn not_a_catalogue_is_an_error() {
        assert!(parse_prices(b"<html>").is_err());
        assert!(parse_prices(br#"{"models":[]}"#).is_err());
    }

    #[test]
    fn attribution_can_be_renamed_or_dropped() {
        let mut h = vec![("x-title".to_string(), "My App".to_string()), ("HTTP-Referer".to_string(), " ".to_string())];
        attribution_headers(&mut h);
        assert_eq!(h, vec![("x-title".to_string(), "My App".to_string())]);
        let mut h = Vec::new();
        attribution_headers(&mut h);
        assert_eq!(h.len(), 2);
    }
}
