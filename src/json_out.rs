//! A direct JSON writer for the shapes that cross to JS on every run: the
//! result, its attempts and verdicts, and stream events.
//!
//! serde's generic serialiser, built at `opt-level = "z"`, spent about a
//! quarter of an accepted run's CPU turning a 1 KB result into text; this
//! writer appends straight into one `String`, and the public JSON shapes
//! are written out by hand in `to_json` next to each type.

use crate::value::{Map, Value};

use crate::shape::{Shape, Sink};

/// Appends JSON to a buffer. Commas are placed for the caller: a value
/// written after another value in the same container is preceded by one.
pub struct JsonOut {
    buf: String,
    /// True when the next key or array element needs a comma before it.
    comma: bool,
}

/// A type with a fixed public JSON shape.
pub trait ToJson {
    fn write_json(&self, out: &mut JsonOut);

    fn to_json(&self) -> String {
        let mut out = JsonOut::with_capacity(256);
        self.write_json(&mut out);
        out.finish()
    }
}

impl JsonOut {
    pub fn with_capacity(n: usize) -> JsonOut {
        JsonOut { buf: String::with_capacity(n), comma: false }
    }

    pub fn finish(self) -> String {
        self.buf
    }

    fn sep(&mut self) {
        if self.comma {
            self.buf.push(',');
        }
    }

    pub fn begin_object(&mut self) {
        self.sep();
        self.buf.push('{');
        self.comma = false;
    }

    pub fn end_object(&mut self) {
        self.buf.push('}');
        self.comma = true;
    }

    pub fn begin_array(&mut self) {
        self.sep();
        self.buf.push('[');
        self.comma = false;
    }

    pub fn end_array(&mut self) {
        self.buf.push(']');
        self.comma = true;
    }

    /// An object key. Keys are our own camelCase names: never escaped.
    pub fn key(&mut self, k: &str) {
        self.sep();
        self.buf.push('"');
        self.buf.push_str(k);
        self.buf.push_str("\":");
        self.comma = false;
    }

    pub fn str(&mut self, v: &str) {
        self.sep();
        escape_into(&mut self.buf, v);
        self.comma = true;
    }

    /// Non-finite numbers have no JSON form; they are written as `null`.
    pub fn f64(&mut self, v: f64) {
        self.sep();
        if v.is_finite() {
            number_text(&mut self.buf, v);
        } else {
            self.buf.push_str("null");
        }
        self.comma = true;
    }

    /// A float that stays a float on the wire ("0.0", not "0"): it may go
    /// to a server that tells the two apart.
    pub fn float(&mut self, v: f64) {
        self.f64(v);
        if v.is_finite() && v.fract() == 0.0 && v.abs() < 9.0e15 {
            self.buf.push_str(".0");
        }
    }

    /// A float as serde_json writes one (`5.0`, `1e16`, `-0.0`), for the
    /// shapes that serde used to write; non-finite is `null`.
    pub fn float_exact(&mut self, v: f64) {
        self.sep();
        if v.is_finite() {
            self.buf.push_str(zmij::Buffer::new().format_finite(v));
        } else {
            self.buf.push_str("null");
        }
        self.comma = true;
    }

    /// `float_exact`, or `null`.
    pub fn opt_float_exact(&mut self, v: Option<f64>) {
        match v {
            Some(x) => self.float_exact(x),
            None => self.null(),
        }
    }

    pub fn u64(&mut self, v: u64) {
        self.sep();
        self.buf.push_str(itoa::Buffer::new().format(v));
        self.comma = true;
    }

    pub fn bool(&mut self, v: bool) {
        self.sep();
        self.buf.push_str(if v { "true" } else { "false" });
        self.comma = true;
    }

    pub fn null(&mut self) {
        self.sep();
        self.buf.push_str("null");
        self.comma = true;
    }

    pub fn opt_f64(&mut self, v: Option<f64>) {
        match v {
            Some(x) => self.f64(x),
            None => self.null(),
        }
    }

    pub fn opt_str(&mut self, v: Option<&str>) {
        match v {
            Some(s) => self.str(s),
            None => self.null(),
        }
    }

    /// Arbitrary JSON (parsed structured output, tool arguments).
    pub fn value(&mut self, v: &Value) {
        match v {
            Value::Null => self.null(),
            Value::Bool(b) => self.bool(*b),
            Value::Number(n) => match (n.as_u64(), n.as_i64()) {
                (Some(u), _) => self.u64(u),
                (None, Some(i)) => {
                    self.sep();
                    self.buf.push_str(itoa::Buffer::new().format(i));
                    self.comma = true;
                }
                _ => self.float(n.as_f64().unwrap_or(f64::NAN)),
            },
            Value::String(s) => self.str(s),
            Value::Array(items) => {
                self.begin_array();
                for item in items {
                    self.value(item);
                }
                self.end_array();
            }
            Value::Object(map) => self.value_object(map),
        }
    }

    pub fn value_object(&mut self, map: &Map) {
        self.begin_object();
        for (k, item) in map {
            self.escaped_key(k);
            self.value(item);
        }
        self.end_object();
    }

    /// A key that came from outside (a provider, a user's schema).
    pub fn escaped_key(&mut self, k: &str) {
        self.sep();
        escape_into(&mut self.buf, k);
        self.buf.push(':');
        self.comma = false;
    }

    /// Text already known to be one JSON value (a number as it was read).
    pub fn raw(&mut self, text: &str) {
        self.sep();
        self.buf.push_str(text);
        self.comma = true;
    }

    // One line per field in the `write_json` impls: the key and its value.

    pub fn str_field(&mut self, k: &str, v: &str) {
        self.key(k);
        self.str(v);
    }

    pub fn f64_field(&mut self, k: &str, v: f64) {
        self.key(k);
        self.f64(v);
    }

    pub fn opt_f64_field(&mut self, k: &str, v: Option<f64>) {
        self.key(k);
        self.opt_f64(v);
    }

    pub fn u64_field(&mut self, k: &str, v: u64) {
        self.key(k);
        self.u64(v);
    }

    pub fn bool_field(&mut self, k: &str, v: bool) {
        self.key(k);
        self.bool(v);
    }

    pub fn each<T: ToJson>(&mut self, items: &[T]) {
        self.begin_array();
        for item in items {
            item.write_json(self);
        }
        self.end_array();
    }
}

/// Every shape is written as an object of its fields.
impl<T: Shape> ToJson for T {
    fn write_json(&self, o: &mut JsonOut) {
        o.begin_object();
        self.shape(o);
        o.end_object();
    }
}

impl Sink for JsonOut {
    fn str(&mut self, key: &str, v: &str) {
        self.str_field(key, v);
    }

    fn f64(&mut self, key: &str, v: f64) {
        self.f64_field(key, v);
    }

    fn nullable_f64(&mut self, key: &str, v: Option<f64>) {
        self.opt_f64_field(key, v);
    }

    fn u64(&mut self, key: &str, v: u64) {
        self.u64_field(key, v);
    }

    fn flag(&mut self, key: &str, v: bool) {
        self.bool_field(key, v);
    }

    fn optional_str(&mut self, key: &str, v: Option<&str>) {
        if let Some(v) = v {
            self.str_field(key, v);
        }
    }

    fn optional_u64(&mut self, key: &str, v: Option<u64>) {
        if let Some(v) = v {
            self.u64_field(key, v);
        }
    }

    fn object<T: Shape>(&mut self, key: &str, v: &T) {
        self.key(key);
        v.write_json(self);
    }

    fn optional_object<T: Shape>(&mut self, key: &str, v: Option<&T>) {
        if let Some(v) = v {
            self.object(key, v);
        }
    }

    fn list<T: Shape>(&mut self, key: &str, items: &[T]) {
        self.key(key);
        self.each(items);
    }

    fn optional_json<T: ToJson>(&mut self, key: &str, v: Option<&T>) {
        if let Some(v) = v {
            self.key(key);
            v.write_json(self);
        }
    }
}

impl ToJson for Value {
    fn write_json(&self, o: &mut JsonOut) {
        o.value(self);
    }
}

/// A finite number as JavaScript prints it: integral values without a
/// fraction, others in the shortest form that reads back exactly.
pub(crate) fn number_text(buf: &mut String, v: f64) {
    if v.fract() == 0.0 && v.abs() < 9.0e15 {
        buf.push_str(itoa::Buffer::new().format(v as i64));
    } else {
        buf.push_str(zmij::Buffer::new().format_finite(v));
    }
}

/// `"text"` with JSON escapes, copying unescaped runs whole: the short
/// forms where JSON has one (as `JSON.stringify` and serde_json write
/// them), `\u00XX` for the other control characters.
pub(crate) fn escape_into(buf: &mut String, s: &str) {
    buf.push('"');
    let mut rest = s;
    while let Some(i) = rest.bytes().position(|b| b < 0x20 || b == b'"' || b == b'\\') {
        // Every byte that needs escaping is ASCII, so the split is on a
        // char boundary and always succeeds.
        let Some((run, tail)) = rest.split_at_checked(i) else { break };
        buf.push_str(run);
        let Some(&b) = tail.as_bytes().first() else { break };
        match b {
            b'"' => buf.push_str("\\\""),
            b'\\' => buf.push_str("\\\\"),
            b'\n' => buf.push_str("\\n"),
            b'\r' => buf.push_str("\\r"),
            b'\t' => buf.push_str("\\t"),
            0x08 => buf.push_str("\\b"),
            0x0c => buf.push_str("\\f"),
            _ => {
                buf.push_str("\\u00");
                buf.push(hex_digit(b >> 4));
                buf.push(hex_digit(b & 0xf));
            }
        }
        rest = tail.get(1..).unwrap_or("");
    }
    buf.push_str(rest);
    buf.push('"');
}

fn hex_digit(nibble: u8) -> char {
    char::from_digit(u32::from(nibble), 16).unwrap_or('0')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(f: impl FnOnce(&mut JsonOut)) -> String {
        let mut o = JsonOut::with_capacity(16);
        f(&mut o);
        o.finish()
    }

    #[test]
    fn strings_round_trip_through_a_json_parser() {
        for s in
            ["", "plain", "quote \" and \\ back", "line\nbreak\r\ttab", "\u{0}\u{1f}\u{7f}", "é 中文 🙂", "\u{2028}"]
        {
            let text = one(|o| o.str(s));
            assert_eq!(serde_json::from_str::<String>(&text).unwrap(), s, "{text}");
        }
    }

    #[test]
    fn numbers_match_what_javascript_prints() {
        assert_eq!(one(|o| o.f64(94.0)), "94");
        assert_eq!(one(|o| o.f64(-3.0)), "-3");
        assert_eq!(one(|o| o.f64(0.0000063)), "6.3e-6");
        assert_eq!(one(|o| o.f64(0.97)), "0.97");
        assert_eq!(one(|o| o.f64(f64::NAN)), "null");
        assert_eq!(one(|o| o.f64(f64::INFINITY)), "null");
        assert_eq!(one(|o| o.u64(u64::MAX)), "18446744073709551615");
        for v in [0.1, 1e-10, 123456.789, 1e21, -0.5] {
            let text = one(|o| o.f64(v));
            assert_eq!(serde_json::from_str::<f64>(&text).unwrap(), v, "{text}");
        }
    }

    #[test]
    fn commas_follow_nesting() {
        let text = one(|o| {
            o.begin_object();
            o.key("a");
            o.begin_array();
            o.u64(1);
            o.begin_object();
            o.end_object();
            o.null();
            o.end_array();
            o.key("b");
            o.value(&crate::json!({"x": [true, "y\"", 1.5, -7, 3, 2.0], "k\"ey": {}}));
            o.key("c");
            o.opt_str(None);
            o.end_object();
        });
        assert_eq!(text, r#"{"a":[1,{},null],"b":{"k\"ey":{},"x":[true,"y\"",1.5,-7,3,2.0]},"c":null}"#);
        crate::value::from_str(&text).unwrap();
    }
}
