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
mod tokens;
pub(crate) mod failure;
pub(crate) mod format;
pub(crate) mod logprobs;
pub(crate) mod math;
pub(crate) mod schema;
pub(crate) mod tools;

use super::domain::{self, Domain};
use super::intent::{self, Intent};
use super::text::Text;
use super::{complexity, CheckOutcome, Complexity, JudgeInput};

/// Everything the checks read, analysed once per judgement.
pub(crate) struct Ctx<'a> {
    pub input: &'a JudgeInput<'a>,
    pub query: Text<'a>,
    pub answer: Text<'a>,
    pub intent: Intent,
    pub complexity_score: f64,
    pub complexity: Complexity,
    pub domain: Domain,
    /// The draft has a ``` fence (several checks change behaviour on code).
    pub answer_has_code: bool,
}

impl<'a> Ctx<'a> {
    pub fn new(input: &'a JudgeInput<'a>) -> Self {
        let query = Text::new(input.query);
        let answer = Text::new(input.answer);
        let intent = intent::read(&query);
        let complexity_score = complexity::score(&query, intent.arithmetic.is_some());
        let complexity = complexity::level(complexity_score);
        let domain = domain::detect(&query);
        let answer_has_code = answer.has_symbol(super::text::SYM_BACKTICK) && input.answer.contains("```");
        Ctx { input, query, answer, intent, complexity_score, complexity, domain, answer_has_code }
    }
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
            i -= 1;
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

/// Format a number for a person: no float noise, at most four decimals.
pub(crate) fn num(v: f64) -> String {
    if !v.is_finite() {
        return "?".into();
    }
    if (v - v.round()).abs() < 1e-9 && v.abs() < 1e15 {
        return format!("{}", v.round() as i64);
    }
    let s = format!("{v:.4}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
pub(crate) mod testing {
    use super::*;

    /// Run `f` on a plain-text judgement of `query` and `answer`.
    pub fn with<R>(query: &str, answer: &str, f: impl FnOnce(&Ctx) -> R) -> R {
        let input = JudgeInput::text(query, answer);
        let ctx = Ctx::new(&input);
        f(&ctx)
    }

    #[test]
    fn helpers() {
        assert_eq!(num(3.0), "3");
        assert_eq!(num(78.333333), "78.3333");
        assert_eq!(num(0.5), "0.5");
        assert_eq!(num(f64::NAN), "?");
        assert_eq!(quote("héllo wörld", 0, 100), "héllo wörld");
        assert_eq!(quote("abc", 2, 1), "");
        assert_eq!(ramp(5.0, 0.0, 0.0, 10.0, 1.0), 0.5);
        let o = outcome("x", 2.0, 1.0, false, String::new());
        assert!(o.passed && o.score == 1.0);
    }
}
