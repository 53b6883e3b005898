//! Numbers as a reader takes them: "1,200.50", "12%", "seven", "a dozen".
//!
//! Several checks need the numbers of a text (the question's givens, the
//! draft's results, a final answer); parsing them one way everywhere keeps
//! "88,00" (a number cut short) and "1,200" (twelve hundred) consistent.

use super::lexicon;
use super::request::{inside, Span};
use super::text::{Text, K_DIGITS};

/// The value of a cardinal number word.
pub(crate) fn number_word_value(w: &str) -> Option<f64> {
    const SMALL: [&str; 20] = [
        "zero",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
    ];
    const TENS: [&str; 8] = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"];
    if let Some(i) = SMALL.iter().position(|s| s.eq_ignore_ascii_case(w)) {
        return Some(i as f64);
    }
    if let Some(i) = TENS.iter().position(|s| s.eq_ignore_ascii_case(w)) {
        return Some(20.0 + 10.0 * i as f64);
    }
    let v = match w.to_ascii_lowercase().as_str() {
        "dozen" => 12.0,
        "hundred" => 100.0,
        "thousand" => 1e3,
        "million" => 1e6,
        "billion" => 1e9,
        _ => return None,
    };
    Some(v)
}

/// A number written in digits, as a reader would take it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct NumLit {
    pub value: f64,
    pub start: usize,
    pub end: usize,
    /// Digits after the decimal point (sets the tolerance of a comparison).
    pub decimals: u8,
    pub percent: bool,
    /// Ends in a broken group like `88,00`: a number cut off mid-way.
    pub broken: bool,
}

/// Parse digits at `i` (which must be an ASCII digit): thousands commas
/// only in groups of three, one decimal point, an optional `%`.
pub(crate) fn parse_number(bytes: &[u8], i: usize) -> Option<NumLit> {
    if !bytes.get(i)?.is_ascii_digit() {
        return None;
    }
    let mut j = i;
    let mut int: f64 = 0.0;
    let mut broken = false;
    while let Some(&b) = bytes.get(j) {
        if b.is_ascii_digit() {
            int = int * 10.0 + f64::from(b.saturating_sub(b'0'));
            j = j.saturating_add(1);
        } else if b == b',' && j > i {
            let group =
                bytes.get(j.saturating_add(1)..).map_or(0, |r| r.iter().take_while(|c| c.is_ascii_digit()).count());
            if group == 3 {
                j = j.saturating_add(1);
            } else {
                // "88,00" at the very end of a text reads as a number cut short.
                broken = (1..3).contains(&group) && j.saturating_add(1).saturating_add(group) >= bytes.len();
                break;
            }
        } else {
            break;
        }
    }
    let mut value = int;
    let mut decimals = 0u8;
    if bytes.get(j) == Some(&b'.') && bytes.get(j.saturating_add(1)).is_some_and(|b| b.is_ascii_digit()) {
        j = j.saturating_add(1);
        let mut scale = 0.1;
        while let Some(&b) = bytes.get(j) {
            if !b.is_ascii_digit() {
                break;
            }
            value += f64::from(b.saturating_sub(b'0')) * scale;
            scale /= 10.0;
            decimals = decimals.saturating_add(1);
            j = j.saturating_add(1);
        }
    }
    let percent = bytes.get(j) == Some(&b'%');
    if percent {
        j = j.saturating_add(1);
    }
    Some(NumLit { value, start: i, end: j, decimals, percent, broken })
}

/// Every number in a text, digits or cardinal words; `words` must be the
/// text's own tokens (used for the number words).
pub(crate) fn numbers_in(text: &Text, out: &mut Vec<f64>) {
    numbers_outside(text, None, out);
}

/// `numbers_in`, leaving out the numbers of a quoted passage.
pub(crate) fn numbers_outside(text: &Text, skip: Option<Span>, out: &mut Vec<f64>) {
    each_number(text, skip, |v| {
        out.push(v);
        true
    });
}

/// Every number of a text outside `skip`, handed to `f` in order until it
/// returns false. A percentage is handed over twice: as a fraction and as
/// written ("20%" is 0.2 and 20), since prose uses both readings.
pub(crate) fn each_number(text: &Text, skip: Option<Span>, mut f: impl FnMut(f64) -> bool) {
    let bytes = text.raw.as_bytes();
    for w in &text.words {
        if !w.is(K_DIGITS) && !w.has(lexicon::NUMWORD) || inside(skip, w) {
            continue;
        }
        let s = w.start as usize;
        let more = if w.is(K_DIGITS) {
            // Only at the start of a literal: skip the fraction part of "1.5".
            let prev = s.checked_sub(1).and_then(|p| bytes.get(p)).copied();
            if matches!(prev, Some(b'.') | Some(b','))
                && s >= 2
                && bytes.get(s.saturating_sub(2)).is_some_and(|b| b.is_ascii_digit())
            {
                continue;
            }
            match parse_number(bytes, s) {
                Some(n) if n.percent => f(n.value / 100.0) && f(n.value),
                Some(n) => f(n.value),
                None => true,
            }
        } else {
            number_word_value(text.word(w)).is_none_or(&mut f)
        };
        if !more {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_parse_like_a_reader() {
        let n = parse_number(b"1,200.50 dollars", 0).unwrap();
        assert_eq!((n.value, n.decimals, n.end), (1200.5, 2, 8));
        let n = parse_number(b"12%", 0).unwrap();
        assert!(n.percent && n.value == 12.0);
        let n = parse_number(b"88,00", 0).unwrap();
        assert!(n.broken && n.value == 88.0);
        let n = parse_number(b"3, 4", 0).unwrap();
        assert!(!n.broken && n.value == 3.0);
        let mut v = Vec::new();
        numbers_in(&Text::new("She had 1.5 cups and seven eggs, 20% more"), &mut v);
        assert_eq!(v, [1.5, 7.0, 0.2, 20.0]);
    }
}
