//! The form a `run()` result crosses to JS in: its values in a fixed order,
//! with no keys, read back by `js/src/tape.ts` into object literals.
//!
//! Measured cold in Node right after a network wait, `JSON.parse` of an
//! accepted run's 1.1 kB result took 13-14 µs, about a seventh of the
//! engine's whole overhead, while building the same objects from literals
//! took 2. The order comes from each type's `Shape`, which the JSON form
//! reads too; the package tests check that both forms of the same result
//! read back identical in JS, key order included.
//!
//! Tokens: a string is `<UTF-16 length>:<text>`, or `~` when absent; a
//! number is its JSON text then `;` (just `;` for null or absent); a flag
//! is `1` or `0`; an optional object is a flag, then its fields; a list is
//! its length, then its items. Rare, free-form parts (tool calls, parsed
//! output, an attempt's error) are one string token holding their JSON.

use crate::json_out::{number_text, ToJson};
use crate::shape::{Shape, Sink};

pub struct TapeOut {
    buf: String,
}

/// A shape as a tape.
pub fn to_tape<T: Shape>(v: &T) -> String {
    let mut t = TapeOut { buf: String::with_capacity(512) };
    v.shape(&mut t);
    t.buf
}

impl TapeOut {
    fn text(&mut self, s: &str) {
        // JS slices by UTF-16 units; ASCII text, the usual case, needs no count.
        let units = if s.is_ascii() { s.len() } else { s.chars().map(char::len_utf16).sum() };
        self.buf.push_str(itoa::Buffer::new().format(units));
        self.buf.push(':');
        self.buf.push_str(s);
    }

    fn absent(&mut self) {
        self.buf.push('~');
    }

    fn number(&mut self, v: Option<f64>) {
        if let Some(v) = v.filter(|v| v.is_finite()) {
            number_text(&mut self.buf, v);
        }
        self.buf.push(';');
    }

    fn count(&mut self, v: Option<u64>) {
        if let Some(v) = v {
            self.buf.push_str(itoa::Buffer::new().format(v));
        }
        self.buf.push(';');
    }
}

/// Keys are left out: the reader knows the order.
impl Sink for TapeOut {
    fn str(&mut self, _: &str, v: &str) {
        self.text(v);
    }

    fn f64(&mut self, _: &str, v: f64) {
        self.number(Some(v));
    }

    fn nullable_f64(&mut self, _: &str, v: Option<f64>) {
        self.number(v);
    }

    fn u64(&mut self, _: &str, v: u64) {
        self.count(Some(v));
    }

    fn flag(&mut self, _: &str, v: bool) {
        self.buf.push(if v { '1' } else { '0' });
    }

    fn optional_str(&mut self, _: &str, v: Option<&str>) {
        match v {
            Some(s) => self.text(s),
            None => self.absent(),
        }
    }

    fn optional_u64(&mut self, _: &str, v: Option<u64>) {
        self.count(v);
    }

    fn object<T: Shape>(&mut self, _: &str, v: &T) {
        v.shape(self);
    }

    fn optional_object<T: Shape>(&mut self, key: &str, v: Option<&T>) {
        self.flag(key, v.is_some());
        if let Some(v) = v {
            v.shape(self);
        }
    }

    fn list<T: Shape>(&mut self, _: &str, items: &[T]) {
        self.count(Some(items.len() as u64));
        for item in items {
            item.shape(self);
        }
    }

    fn optional_json<T: ToJson>(&mut self, _: &str, v: Option<&T>) {
        match v {
            Some(v) => self.text(&v.to_json()),
            None => self.absent(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tape(f: impl FnOnce(&mut TapeOut)) -> String {
        let mut t = TapeOut { buf: String::new() };
        f(&mut t);
        t.buf
    }

    #[test]
    fn strings_carry_their_length_in_utf16_units() {
        assert_eq!(tape(|t| t.str("k", "Paris")), "5:Paris");
        assert_eq!(tape(|t| t.str("k", "")), "0:");
        // é is one unit, 🙂 two; the text itself is copied as is, NUL and colons included.
        assert_eq!(tape(|t| t.str("k", "é🙂\0:")), "5:é🙂\0:");
        assert_eq!(tape(|t| t.optional_str("k", None)), "~");
    }

    #[test]
    fn numbers_read_as_json_writes_them() {
        assert_eq!(tape(|t| t.f64("k", 0.0000063)), "6.3e-6;");
        assert_eq!(tape(|t| t.f64("k", 94.0)), "94;");
        assert_eq!(tape(|t| t.f64("k", f64::NAN)), ";");
        assert_eq!(tape(|t| t.nullable_f64("k", None)), ";");
        assert_eq!(tape(|t| t.u64("k", 14)), "14;");
        assert_eq!(tape(|t| t.optional_u64("k", None)), ";");
        assert_eq!(tape(|t| t.flag("k", true)), "1");
    }
}
