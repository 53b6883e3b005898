//! Decimal text to `f64`, correctly rounded, as `str::parse::<f64>` reads
//! it, without the standard library's parser.
//!
//! core's parser carries a 10 kB table of 128-bit powers of five (for the
//! Eisel-Lemire algorithm) that makes up about a tenth of the shipped
//! wasm's data. Almost every number the crate reads (token counts,
//! logprobs, prices, milliseconds) has few digits and a small exponent,
//! and for those one multiplication or division by an exact power of ten
//! is already correctly rounded (Clinger's fast path). The rest take a
//! slow but exact path: a guess from the leading digits, corrected one
//! step at a time by comparing the decimal with the midpoints between
//! neighbouring floats in big-integer arithmetic.
//!
//! The grammar is `str::parse`'s: an optional sign, then `inf`,
//! `infinity` or `nan` in any case, or digits with an optional point and
//! an optional exponent; at least one digit before the exponent.

use std::cmp::Ordering;

use super::big::Big;

/// Powers of ten that are exact in an `f64`.
const EXACT: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20,
    1e21, 1e22,
];

/// Digits kept exactly; past these one non-zero digit stands for the
/// rest, which is enough to round correctly (the value is then known to
/// lie strictly between two candidates' midpoints or not).
const MAX_DIGITS: usize = 800;

/// `text` as `text.parse::<f64>()` reads it, or `None` where that fails.
pub fn parse_f64(text: &str) -> Option<f64> {
    let (negative, rest) = match text.as_bytes().first() {
        Some(b'-') => (true, text.get(1..)?),
        Some(b'+') => (false, text.get(1..)?),
        _ => (false, text),
    };
    let v = if rest.as_bytes().first().is_some_and(|b| b.is_ascii_digit() || *b == b'.') {
        finite(rest.as_bytes())?
    } else if rest.eq_ignore_ascii_case("inf") || rest.eq_ignore_ascii_case("infinity") {
        f64::INFINITY
    } else if rest.eq_ignore_ascii_case("nan") {
        f64::NAN
    } else {
        return None;
    };
    Some(if negative { -v } else { v })
}

/// The digits of a decimal, without leading or trailing zeros, and the
/// power of ten of the last one: the value is `digits × 10^exp`.
struct Decimal {
    digits: Vec<u8>,
    exp: i64,
}

/// What one pass over the text finds, with no allocation: the first 19
/// significant digits as an integer `w`, how many digits `w` has, the
/// power of ten that scales `w` to the value, and whether non-zero digits
/// were left out of `w`.
struct Lead {
    w: u64,
    len: i64,
    exp: i64,
    inexact: bool,
}

fn finite(s: &[u8]) -> Option<f64> {
    let lead = scan(s)?;
    if lead.w == 0 && !lead.inexact {
        return Some(0.0);
    }
    // Beyond these the value is certainly infinite or zero.
    let magnitude = lead.exp.saturating_add(lead.len);
    if magnitude > 310 {
        return Some(f64::INFINITY);
    }
    if magnitude < -325 {
        return Some(0.0);
    }
    if !lead.inexact {
        if let Some(v) = fast(lead.w, lead.exp).or_else(|| wide(lead.w, lead.exp)) {
            return Some(v);
        }
    }
    Some(slow(&all_digits(s)))
}

/// Check the grammar and read the leading digits; `None` if `s` is not a
/// number.
fn scan(s: &[u8]) -> Option<Lead> {
    let (mut w, mut len, mut exp, mut inexact) = (0u64, 0i64, 0i64, false);
    let mut seen_digit = false;
    let mut point = false;
    let mut i = 0;
    while let Some(&b) = s.get(i) {
        match b {
            b'0'..=b'9' => {
                seen_digit = true;
                let d = b.wrapping_sub(b'0');
                let leading = len == 0 && d == 0;
                if leading || len < 19 {
                    w = w.wrapping_mul(10).wrapping_add(u64::from(d));
                    if point {
                        exp = exp.saturating_sub(1);
                    }
                } else {
                    // Left out of `w`: before the point it still scales it.
                    inexact |= d != 0;
                    if !point {
                        exp = exp.saturating_add(1);
                    }
                }
                if !leading {
                    len = len.saturating_add(1);
                }
            }
            b'.' if !point => point = true,
            _ => break,
        }
        i = i.saturating_add(1);
    }
    if !seen_digit {
        return None;
    }
    if let Some(b'e' | b'E') = s.get(i) {
        i = i.saturating_add(1);
        let negative = s.get(i) == Some(&b'-');
        if let Some(b'-' | b'+') = s.get(i) {
            i = i.saturating_add(1);
        }
        let start = i;
        let mut e: i64 = 0;
        while let Some(&b @ b'0'..=b'9') = s.get(i) {
            e = e.saturating_mul(10).saturating_add(i64::from(b.wrapping_sub(b'0'))).min(1 << 40);
            i = i.saturating_add(1);
        }
        if i == start {
            return None;
        }
        exp = if negative { exp.saturating_sub(e) } else { exp.saturating_add(e) };
    }
    if i != s.len() {
        return None;
    }
    Some(Lead { w, len: len.min(19), exp, inexact })
}

/// Every significant digit of a text `scan` accepted, up to `MAX_DIGITS`
/// (past them one non-zero digit stands for the rest).
fn all_digits(s: &[u8]) -> Decimal {
    let mut digits = Vec::new();
    let (mut exp, mut point, mut truncated) = (0i64, false, false);
    for &b in s.iter().take_while(|b| !matches!(b, b'e' | b'E')) {
        if b == b'.' {
            point = true;
            continue;
        }
        let d = b.wrapping_sub(b'0');
        if point {
            exp = exp.saturating_sub(1);
        }
        if digits.is_empty() && d == 0 {
            continue;
        }
        if digits.len() < MAX_DIGITS {
            digits.push(d);
        } else {
            // Dropped: its place still counts.
            exp = exp.saturating_add(1);
            truncated |= d != 0;
        }
    }
    if let Some(at) = s.iter().position(|b| matches!(b, b'e' | b'E')) {
        let e = s.get(at.saturating_add(1)..).and_then(|t| std::str::from_utf8(t).ok()).unwrap_or("0");
        let e: i64 = e.trim_start_matches('+').parse().unwrap_or(if e.starts_with('-') { -(1 << 40) } else { 1 << 40 });
        exp = exp.saturating_add(e.clamp(-(1 << 40), 1 << 40));
    }
    if truncated {
        // One more non-zero digit below the last kept: "a little more".
        digits.push(1);
        exp = exp.saturating_sub(1);
    }
    while digits.last() == Some(&0) {
        digits.pop();
        exp = exp.saturating_add(1);
    }
    Decimal { digits, exp }
}

/// Clinger: an exact significand times or over an exact power of ten is
/// rounded once, so correctly.
fn fast(w: u64, exp: i64) -> Option<f64> {
    if w > 1 << 53 {
        return None;
    }
    let w = w as f64;
    let p = |e: i64| usize::try_from(e).ok().and_then(|e| EXACT.get(e)).copied();
    match exp {
        0 => Some(w),
        e if e > 0 => match p(e) {
            Some(pow) => Some(w * pow),
            // 123e25 is 123000e22: exact while the significand stays below 2^53.
            None => {
                let shifted = w * p(e.saturating_sub(22))?;
                (shifted <= 9_007_199_254_740_992.0).then_some(shifted * 1e22)
            }
        },
        e => p(e.saturating_neg()).map(|pow| w / pow),
    }
}

/// Up to 19 digits and a power of ten within 27 (`5^27 < 2^64`): exact in
/// 128-bit integers, rounded once by the `u128` to `f64` conversion. This
/// covers the 17-digit floats that JavaScript and Python print.
fn wide(w: u64, exp: i64) -> Option<f64> {
    let k = u32::try_from(exp.unsigned_abs()).ok().filter(|k| *k <= 27)?;
    let pow5 = 5u128.checked_pow(k)?;
    let scale = |v: f64, two: i32| v * 2f64.powi(two);
    if exp >= 0 {
        let p = u128::from(w).checked_mul(pow5)?;
        return Some(scale(p as f64, k as i32));
    }
    // w / 5^k with all 128 bits used, the remainder kept as a sticky bit
    // below the rounding place.
    let shift = u128::from(w).leading_zeros();
    let num = u128::from(w).checked_shl(shift)?;
    let q = num.checked_div(pow5)?;
    let sticky = u128::from(num.checked_rem(pow5)? != 0);
    if q >> 64 == 0 {
        return None;
    }
    Some(scale((q | sticky) as f64, (shift as i32).saturating_add(k as i32).saturating_neg()))
}

/// Guess from the leading digits, then walk to the float whose rounding
/// interval holds the decimal.
fn slow(d: &Decimal) -> f64 {
    let lead = d.digits.len().min(19);
    let w = d.digits.iter().take(lead).fold(0u64, |acc, &x| acc.wrapping_mul(10).wrapping_add(u64::from(x)));
    let e = d.exp.saturating_add((d.digits.len().saturating_sub(lead)) as i64);
    // Two steps keep 10^e in range for subnormal and huge results alike.
    let e = e.clamp(-400, 400) as i32;
    let half = e / 2;
    let mut g = (w as f64) * 10f64.powi(half) * 10f64.powi(e.saturating_sub(half));
    if !g.is_finite() {
        g = f64::MAX;
    }
    let exact = to_big(&d.digits);
    for _ in 0..4096 {
        if g == f64::INFINITY {
            return g;
        }
        // Above the midpoint to the next float up: go up (a tie goes to
        // the even significand).
        match compare(&exact, d.exp, g) {
            Ordering::Greater => {
                g = next_up(g);
                continue;
            }
            Ordering::Equal => return if even(g) { g } else { next_up(g) },
            Ordering::Less => {}
        }
        if g == 0.0 {
            return g;
        }
        let below = next_down(g);
        match compare(&exact, d.exp, below) {
            Ordering::Less => g = below,
            Ordering::Equal => return if even(g) { g } else { below },
            Ordering::Greater => return g,
        }
    }
    g
}

const POW10_U32: [u32; 10] = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000];

fn to_big(digits: &[u8]) -> Big {
    let mut b = Big::from_u64(0);
    for chunk in digits.chunks(9) {
        let v = chunk.iter().fold(0u32, |acc, &x| acc.wrapping_mul(10).wrapping_add(u32::from(x)));
        b.mul_add(POW10_U32.get(chunk.len()).copied().unwrap_or(1), v);
    }
    b
}

/// The decimal `digits × 10^exp` against the midpoint between `g` and the
/// float above it, `(2m + 1) × 2^(k - 1)` for `g = m × 2^k`.
fn compare(digits: &Big, exp: i64, g: f64) -> Ordering {
    let (m, k) = decompose(g);
    let mut left = digits.clone();
    let mut right = Big::from_u64(m.wrapping_mul(2).wrapping_add(1));
    let ten = exp.clamp(-2000, 2000) as i32;
    if ten >= 0 {
        left.mul_pow5(ten.unsigned_abs());
        left.shl(ten.unsigned_abs());
    } else {
        right.mul_pow5(ten.unsigned_abs());
        right.shl(ten.unsigned_abs());
    }
    let two = k.saturating_sub(1);
    if two >= 0 {
        right.shl(two.unsigned_abs());
    } else {
        left.shl(two.unsigned_abs());
    }
    left.cmp(&right)
}

/// `g = m × 2^k` with `m` the integer significand.
fn decompose(g: f64) -> (u64, i32) {
    let bits = g.to_bits();
    let exp = ((bits >> 52) & 0x7ff) as i32;
    let frac = bits & ((1 << 52) - 1);
    if exp == 0 {
        (frac, -1074)
    } else {
        (frac | (1 << 52), exp.saturating_sub(1075))
    }
}

fn even(g: f64) -> bool {
    g.to_bits() & 1 == 0
}

/// The next float up or down, for non-negative finite `g`.
fn next_up(g: f64) -> f64 {
    f64::from_bits(g.to_bits().saturating_add(1))
}

fn next_down(g: f64) -> f64 {
    f64::from_bits(g.to_bits().saturating_sub(1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_rng::Rng;

    fn same(text: &str) {
        let ours = parse_f64(text);
        let core = text.parse::<f64>().ok();
        let bits = |v: Option<f64>| v.map(|v| if v.is_nan() { u64::MAX } else { v.to_bits() });
        assert_eq!(bits(ours), bits(core), "{text:?}: {ours:?} vs {core:?}");
    }

    #[test]
    fn grammar_as_core_reads_it() {
        for t in [
            "",
            "+",
            "-",
            ".",
            "e5",
            "1e",
            "1e+",
            "1.",
            ".5",
            "-.5",
            "+1",
            "1e5",
            "1E5",
            "1e-5",
            "1.5e+3",
            "inf",
            "-inf",
            "+Infinity",
            "INF",
            "nan",
            "NaN",
            "-nan",
            "infinit",
            "1.2.3",
            "1e5.5",
            " 1",
            "1 ",
            "1_0",
            "0x10",
            "00",
            "-0",
            "0.0",
            "-0.0e10",
            "1e-400",
            "1e400",
            "--1",
            "1e+-5",
            "١",
            "0e9999999999999",
            "1e9999999999999",
            "1e-9999999999999",
            "123456789012345678901234567890",
            "0.000000000000000000000000000001e30",
        ] {
            same(t);
        }
    }

    #[test]
    fn hard_values() {
        for t in [
            "0.30000000000000004",
            "0.1",
            "2.2250738585072011e-308",
            "2.2250738585072014e-308",
            "4.9406564584124654e-324",
            "2.4703282292062327e-324",
            "2.4703282292062328e-324",
            "1.7976931348623157e308",
            "1.7976931348623158e308",
            "1.7976931348623159e308",
            "9007199254740993",
            "9007199254740992.5",
            "9007199254740993.0000000000000000000001",
            "1.00000000000000011102230246251565404236316680908203125",
            "1.00000000000000011102230246251565404236316680908203124",
            "1.00000000000000011102230246251565404236316680908203126",
            "123e25",
            "8.98846567431158e307",
            "7.2057594037927933e16",
            "1448997445238699",
            "-1.3856493e-6",
            "1609455693108501.25",
        ] {
            same(t);
        }
        let long = format!("0.{}1", "0".repeat(900));
        same(&long);
        same(&format!("1{}e-1000", "0".repeat(1000)));
        same(&format!("{}e-1200", "3".repeat(1200)));
    }

    #[test]
    fn random_values_round_trip_and_random_text_agrees() {
        let mut rng = Rng::new(0x5851_F42D_4C95_7F2D);
        for _ in 0..20_000 {
            let v = f64::from_bits(rng.next_u64());
            if v.is_finite() {
                same(&format!("{v}"));
                same(&format!("{v:e}"));
                same(&format!("{:.20e}", v));
            }
        }
        let alphabet = b"0123456789.e-+";
        for _ in 0..50_000 {
            let len = 1 + rng.below(25);
            let text: String = (0..len).map(|_| alphabet[rng.below(alphabet.len())] as char).collect();
            same(&text);
        }
        for _ in 0..20_000 {
            let digits = 1 + rng.below(40);
            let mut text: String = (0..digits).map(|_| (b'0' + rng.below(10) as u8) as char).collect();
            if rng.below(2) == 0 {
                text.insert(rng.below(text.len() + 1), '.');
            }
            text.push_str(&format!("e{}", rng.below(700) as i64 - 350));
            same(&text);
        }
    }
}
