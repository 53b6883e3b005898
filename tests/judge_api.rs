//! The judge's public contract, as the engine and the JS bindings use it.

use cascade_edge::json;
use cascade_edge::json_out::ToJson;
use cascade_edge::quality::eval::{at_decision, summarize, EvalRecord};
use cascade_edge::quality::{complexity, detect_domain, judge, Complexity, Domain, JudgeInput, QualityConfig, Verdict};
use cascade_edge::types::{FinishReason, ResponseFormat, TokenLogprob, ToolCall, ToolSpec};

fn text(query: &str, answer: &str) -> Verdict {
    judge(&JudgeInput::text(query, answer), &QualityConfig::default(), None)
}

#[test]
fn complexity_levels() {
    assert_eq!(complexity("What is 2+2?"), Complexity::Trivial);
    assert_eq!(complexity("What is the capital of France?"), Complexity::Trivial);
    assert!(complexity("Explain why the sky is blue and compare it with why sunsets are red.") >= Complexity::Moderate);
    assert!(
        complexity("Design a distributed consensus protocol, prove it tolerates one faulty node, and derive its message complexity.")
            >= Complexity::Hard
    );
}

#[test]
fn domains() {
    assert_eq!(detect_domain("Write a Rust function that parses JSON"), Domain::Code);
    assert_eq!(detect_domain("What are the side effects of ibuprofen?"), Domain::Medical);
    assert_eq!(detect_domain("Translate 'good night' into Italian"), Domain::Translation);
    assert_eq!(detect_domain("Tell me about Paris"), Domain::General);
}

#[test]
fn short_correct_answers_pass_without_logprobs() {
    let v = text("What is the capital of France?", "Paris");
    assert!(v.accepted, "{v:?}");
    let v = text("What is 2+2?", "4");
    assert!(v.accepted, "{v:?}");
    assert_eq!(v.complexity, Complexity::Trivial);
}

#[test]
fn wrong_trivial_arithmetic_is_rejected() {
    let v = text("What is 2+2?", "5");
    assert!(!v.accepted);
    assert!(v.reason.contains("arithmetic"), "{}", v.reason);
    // Even a tier threshold of zero cannot accept a vetoed draft.
    let v = judge(&JudgeInput::text("What is 2+2?", "5"), &QualityConfig::default(), Some(0.0));
    assert!(!v.accepted);
}

#[test]
fn fluent_off_topic_answers_are_rejected() {
    let off = "Bananas are a great source of potassium and can be eaten raw or cooked in many different delicious ways every day.";
    assert!(!text("What is the capital of France?", off).accepted);
    let off = "The Great Wall of China is a series of fortifications built over many centuries across northern China.";
    assert!(!text("How many moons does Mars have?", off).accepted);
}

#[test]
fn empty_truncated_and_refused_drafts_are_rejected() {
    assert!(!text("Tell me a joke", "  ").accepted);
    let mut input =
        JudgeInput::text("Tell me a story", "Once upon a time, in a quiet village by the sea, there lived a");
    input.finish_reason = FinishReason::Length;
    let v = judge(&input, &QualityConfig::default(), None);
    assert!(!v.accepted && v.reason.contains("token limit"), "{}", v.reason);
    assert!(!text("How do I bake bread?", "I'm sorry, but I can't help with that.").accepted);
    assert!(!text("How many eggs are left?", "She had 16 eggs and used 3 + 4 = ").accepted);
}

const Q: &str = "Janet's ducks lay 16 eggs per day. She eats 3 for breakfast and bakes muffins with 4. She sells the rest at $2 per egg. How much does she make every day?";

#[test]
fn worked_maths_is_rechecked() {
    let good = "She uses 3 + 4 = 7 eggs, so 16 - 7 = 9 eggs are left. She sells them for 9 * $2 = $18.\n#### 18";
    let v = text(Q, good);
    assert!(v.accepted, "{v:?}");
    let bad = "She uses 3 + 4 = 7 eggs, so 16 - 7 = 8 eggs are left. She sells them for 8 * $2 = $16.\n#### 16";
    let v = text(Q, bad);
    assert!(!v.accepted);
    assert!(v.reason.contains("16 - 7 = 8"), "{}", v.reason);
    assert!(v.score < 0.2);
}

#[test]
fn json_requests_are_validated() {
    let schema = ResponseFormat::JsonSchema {
        name: None,
        schema: json!({"type": "object", "required": ["city", "population"],
                       "properties": {"city": {"type": "string"}, "population": {"type": "integer"}}}),
    };
    let run = |answer: &str| {
        let mut input = JudgeInput::text("Give me the largest city of Japan and its population", answer);
        input.response_format = Some(&schema);
        judge(&input, &QualityConfig::default(), None)
    };
    assert!(run(r#"{"city": "Tokyo", "population": 14000000}"#).accepted);
    assert!(run("```json\n{\"city\": \"Tokyo\", \"population\": 14000000}\n```").accepted);
    assert!(!run(r#"{"city": "Tokyo", "population": "14 million"}"#).accepted);
    assert!(!run(r#"{"city": "Tokyo"}"#).accepted);
    assert!(!run(r#"{"city": "Tokyo", "population": 14000000"#).accepted);
}

#[test]
fn tool_calls_are_validated() {
    let tools = vec![ToolSpec {
        name: "get_weather".into(),
        description: "Current weather for a city".into(),
        parameters: json!({"type": "object", "required": ["city"], "properties": {"city": {"type": "string"}}}),
    }];
    let q = "What's the weather in Oslo right now?";
    let run = |answer: &str, calls: &[ToolCall]| {
        let mut input = JudgeInput::text(q, answer);
        input.tools = &tools;
        input.tool_calls = calls;
        judge(&input, &QualityConfig::default(), None)
    };
    assert!(run("", &[ToolCall::new("1", "get_weather", r#"{"city": "Oslo"}"#)]).accepted);
    assert!(!run("", &[ToolCall::new("1", "get_weather", r#"{"town": "Oslo"}"#)]).accepted);
    assert!(!run("", &[ToolCall::new("1", "get_forecast", r#"{"city": "Oslo"}"#)]).accepted);
    assert!(!run("It is sunny and 18 degrees in Oslo.", &[]).accepted);
}

#[test]
fn confident_logprobs_lift_and_shaky_ones_lower() {
    let q = "Explain the main tradeoffs between optimistic and pessimistic concurrency control in databases.";
    let a = "Optimistic concurrency control lets transactions proceed without locks and validates at commit, which \
             is cheap when conflicts are rare but wastes work on retries when contention is high. Pessimistic control \
             takes locks up front, so conflicting transactions wait instead of aborting, at the cost of lock overhead \
             and possible deadlocks.";
    let plain = text(q, a);
    let lp = |p: f64| vec![TokenLogprob { token: "x".into(), logprob: p.ln(), top_logprobs: vec![] }; 60];
    let sure = lp(0.97);
    let shaky = lp(0.3);
    let with = |l: &[TokenLogprob]| {
        let mut input = JudgeInput::text(q, a);
        input.logprobs = Some(l);
        judge(&input, &QualityConfig::default(), None)
    };
    assert!(with(&sure).score > plain.score);
    assert!(with(&shaky).score < plain.score);
    assert!(!with(&shaky).accepted);
}

#[test]
fn thresholds_presets_and_overrides() {
    let v = text("What is the capital of France?", "Paris");
    let strict = QualityConfig::preset("strict").unwrap();
    let cheap = QualityConfig::preset("cost-optimized").unwrap();
    assert!(strict.thresholds.iter().zip(cheap.thresholds).all(|(s, c)| *s > c));
    let input = JudgeInput::text("What is the capital of France?", "Paris");
    assert!(!judge(&input, &QualityConfig::default(), Some(0.99)).accepted);
    assert_eq!(judge(&input, &QualityConfig::default(), Some(0.3)).threshold, 0.3);
    let cfg = QualityConfig::parse(&json!({"threshold": 0.42}), "quality").unwrap();
    assert_eq!(judge(&input, &cfg, None).threshold, 0.42);
    assert!(v.score > 0.9);
    let medical = QualityConfig::parse(&json!({"domainThresholds": {"medical": 0.97}}), "quality").unwrap();
    let m =
        judge(&JudgeInput::text("Is ibuprofen safe with a fever?", "Usually yes, at the label dose."), &medical, None);
    assert_eq!((m.domain, m.threshold), (Domain::Medical, 0.97));
    let e = QualityConfig::parse(&json!({"thresholds": {"hard": "x"}}), "quality").unwrap_err();
    assert_eq!(e.message, "quality.thresholds.hard: expected a number from 0 to 1, got \"x\"");
}

#[test]
fn verdict_serializes_for_js() {
    let v = text("What is 2+2?", "5");
    let j: cascade_edge::value::Value = cascade_edge::value::from_str(&v.to_json()).unwrap();
    assert_eq!(j["complexity"], "trivial");
    assert_eq!(j["domain"], "math");
    assert_eq!(j["accepted"], false);
    let check = &j["checks"][1];
    for key in ["name", "passed", "score", "weight", "veto"] {
        assert!(check.get(key).is_some(), "{key} missing in {check}");
    }
    assert!(j.get("reason").and_then(|r| r.as_str()).is_some_and(|r| !r.is_empty()));
}

#[test]
fn scores_rank_drafts_for_the_metrics() {
    let good = text(Q, "She uses 3 + 4 = 7 eggs, so 16 - 7 = 9 eggs remain, worth 9 * $2 = $18.\n#### 18");
    let bad = text(Q, "She uses 3 + 4 = 7 eggs, so 16 - 7 = 8 eggs remain.\n#### 16");
    let records = vec![
        EvalRecord { escalation: good.escalation_score(), draft_correct: true, verifier_correct: true },
        EvalRecord { escalation: bad.escalation_score(), draft_correct: false, verifier_correct: true },
    ];
    let s = summarize(&records);
    assert_eq!(s.cpt50, Some(0.25));
    let d = at_decision(&records, &[!good.accepted, !bad.accepted]);
    assert_eq!((d.escalated_share, d.quality), (0.5, 1.0));
}
