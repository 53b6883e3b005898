//! Configuration as the JS wrapper hands it over. Two kinds of mutation:
//! bytes of the JSON text (most results are then not JSON, and the few that
//! are stay close to the seeds), and edits of the parsed tree, which put
//! every kind of value (unicode, CR/LF, huge and negative numbers, deep
//! nesting) under every key the parsers know.

use cascade_edge::config::{parse_agent, parse_call_options, parse_model};
use cascade_edge::quality::QualityConfig;
use serde_json::{Map, Number, Value};

use crate::harness::run;
use crate::mutate::UNICODE;
use crate::rng::Rng;
use crate::seeds;
use crate::mutated;

const KEYS: &[&str] = &[
    "name", "provider", "cost", "inputCost", "outputCost", "apiKey", "baseUrl", "qualityThreshold", "maxTokens",
    "temperature", "parameters", "headers", "cacheControl", "api_key", "base_url", "input_cost", "max_tokens", "models",
    "quality", "keepOrder", "defaults", "domains", "preRouting", "browser", "threshold", "thresholds",
    "requireVerifier", "skipDrafterFrom", "tools", "toolChoice", "maxSteps", "responseFormat", "systemPrompt", "type",
    "schema", "function", "preset", "code", "medical", "default", "general", "expert", "minLength", "checks",
];

const STRINGS: &[&str] = &[
    "", " ", "openai", "anthropic", "ollama", "openrouter", "openai-compatible", "OpenAI", "mock", "gpt-4o-mini",
    "claude-3-5-haiku-latest", "strict", "balanced", "cost_optimized", "expert", "json_schema", "json_object", "text",
    "http://", "https://x/", "https://example.test/v1///", "ftp://x", "a\r\nb", "\n", "\0", "\u{feff}openai",
];

fn number(rng: &mut Rng) -> Value {
    let f = *rng.pick(&[
        0.0, -0.0, 0.5, 1.0, 1.0000001, 2.0, 2.0000001, -1.0, 1e-320, 1e308, -1e308, f64::MAX, f64::MIN_POSITIVE, 4294967295.0,
        4294967296.0, 9007199254740993.0,
    ]);
    match rng.below(3) {
        0 => Value::Number(Number::from(rng.next_u64())),
        1 => Value::Number(Number::from(rng.next_u64() as i64)),
        _ => Number::from_f64(f).map_or(Value::Null, Value::Number),
    }
}

fn string(rng: &mut Rng) -> String {
    let mut s = rng.pick(STRINGS).to_string();
    for _ in 0..rng.below(3) {
        let at = (0..=s.len()).filter(|i| s.is_char_boundary(*i)).nth(rng.below(s.len() + 1)).unwrap_or(0);
        s.insert_str(at, rng.pick::<&str>(UNICODE));
    }
    if rng.one_in(32) {
        s = s.repeat(rng.size(1 << 16).max(1));
    }
    s
}

fn weird(rng: &mut Rng, depth: usize) -> Value {
    match rng.below(if depth > 3 { 5 } else { 8 }) {
        0 => Value::Null,
        1 => Value::Bool(rng.one_in(2)),
        2 | 3 => number(rng),
        4 => Value::String(string(rng)),
        5 => Value::Array((0..rng.below(4)).map(|_| weird(rng, depth + 1)).collect()),
        6 => {
            let mut m = Map::new();
            for _ in 0..rng.below(5) {
                m.insert(rng.pick(KEYS).to_string(), weird(rng, depth + 1));
            }
            Value::Object(m)
        }
        // Deep, but within what a thread's stack takes to clone and drop.
        _ => (0..rng.between(100, 400)).fold(weird(rng, 9), |v, _| Value::Array(vec![v])),
    }
}

/// Replace, rename or add somewhere in the tree.
fn edit(rng: &mut Rng, v: &mut Value, depth: usize) {
    let descend = rng.below(3) != 0;
    match v {
        Value::Array(items) if descend && !items.is_empty() => {
            let i = rng.below(items.len());
            edit(rng, &mut items[i], depth + 1)
        }
        Value::Object(m) if descend && !m.is_empty() => {
            let key = m.keys().nth(rng.below(m.len())).cloned().unwrap_or_default();
            match rng.below(6) {
                0 => {
                    let item = m.remove(&key).unwrap_or(Value::Null);
                    let new = if rng.one_in(2) { rng.pick(KEYS).to_string() } else { format!("{key}{}", rng.pick(UNICODE)) };
                    m.insert(new, item);
                }
                1 => {
                    m.insert(rng.pick(KEYS).to_string(), weird(rng, depth));
                }
                _ => {
                    if let Some(item) = m.get_mut(&key) {
                        edit(rng, item, depth + 1)
                    }
                }
            }
        }
        _ => *v = weird(rng, depth),
    }
}

/// `None` when mutated text is no longer JSON: the parsers see a `Value`
/// that the wasm layer read with serde_json, so such text never reaches
/// them. Trees are passed as they are: serde_json would refuse to read the
/// deeper ones back, but a JS object handed over another way would not.
fn config(rng: &mut Rng, seeds: &[&str]) -> Option<Value> {
    let docs: Vec<Vec<u8>> = seeds.iter().map(|s| s.as_bytes().to_vec()).collect();
    if rng.one_in(3) {
        return serde_json::from_slice(&mutated(rng, &docs)).ok();
    }
    let mut v: Value = serde_json::from_slice(rng.pick::<Vec<u8>>(&docs)).expect("seed configs are JSON");
    for _ in 0..rng.between(1, 4) {
        edit(rng, &mut v, 0);
    }
    Some(v)
}

#[test]
fn config_agent() {
    run("config_agent", 3000, |rng| config(rng, seeds::CONFIGS), |v| {
        let Some(v) = v else { return };
        let _ = parse_agent(v);
        let _ = QualityConfig::parse(v.get("quality").unwrap_or(&Value::Null), "quality");
    });
}

#[test]
fn config_model() {
    let models: Vec<String> = seeds::CONFIGS
        .iter()
        .flat_map(|c| {
            let v: Value = serde_json::from_str(c).expect("seed configs are JSON");
            let list = v.get("models").cloned().unwrap_or(v);
            list.as_array().cloned().unwrap_or_default()
        })
        .map(|m| m.to_string())
        .collect();
    let models: Vec<&str> = models.iter().map(String::as_str).collect();
    run("config_model", 3000, |rng| config(rng, &models), |v| {
        let Some(v) = v else { return };
        let _ = parse_model(v, "models[0]");
    });
}

#[test]
fn config_call_options() {
    run("config_call_options", 3000, |rng| config(rng, seeds::CALL_OPTIONS), |v| {
        let Some(v) = v else { return };
        let _ = parse_call_options(v, "options");
    });
}
