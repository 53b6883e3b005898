//! Where mutation starts: the recorded codec fixtures, plus documents in the
//! providers' shapes for what the fixtures lack (errors, refusals, odd
//! usage, custom providers' results, configs, transport heads).
//!
//! Starting from valid documents matters more than the mutator: random
//! bytes rarely get past a parser's first check, a one-byte edit of a real
//! body reaches the field readers behind it.

use std::fmt;
use std::sync::OnceLock;

/// Bytes shown as a Rust byte string, so a report's input can be pasted
/// into a test as is.
pub struct Bytes(pub Vec<u8>);

impl fmt::Debug for Bytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "b\"{}\"", self.0.escape_ascii())
    }
}

/// The fixtures with this extension whose name mentions `wire`.
fn fixtures(ext: &str, wire: &str) -> Vec<Vec<u8>> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/codecs");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/fixtures/codecs")
        .map(|e| e.expect("a fixture").path())
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .filter(|p| p.file_name().is_some_and(|n| n.to_string_lossy().contains(wire)))
        .collect();
    files.sort();
    files.iter().map(|p| std::fs::read(p).expect("a readable fixture")).collect()
}

fn with(mut recorded: Vec<Vec<u8>>, written: &[&str]) -> Vec<Vec<u8>> {
    recorded.extend(written.iter().map(|s| s.as_bytes().to_vec()));
    recorded
}

/// Bodies by the wire they belong to ("any": no wire's own shape).
const BODIES: &[(&str, &str)] = &[
    (
        "openai",
        r#"{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-4o-mini","choices":[{"index":0,"message":{"role":"assistant","content":null,"refusal":"I can't help with that."},"logprobs":null,"finish_reason":"content_filter"}],"usage":{"prompt_tokens":9,"completion_tokens":0,"total_tokens":9,"prompt_tokens_details":{"cached_tokens":0},"completion_tokens_details":{"reasoning_tokens":0}}}"#,
    ),
    (
        "openai",
        r#"{"id":"c","choices":[{"index":0,"message":{"role":"assistant","content":"","tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Z\u00fcrich\"}"}},{"id":"call_2","type":"function","function":{"name":"t","arguments":""}}]},"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":18446744073709551615,"completion_tokens":4294967296}}"#,
    ),
    (
        "openai",
        r#"{"id":"c","choices":[{"index":0,"message":{"role":"assistant","content":"Paris 🙂","reasoning_content":"think"},"logprobs":{"content":[{"token":"Paris","logprob":-0.0001,"bytes":[80,97],"top_logprobs":[{"token":"Paris","logprob":-0.0001},{"token":"Lyon","logprob":-9.5}]},{"token":" 🙂","logprob":-1e400,"top_logprobs":[]}]},"finish_reason":"length"}]}"#,
    ),
    (
        "anthropic",
        r#"{"id":"msg_1","type":"message","role":"assistant","model":"claude-x","content":[{"type":"thinking","thinking":"hmm","signature":"s"},{"type":"text","text":"Hi"},{"type":"tool_use","id":"toolu_1","name":"lookup","input":{"q":"é","n":[1,2,{"deep":null}]}}],"stop_reason":"tool_use","stop_sequence":null,"usage":{"input_tokens":10,"output_tokens":5,"cache_read_input_tokens":3,"cache_creation_input_tokens":1}}"#,
    ),
    (
        "ollama",
        r#"{"model":"llama3","created_at":"2025-01-01T00:00:00Z","message":{"role":"assistant","content":"","tool_calls":[{"function":{"name":"f","arguments":{"a":1}}}]},"done":true,"done_reason":"stop","prompt_eval_count":26,"eval_count":298,"total_duration":5191566416}"#,
    ),
    (
        "openai",
        r#"{"error":{"message":"Incorrect API key provided: sk-abc***xyz","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}"#,
    ),
    ("anthropic", r#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#),
    (
        "openrouter",
        r#"{"error":{"code":503,"message":"No available provider","metadata":{"provider_name":"Lambda","raw":"upstream ☁ down"}}}"#,
    ),
    ("ollama", r#"{"error":"model \"llama9\" not found, try pulling it first"}"#),
    ("any", r#"{"detail":"Not Found"}"#),
    ("any", "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>cloudflare</body>\r\n</html>\r\n"),
    (
        "custom",
        r#"{"content":"4","toolCalls":[{"id":"t1","name":"calc","arguments":{"x":"1+3"}}],"usage":{"inputTokens":9,"outputTokens":3},"finishReason":"stop","thinking":"easy","model":"mock","logprobs":[{"token":"4","logprob":-0.01,"topLogprobs":[{"token":"5","logprob":-4.5}]}]}"#,
    ),
    ("custom", r#""just a string answer""#),
    ("custom", r#"{"type":"toolCall","index":0,"id":"t","name":"f","arguments":"{\"a\":"}"#),
    ("custom", r#"{"type":"usage","usage":{"inputTokens":1,"outputTokens":2}}"#),
    ("custom", r#"{"type":"finish","finishReason":"length"}"#),
    (
        "openrouter",
        r#"{"data":[{"id":"openai/gpt-4o-mini","pricing":{"prompt":"0.00000015","completion":"0.0000006"}},{"id":"x/free","pricing":{"prompt":"0","completion":"-1"}}]}"#,
    ),
];

const SSE: &[&str] = &[
    "data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_1\",\"function\":{\"name\":\"f\",\"arguments\":\"\"}}]}}]}\n\ndata: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":3,\"function\":{\"arguments\":\"{\\\"a\\\"\"}}]}}]}\n\ndata: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}]}\n\ndata: [DONE]\n\n",
    ": OPENROUTER PROCESSING\r\n\r\ndata: {\"choices\":[{\"delta\":{\"content\":\"é\"}}]}\r\n\r\ndata: {\"error\":{\"message\":\"upstream died\",\"code\":502}}\r\n\r\n",
    "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n",
    "event: ping\ndata: {\"type\": \"ping\"}\n\nevent: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":1,\"content_block\":{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"f\",\"input\":{}}}\n\nevent: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"q\\\": 1\"}}\n\nevent: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"max_tokens\"},\"usage\":{\"output_tokens\":4294967296}}\n\nevent: message_stop\ndata: {\"type\":\"message_stop\"}\n\n",
];

const NDJSON: &[&str] = &[
    "{\"model\":\"m\",\"message\":{\"role\":\"assistant\",\"content\":\"\",\"tool_calls\":[{\"function\":{\"name\":\"f\",\"arguments\":{\"a\":\"é\"}}}]},\"done\":false}\n{\"model\":\"m\",\"message\":{\"role\":\"assistant\",\"content\":\"\"},\"done\":true,\"done_reason\":\"length\",\"prompt_eval_count\":1,\"eval_count\":18446744073709551616}\n",
    "{\"error\":\"model 'x' not found\"}\n",
    "{\"message\":{\"content\":\"a\"},\"done\":false}\r\n\r\n{\"message\":{\"content\":\"b\"},\"done\":true}",
];

/// `status\nname\nvalue\n...\n\nbody`, as the JS transport sends a response.
pub const TRANSPORT: &[&str] = &[
    "200\ncontent-type\napplication/json\n\n{\"a\":1}",
    "429\nretry-after\n7\nretry-after-ms\n1500.5\nx-request-id\nreq_é\n\n{\"error\":{\"message\":\"slow down\"}}\n",
    "503\n\n",
    "200\ncontent-type\ntext/event-stream\n\n",
    "204\n\n\n\n",
];

pub const CONFIGS: &[&str] = &[
    r#"[{"name":"gpt-4o-mini","provider":"openai","apiKey":"sk-test"},{"name":"gpt-4o","provider":"openai","qualityThreshold":0.8}]"#,
    r#"{"models":[{"name":"claude-3-5-haiku-latest","provider":"anthropic","inputCost":0.8,"outputCost":4,"cacheControl":true,"maxTokens":1024,"temperature":0.2},{"name":"llama3","provider":"ollama","baseUrl":"http://localhost:11434/","headers":{"x-a":"b"},"parameters":{"top_k":40,"stop":["\n"]}}],"quality":"strict","keepOrder":true,"browser":false,"defaults":{"maxTokens":256,"temperature":0.5,"systemPrompt":"Be brief.","maxSteps":3}}"#,
    r#"{"models":[{"name":"m1","provider":"mock","cost":0.0001},{"name":"m2","provider":"mock","cost":0.01}],"quality":{"threshold":0.7,"minLength":1,"checks":{"hedging":false}},"preRouting":{"skipDrafterFrom":"expert"},"domains":{"code":{"models":[{"name":"deepseek-chat","provider":"deepseek"}],"threshold":0.9},"medical":{"requireVerifier":true},"default":[{"name":"gpt-4o-mini","provider":"openai"}]}}"#,
    r#"{"models":[{"name":"meta-llama/llama-3.1-8b-instruct","provider":"openrouter"},{"name":"Qwen/Qwen2.5-72B","provider":"openai-compatible","baseUrl":"https://h.example/v1","api_key":"k"}],"quality":{"preset":"cost-optimized"}}"#,
];

pub const CALL_OPTIONS: &[&str] = &[
    r#"{"maxTokens":100,"temperature":0,"systemPrompt":"sys","tools":[{"type":"function","function":{"name":"get_weather","description":"d","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}},{"name":"flat","parameters":{}}],"toolChoice":"auto","maxSteps":5,"responseFormat":{"type":"json_schema","name":"x","schema":{"type":"object"}}}"#,
    r#"{"max_tokens":1,"response_format":{"type":"json_object"},"tool_choice":{"type":"function","function":{"name":"f"}},"signal":null,"mode":"fast"}"#,
];

pub fn bodies() -> &'static [Vec<u8>] {
    static S: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    S.get_or_init(|| {
        let mut v = fixtures("json", "");
        v.extend(BODIES.iter().map(|(_, b)| b.as_bytes().to_vec()));
        v
    })
}

/// One wire's bodies: the fixtures named after it and the written ones.
/// Its parser reads these deepest; the others test how it refuses.
pub fn bodies_of(wire: &str) -> Vec<Vec<u8>> {
    let mut v = fixtures("json", wire);
    v.extend(BODIES.iter().filter(|(w, _)| *w == wire).map(|(_, b)| b.as_bytes().to_vec()));
    v
}

/// One wire's recorded streams (`ext`: "sse" or "ndjson").
pub fn streams_of(ext: &str, wire: &str) -> Vec<Vec<u8>> {
    fixtures(ext, wire)
}

pub fn sse() -> &'static [Vec<u8>] {
    static S: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    S.get_or_init(|| with(fixtures("sse", ""), SSE))
}

pub fn ndjson() -> &'static [Vec<u8>] {
    static S: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    S.get_or_init(|| with(fixtures("ndjson", ""), NDJSON))
}

/// Every seed of every kind: splicing across kinds (an SSE event into an
/// NDJSON line, an error body into a stream) is how real breakage looks.
pub fn all() -> &'static [Vec<u8>] {
    static S: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    S.get_or_init(|| {
        let mut v = Vec::new();
        v.extend_from_slice(bodies());
        v.extend_from_slice(sse());
        v.extend_from_slice(ndjson());
        v.extend(TRANSPORT.iter().chain(CONFIGS).chain(CALL_OPTIONS).map(|s| s.as_bytes().to_vec()));
        v
    })
}
