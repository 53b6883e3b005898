//! The agent's `browser` flag: Anthropic requests from a web page carry the
//! CORS opt-in header; nothing changes elsewhere or without the flag.

use cascade_edge::config::{parse_agent, AgentConfig};
use cascade_edge::error::ErrorCode;
use cascade_edge::json;
use cascade_edge::providers::build_request;
use cascade_edge::types::{ChatRequest, Message};
use cascade_edge::value::Value;

const HEADER: &str = "anthropic-dangerous-direct-browser-access";

fn agent(cfg: Value) -> AgentConfig {
    parse_agent(&cfg).unwrap_or_else(|e| panic!("{e}"))
}

fn req() -> ChatRequest {
    ChatRequest { messages: vec![Message::user("hi")], ..Default::default() }
}

fn header_of(cfg: &AgentConfig, tier: usize, stream: bool) -> Option<String> {
    let r = build_request(&cfg.models[tier], &req(), stream).unwrap_or_else(|e| panic!("{e}"));
    r.header(HEADER).map(str::to_string)
}

#[test]
fn browser_agents_send_the_anthropic_opt_in_on_every_anthropic_call() {
    let models = json!([
        {"name": "claude-3-5-haiku-latest", "provider": "anthropic", "apiKey": "k", "cost": 0.001},
        {"name": "gpt-4o", "provider": "openai", "apiKey": "k", "cost": 0.01}
    ]);
    let cfg = agent(json!({"models": models, "browser": true}));
    assert!(cfg.browser);
    assert_eq!(header_of(&cfg, 0, false).as_deref(), Some("true"));
    assert_eq!(header_of(&cfg, 0, true).as_deref(), Some("true"));
    assert_eq!(header_of(&cfg, 1, false), None, "only Anthropic wants it");

    let server = agent(json!({"models": models}));
    assert!(!server.browser);
    assert_eq!(header_of(&server, 0, false), None);
    let explicit_off = agent(json!({"models": models, "browser": false}));
    assert_eq!(header_of(&explicit_off, 0, false), None);
}

#[test]
fn domain_route_tiers_get_it_too_and_user_headers_win() {
    let cfg = agent(json!({
        "browser": true,
        "models": [{"name": "claude-3-5-haiku-latest", "provider": "anthropic",
                    "headers": {"Anthropic-Dangerous-Direct-Browser-Access": "false"}}],
        "domains": {"code": [{"name": "claude-sonnet-4-0", "provider": "anthropic"}]}
    }));
    let route = cfg.domains.first().expect("a code route");
    assert!(route.models.iter().all(|m| m.browser));
    let r = build_request(&route.models[0], &req(), false).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.header(HEADER), Some("true"));
    assert_eq!(header_of(&cfg, 0, false).as_deref(), Some("false"));
}

#[test]
fn a_non_boolean_flag_is_a_config_error() {
    let e = parse_agent(&json!({"models": [{"name": "m", "provider": "openai"}], "browser": "yes"}))
        .expect_err("not a boolean");
    assert_eq!(e.code, ErrorCode::Config);
    assert!(e.message.contains("config.browser"), "{}", e.message);
}
