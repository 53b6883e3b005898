//! A tier whose price is unknown says so in its attempt's reason, with the
//! fix (and the likely intended model when the name looks like a typo),
//! instead of leaving a bare `null` cost to be puzzled over.

mod support;

use cascade_edge::cascade::Engine;
use cascade_edge::clock::ManualClock;
use cascade_edge::config::{parse_agent, CallOptions};
use cascade_edge::json;
use cascade_edge::types::Message;
use support::{block_on, openai_body, Reply, Scripted};

fn first_reason(models: cascade_edge::value::Value) -> (String, Option<f64>) {
    let e = Engine::new(parse_agent(&support::with_keys(models)).expect("valid config"), ManualClock::default());
    let http = Scripted::new(vec![Reply::Json(200, openai_body("4", "stop", Some((5, 1))))]);
    let r = block_on(e.run(&http, vec![Message::user("What is 2+2?")], &CallOptions::default())).expect("run");
    let a = r.attempts.first().expect("one attempt");
    (a.reason.clone(), a.cost)
}

#[test]
fn a_typo_gets_a_warning_and_a_suggestion() {
    let (reason, cost) = first_reason(json!({"keepOrder": true, "models": [
        {"name": "gpt-4o-mnii", "provider": "openai"},
        {"name": "gpt-4o", "provider": "openai"}
    ]}));
    assert_eq!(cost, None);
    assert!(
        reason.contains(
            r#"cost unknown: no list price for "gpt-4o-mnii" (set inputCost/outputCost; did you mean "gpt-4o-mini"?)"#
        ),
        "{reason}"
    );
}

#[test]
fn an_unknown_name_gets_a_warning_without_a_guess() {
    let (reason, cost) = first_reason(json!([{"name": "my-finetune", "provider": "openai"}]));
    assert_eq!(cost, None);
    assert!(
        reason.ends_with(r#"cost unknown: no list price for "my-finetune" (set inputCost/outputCost)"#),
        "{reason}"
    );
}

#[test]
fn priced_and_self_hosted_tiers_say_nothing_about_cost() {
    for models in [
        json!([{"name": "gpt-4o-mini", "provider": "openai"}]),
        json!([{"name": "my-finetune", "provider": "openai", "inputCost": 1, "outputCost": 2}]),
        json!([{"name": "my-local-model", "provider": "vllm"}]),
    ] {
        let (reason, cost) = first_reason(models);
        assert!(cost.is_some());
        assert!(!reason.contains("cost unknown"), "{reason}");
    }
}
