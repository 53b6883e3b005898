//! The judge, as `scoreDraft` runs it (`quality::judge_turn`): any query and
//! draft text (multi-byte, combining marks, very long), any finish reason,
//! long logprob lists with values no model sends (NaN, ±inf, positive),
//! tool calls whose names and arguments are garbage, odd tool schemas and
//! response formats, any threshold.

use cascade_edge::json;
use cascade_edge::quality::{judge_turn, JudgeInput, QualityConfig, Turn};
use cascade_edge::types::{FinishReason, ResponseFormat, TokenLogprob, ToolCall, ToolSpec, TopLogprob};
use cascade_edge::value::Value;

use crate::harness::run;
use crate::mutate::{self, UNICODE};
use crate::rng::Rng;

const QUERIES: &[&str] = &[
    "What is the capital of France?",
    "hi",
    "Explain the difference between TCP and UDP in two sentences.",
    "Write a Python function that returns the n-th Fibonacci number, with tests.",
    "Prove that there are infinitely many primes, then compare Euclid's proof with Euler's analytic argument.",
    "What is 17 * 23? Answer with the number only.",
    "Return a JSON object with keys name and age for: Alice, 31.",
    "What's the weather in Paris right now?",
    "Quelle est la capitale de l'Allemagne ? Réponds en un mot.",
    "请用中文解释量子纠缠。",
    "My patient has chest pain and shortness of breath; which dosage of aspirin should I give?",
    "Summarise: ```rust\nfn main() { println!(\"{}\", 1 + 1); }\n```",
];

const DRAFTS: &[&str] = &[
    "Paris.",
    "The capital of France is Paris.",
    "I'm not sure, but I think it might be Lyon? I cannot be certain.",
    "391",
    "{\"name\": \"Alice\", \"age\": 31}",
    "```json\n{\"name\": \"Alice\", \"age\": 31\n```",
    "```python\ndef fib(n):\n    a, b = 0, 1\n    for _ in range(n):\n        a, b = b, a + b\n    return a\n```\n\nTests: fib(10) == 55.",
    "TCP is connection-oriented and reliable; UDP is connectionless and best-effort. 1. ordering 2. retransmission",
    "As an AI language model, I cannot access real-time data.",
    "Berlin",
    "量子纠缠是指两个粒子的状态相互关联。",
    "",
    "Step 1: 17 * 20 = 340. Step 2: 17 * 3 = 51. Step 3: 340 + 51 = 391. So the answer is 391, or maybe 392.",
];

/// Long enough to be far past any real query or draft; more only slows
/// the run (the judge is linear in its input).
const MAX_TEXT: usize = 1 << 20;

fn text(rng: &mut Rng, seeds: &[&str]) -> String {
    let docs: Vec<Vec<u8>> = seeds.iter().map(|s| s.as_bytes().to_vec()).collect();
    let mut t = rng.pick(&docs).clone();
    if !rng.one_in(4) {
        mutate::mutate(rng, &mut t, &docs);
    }
    if rng.one_in(16) {
        let times = rng.size(2000).max(1).min(MAX_TEXT / t.len().max(1));
        t = t.repeat(times);
    }
    t.truncate(MAX_TEXT);
    String::from_utf8_lossy(&t).into_owned()
}

fn float(rng: &mut Rng) -> f64 {
    match rng.below(3) {
        0 => -(rng.below(1_000_000) as f64) / 1000.0,
        1 => f64::from_bits(rng.next_u64()),
        _ => *rng.pick(&[
            0.0,
            -0.0,
            -1e-9,
            -0.5,
            -30.0,
            -1e308,
            f64::NEG_INFINITY,
            f64::INFINITY,
            f64::NAN,
            1.0,
            5.0,
            f64::MIN_POSITIVE,
            -f64::MAX,
        ]),
    }
}

fn token(rng: &mut Rng) -> String {
    match rng.below(4) {
        0 => rng.pick(UNICODE).to_string(),
        1 => String::new(),
        2 => rng.pick(&[" Paris", ".", " the", "391", "\n", " I", " think", "{\"", "```"]).to_string(),
        _ => String::from_utf8_lossy(&[rng.next_u64() as u8]).into_owned(),
    }
}

fn logprobs(rng: &mut Rng) -> Option<Vec<TokenLogprob>> {
    if rng.one_in(3) {
        return None;
    }
    let n = if rng.one_in(16) { rng.between(5000, 50_000) } else { rng.size(300) };
    Some(
        (0..n)
            .map(|_| TokenLogprob {
                token: token(rng),
                logprob: float(rng),
                top_logprobs: (0..rng.below(6))
                    .map(|_| TopLogprob { token: token(rng), logprob: float(rng) })
                    .collect(),
            })
            .collect(),
    )
}

fn schema(rng: &mut Rng) -> Value {
    rng.pick(&[
        json!({"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}),
        json!({"type":"object","properties":{"name":{"type":"string"},"age":{"type":"integer"}},"required":["name","age"],"additionalProperties":false}),
        json!({}),
        json!(null),
        json!({"type":["array","null"],"items":{"$ref":"#"},"minItems":18446744073709551615u64}),
        json!({"type":"object","required":"city","properties":[1,2]}),
        json!({"enum":["é","🙂",null,1e300]}),
    ])
    .clone()
}

fn raw_arguments(rng: &mut Rng) -> String {
    let seeds =
        [&b"{\"city\":\"Paris\"}"[..], b"{}", b"", b"[1,2]", b"\"x\"", b"{\"city\":", b"{\"a\":{\"b\":[null]}}"];
    let docs: Vec<Vec<u8>> = seeds.iter().map(|s| s.to_vec()).collect();
    let mut d = rng.pick(&docs).clone();
    if rng.one_in(2) {
        mutate::mutate(rng, &mut d, &docs);
    }
    String::from_utf8_lossy(&d).into_owned()
}

fn name(rng: &mut Rng) -> String {
    let mut n = rng.pick(&["get_weather", "calc", "", " ", "get weather", "a.b", "lookup"]).to_string();
    if rng.one_in(3) {
        n.push_str(rng.pick::<&str>(UNICODE));
    }
    n
}

#[derive(Debug)]
struct Case {
    query: String,
    draft: String,
    finish: FinishReason,
    logprobs: Option<Vec<TokenLogprob>>,
    tool_calls: Vec<ToolCall>,
    tools: Vec<ToolSpec>,
    format: Option<ResponseFormat>,
    cfg: QualityConfig,
    threshold: Option<f64>,
    turn: Turn,
}

fn case(rng: &mut Rng) -> Case {
    let cfg = match rng.below(4) {
        0 => QualityConfig::default(),
        1 => QualityConfig::preset(rng.pick::<&str>(&["strict", "balanced", "cost-optimized"])).unwrap_or_default(),
        _ => {
            let q = match rng.below(4) {
                0 => json!({"threshold": float(rng)}),
                1 => json!("strict"),
                2 => json!({"preset": "balanced", "minLength": rng.next_u64()}),
                _ => json!(float(rng)),
            };
            QualityConfig::parse(&q, "quality").unwrap_or_default()
        }
    };
    Case {
        query: text(rng, QUERIES),
        draft: text(rng, DRAFTS),
        finish: *rng.pick(&[
            FinishReason::Stop,
            FinishReason::Length,
            FinishReason::ToolCalls,
            FinishReason::ContentFilter,
            FinishReason::Unknown,
        ]),
        logprobs: logprobs(rng),
        tool_calls: (0..rng.size(8))
            .map(|i| ToolCall::new(format!("call_{i}"), name(rng), raw_arguments(rng)))
            .collect(),
        tools: (0..rng.size(4))
            .map(|_| ToolSpec {
                name: name(rng),
                description: text(rng, &["", "Get the weather.", "é"]),
                parameters: schema(rng),
            })
            .collect(),
        format: match rng.below(4) {
            0 => Some(ResponseFormat::Text),
            1 => Some(ResponseFormat::JsonObject),
            2 => Some(ResponseFormat::JsonSchema { name: Some(name(rng)), schema: schema(rng) }),
            _ => None,
        },
        cfg,
        threshold: rng.one_in(2).then(|| float(rng)),
        turn: Turn { has_tool_results: rng.one_in(3) },
    }
}

#[test]
fn judge() {
    run("judge", 400, case, |c| {
        let input = JudgeInput {
            query: &c.query,
            answer: &c.draft,
            finish_reason: c.finish,
            logprobs: c.logprobs.as_deref(),
            tool_calls: &c.tool_calls,
            tools: &c.tools,
            response_format: c.format.as_ref(),
        };
        let v = judge_turn(&input, c.turn, &c.cfg, c.threshold);
        let _ = cascade_edge::json_out::ToJson::to_json(&v);
    });
}
