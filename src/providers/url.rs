//! Endpoint URLs from a configured base URL.
//!
//! Users paste base URLs in every shape their provider's docs show: with or
//! without `/v1`, with a trailing slash, sometimes the full endpoint. Each
//! wire accepts all of them rather than failing with a 404 at run time.

/// `scheme://host[:port]`, the path without trailing slashes, and `?query`
/// (kept for gateways that put a version or key name in the query).
fn split(base: &str) -> (&str, &str, &str) {
    let (base, query) = match base.find('?') {
        Some(i) => base.split_at(i),
        None => (base, ""),
    };
    let host_start = base.find("://").and_then(|i| i.checked_add(3)).unwrap_or(0);
    let path_start = base
        .get(host_start..)
        .and_then(|rest| rest.find('/'))
        .and_then(|i| i.checked_add(host_start))
        .unwrap_or(base.len());
    let (origin, path) = base.split_at_checked(path_start).unwrap_or((base, ""));
    (origin, path.trim_end_matches('/'), query)
}

// URLs are joined with `concat` rather than `format!`: the chat URLs are
// built on every call, and a run that never formats keeps `core::fmt` out of
// the code it touches.

/// OpenAI Chat Completions.
pub fn openai_chat_url(base: &str) -> String {
    let (origin, path, query) = split(base.trim());
    // A version segment (`/v1`, `/v1beta`) and any other prefix (`/openai`,
    // `/proxy`) both just take the endpoint; only a bare host needs `/v1`.
    let endpoint = if path.ends_with("/chat/completions") {
        ""
    } else if path.is_empty() {
        "/v1/chat/completions"
    } else {
        "/chat/completions"
    };
    [origin, path, endpoint, query].concat()
}

/// Anthropic Messages: `/v1/messages` whether or not the base has `/v1`
/// (the official SDKs take the base without it, the docs show it with).
pub fn anthropic_messages_url(base: &str) -> String {
    let (origin, path, query) = split(base.trim());
    let endpoint = if path.ends_with("/v1/messages") {
        ""
    } else if path.ends_with("/v1") {
        "/messages"
    } else {
        "/v1/messages"
    };
    [origin, path, endpoint, query].concat()
}

/// Ollama's native chat endpoint. A base ending in `/v1` (its OpenAI-compatible
/// door) or `/api` is taken back to the server root first.
pub fn ollama_chat_url(base: &str) -> String {
    let (origin, path, query) = split(base.trim());
    let root = path
        .strip_suffix("/api/chat")
        .or_else(|| path.strip_suffix("/v1"))
        .or_else(|| path.strip_suffix("/api"))
        .unwrap_or(path);
    [origin, root, "/api/chat", query].concat()
}

/// OpenAI-style models list (`GET /models`), next to wherever chat
/// completions live: the same base-URL shapes are accepted.
pub fn openai_models_url(base: &str) -> String {
    let chat = openai_chat_url(base);
    let (origin, path, query) = split(&chat);
    let root = path.strip_suffix("/chat/completions").unwrap_or(path);
    format!("{origin}{root}/models{query}")
}

/// Anthropic's models list: `/v1/models`, with or without `/v1` in the base.
pub fn anthropic_models_url(base: &str) -> String {
    let messages = anthropic_messages_url(base);
    let (origin, path, query) = split(&messages);
    let root = path.strip_suffix("/messages").unwrap_or(path);
    format!("{origin}{root}/models{query}")
}

/// Ollama's list of local models (`/api/tags`).
pub fn ollama_tags_url(base: &str) -> String {
    let chat = ollama_chat_url(base);
    let (origin, path, query) = split(&chat);
    let root = path.strip_suffix("/api/chat").unwrap_or(path);
    format!("{origin}{root}/api/tags{query}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn openai_forms() {
        let cases = [
            ("http://localhost:8000/v1", "http://localhost:8000/v1/chat/completions"),
            ("http://localhost:8000/v1/", "http://localhost:8000/v1/chat/completions"),
            ("http://localhost:4000", "http://localhost:4000/v1/chat/completions"),
            ("http://localhost:4000/", "http://localhost:4000/v1/chat/completions"),
            ("https://api.groq.com/openai/v1", "https://api.groq.com/openai/v1/chat/completions"),
            ("https://openrouter.ai/api/v1", "https://openrouter.ai/api/v1/chat/completions"),
            ("https://x.test/v1/chat/completions", "https://x.test/v1/chat/completions"),
            ("https://x.test/custom/chat/completions/", "https://x.test/custom/chat/completions"),
            ("https://x.test/v2", "https://x.test/v2/chat/completions"),
            ("https://g.test/v1beta/openai", "https://g.test/v1beta/openai/chat/completions"),
            ("https://x.test/proxy", "https://x.test/proxy/chat/completions"),
            ("https://x.test/v1?api-version=2", "https://x.test/v1/chat/completions?api-version=2"),
        ];
        for (base, want) in cases {
            assert_eq!(openai_chat_url(base), want, "{base}");
        }
    }

    #[test]
    fn anthropic_forms() {
        for base in ["https://api.anthropic.com", "https://api.anthropic.com/", "https://api.anthropic.com/v1"] {
            assert_eq!(anthropic_messages_url(base), "https://api.anthropic.com/v1/messages");
        }
        assert_eq!(anthropic_messages_url("https://a.test/v1/messages"), "https://a.test/v1/messages");
        assert_eq!(
            anthropic_messages_url("https://gw.test/acct/anthropic"),
            "https://gw.test/acct/anthropic/v1/messages"
        );
    }

    #[test]
    fn ollama_forms() {
        for base in [
            "http://localhost:11434",
            "http://localhost:11434/",
            "http://localhost:11434/v1",
            "http://localhost:11434/api",
            "http://localhost:11434/api/chat",
        ] {
            assert_eq!(ollama_chat_url(base), "http://localhost:11434/api/chat", "{base}");
        }
    }

    #[test]
    fn list_endpoints_follow_the_chat_endpoints() {
        assert_eq!(openai_models_url("https://openrouter.ai/api/v1"), "https://openrouter.ai/api/v1/models");
        assert_eq!(openai_models_url("http://localhost:4000"), "http://localhost:4000/v1/models");
        assert_eq!(openai_models_url("https://x.test/v1/chat/completions"), "https://x.test/v1/models");
        assert_eq!(openai_models_url("https://x.test/v1?api-version=2"), "https://x.test/v1/models?api-version=2");
        for base in
            ["https://api.anthropic.com", "https://api.anthropic.com/v1", "https://api.anthropic.com/v1/messages"]
        {
            assert_eq!(anthropic_models_url(base), "https://api.anthropic.com/v1/models", "{base}");
        }
        for base in ["http://localhost:11434", "http://localhost:11434/v1", "http://localhost:11434/api/chat"] {
            assert_eq!(ollama_tags_url(base), "http://localhost:11434/api/tags", "{base}");
        }
    }

    #[test]
    fn odd_input_never_panics() {
        for base in ["", "/", "://", "?", "http://", "localhost:1/v1", "ü://ö/ä?x"] {
            let _ = (openai_chat_url(base), anthropic_messages_url(base), ollama_chat_url(base));
            let _ = (openai_models_url(base), anthropic_models_url(base), ollama_tags_url(base));
        }
    }
}
