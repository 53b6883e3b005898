//! Domain routes and complexity pre-routing: the parts of the agent config
//! that decide which tiers a query goes to before any model is called.
//! Apart from `config.rs` so each file stays readable on its own.

use crate::value::Value;

use super::{kind_of, parse_tiers, DomainRoute};
use crate::error::CascadeError;
use crate::quality::{Complexity, Domain};

const ALL_COMPLEXITIES: [Complexity; 5] =
    [Complexity::Trivial, Complexity::Simple, Complexity::Moderate, Complexity::Hard, Complexity::Expert];

/// `domains: { code: [models...], medical: { models?, threshold?, requireVerifier? }, default: [...] }`.
pub(super) fn parse_domains(v: &Value, keep_order: bool) -> Result<Vec<DomainRoute>, CascadeError> {
    let obj = v.as_object().ok_or_else(|| {
        CascadeError::config(format!("config.domains: expected an object keyed by domain, got {}", kind_of(v)))
    })?;
    let mut out = Vec::with_capacity(obj.len());
    for (key, route) in obj {
        let name = key.to_ascii_lowercase();
        let domain = if name == "default" {
            Domain::General
        } else {
            Domain::from_name(&name).ok_or_else(|| {
                let names: Vec<&str> = Domain::ALL.iter().map(|d| d.as_str()).collect();
                CascadeError::config(format!(
                    "config.domains.{key}: unknown domain (expected one of {}, default)",
                    names.join(", ")
                ))
            })?
        };
        let path = format!("domains.{key}");
        let parsed = match route {
            Value::Array(list) => DomainRoute {
                domain,
                models: parse_tiers(list, &path, keep_order)?,
                threshold: None,
                require_verifier: false,
            },
            Value::Object(o) => {
                for k in o.keys() {
                    if !["models", "threshold", "requireVerifier"].contains(&k.as_str()) {
                        return Err(CascadeError::config(format!(
                            "config.{path}.{k}: unknown option (expected models, threshold, requireVerifier)"
                        )));
                    }
                }
                let models = match o.get("models") {
                    None | Some(Value::Null) => Vec::new(),
                    Some(Value::Array(list)) => parse_tiers(list, &format!("{path}.models"), keep_order)?,
                    Some(other) => {
                        return Err(CascadeError::config(format!(
                            "config.{path}.models: expected an array of models, got {}",
                            kind_of(other)
                        )))
                    }
                };
                let threshold = match o.get("threshold") {
                    None | Some(Value::Null) => None,
                    Some(t) => match t.as_f64() {
                        Some(f) if (0.0..=1.0).contains(&f) => Some(f),
                        _ => {
                            return Err(CascadeError::config(format!(
                                "config.{path}.threshold: expected a number from 0 to 1, got {t}"
                            )))
                        }
                    },
                };
                let require_verifier = match o.get("requireVerifier") {
                    None | Some(Value::Null) => false,
                    Some(Value::Bool(b)) => *b,
                    Some(other) => {
                        return Err(CascadeError::config(format!(
                            "config.{path}.requireVerifier: expected a boolean, got {}",
                            kind_of(other)
                        )))
                    }
                };
                DomainRoute { domain, models, threshold, require_verifier }
            }
            other => {
                return Err(CascadeError::config(format!(
                    "config.{path}: expected an array of models or {{models, threshold, requireVerifier}}, got {}",
                    kind_of(other)
                )))
            }
        };
        out.push(parsed);
    }
    Ok(out)
}

/// `preRouting: { skipDrafterFrom: 'hard' }`: complexities at or above go to the top tier.
pub(super) fn parse_pre_routing(v: &Value) -> Result<Option<Complexity>, CascadeError> {
    let names: Vec<&str> = ALL_COMPLEXITIES.iter().map(|c| c.as_str()).collect();
    let from = match v.get("skipDrafterFrom") {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::String(s)) => s.to_ascii_lowercase(),
        Some(other) => {
            return Err(CascadeError::config(format!(
                "config.preRouting.skipDrafterFrom: expected one of {}, got {}",
                names.join(", "),
                kind_of(other)
            )))
        }
    };
    ALL_COMPLEXITIES.iter().find(|c| c.as_str() == from).copied().map(Some).ok_or_else(|| {
        CascadeError::config(format!(
            "config.preRouting.skipDrafterFrom: expected one of {}, got {from:?}",
            names.join(", ")
        ))
    })
}
