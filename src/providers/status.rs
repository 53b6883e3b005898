//! Classifying an HTTP error status into a stable code and a failure class,
//! the same way for every wire, with the provider's own message kept (redacted).

use crate::json_in::Json;

use crate::config::ModelConfig;
use crate::error::{CascadeError, ErrorCode, FailureClass};

/// Build the error for a non-2xx answer. The provider's message is kept,
/// shortened and with the key masked, since it is usually the most useful
/// thing a user can read ("model not found", "max_tokens too large").
pub fn error_from_status(model: &ModelConfig, status: u16, headers: &[(String, String)], body: &[u8]) -> CascadeError {
    error_from_status_at(model, status, headers, body, None)
}

/// `error_from_status` with the wall clock (Unix ms), so that a
/// `Retry-After` given as an HTTP date becomes a wait; without it such a
/// date leaves `retry_after_ms` unset.
pub fn error_from_status_at(
    model: &ModelConfig,
    status: u16,
    headers: &[(String, String)],
    body: &[u8],
    now_epoch_ms: Option<f64>,
) -> CascadeError {
    let mut detail = provider_message(body);
    let (code, class, what) = match status {
        400 | 404 | 413 | 422 => (ErrorCode::ProviderStatus, FailureClass::Client, "rejected the request"),
        401 | 403 => (ErrorCode::Auth, FailureClass::Auth, "refused the API key"),
        402 => (ErrorCode::Budget, FailureClass::Auth, "reports insufficient credits"),
        408 => (ErrorCode::Timeout, FailureClass::Timeout, "timed out"),
        429 => (ErrorCode::RateLimited, FailureClass::RateLimited, "is rate limiting"),
        500..=599 => (ErrorCode::ProviderUnavailable, FailureClass::Server, "failed"),
        _ => (ErrorCode::ProviderUnavailable, FailureClass::Server, "answered with an unexpected status"),
    };
    let what = if super::openrouter::is_openrouter(model) {
        if let Some(upstream) = upstream_provider(body) {
            detail = if detail.is_empty() {
                format!("upstream provider: {upstream}")
            } else {
                format!("{detail} (upstream provider: {upstream})")
            };
        }
        openrouter_wording(status).unwrap_or(what)
    } else {
        what
    };
    let mut msg = format!("{} ({}) {} with HTTP {}", model.provider, model.name, what, status);
    if !detail.is_empty() {
        msg.push_str(": ");
        msg.push_str(&detail);
    }
    let mut err = CascadeError::new(code, msg)
        .with_class(class)
        .with_status(status)
        .for_model(&model.provider, &model.name)
        .redacted(&model.secrets());
    err.retry_after_ms = super::retry_after::from_headers(headers, now_epoch_ms);
    err
}

/// OpenRouter's documented statuses, said the way its docs mean them. The
/// codes and classes stay those of every other provider: 402 is a budget
/// error, 502/503 escalate like any server failure.
fn openrouter_wording(status: u16) -> Option<&'static str> {
    Some(match status {
        400 => "rejected the request (bad parameters or an unknown model id)",
        401 => "refused the API key (invalid, expired or disabled key)",
        402 => "reports insufficient credits (add credits, or pick a free model)",
        429 => "is rate limiting (a per-model or free-tier limit)",
        502 => "got no valid answer from the model's upstream provider",
        503 => "has no provider available for this model",
        _ => return None,
    })
}

/// OpenRouter names the upstream that failed in `error.metadata.provider_name`.
fn upstream_provider(body: &[u8]) -> Option<String> {
    let v = Json::parse(body).ok()?;
    let name = v.pointer("/error/metadata/provider_name")?.as_str()?;
    Some(name.chars().take(60).collect())
}

/// The human part of an error body, in any of the common envelopes.
fn provider_message(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let msg = match Json::parse_str(&text) {
        Ok(v) => v
            .pointer("/error/message")
            .or_else(|| v.get("error").filter(|e| e.as_str().is_some()))
            .or_else(|| v.get("message"))
            .or_else(|| v.get("detail"))
            .and_then(Json::as_str)
            .map(str::to_string)
            .unwrap_or_else(|| text.trim().to_string()),
        Err(_) => text.trim().to_string(),
    };
    let mut out: String = msg.chars().take(300).collect();
    if msg.chars().count() > 300 {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model() -> ModelConfig {
        let mut m = ModelConfig::new("gpt-4o-mini", "openai").unwrap();
        m.api_key = Some("sk-secret-key-123".into());
        m
    }

    #[test]
    fn classifies_statuses() {
        let m = model();
        assert_eq!(error_from_status(&m, 400, &[], b"{}").failure_class(), FailureClass::Client);
        assert_eq!(error_from_status(&m, 503, &[], b"").failure_class(), FailureClass::Server);
        let e = error_from_status(&m, 429, &[("Retry-After".into(), "2".into())], b"");
        assert_eq!(e.code, ErrorCode::RateLimited);
        assert_eq!(e.retry_after_ms, Some(2000));
        assert_eq!(error_from_status(&m, 401, &[], b"").code, ErrorCode::Auth);
    }

    #[test]
    fn openrouter_statuses_read_clearly() {
        let mut m = ModelConfig::new("meta-llama/llama-3.1-8b-instruct", "openrouter").unwrap();
        m.api_key = Some("sk-or-v1-secret-key-123".into());
        let e = error_from_status(&m, 402, &[], br#"{"error":{"code":402,"message":"Insufficient credits"}}"#);
        assert_eq!((e.code, e.failure_class()), (ErrorCode::Budget, FailureClass::Auth));
        assert!(e.message.contains("insufficient credits") && e.message.contains("HTTP 402"), "{}", e.message);
        let body = br#"{"error":{"code":503,"message":"No available provider","metadata":{"provider_name":"Lambda"}}}"#;
        let e = error_from_status(&m, 503, &[], body);
        assert_eq!((e.code, e.failure_class()), (ErrorCode::ProviderUnavailable, FailureClass::Server));
        assert!(e.message.contains("no provider available") && e.message.contains("Lambda"), "{}", e.message);
        let e = error_from_status(&m, 502, &[], b"");
        assert_eq!(e.failure_class(), FailureClass::Server);
        assert!(e.message.contains("upstream provider"), "{}", e.message);
        assert_eq!(error_from_status(&m, 400, &[], b"").failure_class(), FailureClass::Client);
        assert_eq!(error_from_status(&m, 401, &[], b"").code, ErrorCode::Auth);
        assert_eq!(error_from_status(&m, 429, &[], b"").code, ErrorCode::RateLimited);
    }

    #[test]
    fn keeps_provider_message_but_never_the_key() {
        let body = br#"{"error":{"message":"Incorrect API key provided: sk-secret-key-123"}}"#;
        let e = error_from_status(&model(), 401, &[], body);
        assert!(e.message.contains("Incorrect API key"));
        assert!(!e.message.contains("sk-secret-key-123"), "{}", e.message);
    }

    #[test]
    fn retry_after_ms_wins_over_seconds() {
        let m = ModelConfig::new("gpt-4o-mini", "openai").unwrap();
        let h = vec![("retry-after-ms".to_string(), "250".to_string()), ("Retry-After".to_string(), "1".to_string())];
        assert_eq!(error_from_status(&m, 429, &h, b"").retry_after_ms, Some(250));
    }

    #[test]
    fn retry_after_dates_need_the_wall_clock() {
        let m = ModelConfig::new("gpt-4o-mini", "openai").unwrap();
        let h = vec![("Retry-After".to_string(), "Wed, 21 Oct 2026 07:28:00 GMT".to_string())];
        assert_eq!(error_from_status(&m, 429, &h, b"").retry_after_ms, None);
        let now = 1_792_567_680_000.0 - 12_000.0;
        assert_eq!(error_from_status_at(&m, 429, &h, b"", Some(now)).retry_after_ms, Some(12_000));
    }
}
