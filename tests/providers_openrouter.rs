//! OpenRouter: prices from its catalogue (codec and per-agent cache with a
//! TTL on the injected clock), its error statuses through the engine, and
//! its attribution headers.

mod support;

use cascade_edge::cascade::{AttemptOutcome, Engine, DEFAULT_PRICE_TTL_MS, RETRY_AFTER_FAILURE_MS};
use cascade_edge::clock::ManualClock;
use cascade_edge::config::{parse_agent, parse_model, CallOptions};
use cascade_edge::error::ErrorCode;
use cascade_edge::json;
use cascade_edge::providers::openrouter::{models_request, parse_prices, price_for};
use cascade_edge::types::Message;
use support::{block_on, openai_body, Reply, Scripted};

const KEY: &str = "sk-or-v1-SECRET-0001";
const LLAMA: &str = "meta-llama/llama-3.1-8b-instruct";
const SONNET: &str = "anthropic/claude-3.5-sonnet";

fn catalogue() -> String {
    json!({"data": [
        {"id": LLAMA, "pricing": {"prompt": "0.00000002", "completion": "0.00000005"}},
        {"id": SONNET, "pricing": {"prompt": "0.000003", "completion": "0.000015"}},
        {"id": "openrouter/auto", "pricing": {"prompt": "-1", "completion": "-1"}}
    ]})
    .to_string()
}

fn engine(models: cascade_edge::value::Value) -> Engine<ManualClock> {
    Engine::new(parse_agent(&support::with_keys(models)).unwrap_or_else(|e| panic!("{e}")), ManualClock::default())
}

fn or_model(name: &str) -> cascade_edge::value::Value {
    json!({"name": name, "provider": "openrouter", "apiKey": KEY})
}

fn run(e: &Engine<ManualClock>, http: &Scripted, q: &str) -> cascade_edge::CascadeResult {
    block_on(e.run(http, vec![Message::user(q)], &CallOptions::default())).unwrap_or_else(|e| panic!("{e:?}"))
}

fn url(http: &Scripted, i: usize) -> String {
    http.requests.borrow()[i].url.clone()
}

#[test]
fn catalogue_request_and_prices() {
    let m = parse_model(&or_model(LLAMA), "m").unwrap_or_else(|e| panic!("{e}"));
    let r = models_request(&m);
    assert_eq!((r.method, r.url.as_str()), ("GET", "https://openrouter.ai/api/v1/models"));
    assert_eq!(r.header("authorization"), Some(format!("Bearer {KEY}").as_str()));
    assert_eq!(r.header("x-title"), Some("cascade-edge"));
    assert!(r.body.is_none());

    let local = parse_model(&json!({"name": LLAMA, "provider": "openrouter", "baseUrl": "http://127.0.0.1:9/v1"}), "m")
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(models_request(&local).url, "http://127.0.0.1:9/v1/models");

    let list = parse_prices(catalogue().as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    let p = price_for(&list, LLAMA).expect("llama is priced");
    assert_eq!((p.input_per_m, p.output_per_m), (0.02, 0.05));
    assert!(price_for(&list, "openrouter/auto").is_none(), "a -1 price is no price");
}

#[test]
fn attribution_headers_are_configurable() {
    let m = parse_model(
        &json!({"name": LLAMA, "provider": "openrouter", "headers": {"HTTP-Referer": "https://my.app", "X-Title": ""}}),
        "m",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let req = cascade_edge::providers::build_request(&m, &Default::default(), false).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(req.header("http-referer"), Some("https://my.app"));
    assert_eq!(req.header("x-title"), None, "an empty value opts out");
    assert_eq!(models_request(&m).header("http-referer"), Some("https://my.app"));
}

#[test]
fn unpriced_tier_is_priced_from_the_catalogue_and_cached_for_the_ttl() {
    let e = engine(json!({"models": [or_model(LLAMA)]}));
    let http = Scripted::new(vec![
        Reply::Json(200, catalogue()),
        Reply::Json(200, openai_body("Paris.", "stop", Some((1_000_000, 1_000_000)))),
        Reply::Json(200, openai_body("Paris.", "stop", Some((10, 10)))),
        Reply::Json(200, catalogue()),
        Reply::Json(200, openai_body("Paris.", "stop", Some((10, 10)))),
    ]);
    let r = run(&e, &http, "Capital of France?");
    assert_eq!(url(&http, 0), "https://openrouter.ai/api/v1/models");
    assert_eq!(http.requests.borrow()[0].method, "GET");
    assert_eq!(url(&http, 1), "https://openrouter.ai/api/v1/chat/completions");
    // 1M tokens each way at $0.02 / $0.05 per 1M.
    assert_eq!(r.total_cost, Some(0.07));
    assert_eq!(r.attempts[0].cost, Some(0.07));

    // Within the TTL: no second catalogue request.
    e.clock().advance(DEFAULT_PRICE_TTL_MS - 1.0);
    let r = run(&e, &http, "Capital of France?");
    assert_eq!(http.calls(), 3);
    assert!(r.total_cost.is_some());

    // Past it: loaded again.
    e.clock().advance(2.0);
    run(&e, &http, "Capital of France?");
    assert_eq!(http.calls(), 5);
    assert!(url(&http, 3).ends_with("/models"));
}

#[test]
fn a_catalogue_that_fails_leaves_the_cost_unknown_but_the_run_succeeds() {
    let e = engine(json!({"models": [or_model(LLAMA)]}));
    let http = Scripted::new(vec![
        Reply::Json(503, r#"{"error":{"code":503,"message":"catalogue down"}}"#.into()),
        Reply::Json(200, openai_body("Paris.", "stop", Some((10, 2)))),
        Reply::Json(200, openai_body("Paris.", "stop", Some((10, 2)))),
        Reply::Transport("connection refused"),
        Reply::Json(200, openai_body("Paris.", "stop", Some((10, 2)))),
    ]);
    let r = run(&e, &http, "Capital of France?");
    assert_eq!(r.content, "Paris.");
    assert_eq!(r.total_cost, None);
    assert_eq!(r.attempts[0].cost, None);
    let reason = &r.attempts[0].reason;
    assert!(reason.contains("OpenRouter prices could not be loaded") && reason.contains("catalogue down"), "{reason}");
    assert!(!reason.contains(KEY));

    // A failure is not retried on every run...
    e.clock().advance(RETRY_AFTER_FAILURE_MS - 1.0);
    run(&e, &http, "Capital of France?");
    assert_eq!(http.calls(), 3);
    // ...but it is after a short while; a network failure is also just a note.
    e.clock().advance(2.0);
    let r = run(&e, &http, "Capital of France?");
    assert_eq!(http.calls(), 5);
    assert!(r.attempts[0].reason.contains("E_TRANSPORT"), "{}", r.attempts[0].reason);
}

#[test]
fn a_model_missing_from_the_catalogue_is_noted_and_given_prices_are_never_overridden() {
    let e = engine(json!({"models": [or_model("someone/unlisted-model")]}));
    let http = Scripted::new(vec![
        Reply::Json(200, catalogue()),
        Reply::Json(200, openai_body("Paris.", "stop", Some((10, 2)))),
    ]);
    let r = run(&e, &http, "Capital of France?");
    assert_eq!(r.total_cost, None);
    assert!(r.attempts[0].reason.contains("not in OpenRouter's price list"), "{}", r.attempts[0].reason);

    // A price in the config (or the static table) means no catalogue request at all.
    let e = engine(json!({"models": [
        {"name": LLAMA, "provider": "openrouter", "inputCost": 1, "outputCost": 2},
        {"name": "openai/gpt-4o-mini", "provider": "openrouter"}
    ]}));
    let http = Scripted::new(vec![Reply::Json(200, openai_body("Paris.", "stop", Some((10, 2))))]);
    run(&e, &http, "Capital of France?");
    assert_eq!(http.calls(), 1);
    assert!(url(&http, 0).ends_with("/chat/completions"));
}

#[test]
fn tiers_priced_by_the_catalogue_are_put_cheapest_first_unless_the_order_is_kept() {
    let answers = || {
        Scripted::new(vec![
            Reply::Json(200, catalogue()),
            Reply::Json(200, openai_body("Paris is the capital of France.", "stop", Some((20, 8)))),
        ])
    };
    // Listed dearest first, with no prices: only the catalogue can order them.
    let e = engine(json!({"models": [or_model(SONNET), or_model(LLAMA)]}));
    let http = answers();
    let r = run(&e, &http, "Capital of France?");
    assert_eq!(http.body(1)["model"], LLAMA, "the cheaper model drafts");
    assert_eq!(r.attempts[0].model, LLAMA);
    assert!(r.draft_accepted, "{}", r.reason);
    assert!(r.cost_saved.is_some_and(|s| s > 0.0), "savings are measured against the dearer tier");

    let e = engine(json!({"keepOrder": true, "models": [or_model(SONNET), or_model(LLAMA)]}));
    let http = answers();
    run(&e, &http, "Capital of France?");
    assert_eq!(http.body(1)["model"], SONNET, "keepOrder: the given order");
}

#[test]
fn catalogue_prices_the_top_tier_for_the_savings_baseline() {
    let e = engine(json!({"keepOrder": true, "models": [or_model(LLAMA), or_model(SONNET)]}));
    let http = Scripted::new(vec![
        Reply::Json(200, catalogue()),
        Reply::Json(200, openai_body("Paris.", "stop", Some((100, 10)))),
    ]);
    let r = run(&e, &http, "Capital of France?");
    assert_eq!(http.calls(), 2, "one catalogue request serves both tiers");
    assert!(r.draft_accepted);
    let cost = 100.0 * 0.02 / 1e6 + 10.0 * 0.05 / 1e6;
    let baseline = 100.0 * 3.0 / 1e6 + 10.0 * 15.0 / 1e6;
    assert!((r.total_cost.unwrap_or(f64::NAN) - cost).abs() < 1e-12);
    assert!((r.cost_saved.unwrap_or(f64::NAN) - (baseline - cost)).abs() < 1e-12);
}

#[test]
fn openrouter_statuses_through_the_engine() {
    let priced = |name: &str| json!({"name": name, "provider": "openrouter", "apiKey": KEY, "cost": 0.001});
    // 402 on the only tier: a budget error that says so, key masked.
    let e = engine(json!({"models": [priced(LLAMA)]}));
    let body = format!(r#"{{"error":{{"code":402,"message":"Insufficient credits for key {KEY}"}}}}"#);
    let http = Scripted::new(vec![Reply::Json(402, body)]);
    let err = block_on(e.run(&http, vec![Message::user("hi")], &CallOptions::default())).expect_err("402 fails");
    assert_eq!(err.error.code, ErrorCode::Budget);
    assert!(err.error.message.contains("insufficient credits"), "{}", err.error.message);
    assert!(!err.error.message.contains(KEY));

    // 502/503 escalate as server errors, OpenRouter's message kept.
    for status in [502u16, 503] {
        let e = engine(json!({"keepOrder": true, "models": [priced(LLAMA), priced(SONNET)]}));
        let none =
            || Reply::Json(status, r#"{"error":{"code":503,"message":"No available provider for this model"}}"#.into());
        let http = Scripted::new(vec![
            none(),
            none(),
            none(),
            Reply::Json(200, openai_body("Paris is the capital of France.", "stop", Some((10, 8)))),
        ]);
        let r = run(&e, &http, "Capital of France?");
        assert_eq!(r.model_used, SONNET);
        assert_eq!(r.attempts[0].outcome, AttemptOutcome::Failed);
        let err = r.attempts[0].error.as_ref().expect("failed attempt has its error");
        assert_eq!((err.code, err.status), ("E_PROVIDER_UNAVAILABLE", Some(status)));
        assert!(err.message.contains("No available provider"), "{}", err.message);
    }

    // 400 fails fast; 429 is a rate limit.
    let e = engine(json!({"keepOrder": true, "models": [priced(LLAMA), priced(SONNET)]}));
    let http = Scripted::new(vec![Reply::Json(400, r#"{"error":{"code":400,"message":"bad model id"}}"#.into())]);
    let err = block_on(e.run(&http, vec![Message::user("hi")], &CallOptions::default())).expect_err("400 fails");
    assert_eq!((err.error.code, http.calls()), (ErrorCode::ProviderStatus, 1));
    assert!(err.error.message.contains("unknown model id") && err.error.message.contains("bad model id"));
    let e = engine(json!({"models": [priced(LLAMA)]}));
    let limited = || Reply::Json(429, "{}".into());
    let http = Scripted::new(vec![limited(), limited(), limited()]);
    let err = block_on(e.run(&http, vec![Message::user("hi")], &CallOptions::default())).expect_err("429 fails");
    assert_eq!(err.error.code, ErrorCode::RateLimited);
    assert_eq!(http.calls(), 3, "backed off and tried twice more before giving up");
}
