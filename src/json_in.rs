//! A small JSON reader for provider responses and stream events.
//!
//! Every run parses at least one provider body, and after the network wait
//! the code that does it runs cold. serde_json's `Value` builds a `BTreeMap`
//! per object and copies every string; measured cold in wasm, parsing a
//! 300-byte chat completion cost about 12 µs of the run's overhead. This tree
//! borrows strings and numbers from the body (copying only strings with
//! escapes), keeps objects as short vectors, and is a fraction of the code.
//!
//! It is strict where it matters (invalid JSON is an error, with the byte
//! where reading stopped) and lenient where providers vary: accessors return
//! `None` for a field of the wrong type, as `Value`'s do.

use std::borrow::Cow;

use crate::json_out::{JsonOut, ToJson};

/// A parsed JSON value borrowing from the text it was read from.
#[derive(Clone, Debug, PartialEq)]
pub enum Json<'a> {
    Null,
    Bool(bool),
    /// The number's text, already checked against JSON's grammar.
    Number(&'a str),
    String(Cow<'a, str>),
    Array(Vec<Json<'a>>),
    /// Fields in document order; a repeated key is found at its last place.
    Object(Vec<(Cow<'a, str>, Json<'a>)>),
}

/// Where reading stopped, and what it expected there.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct JsonError {
    pub at: usize,
    pub expected: &'static str,
}

impl std::fmt::Display for JsonError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "expected {} at byte {}", self.expected, self.at)
    }
}

/// Deeper nesting than this is refused rather than risking the wasm stack.
const MAX_DEPTH: u32 = 128;

static NULL: Json<'static> = Json::Null;

impl<'a> Json<'a> {
    /// Parse a whole document: one value, surrounded only by whitespace.
    pub fn parse(bytes: &'a [u8]) -> Result<Json<'a>, JsonError> {
        let text = std::str::from_utf8(bytes).map_err(|e| JsonError { at: e.valid_up_to(), expected: "UTF-8 text" })?;
        Json::parse_str(text)
    }

    pub fn parse_str(text: &'a str) -> Result<Json<'a>, JsonError> {
        let mut r = Reader { text, bytes: text.as_bytes(), pos: 0, depth: 0 };
        let v = r.value()?;
        r.ws();
        if r.pos < r.bytes.len() {
            return Err(r.err("the end of the text"));
        }
        Ok(v)
    }

    /// The field `key` of an object (its last occurrence).
    pub fn get(&self, key: &str) -> Option<&Json<'a>> {
        match self {
            Json::Object(fields) => fields.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// `get`, with a missing field read as `null`.
    pub fn field(&self, key: &str) -> &Json<'a> {
        self.get(key).unwrap_or(&NULL)
    }

    /// The value at a `/a/b/0` path. Our paths are literals with no `~`
    /// escapes, so unlike RFC 6901 there is no unescaping.
    pub fn pointer(&self, path: &str) -> Option<&Json<'a>> {
        let mut cur = self;
        for seg in path.split('/').skip(1) {
            cur = match cur {
                Json::Object(_) => cur.get(seg)?,
                Json::Array(items) => items.get(seg.parse::<usize>().ok()?)?,
                _ => return None,
            };
        }
        Some(cur)
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Json<'a>]> {
        match self {
            Json::Array(items) => Some(items),
            _ => None,
        }
    }

    /// A non-negative integer written without a fraction or exponent, as
    /// `serde_json::Value::as_u64` reads one.
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Json::Number(n) if n.bytes().all(|b| b.is_ascii_digit()) => n.parse().ok(),
            _ => None,
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Json::Number(n) => crate::decimal::parse_f64(n),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Json::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn is_object(&self) -> bool {
        matches!(self, Json::Object(_))
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Json::Null)
    }
}

impl ToJson for Json<'_> {
    fn write_json(&self, o: &mut JsonOut) {
        match self {
            Json::Null => o.null(),
            Json::Bool(b) => o.bool(*b),
            Json::Number(n) => o.raw(n),
            Json::String(s) => o.str(s),
            Json::Array(items) => o.each(items),
            Json::Object(fields) => {
                o.begin_object();
                for (k, v) in fields {
                    o.escaped_key(k);
                    v.write_json(o);
                }
                o.end_object();
            }
        }
    }
}

struct Reader<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    depth: u32,
}

impl<'a> Reader<'a> {
    fn err(&self, expected: &'static str) -> JsonError {
        JsonError { at: self.pos, expected }
    }

    /// Past `n` bytes already seen. `pos` only ever steps over bytes that
    /// `get` returned, so it stays at most `bytes.len()` and the addition
    /// cannot saturate; saturating keeps that a local fact, with no
    /// overflow check to panic in a debug build.
    #[inline]
    fn skip(&mut self, n: usize) {
        self.pos = self.pos.saturating_add(n);
    }

    /// The text from `start` to here. Every position the reader stops at
    /// is before or after an ASCII byte, so this is always `Some`; were it
    /// not, the error names the place instead of a panic.
    fn text_from(&self, start: usize) -> Result<&'a str, JsonError> {
        self.text.get(start..self.pos).ok_or_else(|| self.err("a character boundary"))
    }

    fn at(&self, lit: &[u8]) -> bool {
        self.bytes.get(self.pos..).is_some_and(|rest| rest.starts_with(lit))
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.bytes.get(self.pos) {
            self.skip(1);
        }
    }

    fn value(&mut self) -> Result<Json<'a>, JsonError> {
        self.ws();
        match self.bytes.get(self.pos) {
            Some(b'"') => Ok(Json::String(self.string()?)),
            Some(b'{') => self.nested(Reader::object),
            Some(b'[') => self.nested(Reader::array),
            Some(b't') => self.word("true", Json::Bool(true)),
            Some(b'f') => self.word("false", Json::Bool(false)),
            Some(b'n') => self.word("null", Json::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => Err(self.err("a value")),
        }
    }

    fn nested(&mut self, read: fn(&mut Self) -> Result<Json<'a>, JsonError>) -> Result<Json<'a>, JsonError> {
        if self.depth >= MAX_DEPTH {
            return Err(self.err("at most 128 levels of nesting"));
        }
        self.depth = self.depth.saturating_add(1);
        self.skip(1);
        let v = read(self);
        self.depth = self.depth.saturating_sub(1);
        v
    }

    fn word(&mut self, w: &'static str, v: Json<'a>) -> Result<Json<'a>, JsonError> {
        if self.at(w.as_bytes()) {
            self.skip(w.len());
            Ok(v)
        } else {
            Err(self.err(w))
        }
    }

    /// After `{`.
    fn object(&mut self) -> Result<Json<'a>, JsonError> {
        self.ws();
        if self.bytes.get(self.pos) == Some(&b'}') {
            self.skip(1);
            return Ok(Json::Object(Vec::new()));
        }
        // Room for a chat completion's top level in one allocation: growing
        // 0 → 4 → 8 costs two trips through the allocator, cold, per object.
        let mut fields = Vec::with_capacity(8);
        loop {
            self.ws();
            if self.bytes.get(self.pos) != Some(&b'"') {
                return Err(self.err("a quoted key"));
            }
            let key = self.string()?;
            self.ws();
            if self.bytes.get(self.pos) != Some(&b':') {
                return Err(self.err("':'"));
            }
            self.skip(1);
            fields.push((key, self.value()?));
            self.ws();
            match self.bytes.get(self.pos) {
                Some(b',') => self.skip(1),
                Some(b'}') => {
                    self.skip(1);
                    return Ok(Json::Object(fields));
                }
                _ => return Err(self.err("',' or '}'")),
            }
        }
    }

    /// After `[`.
    fn array(&mut self) -> Result<Json<'a>, JsonError> {
        self.ws();
        if self.bytes.get(self.pos) == Some(&b']') {
            self.skip(1);
            return Ok(Json::Array(Vec::new()));
        }
        let mut items = Vec::with_capacity(4);
        loop {
            items.push(self.value()?);
            self.ws();
            match self.bytes.get(self.pos) {
                Some(b',') => self.skip(1),
                Some(b']') => {
                    self.skip(1);
                    return Ok(Json::Array(items));
                }
                _ => return Err(self.err("',' or ']'")),
            }
        }
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
    fn number(&mut self) -> Result<Json<'a>, JsonError> {
        let start = self.pos;
        if self.bytes.get(self.pos) == Some(&b'-') {
            self.skip(1);
        }
        match self.bytes.get(self.pos) {
            Some(b'0') => self.skip(1),
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(self.err("a digit")),
        }
        if self.bytes.get(self.pos) == Some(&b'.') {
            self.skip(1);
            self.some_digits()?;
        }
        if let Some(b'e' | b'E') = self.bytes.get(self.pos) {
            self.skip(1);
            if let Some(b'+' | b'-') = self.bytes.get(self.pos) {
                self.skip(1);
            }
            self.some_digits()?;
        }
        Ok(Json::Number(self.text_from(start)?))
    }

    fn digits(&mut self) {
        while self.bytes.get(self.pos).is_some_and(u8::is_ascii_digit) {
            self.skip(1);
        }
    }

    fn some_digits(&mut self) -> Result<(), JsonError> {
        let start = self.pos;
        self.digits();
        if self.pos == start {
            return Err(self.err("a digit"));
        }
        Ok(())
    }

    /// At `"`. Borrowed unless the string has escapes. Every byte the scan
    /// stops at is ASCII, so each slice taken falls on a char boundary.
    fn string(&mut self) -> Result<Cow<'a, str>, JsonError> {
        self.skip(1);
        let start = self.pos;
        let mut owned: Option<String> = None;
        let mut run = start;
        loop {
            let Some(&b) = self.bytes.get(self.pos) else {
                return Err(self.err("'\"' to close the string"));
            };
            match b {
                b'"' => {
                    let tail = self.text_from(run)?;
                    self.skip(1);
                    return Ok(match owned {
                        None => Cow::Borrowed(tail),
                        Some(mut s) => {
                            s.push_str(tail);
                            Cow::Owned(s)
                        }
                    });
                }
                b'\\' => {
                    let s = owned.get_or_insert_with(String::new);
                    s.push_str(self.text_from(run)?);
                    self.skip(1);
                    self.escape(s)?;
                    run = self.pos;
                }
                0..=0x1f => return Err(self.err("no control characters inside a string")),
                _ => self.skip(1),
            }
        }
    }

    /// After a backslash.
    fn escape(&mut self, out: &mut String) -> Result<(), JsonError> {
        let Some(&b) = self.bytes.get(self.pos) else {
            return Err(self.err("an escape"));
        };
        let c = match b {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                self.skip(1);
                out.push(self.unicode_escape()?);
                return Ok(());
            }
            _ => return Err(self.err("a valid escape")),
        };
        self.skip(1);
        out.push(c);
        Ok(())
    }

    /// After `\u`. A surrogate pair makes one char; a lone surrogate becomes
    /// U+FFFD, so a model's odd output costs one character, not the answer.
    fn unicode_escape(&mut self) -> Result<char, JsonError> {
        let hi = self.hex4()?;
        if !(0xD800..0xDC00).contains(&hi) {
            return Ok(char::from_u32(hi).unwrap_or('\u{FFFD}'));
        }
        if self.at(b"\\u") {
            let save = self.pos;
            self.skip(2);
            let lo = self.hex4()?;
            if (0xDC00..0xE000).contains(&lo) {
                // Both halves are in range, so the ten low bits of each are
                // the whole payload and the sum stays below 0x110000.
                let bits = ((hi & 0x3FF) << 10) | (lo & 0x3FF);
                return Ok(bits.checked_add(0x10000).and_then(char::from_u32).unwrap_or('\u{FFFD}'));
            }
            self.pos = save;
        }
        Ok('\u{FFFD}')
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let mut n = 0;
        for _ in 0..4 {
            let d = self
                .bytes
                .get(self.pos)
                .and_then(|&b| (b as char).to_digit(16))
                .ok_or_else(|| self.err("4 hex digits"))?;
            n = (n << 4) | d;
            self.skip(1);
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests;
