//! Small pieces every wire codec needs: headers, JSON access that never
//! panics, and the error shapes codecs return.

use crate::value::{Map, Value};

use super::classify::{classify, Refusal};
use super::{lookup, Auth};
use crate::config::ModelConfig;
use crate::error::{CascadeError, ErrorCode, FailureClass};
use crate::json_in::Json;
use crate::json_out::ToJson;
use crate::stream::preview;

/// The credential header for `model`, then the user's headers, which win
/// over ours (a gateway may want its own `Authorization` or `api-key`).
pub(crate) fn base_headers(model: &ModelConfig, default_auth: Auth) -> Vec<(String, String)> {
    let mut headers = Vec::new();
    if let Some(key) = model.api_key.as_deref() {
        match lookup(&model.provider).map(|i| i.auth).unwrap_or(default_auth) {
            Auth::Bearer => headers.push(("authorization".to_string(), ["Bearer ", key].concat())),
            Auth::XApiKey => headers.push(("x-api-key".to_string(), key.to_string())),
        }
    }
    for (k, v) in &model.headers {
        set_header(&mut headers, k, v);
    }
    headers
}

/// Set a header, replacing any of the same name (case-insensitively).
pub(crate) fn set_header(headers: &mut Vec<(String, String)>, name: &str, value: &str) {
    headers.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
    headers.push((name.to_string(), value.to_string()));
}

/// Add a header only when the user did not give one of that name.
pub(crate) fn default_header(headers: &mut Vec<(String, String)>, name: &str, value: &str) {
    if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case(name)) {
        headers.push((name.to_string(), value.to_string()));
    }
}

/// Read a provider's JSON body, naming the wire when it is not JSON.
pub(crate) fn read_json<'a>(body: &'a [u8], wire: &str) -> Result<Json<'a>, CascadeError> {
    Json::parse(body).map_err(|e| {
        CascadeError::bad_response(format!(
            "{wire}: response body is not valid JSON ({e}): {}",
            preview(&String::from_utf8_lossy(body), 120)
        ))
    })
}

/// The message of an error envelope (`{"error": {...}}`, `{"error": "..."}`,
/// Anthropic's `{"type":"error"}`), if `v` is one. Some gateways answer
/// 200 with an error body, so success paths must check too.
pub(crate) fn envelope_error(v: &Json) -> Option<String> {
    let err = match v.get("error") {
        Some(Json::Null) | None if v.get("type").and_then(Json::as_str) == Some("error") => {
            return Some("unknown error".to_string())
        }
        Some(Json::Null) | None => return None,
        Some(e) => e,
    };
    let msg = match err {
        Json::String(s) => s.to_string(),
        Json::Object(_) => {
            let message = err.get("message").and_then(Json::as_str).unwrap_or("unknown error");
            match err.get("type").or_else(|| err.get("code")).and_then(Json::as_str) {
                Some(kind) => format!("{kind}: {message}"),
                None => message.to_string(),
            }
        }
        other => other.to_json(),
    };
    Some(preview(&msg, 300))
}

/// A failure reported inside an otherwise healthy stream: the provider broke
/// mid-answer, so another tier is worth trying.
pub(crate) fn stream_error(wire: &str, message: &str) -> CascadeError {
    // `wire` is the configured provider's name for OpenAI-compatible
    // services, so a Groq failure does not read as OpenAI's.
    CascadeError::new(ErrorCode::Stream, format!("{wire}: stream reported an error: {message}"))
        .with_class(FailureClass::Server)
}

/// An error a provider reported inside a 2xx answer (a body, or an event
/// of a stream). A prompt too long or a filtered request keeps its meaning
/// there, as behind an error status (Azure reports its filter in a stream
/// event); anything else is `otherwise`.
pub(crate) fn reported_error(wire: &str, v: &Json, message: &str, otherwise: CascadeError) -> CascadeError {
    match classify(Some(v), message) {
        Some(Refusal::ContextLength { window }) => CascadeError::new(
            ErrorCode::ContextLength,
            format!("{wire}: the prompt is longer than the model's context window: {message}"),
        )
        .with_class(FailureClass::ContextLength)
        .with_stated_window(window),
        Some(Refusal::ContentFilter { detail }) => {
            let flagged = detail.map(|d| format!(" ({d})")).unwrap_or_default();
            CascadeError::new(
                ErrorCode::ContentFilter,
                format!("{wire}: the provider's content filter blocked the request: {message}{flagged}"),
            )
            .with_class(FailureClass::ContentFilter)
        }
        None => otherwise,
    }
}

pub(crate) fn oversized_event(wire: &str) -> CascadeError {
    CascadeError::new(
        ErrorCode::Stream,
        format!("{wire}: a stream event was larger than limits.maxEventBytes; the stream was stopped"),
    )
    .with_class(FailureClass::Malformed)
}

/// A token count at `path`. Absent or `null` is 0: servers leave out what
/// they do not track. Anything else must be a whole, non-negative number
/// that a float can still tell apart from its neighbours (`7.0` is seven).
/// A count such as `1e400`, `-3`, `12.5`, a million digits or a string means
/// the body is not what the wire promises; reading it as 0 would price a
/// paid call as free and reading it as "huge" would blow a budget, so the
/// whole response is rejected as malformed and the cascade moves on, the
/// same way for every codec and both paths.
pub(crate) fn count_at(v: &Json, path: &str, wire: &str) -> Result<u64, CascadeError> {
    match v.pointer(path) {
        None | Some(Json::Null) => Ok(0),
        Some(n) => whole_count(n).ok_or_else(|| {
            CascadeError::bad_response(format!(
                "{wire}: token count {path} is {}, not a whole non-negative number",
                preview(&n.to_json(), 40)
            ))
        }),
    }
}

/// 2^53: past it, a float no longer names a single whole number.
const MAX_EXACT_FLOAT: f64 = 9_007_199_254_740_992.0;

pub(crate) fn whole_count(n: &Json) -> Option<u64> {
    if let Some(u) = n.as_u64() {
        return Some(u);
    }
    let f = n.as_f64()?;
    // In range and whole, so the conversion is exact.
    (f.is_finite() && f >= 0.0 && f.fract() == 0.0 && f <= MAX_EXACT_FLOAT).then_some(f as u64)
}

pub(crate) fn str_at<'v>(v: &'v Json, path: &str) -> Option<&'v str> {
    v.pointer(path).and_then(Json::as_str)
}

/// Tool-call arguments as an object, for wires that want JSON rather than
/// text. A call whose text did not parse becomes `{}`: those wires reject a
/// non-object, and the original call already failed on the model's side.
pub(crate) fn arguments_object(call: &crate::types::ToolCall) -> Value {
    match &call.arguments {
        Some(v @ Value::Object(_)) => v.clone(),
        _ => Value::Object(Map::new()),
    }
}

/// Tool-call arguments from a provider as text; a string is already text.
pub(crate) fn raw_arguments(v: Option<&Json>) -> String {
    match v {
        None | Some(Json::Null) => String::new(),
        Some(Json::String(s)) => s.to_string(),
        Some(other) => other.to_json(),
    }
}

/// Prefixes of the API keys users are likely to hold (OpenAI, Anthropic,
/// Groq, Hugging Face, xAI, OpenRouter, ...).
const KEY_PREFIXES: &[&str] = &["sk-", "sk_", "gsk_", "hf_", "xai-", "pk-", "rk-", "key-"];

/// Mask anything that looks like an API key or a bearer token in text quoted
/// from a provider. The configured key is masked separately; this catches a
/// proxy echoing some other credential (a gateway's own key, a user header).
pub(crate) fn scrub_key_like(text: &str) -> String {
    let is_key_char = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.';
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut after_bearer = false;
    while !rest.is_empty() {
        let start = rest.find(is_key_char).unwrap_or(rest.len());
        let (gap, tail) = rest.split_at(start);
        out.push_str(gap);
        let end = tail.find(|c: char| !is_key_char(c)).unwrap_or(tail.len());
        let (word, tail) = tail.split_at(end);
        let key_like = word.len() >= 16 && KEY_PREFIXES.iter().any(|p| word.starts_with(p));
        if !word.is_empty() && (key_like || (after_bearer && word.len() >= 8)) {
            out.push_str("[REDACTED]");
        } else {
            out.push_str(word);
        }
        if !word.is_empty() {
            after_bearer = word.eq_ignore_ascii_case("bearer");
        }
        rest = tail;
    }
    out
}

/// A request's JSON body as a `Value`, for the codec tests, after checking
/// that no key appears twice at the top: a `Value` would silently keep the
/// last one, and a server might take either.
#[cfg(test)]
pub(crate) fn sent_body(req: &crate::http::HttpRequest) -> Value {
    let text = req.body.as_deref().unwrap_or("");
    if let Ok(Json::Object(fields)) = Json::parse_str(text) {
        let mut keys: Vec<&str> = fields.iter().map(|(k, _)| k.as_ref()).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), fields.len(), "a key written twice: {text}");
    }
    crate::value::from_str(text).unwrap_or(Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_walk_objects_and_arrays() {
        let v = Json::parse(br#"{"a": {"b": [10, {"c": "x"}]}, "": 1}"#).unwrap();
        assert_eq!(count_at(&v, "/a/b/0", "t").ok(), Some(10));
        assert_eq!(str_at(&v, "/a/b/1/c"), Some("x"));
        assert_eq!(count_at(&v, "/a/b/0/c", "t").ok(), Some(0));
        assert!(count_at(&v, "/a/b/1/c", "t").is_err());
        assert_eq!(str_at(&v, "/a/b/2"), None);
        assert_eq!(v.pointer("/a/b/x"), None);
        assert_eq!(v.pointer(""), Some(&v));
    }

    #[test]
    fn counts_are_whole_non_negative_numbers_or_malformed() {
        let count = |n: &str| count_at(&Json::parse_str(&format!("{{\"n\": {n}}}")).unwrap(), "/n", "t").ok();
        assert_eq!(count("12"), Some(12));
        assert_eq!(count("7.0"), Some(7));
        assert_eq!(count("1e3"), Some(1000));
        assert_eq!(count("null"), Some(0));
        assert_eq!(count("18446744073709551615"), Some(u64::MAX));
        for bad in ["1e400", "-3", "12.5", "18446744073709551616", "1e300", "\"12\"", "true", "[1]"] {
            assert_eq!(count(bad), None, "{bad}");
        }
    }

    #[test]
    fn envelope_shapes() {
        let envelope = |text: &str| envelope_error(&Json::parse_str(text).unwrap());
        assert_eq!(envelope(r#"{"choices": []}"#), None);
        assert_eq!(envelope(r#"{"error": null, "choices": []}"#), None);
        assert_eq!(envelope(r#"{"error": "model not loaded"}"#).as_deref(), Some("model not loaded"));
        assert_eq!(
            envelope(r#"{"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}"#).as_deref(),
            Some("overloaded_error: Overloaded")
        );
        assert_eq!(envelope(r#"{"error": {"code": 42, "message": "m"}}"#).as_deref(), Some("m"));
        assert_eq!(envelope(r#"{"error": 503}"#).as_deref(), Some("503"));
        assert_eq!(envelope(r#"{"type": "error"}"#).as_deref(), Some("unknown error"));
    }

    #[test]
    fn key_like_words_are_masked() {
        let text = "Incorrect API key provided: sk-proj-abcdEFGH12345678. Authorization: Bearer abcdefgh12345";
        let got = scrub_key_like(text);
        assert_eq!(got, "Incorrect API key provided: [REDACTED] Authorization: Bearer [REDACTED]");
        assert_eq!(scrub_key_like("model sk-1 not found; café ☕"), "model sk-1 not found; café ☕");
        assert_eq!(scrub_key_like("toolu_01A09q90qw90lq917835lq9"), "toolu_01A09q90qw90lq917835lq9");
    }

    #[test]
    fn user_headers_win_case_insensitively() {
        let mut m = ModelConfig::new("m", "groq").unwrap_or_else(|e| panic!("{e}"));
        m.api_key = Some("k-123".into());
        m.headers = vec![("Authorization".into(), "Custom x".into())];
        let h = base_headers(&m, Auth::Bearer);
        assert_eq!(h, vec![("Authorization".to_string(), "Custom x".to_string())]);
    }
}
