//! Errors with stable public codes.
//!
//! Codes reach users as `err.code` in JS and are listed in the README: never
//! rename one. Messages must never contain an API key; `redact` is applied to
//! anything that echoes provider text.

use crate::json_out::{JsonOut, ToJson};
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorCode {
    /// Bad configuration or options; the message names the field.
    Config,
    /// The provider answered with an HTTP error the request itself caused.
    ProviderStatus,
    /// The prompt does not fit the model's context window, and no later
    /// model is known to have a larger one (or that one was too small too).
    ContextLength,
    /// The provider's content filter or safety system blocked the request
    /// or stopped the answer; the message carries its reason.
    ContentFilter,
    /// 5xx (or an unexpected status): the provider failed; the next tier is tried.
    ProviderUnavailable,
    /// 401/403: the key was refused.
    Auth,
    /// 429 on every tier that was tried.
    RateLimited,
    /// 402 or a spent budget.
    Budget,
    /// The shared store behind a budget failed; budgets fail closed.
    BudgetStore,
    /// Network failure: reset, refused, DNS.
    Transport,
    Timeout,
    /// The caller's AbortSignal fired.
    Aborted,
    /// The body or a stream event could not be understood.
    BadResponse,
    /// A stream ended or broke before its terminator.
    Stream,
    /// Every tier failed; `attempts` says how.
    AllModelsFailed,
    /// A custom (JS) provider threw.
    CustomProvider,
    /// The caller's tool executor threw during a tool loop.
    Tool,
    /// A defect in cascade-edge itself (the wrapper also uses it when the
    /// wasm instance traps, and starts a new one).
    Internal,
}

impl ErrorCode {
    /// Every code, in the order the README lists them: the public contract
    /// (tests/error_codes.rs checks js/src/errors.ts and both READMEs against it).
    pub const ALL: [ErrorCode; 18] = [
        ErrorCode::Config,
        ErrorCode::ProviderStatus,
        ErrorCode::ContextLength,
        ErrorCode::ContentFilter,
        ErrorCode::ProviderUnavailable,
        ErrorCode::Auth,
        ErrorCode::RateLimited,
        ErrorCode::Budget,
        ErrorCode::BudgetStore,
        ErrorCode::Transport,
        ErrorCode::Timeout,
        ErrorCode::Aborted,
        ErrorCode::BadResponse,
        ErrorCode::Stream,
        ErrorCode::AllModelsFailed,
        ErrorCode::CustomProvider,
        ErrorCode::Tool,
        ErrorCode::Internal,
    ];
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Config => "E_CONFIG",
            ErrorCode::ProviderStatus => "E_PROVIDER_STATUS",
            ErrorCode::ContextLength => "E_CONTEXT_LENGTH",
            ErrorCode::ContentFilter => "E_CONTENT_FILTER",
            ErrorCode::ProviderUnavailable => "E_PROVIDER_UNAVAILABLE",
            ErrorCode::Auth => "E_AUTH",
            ErrorCode::RateLimited => "E_RATE_LIMITED",
            ErrorCode::Budget => "E_BUDGET",
            ErrorCode::BudgetStore => "E_BUDGET_STORE",
            ErrorCode::Transport => "E_TRANSPORT",
            ErrorCode::Timeout => "E_TIMEOUT",
            ErrorCode::Aborted => "E_ABORTED",
            ErrorCode::BadResponse => "E_BAD_RESPONSE",
            ErrorCode::Stream => "E_STREAM",
            ErrorCode::AllModelsFailed => "E_ALL_MODELS_FAILED",
            ErrorCode::CustomProvider => "E_CUSTOM_PROVIDER",
            ErrorCode::Tool => "E_TOOL",
            ErrorCode::Internal => "E_INTERNAL",
        }
    }
}

/// How a failed call should be treated by the cascade policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailureClass {
    /// The request is wrong (400, 422): another tier would refuse it too.
    Client,
    /// 401/403/402: this provider's credentials or account.
    Auth,
    RateLimited,
    Server,
    Transport,
    Timeout,
    /// The caller gave up: stop at once.
    Aborted,
    /// A response we could not parse.
    Malformed,
    /// The prompt is longer than the model's context window: the same
    /// request to the same model can only fail again, a model with a
    /// larger window may take it.
    ContextLength,
    /// The provider's content filter blocked the request or cut the
    /// answer. Another model would be asked to route around a policy
    /// decision the caller should see, so nothing else is tried.
    ContentFilter,
}

impl FailureClass {
    /// Whether the next tier should be tried after this failure.
    pub fn escalates(self) -> bool {
        !matches!(self, FailureClass::Client | FailureClass::Aborted | FailureClass::ContentFilter)
    }

    /// Whether the endpoint answered: a request it refused as such (too
    /// long, filtered, malformed) shows it is up, so its breaker counts
    /// it as a success.
    pub fn endpoint_answered(self) -> bool {
        matches!(self, FailureClass::Client | FailureClass::ContextLength | FailureClass::ContentFilter)
    }
}

/// In JSON: `{code, message, status?, provider?, model?, retryAfterMs?}`.
#[derive(Clone, Debug, PartialEq)]
pub struct CascadeError {
    pub code: ErrorCode,
    pub message: String,
    pub status: Option<u16>,
    pub provider: Option<String>,
    pub model: Option<String>,
    /// Milliseconds the provider asked us to wait (Retry-After), capped at
    /// `u32::MAX` (49 days, far past any wait worth making): 32 bits keep
    /// the error, and every `Result` carrying it, small.
    pub retry_after_ms: Option<u32>,
    /// Only for the policy; not part of the public shape.
    pub class: Option<FailureClass>,
    /// What a few failures carry besides: boxed, so that every error stays
    /// small. Not part of the public shape.
    pub detail: Option<Box<Detail>>,
}

/// See `CascadeError::detail`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Detail {
    /// Tokens the failed call was billed for (an answer the provider's
    /// filter stopped half-way is paid for): the trace prices them and the
    /// budget keeps them.
    pub usage: Option<crate::types::Usage>,
    /// For a prompt too long: the context window the provider says it
    /// exceeded, when it says. Policy only, like `class`.
    pub context_window: Option<u32>,
}

impl ToJson for CascadeError {
    fn write_json(&self, o: &mut JsonOut) {
        o.begin_object();
        self.write_fields(o);
        o.end_object();
    }
}

impl CascadeError {
    /// The public fields, into an object the caller has opened.
    pub fn write_fields(&self, o: &mut JsonOut) {
        o.str_field("code", self.code.as_str());
        o.str_field("message", &self.message);
        if let Some(s) = self.status {
            o.u64_field("status", u64::from(s));
        }
        if let Some(p) = &self.provider {
            o.str_field("provider", p);
        }
        if let Some(m) = &self.model {
            o.str_field("model", m);
        }
        if let Some(ms) = self.retry_after_ms {
            o.u64_field("retryAfterMs", u64::from(ms));
        }
    }

    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        CascadeError {
            code,
            message: message.into(),
            status: None,
            provider: None,
            model: None,
            retry_after_ms: None,
            class: None,
            detail: None,
        }
    }

    pub fn config(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Config, message)
    }

    pub fn bad_response(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::BadResponse, message).with_class(FailureClass::Malformed)
    }

    pub fn with_class(mut self, class: FailureClass) -> Self {
        self.class = Some(class);
        self
    }

    pub fn with_status(mut self, status: u16) -> Self {
        self.status = Some(status);
        self
    }

    pub fn for_model(mut self, provider: &str, model: &str) -> Self {
        self.provider = Some(provider.to_string());
        self.model = Some(model.to_string());
        self
    }

    /// Tokens this failure was still billed for, if any.
    pub fn billed(&self) -> Option<&crate::types::Usage> {
        self.detail.as_ref().and_then(|d| d.usage.as_ref())
    }

    /// The context window the provider said a prompt exceeded, if it said.
    pub fn stated_window(&self) -> Option<u32> {
        self.detail.as_ref().and_then(|d| d.context_window)
    }

    fn detail_mut(&mut self) -> &mut Detail {
        self.detail.get_or_insert_with(Box::default)
    }

    pub fn with_billed(mut self, usage: Option<crate::types::Usage>) -> Self {
        if usage.is_some() {
            self.detail_mut().usage = usage;
        }
        self
    }

    pub fn with_stated_window(mut self, window: Option<u32>) -> Self {
        if window.is_some() {
            self.detail_mut().context_window = window;
        }
        self
    }

    /// The class, derived from the code when none was set explicitly.
    pub fn failure_class(&self) -> FailureClass {
        if let Some(c) = self.class {
            return c;
        }
        match self.code {
            // A tool failing is the caller's code failing: no tier can fix it.
            ErrorCode::Config | ErrorCode::ProviderStatus | ErrorCode::Tool | ErrorCode::BudgetStore => {
                FailureClass::Client
            }
            ErrorCode::ContextLength => FailureClass::ContextLength,
            ErrorCode::ContentFilter => FailureClass::ContentFilter,
            ErrorCode::Auth | ErrorCode::Budget => FailureClass::Auth,
            ErrorCode::RateLimited => FailureClass::RateLimited,
            ErrorCode::Transport | ErrorCode::Stream => FailureClass::Transport,
            ErrorCode::Timeout => FailureClass::Timeout,
            ErrorCode::Aborted => FailureClass::Aborted,
            ErrorCode::BadResponse => FailureClass::Malformed,
            ErrorCode::AllModelsFailed | ErrorCode::CustomProvider | ErrorCode::ProviderUnavailable => {
                FailureClass::Server
            }
            // Nothing another tier could fix.
            ErrorCode::Internal => FailureClass::Client,
        }
    }

    /// Replace every occurrence of each secret in the message.
    pub fn redacted(mut self, secrets: &[&str]) -> Self {
        self.message = redact(&self.message, secrets);
        self
    }
}

impl fmt::Display for CascadeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code.as_str(), self.message)
    }
}

impl std::error::Error for CascadeError {}

/// Mask secrets in text that may echo a request back, such as a
/// provider's error body. Whole secrets go first; then any run of key-like
/// characters of 8 or more that is part of a secret, so that a key cut
/// short by truncation (`sk-proj-abc12…`) or partly masked by the provider
/// (`sk-proj-****wxyz`) does not survive either.
pub fn redact(text: &str, secrets: &[&str]) -> String {
    let mut out = text.to_string();
    for s in secrets {
        if s.len() >= 4 && out.contains(s) {
            out = out.replace(s, "[REDACTED]");
        }
    }
    let long: Vec<&str> = secrets.iter().copied().filter(|s| s.len() >= PARTIAL_MIN).collect();
    if long.is_empty() {
        return out;
    }
    let mut masked = String::with_capacity(out.len());
    let mut run_start: Option<usize> = None;
    let flush = |masked: &mut String, run: &str| {
        if run.len() >= PARTIAL_MIN && long.iter().any(|s| s.contains(run)) {
            masked.push_str("[REDACTED]");
        } else {
            masked.push_str(run);
        }
    };
    for (i, c) in out.char_indices() {
        let keyish = c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '~' | '+' | '/' | '=');
        match (keyish, run_start) {
            (true, None) => run_start = Some(i),
            (false, Some(start)) => {
                flush(&mut masked, out.get(start..i).unwrap_or(""));
                run_start = None;
                masked.push(c);
            }
            (false, None) => masked.push(c),
            (true, Some(_)) => {}
        }
    }
    if let Some(start) = run_start {
        flush(&mut masked, out.get(start..).unwrap_or(""));
    }
    masked
}

/// Shorter fragments of a key carry too little to matter, and would match
/// ordinary words.
const PARTIAL_MIN: usize = 8;

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn whole_and_partial_keys_are_masked() {
        let key = "sk-proj-Canary0123456789abcdef";
        assert_eq!(redact(&format!("bad key {key}!"), &[key]), "bad key [REDACTED]!");
        // Cut short by a length limit before redaction.
        assert_eq!(
            redact("Incorrect API key provided: sk-proj-Canary01", &[key]),
            "Incorrect API key provided: [REDACTED]"
        );
        // Masked in the middle by the provider.
        assert_eq!(redact("key sk-proj-****cdef", &[key]), "key [REDACTED]****cdef");
        // Ordinary words that happen to be in the key are left alone when short.
        assert_eq!(redact("the proj is fine", &[key]), "the proj is fine");
        assert_eq!(redact("nothing here", &[]), "nothing here");
        assert_eq!(redact("é sk-proj-Canary01 é", &[key]), "é [REDACTED] é");
    }
}
