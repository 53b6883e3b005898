//! Numeric answers: is the written arithmetic right, is there a final
//! answer, does it follow from the working, is it the kind of number the
//! question wants, and did the working use what the question gave?

use super::arith::Report;
use super::{num, outcome, quote, ramp, Ctx};
use crate::quality::numbers::{each_number, number_word_value, parse_number};
use crate::quality::text::{Text, K_DIGITS, SYM_BRACE, SYM_HASH, SYM_STAR};
use crate::quality::{CheckOutcome, Domain};

/// Every written calculation re-done; one wrong step is a veto.
pub(crate) fn arithmetic(ctx: &Ctx, report: &Report) -> Option<CheckOutcome> {
    if report.checked == 0 {
        return None;
    }
    match report.first_wrong {
        Some(c) if report.wrong > 0 => {
            let detail = format!(
                "`{}` is wrong: it comes to {}{}",
                quote(ctx.answer.raw, c.start, c.end),
                num(c.actual),
                if report.wrong > 1 { format!(" ({} wrong steps)", report.wrong) } else { String::new() }
            );
            let score = 0.08 / f64::from(report.wrong);
            Some(outcome("arithmetic", score, 1.0, true, detail))
        }
        _ => {
            let detail = format!("{} calculation(s) re-checked", report.checked);
            Some(outcome("arithmetic", 1.0, 0.0, false, detail))
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `#### 42`, `\boxed{42}`, "the answer is 42", `**42**`.
    Explicit,
    /// `= 42` closing the last line with a number.
    Equals,
    /// The first number of the last sentence that has one.
    Sentence,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Final {
    pub value: f64,
    pub kind: Kind,
    /// The closing sentence holds more than one distinct number.
    pub ambiguous: bool,
}

/// Number at `i` in `raw`, allowing a sign and a currency symbol before it.
fn number_after(raw: &str, from: usize, limit: usize) -> Option<(f64, usize)> {
    let bytes = raw.as_bytes();
    let mut neg = false;
    for (i, &b) in bytes.iter().enumerate().skip(from).take(limit) {
        if b.is_ascii_digit() {
            let n = parse_number(bytes, i)?;
            return Some((if neg { -n.value } else { n.value }, n.end));
        }
        neg = b == b'-' || (neg && b == b'$');
    }
    None
}

/// Find the draft's final answer the way a reader or a grader would.
/// `given` are the question's own quantities: a closing sentence's first
/// number that merely repeats one ("15% of 80 is 12") is not the answer.
pub(crate) fn extract(a: &Text, given: &[f64]) -> Option<Final> {
    const ANSWER: u32 = crate::quality::lexicon::hash("answer");
    let raw = a.raw;
    if let Some(p) = a.has_symbol(SYM_HASH).then(|| raw.rfind("####")).flatten() {
        if let Some((v, _)) = number_after(raw, p.saturating_add(4), 12) {
            return Some(Final { value: v, kind: Kind::Explicit, ambiguous: false });
        }
    }
    if let Some(p) = a.has_symbol(SYM_BRACE).then(|| raw.rfind("boxed{")).flatten() {
        if let Some((v, _)) = number_after(raw, p.saturating_add(6), 8) {
            return Some(Final { value: v, kind: Kind::Explicit, ambiguous: false });
        }
    }
    // "The answer is 42", "Final answer: forty-two".
    let answer_word =
        |i: usize| a.words.get(i).is_some_and(|w| w.hash == ANSWER && a.word(w).eq_ignore_ascii_case("answer"));
    if let Some(i) = (0..a.len()).rev().find(|&i| answer_word(i)) {
        for k in i.saturating_add(1)..i.saturating_add(10).min(a.len()) {
            let Some(w) = a.words.get(k) else { break };
            if w.is(K_DIGITS) {
                let (v, _) = number_after(raw, w.start.saturating_sub(1) as usize, 2)?;
                return Some(Final { value: v, kind: Kind::Explicit, ambiguous: false });
            }
            if let Some(v) = number_word_value(a.word(w)) {
                return Some(Final { value: v, kind: Kind::Explicit, ambiguous: false });
            }
        }
    }
    if let Some(v) = a.has_symbol(SYM_STAR).then(|| last_bold_number(raw)).flatten() {
        return Some(Final { value: v, kind: Kind::Explicit, ambiguous: false });
    }
    closing_sentence(raw, given)
}

/// The number in the last `**bold**` span that holds one, if that span is
/// in the closing part of the draft (where results are highlighted).
fn last_bold_number(raw: &str) -> Option<f64> {
    let end = raw.rfind("**")?;
    let start = (raw.get(..end)?.rfind("**")?).saturating_add(2);
    if start.saturating_mul(10) < raw.len().saturating_mul(6) {
        return None;
    }
    let inner = raw.get(start..end)?;
    let p = inner.find(|c: char| c.is_ascii_digit())?;
    number_after(inner, p.saturating_sub(1), 2).map(|(v, _)| v)
}

/// The closing sentence with a number: after its last `=` if it has one,
/// else its first number.
fn closing_sentence(raw: &str, given: &[f64]) -> Option<Final> {
    let bytes = raw.as_bytes();
    let last_digit = bytes.iter().rposition(u8::is_ascii_digit)?;
    let before = bytes.get(..last_digit).unwrap_or(&[]);
    let stop = before.iter().enumerate().rev().find(|&(k, &b)| {
        b == b'\n'
            || b == b'!'
            || b == b'?'
            || (b == b'.' && bytes.get(k.saturating_add(1)).is_some_and(|c| *c == b' ' || *c == b'\n'))
    });
    let start = stop.map_or(0, |(k, _)| k.saturating_add(1));
    let sentence = raw.get(start..)?;
    let sentence = match sentence.find('\n') {
        Some(e) => sentence.get(..e)?,
        None => sentence,
    };
    let sb = sentence.as_bytes();
    // Each number with its shown decimals and whether it sits in brackets,
    // where writers show working ("about 42.2 km (26.2 × 1.609 ≈ 42.16)").
    let mut values: Vec<(f64, u8, bool)> = Vec::new();
    let mut i = 0;
    let mut in_markup = false;
    let mut depth = 0u32;
    while let Some(&b) = sb.get(i) {
        let back = |n: usize| i.checked_sub(n).and_then(|j| sb.get(j)).copied();
        match b {
            b'<' if sb.get(i.saturating_add(1)) == Some(&b'<') => in_markup = true,
            b'>' if sb.get(i.saturating_add(1)) == Some(&b'>') => in_markup = false,
            b'(' | b'[' => depth = depth.saturating_add(1),
            b')' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
        let starts_number = b.is_ascii_digit() && back(1).is_none_or(|p| !p.is_ascii_digit() && p != b'.' && p != b',');
        if starts_number && !in_markup {
            if let Some(n) = parse_number(sb, i) {
                let neg = back(1) == Some(b'-') && back(2).is_none_or(|p| p == b' ' || p == b'$');
                values.push((if neg { -n.value } else { n.value }, n.decimals, depth > 0));
                i = n.end.max(i.saturating_add(1));
                continue;
            }
        }
        i = i.saturating_add(1);
    }
    let new = |v: f64| !given.iter().any(|g| (g - v).abs() < 1e-9 || (g / 100.0 - v).abs() < 1e-12);
    let pick = values.iter().find(|v| new(v.0) && !v.2).or_else(|| values.iter().find(|v| new(v.0))).or(values.first());
    let first = pick.map(|v| v.0);
    // Another new number outside brackets makes the answer unclear, unless
    // it is the same figure at another precision (42.2 and 42.16).
    let ambiguous = pick.is_some_and(|&(f, fd, _)| {
        values.iter().filter(|v| new(v.0) && !v.2).any(|&(v, vd, _)| {
            let tolerance = 0.5 * 10f64.powi(i32::from(fd.min(vd).min(12)).wrapping_neg()) + 1e-9;
            (v - f).abs() > tolerance
        })
    });
    if let Some(eq) = sentence.rfind('=') {
        if let Some((v, _)) = number_after(sentence, eq.saturating_add(1), 12) {
            return Some(Final { value: v, kind: Kind::Equals, ambiguous: false });
        }
    }
    first.map(|v| Final { value: v, kind: Kind::Sentence, ambiguous })
}

/// The thing a "how many ..." question counts, its stem hash and unit
/// id: "How many more apples" counts apples.
fn counted_noun<'a>(q: &Text<'a>) -> Option<(&'a str, u32, u8)> {
    use crate::quality::lexicon::hash;
    const HOW: u32 = hash("how");
    const MANY: u32 = hash("many");
    let i = (0..q.len()).find(|&i| q.is_word(i, HOW) && q.is_word(i.saturating_add(1), MANY))?;
    let skip = ["more", "fewer", "less", "total", "different", "other", "extra", "additional", "whole", "full"];
    let k = (i.saturating_add(2)..i.saturating_add(4))
        .find(|&k| !skip.iter().any(|s| q.word_at(k).eq_ignore_ascii_case(s)))?;
    let w = q.words.get(k)?;
    let plain = w.is(crate::quality::text::K_ALPHA)
        && !w.has(crate::quality::lexicon::STOP)
        && w.end.saturating_sub(w.start) >= 3;
    plain.then(|| (q.word(w), w.stem, w.unit))
}

/// A numeric question needs one clear final number that follows from the
/// working and fits what was asked.
pub(crate) fn final_answer(ctx: &Ctx, report: &Report) -> Option<CheckOutcome> {
    let intent = &ctx.intent;
    if !intent.wants_number() || ctx.answer.is_blank() {
        return None;
    }
    let a = &ctx.answer;
    let Some(fin) = extract(a, &intent.quantities) else {
        // No digits at all is the alignment check's business.
        let has_number = a.words.iter().any(|w| w.is(K_DIGITS));
        return has_number.then(|| outcome("final_answer", 0.3, 1.0, false, "no final answer is stated".into()));
    };
    let v = fin.value;
    // A closing sentence that only repeats a given quantity concludes nothing.
    let restated = intent.quantities.contains(&v) && !report.results.contains(&v);
    if fin.kind == Kind::Sentence && restated {
        return Some(outcome("final_answer", 0.3, 1.0, false, "no final answer is stated".into()));
    }
    let mut score: f64 = 1.0;
    let mut why = String::new();
    let mut note = |s: f64, text: String| {
        if s < score {
            score = s;
            why = text;
        }
    };
    if fin.kind == Kind::Sentence && fin.ambiguous {
        note(0.75, format!("the closing sentence names several numbers; {} is taken as the answer", num(v)));
    }
    let whole = (v - v.round()).abs() < 1e-9;
    use crate::quality::lexicon::{any_of, hash};
    const SOFT: [u32; 8] = [
        hash("average"),
        hash("percent"),
        hash("percentage"),
        hash("ratio"),
        hash("probability"),
        hash("rate"),
        hash("mean"),
        hash("fraction"),
    ];
    // Quantities that are rarely whole numbers.
    let soft_quantity = ctx.query.words.iter().any(|w| any_of(w.hash, &SOFT));
    if intent.counts_items && !whole && !soft_quantity {
        note(0.3, format!("\"how many\" asks for a count, but the answer is {}", num(v)));
    } else if !whole && !intent.has_decimals && intent.quantities.len() >= 2 {
        let s = if soft_quantity { 0.8 } else { 0.5 };
        note(s, format!("the question uses whole numbers only, but the answer is {}", num(v)));
    }
    // Temperatures go below zero; counts and other amounts do not.
    let signed = intent.measure >> 4 == 6 && intent.measure & 0xf == 1;
    if (intent.counts_items || intent.measure != 0) && !signed && v < 0.0 {
        let what = if intent.counts_items { "a count" } else { "an amount" };
        note(0.35, format!("{what} cannot be negative ({})", num(v)));
    }
    if let Some((noun, stem, unit)) = counted_noun(ctx.query) {
        // A unit may be abbreviated: "kilometres" is answered in "km".
        let said = a.words.iter().rev().take(40).any(|w| w.stem == stem || (unit != 0 && w.unit == unit));
        // Money is named by its sign as often as by its unit word.
        let said = said
            || (unit >> 4 == 3
                && a.raw.get(a.raw.len().saturating_sub(400)..).is_some_and(|t| t.contains(['$', '€', '£'])));
        if !said {
            note(0.9, format!("the question asks how many {noun}, and the conclusion never mentions {noun}"));
        }
    }
    if fin.kind == Kind::Explicit {
        if let Some((last, _)) = report.last_value {
            // The same value restated: as a percentage ("0.25 or 25%").
            let close = |x: f64| {
                let near = |y: f64| (y - v).abs() <= 0.01 * v.abs().max(1.0);
                near(x) || near(x * 100.0) || near(x / 100.0)
            };
            // A fraction of an item rounded to a whole one ("5.07 bars, so 5").
            let rounded = whole && (last - v).abs() < 1.0 && (last - last.round()).abs() > 1e-9;
            if rounded {
                note(0.85, format!("the answer {} rounds the working's {}", num(v), num(last)));
            } else if !close(last) {
                if report.results.iter().any(|&r| close(r)) {
                    note(0.85, format!("the answer {} is not where the working ends ({})", num(v), num(last)));
                } else {
                    note(
                        0.5,
                        format!("the answer {} does not follow from the working, which ends at {}", num(v), num(last)),
                    );
                }
            }
        }
    }
    if score >= 1.0 {
        why = format!("final answer {}", num(v));
    }
    Some(outcome("final_answer", score, 1.0, false, why))
}

/// A worked answer to a word problem should use the quantities the
/// question gives and show about one step per quantity.
pub(crate) fn working(ctx: &Ctx, report: &Report) -> Option<CheckOutcome> {
    let intent = &ctx.intent;
    let a = &ctx.answer;
    let given = &intent.quantities;
    // Only for word problems: a maths question, or a draft that calculates.
    let worked = ctx.domain == Domain::Math || !report.results.is_empty();
    if !intent.wants_number() || given.len() < 2 || a.len() < 12 || !worked {
        return None;
    }
    let given = given.get(..given.len().min(64)).unwrap_or(given);
    // One pass over the draft's numbers, marking each given quantity met
    // (as written, or read as a percentage either way), until all are.
    let all = u64::MAX >> 64usize.saturating_sub(given.len().clamp(1, 64));
    let mut met = 0u64;
    each_number(a, None, |x| {
        let close = |y: f64| (x - y).abs() <= 1e-9 * y.abs().max(1.0);
        for (k, &q) in given.iter().enumerate() {
            if close(q) || close(q * 100.0) || close(q / 100.0) {
                met |= 1 << k;
            }
        }
        met != all
    });
    let mut distinct = 0usize;
    let mut covered = 0usize;
    for (i, &q) in given.iter().enumerate() {
        if given.iter().take(i).any(|&p| p == q) {
            continue;
        }
        distinct = distinct.saturating_add(1);
        covered = covered.saturating_add(usize::from(met & 1 << i != 0));
    }
    if distinct < 2 {
        return None;
    }
    let coverage = covered as f64 / distinct as f64;
    let mut score = ramp(coverage, 0.3, 0.55, 1.0, 1.0);
    // Distinct results: prose and calculator markup often state one step twice.
    let mut steps = 0usize;
    for (i, r) in report.results.iter().enumerate() {
        steps = steps.saturating_add(usize::from(!report.results.iter().take(i).any(|p| (p - r).abs() < 1e-9)));
    }
    let needed = distinct.saturating_sub(2);
    if steps.saturating_mul(2) < needed {
        score *= 0.85;
    }
    // Words like "twice" or "half" stand for quantities the digits miss.
    if ctx.domain != Domain::Math && coverage >= 0.5 {
        score = score.max(0.8);
    }
    let detail = format!("uses {covered} of the {distinct} quantities given, in {steps} calculation(s)");
    Some(outcome("working", score, 1.0, false, detail))
}

#[cfg(test)]
#[path = "math_tests.rs"]
mod tests;
