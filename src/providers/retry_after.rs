//! `Retry-After` and `retry-after-ms`, read without a date crate and
//! without a clock: the core never reads the time on its own, so a date is
//! turned into a wait only against a wall time the caller passes in.

use crate::http::find_header;

/// The longest wait a header can ask for. Daily quotas reset within a day;
/// anything longer is a broken header, and capping it keeps the arithmetic
/// and any retry policy reading it in range.
pub const MAX_RETRY_AFTER_MS: u64 = 86_400_000;

/// The wait `headers` ask for, in ms: `retry-after-ms` (OpenAI, Anthropic)
/// first, then `Retry-After` as seconds or as an HTTP date. A date needs
/// `now_epoch_ms`, the wall clock in Unix ms; without it the date is left
/// unconverted (`None`) rather than guessed.
pub fn from_headers(headers: &[(String, String)], now_epoch_ms: Option<f64>) -> Option<u64> {
    find_header(headers, "retry-after-ms")
        .and_then(|v| millis(v, 1.0))
        .or_else(|| find_header(headers, "retry-after").and_then(|v| retry_after_ms(v, now_epoch_ms)))
}

/// One `Retry-After` value as a wait in ms: delay-seconds (fractions
/// tolerated), or an IMF-fixdate, RFC 850 or asctime date measured from
/// `now_epoch_ms`. A date in the past is no wait; garbage is `None`.
pub fn retry_after_ms(value: &str, now_epoch_ms: Option<f64>) -> Option<u64> {
    if let Some(ms) = millis(value, 1000.0) {
        return Some(ms);
    }
    let at = http_date_epoch_ms(value)?;
    let now = now_epoch_ms.filter(|n| n.is_finite())?;
    Some(clamp_ms(at - now))
}

/// A non-negative number of `unit`-ms, capped; `None` if not a number.
fn millis(value: &str, unit: f64) -> Option<u64> {
    let v = value.trim();
    // Only digits and one dot: `inf`, `nan`, `1e9`, `+5` and `-1` are not delays.
    if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return None;
    }
    let n = crate::decimal::parse_f64(v)?;
    Some(clamp_ms(n * unit))
}

fn clamp_ms(ms: f64) -> u64 {
    if ms.is_nan() || ms <= 0.0 {
        0
    } else if ms >= MAX_RETRY_AFTER_MS as f64 {
        MAX_RETRY_AFTER_MS
    } else {
        // In (0, cap): the conversion is exact to the millisecond.
        ms.ceil() as u64
    }
}

const MONTHS: [&str; 12] = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

/// An HTTP date (RFC 9110 §5.6.7) as Unix ms. All three forms a sender
/// may use are read: `Sun, 06 Nov 1994 08:49:37 GMT`,
/// `Sunday, 06-Nov-94 08:49:37 GMT` and `Sun Nov  6 08:49:37 1994`. The
/// weekday is not checked: a wrong one does not make the time unclear.
pub fn http_date_epoch_ms(value: &str) -> Option<f64> {
    let v = value.trim();
    let words: Vec<&str> = v.split([' ', ',']).filter(|w| !w.is_empty()).collect();
    let (day, month, year, time) = match words.as_slice() {
        // IMF-fixdate: weekday, day month year time GMT
        [_, day, month, year, time, "GMT"] => (day.parse().ok()?, month_number(month)?, year.parse().ok()?, *time),
        // RFC 850: weekday, dd-Mon-yy time GMT
        [_, date, time, "GMT"] => {
            let mut parts = date.split('-');
            let (day, month, yy) = (parts.next()?, parts.next()?, parts.next()?);
            if parts.next().is_some() || yy.len() != 2 {
                return None;
            }
            let yy: i64 = yy.parse().ok()?;
            // RFC 9110: a two-digit year more than 50 years ahead is in the past century.
            let year = if yy < 70 { yy.checked_add(2000)? } else { yy.checked_add(1900)? };
            (day.parse().ok()?, month_number(month)?, year, *time)
        }
        // asctime: weekday month day time year
        [_, month, day, time, year] => (day.parse().ok()?, month_number(month)?, year.parse().ok()?, *time),
        _ => return None,
    };
    let mut hms = time.split(':').map(|p| if p.len() == 2 { p.parse::<i64>().ok() } else { None });
    let (h, m, s) = (hms.next()??, hms.next()??, hms.next()??);
    if hms.next().is_some() || h > 23 || m > 59 || s > 60 || !(1..=31).contains(&day) || !(1900..=9999).contains(&year)
    {
        return None;
    }
    let days = days_from_civil(year, month, day)?;
    let secs =
        days.checked_mul(86_400)?.checked_add(h.checked_mul(3600)?)?.checked_add(m.checked_mul(60)?)?.checked_add(s)?;
    Some(secs as f64 * 1000.0)
}

fn month_number(name: &str) -> Option<i64> {
    let pos = MONTHS.iter().position(|m| m.eq_ignore_ascii_case(name))?;
    i64::try_from(pos).ok()?.checked_add(1)
}

/// Days from 1970-01-01 to a proleptic Gregorian date, by shifting the year
/// to start in March so the leap day falls last (the usual civil-calendar
/// method). Every input is range-checked by the caller; the checked
/// operations only keep that promise explicit.
fn days_from_civil(year: i64, month: i64, day: i64) -> Option<i64> {
    let y = if month <= 2 { year.checked_sub(1)? } else { year };
    let era = y.checked_div(400)?;
    let yoe = y.checked_sub(era.checked_mul(400)?)?;
    let mp = if month > 2 { month.checked_sub(3)? } else { month.checked_add(9)? };
    let doy = mp.checked_mul(153)?.checked_add(2)?.checked_div(5)?.checked_add(day)?.checked_sub(1)?;
    let doe =
        yoe.checked_mul(365)?.checked_add(yoe.checked_div(4)?)?.checked_sub(yoe.checked_div(100)?)?.checked_add(doy)?;
    era.checked_mul(146_097)?.checked_add(doe)?.checked_sub(719_468)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-10-21T07:28:00Z.
    const AT: f64 = 1_792_567_680_000.0;

    #[test]
    fn the_three_date_forms_agree() {
        assert_eq!(http_date_epoch_ms("Wed, 21 Oct 2026 07:28:00 GMT"), Some(AT));
        assert_eq!(http_date_epoch_ms("Wednesday, 21-Oct-26 07:28:00 GMT"), Some(AT));
        assert_eq!(http_date_epoch_ms("Wed Oct 21 07:28:00 2026"), Some(AT));
        assert_eq!(http_date_epoch_ms("Sun, 06 Nov 1994 08:49:37 GMT"), Some(784_111_777_000.0));
        assert_eq!(http_date_epoch_ms("Sun Nov  6 08:49:37 1994"), Some(784_111_777_000.0));
        assert_eq!(http_date_epoch_ms("Thu, 01 Jan 1970 00:00:00 GMT"), Some(0.0));
        assert_eq!(http_date_epoch_ms("Tue, 29 Feb 2028 12:00:00 GMT"), Some(1_835_438_400_000.0));
    }

    #[test]
    fn bad_dates_are_none() {
        for bad in [
            "",
            "soon",
            "Wed, 21 Oct 2026 07:28:00 PST",
            "Wed, 21 Foo 2026 07:28:00 GMT",
            "Wed, 32 Oct 2026 07:28:00 GMT",
            "Wed, 21 Oct 2026 24:00:00 GMT",
            "Wed, 21 Oct 2026 7:28:00 GMT",
            "Wed, 21 Oct 99999999999999999999 07:28:00 GMT",
            "Wed, 21-Oct-2026 07:28:00 GMT",
            "Wed, 21 Oct 2026 07:28:00:00 GMT",
        ] {
            assert_eq!(http_date_epoch_ms(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn a_date_needs_the_wall_clock() {
        let date = "Wed, 21 Oct 2026 07:28:00 GMT";
        assert_eq!(retry_after_ms(date, None), None, "no wall time: left unconverted");
        assert_eq!(retry_after_ms(date, Some(AT - 30_000.0)), Some(30_000));
        assert_eq!(retry_after_ms(date, Some(AT + 5_000.0)), Some(0), "a past date is no wait");
        assert_eq!(retry_after_ms(date, Some(f64::NAN)), None);
        assert_eq!(retry_after_ms("Sun, 06 Nov 1994 08:49:37 GMT", Some(0.0)), Some(MAX_RETRY_AFTER_MS));
    }

    #[test]
    fn seconds_fractions_garbage_and_huge_values() {
        assert_eq!(retry_after_ms("2", None), Some(2000));
        assert_eq!(retry_after_ms(" 1.5 ", None), Some(1500));
        assert_eq!(retry_after_ms("0", None), Some(0));
        assert_eq!(retry_after_ms(&"9".repeat(400), None), Some(MAX_RETRY_AFTER_MS));
        assert_eq!(retry_after_ms("99999999999", None), Some(MAX_RETRY_AFTER_MS));
        for bad in ["-1", "inf", "NaN", "1e3", "+5", "1.2.3", ".", "", "ten", "5s"] {
            assert_eq!(retry_after_ms(bad, None), None, "{bad:?}");
        }
        let h = |k: &str, v: &str| vec![(k.to_string(), v.to_string())];
        assert_eq!(from_headers(&h("retry-after-ms", "250.7"), None), Some(251));
        assert_eq!(from_headers(&h("Retry-After-Ms", "1e999"), None), None);
        assert_eq!(from_headers(&h("retry-after-ms", &"1".repeat(500)), None), Some(MAX_RETRY_AFTER_MS));
        let both = vec![("retry-after-ms".to_string(), "x".to_string()), ("Retry-After".to_string(), "3".to_string())];
        assert_eq!(from_headers(&both, None), Some(3000), "an unreadable ms header falls back to Retry-After");
    }
}
