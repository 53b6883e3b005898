//! Connection checks: the probe codec per wire (URL, auth scheme, headers),
//! reading answers into yes/no with a reason that never holds the key, and
//! the executor with a scripted client and a manual clock.

mod support;

use cascade_edge::cascade::test_connection;
use cascade_edge::clock::{Clock, ManualClock};
use cascade_edge::config::{parse_model, ModelConfig};
use cascade_edge::error::{CascadeError, ErrorCode, FailureClass};
use cascade_edge::http::{HttpClient, HttpRequest, HttpResponse, StreamResponse};
use cascade_edge::json;
use cascade_edge::providers::probe::{build_probe, read_probe, MAX_LISTED};
use cascade_edge::providers::PROVIDERS;
use support::{block_on, Reply, Scripted};

const KEY: &str = "sk-test-SECRET-9876";

fn model(provider: &str, base: Option<&str>) -> ModelConfig {
    let mut cfg = json!({"name": "m", "provider": provider, "apiKey": KEY});
    if let Some(b) = base {
        cfg["baseUrl"] = json!(b);
    }
    parse_model(&cfg, "model").unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn every_builtin_provider_has_a_probe_on_its_own_wire() {
    for p in PROVIDERS {
        let base = p.default_base_url.unwrap_or("http://localhost:8080/v1");
        let r = build_probe(&model(p.id, Some(base))).unwrap_or_else(|e| panic!("{}: {e}", p.id));
        assert_eq!(r.method, "GET", "{}", p.id);
        assert!(r.body.is_none());
        let (path, auth, value) = match p.id {
            "anthropic" => ("/v1/models", "x-api-key", KEY.to_string()),
            "ollama" => ("/api/tags", "authorization", format!("Bearer {KEY}")),
            _ => ("/models", "authorization", format!("Bearer {KEY}")),
        };
        assert!(r.url.ends_with(path), "{}: {}", p.id, r.url);
        assert_eq!(r.header(auth), Some(value.as_str()), "{}", p.id);
    }
}

#[test]
fn probe_urls_accept_every_base_url_shape() {
    assert_eq!(build_probe(&model("openai", None)).unwrap().url, "https://api.openai.com/v1/models");
    assert_eq!(build_probe(&model("groq", None)).unwrap().url, "https://api.groq.com/openai/v1/models");
    assert_eq!(
        build_probe(&model("litellm", Some("http://localhost:4000"))).unwrap().url,
        "http://localhost:4000/v1/models"
    );
    assert_eq!(build_probe(&model("anthropic", None)).unwrap().url, "https://api.anthropic.com/v1/models");
    assert_eq!(build_probe(&model("anthropic", Some("http://a.test"))).unwrap().url, "http://a.test/v1/models");
    assert_eq!(build_probe(&model("ollama", Some("http://o.test/v1"))).unwrap().url, "http://o.test/api/tags");
}

#[test]
fn anthropic_probe_sends_the_version_and_in_browsers_the_cors_opt_in() {
    let mut m = model("anthropic", None);
    let r = build_probe(&m).unwrap();
    assert_eq!(r.header("anthropic-version"), Some("2023-06-01"));
    assert_eq!(r.header("anthropic-dangerous-direct-browser-access"), None);
    m.browser = true;
    let r = build_probe(&m).unwrap();
    assert_eq!(r.header("anthropic-dangerous-direct-browser-access"), Some("true"));
    let r = build_probe(&model("openrouter", None)).unwrap();
    assert_eq!(r.header("x-title"), Some("cascade-edge"));
}

#[test]
fn custom_providers_cannot_be_probed() {
    let e = build_probe(&model("my-js-provider", None)).expect_err("no wire");
    assert_eq!(e.code, ErrorCode::Config);
    assert!(e.message.contains("not a built-in provider") && e.message.contains("openrouter"), "{}", e.message);
}

#[test]
fn reading_answers() {
    let m = model("openai", None);
    let url = "https://api.openai.com/v1/models";
    let ids: Vec<cascade_edge::value::Value> = (0..80).map(|i| json!({"id": format!("model-{i}")})).collect();
    let ok = read_probe(&m, url, 200, json!({"object": "list", "data": ids}).to_string().as_bytes(), true);
    assert!(ok.ok);
    assert_eq!(ok.status, Some(200));
    assert_eq!(ok.models.as_ref().map(Vec::len), Some(MAX_LISTED));
    assert!(ok.reason.contains("80 models") && ok.reason.contains("\"m\" is not among them"), "{}", ok.reason);

    let ollama = read_probe(&model("ollama", None), url, 200, br#"{"models":[{"name":"m","model":"m"}]}"#, true);
    assert_eq!(ollama.models, Some(vec!["m".to_string()]));
    assert!(!ollama.reason.contains("not among"));

    let body =
        format!(r#"{{"error":{{"message":"Incorrect API key provided: {KEY}","type":"invalid_request_error"}}}}"#);
    let refused = read_probe(&m, url, 401, body.as_bytes(), true);
    assert!(!refused.ok);
    assert_eq!(refused.status, Some(401));
    assert!(refused.reason.starts_with("HTTP 401") && refused.reason.contains("invalid key"), "{}", refused.reason);
    assert!(refused.reason.contains("Incorrect API key provided"));
    assert!(!refused.reason.contains(KEY), "{}", refused.reason);

    let mut keyless = model("openai", None);
    keyless.api_key = None;
    assert!(read_probe(&keyless, url, 401, b"{}", true).reason.contains("none was given"));
    assert!(read_probe(&m, url, 404, b"not found", true).reason.contains("does not exist"));
    let html = read_probe(&m, url, 200, b"<html>hello</html>", true);
    assert!(!html.ok && html.reason.contains("not a models list"), "{}", html.reason);
    assert!(!read_probe(&m, url, 500, b"", true).ok);
}

/// A client whose every request takes 25 ms of the manual clock.
struct Slow<'a> {
    inner: Scripted,
    clock: &'a ManualClock,
}

impl HttpClient for Slow<'_> {
    type Body = support::Body;
    async fn send(&self, req: HttpRequest) -> Result<HttpResponse, CascadeError> {
        self.clock.advance(25.0);
        self.inner.send(req).await
    }
    async fn open_stream(&self, req: HttpRequest) -> Result<StreamResponse<Self::Body>, CascadeError> {
        self.inner.open_stream(req).await
    }
}

#[test]
fn executor_times_the_call_and_turns_failures_into_answers() {
    let clock = ManualClock::default();
    let http = Slow {
        inner: Scripted::new(vec![
            Reply::Json(200, r#"{"data":[{"id":"m"}]}"#.into()),
            Reply::Json(401, format!(r#"{{"error":{{"message":"bad key {KEY}"}}}}"#)),
            Reply::Transport("connection refused"),
        ]),
        clock: &clock,
    };
    let m = model("groq", None);
    let ok = block_on(test_connection(&http, &clock, &m, true)).unwrap();
    assert!(ok.ok && ok.latency_ms == 25.0, "{ok:?}");
    let req = http.inner.requests.borrow()[0].clone();
    assert_eq!(req.url, "https://api.groq.com/openai/v1/models");
    let refused = block_on(test_connection(&http, &clock, &m, true)).unwrap();
    assert!(!refused.ok && refused.status == Some(401) && !refused.reason.contains(KEY));
    let down = block_on(test_connection(&http, &clock, &m, true)).unwrap();
    assert!(!down.ok && down.status.is_none() && down.reason.contains("connection refused"), "{down:?}");
    assert!(clock.now_ms() >= 75.0);
}

/// The caller's abort is the one failure that is an error, not an answer.
struct Aborting;

impl HttpClient for Aborting {
    type Body = support::Body;
    async fn send(&self, _: HttpRequest) -> Result<HttpResponse, CascadeError> {
        Err(CascadeError::new(ErrorCode::Aborted, "aborted").with_class(FailureClass::Aborted))
    }
    async fn open_stream(&self, _: HttpRequest) -> Result<StreamResponse<Self::Body>, CascadeError> {
        Err(CascadeError::new(ErrorCode::Aborted, "aborted").with_class(FailureClass::Aborted))
    }
}

#[test]
fn an_abort_is_an_error_and_a_bad_config_too() {
    let clock = ManualClock::default();
    let e = block_on(test_connection(&Aborting, &clock, &model("openai", None), true)).expect_err("aborted");
    assert_eq!(e.code, ErrorCode::Aborted);
    let e = block_on(test_connection(&Aborting, &clock, &model("nope", None), true)).expect_err("unknown");
    assert_eq!(e.code, ErrorCode::Config);
}
