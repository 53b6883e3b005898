//! Floats in messages, printed as `{}` prints an `f64`, without the
//! standard library's float formatting.
//!
//! `format!("{x}")` of an `f64` links core's Grisu/Dragon formatter and its
//! tables, about 18 kB of the shipped wasm, for a handful of messages
//! ("Retry-After 250 ms", "$0.5 would be exceeded"). zmij, already linked
//! for JSON numbers, finds the same shortest digits that read back
//! exactly; `Plain` lays them out as core does: never an exponent, no
//! trailing `.0`, `-0`, `NaN`, `inf`. `format!("{}", Plain(x))` gives the
//! same text as `format!("{x}")` (tested over random bit patterns), but for
//! one case: when two shortest forms are exactly as close (a 17-digit
//! value such as 1609455693108501.25), core takes the larger and zmij the
//! even one, as JavaScript does. A width or precision in the format
//! string is not supported.

use std::fmt;

mod big;
mod parse;

pub use parse::parse_f64;

/// `{}` of an `f64`, as core would print it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Plain(pub f64);

impl fmt::Display for Plain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = String::new();
        write_plain(&mut s, self.0);
        f.write_str(&s)
    }
}

/// Append `v` as core's `Display` writes it.
pub fn write_plain(out: &mut String, v: f64) {
    if v.is_nan() {
        out.push_str("NaN");
        return;
    }
    if v.is_sign_negative() {
        out.push('-');
    }
    if v.is_infinite() {
        out.push_str("inf");
        return;
    }
    let mut buf = zmij::Buffer::new();
    let text = buf.format_finite(v.abs()).as_bytes();
    // zmij writes `123.45`, `0.001`, `1e21` or `1.5e-7`: its significant
    // digits, and where the decimal point goes among them.
    let (mantissa, exp) = match text.iter().position(|&b| b == b'e') {
        Some(at) => {
            (text.get(..at).unwrap_or_default(), exponent(text.get(at.saturating_add(1)..).unwrap_or_default()))
        }
        None => (text, 0),
    };
    let int_len = mantissa.iter().position(|&b| b == b'.').unwrap_or(mantissa.len());
    let mut digits = [0u8; 32];
    let mut n = 0usize;
    for (slot, &b) in digits.iter_mut().zip(mantissa.iter().filter(|b| b.is_ascii_digit())) {
        *slot = b;
        n = n.saturating_add(1);
    }
    let all = digits.get(..n).unwrap_or_default();
    let lead = all.iter().take_while(|&&d| d == b'0').count();
    let trail = all.iter().rev().take_while(|&&d| d == b'0').count();
    let significant = all.get(lead..n.saturating_sub(trail)).unwrap_or_default();
    if significant.is_empty() {
        out.push('0');
        return;
    }
    // The decimal point sits `point` digits into `significant`.
    let point = i64::from(exp).saturating_add(int_len as i64).saturating_sub(lead as i64);
    let zeros = |out: &mut String, k: i64| (0..k).for_each(|_| out.push('0'));
    if point <= 0 {
        out.push_str("0.");
        zeros(out, point.saturating_neg());
    }
    for (i, &d) in significant.iter().enumerate() {
        if point > 0 && i as i64 == point {
            out.push('.');
        }
        out.push(char::from(d));
    }
    zeros(out, point.saturating_sub(significant.len() as i64));
}

/// The exponent zmij wrote after `e` (`+21`, `-7`).
fn exponent(text: &[u8]) -> i32 {
    let (negative, digits) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        Some((b'+', rest)) => (false, rest),
        _ => (false, text),
    };
    let e = digits.iter().fold(0i32, |e, &b| e.saturating_mul(10).saturating_add(i32::from(b.wrapping_sub(b'0'))));
    if negative {
        e.saturating_neg()
    } else {
        e
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_rng::Rng;

    /// Core's text, or on an exact tie the other shortest form: as long,
    /// reading back to the same value.
    fn check(v: f64) {
        let (ours, core) = (Plain(v).to_string(), format!("{v}"));
        if ours != core {
            let tie = ours.len() == core.len() && ours.parse::<f64>().ok() == Some(v);
            assert!(tie, "{:#x}: {ours} vs {core}", v.to_bits());
        }
    }

    #[test]
    fn special_and_plain_values() {
        for v in [
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.1,
            0.5,
            250.0,
            1e21,
            1e22,
            1e-7,
            1.5e-7,
            123.456,
            1e15,
            1e16,
            9007199254740993.0,
            f64::MAX,
            f64::MIN_POSITIVE,
            5e-324,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            0.30000000000000004,
            2.5e-5,
            123456789012.0,
        ] {
            check(v);
        }
    }

    #[test]
    fn random_bit_patterns_print_as_core_prints_them() {
        let mut rng = Rng::new(0xD1B5_4A32_D192_ED03);
        for _ in 0..200_000 {
            check(f64::from_bits(rng.next_u64()));
        }
        // Values near the ones messages show: money, milliseconds, shares.
        for _ in 0..100_000 {
            let scale = [1e-9, 1e-4, 1.0, 1e3, 1e6][rng.below(5)];
            let v = (rng.next_u64() % 10_000_000) as f64 * scale / 1e3;
            check(v);
            check((v * 1e10).round() / 1e10);
        }
    }
}
