//! Byte-level mutations of well-formed documents, aimed at what breaks
//! parsers: multi-byte and invalid UTF-8, cuts at structural boundaries,
//! repeated and spliced chunks, numbers no float holds, nesting past every
//! limit, stray CR/LF/NUL, and values of the wrong type.
//!
//! Every choice comes from the `Rng`, so a case is a pure function of its
//! seed and replays exactly.

#![allow(dead_code)]

use super::rng::Rng;

/// Inputs are kept under this size between mutations, so one case cannot
/// take a whole run's time; the large shapes (a million-digit number, deep
/// nesting) still fit.
pub const MAX_LEN: usize = 4 << 20;

/// Valid text that is not ASCII: accents (precomposed and combining), CJK,
/// emoji (with joiners and modifiers), a BOM, bidi controls, line and
/// paragraph separators, a non-character.
pub const UNICODE: &[&str] = &[
    "é",
    "e\u{301}",
    "\u{301}",
    "中文",
    "日本語のテキスト",
    "🙂",
    "👨\u{200d}👩\u{200d}👧",
    "👍🏽",
    "\u{feff}",
    "\u{202e}",
    "\u{2028}",
    "\u{2029}",
    "\u{fffd}",
    "\u{ffff}",
    "𝔘𝔫𝔦",
    "ا",
    "\u{0}",
    "Ω≈ç√",
    "\u{85}",
];

/// Bytes that are not UTF-8: stray continuation bytes, a lead byte with no
/// continuation, an encoded surrogate, an overlong form, a cut emoji.
pub const INVALID_UTF8: &[&[u8]] =
    &[b"\xff", b"\x80", b"\xc3", b"\xed\xa0\x80", b"\xc0\xaf", b"\xf0\x9f", b"\xf0\x9f\x99", b"\xe4\xb8", b"\xfe\xfe"];

pub const BREAKS: &[&[u8]] = &[b"\n", b"\r", b"\r\n", b"\0", b"\n\n", b"\r\n\r\n", b"\r\r", b"\t", b"\x0b\x0c"];

/// Pieces of the grammars under test: JSON, SSE, the transport head.
pub const TOKENS: &[&[u8]] = &[
    b"{",
    b"}",
    b"[",
    b"]",
    b"\"",
    b":",
    b",",
    b"\\",
    b"\\u",
    b"\\ud83d",
    b"\\udc00",
    b"\\u0000",
    b"data:",
    b"data: ",
    b"event: ",
    b": keep-alive\n",
    b"[DONE]",
    b"id: 1\n",
    b"retry: 0\n",
    b"true",
    b"null",
    b"-",
    b".",
    b"e",
    b"E+",
];

/// Numbers at and past the edges of u32, u64, i64, f64 and JS's safe
/// integers, and things that look like numbers to some readers.
pub const NUMBERS: &[&str] = &[
    "1e400",
    "-1e400",
    "1E-400",
    "18446744073709551616",
    "18446744073709551615",
    "-9223372036854775809",
    "9007199254740993",
    "4294967296",
    "4294967295",
    "-0",
    "-0.0",
    "0.0",
    "1e308",
    "1.7976931348623157e309",
    "-1",
    "5e-324",
    "0.1e1",
    "NaN",
    "Infinity",
    "-Infinity",
    "0x10",
    "1_000",
    "01",
    ".5",
    "1.",
    "+1",
];

/// JSON values of every kind, to put where another kind is expected.
pub const VALUES: &[&str] = &[
    "null",
    "true",
    "false",
    "0",
    "-1",
    "1e400",
    "\"\"",
    "\"x\"",
    "[]",
    "{}",
    "[[]]",
    "{\"\":null}",
    "\"é🙂\"",
    "18446744073709551616",
    "-0.0",
    "\"\\ud800\"",
    "\"\\u0000\"",
    "[null]",
    "{\"type\":null}",
    "0.5",
    "\"NaN\"",
    "[{}]",
    "\"\\n\\r\"",
];

/// Apply one to three mutations, sometimes many more.
pub fn mutate(rng: &mut Rng, data: &mut Vec<u8>, corpus: &[Vec<u8>]) {
    let rounds = if rng.one_in(8) { rng.between(4, 16) } else { rng.between(1, 3) };
    for _ in 0..rounds {
        mutate_once(rng, data, corpus);
        data.truncate(MAX_LEN);
    }
}

pub fn mutate_once(rng: &mut Rng, data: &mut Vec<u8>, corpus: &[Vec<u8>]) {
    match rng.below(16) {
        0 => flip_bit(rng, data),
        1 => {
            let at = rng.below(data.len());
            if let Some(b) = data.get_mut(at) {
                *b = *rng.pick(b"\0\x01\x1f\x7f\x80\xbf\xc0\xff\"\\{}[]:,\n\r 0-");
            }
        }
        2 | 3 => {
            let piece = rng_pick_str(rng, UNICODE);
            insert(rng, data, piece)
        }
        4 => {
            let piece = *rng.pick(INVALID_UTF8);
            insert(rng, data, piece)
        }
        5 => {
            let piece = *rng.pick(BREAKS);
            insert(rng, data, piece)
        }
        6 => {
            let piece = *rng.pick(TOKENS);
            insert(rng, data, piece)
        }
        7 => delete_range(rng, data),
        8 => truncate_at_boundary(rng, data),
        9 => duplicate_chunk(rng, data),
        10 => splice(rng, data, corpus),
        11 => huge_number(rng, data),
        12 => deep_nesting(rng, data),
        13 => wrong_value(rng, data),
        14 => long_run(rng, data),
        _ => swap_chunks(rng, data),
    }
}

fn rng_pick_str<'a>(rng: &mut Rng, items: &[&'a str]) -> &'a [u8] {
    rng.pick(items).as_bytes()
}

fn insert(rng: &mut Rng, data: &mut Vec<u8>, piece: &[u8]) {
    let at = insertion_point(rng, data);
    data.splice(at..at, piece.iter().copied());
}

/// Half the time right after a structural byte, where a parser switches
/// state; otherwise anywhere.
fn insertion_point(rng: &mut Rng, data: &[u8]) -> usize {
    if rng.one_in(2) {
        let marks: Vec<usize> = positions(data, |b| b"{}[]\":,\n\\".contains(&b));
        if !marks.is_empty() {
            return rng.pick(&marks) + 1;
        }
    }
    rng.below(data.len() + 1)
}

fn positions(data: &[u8], hit: impl Fn(u8) -> bool) -> Vec<usize> {
    data.iter().enumerate().filter(|(_, &b)| hit(b)).map(|(i, _)| i).collect()
}

fn flip_bit(rng: &mut Rng, data: &mut [u8]) {
    let at = rng.below(data.len());
    let bit = rng.below(8);
    if let Some(b) = data.get_mut(at) {
        *b ^= 1 << bit;
    }
}

fn delete_range(rng: &mut Rng, data: &mut Vec<u8>) {
    let from = rng.below(data.len() + 1);
    let len = rng.size(data.len() - from).max(1).min(data.len() - from);
    data.drain(from..from + len);
}

/// A body cut short the way networks and limits cut them: anywhere, just
/// after a structural byte, inside a multi-byte character, a few bytes
/// from the end.
fn truncate_at_boundary(rng: &mut Rng, data: &mut Vec<u8>) {
    let at = match rng.below(4) {
        0 => rng.below(data.len() + 1),
        1 => {
            let marks = positions(data, |b| b"{}[]\":,\n\r".contains(&b));
            marks.get(rng.below(marks.len())).map_or(data.len(), |&i| i + rng.below(2))
        }
        2 => {
            let inside = positions(data, |b| (0x80..0xC0).contains(&b));
            inside.get(rng.below(inside.len())).copied().unwrap_or(data.len())
        }
        _ => data.len().saturating_sub(rng.between(1, 4)),
    };
    data.truncate(at);
}

fn chunk(rng: &mut Rng, data: &[u8]) -> (usize, usize) {
    let from = rng.below(data.len() + 1);
    let len = rng.size(data.len() - from);
    (from, from + len)
}

fn duplicate_chunk(rng: &mut Rng, data: &mut Vec<u8>) {
    let (from, to) = chunk(rng, data);
    let piece = data[from..to].to_vec();
    let at = rng.below(data.len() + 1);
    let times = if rng.one_in(8) { rng.between(2, 64) } else { 1 };
    for _ in 0..times {
        data.splice(at..at, piece.iter().copied());
    }
}

fn swap_chunks(rng: &mut Rng, data: &mut [u8]) {
    let len = rng.size(data.len() / 2);
    if len == 0 {
        return;
    }
    let a = rng.below(data.len() - 2 * len + 1);
    let b = a + len + rng.below(data.len() - a - 2 * len + 1);
    let (head, tail) = data.split_at_mut(b);
    head[a..a + len].swap_with_slice(&mut tail[..len]);
}

/// A piece of another document: its head, its tail, or a middle chunk.
fn splice(rng: &mut Rng, data: &mut Vec<u8>, corpus: &[Vec<u8>]) {
    if corpus.is_empty() {
        return;
    }
    let other = rng.pick(corpus);
    let (from, to) = chunk(rng, other);
    match rng.below(3) {
        0 => {
            let keep = rng.below(data.len() + 1);
            data.truncate(keep);
            data.extend_from_slice(&other[from..]);
        }
        1 => {
            let cut = rng.below(data.len() + 1);
            data.splice(..cut, other[..to].iter().copied());
        }
        _ => {
            let at = insertion_point(rng, data);
            data.splice(at..at, other[from..to].iter().copied());
        }
    }
}

/// Replace a run of digits (or insert, if there is none) with a number no
/// reader can hold: past f64, past u64, thousands of digits, and now and
/// then a million.
fn huge_number(rng: &mut Rng, data: &mut Vec<u8>) {
    let number: Vec<u8> = match rng.below(4) {
        0 | 1 => rng.pick(NUMBERS).as_bytes().to_vec(),
        2 => {
            let len = if rng.one_in(64) { 1_000_000 } else { rng.size(5000).max(1) };
            let mut n = vec![b'9'; len];
            n[0] = b'1';
            if rng.one_in(2) {
                n.extend_from_slice(b".5e-99999");
            }
            n
        }
        _ => format!("{}", rng.next_u64() as i64).into_bytes(),
    };
    let digits = positions(data, |b| b.is_ascii_digit());
    match digits.get(rng.below(digits.len())) {
        Some(&start) => {
            let end = start + data[start..].iter().take_while(|b| b.is_ascii_digit() || b".eE+-".contains(b)).count();
            data.splice(start..end, number);
        }
        None => {
            let at = rng.below(data.len() + 1);
            data.splice(at..at, number);
        }
    }
}

/// Open containers at one place, around the limits readers set (128 here,
/// serde_json's 128) and far past them; closed or not.
fn deep_nesting(rng: &mut Rng, data: &mut Vec<u8>) {
    let depth = match rng.below(4) {
        0 => *rng.pick(&[127, 128, 129, 130, 256]),
        1 => rng.size(2000),
        2 => 100_000,
        _ => rng.size(300),
    };
    let (open, close): (&[u8], &[u8]) =
        *rng.pick(&[(&b"["[..], &b"]"[..]), (b"{\"a\":", b"}"), (b"[{\"content\":", b"}]"), (b"{\"\":[", b"]}")]);
    let mut piece = open.repeat(depth);
    piece.extend_from_slice(b"0");
    if rng.one_in(2) {
        piece.extend_from_slice(&close.repeat(depth));
    }
    let at = match positions(data, |b| b == b':') {
        colons if !colons.is_empty() && rng.one_in(2) => rng.pick(&colons) + 1,
        _ => rng.below(data.len() + 1),
    };
    data.splice(at..at, piece);
}

/// Swap a field's value for a value of another kind: roughly, the bytes
/// after a `:` up to the next `,`, `}`, `]` or line end.
fn wrong_value(rng: &mut Rng, data: &mut Vec<u8>) {
    let colons = positions(data, |b| b == b':');
    let Some(&colon) = colons.get(rng.below(colons.len())) else {
        let piece = rng_pick_str(rng, VALUES);
        return insert(rng, data, piece);
    };
    let start = colon + 1;
    let end = start + data[start..].iter().take_while(|b| !b",}]\n".contains(b)).count();
    data.splice(start..end, rng.pick(VALUES).bytes());
}

/// One byte or piece repeated many times: long lines, long strings, long
/// runs of whitespace or of one token.
fn long_run(rng: &mut Rng, data: &mut Vec<u8>) {
    let piece: &[u8] = match rng.below(4) {
        0 => b" ",
        1 => b"a",
        2 => rng_pick_str(rng, UNICODE),
        _ => rng.pick::<&[u8]>(TOKENS),
    };
    let times = if rng.one_in(16) { 1 << 20 } else { rng.size(1 << 14) };
    let at = insertion_point(rng, data);
    data.splice(at..at, piece.repeat(times));
}
