//! `value == 3`, `value == "text"`, `value == true`: comparisons with plain
//! Rust values, as serde_json's `Value` has them (mostly used by tests).
//! An integer compares equal only to a number written as an integer; a
//! float compares with any number's value. Also `value["key"] = ...`.

use std::ops::IndexMut;

use super::{Map, Value};

/// `v["key"] = x` sets a field, making `v` an object first if it is not
/// one (serde_json does that for `null` and panics otherwise; nothing
/// here may panic).
impl IndexMut<&str> for Value {
    fn index_mut(&mut self, key: &str) -> &mut Value {
        if !self.is_object() {
            *self = Value::Object(Map::new());
        }
        match self {
            Value::Object(m) => m.entry(key.to_string()).or_default(),
            other => other,
        }
    }
}

/// `v[i] = x` sets an element; past the end it appends one (serde_json
/// panics there), and a non-array becomes an empty array first.
impl IndexMut<usize> for Value {
    // The index is in range by construction: `at` is below the length,
    // after a push when it would not be.
    #[allow(clippy::indexing_slicing)]
    fn index_mut(&mut self, i: usize) -> &mut Value {
        if !self.is_array() {
            *self = Value::Array(Vec::new());
        }
        match self {
            Value::Array(a) => {
                let at = i.min(a.len());
                if at == a.len() {
                    a.push(Value::Null);
                }
                &mut a[at]
            }
            other => other,
        }
    }
}

impl PartialEq<str> for Value {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == Some(other)
    }
}

impl PartialEq<&str> for Value {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == Some(*other)
    }
}

impl PartialEq<String> for Value {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == Some(other.as_str())
    }
}

impl PartialEq<bool> for Value {
    fn eq(&self, other: &bool) -> bool {
        self.as_bool() == Some(*other)
    }
}

impl PartialEq<f64> for Value {
    fn eq(&self, other: &f64) -> bool {
        self.as_f64() == Some(*other)
    }
}

macro_rules! eq_int {
    ($($t:ty => $as:ident),*) => {$(
        impl PartialEq<$t> for Value {
            fn eq(&self, other: &$t) -> bool {
                self.$as().is_some_and(|v| <$t>::try_from(v).is_ok_and(|v| v == *other))
            }
        }
    )*};
}

eq_int!(i32 => as_i64, i64 => as_i64, u32 => as_u64, u64 => as_u64, usize => as_u64);
