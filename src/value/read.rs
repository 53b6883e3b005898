//! Pieces for reading typed data out of a `Value` with the messages serde
//! derive gave (`missing field `role``, `unknown variant `bot`, expected
//! one of ...`), for the shapes that used to be derived (`types::read`).

use std::fmt;

use super::{Value, N};

/// A value as named in "invalid type: {}, expected ...".
pub(crate) struct Unexpected<'a>(pub &'a Value);

pub(crate) fn describe(v: &Value) -> Unexpected<'_> {
    Unexpected(v)
}

impl fmt::Display for Unexpected<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Value::Null => f.write_str("null"),
            Value::Bool(b) => write!(f, "boolean `{b}`"),
            Value::Number(n) => match n.0 {
                N::PosInt(_) | N::NegInt(_) => write!(f, "integer `{n}`"),
                N::Float(_) => write!(f, "floating point `{n}`"),
            },
            Value::String(s) => write!(f, "string {s:?}"),
            Value::Array(_) => f.write_str("sequence"),
            Value::Object(_) => f.write_str("map"),
        }
    }
}

pub(crate) fn invalid_type(v: &Value, expected: &str) -> String {
    format!("invalid type: {}, expected {expected}", describe(v))
}

/// A unit variant of an enum, as serde reads one from a value: its name
/// as a string, or `{name: null}`. The index of the name in `names`.
pub(crate) fn unit_variant(v: &Value, names: &[&str]) -> Result<usize, String> {
    let (name, content) = match v {
        Value::String(s) => (s.as_str(), None),
        Value::Object(m) => match m.iter().next() {
            Some((k, c)) if m.len() == 1 => (k.as_str(), Some(c)),
            _ => return Err("invalid value: map, expected map with a single key".into()),
        },
        other => return Err(invalid_type(other, "string or map")),
    };
    let Some(i) = names.iter().position(|n| *n == name) else {
        return Err(format!("unknown variant `{name}`, expected {}", one_of(names)));
    };
    match content {
        Some(c) if !c.is_null() => Err(invalid_type(c, "unit")),
        _ => Ok(i),
    }
}

/// serde's list of what was expected: "`a`", "`a` or `b`", "one of `a`, `b`, `c`".
fn one_of(names: &[&str]) -> String {
    match names {
        [] => "no variants".into(),
        [a] => format!("`{a}`"),
        [a, b] => format!("`{a}` or `{b}`"),
        _ => format!("one of {}", names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")),
    }
}

pub(crate) fn missing(field: &str) -> String {
    format!("missing field `{field}`")
}

pub(crate) fn string(v: &Value) -> Result<String, String> {
    v.as_str().map(str::to_string).ok_or_else(|| invalid_type(v, "a string"))
}

/// `Option<String>`: `null` is none.
pub(crate) fn opt_string(v: &Value) -> Result<Option<String>, String> {
    if v.is_null() {
        Ok(None)
    } else {
        string(v).map(Some)
    }
}

pub(crate) fn f64(v: &Value) -> Result<f64, String> {
    v.as_f64().ok_or_else(|| invalid_type(v, "f64"))
}

/// A list of `T`, each read with `item`.
pub(crate) fn seq<T>(v: &Value, item: fn(&Value) -> Result<T, String>) -> Result<Vec<T>, String> {
    match v {
        Value::Array(items) => items.iter().map(item).collect(),
        other => Err(invalid_type(other, "a sequence")),
    }
}
