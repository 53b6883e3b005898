//! Reading one field of a JSON option object, the same way everywhere: an
//! absent or `null` field is "not given", and anything else that is not
//! what the field takes is refused with `{path}.{key}: expected …, got …`.

use crate::value::{Map, Number, Value};

use super::kind_of;
use crate::error::CascadeError;
use crate::suggest::unknown_key;

pub(crate) type Fields = Map<String, Value>;

/// `v` as an object of options.
pub(crate) fn object<'a>(v: &'a Value, path: &str) -> Result<&'a Fields, CascadeError> {
    v.as_object().ok_or_else(|| CascadeError::config(format!("{path}: expected an object, got {}", kind_of(v))))
}

/// Refuse the first key not in `known`, with the nearest known one.
pub(crate) fn check_keys(obj: &Fields, known: &[&str], path: &str) -> Result<(), CascadeError> {
    match obj.keys().find(|k| !known.contains(&k.as_str())) {
        Some(k) => Err(unknown_key(path, k, known)),
        None => Ok(()),
    }
}

/// A number field that `accept` takes; `expected` says what it takes.
pub(crate) fn number<T>(
    obj: &Fields,
    key: &str,
    path: &str,
    expected: &str,
    accept: impl Fn(&Number) -> Option<T>,
) -> Result<Option<T>, CascadeError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => match accept(n) {
            Some(v) => Ok(Some(v)),
            None => Err(CascadeError::config(format!("{path}.{key}: expected {expected}, got {n}"))),
        },
        Some(other) => Err(CascadeError::config(format!("{path}.{key}: expected {expected}, got {}", kind_of(other)))),
    }
}

/// A finite number from `min` up, as f64.
pub(crate) fn at_least(min: f64) -> impl Fn(&Number) -> Option<f64> {
    move |n| n.as_f64().filter(|f| f.is_finite() && *f >= min)
}

pub(crate) fn flag(obj: &Fields, key: &str, path: &str) -> Result<Option<bool>, CascadeError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(other) => Err(CascadeError::config(format!("{path}.{key}: expected a boolean, got {}", kind_of(other)))),
    }
}
