//! Offline evaluation and calibration through the public API: the JSON
//! door (records in the data file's shape, prices, tokens), the cost
//! arithmetic, and that a calibration handed to the agent reaches what it
//! promised.

use cascade_edge::json;
use cascade_edge::quality::calibrate::{
    calibrate, calibrate_json, evaluate, evaluate_json, parse_prices, parse_records, CalibrateOptions, Prices,
    TokenDefaults,
};
use cascade_edge::quality::eval::{summarize, EvalRecord};
use cascade_edge::quality::{judge, JudgeInput, QualityConfig};
use cascade_edge::value::Value;

/// Right drafts with clean working; wrong ones with a miscalculation the
/// judge can see; the verifier is always right.
fn records(n: usize) -> Value {
    let mut out = Vec::new();
    for i in 0..n {
        let (a, b) = (i + 3, 7);
        let query = format!("Sam buys {a} boxes with {b} pens in each box. How many pens does he have?");
        let right = i % 3 != 0;
        let total = if right { a * b } else { a * b + 5 };
        let draft = format!("Each box has {b} pens, so {a} * {b} = {total}. He has {total} pens.\n#### {total}");
        out.push(json!({"query": query, "draft": draft, "verifier": format!("{a} * {b} = {}. #### {}", a * b, a * b),
            "draft_correct": right, "verifier_correct": true}));
    }
    Value::Array(out)
}

fn err(r: Result<impl std::fmt::Debug, cascade_edge::CascadeError>) -> String {
    r.expect_err("expected an error").message
}

#[test]
fn records_take_snake_or_camel_case_and_numeric_labels() {
    let v = json!([
        {"query": "q", "draft": "abcdefgh", "draft_correct": true, "verifier_correct": 0},
        {"query": "q", "draft": "d", "draftCorrect": 1, "verifierCorrect": false, "verifier": "x".repeat(40)},
    ]);
    let r = parse_records(&v, TokenDefaults::default()).unwrap();
    assert!(r[0].draft_correct && !r[0].verifier_correct);
    assert!(r[1].draft_correct && !r[1].verifier_correct);
    // Estimated from text; without a verifier answer, as long as the draft.
    assert_eq!((r[0].input_tokens, r[0].draft_tokens, r[0].verifier_tokens), (1, 2, 2));
    assert_eq!(r[1].verifier_tokens, 10);
}

#[test]
fn token_counts_from_the_record_win_over_the_options_and_the_estimate() {
    let v = json!([{"query": "q", "draft": "d", "draft_correct": true, "verifier_correct": true,
        "draftTokens": 7, "verifier_tokens": 9}]);
    let t = TokenDefaults::parse(Some(&json!({"input": 50, "draft": 60, "verifier": 70}))).unwrap();
    let r = parse_records(&v, t).unwrap();
    assert_eq!((r[0].input_tokens, r[0].draft_tokens, r[0].verifier_tokens), (50, 7, 9));
    assert!(TokenDefaults::parse(Some(&json!("estimate"))).is_ok());
}

#[test]
fn bad_records_name_the_field() {
    let e = |v: Value| err(parse_records(&v, TokenDefaults::default()));
    assert_eq!(
        e(json!({"query": "q"})),
        "records: expected an array of {query, draft, draft_correct, verifier_correct}, got an object"
    );
    assert!(e(json!([])).contains("at least one record"));
    assert_eq!(
        e(json!([{"query": "q", "draft": "d", "verifier_correct": true}])),
        "records[0].draft_correct: required (true or false)"
    );
    let bad_label = json!([{"query": "q", "draft": "d", "draft_correct": "yes", "verifier_correct": true}]);
    assert_eq!(e(bad_label), "records[0].draft_correct: expected true or false, got \"yes\"");
    assert!(e(json!([{"draft": "d", "draft_correct": true, "verifier_correct": true}])).starts_with("records[0].query"));
    assert!(e(json!([{"query": "q", "draft": 4, "draft_correct": true, "verifier_correct": true}]))
        .starts_with("records[0].draft: expected a string"));
    let neg =
        json!([{"query": "q", "draft": "d", "draft_correct": true, "verifier_correct": true, "draft_tokens": -1}]);
    assert!(e(neg).starts_with("records[0].draft_tokens"));
    assert!(err(TokenDefaults::parse(Some(&json!({"output": 3})))).starts_with("options.tokens.output: unknown option"));
}

#[test]
fn prices_by_model_name_or_in_dollars() {
    let d = Prices::default();
    assert_eq!(
        (d.draft.model.as_deref(), d.draft.input_cost, d.verifier.output_cost),
        (Some("gpt-4o-mini"), 0.15, 10.0)
    );
    let p = parse_prices(Some(
        &json!({"draft": "claude-3-5-haiku-20241022", "verifier": {"inputCost": 3, "outputCost": 15}}),
    ))
    .unwrap();
    assert_eq!((p.draft.input_cost, p.draft.output_cost), (0.8, 4.0));
    assert_eq!((p.verifier.input_cost, p.verifier.output_cost, p.verifier.model.clone()), (3.0, 15.0, None));
    let blended = parse_prices(Some(&json!({"verifier": {"cost": 0.002}}))).unwrap();
    assert_eq!((blended.verifier.input_cost, blended.draft.input_cost), (2.0, 0.15));
    assert!(err(parse_prices(Some(&json!({"draft": "my-finetune"})))).contains("no known price"));
    assert!(
        err(parse_prices(Some(&json!({"drafter": "gpt-4o"})))).starts_with("options.prices.drafter: unknown option")
    );
    assert!(err(parse_prices(Some(&json!({"draft": {"inputCost": -1, "outputCost": 1}})))).contains("inputCost"));
}

#[test]
fn evaluation_matches_the_metrics_and_the_judge() {
    let v = records(30);
    let e = evaluate_json(&v, &json!({})).unwrap();
    let parsed = parse_records(&v, TokenDefaults::default()).unwrap();
    let cfg = QualityConfig::default();
    let verdicts: Vec<_> = parsed.iter().map(|r| judge(&JudgeInput::text(&r.query, &r.draft), &cfg, None)).collect();
    let evals: Vec<EvalRecord> = parsed
        .iter()
        .zip(&verdicts)
        .map(|(r, v)| EvalRecord {
            escalation: v.escalation_score(),
            draft_correct: r.draft_correct,
            verifier_correct: true,
        })
        .collect();
    let s = summarize(&evals);
    assert_eq!((e.count, e.apgr, e.cpt50, e.cpt80), (30, s.apgr, s.cpt50, s.cpt80));
    let escalated = verdicts.iter().filter(|v| !v.accepted).count() as f64 / 30.0;
    assert_eq!(e.decision.outcome.escalated_share, escalated);
    assert_eq!((e.decision.draft_only_quality, e.decision.verifier_only_quality), (20.0 / 30.0, 1.0));
    // The miscalculations are caught: the cascade beats the drafter alone.
    assert!(e.decision.outcome.quality > e.decision.draft_only_quality);
    assert!(e.curve.is_none());
    let with_curve = evaluate_json(&v, &json!({"curve": true, "quality": "strict"})).unwrap();
    assert!(with_curve.curve.is_some_and(|c| c.len() >= 2 && c[0].share == 0.0));
}

#[test]
fn dollars_per_query_follow_the_prices_and_the_escalations() {
    let v = records(12);
    let o = json!({"prices": {"draft": {"inputCost": 1, "outputCost": 2}, "verifier": {"inputCost": 10, "outputCost": 20}},
        "tokens": {"input": 100, "draft": 50, "verifier": 40}});
    let e = evaluate_json(
        &Value::Array(
            v.as_array()
                .unwrap()
                .iter()
                .map(|r| {
                    let mut r = r.clone();
                    r.as_object_mut().unwrap().remove("verifier");
                    r
                })
                .collect(),
        ),
        &o,
    );
    let e = e.unwrap();
    let d = e.decision;
    let draft = (100.0 * 1.0 + 50.0 * 2.0) / 1e6;
    let verifier = (100.0 * 10.0 + 40.0 * 20.0) / 1e6;
    let near = |a: f64, b: f64| assert!((a - b).abs() < 1e-12, "{a} vs {b}");
    near(d.draft_only_cost_per_query, draft);
    near(d.outcome.verifier_only_cost_per_query, verifier);
    near(d.outcome.cost_per_query, draft + d.outcome.escalated_share * verifier);
    near(d.outcome.savings_percentage, (1.0 - d.outcome.cost_per_query / verifier) * 100.0);
}

#[test]
fn options_are_checked() {
    let v = records(3);
    assert!(err(evaluate_json(&v, &json!({"preset": "strict"}))).starts_with("options.preset: unknown option"));
    assert!(err(evaluate_json(&v, &json!({"quality": {"threshold": 2}}))).starts_with("options.quality.threshold"));
    assert!(err(evaluate_json(&v, &json!({"curve": "yes"}))).starts_with("options.curve"));
    assert!(err(evaluate_json(&v, &json!([1]))).starts_with("options: expected an object"));
    assert!(err(calibrate_json(&v, &json!({"targetQuality": 1.5}))).starts_with("options.targetQuality"));
    assert!(err(calibrate_json(&v, &json!({"targetQuality": 0}))).starts_with("options.targetQuality"));
    assert!(err(calibrate_json(&v, &json!({"minPerComplexity": -3}))).starts_with("options.minPerComplexity"));
    assert!(calibrate_json(&v, &Value::Null).is_ok());
}

#[test]
fn a_calibration_handed_to_the_agent_reaches_what_it_reported() {
    let v = records(60);
    for target in [0.7, 0.9, 1.0] {
        let c = calibrate_json(&v, &json!({"targetQuality": target, "minPerComplexity": 10})).unwrap();
        assert!(c.met, "target {target}");
        assert!(c.reached.quality >= c.target - 1e-12);
        assert!(c.reached.escalated_share <= c.global.escalated_share);
        // The `quality` object is what `new CascadeAgent({ quality })` takes.
        let q = cascade_edge::value::from_str(&cascade_edge::json_out::ToJson::to_json(&c.quality)).unwrap();
        assert!(QualityConfig::parse(&q, "quality").is_ok());
        let e = evaluate_json(&v, &json!({ "quality": q })).unwrap();
        assert_eq!(e.decision.outcome, c.reached, "target {target}");
    }
    // Every miscalculation is seen, so full verifier quality costs exactly the wrong drafts.
    let c = calibrate_json(&v, &json!({"targetQuality": 1.0})).unwrap();
    assert_eq!((c.reached.quality, c.reached.escalated_share), (1.0, 20.0 / 60.0));
}

#[test]
fn calibrate_on_parsed_records_is_the_json_door_without_json() {
    let v = records(9);
    let parsed = parse_records(&v, TokenDefaults::default()).unwrap();
    let a = calibrate(&parsed, &CalibrateOptions::default(), &Prices::default());
    let b = calibrate_json(&v, &json!({})).unwrap();
    assert_eq!(a, b);
    assert_eq!(CalibrateOptions::default().target_quality, 0.95);
    let e = evaluate(&parsed, &QualityConfig::default(), &Prices::default(), false);
    assert_eq!(e, evaluate_json(&v, &json!({})).unwrap());
}
