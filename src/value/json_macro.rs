//! `json!`: a `Value` written as JSON in Rust source, with Rust
//! expressions where values go (`json!({"name": name, "tags": [1, x]})`).
//! For tests and test data; library code builds its few objects with
//! `value::object`. Values are read token by token, so a very long literal
//! may need a higher `#![recursion_limit]`.

use super::{Map, Value};

/// A `Value` from JSON-like syntax.
#[macro_export]
macro_rules! json {
    (null) => {
        $crate::value::Value::Null
    };
    ([ $($tt:tt)* ]) => {
        $crate::value::Value::Array($crate::__json_array!([] () $($tt)*))
    };
    ({ $($tt:tt)* }) => {
        $crate::value::Value::Object({
            #[allow(unused_mut)]
            let mut object = $crate::value::Map::new();
            $crate::__json_object!(object () $($tt)*);
            object
        })
    };
    ($e:expr) => {
        $crate::value::to_value(&$e)
    };
}

/// Array elements: tokens gather until a comma, then become one element.
#[doc(hidden)]
#[macro_export]
macro_rules! __json_array {
    ([$($done:expr,)*] ()) => {
        vec![$($done,)*]
    };
    ([$($done:expr,)*] ($($cur:tt)+)) => {
        vec![$($done,)* $crate::json!($($cur)+)]
    };
    ([$($done:expr,)*] ($($cur:tt)+) , $($rest:tt)*) => {
        $crate::__json_array!([$($done,)* $crate::json!($($cur)+),] () $($rest)*)
    };
    ([$($done:expr,)*] ($($cur:tt)*) $next:tt $($rest:tt)*) => {
        $crate::__json_array!([$($done,)*] ($($cur)* $next) $($rest)*)
    };
}

/// Object fields: key tokens gather until `:`, value tokens until `,`.
#[doc(hidden)]
#[macro_export]
macro_rules! __json_object {
    ($m:ident ()) => {};
    ($m:ident () , $($rest:tt)*) => {
        $crate::__json_object!($m () $($rest)*)
    };
    ($m:ident ($($key:tt)+) : $($rest:tt)+) => {
        $crate::__json_field!($m ($($key)+) () $($rest)+)
    };
    ($m:ident ($($key:tt)*) $next:tt $($rest:tt)*) => {
        $crate::__json_object!($m ($($key)* $next) $($rest)*)
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __json_field {
    ($m:ident ($($key:tt)+) ($($cur:tt)+)) => {
        $m.insert(::std::string::String::from($($key)+), $crate::json!($($cur)+));
    };
    ($m:ident ($($key:tt)+) ($($cur:tt)+) , $($rest:tt)*) => {
        $m.insert(::std::string::String::from($($key)+), $crate::json!($($cur)+));
        $crate::__json_object!($m () $($rest)*);
    };
    ($m:ident ($($key:tt)+) ($($cur:tt)*) $next:tt $($rest:tt)*) => {
        $crate::__json_field!($m ($($key)+) ($($cur)* $next) $($rest)*)
    };
}

/// What `json!` accepts where a value goes: anything with a JSON form,
/// by value or by reference, as serde_json's `json!` does.
pub trait ToValue {
    fn to_value(&self) -> Value;
}

/// For `json!`: `v` as a `Value`.
pub fn to_value<T: ToValue + ?Sized>(v: &T) -> Value {
    v.to_value()
}

impl<T: ToValue + ?Sized> ToValue for &T {
    fn to_value(&self) -> Value {
        (**self).to_value()
    }
}

impl ToValue for Value {
    fn to_value(&self) -> Value {
        self.clone()
    }
}

impl ToValue for str {
    fn to_value(&self) -> Value {
        Value::String(self.to_string())
    }
}

impl ToValue for String {
    fn to_value(&self) -> Value {
        Value::String(self.clone())
    }
}

impl<T: ToValue> ToValue for [T] {
    fn to_value(&self) -> Value {
        Value::Array(self.iter().map(ToValue::to_value).collect())
    }
}

impl<T: ToValue, const N: usize> ToValue for [T; N] {
    fn to_value(&self) -> Value {
        self.as_slice().to_value()
    }
}

impl<T: ToValue> ToValue for Vec<T> {
    fn to_value(&self) -> Value {
        self.as_slice().to_value()
    }
}

impl<T: ToValue> ToValue for Option<T> {
    fn to_value(&self) -> Value {
        self.as_ref().map_or(Value::Null, ToValue::to_value)
    }
}

impl ToValue for Map {
    fn to_value(&self) -> Value {
        Value::Object(self.clone())
    }
}

macro_rules! to_value_copy {
    ($($t:ty),*) => {$(
        impl ToValue for $t {
            fn to_value(&self) -> Value {
                Value::from(*self)
            }
        }
    )*};
}

to_value_copy!(bool, f32, f64, u8, u16, u32, u64, usize, i8, i16, i32, i64);
