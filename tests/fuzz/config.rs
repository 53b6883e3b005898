//! Configuration as the JS wrapper hands it over. Two kinds of mutation:
//! bytes of the JSON text (most results are then not JSON, and the few that
//! are stay close to the seeds), and edits of the parsed tree (`tree`).

use cascade_edge::config::{parse_agent, parse_call_options, parse_model};
use cascade_edge::quality::QualityConfig;
use cascade_edge::value::Value;

use crate::harness::run;
use crate::rng::Rng;
use crate::tree::edit;
use crate::{mutated, seeds};

/// `None` when mutated text is no longer JSON: the parsers see a `Value`
/// that the wasm layer read with `value::from_str`, so such text never
/// reaches them. Trees are passed as they are: the reader would refuse the
/// deeper ones, but a JS object handed over another way would not.
fn config(rng: &mut Rng, seeds: &[&str]) -> Option<Value> {
    let docs: Vec<Vec<u8>> = seeds.iter().map(|s| s.as_bytes().to_vec()).collect();
    if rng.one_in(3) {
        return read(&mutated(rng, &docs));
    }
    let mut v: Value = read(rng.pick::<Vec<u8>>(&docs)).expect("seed configs are JSON");
    for _ in 0..rng.between(1, 4) {
        edit(rng, &mut v, 0);
    }
    Some(v)
}

fn read(bytes: &[u8]) -> Option<Value> {
    std::str::from_utf8(bytes).ok().and_then(|t| cascade_edge::value::from_str(t).ok())
}

#[test]
fn config_agent() {
    run(
        "config_agent",
        6000,
        |rng| config(rng, seeds::CONFIGS),
        |v| {
            let Some(v) = v else { return };
            let _ = parse_agent(v);
            let _ = QualityConfig::parse(v.get("quality").unwrap_or(&Value::Null), "quality");
        },
    );
}

#[test]
fn config_model() {
    let models: Vec<String> = seeds::CONFIGS
        .iter()
        .flat_map(|c| {
            let v: Value = cascade_edge::value::from_str(c).expect("seed configs are JSON");
            let list = v.get("models").cloned().unwrap_or(v);
            list.as_array().cloned().unwrap_or_default()
        })
        .map(|m| m.to_string())
        .collect();
    let models: Vec<&str> = models.iter().map(String::as_str).collect();
    run(
        "config_model",
        6000,
        |rng| config(rng, &models),
        |v| {
            let Some(v) = v else { return };
            let _ = parse_model(v, "models[0]");
        },
    );
}

#[test]
fn config_call_options() {
    run(
        "config_call_options",
        6000,
        |rng| config(rng, seeds::CALL_OPTIONS),
        |v| {
            let Some(v) = v else { return };
            let _ = parse_call_options(v, "options");
        },
    );
}
