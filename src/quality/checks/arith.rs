//! Re-doing the arithmetic a draft writes down.
//!
//! A wrong equation is the cheapest strong evidence that a worked answer is
//! wrong, so this reads calculations the way people write them in prose:
//! `3 x 60 = 180`, `$1,200 / 4 = $300`, `16 - 3 - 4 = 9`, `25% of 16 = 4`,
//! `3 sprints * 60 meters/sprint = 180 meters`, `\frac{1}{4} \times 8 = 2`,
//! and `<<a*b=c>>` calculator markup. A chain `a = b = c` is split into
//! segments, each evaluated, and neighbours compared (`chain`). Anything
//! that looks like algebra (a lone letter next to the numbers) is left
//! alone: we only judge what we can evaluate for certain.
//!
//! The tokeniser (`tokens`) reuses the words `Text` already found and only
//! reads the bytes between them; this file finds the clauses worth reading
//! and collects what the chains conclude.

use super::chain::Chain;
use super::tokens::{tokenize, Toks};
use crate::quality::numbers::NumLit;
use crate::quality::text::{Text, SYM_BACKSLASH, SYM_EQ, SYM_EQUAL_WORD, SYM_LT, SYM_WIDE};

#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Tk {
    Num(NumLit),
    Op(u8),
    Open,
    Close,
    Eq {
        approx: bool,
    },
    Word(WordKind),
    /// Punctuation or a line end: a calculation cannot continue across it.
    Break {
        line: bool,
    },
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum WordKind {
    /// A unit or other ordinary word ("meters", "apples"), with its unit
    /// id from the lexicon (0 for an ordinary word).
    Unit { approx: bool, unit: u8 },
    /// A lone letter: an algebra variable, so the segment is not numeric.
    Var,
    /// The letter x, which is "times" when it sits between numbers.
    X,
    /// "of", which is "times" after a percentage or fraction.
    Of,
    /// "times", "plus", "minus", "divided by"...
    OpWord(u8),
    /// A name applied to what follows in brackets: `f(1)` is a value we
    /// cannot compute, not the number 1 nor a product.
    Call,
}

#[derive(Clone, Copy, Debug)]
pub(super) struct Tok {
    pub kind: Tk,
    pub start: usize,
    pub end: usize,
}

/// One checked claim that failed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Claim {
    pub start: usize,
    pub end: usize,
    pub claimed: f64,
    pub actual: f64,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Report {
    /// Comparisons made (each `lhs = rhs` with an operator on a side).
    pub checked: u32,
    pub wrong: u32,
    pub first_wrong: Option<Claim>,
    /// What the last calculation arrived at, as written, and where.
    pub last_value: Option<(f64, usize)>,
    /// Every result a calculation arrived at.
    pub results: Vec<f64>,
    /// Expressions with an operator and no `=` ("What is 2+2?").
    pub open_exprs: Vec<(f64, usize, usize)>,
    /// A `<<` with no `>>`, or the text ends on an operator or `=`.
    pub cut_mid_expression: bool,
}

/// Scan a text for calculations and check each. Only the sentences that
/// hold a checkable claim (an `=`, `≈`, "equal(s)", `\approx` or `<<`
/// markup) are read, found with memchr-speed searches: prose between
/// calculations costs next to nothing.
pub(crate) fn scan(t: &Text) -> Report {
    let mut report = Report::default();
    let raw = t.raw;
    let mut marks: Vec<usize> = Vec::new();
    if t.has_symbol(SYM_EQ) {
        marks.reserve(32);
        marks.extend(raw.match_indices('=').map(|(i, _)| i));
    }
    // Each rarer marker is searched for only when the tokeniser saw its sign.
    for (pat, sign) in [("≈", SYM_WIDE), ("equal", SYM_EQUAL_WORD), ("\\approx", SYM_BACKSLASH), ("<<", SYM_LT)] {
        if t.has_symbol(sign) {
            marks.extend(raw.match_indices(pat).map(|(i, _)| i));
        }
    }
    if marks.is_empty() {
        return report;
    }
    crate::sort::sort_by(&mut marks, |a, b| a < b);
    // Sized for a typical worked answer, so that the buffers do not grow
    // step by step on every judgement.
    report.results.reserve(16);
    let mut scratch = Scratch { chain: Chain::with_capacity(), toks: Vec::with_capacity(64) };
    let mut done = 0;
    for m in marks {
        if m < done {
            continue;
        }
        let (s, e) = clause_around(raw.as_bytes(), m);
        let s = s.max(done);
        scan_with(t, s, e, 0, true, e >= raw.len(), &mut report, &mut scratch);
        done = e;
    }
    report
}

/// Whether a calculation cannot run across byte `i`: a sentence end
/// followed by a space (so "1.5" does not count), a comma or colon that
/// is not inside a number ("1,200", "5:30"), or a line break that no
/// operator carries over.
fn ends_sentence(bytes: &[u8], i: usize) -> bool {
    let digit = |k: Option<usize>| k.and_then(|k| bytes.get(k)).is_some_and(u8::is_ascii_digit);
    match bytes.get(i) {
        // Followed by a space or nothing: "1.5" and "e.g" do not end one.
        Some(b'.' | b'?' | b'!' | b';') => {
            matches!(bytes.get(i.saturating_add(1)), None | Some(b' ' | b'\n' | b'\r' | b'\t'))
        }
        Some(b',' | b':') => !(digit(i.checked_sub(1)) && digit(Some(i.saturating_add(1)))),
        Some(b'\n') => {
            let before = bytes.get(..i).and_then(|r| r.iter().rev().find(|c| !c.is_ascii_whitespace()));
            let after = bytes.get(i.saturating_add(1)..).and_then(|r| r.iter().find(|c| !c.is_ascii_whitespace()));
            !(before.is_some_and(|c| b"+-*/=(".contains(c)) || after == Some(&b'='))
        }
        _ => false,
    }
}

/// The clause holding byte `m`, at most a few hundred bytes each way.
/// Candidate terminators are found with tight byte searches and only then
/// confirmed, since this runs for every calculation in a long draft.
fn clause_around(bytes: &[u8], m: usize) -> (usize, usize) {
    const REACH: usize = 400;
    let is_stop = |b: &u8| matches!(b, b'.' | b'?' | b'!' | b';' | b'\n' | b',' | b':');
    let floor = m.saturating_sub(REACH);
    let mut s = m;
    loop {
        match bytes.get(floor..s).and_then(|r| r.iter().rposition(is_stop)) {
            Some(p) if ends_sentence(bytes, floor.saturating_add(p)) => {
                s = floor.saturating_add(p).saturating_add(1);
                break;
            }
            Some(p) => s = floor.saturating_add(p),
            None => {
                s = floor;
                break;
            }
        }
    }
    let ceil = m.saturating_add(REACH).min(bytes.len());
    let mut e = m;
    loop {
        let next = bytes
            .get(e..ceil)
            .and_then(|r| r.iter().position(|b| is_stop(b) || *b == b'<'))
            .map(|p| e.saturating_add(p));
        match next {
            // Markup holds its own "=" and dots: skip it whole.
            Some(p) if bytes.get(p..p.saturating_add(2)) == Some(b"<<") => {
                let close = bytes.get(p..ceil).and_then(|r| r.windows(2).position(|w| w == b">>"));
                e = close.map_or(ceil, |c| p.saturating_add(c).saturating_add(2));
            }
            Some(p) if ends_sentence(bytes, p) => {
                e = p.saturating_add(1);
                break;
            }
            Some(p) => e = p.saturating_add(1),
            None => {
                e = ceil;
                break;
            }
        }
    }
    // Stay on character boundaries whatever the reach cut.
    while s > 0 && bytes.get(s).is_some_and(|b| (0x80..0xc0).contains(b)) {
        s = s.saturating_sub(1);
    }
    while e < bytes.len() && bytes.get(e).is_some_and(|b| (0x80..0xc0).contains(b)) {
        e = e.saturating_add(1);
    }
    (s, e.min(bytes.len()))
}

/// Every expression of a short text, `=` or not (for reading a query).
pub(crate) fn scan_all(t: &Text) -> Report {
    let mut report = Report::default();
    scan_range(t, 0, t.raw.len(), 0, true, true, &mut report);
    report
}

/// Buffers reused from one clause to the next, so a long draft with many
/// calculations allocates once rather than once per clause.
#[derive(Default)]
struct Scratch {
    chain: Chain,
    toks: Vec<Tok>,
}

/// Tokenise and check bytes `lo..hi` of `t`; `base` shifts reported
/// positions (a markup span is scanned as a text of its own).
pub(super) fn scan_range(t: &Text, lo: usize, hi: usize, base: usize, outer: bool, at_end: bool, report: &mut Report) {
    scan_with(t, lo, hi, base, outer, at_end, report, &mut Scratch::default());
}

#[allow(clippy::too_many_arguments)]
fn scan_with(
    t: &Text,
    lo: usize,
    hi: usize,
    base: usize,
    outer: bool,
    at_end: bool,
    report: &mut Report,
    scratch: &mut Scratch,
) {
    let mut toks = Toks::new(std::mem::take(&mut scratch.toks));
    toks.v.clear();
    tokenize(t, lo, hi, base, outer, report, &mut toks);
    let toks = toks.v;
    let chain = &mut scratch.chain;
    for k in 0..toks.len() {
        chain.step(&toks, k, report);
    }
    chain.finish(&toks, toks.len(), report);
    if at_end {
        let last = toks.iter().rev().find(|t| !matches!(t.kind, Tk::Break { .. }));
        if let Some(tok) = last {
            let tail = t.raw.get(tok.end.saturating_sub(base)..).unwrap_or("").trim();
            if matches!(tok.kind, Tk::Op(_) | Tk::Eq { .. } | Tk::Open) && tail.is_empty() {
                report.cut_mid_expression = true;
            }
        }
    }
    scratch.toks = toks;
}

#[cfg(test)]
#[path = "arith_tests.rs"]
mod tests;
