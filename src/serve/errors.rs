//! One table from an error code (the engine's public `E_*` codes, plus the
//! proxy's own refusals) to the HTTP status a caller gets and the error
//! type each wire names it by. The wire files write the envelope; the
//! decision of what a failure means to a client is made here once.
//!
//! A failure of the proxy's own upstream key (`E_AUTH`) is a 502, not a
//! 401: the caller's key was fine, the proxy's configuration was not, and
//! a 401 would make an SDK ask its user for a new key.

/// What a failure is, to the client.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ErrorKind {
    pub status: u16,
    /// Anthropic's `error.type`.
    pub anthropic: &'static str,
    /// OpenAI's `error.type`.
    pub openai: &'static str,
}

const fn kind(status: u16, anthropic: &'static str, openai: &'static str) -> ErrorKind {
    ErrorKind { status, anthropic, openai }
}

/// The kind of `code`; `status` is the provider's own status where the
/// engine reported one (a 400 it refused, passed on as such).
pub fn status_of(code: &str, status: Option<u16>) -> ErrorKind {
    match code {
        // The proxy's own refusals.
        "E_PROXY_AUTH" => kind(401, "authentication_error", "invalid_request_error"),
        "E_NOT_FOUND" => kind(404, "not_found_error", "invalid_request_error"),
        "E_METHOD" => kind(405, "invalid_request_error", "invalid_request_error"),
        "E_TOO_LARGE" => kind(413, "request_too_large", "invalid_request_error"),
        "E_BAD_REQUEST" | "E_CONFIG" | "E_CONTEXT_LENGTH" | "E_CONTENT_FILTER" => {
            kind(400, "invalid_request_error", "invalid_request_error")
        }
        "E_PROVIDER_STATUS" => match status {
            Some(404) => kind(404, "not_found_error", "invalid_request_error"),
            Some(422) => kind(422, "invalid_request_error", "invalid_request_error"),
            _ => kind(400, "invalid_request_error", "invalid_request_error"),
        },
        "E_RATE_LIMITED" | "E_BUDGET" => kind(429, "rate_limit_error", "rate_limit_exceeded"),
        "E_PROVIDER_UNAVAILABLE" => kind(503, "overloaded_error", "server_error"),
        "E_TIMEOUT" => kind(504, "api_error", "server_error"),
        "E_ABORTED" => kind(499, "api_error", "server_error"),
        "E_INTERNAL" => kind(500, "api_error", "server_error"),
        // Upstream key refused, transport, unreadable or broken answers,
        // every tier failed, a budget store down: the upstream side failed.
        _ => kind(502, "api_error", "server_error"),
    }
}
