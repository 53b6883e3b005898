//! Key rotation: `keyRotation: { keys, strategy }` on a model spreads its
//! calls over several API keys (each with its own provider quota), and a
//! key the provider refuses (401/403) is replaced by the next one within
//! the same run. Which key a call used is in its attempt as an index, never
//! the key itself.

use crate::value::Value;

use crate::config::{check_keys, check_text, kind_of, Fields};
use crate::error::CascadeError;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyStrategy {
    RoundRobin,
    LeastUsed,
    Random,
}

#[derive(Clone, Debug, PartialEq)]
pub struct KeyRotation {
    pub keys: Vec<String>,
    pub strategy: KeyStrategy,
}

/// How one model's keys have been used, in this agent.
#[derive(Clone, Debug, Default)]
pub struct KeyUse {
    next: usize,
    calls: Vec<u64>,
}

impl KeyUse {
    /// The key for the next call, passing over those already `refused` in
    /// this run; `None` when every key has been. `draw` is the injected
    /// uniform number in [0, 1), for `random`.
    pub fn pick(&mut self, rot: &KeyRotation, draw: f64, refused: &[usize]) -> Option<usize> {
        let n = rot.keys.len();
        if self.calls.len() != n {
            self.calls.resize(n, 0);
        }
        let open: Vec<usize> = (0..n).filter(|i| !refused.contains(i)).collect();
        let chosen = match rot.strategy {
            KeyStrategy::RoundRobin => {
                let start = self.next.checked_rem(n).unwrap_or(0);
                (0..n).filter_map(|k| start.wrapping_add(k).checked_rem(n)).find(|i| open.contains(i))
            }
            KeyStrategy::LeastUsed => {
                open.iter().copied().min_by_key(|i| (self.calls.get(*i).copied().unwrap_or(0), *i))
            }
            KeyStrategy::Random => {
                let at = ((draw.clamp(0.0, 1.0) * open.len() as f64) as usize).min(open.len().saturating_sub(1));
                open.get(at).copied()
            }
        }?;
        self.next = chosen.wrapping_add(1);
        if let Some(c) = self.calls.get_mut(chosen) {
            *c = c.saturating_add(1);
        }
        Some(chosen)
    }
}

const KEYS: &[&str] = &["keys", "strategy"];

/// `keyRotation: { keys: [...], strategy: 'round_robin' | 'least_used' | 'random' }`.
pub fn parse_key_rotation(v: &Value, path: &str) -> Result<Option<KeyRotation>, CascadeError> {
    let obj: &Fields = match v {
        Value::Null => return Ok(None),
        Value::Object(o) => o,
        other => {
            return Err(CascadeError::config(format!("{path}: expected {{keys, strategy}}, got {}", kind_of(other))))
        }
    };
    check_keys(obj, KEYS, path)?;
    let list = match obj.get("keys") {
        Some(Value::Array(a)) if !a.is_empty() => a,
        Some(Value::Array(_)) | None | Some(Value::Null) => {
            return Err(CascadeError::config(format!("{path}.keys: expected a non-empty array of API keys")))
        }
        Some(other) => {
            return Err(CascadeError::config(format!(
                "{path}.keys: expected an array of API keys, got {}",
                kind_of(other)
            )))
        }
    };
    let mut keys = Vec::with_capacity(list.len());
    for (i, k) in list.iter().enumerate() {
        match k {
            Value::String(s) if !s.is_empty() => {
                // The value is a secret: the check names where it is, never what it is.
                check_text(s, &format!("{path}.keys[{i}]"))?;
                keys.push(s.clone());
            }
            other => {
                return Err(CascadeError::config(format!(
                    "{path}.keys[{i}]: expected a non-empty string, got {}",
                    kind_of(other)
                )))
            }
        }
    }
    let strategy = match obj.get("strategy") {
        None | Some(Value::Null) => KeyStrategy::RoundRobin,
        Some(Value::String(s)) => match s.as_str() {
            "round_robin" | "roundRobin" => KeyStrategy::RoundRobin,
            "least_used" | "leastUsed" => KeyStrategy::LeastUsed,
            "random" => KeyStrategy::Random,
            _ => {
                return Err(CascadeError::config(format!(
                    "{path}.strategy: expected 'round_robin', 'least_used' or 'random', got {s:?}"
                )))
            }
        },
        Some(other) => {
            return Err(CascadeError::config(format!("{path}.strategy: expected a string, got {}", kind_of(other))))
        }
    };
    Ok(Some(KeyRotation { keys, strategy }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json;

    fn rot(strategy: KeyStrategy) -> KeyRotation {
        KeyRotation { keys: vec!["a".into(), "b".into(), "c".into()], strategy }
    }

    #[test]
    fn round_robin_turns_and_passes_over_refused_keys() {
        let r = rot(KeyStrategy::RoundRobin);
        let mut u = KeyUse::default();
        let picks: Vec<_> = (0..4).filter_map(|_| u.pick(&r, 0.0, &[])).collect();
        assert_eq!(picks, vec![0, 1, 2, 0]);
        assert_eq!(u.pick(&r, 0.0, &[1]), Some(2));
        assert_eq!(u.pick(&r, 0.0, &[0, 1, 2]), None);
    }

    #[test]
    fn least_used_and_random() {
        let r = rot(KeyStrategy::LeastUsed);
        let mut u = KeyUse::default();
        assert_eq!(u.pick(&r, 0.0, &[]), Some(0));
        assert_eq!(u.pick(&r, 0.0, &[1]), Some(2));
        assert_eq!(u.pick(&r, 0.0, &[]), Some(1));
        let r = rot(KeyStrategy::Random);
        let mut u = KeyUse::default();
        assert_eq!(u.pick(&r, 0.99, &[]), Some(2));
        assert_eq!(u.pick(&r, 0.5, &[0]), Some(2));
        assert_eq!(u.pick(&r, 0.0, &[0]), Some(1));
    }

    #[test]
    fn config_is_validated_without_echoing_keys() {
        let r = parse_key_rotation(&json!({"keys": ["k1", "k2"], "strategy": "least_used"}), "m.keyRotation");
        assert_eq!(r.unwrap().map(|r| r.strategy), Some(KeyStrategy::LeastUsed));
        assert!(parse_key_rotation(&json!({"keys": []}), "m").unwrap_err().message.contains("non-empty"));
        let e = parse_key_rotation(&json!({"keys": ["sk-secret\r\nX-Evil: 1"]}), "m.keyRotation").unwrap_err();
        assert!(e.message.contains("m.keyRotation.keys[0]") && !e.message.contains("sk-secret"), "{}", e.message);
        assert!(parse_key_rotation(&json!({"keys": ["a"], "strategy": "lru"}), "m").is_err());
        assert!(parse_key_rotation(&json!({"key": ["a"]}), "m").unwrap_err().message.contains("did you mean `keys`"));
    }
}
