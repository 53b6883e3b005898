//! Recorded streams through the public decoders: whatever the chunking
//! (whole body, 1-byte, 7-byte, every two-way split), the reassembled answer
//! must be the same and must match what the provider sent.

use cascade_edge::config::ModelConfig;
use cascade_edge::error::{ErrorCode, FailureClass};
use cascade_edge::providers::stream_decoder;
use cascade_edge::types::{FinishReason, StreamDelta, Usage};
use cascade_edge::CascadeError;

/// A stream folded back into one answer, the way an engine would.
#[derive(Debug, Default, PartialEq)]
struct Assembled {
    text: String,
    thinking: String,
    /// (id, name, arguments) per tool index.
    tools: Vec<(String, String, String)>,
    usage: Usage,
    finish: Option<FinishReason>,
    logprob_tokens: Vec<String>,
    refusal: String,
    stop_detail: Option<String>,
    /// (kind, block JSON as it started, streamed input) per pass-through block.
    raw: Vec<(String, String, String)>,
    done: usize,
}

impl Assembled {
    fn apply(&mut self, d: StreamDelta) {
        match d {
            StreamDelta::Text(t) => self.text.push_str(&t),
            StreamDelta::Thinking(t) => self.thinking.push_str(&t),
            StreamDelta::Refusal(t) => self.refusal.push_str(&t),
            StreamDelta::RawBlock { index, kind, json } => {
                while self.raw.len() <= index {
                    self.raw.push(Default::default());
                }
                if let Some(slot) = self.raw.get_mut(index) {
                    slot.0 = kind;
                    slot.1 = json;
                }
            }
            StreamDelta::RawBlockInput { index, partial_json } => {
                if let Some(slot) = self.raw.get_mut(index) {
                    slot.2.push_str(&partial_json);
                }
            }
            StreamDelta::ToolCall { index, id, name, arguments } => {
                while self.tools.len() <= index {
                    self.tools.push(Default::default());
                }
                if let Some(slot) = self.tools.get_mut(index) {
                    if let Some(id) = id {
                        slot.0 = id;
                    }
                    if let Some(name) = name {
                        slot.1 = name;
                    }
                    slot.2.push_str(&arguments);
                }
            }
            StreamDelta::Logprobs(l) => self.logprob_tokens.extend(l.into_iter().map(|t| t.token)),
            StreamDelta::Usage(u) => {
                let keep = |old: &mut u64, new: u64| {
                    if new != 0 {
                        *old = new;
                    }
                };
                keep(&mut self.usage.input_tokens, u.input_tokens);
                keep(&mut self.usage.output_tokens, u.output_tokens);
                keep(&mut self.usage.reasoning_tokens, u.reasoning_tokens);
                keep(&mut self.usage.cache_read_tokens, u.cache_read_tokens);
                keep(&mut self.usage.cache_write_tokens, u.cache_write_tokens);
            }
            StreamDelta::Finish(f) => self.finish = Some(f),
            StreamDelta::StopDetail(d) => self.stop_detail = Some(d),
            StreamDelta::Done => self.done += 1,
        }
    }
}

fn model(provider: &str) -> ModelConfig {
    let mut m = ModelConfig::new("m", provider).unwrap_or_else(|e| panic!("{e}"));
    m.api_key = Some("sk-live-SECRET-0001".into());
    m
}

fn run(provider: &str, body: &[u8], chunk: usize) -> Result<Assembled, CascadeError> {
    let mut dec = stream_decoder(&model(provider))?;
    let mut out = Assembled::default();
    for c in body.chunks(chunk.max(1)) {
        dec.feed(c)?.into_iter().for_each(|d| out.apply(d));
    }
    dec.finish()?.into_iter().for_each(|d| out.apply(d));
    Ok(out)
}

/// Decode whole, byte by byte and in 7-byte chunks; all three must agree.
fn decode(provider: &str, body: &[u8]) -> Assembled {
    let whole = run(provider, body, body.len()).unwrap_or_else(|e| panic!("{e}"));
    for size in [1, 7] {
        let got = run(provider, body, size).unwrap_or_else(|e| panic!("{size}-byte chunks: {e}"));
        assert_eq!(got, whole, "{provider}: {size}-byte chunks differ from the whole body");
    }
    assert_eq!(whole.done, 1, "exactly one Done");
    whole
}

fn every_two_way_split_agrees(provider: &str, body: &[u8]) {
    let whole = decode(provider, body);
    for i in 0..=body.len() {
        let (a, b) = body.split_at(i);
        let mut dec = stream_decoder(&model(provider)).unwrap_or_else(|e| panic!("{e}"));
        let mut got = Assembled::default();
        for part in [a, b] {
            dec.feed(part).unwrap_or_else(|e| panic!("split at {i}: {e}")).into_iter().for_each(|d| got.apply(d));
        }
        dec.finish().unwrap_or_else(|e| panic!("{e}")).into_iter().for_each(|d| got.apply(d));
        assert_eq!(got, whole, "split at {i}");
    }
}

fn tool(id: &str, name: &str, args: &str) -> (String, String, String) {
    (id.to_string(), name.to_string(), args.to_string())
}

#[test]
fn openai_two_parallel_tool_calls() {
    let a = decode("openai", include_bytes!("fixtures/codecs/aimock_openai_stream_tools.sse"));
    assert_eq!(
        a.tools,
        vec![
            tool("call_uYHkzp2Fhj_zi1_X", "get_weather", r#"{"city":"Paris","unit":"celsius"}"#),
            tool("call_URWX-5-reZ2zMAz9", "get_time", r#"{"timezone":"Europe/Paris"}"#),
        ]
    );
    assert_eq!(a.text, "");
    assert_eq!(a.finish, Some(FinishReason::ToolCalls));
    assert_eq!((a.usage.input_tokens, a.usage.output_tokens), (5, 20));
}

#[test]
fn openai_text_with_logprobs_and_cached_usage() {
    let body = include_bytes!("fixtures/codecs/openai_stream_text_logprobs.sse");
    let a = decode("openai", body);
    assert_eq!(a.text, "Bonjour à toi 👋");
    assert_eq!(a.logprob_tokens, ["Bonjour", " à", " toi", " 👋"]);
    assert_eq!(a.finish, Some(FinishReason::Length));
    assert_eq!((a.usage.input_tokens, a.usage.cache_read_tokens, a.usage.output_tokens), (128, 1920, 4));
    every_two_way_split_agrees("openai", body);
}

#[test]
fn openai_compatible_providers_share_the_decoder() {
    let body = include_bytes!("fixtures/codecs/aimock_openai_stream_tools.sse");
    for p in ["groq", "vllm", "openrouter", "deepseek", "together", "litellm"] {
        assert_eq!(decode(p, body).tools.len(), 2, "{p}");
    }
}

#[test]
fn anthropic_full_sequence_thinking_text_tool() {
    let body = include_bytes!("fixtures/codecs/anthropic_stream_full.sse");
    let a = decode("anthropic", body);
    assert_eq!(a.thinking, "The user wants Paris weather; call the tool.");
    assert_eq!(a.text, "Let me check the weather in Paris, Île-de-France.");
    // The tool is raw block 2 but the first tool: index 0.
    assert_eq!(
        a.tools,
        vec![tool("toolu_01T1x1fJ34qAmk2tNTrN7Up6", "get_weather", r#"{"location": "Paris, FR", "unit": "celsius"}"#)]
    );
    assert_eq!(a.finish, Some(FinishReason::ToolCalls));
    assert_eq!((a.usage.input_tokens, a.usage.cache_read_tokens, a.usage.output_tokens), (472, 2048, 89));
    every_two_way_split_agrees("anthropic", body);
}

#[test]
fn anthropic_aimock_streams() {
    let a = decode("anthropic", include_bytes!("fixtures/codecs/aimock_anthropic_stream_tools.sse"));
    assert_eq!(
        a.tools,
        vec![
            tool("toolu_cDzzRS9LzgXHMPRi", "get_weather", r#"{"city":"Paris","unit":"celsius"}"#),
            tool("toolu_l4YgSycqAcyEGu0b", "get_time", r#"{"timezone":"Europe/Paris"}"#),
        ]
    );
    let t = decode("anthropic", include_bytes!("fixtures/codecs/aimock_anthropic_stream_text.sse"));
    assert_eq!(t.text, "Hello! Ça va? Here is a longer answer with ünïcødé 👋 to be split.");
    assert_eq!(t.finish, Some(FinishReason::Stop));
}

#[test]
fn ollama_streams() {
    let body = include_bytes!("fixtures/codecs/ollama_stream_thinking.ndjson");
    let a = decode("ollama", body);
    assert_eq!(a.thinking, "Simple greeting.");
    assert_eq!(a.text, "Hi there! 😊");
    assert_eq!(a.finish, Some(FinishReason::Length));
    assert_eq!((a.usage.input_tokens, a.usage.output_tokens), (26, 12));
    every_two_way_split_agrees("ollama", body);

    let t = decode("ollama", include_bytes!("fixtures/codecs/aimock_ollama_stream_text.ndjson"));
    assert_eq!(t.text, "Hello! Ça va? Here is a longer answer with ünïcødé 👋 to be split.");
    assert_eq!(t.usage, Usage::default(), "zero counts are not reported as usage");

    let tools = decode("ollama", include_bytes!("fixtures/codecs/aimock_ollama_stream_tools.ndjson"));
    assert_eq!(
        tools.tools,
        vec![
            tool("call_0", "get_weather", r#"{"city":"Paris","unit":"celsius"}"#),
            tool("call_1", "get_time", r#"{"timezone":"Europe/Paris"}"#),
        ]
    );
    assert_eq!(tools.finish, Some(FinishReason::ToolCalls));
}

#[test]
fn a_cut_stream_has_no_done() {
    let body = include_bytes!("fixtures/codecs/anthropic_stream_full.sse");
    let cut = body.get(..body.len() / 2).unwrap_or(&[]);
    let a = run("anthropic", cut, 7).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(a.done, 0);
    assert_eq!(a.finish, None);
}

#[test]
fn mid_stream_errors_are_stream_class_server_and_never_leak_the_key() {
    let cases: [(&str, &[u8]); 3] = [
        ("openai", b"data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}]}\n\ndata: {\"error\":{\"message\":\"upstream said key sk-live-SECRET-0001 is bad\"}}\n\n"),
        ("anthropic", b"event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded sk-live-SECRET-0001\"}}\n\n"),
        ("ollama", b"{\"error\":\"runner crashed sk-live-SECRET-0001\"}\n"),
    ];
    for (provider, body) in cases {
        let e = run(provider, body, 5).err().unwrap_or_else(|| panic!("{provider}: accepted"));
        assert_eq!(e.code, ErrorCode::Stream, "{provider}");
        assert_eq!(e.failure_class(), FailureClass::Server, "{provider}");
        assert!(!e.message.contains("sk-live-SECRET-0001"), "{provider}: {}", e.message);
        assert_eq!(e.provider.as_deref(), Some(provider));
    }
}

/// An event that is not JSON is skipped and counted by every wire, and the
/// readable events around it still decode, however the body is split; the
/// executor (cascade::call) decides when skipped events fail the attempt.
#[test]
fn unreadable_events_are_skipped_and_counted() {
    let cases: [(&str, &[u8], &str); 3] = [
        ("openai", b"data: {\"choices\": [\n\ndata: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n", "a"),
        ("anthropic", b"event: content_block_delta\ndata: {\"type\":\n\nevent: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"a\"}}\n\nevent: message_stop\ndata: {\"type\":\"message_stop\"}\n\n", "a"),
        ("ollama", b"{\"message\":{\"content\":\"a\"},\"done\":false}\nnot json at all\n{\"message\":{\"content\":\"b\"},\"done\":true}\n", "ab"),
    ];
    for (provider, body, text) in cases {
        for chunk in [1, 3, body.len()] {
            let mut dec = stream_decoder(&model(provider)).unwrap_or_else(|e| panic!("{e}"));
            let mut got = Assembled::default();
            for c in body.chunks(chunk) {
                dec.feed(c).unwrap_or_else(|e| panic!("{provider}: {e}")).into_iter().for_each(|d| got.apply(d));
            }
            dec.finish().unwrap_or_else(|e| panic!("{e}")).into_iter().for_each(|d| got.apply(d));
            assert_eq!(got.text, text, "{provider}, {chunk}-byte chunks");
            assert_eq!(got.done, 1, "{provider}");
            let skipped = dec.skipped();
            assert_eq!((skipped.count, skipped.covered), (1, true), "{provider}, {chunk}-byte chunks");
            assert!(!skipped.last.contains("sk-live-SECRET-0001"));
        }
    }
}
