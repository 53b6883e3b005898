//! Two refusals that are not the provider failing, told apart from the
//! rest of the 400s (and from the 500s some local servers send for them):
//! a prompt longer than the model's context window, which a model with a
//! larger window may still take, and a request or answer the provider's
//! content filter blocked, which no retry should try to get round. Every
//! provider words them its own way, so both the machine-readable code and
//! the message are read; the wordings below are the ones real servers send
//! (OpenAI, Azure OpenAI, Anthropic, Groq, vLLM, llama.cpp, Ollama,
//! Mistral, Gemini's OpenAI endpoint, LiteLLM in front of any of them).

use crate::json_in::Json;

/// What an error body says, when it is one of the two.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// The prompt does not fit; `window` is the model's context window in
    /// tokens when the provider names it.
    ContextLength { window: Option<u32> },
    /// The content filter blocked it; `detail` lists what the provider says
    /// it flagged (Azure's categories and severities), when it says.
    ContentFilter { detail: Option<String> },
}

/// Codes in `error.code`, `error.type` or Azure's `error.innererror.code`.
const CONTEXT_CODES: &[&str] = &["context_length_exceeded", "exceed_context_size_error", "context_window_exceeded"];
const FILTER_CODES: &[&str] =
    &["content_filter", "content_policy_violation", "responsibleaipolicyviolation", "moderation_blocked"];

/// Message wordings, lower-cased. Each names the context, a prompt that is
/// too long, or an input over a limit; an output limit (`max_tokens` too
/// large) is not among them: a larger window would not change that.
const CONTEXT_PHRASES: &[&str] = &[
    "maximum context length",
    "context length exceeded",
    "exceeds the context",
    "exceeds the available context",
    "exceeds the maximum context",
    "exceeds context",
    "exceed context",
    "exceed the context",
    "context window exceeded",
    "context size has been exceeded",
    "context size exceeded",
    "prompt is too long",
    "input is too long",
    "exceeds the maximum number of tokens allowed",
    "reduce the length of the messages",
];
const FILTER_PHRASES: &[&str] = &[
    "content management policy",
    "rejected as a result of our safety system",
    "violating our usage policy",
    "content policy violation",
    "blocked by the content filter",
];

/// Classify an error: `body` is the whole JSON error body when there is
/// one, `message` the provider's message (in full, not shortened).
pub(crate) fn classify(body: Option<&Json>, message: &str) -> Option<Refusal> {
    // Gemini's OpenAI endpoint wraps its error in a one-element array.
    let body = body.map(|b| b.as_array().and_then(<[Json]>::first).unwrap_or(b));
    let err = body.map(|b| b.get("error").filter(|e| e.is_object()).unwrap_or(b));
    let codes: Vec<&str> = err
        .map(|e| {
            ["/code", "/type", "/innererror/code", "/provider_specific_fields/innererror/code"]
                .iter()
                .filter_map(|p| e.pointer(p).and_then(Json::as_str))
                .collect()
        })
        .unwrap_or_default();
    let has_code = |list: &[&str]| codes.iter().any(|c| list.iter().any(|k| c.eq_ignore_ascii_case(k)));
    let lower = message.to_ascii_lowercase();
    let says = |list: &[&str]| list.iter().any(|p| lower.contains(p));
    if has_code(FILTER_CODES) || says(FILTER_PHRASES) {
        return Some(Refusal::ContentFilter { detail: err.and_then(filtered_categories) });
    }
    if has_code(CONTEXT_CODES) || says(CONTEXT_PHRASES) {
        let n_ctx = err.and_then(|e| e.get("n_ctx")).and_then(Json::as_u64).and_then(|n| u32::try_from(n).ok());
        return Some(Refusal::ContextLength { window: n_ctx.or_else(|| window_in(&lower)) });
    }
    None
}

/// Azure's `content_filter_result` (on a 400) or `content_filter_results`
/// (on a choice): the categories it filtered, with their severity.
pub(crate) fn filtered_categories(v: &Json) -> Option<String> {
    let results = [
        "/innererror/content_filter_result",
        "/provider_specific_fields/innererror/content_filter_result",
        "/content_filter_results",
        "/content_filter_result",
    ]
    .iter()
    .find_map(|p| v.pointer(p))?;
    let Json::Object(fields) = results else { return None };
    let flagged: Vec<String> = fields
        .iter()
        .filter(|(_, r)| r.get("filtered").and_then(Json::as_bool) == Some(true))
        .map(|(name, r)| match r.get("severity").and_then(Json::as_str) {
            Some(sev) => format!("{name} ({sev})"),
            None => name.to_string(),
        })
        .take(8)
        .collect();
    (!flagged.is_empty()).then(|| format!("filtered: {}", flagged.join(", ")))
}

/// The model's window when the message states it: "maximum context length
/// is 8192 tokens" (OpenAI, vLLM, DeepSeek), "208310 tokens > 200000
/// maximum" (Anthropic), "32768 maximum context length" (Mistral), "the
/// available context size (4096 tokens)" (llama.cpp).
fn window_in(lower: &str) -> Option<u32> {
    let after = |marker: &str| lower.find(marker).and_then(|i| lower.get(i.saturating_add(marker.len())..));
    let before = |marker: &str| lower.find(marker).and_then(|i| lower.get(..i));
    after("maximum context length is ")
        .and_then(leading_number)
        .or_else(|| after("context size (").and_then(leading_number))
        .or_else(|| after(" > ").and_then(leading_number))
        .or_else(|| before(" maximum context length").and_then(trailing_number))
}

fn leading_number(s: &str) -> Option<u32> {
    let digits: String = s.trim_start().chars().take_while(|c| c.is_ascii_digit() || *c == ',').collect();
    digits.replace(',', "").parse().ok()
}

fn trailing_number(s: &str) -> Option<u32> {
    let digits: String = s.trim_end().chars().rev().take_while(char::is_ascii_digit).collect();
    digits.chars().rev().collect::<String>().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(body: &str) -> Option<Refusal> {
        let v = Json::parse_str(body).unwrap();
        let msg = v
            .pointer("/error/message")
            .or_else(|| v.pointer("/0/error/message"))
            .or_else(|| v.get("message"))
            .or_else(|| v.get("error"))
            .and_then(Json::as_str)
            .unwrap_or("")
            .to_string();
        classify(Some(&v), &msg)
    }

    fn ctx(window: Option<u32>) -> Option<Refusal> {
        Some(Refusal::ContextLength { window })
    }

    /// Bodies as the providers send them (from their public issue trackers
    /// and documentation).
    #[test]
    fn context_length_in_every_wording() {
        let rows: &[(&str, &str, Option<u32>)] = &[
            (
                "OpenAI",
                r#"{"error":{"message":"This model's maximum context length is 8192 tokens. However, your messages resulted in 8227 tokens. Please reduce the length of the messages.","type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}}"#,
                Some(8192),
            ),
            (
                "Anthropic",
                r#"{"type":"error","error":{"type":"invalid_request_error","message":"prompt is too long: 208310 tokens > 200000 maximum"},"request_id":"req_011"}"#,
                Some(200_000),
            ),
            (
                "Anthropic, input plus max_tokens",
                r#"{"type":"error","error":{"type":"invalid_request_error","message":"input length and `max_tokens` exceed context limit: 197626 + 8192 > 200000, decrease input length or `max_tokens` and try again"}}"#,
                Some(200_000),
            ),
            (
                "vLLM",
                r#"{"object":"error","message":"This model's maximum context length is 6048 tokens. However, you requested 6616 tokens (568 in the messages, 6048 in the completion). Please reduce the length of the messages or completion.","type":"BadRequestError","param":null,"code":400}"#,
                Some(6048),
            ),
            (
                "Groq",
                r#"{"error":{"message":"Please reduce the length of the messages or completion.","type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}}"#,
                None,
            ),
            (
                "llama.cpp",
                r#"{"error":{"code":400,"message":"the request exceeds the available context size, try increasing it","type":"exceed_context_size_error","n_prompt_tokens":14429,"n_ctx":8192}}"#,
                Some(8192),
            ),
            (
                "llama.cpp, as a 500",
                r#"{"error":{"code":500,"message":"Context size has been exceeded.","type":"server_error"}}"#,
                None,
            ),
            ("Ollama", r#"{"error":"the input length exceeds the context length"}"#, None),
            (
                "Mistral",
                r#"{"object":"error","message":"Prompt contains 40000 tokens and 0 draft tokens, too large for model with 32768 maximum context length","type":"invalid_request_error","param":null,"code":null}"#,
                Some(32_768),
            ),
            (
                "Gemini (OpenAI endpoint)",
                r#"[{"error":{"code":400,"message":"The input token count (1200000) exceeds the maximum number of tokens allowed (1048576).","status":"INVALID_ARGUMENT"}}]"#,
                None,
            ),
        ];
        for (who, body, window) in rows {
            assert_eq!(of(body), ctx(*window), "{who}");
        }
    }

    #[test]
    fn content_filters_of_each_provider() {
        let azure = r#"{"error":{"message":"The response was filtered due to the prompt triggering Azure OpenAI's content management policy. Please modify your prompt and retry.","type":null,"param":"prompt","code":"content_filter","status":400,"innererror":{"code":"ResponsibleAIPolicyViolation","content_filter_result":{"hate":{"filtered":false,"severity":"safe"},"jailbreak":{"filtered":true,"detected":true},"self_harm":{"filtered":false,"severity":"safe"},"violence":{"filtered":true,"severity":"medium"}}}}}"#;
        assert_eq!(
            of(azure),
            Some(Refusal::ContentFilter { detail: Some("filtered: jailbreak, violence (medium)".into()) })
        );
        let openai = r#"{"error":{"code":"content_policy_violation","message":"Your request was rejected as a result of our safety system.","param":null,"type":"invalid_request_error"}}"#;
        assert_eq!(of(openai), Some(Refusal::ContentFilter { detail: None }));
        let invalid_prompt = r#"{"error":{"message":"Invalid prompt: your prompt was flagged as potentially violating our usage policy. Please try again with a different prompt","type":"invalid_request_error","param":null,"code":"invalid_prompt"}}"#;
        assert_eq!(of(invalid_prompt), Some(Refusal::ContentFilter { detail: None }));
        let litellm = r#"{"error":{"message":"litellm.ContentPolicyViolationError: AzureException - The response was filtered due to the prompt triggering Azure OpenAI's content management policy.","type":null,"param":null,"code":"400","provider_specific_fields":{"innererror":{"code":"ResponsibleAIPolicyViolation","content_filter_result":{"hate":{"filtered":true,"severity":"high"}}}}}}"#;
        assert_eq!(of(litellm), Some(Refusal::ContentFilter { detail: Some("filtered: hate (high)".into()) }));
    }

    #[test]
    fn other_refusals_are_neither() {
        for body in [
            r#"{"error":{"message":"max_tokens is too large: 100000. This model supports at most 16384 completion tokens, whereas you provided 100000.","type":"invalid_request_error","param":"max_tokens","code":"invalid_value"}}"#,
            r#"{"error":{"message":"The model `gpt-9` does not exist","type":"invalid_request_error","code":"model_not_found"}}"#,
            r#"{"type":"error","error":{"type":"invalid_request_error","message":"messages: at least one message is required"}}"#,
            r#"{"error":{"message":"Rate limit reached for gpt-4o on tokens per min (TPM): Limit 30000, Requested 50000.","type":"tokens","code":"rate_limit_exceeded"}}"#,
            r#"{"error":"model 'llama3' not found"}"#,
        ] {
            assert_eq!(of(body), None, "{body}");
        }
        assert_eq!(classify(None, "upstream connect error"), None);
        assert_eq!(classify(None, "prompt is too long"), ctx(None), "a plain-text body is read too");
    }

    #[test]
    fn numbers_in_messages() {
        assert_eq!(window_in("this model's maximum context length is 128,000 tokens."), Some(128_000));
        assert_eq!(window_in("request (4390 tokens) exceeds the available context size (4096 tokens)"), Some(4096));
        assert_eq!(window_in("maximum context length is many tokens"), None);
        assert_eq!(window_in("nothing here"), None);
        assert_eq!(window_in(" maximum context length"), None);
    }
}
