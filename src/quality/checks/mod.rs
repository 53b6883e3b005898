//! The judge's checks. Each is a pure function of the analysed query and
//! draft that returns a `CheckOutcome` (or nothing when it does not apply),
//! so each can be tested alone and the judge only has to weigh them.
//!
//! Score conventions: `score` is this check's belief that the draft is fine
//! (1 = no concern); `weight` is how much that belief should move the
//! verdict; `veto` marks failures no other evidence can outweigh.

pub(crate) mod alignment;
pub(crate) mod arith;
mod chain;
pub(crate) mod depth;
pub(crate) mod failure;
pub(crate) mod format;
pub(crate) mod logprobs;
pub(crate) mod math;
pub(crate) mod schema;
mod tokens;
pub(crate) mod tools;

use super::domain::Domain;
use super::intent::Intent;
use super::text::Text;
use super::{CheckOutcome, Complexity, JudgeInput, QueryFacts, Turn};

/// Everything the checks read: the query as read once per run, the draft
/// as read once per judgement.
pub(crate) struct Ctx<'a> {
    pub input: &'a JudgeInput<'a>,
    pub query: &'a Text<'a>,
    pub answer: Text<'a>,
    pub intent: &'a Intent,
    pub complexity_score: f64,
    pub complexity: Complexity,
    pub domain: Domain,
    /// The draft has a ``` fence (several checks change behaviour on code).
    pub answer_has_code: bool,
    /// Where the draft sits in the conversation.
    pub turn: Turn,
}

impl<'a> Ctx<'a> {
    /// `facts` must have been read from `input.query`.
    pub fn read(input: &'a JudgeInput<'a>, facts: &'a QueryFacts<'a>, turn: Turn) -> Self {
        let answer = Text::new(input.answer);
        let answer_has_code = answer.has_symbol(super::text::SYM_BACKTICK) && input.answer.contains("```");
        Ctx {
            input,
            query: &facts.text,
            answer,
            intent: &facts.intent,
            complexity_score: facts.complexity_score,
            complexity: facts.complexity,
            domain: facts.domain,
            answer_has_code,
            turn,
        }
    }
}

/// Which of `stems` (at most 64) occur among the topic words of `t`
/// (alphabetic, not function words): bit `k` is set when `stems[k]` does.
/// One pass over the text, most words dismissed by a 64-bit prefilter;
/// with `first` it stops at the first find (for "is any mentioned?").
pub(crate) fn find_stems(t: &Text, stems: &[u32], first: bool) -> u64 {
    let stems = stems.get(..stems.len().min(64)).unwrap_or(&[]);
    let all = u64::MAX >> 64usize.saturating_sub(stems.len().max(1));
    let filter = stems.iter().fold(0u64, |f, s| f | 1 << (s & 63));
    let mut found = 0u64;
    for w in &t.words {
        if filter & 1 << (w.stem & 63) == 0 || !w.is(super::text::K_ALPHA) || w.has(super::lexicon::STOP) {
            continue;
        }
        for (k, s) in stems.iter().enumerate() {
            if *s == w.stem {
                found |= 1 << k;
            }
        }
        if found == all || (first && found != 0) {
            break;
        }
    }
    found
}

pub(crate) fn outcome(name: &'static str, score: f64, weight: f64, veto: bool, detail: String) -> CheckOutcome {
    let score = if score.is_finite() { score.clamp(0.0, 1.0) } else { 0.0 };
    CheckOutcome { name, passed: !veto && score >= 0.6, score, detail, weight, veto }
}

/// Straight line from (x0, y0) to (x1, y1), flat outside.
pub(crate) fn ramp(x: f64, x0: f64, y0: f64, x1: f64, y1: f64) -> f64 {
    if x <= x0 {
        y0
    } else if x >= x1 {
        y1
    } else {
        y0 + (y1 - y0) * (x - x0) / (x1 - x0)
    }
}

/// A short quotation of the draft for a reason line, cut on a char boundary.
pub(crate) fn quote(text: &str, start: usize, end: usize) -> String {
    let boundary = |mut i: usize| {
        i = i.min(text.len());
        while !text.is_char_boundary(i) {
            i = i.saturating_sub(1);
        }
        i
    };
    let s = text.get(boundary(start)..boundary(end)).map(str::trim).unwrap_or("");
    let mut out = String::with_capacity(s.len().min(64));
    for (n, c) in s.chars().enumerate() {
        if n >= 60 {
            out.push('…');
            break;
        }
        out.push(if c == '\n' { ' ' } else { c });
    }
    out
}

/// Writes `b` into the slot before `at` and moves `at` onto it: `fixed`
/// fills its buffer from the right.
fn put_before(buf: &mut [u8], at: &mut usize, b: u8) {
    *at = at.saturating_sub(1);
    if let Some(slot) = buf.get_mut(*at) {
        *slot = b;
    }
}

/// `v` with `decimals` (at most 6) digits after the point, rounded half
/// away from zero. The standard float formatting is exact but brings
/// Grisu and Dragon4 with their tables into the wasm build, and goes
/// through the formatting machinery; reason lines need none of that.
pub(crate) fn fixed(v: f64, decimals: u32) -> String {
    if !v.is_finite() {
        return "?".into();
    }
    const SCALE: [f64; 7] = [1.0, 10.0, 100.0, 1e3, 1e4, 1e5, 1e6];
    let decimals = decimals.min(6) as usize;
    let scaled = (v.abs() * SCALE.get(decimals).copied().unwrap_or(1e6)).round();
    if scaled >= 1.8e19 {
        // Beyond u64: only the magnitude is worth reading.
        return if v < 0.0 { "-1e19+" } else { "1e19+" }.into();
    }
    let mut n = scaled as u64;
    // Digits are produced backwards into a buffer big enough for u64::MAX
    // with a sign, a point and leading zeros (22 bytes at most); the guard
    // keeps room for a point, a digit and a sign whatever happens.
    let mut buf = [b'0'; 28];
    let mut at = buf.len();
    let mut produced = 0;
    while (n > 0 || produced <= decimals) && at > 2 {
        if produced == decimals && decimals > 0 {
            put_before(&mut buf, &mut at, b'.');
        }
        put_before(&mut buf, &mut at, (b'0').saturating_add((n % 10) as u8));
        n /= 10;
        produced = produced.saturating_add(1);
    }
    if v < 0.0 && scaled > 0.0 {
        put_before(&mut buf, &mut at, b'-');
    }
    buf.get(at..).and_then(|d| std::str::from_utf8(d).ok()).unwrap_or("?").to_string()
}

/// Format a number for a person: no float noise, at most four decimals.
pub(crate) fn num(v: f64) -> String {
    let mut s = fixed(v, 4);
    if s.contains('.') {
        let keep = s.trim_end_matches('0').trim_end_matches('.').len();
        s.truncate(keep);
    }
    if s == "-0" {
        s.remove(0);
    }
    s
}

#[cfg(test)]
pub(crate) mod testing {
    use super::*;

    /// Run `f` on a plain-text judgement of `query` and `answer`.
    pub fn with<R>(query: &str, answer: &str, f: impl FnOnce(&Ctx) -> R) -> R {
        let input = JudgeInput::text(query, answer);
        let facts = QueryFacts::read(query);
        let ctx = Ctx::read(&input, &facts, Turn::default());
        f(&ctx)
    }

    #[test]
    fn helpers() {
        assert_eq!(num(3.0), "3");
        assert_eq!(num(78.333333), "78.3333");
        assert_eq!(num(0.5), "0.5");
        assert_eq!(num(f64::NAN), "?");
        assert_eq!(num(-2.5), "-2.5");
        assert_eq!(num(1e300), "1e19+");
        assert_eq!(num(-0.00001), "0");
        assert_eq!(fixed(0.125, 2), "0.13");
        assert_eq!(fixed(0.5, 0), "1");
        assert_eq!(fixed(1.0, 2), "1.00");
        assert_eq!(fixed(0.07, 2), "0.07");
        assert_eq!(fixed(-12.34567, 3), "-12.346");
        assert_eq!(quote("héllo wörld", 0, 100), "héllo wörld");
        assert_eq!(quote("abc", 2, 1), "");
        assert_eq!(ramp(5.0, 0.0, 0.0, 10.0, 1.0), 0.5);
        let o = outcome("x", 2.0, 1.0, false, String::new());
        assert!(o.passed && o.score == 1.0);
    }
}
