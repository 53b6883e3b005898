//! Whole bodies: the JSON reader, each wire's response parser, custom
//! providers' results, error responses, the transport's response text,
//! OpenRouter's catalogue and the connection probe.

use cascade_edge::config::ModelConfig;
use cascade_edge::http::HttpResponse;
use cascade_edge::json_in::Json;
use cascade_edge::json_out::ToJson;
use cascade_edge::providers::{custom, error_from_status, openrouter, parse_response, probe};

use crate::harness::run;
use crate::mutate::{self, UNICODE};
use crate::mutated;
use crate::rng::Rng;
use crate::seeds::{self, Bytes};

fn body(rng: &mut Rng) -> Bytes {
    Bytes(mutated(rng, seeds::bodies()))
}

/// Beyond not panicking, what the reader accepts must survive a round trip
/// through the writer unchanged, and its accessors must hold on any value.
#[test]
fn json_reader() {
    run("json_reader", 6000, body, |b| {
        let Ok(v) = Json::parse(&b.0) else { return };
        let text = v.to_json();
        assert_eq!(Json::parse_str(&text).as_ref(), Ok(&v), "written back as {text:?}");
        walk(&v);
        for path in ["/choices/0/message/content", "/error/message", "/0", "/content/1/input", "/usage/x", "//"] {
            let _ = v.pointer(path).map(Json::as_f64);
        }
    });
}

fn walk(v: &Json) {
    let _ = (v.as_u64(), v.as_f64(), v.as_str(), v.as_bool(), v.is_null(), v.field("type"));
    match v {
        Json::Array(items) => items.iter().for_each(walk),
        Json::Object(fields) => fields.iter().for_each(|(_, v)| walk(v)),
        _ => {}
    }
}

/// Mostly the wire's own bodies, sometimes anyone's.
fn body_of(rng: &mut Rng, own: &[Vec<u8>]) -> Bytes {
    if rng.one_in(4) {
        body(rng)
    } else {
        Bytes(mutated(rng, own))
    }
}

fn response(target: &str, name: &str, provider: &str, wire: &str) {
    let model = ModelConfig::new(name, provider).expect("a built-in provider");
    let own = seeds::bodies_of(wire);
    run(
        target,
        4000,
        |rng| body_of(rng, &own),
        |b| {
            let _ = parse_response(&model, &b.0);
        },
    );
}

#[test]
fn openai_response() {
    response("openai_response", "gpt-4o-mini", "openai", "openai");
}

#[test]
fn anthropic_response() {
    response("anthropic_response", "claude-3-5-haiku-latest", "anthropic", "anthropic");
}

#[test]
fn ollama_response() {
    response("ollama_response", "llama3", "ollama", "ollama");
}

/// A custom provider has no wire: `parse_response` refuses it, and what
/// its `complete()` resolved to is read by `custom::parse_completion`.
#[test]
fn custom_response() {
    let model = ModelConfig::new("mock-small", "mock").expect("a custom provider");
    let own = seeds::bodies_of("custom");
    run(
        "custom_response",
        4000,
        |rng| body_of(rng, &own),
        |b| {
            let _ = parse_response(&model, &b.0);
            let _ = custom::parse_completion(&model, &String::from_utf8_lossy(&b.0));
        },
    );
}

#[derive(Debug)]
struct ErrorCase {
    provider: usize,
    key: Option<String>,
    status: u16,
    headers: Vec<(String, String)>,
    body: Bytes,
}

const ERROR_MODELS: &[(&str, &str)] = &[
    ("gpt-4o-mini", "openai"),
    ("claude-3-5-haiku-latest", "anthropic"),
    ("meta-llama/llama-3.1-8b-instruct", "openrouter"),
    ("llama3", "ollama"),
    ("mock-small", "mock"),
];

/// Status, headers and body all drawn: a key that the body echoes (masking
/// must find it, multi-byte or not), retry hints no clock can hold.
#[test]
fn error_from_status_target() {
    let models: Vec<ModelConfig> =
        ERROR_MODELS.iter().map(|(n, p)| ModelConfig::new(n, p).expect("a known model")).collect();
    let generate = |rng: &mut Rng| {
        let key = match rng.below(4) {
            0 => None,
            1 => Some("sk-secret-key-123".to_string()),
            2 => Some(format!("sk-{}", String::from_utf8_lossy(rng.pick(UNICODE).as_bytes()))),
            _ => Some(String::from_utf8_lossy(&mutated(rng, &[b"sk-or-v1-abc".to_vec()])).into_owned()),
        };
        let status = match rng.below(3) {
            0 => rng.next_u64() as u16,
            _ => *rng.pick(&[0, 1, 200, 400, 401, 402, 403, 404, 408, 413, 422, 429, 500, 502, 503, 599, 600, 65535]),
        };
        let values = [
            "7",
            "-1",
            "1e400",
            "NaN",
            "inf",
            " 2 ",
            "",
            "18446744073709551616",
            "1.5e300",
            "Wed, 21 Oct 2015 07:28:00 GMT",
            "0x10",
            "é",
        ];
        let headers = (0..rng.below(4))
            .map(|_| {
                let name = *rng.pick(&["retry-after", "Retry-After-Ms", "retry-after-ms", "x-request-id", ""]);
                let mut v = rng.pick(&values).as_bytes().to_vec();
                if rng.one_in(2) {
                    mutate::mutate(rng, &mut v, &[]);
                }
                (name.to_string(), String::from_utf8_lossy(&v).into_owned())
            })
            .collect();
        let mut body = mutated(rng, seeds::bodies());
        if let (Some(k), true) = (&key, rng.one_in(3)) {
            let at = rng.below(body.len() + 1);
            body.splice(at..at, k.bytes());
        }
        ErrorCase { provider: rng.below(models.len()), key, status, headers, body: Bytes(body) }
    };
    run("error_from_status", 4000, generate, |c| {
        let mut model = models[c.provider].clone();
        model.api_key = c.key.clone();
        let e = error_from_status(&model, c.status, &c.headers, &c.body.0);
        if let Some(k) = c.key.as_deref().filter(|k| k.len() >= 8) {
            assert!(!e.message.contains(k), "the key leaked into {:?}", e.message);
        }
    });
}

/// The text the JS transport hands over; any text at all.
#[test]
fn transport_text() {
    let seeds: Vec<Vec<u8>> = seeds::TRANSPORT.iter().map(|s| s.as_bytes().to_vec()).collect();
    run(
        "transport_text",
        6000,
        |rng| Bytes(mutated(rng, &seeds)),
        |b| {
            let text = String::from_utf8_lossy(&b.0).into_owned();
            let len = text.len();
            let r = HttpResponse::from_transport_text(text);
            assert!(r.body.len() <= len);
            let _ = r.header("retry-after");
        },
    );
}

/// OpenRouter's `/models` catalogue and the probe's reading of a models
/// list: bodies from outside, read outside a run.
#[test]
fn catalogue_and_probe() {
    let models: Vec<ModelConfig> =
        ERROR_MODELS.iter().map(|(n, p)| ModelConfig::new(n, p).expect("a known model")).collect();
    let own = seeds::bodies_of("openrouter");
    run(
        "catalogue_and_probe",
        3000,
        |rng| (rng.below(models.len()), rng.one_in(2), body_of(rng, &own)),
        |(m, check, b)| {
            if let Ok(list) = openrouter::parse_prices(&b.0) {
                let _ = openrouter::price_for(&list, "openai/gpt-4o-mini");
            }
            for status in [200, 401, 404, 500] {
                let _ = probe::read_probe(&models[*m], "https://example.test/v1/models", status, &b.0, *check);
            }
        },
    );
}
