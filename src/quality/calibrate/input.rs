//! The JSON door of offline evaluation: records in the data file's shape
//! (snake_case or camelCase keys), prices, token counts and options, each
//! error naming the field at fault.

use crate::value::{Map, Value};

use super::{calibrate, evaluate, CalibrateOptions, Calibration, Evaluation, Labelled, ModelPrice, Prices};
use crate::config::kind_of;
use crate::error::CascadeError;
use crate::pricing::{estimate_tokens, lookup, Price};
use crate::quality::QualityConfig;

fn bad(path: &str, want: &str, got: &Value) -> CascadeError {
    CascadeError::config(format!("{path}: expected {want}, got {got}"))
}

/// A field by either spelling, with the key it was found under (for errors).
fn field<'a>(o: &'a Map<String, Value>, snake: &'a str, camel: &'a str) -> Option<(&'a str, &'a Value)> {
    [snake, camel].into_iter().find_map(|k| o.get(k).filter(|v| !v.is_null()).map(|v| (k, v)))
}

fn label(o: &Map<String, Value>, snake: &str, camel: &str, path: &str) -> Result<bool, CascadeError> {
    match field(o, snake, camel) {
        Some((_, Value::Bool(b))) => Ok(*b),
        Some((_, n)) if n.as_f64() == Some(0.0) || n.as_f64() == Some(1.0) => Ok(n.as_f64() == Some(1.0)),
        Some((k, other)) => Err(bad(&format!("{path}.{k}"), "true or false", other)),
        None => Err(CascadeError::config(format!("{path}.{snake}: required (true or false)"))),
    }
}

/// A token count from a record, under either spelling.
fn tokens_of(o: &Map<String, Value>, snake: &str, camel: &str, path: &str) -> Result<Option<u64>, CascadeError> {
    match field(o, snake, camel) {
        Some((k, v)) => count(Some(v), &format!("{path}.{k}")),
        None => Ok(None),
    }
}

fn count(v: Option<&Value>, path: &str) -> Result<Option<u64>, CascadeError> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(n) => match n.as_f64() {
            Some(x) if x.is_finite() && x >= 0.0 => Ok(Some(x.round() as u64)),
            _ => Err(bad(path, "a number of tokens (0 or more)", n)),
        },
    }
}

/// Fixed token counts (`options.tokens: {input, draft, verifier}`), used for
/// records that carry none; otherwise tokens are estimated from the text.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct TokenDefaults {
    pub input: Option<u64>,
    pub draft: Option<u64>,
    pub verifier: Option<u64>,
}

impl TokenDefaults {
    pub fn parse(v: Option<&Value>) -> Result<Self, CascadeError> {
        match v {
            None | Some(Value::Null) => Ok(TokenDefaults::default()),
            Some(Value::String(s)) if s == "estimate" => Ok(TokenDefaults::default()),
            Some(Value::Object(o)) => {
                if let Some(k) = o.keys().find(|k| !["input", "draft", "verifier"].contains(&k.as_str())) {
                    return Err(CascadeError::config(format!(
                        "options.tokens.{k}: unknown option (expected input, draft, verifier)"
                    )));
                }
                Ok(TokenDefaults {
                    input: count(o.get("input"), "options.tokens.input")?,
                    draft: count(o.get("draft"), "options.tokens.draft")?,
                    verifier: count(o.get("verifier"), "options.tokens.verifier")?,
                })
            }
            Some(other) => Err(bad("options.tokens", "{input, draft, verifier} token counts or \"estimate\"", other)),
        }
    }
}

/// Records in the data file's shape (snake_case or camelCase keys).
pub fn parse_records(v: &Value, tokens: TokenDefaults) -> Result<Vec<Labelled>, CascadeError> {
    let list = match v {
        Value::Array(a) if !a.is_empty() => a,
        Value::Array(_) => {
            return Err(CascadeError::config("records: expected at least one record, got an empty array"))
        }
        other => {
            return Err(CascadeError::config(format!(
                "records: expected an array of {{query, draft, draft_correct, verifier_correct}}, got {}",
                kind_of(other)
            )))
        }
    };
    let mut out = Vec::with_capacity(list.len());
    for (i, r) in list.iter().enumerate() {
        let path = format!("records[{i}]");
        let Value::Object(o) = r else {
            return Err(bad(&path, "an object {query, draft, draft_correct, verifier_correct}", r));
        };
        let text = |k: &str| match o.get(k) {
            Some(Value::String(s)) => Ok(s.clone()),
            Some(other) => Err(bad(&format!("{path}.{k}"), "a string", other)),
            None => Err(CascadeError::config(format!("{path}.{k}: required (a string)"))),
        };
        let (query, draft) = (text("query")?, text("draft")?);
        let verifier = match o.get("verifier") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.as_str()),
            Some(other) => return Err(bad(&format!("{path}.verifier"), "a string", other)),
        };
        let draft_tokens = tokens_of(o, "draft_tokens", "draftTokens", &path)?
            .or(tokens.draft)
            .unwrap_or_else(|| estimate_tokens(&draft));
        out.push(Labelled {
            draft_correct: label(o, "draft_correct", "draftCorrect", &path)?,
            verifier_correct: label(o, "verifier_correct", "verifierCorrect", &path)?,
            input_tokens: tokens_of(o, "input_tokens", "inputTokens", &path)?
                .or(tokens.input)
                .unwrap_or_else(|| estimate_tokens(&query)),
            verifier_tokens: tokens_of(o, "verifier_tokens", "verifierTokens", &path)?
                .or(tokens.verifier)
                .unwrap_or_else(|| verifier.map_or(draft_tokens, estimate_tokens)),
            draft_tokens,
            query,
            draft,
        });
    }
    Ok(out)
}

fn usd(o: &Map<String, Value>, k: &str, path: &str) -> Result<Option<f64>, CascadeError> {
    match o.get(k) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => match v.as_f64() {
            Some(x) if x.is_finite() && x >= 0.0 => Ok(Some(x)),
            _ => Err(bad(&format!("{path}.{k}"), "a price in USD (0 or more)", v)),
        },
    }
}

fn price_of(v: &Value, path: &str) -> Result<ModelPrice, CascadeError> {
    match v {
        Value::String(name) => lookup("", name)
            .map(|p| ModelPrice { model: Some(name.clone()), input_cost: p.input_per_m, output_cost: p.output_per_m })
            .ok_or_else(|| {
                CascadeError::config(format!(
                    "{path}: no known price for model {v}; give {{inputCost, outputCost}} in USD per 1M tokens"
                ))
            }),
        Value::Object(o) => {
            let model = o.get("name").or_else(|| o.get("model")).and_then(Value::as_str).map(str::to_string);
            match (usd(o, "inputCost", path)?, usd(o, "outputCost", path)?, usd(o, "cost", path)?) {
                (Some(i), Some(out), _) => Ok(ModelPrice { model, input_cost: i, output_cost: out }),
                (None, None, Some(c)) => {
                    let p = Price::blended_per_thousand(c);
                    Ok(ModelPrice { model, input_cost: p.input_per_m, output_cost: p.output_per_m })
                }
                _ => match model.as_deref() {
                    Some(m) => price_of(&Value::String(m.into()), path),
                    None => Err(CascadeError::config(format!(
                        "{path}: expected {{inputCost, outputCost}} (USD per 1M tokens), {{cost}} (USD per 1K) or a model name"
                    ))),
                },
            }
        }
        other => Err(bad(path, "a model name or {inputCost, outputCost}", other)),
    }
}

/// `options.prices: {draft, verifier}`, each a model name from the price
/// table or `{inputCost, outputCost}`; missing ones take the defaults.
pub fn parse_prices(v: Option<&Value>) -> Result<Prices, CascadeError> {
    let mut p = Prices::default();
    match v {
        None | Some(Value::Null) => {}
        Some(Value::Object(o)) => {
            for (k, v) in o {
                match k.as_str() {
                    "draft" => p.draft = price_of(v, "options.prices.draft")?,
                    "verifier" => p.verifier = price_of(v, "options.prices.verifier")?,
                    _ => {
                        return Err(CascadeError::config(format!(
                            "options.prices.{k}: unknown option (expected draft, verifier)"
                        )))
                    }
                }
            }
        }
        Some(other) => return Err(bad("options.prices", "{draft, verifier}", other)),
    }
    Ok(p)
}

/// `evaluateCascade(records, {quality, prices, tokens, curve})` on JSON values.
pub fn evaluate_json(records: &Value, options: &Value) -> Result<Evaluation, CascadeError> {
    let o = options_object(options, &["quality", "prices", "tokens", "curve"])?;
    let cfg = match o.get("quality") {
        None | Some(Value::Null) => QualityConfig::default(),
        Some(q) => QualityConfig::parse(q, "options.quality")?,
    };
    let curve = match o.get("curve") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(other) => return Err(bad("options.curve", "a boolean", other)),
    };
    let prices = parse_prices(o.get("prices"))?;
    let records = parse_records(records, TokenDefaults::parse(o.get("tokens"))?)?;
    Ok(evaluate(&records, &cfg, &prices, curve))
}

fn options_object(v: &Value, keys: &[&str]) -> Result<Map<String, Value>, CascadeError> {
    match v {
        Value::Null => Ok(Map::new()),
        Value::Object(o) => {
            if let Some(k) = o.keys().find(|k| !keys.contains(&k.as_str())) {
                return Err(CascadeError::config(format!(
                    "options.{k}: unknown option (expected one of {})",
                    keys.join(", ")
                )));
            }
            Ok(o.clone())
        }
        other => Err(bad("options", "an object", other)),
    }
}

/// `calibrate(records, {targetQuality, minPerComplexity, prices, tokens})` on JSON values.
pub fn calibrate_json(records: &Value, options: &Value) -> Result<Calibration, CascadeError> {
    let o = options_object(options, &["targetQuality", "minPerComplexity", "prices", "tokens"])?;
    let mut opts = CalibrateOptions::default();
    if let Some(t) = o.get("targetQuality").filter(|v| !v.is_null()) {
        opts.target_quality = match t.as_f64() {
            Some(x) if x > 0.0 && x <= 1.0 => x,
            _ => return Err(bad("options.targetQuality", "a share of verifier quality above 0 and at most 1", t)),
        };
    }
    if let Some(m) = o.get("minPerComplexity").filter(|v| !v.is_null()) {
        opts.min_per_complexity = match m.as_u64() {
            Some(x) => x as usize,
            None => return Err(bad("options.minPerComplexity", "a whole number of records", m)),
        };
    }
    let prices = parse_prices(o.get("prices"))?;
    let records = parse_records(records, TokenDefaults::parse(o.get("tokens"))?)?;
    Ok(calibrate(&records, &opts, &prices))
}
