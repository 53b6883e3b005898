//! Stream decoders, fed bodies cut at random points. Beyond not panicking,
//! each owes the same result whatever the cuts: the network chooses them.

use cascade_edge::config::ModelConfig;
use cascade_edge::providers::stream_decoder;
use cascade_edge::stream::ndjson::{NdjsonDecoder, NdjsonLine};
use cascade_edge::stream::sse::SseDecoder;
use cascade_edge::types::StreamDelta;

use crate::harness::run;
use crate::rng::Rng;
use crate::seeds::{self, Bytes};
use crate::{cuts, mutated, pieces};

#[derive(Debug)]
struct Cut {
    body: Bytes,
    cuts: Vec<usize>,
    /// A small size limit now and then, to reach the overflow paths.
    limit: Option<usize>,
}

fn cut(rng: &mut Rng, seeds: &[Vec<u8>]) -> Cut {
    let body = mutated(rng, seeds);
    let cuts = cuts(rng, body.len());
    let limit = rng.one_in(4).then(|| rng.size(4096));
    Cut { body: Bytes(body), cuts, limit }
}

#[test]
fn sse_decoder() {
    run(
        "sse_decoder",
        3000,
        |rng| cut(rng, seeds::sse()),
        |c| {
            let decoder = || c.limit.map_or_else(SseDecoder::new, SseDecoder::with_limit);
            let mut whole = decoder();
            let mut want = whole.push(&c.body.0);
            want.extend(whole.finish());
            let mut split = decoder();
            let mut got = Vec::new();
            for p in pieces(&c.body.0, &c.cuts) {
                got.extend(split.push(p));
            }
            got.extend(split.finish());
            assert_eq!(got, want, "events depend on where the body was cut");
            assert_eq!(split.overflowed(), whole.overflowed());
        },
    );
}

#[test]
fn ndjson_decoder() {
    run(
        "ndjson_decoder",
        3000,
        |rng| cut(rng, seeds::ndjson()),
        |c| {
            let decoder = || c.limit.map_or_else(NdjsonDecoder::new, NdjsonDecoder::with_limit);
            let read =
                |lines: Vec<Result<NdjsonLine, cascade_edge::CascadeError>>| -> Vec<Result<(usize, String), String>> {
                    lines
                        .into_iter()
                        .map(|l| match l {
                            Ok(line) => {
                                let _ = line.json().map(|v| v.as_array().map(<[_]>::len));
                                Ok((line.number, line.text))
                            }
                            Err(e) => Err(e.message),
                        })
                        .collect()
                };
            let mut whole = decoder();
            let mut want = read(whole.push(&c.body.0));
            want.extend(read(whole.finish()));
            let mut split = decoder();
            let mut got = Vec::new();
            for p in pieces(&c.body.0, &c.cuts) {
                got.extend(read(split.push(p)));
            }
            got.extend(read(split.finish()));
            assert_eq!(got, want, "lines depend on where the body was cut");
        },
    );
}

/// A wire's stream parser, as the engine drives it: chunks until the first
/// error, then the end of the body.
///
/// Mostly the wire's own recordings, sometimes any stream of its kind.
fn provider_stream(target: &str, name: &str, provider: &str, seeds: &'static [Vec<u8>]) {
    let model = ModelConfig::new(name, provider).expect("a built-in provider");
    let ext = if seeds == crate::seeds::ndjson() { "ndjson" } else { "sse" };
    let own = crate::seeds::streams_of(ext, provider);
    let pick = |rng: &mut Rng| {
        let from: &[Vec<u8>] = if rng.one_in(4) { seeds } else { &own };
        cut(rng, from)
    };
    run(target, 2000, pick, |c| {
        let whole = decode(&model, vec![&c.body.0[..]]);
        let split = decode(&model, pieces(&c.body.0, &c.cuts));
        // A feed that fails returns no deltas, so what came before an
        // error depends on the cuts; whether there is one must not.
        assert_eq!(split.failed, whole.failed, "an error depends on where the body was cut");
        if !whole.failed {
            assert_eq!(split, whole, "the deltas depend on where the body was cut");
        }
    });
}

/// What a stream decoded to, in a form that does not depend on how text
/// was chunked: text and thinking joined, every other delta in order, and
/// whether it ended in an error (the engine stops at the first).
#[derive(Debug, PartialEq)]
struct Decoded {
    text: String,
    thinking: String,
    others: Vec<String>,
    failed: bool,
}

fn decode(model: &ModelConfig, parts: Vec<&[u8]>) -> Decoded {
    let mut d = stream_decoder(model).expect("a wire with a stream decoder");
    let mut out = Decoded { text: String::new(), thinking: String::new(), others: Vec::new(), failed: false };
    let mut take = |deltas: Vec<StreamDelta>| {
        for delta in deltas {
            match delta {
                StreamDelta::Text(t) => out.text.push_str(&t),
                StreamDelta::Thinking(t) => out.thinking.push_str(&t),
                other => out.others.push(format!("{other:?}")),
            }
        }
    };
    for p in parts {
        match d.feed(p) {
            Ok(deltas) => take(deltas),
            Err(_) => {
                out.failed = true;
                return out;
            }
        }
    }
    match d.finish() {
        Ok(deltas) => take(deltas),
        Err(_) => out.failed = true,
    }
    out
}

#[test]
fn openai_stream() {
    provider_stream("openai_stream", "gpt-4o-mini", "openai", seeds::sse());
}

#[test]
fn anthropic_stream() {
    provider_stream("anthropic_stream", "claude-3-5-haiku-latest", "anthropic", seeds::sse());
}

#[test]
fn ollama_stream() {
    provider_stream("ollama_stream", "llama3", "ollama", seeds::ndjson());
}

/// A custom JS provider's stream items, one JSON text each.
#[test]
fn custom_stream_items() {
    let model = ModelConfig::new("mock-small", "mock").expect("a custom provider");
    run(
        "custom_stream_items",
        4000,
        |rng| Bytes(mutated(rng, seeds::bodies())),
        |b| {
            let _ = cascade_edge::providers::custom::parse_delta(&model, &String::from_utf8_lossy(&b.0));
        },
    );
}
