//! Edits of a parsed JSON tree: the document stays JSON, so the edit
//! reaches the code that reads fields instead of stopping at the parser.
//! Every kind of value (unicode, CR/LF, huge and negative numbers, deep
//! nesting, the wrong type) lands under keys the parsers know.

use cascade_edge::value::{Map, Number, Value};

use crate::mutate::{self, UNICODE};
use crate::rng::Rng;

/// Keys the parsers look for (config, provider bodies, custom results):
/// an edit that adds or renames a field picks one of these, so the new
/// value is read rather than ignored.
const KEYS: &[&str] = &[
    "choices",
    "message",
    "content",
    "tool_calls",
    "function",
    "arguments",
    "usage",
    "prompt_tokens",
    "completion_tokens",
    "total_tokens",
    "prompt_tokens_details",
    "cached_tokens",
    "completion_tokens_details",
    "reasoning_tokens",
    "delta",
    "index",
    "text",
    "input",
    "partial_json",
    "stop_reason",
    "finish_reason",
    "logprobs",
    "top_logprobs",
    "token",
    "logprob",
    "error",
    "done",
    "done_reason",
    "eval_count",
    "prompt_eval_count",
    "thinking",
    "reasoning_content",
    "refusal",
    "toolCalls",
    "finishReason",
    "inputTokens",
    "outputTokens",
    "topLogprobs",
    "content_block",
    "input_tokens",
    "output_tokens",
    "cache_read_input_tokens",
    "pricing",
    "prompt",
    "completion",
    "data",
    "id",
    "metadata",
    "provider_name",
    "detail",
    "role",
    "model",
    "name",
    "provider",
    "cost",
    "inputCost",
    "outputCost",
    "apiKey",
    "baseUrl",
    "qualityThreshold",
    "maxTokens",
    "temperature",
    "parameters",
    "headers",
    "cacheControl",
    "api_key",
    "base_url",
    "input_cost",
    "max_tokens",
    "models",
    "quality",
    "keepOrder",
    "defaults",
    "domains",
    "preRouting",
    "browser",
    "threshold",
    "thresholds",
    "requireVerifier",
    "skipDrafterFrom",
    "tools",
    "toolChoice",
    "maxSteps",
    "responseFormat",
    "systemPrompt",
    "type",
    "schema",
    "function",
    "preset",
    "code",
    "medical",
    "default",
    "general",
    "expert",
    "minLength",
    "checks",
];

const STRINGS: &[&str] = &[
    "tool_use",
    "text_delta",
    "input_json_delta",
    "thinking_delta",
    "content_block_start",
    "message_delta",
    "stop",
    "length",
    "tool_calls",
    "toolCall",
    "usage",
    "finish",
    "assistant",
    "function",
    "{\"a\":",
    "{}",
    "[DONE]",
    "",
    " ",
    "openai",
    "anthropic",
    "ollama",
    "openrouter",
    "openai-compatible",
    "OpenAI",
    "mock",
    "gpt-4o-mini",
    "claude-3-5-haiku-latest",
    "strict",
    "balanced",
    "cost_optimized",
    "expert",
    "json_schema",
    "json_object",
    "text",
    "http://",
    "https://x/",
    "https://example.test/v1///",
    "ftp://x",
    "a\r\nb",
    "\n",
    "\0",
    "\u{feff}openai",
];

fn number(rng: &mut Rng) -> Value {
    let f = *rng.pick(&[
        0.0,
        -0.0,
        0.5,
        1.0,
        1.0000001,
        2.0,
        2.0000001,
        -1.0,
        1e-320,
        1e308,
        -1e308,
        f64::MAX,
        f64::MIN_POSITIVE,
        4294967295.0,
        4294967296.0,
        9007199254740993.0,
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

pub fn weird(rng: &mut Rng, depth: usize) -> Value {
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
pub fn edit(rng: &mut Rng, v: &mut Value, depth: usize) {
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
                    let new =
                        if rng.one_in(2) { rng.pick(KEYS).to_string() } else { format!("{key}{}", rng.pick(UNICODE)) };
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

/// A document with its JSON edited: a whole JSON body, or each JSON line
/// or `data:` event of a stream (some of them). `None` when nothing in it
/// is JSON. Now and then a byte-level edit follows, for the numbers and
/// escapes a serialiser never writes.
pub fn edit_document(rng: &mut Rng, doc: &[u8]) -> Option<Vec<u8>> {
    let mut out = match read(doc) {
        Some(mut v) => {
            for _ in 0..rng.between(1, 3) {
                edit(rng, &mut v, 0);
            }
            v.to_string().into_bytes()
        }
        None => edit_lines(rng, doc)?,
    };
    if rng.one_in(4) {
        mutate::mutate_once(rng, &mut out, &[]);
    }
    Some(out)
}

fn read(bytes: &[u8]) -> Option<Value> {
    std::str::from_utf8(bytes).ok().and_then(|t| cascade_edge::value::from_str(t).ok())
}

fn edit_lines(rng: &mut Rng, doc: &[u8]) -> Option<Vec<u8>> {
    let mut edited = false;
    let mut out = Vec::with_capacity(doc.len());
    for line in doc.split_inclusive(|&b| b == b'\n') {
        let (prefix, rest) = match line.strip_prefix(b"data: ") {
            Some(rest) => (&b"data: "[..], rest),
            None => (&b""[..], line),
        };
        let body = rest.strip_suffix(b"\n").unwrap_or(rest);
        let parsed = read(body).filter(|_| rng.one_in(2));
        match parsed {
            Some(mut v) => {
                edit(rng, &mut v, 0);
                out.extend_from_slice(prefix);
                out.extend_from_slice(v.to_string().as_bytes());
                out.extend_from_slice(&rest[body.len()..]);
                edited = true;
            }
            None => out.extend_from_slice(line),
        }
    }
    edited.then_some(out)
}
