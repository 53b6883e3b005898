//! Robustness: the judge runs on whatever a provider returns, so no input
//! may make it panic, loop, or leave its score outside 0..1.

use cascade_edge::quality::{judge, JudgeInput, QualityConfig};
use cascade_edge::types::{FinishReason, ResponseFormat, TokenLogprob, ToolCall, ToolSpec};
use serde_json::json;

const PIECES: &[&str] = &[
    "é", "ß", "İ", "ﬁ", "👍🏽", "👨‍👩‍👧", "\u{301}", "\u{200b}", "\u{feff}", "\u{0}", "日本語", "한국어", "العربية", "עברית",
    "Ω", "∑", "≈", "×", "÷", "−", "–", "—", "½", "²", "١٢", "\r\n", "\n", "\t", " ", "```", "```json\n", "<<", ">>",
    "####", "**", "\\frac{", "}{", "\\times", "(", ")", "[", "{", "}", "=", "+", "-", "*", "/", "%", "$", ",", ".",
    "1", "23", "4,567", "8.9", "0", "-3", "1/0", "1e308", "99999999999999999999", "x", "I can't help", "as an AI",
    "answer", "how many", "twice", "dozen", "hours", "minutes", "approximately", "the", "because", "{\"a\": 1}",
];

/// A deterministic sequence (no randomness in tests either).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> usize {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) as usize
    }
    fn text(&mut self, len: usize) -> String {
        (0..len).map(|_| PIECES[self.next() % PIECES.len()]).collect()
    }
}

fn check(input: &JudgeInput) {
    for cfg in [QualityConfig::default(), QualityConfig::preset("strict").unwrap()] {
        let v = judge(input, &cfg, None);
        assert!((0.0..=1.0).contains(&v.score), "{} for {:?}", v.score, input.answer);
        assert!(!v.reason.is_empty());
        assert!(v.checks.iter().all(|c| (0.0..=1.0).contains(&c.score)));
        serde_json::to_string(&v).unwrap();
    }
}

#[test]
fn random_mixtures_of_awkward_text() {
    let mut rng = Lcg(7);
    for round in 0..400 {
        let (ql, al) = (rng.next() % 12, rng.next() % 60);
        let q = rng.text(ql);
        let a = rng.text(al);
        let mut input = JudgeInput::text(&q, &a);
        if round % 3 == 0 {
            input.finish_reason = FinishReason::Unknown;
        }
        check(&input);
    }
}

#[test]
fn every_char_boundary_prefix_of_a_tricky_draft() {
    let draft = "Ünïcödé: 3 × 4 = 12 → <<3*4=12>>12 äpfel; ½ of 8 ≈ 4 👍🏽 \\frac{1}{4} \\times 8 = 2. ```py\nprint('日本')\n```\n#### 12";
    let q = "How many äpfel? ½ of them, twice as many, 日本?";
    for (i, _) in draft.char_indices() {
        let input = JudgeInput::text(q, &draft[..i]);
        check(&input);
    }
}

#[test]
fn structured_inputs_with_junk() {
    let schema = ResponseFormat::JsonSchema { name: None, schema: json!({"$ref": "#", "items": {"$ref": "#"}}) };
    let tools = vec![ToolSpec { name: "t".into(), description: "weather now".into(), parameters: json!({"$ref": "#"}) }];
    let calls = vec![ToolCall::new("1", "t", "[[[[[[1]]]]]]"), ToolCall::new("2", "t", "{\"a\":")];
    let lp = vec![
        TokenLogprob { token: "a".into(), logprob: f64::NAN, top_logprobs: vec![] },
        TokenLogprob { token: "b".into(), logprob: f64::NEG_INFINITY, top_logprobs: vec![] },
    ];
    let deep = "[".repeat(5000);
    for answer in ["", "{}", "[1,2,3]", deep.as_str(), "```json\n{\"a\": [1, 2]\n```"] {
        let mut input = JudgeInput::text("weather now as json?", answer);
        input.response_format = Some(&schema);
        input.tools = &tools;
        input.tool_calls = &calls;
        input.logprobs = Some(&lp);
        check(&input);
    }
}

#[test]
fn very_long_and_repetitive_inputs_stay_bounded() {
    let long = "The quick brown fox jumps over the lazy dog 12 + 30 = 42. ".repeat(2000);
    let v = judge(&JudgeInput::text(&long, &long), &QualityConfig::default(), None);
    assert!(!v.accepted);
    let one_word = "na ".repeat(5000);
    assert!(!judge(&JudgeInput::text("Sing", &one_word), &QualityConfig::default(), None).accepted);
    let parens = format!("{} = 1", "(".repeat(3000));
    check(&JudgeInput::text("What is it?", &parens));
}
