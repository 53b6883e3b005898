//! JSON text to `Value`, with serde_json's error messages.
//!
//! The errors reach users (a structured answer that fails to parse is
//! judged with the reason "invalid JSON: expected `,` or `}` at line 3
//! column 5"), so they keep the wording and the positions serde_json gave
//! before this reader replaced it: `line` counts from 1, `column` is the
//! 1-based byte column of the offending byte on its line (the line's
//! length at the end of the text). Numbers are read with the standard
//! library's correctly rounded parser, which agrees with serde_json's
//! `float_roundtrip` mode and with JavaScript's `JSON.parse`.

use std::fmt;

use super::{Map, Number, Value, N};

/// Nesting allowed: serde_json's default, 127 levels.
const MAX_DEPTH: u32 = 127;

/// Why reading stopped, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    code: Code,
    line: usize,
    column: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Code {
    EofWhileParsingList,
    EofWhileParsingObject,
    EofWhileParsingString,
    EofWhileParsingValue,
    ExpectedColon,
    ExpectedListCommaOrEnd,
    ExpectedObjectCommaOrEnd,
    ExpectedSomeIdent,
    ExpectedSomeValue,
    InvalidEscape,
    InvalidNumber,
    NumberOutOfRange,
    ControlCharacterWhileParsingString,
    KeyMustBeAString,
    LoneLeadingSurrogateInHexEscape,
    TrailingComma,
    TrailingCharacters,
    UnexpectedEndOfHexEscape,
    RecursionLimitExceeded,
}

impl Code {
    fn as_str(self) -> &'static str {
        match self {
            Code::EofWhileParsingList => "EOF while parsing a list",
            Code::EofWhileParsingObject => "EOF while parsing an object",
            Code::EofWhileParsingString => "EOF while parsing a string",
            Code::EofWhileParsingValue => "EOF while parsing a value",
            Code::ExpectedColon => "expected `:`",
            Code::ExpectedListCommaOrEnd => "expected `,` or `]`",
            Code::ExpectedObjectCommaOrEnd => "expected `,` or `}`",
            Code::ExpectedSomeIdent => "expected ident",
            Code::ExpectedSomeValue => "expected value",
            Code::InvalidEscape => "invalid escape",
            Code::InvalidNumber => "invalid number",
            Code::NumberOutOfRange => "number out of range",
            Code::ControlCharacterWhileParsingString => {
                "control character (\\u0000-\\u001F) found while parsing a string"
            }
            Code::KeyMustBeAString => "key must be a string",
            Code::LoneLeadingSurrogateInHexEscape => "lone leading surrogate in hex escape",
            Code::TrailingComma => "trailing comma",
            Code::TrailingCharacters => "trailing characters",
            Code::UnexpectedEndOfHexEscape => "unexpected end of hex escape",
            Code::RecursionLimitExceeded => "recursion limit exceeded",
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at line {} column {}", self.code.as_str(), self.line, self.column)
    }
}

/// Parse one JSON document: a value with nothing but whitespace around it.
pub fn from_str(text: &str) -> Result<Value, Error> {
    let mut p = Parser::new(text);
    let v = p.value()?;
    p.end()?;
    Ok(v)
}

/// A reader over one text. `pos` is the next byte to read; it only moves
/// past bytes that were there, so it never exceeds the text's length.
pub(crate) struct Parser<'a> {
    bytes: &'a [u8],
    pos: usize,
    depth: u32,
}

type Result<T, E = Error> = std::result::Result<T, E>;

impl<'a> Parser<'a> {
    pub(crate) fn new(text: &'a str) -> Parser<'a> {
        Parser { bytes: text.as_bytes(), pos: 0, depth: 0 }
    }

    /// The error for the byte just read (serde_json's `error`).
    #[cold]
    fn error(&self, code: Code) -> Error {
        self.error_at(code, self.pos)
    }

    /// The error for the byte about to be read (serde_json's `peek_error`).
    #[cold]
    fn peek_error(&self, code: Code) -> Error {
        self.error_at(code, self.pos.saturating_add(1).min(self.bytes.len()))
    }

    #[cold]
    fn error_at(&self, code: Code, at: usize) -> Error {
        let before = self.bytes.get(..at).unwrap_or(self.bytes);
        let line_start = before.iter().rposition(|&b| b == b'\n').map_or(0, |i| i.saturating_add(1));
        let newlines = before.iter().filter(|&&b| b == b'\n').count();
        Error { code, line: newlines.saturating_add(1), column: at.saturating_sub(line_start) }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn bump(&mut self) {
        self.pos = self.pos.saturating_add(1);
    }

    fn next(&mut self) -> Option<u8> {
        let b = self.peek();
        if b.is_some() {
            self.bump();
        }
        b
    }

    /// Skip whitespace; the next byte, not consumed.
    pub(crate) fn ws(&mut self) -> Option<u8> {
        while let Some(b' ' | b'\n' | b'\t' | b'\r') = self.peek() {
            self.bump();
        }
        self.peek()
    }

    /// Only whitespace may follow the document.
    pub(crate) fn end(&mut self) -> Result<()> {
        match self.ws() {
            Some(_) => Err(self.peek_error(Code::TrailingCharacters)),
            None => Ok(()),
        }
    }

    pub(crate) fn value(&mut self) -> Result<Value> {
        let Some(b) = self.ws() else {
            return Err(self.peek_error(Code::EofWhileParsingValue));
        };
        match b {
            b'n' => self.ident(b"null", Value::Null),
            b't' => self.ident(b"true", Value::Bool(true)),
            b'f' => self.ident(b"false", Value::Bool(false)),
            b'-' | b'0'..=b'9' => self.number().map(Value::Number),
            b'"' => {
                self.bump();
                self.string().map(Value::String)
            }
            b'[' => {
                self.enter()?;
                let mut items = Vec::new();
                let mut first = true;
                while self.next_element(&mut first)? {
                    items.push(self.value()?);
                }
                self.leave();
                Ok(Value::Array(items))
            }
            b'{' => {
                self.enter()?;
                let mut map = Map::new();
                let mut first = true;
                while let Some(key) = self.next_key(&mut first)? {
                    let v = self.value()?;
                    map.insert(key, v);
                }
                self.leave();
                Ok(Value::Object(map))
            }
            _ => Err(self.peek_error(Code::ExpectedSomeValue)),
        }
    }

    /// At `[` or `{`: count a level of nesting and step in.
    pub(crate) fn enter(&mut self) -> Result<()> {
        if self.depth >= MAX_DEPTH {
            return Err(self.peek_error(Code::RecursionLimitExceeded));
        }
        self.depth = self.depth.saturating_add(1);
        self.bump();
        Ok(())
    }

    /// After the closing `]` or `}` was read.
    pub(crate) fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    /// Inside an array: true when an element follows (the reader is at
    /// it), false after the closing `]`.
    pub(crate) fn next_element(&mut self, first: &mut bool) -> Result<bool> {
        match self.ws() {
            None => Err(self.peek_error(Code::EofWhileParsingList)),
            Some(b']') => {
                self.bump();
                Ok(false)
            }
            Some(_) if *first => {
                *first = false;
                Ok(true)
            }
            Some(b',') => {
                self.bump();
                match self.ws() {
                    Some(b']') => Err(self.peek_error(Code::TrailingComma)),
                    Some(_) => Ok(true),
                    None => Err(self.peek_error(Code::EofWhileParsingValue)),
                }
            }
            Some(_) => Err(self.peek_error(Code::ExpectedListCommaOrEnd)),
        }
    }

    /// Inside an object: the next key with its colon read, or `None`
    /// after the closing `}`.
    pub(crate) fn next_key(&mut self, first: &mut bool) -> Result<Option<String>> {
        match self.ws() {
            None => return Err(self.peek_error(Code::EofWhileParsingObject)),
            Some(b'}') => {
                self.bump();
                return Ok(None);
            }
            Some(b) if *first => {
                *first = false;
                if b != b'"' {
                    return Err(self.peek_error(Code::KeyMustBeAString));
                }
            }
            Some(b',') => {
                self.bump();
                match self.ws() {
                    Some(b'"') => {}
                    Some(b'}') => return Err(self.peek_error(Code::TrailingComma)),
                    Some(_) => return Err(self.peek_error(Code::KeyMustBeAString)),
                    None => return Err(self.peek_error(Code::EofWhileParsingValue)),
                }
            }
            Some(_) => return Err(self.peek_error(Code::ExpectedObjectCommaOrEnd)),
        }
        self.bump();
        let key = self.string()?;
        match self.ws() {
            Some(b':') => self.bump(),
            Some(_) => return Err(self.peek_error(Code::ExpectedColon)),
            None => return Err(self.peek_error(Code::EofWhileParsingObject)),
        }
        Ok(Some(key))
    }

    /// `null`, `true` or `false`, checked byte by byte after the first.
    fn ident(&mut self, word: &[u8], v: Value) -> Result<Value> {
        self.bump();
        for &want in word.get(1..).unwrap_or_default() {
            match self.next() {
                None => return Err(self.error(Code::EofWhileParsingValue)),
                Some(b) if b != want => return Err(self.error(Code::ExpectedSomeIdent)),
                Some(_) => {}
            }
        }
        Ok(v)
    }

    /// After the opening quote; reads through the closing one.
    fn string(&mut self) -> Result<String> {
        let mut out = String::new();
        loop {
            let start = self.pos;
            let rest = self.bytes.get(start..).unwrap_or_default();
            let Some(run) = rest.iter().position(|&b| b == b'"' || b == b'\\' || b < 0x20) else {
                self.pos = self.bytes.len();
                return Err(self.error(Code::EofWhileParsingString));
            };
            self.pos = start.saturating_add(run);
            // The run ends before an ASCII byte, so it is whole UTF-8.
            out.push_str(rest.get(..run).and_then(|r| std::str::from_utf8(r).ok()).unwrap_or_default());
            match self.next() {
                Some(b'"') => return Ok(out),
                Some(b'\\') => self.escape(&mut out)?,
                _ => return Err(self.error(Code::ControlCharacterWhileParsingString)),
            }
        }
    }

    /// After a backslash.
    fn escape(&mut self, out: &mut String) -> Result<()> {
        let Some(b) = self.next() else {
            return Err(self.error(Code::EofWhileParsingString));
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
            b'u' => self.unicode_escape()?,
            _ => return Err(self.error(Code::InvalidEscape)),
        };
        out.push(c);
        Ok(())
    }

    /// After `\u`: one code unit, or a surrogate pair written as two.
    fn unicode_escape(&mut self) -> Result<char> {
        let n = self.hex4()?;
        if (0xDC00..=0xDFFF).contains(&n) {
            return Err(self.error(Code::LoneLeadingSurrogateInHexEscape));
        }
        if !(0xD800..=0xDBFF).contains(&n) {
            return char::from_u32(n).ok_or_else(|| self.error(Code::InvalidEscape));
        }
        for want in [b'\\', b'u'] {
            match self.next() {
                None => return Err(self.error(Code::EofWhileParsingString)),
                Some(b) if b != want => return Err(self.error(Code::UnexpectedEndOfHexEscape)),
                Some(_) => {}
            }
        }
        let low = self.hex4()?;
        if !(0xDC00..=0xDFFF).contains(&low) {
            return Err(self.error(Code::LoneLeadingSurrogateInHexEscape));
        }
        let c = 0x10000u32.saturating_add(((n & 0x3ff) << 10) | (low & 0x3ff));
        char::from_u32(c).ok_or_else(|| self.error(Code::InvalidEscape))
    }

    fn hex4(&mut self) -> Result<u32> {
        let Some(digits) = self.bytes.get(self.pos..self.pos.saturating_add(4)) else {
            self.pos = self.bytes.len();
            return Err(self.error(Code::EofWhileParsingString));
        };
        self.pos = self.pos.saturating_add(4);
        digits.iter().try_fold(0u32, |acc, &b| {
            let d = char::from(b).to_digit(16).ok_or_else(|| self.error(Code::InvalidEscape))?;
            Ok((acc << 4) | d)
        })
    }

    /// A number, at its first byte (`-` or a digit). The grammar is
    /// checked here, where serde_json checks it, so errors point at the
    /// same byte; the value is then read from the text whole.
    fn number(&mut self) -> Result<Number> {
        let start = self.pos;
        let negative = self.peek() == Some(b'-');
        if negative {
            self.bump();
        }
        match self.next() {
            None => return Err(self.error(Code::EofWhileParsingValue)),
            Some(b'0') => {
                if self.peek().is_some_and(|b| b.is_ascii_digit()) {
                    return Err(self.peek_error(Code::InvalidNumber));
                }
            }
            Some(b'1'..=b'9') => self.digits(),
            Some(_) => return Err(self.error(Code::InvalidNumber)),
        }
        let int_end = self.pos;
        let mut float = false;
        if self.peek() == Some(b'.') {
            float = true;
            self.bump();
            if !self.peek().is_some_and(|b| b.is_ascii_digit()) {
                let code = if self.peek().is_some() { Code::InvalidNumber } else { Code::EofWhileParsingValue };
                return Err(self.peek_error(code));
            }
            self.digits();
        }
        if let Some(b'e' | b'E') = self.peek() {
            float = true;
            self.bump();
            if let Some(b'+' | b'-') = self.peek() {
                self.bump();
            }
            let exp_start = self.pos;
            let first = match self.next() {
                None => return Err(self.error(Code::EofWhileParsingValue)),
                Some(b) if !b.is_ascii_digit() => return Err(self.error(Code::InvalidNumber)),
                Some(b) => b,
            };
            // serde_json stops at an exponent past i32::MAX: an error if the
            // number would be infinite, else it reads as zero.
            let mut exp = i32::from(first.wrapping_sub(b'0'));
            while let Some(b) = self.peek().filter(u8::is_ascii_digit) {
                self.bump();
                match exp.checked_mul(10).and_then(|e| e.checked_add(i32::from(b.wrapping_sub(b'0')))) {
                    Some(e) => exp = e,
                    None => {
                        let mantissa = self.bytes.get(start..exp_start).unwrap_or_default();
                        let zero = mantissa.iter().all(|&b| !matches!(b, b'1'..=b'9'));
                        let exp_positive = self.bytes.get(exp_start.saturating_sub(1)) != Some(&b'-');
                        if !zero && exp_positive {
                            return Err(self.error(Code::NumberOutOfRange));
                        }
                        self.digits();
                        return Ok(Number(N::Float(if negative { -0.0 } else { 0.0 })));
                    }
                }
            }
        }
        let text = self.bytes.get(start..self.pos).and_then(|t| std::str::from_utf8(t).ok()).unwrap_or_default();
        if !float {
            let digits = self.bytes.get(start.saturating_add(usize::from(negative))..int_end).unwrap_or_default();
            if let Some(u) = parse_u64(digits) {
                return Ok(match (negative, i64::try_from(u)) {
                    (false, _) => Number(N::PosInt(u)),
                    (true, Ok(i)) if i > 0 => Number(N::NegInt(i.wrapping_neg())),
                    (true, _) if u == i64::MIN.unsigned_abs() => Number(N::NegInt(i64::MIN)),
                    (true, _) => Number(N::Float(-(u as f64))),
                });
            }
        }
        match crate::decimal::parse_f64(text) {
            Some(f) if f.is_finite() => Ok(Number(N::Float(f))),
            _ => Err(self.error(Code::NumberOutOfRange)),
        }
    }

    fn digits(&mut self) {
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.bump();
        }
    }

    /// Step over one value without building it (syntax still checked).
    /// Iterative, like serde_json's, so depth costs no stack.
    pub(crate) fn skip_value(&mut self) -> Result<()> {
        // Arrays and objects are walked with `next_element` / `next_key`;
        // a stack of flags remembers which one each open level is.
        let mut stack: Vec<(bool, bool)> = Vec::new();
        loop {
            match self.ws() {
                Some(b'[') => {
                    self.bump();
                    stack.push((true, true));
                }
                Some(b'{') => {
                    self.bump();
                    stack.push((false, true));
                }
                _ => {
                    self.scalar()?;
                }
            }
            // Close every level that ends here, then stop at the next value.
            loop {
                let Some((is_array, first)) = stack.last_mut() else {
                    return Ok(());
                };
                let more = if *is_array { self.next_element(first)? } else { self.next_key(first)?.is_some() };
                if more {
                    break;
                }
                stack.pop();
            }
        }
    }

    /// A value that is not an array or an object.
    fn scalar(&mut self) -> Result<()> {
        self.value().map(drop)
    }
}

/// Decimal digits as a u64; `None` past `u64::MAX`.
fn parse_u64(digits: &[u8]) -> Option<u64> {
    digits.iter().try_fold(0u64, |acc, &b| acc.checked_mul(10)?.checked_add(u64::from(b.wrapping_sub(b'0'))))
}
