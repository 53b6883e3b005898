//! Token logprobs in bulk: the judge reads a bounded prefix of them, and
//! `scoreDraft`'s options keep only that prefix while they are parsed, so
//! neither time nor memory follows whatever size a caller sends.

use cascade_edge::json;
use cascade_edge::quality::{judge, read_draft_options, JudgeInput, QualityConfig, MAX_LOGPROB_TOKENS};
use cascade_edge::types::TokenLogprob;
use cascade_edge::value::Value;

fn entries(n: usize) -> String {
    let one = r#"{"token":" t","logprob":-0.1,"topLogprobs":[{"token":"a","logprob":-1},{"token":"b","logprob":-2}]}"#;
    let mut s = String::with_capacity(n.saturating_mul(one.len().saturating_add(1)).saturating_add(2));
    s.push('[');
    for i in 0..n {
        if i > 0 {
            s.push(',');
        }
        s.push_str(one);
    }
    s.push(']');
    s
}

#[test]
fn two_hundred_thousand_entries_keep_only_the_cap() {
    let text = format!(r#"{{"logprobs": {}, "qualityThreshold": 0.4, "finishReason": "stop"}}"#, entries(200_000));
    let o = read_draft_options(&text).expect("valid JSON");
    let lp = o.logprobs.expect("logprobs kept");
    assert_eq!(lp.len(), MAX_LOGPROB_TOKENS);
    assert_eq!(lp.first().map(|t| t.top_logprobs.len()), Some(2));
    // The other options come through as they were.
    assert_eq!(o.rest, json!({"qualityThreshold": 0.4, "finishReason": "stop"}));
    let mut input = JudgeInput::text("Explain something.", "Paris is the capital of France.");
    input.logprobs = Some(&lp);
    let v = judge(&input, &QualityConfig::default(), None);
    assert!(v.checks.iter().any(|c| c.name == "logprobs"), "{v:?}");
}

#[test]
fn the_judge_reads_only_the_cap_of_a_longer_list() {
    // Confident for the first MAX_LOGPROB_TOKENS tokens, hopeless after:
    // had the tail been read the logprob check would fail.
    let lp: Vec<TokenLogprob> = (0..200_000)
        .map(|i| TokenLogprob {
            token: " t".into(),
            logprob: if i < MAX_LOGPROB_TOKENS { -0.01 } else { -12.0 },
            top_logprobs: vec![],
        })
        .collect();
    let mut input = JudgeInput::text("What is the capital of France?", "Paris.");
    input.logprobs = Some(&lp);
    let v = judge(&input, &QualityConfig::default(), None);
    let check = v.checks.iter().find(|c| c.name == "logprobs").expect("logprobs check");
    assert!(check.passed && check.score > 0.9, "{check:?}");
}

#[test]
fn options_read_as_before_for_every_shape() {
    let read = |s: &str| read_draft_options(s).expect(s);
    assert_eq!(read("{}").logprobs, None);
    assert_eq!(read("{}").rest, json!({}));
    for not_an_object in ["null", "1", "\"x\"", "[1, {\"a\": 2}]", "true"] {
        assert_eq!(read(not_an_object).rest, Value::Null, "{not_an_object}");
    }
    for bad in [
        r#"{"logprobs": null}"#,
        r#"{"logprobs": 3}"#,
        r#"{"logprobs": {"a": [1]}}"#,
        r#"{"logprobs": [{"token": "a", "logprob": -1}, {"token": 5}]}"#,
        r#"{"logprobs": ["x"]}"#,
    ] {
        assert_eq!(read(bad).logprobs, None, "{bad}");
    }
    let o = read(r#"{"logprobs": [{"token": "a", "logprob": -0.5}], "logprobs": [], "tools": [1]}"#);
    assert_eq!(o.logprobs, Some(vec![]), "the last of a repeated key wins, as in serde_json");
    assert_eq!(o.rest, json!({"tools": [1]}));
    assert!(read_draft_options("{").is_err());
    assert!(read_draft_options("{} x").is_err());
    assert!(read_draft_options("").is_err());
}
