//! The form a `run()` result crosses to JS in: its values in a fixed order,
//! with no keys, read back by `js/src/tape.ts` into object literals.
//!
//! Measured cold in Node right after a network wait, `JSON.parse` of an
//! accepted run's 1.1 kB result took 13-14 µs, about a seventh of the
//! engine's whole overhead, while building the same objects from literals
//! took 2. The shapes are written twice, here and in `tape.ts`; the JSON
//! form (`ToJson`, used for stream results, events and errors) stays the
//! reference, and the package tests check that both forms of the same
//! result read back identical, key order included.
//!
//! Tokens: a string is `<UTF-16 length>:<text>`, or `~` when absent; a
//! number is its JSON text then `;` (just `;` for null); a flag is `1` or
//! `0`. Rare, free-form parts (tool calls, parsed output, an attempt's
//! error) are one string token holding their JSON.

use crate::json_out::{number_text, ToJson};

pub struct TapeOut {
    buf: String,
}

/// A type `run()` returns, with its tape form next to its JSON form.
pub trait ToTape {
    fn write_tape(&self, t: &mut TapeOut);

    fn to_tape(&self) -> String {
        let mut t = TapeOut { buf: String::with_capacity(512) };
        self.write_tape(&mut t);
        t.buf
    }
}

impl TapeOut {
    pub fn str(&mut self, s: &str) {
        // JS slices by UTF-16 units; ASCII text, the usual case, needs no count.
        let units = if s.is_ascii() { s.len() } else { s.chars().map(char::len_utf16).sum() };
        self.buf.push_str(itoa::Buffer::new().format(units));
        self.buf.push(':');
        self.buf.push_str(s);
    }

    pub fn opt_str(&mut self, s: Option<&str>) {
        match s {
            Some(s) => self.str(s),
            None => self.buf.push('~'),
        }
    }

    /// Non-finite numbers read back as `null`, as they do from JSON.
    pub fn f64(&mut self, v: f64) {
        if v.is_finite() {
            number_text(&mut self.buf, v);
        }
        self.buf.push(';');
    }

    pub fn opt_f64(&mut self, v: Option<f64>) {
        self.f64(v.unwrap_or(f64::NAN));
    }

    pub fn u64(&mut self, v: u64) {
        self.buf.push_str(itoa::Buffer::new().format(v));
        self.buf.push(';');
    }

    pub fn flag(&mut self, v: bool) {
        self.buf.push(if v { '1' } else { '0' });
    }

    /// A part whose shape varies, as a JSON string token.
    pub fn json(&mut self, v: &impl ToJson) {
        self.str(&v.to_json());
    }

    /// The items of a list, after their count.
    pub fn each<T: ToTape>(&mut self, items: &[T]) {
        self.u64(items.len() as u64);
        for item in items {
            item.write_tape(self);
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
        assert_eq!(tape(|t| t.str("Paris")), "5:Paris");
        assert_eq!(tape(|t| t.str("")), "0:");
        // é is one unit, 🙂 two; the text itself is copied as is, NUL and colons included.
        assert_eq!(tape(|t| t.str("é🙂\0:")), "5:é🙂\0:");
        assert_eq!(tape(|t| t.opt_str(None)), "~");
    }

    #[test]
    fn numbers_read_as_json_writes_them() {
        assert_eq!(tape(|t| t.f64(0.0000063)), "6.3e-6;");
        assert_eq!(tape(|t| t.f64(94.0)), "94;");
        assert_eq!(tape(|t| t.f64(f64::NAN)), ";");
        assert_eq!(tape(|t| t.opt_f64(None)), ";");
        assert_eq!(tape(|t| t.u64(14)), "14;");
        assert_eq!(tape(|t| t.flag(true)), "1");
    }
}
