//! Classifying an HTTP error status into a stable code and a failure class,
//! the same way for every wire, with the provider's own message kept (redacted).

use super::classify::{classify, Refusal};
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
    let (mut detail, refusal) = provider_message(body);
    let window = match &refusal {
        Some(Refusal::ContextLength { window }) => *window,
        _ => None,
    };
    let (code, class, what) = match (status, refusal) {
        // Credentials, credit and rate limits keep their own meaning
        // whatever the body says ("tokens per minute" is no context window).
        (401 | 403, _) => (ErrorCode::Auth, FailureClass::Auth, "refused the API key"),
        (402, _) => (ErrorCode::Budget, FailureClass::Auth, "reports insufficient credits"),
        (429, _) => (ErrorCode::RateLimited, FailureClass::RateLimited, "is rate limiting"),
        // Whatever the status (llama.cpp sends 500 for it): resending the
        // same prompt cannot help, a larger window may.
        (_, Some(Refusal::ContextLength { .. })) => (
            ErrorCode::ContextLength,
            FailureClass::ContextLength,
            "refused the request: the prompt is longer than its context window",
        ),
        (_, Some(Refusal::ContentFilter { detail: flagged })) => {
            if let Some(f) = flagged {
                detail = if detail.is_empty() { f } else { format!("{detail} ({f})") };
            }
            (ErrorCode::ContentFilter, FailureClass::ContentFilter, "blocked the request with its content filter")
        }
        (400 | 404 | 413 | 422, None) => (ErrorCode::ProviderStatus, FailureClass::Client, "rejected the request"),
        (408, None) => (ErrorCode::Timeout, FailureClass::Timeout, "timed out"),
        (500..=599, None) => (ErrorCode::ProviderUnavailable, FailureClass::Server, "failed"),
        (_, None) => (ErrorCode::ProviderUnavailable, FailureClass::Server, "answered with an unexpected status"),
    };
    let what = if super::openrouter::is_openrouter(model) {
        if let Some(upstream) = upstream_provider(body) {
            detail = if detail.is_empty() {
                format!("upstream provider: {upstream}")
            } else {
                format!("{detail} (upstream provider: {upstream})")
            };
        }
        let refused = matches!(code, ErrorCode::ContextLength | ErrorCode::ContentFilter);
        openrouter_wording(status).filter(|_| !refused).unwrap_or(what)
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
    err.retry_after_ms =
        super::retry_after::from_headers(headers, now_epoch_ms).map(|ms| u32::try_from(ms).unwrap_or(u32::MAX));
    err.with_stated_window(window.filter(|_| code == ErrorCode::ContextLength))
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

/// The human part of an error body, in any of the common envelopes, and
/// whether it is one of the refusals `classify` tells apart (read from the
/// whole message, before it is shortened).
fn provider_message(body: &[u8]) -> (String, Option<Refusal>) {
    let text = String::from_utf8_lossy(body);
    let parsed = Json::parse_str(&text).ok();
    let msg = match &parsed {
        Some(v) => v
            .pointer("/error/message")
            .or_else(|| v.pointer("/0/error/message"))
            .or_else(|| v.get("error").filter(|e| e.as_str().is_some()))
            .or_else(|| v.get("message"))
            .or_else(|| v.get("detail"))
            .and_then(Json::as_str)
            .map(str::to_string)
            .unwrap_or_else(|| text.trim().to_string()),
        None => text.trim().to_string(),
    };
    let refusal = classify(parsed.as_ref(), &msg);
    let mut out: String = msg.chars().take(300).collect();
    if msg.chars().count() > 300 {
        out.push('…');
    }
    (out, refusal)
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

    /// The status says "bad request"; the body says which kind, and the
    /// code and class follow it, for every wire's shape.
    #[test]
    fn context_length_and_content_filter_bodies() {
        let m = model();
        let openai = br#"{"error":{"message":"This model's maximum context length is 8192 tokens. However, your messages resulted in 9000 tokens.","type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}}"#;
        let e = error_from_status(&m, 400, &[], openai);
        assert_eq!(
            (e.code, e.failure_class(), e.status),
            (ErrorCode::ContextLength, FailureClass::ContextLength, Some(400))
        );
        assert!(e.message.contains("context window") && e.message.contains("8192 tokens"), "{}", e.message);
        assert_eq!(e.stated_window(), Some(8192));
        let mut claude = ModelConfig::new("claude-haiku-4-5", "anthropic").unwrap();
        claude.api_key = Some("sk-ant-secret".into());
        let anthropic = br#"{"type":"error","error":{"type":"invalid_request_error","message":"prompt is too long: 208310 tokens > 200000 maximum"}}"#;
        assert_eq!(error_from_status(&claude, 400, &[], anthropic).code, ErrorCode::ContextLength);
        let llama_cpp = br#"{"error":{"code":500,"message":"Context size has been exceeded.","type":"server_error"}}"#;
        assert_eq!(error_from_status(&m, 500, &[], llama_cpp).failure_class(), FailureClass::ContextLength);
        let ollama = ModelConfig::new("llama3", "ollama").unwrap();
        let e = error_from_status(&ollama, 400, &[], br#"{"error":"the input length exceeds the context length"}"#);
        assert_eq!(e.code, ErrorCode::ContextLength);

        let azure = br#"{"error":{"message":"The response was filtered due to the prompt triggering Azure OpenAI's content management policy.","type":null,"param":"prompt","code":"content_filter","status":400,"innererror":{"code":"ResponsibleAIPolicyViolation","content_filter_result":{"violence":{"filtered":true,"severity":"medium"}}}}}"#;
        let e = error_from_status(&m, 400, &[], azure);
        assert_eq!((e.code, e.failure_class()), (ErrorCode::ContentFilter, FailureClass::ContentFilter));
        assert!(
            e.message.contains("content management policy") && e.message.contains("violence (medium)"),
            "{}",
            e.message
        );
        let e = error_from_status(&m, 400, &[], br#"{"error":{"code":"content_policy_violation","message":"Your request was rejected as a result of our safety system.","type":"invalid_request_error"}}"#);
        assert_eq!(e.code, ErrorCode::ContentFilter);
        assert!(e.message.contains("safety system"), "{}", e.message);

        // A 429 about tokens stays a rate limit; a 401 stays an auth error.
        let tpm = br#"{"error":{"message":"Request too large: the prompt is too long for tokens per min","code":"rate_limit_exceeded"}}"#;
        assert_eq!(error_from_status(&m, 429, &[], tpm).code, ErrorCode::RateLimited);
        assert_eq!(error_from_status(&m, 401, &[], tpm).code, ErrorCode::Auth);
        // On OpenRouter the refusal is said as such, not as "bad parameters".
        let mut or = ModelConfig::new("openai/gpt-4o", "openrouter").unwrap();
        or.api_key = Some("sk-or-v1-secret".into());
        let e = error_from_status(&or, 400, &[], openai);
        assert!(e.message.contains("context window") && !e.message.contains("bad parameters"), "{}", e.message);
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
