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
    let text = buf.format_finite(v.abs());
    // zmij writes `123.45`, `0.001`, `1e21` or `1.5e-7`: split it into its
    // significant digits and the place of the decimal point among them.
    let (mantissa, exp) = match text.split_once('e') {
        Some((m, e)) => (m, e.parse::<i32>().unwrap_or(0)),
        None => (text, 0),
    };
    let int_len = mantissa.find('.').unwrap_or(mantissa.len());
    let digits: Vec<u8> = mantissa.bytes().filter(u8::is_ascii_digit).collect();
    let lead = digits.iter().take_while(|&&d| d == b'0').count();
    let trail = digits.iter().rev().take_while(|&&d| d == b'0').count();
    let significant = digits.get(lead..digits.len().saturating_sub(trail)).unwrap_or_default();
    if significant.is_empty() {
        out.push('0');
        return;
    }
    // The decimal point sits `point` digits into `significant`.
    let point = i64::from(exp).saturating_add(int_len as i64).saturating_sub(lead as i64);
    let len = significant.len() as i64;
    let zeros = |n: i64| "0".repeat(usize::try_from(n).unwrap_or(0));
    let text_of = |d: &[u8]| String::from_utf8_lossy(d).into_owned();
    if point <= 0 {
        out.push_str("0.");
        out.push_str(&zeros(point.saturating_neg()));
        out.push_str(&text_of(significant));
    } else if point >= len {
        out.push_str(&text_of(significant));
        out.push_str(&zeros(point.saturating_sub(len)));
    } else {
        let (int, frac) = significant.split_at(usize::try_from(point).unwrap_or(0));
        out.push_str(&text_of(int));
        out.push('.');
        out.push_str(&text_of(frac));
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
