//! Judge settings: thresholds per complexity, per domain, and presets.
//!
//! A threshold is the judge score a draft needs to be accepted. Harder
//! queries get higher ones because a cheap model's fluent answer is less
//! often right there. Precedence, most specific first: a tier's own
//! `qualityThreshold`, then `quality.threshold` (one number for every
//! query), then `quality.domainThresholds[domain]`, then
//! `quality.thresholds[complexity]`.

use crate::value::Value;

use super::{Complexity, Domain};
use crate::config::kind_of;
use crate::error::CascadeError;

/// Judge settings from `new CascadeAgent({ quality: {...} })`.
#[derive(Clone, Debug, PartialEq)]
pub struct QualityConfig {
    /// One threshold for every complexity, overriding the per-complexity ones.
    pub threshold: Option<f64>,
    /// Per complexity, trivial..expert.
    pub thresholds: [f64; 5],
    /// Per domain, in `Domain::ALL` order; replaces the complexity threshold
    /// for queries of that domain when set.
    pub domain_thresholds: [Option<f64>; 10],
}

/// Named settings, chosen to mean something on the judge's score scale: a
/// draft with no concern scores about 0.97 (trivial) down to 0.76
/// (expert); one mild concern costs roughly 0.1-0.2; a strong one 0.4+.
pub const PRESETS: [(&str, [f64; 5]); 3] = [
    // Escalates anything with a real doubt, even on easy queries.
    ("strict", [0.7, 0.75, 0.78, 0.8, 0.82]),
    // The default: accepts clean drafts, escalates on one clear concern.
    ("balanced", [0.5, 0.55, 0.6, 0.65, 0.7]),
    // Keeps drafts unless a check finds something plainly wrong.
    ("cost-optimized", [0.3, 0.35, 0.4, 0.45, 0.5]),
];

impl Default for QualityConfig {
    fn default() -> Self {
        QualityConfig { threshold: None, thresholds: [0.5, 0.55, 0.6, 0.65, 0.7], domain_thresholds: [None; 10] }
    }
}

const LEVELS: [&str; 5] = ["trivial", "simple", "moderate", "hard", "expert"];
const KEYS: [&str; 4] = ["threshold", "thresholds", "preset", "domainThresholds"];

fn unit(v: &Value, path: &str) -> Result<f64, CascadeError> {
    match v.as_f64() {
        Some(x) if (0.0..=1.0).contains(&x) => Ok(x),
        _ => Err(CascadeError::config(format!("{path}: expected a number from 0 to 1, got {v}"))),
    }
}

impl QualityConfig {
    /// A preset by name: "strict", "balanced" or "cost-optimized"
    /// ("cost_optimized" and "costOptimized" too).
    pub fn preset(name: &str) -> Option<QualityConfig> {
        let n: String = name.trim().chars().filter(|c| *c != '-' && *c != '_').collect::<String>().to_ascii_lowercase();
        PRESETS
            .iter()
            .find(|(p, _)| p.replace('-', "") == n)
            .map(|(_, t)| QualityConfig { thresholds: *t, ..QualityConfig::default() })
    }

    /// Accepts `{threshold, thresholds: {trivial..expert} or [5 numbers],
    /// preset, domainThresholds: {medical: 0.8}}`, a preset name alone, or
    /// a number alone (same as `{threshold}`). A preset applies first and
    /// explicit thresholds then override it.
    pub fn parse(value: &Value, path: &str) -> Result<Self, CascadeError> {
        let obj = match value {
            Value::Null => return Ok(QualityConfig::default()),
            Value::Number(_) => {
                return Ok(QualityConfig { threshold: Some(unit(value, path)?), ..QualityConfig::default() })
            }
            Value::String(s) => {
                return QualityConfig::preset(s).ok_or_else(|| {
                    CascadeError::config(format!(
                        "{path}: unknown preset {value} (expected \"strict\", \"balanced\" or \"cost-optimized\")"
                    ))
                })
            }
            Value::Object(o) => o,
            other => {
                return Err(CascadeError::config(format!(
                    "{path}: expected an object, a preset name or a number, got {}",
                    kind_of(other)
                )))
            }
        };
        for k in obj.keys() {
            let known = KEYS.contains(&k.as_str()) || k == "domain_thresholds";
            if !known {
                return Err(CascadeError::config(format!(
                    "{path}.{k}: unknown option (expected one of {})",
                    KEYS.join(", ")
                )));
            }
        }
        let mut cfg = match obj.get("preset") {
            None | Some(Value::Null) => QualityConfig::default(),
            Some(p @ Value::String(s)) => QualityConfig::preset(s).ok_or_else(|| {
                CascadeError::config(format!(
                    "{path}.preset: expected \"strict\", \"balanced\" or \"cost-optimized\", got {p}"
                ))
            })?,
            Some(other) => {
                return Err(CascadeError::config(format!(
                    "{path}.preset: expected a preset name, got {}",
                    kind_of(other)
                )))
            }
        };
        match obj.get("thresholds") {
            None | Some(Value::Null) => {}
            Some(Value::Object(m)) => {
                for (k, v) in m {
                    let Some(i) = LEVELS.iter().position(|l| l.eq_ignore_ascii_case(k)) else {
                        return Err(CascadeError::config(format!(
                            "{path}.thresholds.{k}: unknown complexity (expected one of {})",
                            LEVELS.join(", ")
                        )));
                    };
                    if let Some(slot) = cfg.thresholds.get_mut(i) {
                        *slot = unit(v, &format!("{path}.thresholds.{k}"))?;
                    }
                }
            }
            Some(Value::Array(a)) if a.len() == 5 => {
                for (i, v) in a.iter().enumerate() {
                    if let Some(slot) = cfg.thresholds.get_mut(i) {
                        *slot = unit(v, &format!("{path}.thresholds[{i}]"))?;
                    }
                }
            }
            Some(other) => {
                return Err(CascadeError::config(format!(
                    "{path}.thresholds: expected an object {{trivial, simple, moderate, hard, expert}} or 5 numbers, got {}",
                    kind_of(other)
                )))
            }
        }
        if let Some(v) = obj.get("threshold").filter(|v| !v.is_null()) {
            cfg.threshold = Some(unit(v, &format!("{path}.threshold"))?);
        }
        let (dkey, dt) = match (obj.get("domainThresholds"), obj.get("domain_thresholds")) {
            (Some(v), _) => ("domainThresholds", Some(v)),
            (None, v) => ("domain_thresholds", v),
        };
        match dt {
            None | Some(Value::Null) => {}
            Some(Value::Object(m)) => {
                for (k, v) in m {
                    let Some(d) = Domain::from_name(k) else {
                        let names: Vec<&str> = Domain::ALL.iter().map(|d| d.as_str()).collect();
                        return Err(CascadeError::config(format!(
                            "{path}.{dkey}.{k}: unknown domain (expected one of {})",
                            names.join(", ")
                        )));
                    };
                    let t = unit(v, &format!("{path}.{dkey}.{k}"))?;
                    if let Some(slot) = cfg.domain_thresholds.get_mut(d as usize) {
                        *slot = Some(t);
                    }
                }
            }
            Some(other) => {
                return Err(CascadeError::config(format!(
                    "{path}.{dkey}: expected an object like {{\"medical\": 0.8}}, got {}",
                    kind_of(other)
                )))
            }
        }
        Ok(cfg)
    }

    /// The threshold that applies, before any tier override.
    pub fn threshold_for(&self, complexity: Complexity, domain: Domain) -> f64 {
        self.threshold
            .or_else(|| self.domain_thresholds.get(domain as usize).copied().flatten())
            .unwrap_or_else(|| self.thresholds.get(complexity as usize).copied().unwrap_or(0.6))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json;

    #[test]
    fn presets_by_any_spelling() {
        assert_eq!(QualityConfig::preset("balanced"), Some(QualityConfig::default()));
        let c = QualityConfig::preset("cost_optimized").unwrap();
        assert_eq!(c.thresholds[0], 0.3);
        assert_eq!(QualityConfig::preset("costOptimized"), Some(c));
        assert!(QualityConfig::preset("STRICT").unwrap().thresholds[4] > 0.8);
        assert_eq!(QualityConfig::preset("yolo"), None);
    }

    #[test]
    fn parse_layers_preset_then_overrides() {
        let v = json!({"preset": "strict", "thresholds": {"hard": 0.9}, "domainThresholds": {"medical": 0.85}});
        let c = QualityConfig::parse(&v, "quality").unwrap();
        assert_eq!(c.thresholds[3], 0.9);
        assert_eq!(c.thresholds[0], 0.7);
        assert_eq!(c.threshold_for(Complexity::Trivial, Domain::Medical), 0.85);
        assert_eq!(c.threshold_for(Complexity::Hard, Domain::Code), 0.9);
        let c = QualityConfig::parse(&json!({"threshold": 0.4}), "quality").unwrap();
        assert_eq!(c.threshold_for(Complexity::Expert, Domain::Medical), 0.4);
        let c = QualityConfig::parse(&json!([0.1, 0.2, 0.3, 0.4, 0.5]), "quality");
        assert!(c.is_err());
        let c = QualityConfig::parse(&json!({"thresholds": [0.1, 0.2, 0.3, 0.4, 0.5]}), "quality").unwrap();
        assert_eq!(c.thresholds, [0.1, 0.2, 0.3, 0.4, 0.5]);
        assert_eq!(QualityConfig::parse(&json!("cost-optimized"), "q").unwrap().thresholds[2], 0.4);
        assert_eq!(QualityConfig::parse(&json!(0.75), "q").unwrap().threshold, Some(0.75));
        assert_eq!(QualityConfig::parse(&Value::Null, "q").unwrap(), QualityConfig::default());
    }

    #[test]
    fn errors_name_the_field() {
        let err = |v: Value| QualityConfig::parse(&v, "quality").unwrap_err().message;
        assert_eq!(
            err(json!({"thresholds": {"hard": "x"}})),
            "quality.thresholds.hard: expected a number from 0 to 1, got \"x\""
        );
        assert_eq!(err(json!({"threshold": 1.5})), "quality.threshold: expected a number from 0 to 1, got 1.5");
        assert!(
            err(json!({"thresholds": {"extreme": 0.5}})).starts_with("quality.thresholds.extreme: unknown complexity")
        );
        assert!(err(json!({"preset": "yolo"})).starts_with("quality.preset: expected"));
        assert!(err(json!({"domainThresholds": {"astrology": 0.5}})).starts_with("quality.domainThresholds.astrology"));
        assert!(err(json!({"domainThresholds": {"medical": -1}})).contains("expected a number from 0 to 1"));
        assert!(err(json!({"treshold": 0.5})).starts_with("quality.treshold: unknown option"));
        assert!(err(json!(true)).starts_with("quality: expected an object"));
        let e = QualityConfig::parse(&json!({"threshold": "high"}), "quality").unwrap_err();
        assert_eq!(e.code, crate::error::ErrorCode::Config);
    }
}
