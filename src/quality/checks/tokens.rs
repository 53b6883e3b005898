//! Turning a clause into arithmetic tokens: numbers, operators, brackets,
//! `=`, unit words and breaks.
//!
//! It walks the words `Text` already found (their lexicon flags say which
//! are operator, rounding or unit words) and only reads the bytes between
//! words itself, so prose costs almost nothing. The written forms it
//! understands: `x` and `×` for times, `\times` and `\frac{a}{b}`, "divided
//! by", `4 dozen`, `$1,200`, tight fractions `2/5`, `<<a*b=c>>` markup.

use super::arith::{scan_range, Report, Tk, Tok, WordKind};
use crate::quality::lexicon::{self, fnv_step, hash, APPROX, FNV_SEED, OPWORD};
use crate::quality::numbers::{parse_number, NumLit};
use crate::quality::text::Text;

/// Tokens of one range, with the length of the current run of prose words.
pub(super) struct Toks {
    pub v: Vec<Tok>,
    run: u8,
}

impl Toks {
    pub(super) fn new(mut v: Vec<Tok>) -> Self {
        v.clear();
        Toks { v, run: 0 }
    }
}

/// Append a token; runs of breaks collapse into one, and a run of prose
/// words stops being recorded after four (only the first few can be units
/// of a number, and rounding words are always kept).
fn push(toks: &mut Toks, kind: Tk, start: usize, end: usize) {
    match kind {
        Tk::Word(WordKind::Unit { approx, .. }) => {
            if toks.run >= 4 && !approx {
                return;
            }
            toks.run = toks.run.saturating_add(1);
        }
        Tk::Break { line } => {
            toks.run = 0;
            if let Some(Tok { kind: Tk::Break { line: prev }, end: e, .. }) = toks.v.last_mut() {
                *prev |= line;
                *e = end;
                return;
            }
        }
        _ => toks.run = 0,
    }
    toks.v.push(Tok { kind, start, end });
}

pub(super) fn tokenize(t: &Text, lo: usize, hi: usize, base: usize, outer: bool, report: &mut Report, toks: &mut Toks) {
    let mut k = t.words.partition_point(|w| (w.start as usize) < lo);
    let mut pos = lo;
    while pos < hi {
        let word = t.words.get(k).filter(|w| (w.start as usize) < hi);
        let gap_end = word.map_or(hi, |w| w.start as usize);
        if pos < gap_end {
            // Most gaps are one space: nothing to record.
            let single_space = gap_end == pos.saturating_add(1) && t.raw.as_bytes().get(pos) == Some(&b' ');
            pos = if single_space { gap_end } else { gap(t, pos, gap_end, base, outer, toks, report) };
            continue;
        }
        let Some(w) = word else { break };
        if (w.start as usize) < pos {
            // Already consumed (inside markup or a number like 1,200.50).
            k = k.saturating_add(1);
            continue;
        }
        pos = word_token(t, k, base, toks).max(w.end as usize);
        k = k.saturating_add(1);
    }
}

/// Symbols between two words. Returns where scanning resumes (past a
/// markup span, which may cover words).
fn gap(t: &Text, mut i: usize, end: usize, base: usize, outer: bool, toks: &mut Toks, report: &mut Report) -> usize {
    let raw = t.raw;
    let bytes = raw.as_bytes();
    while i < end {
        let b = bytes.get(i).copied().unwrap_or(b' ');
        let at = base.saturating_add(i);
        match b {
            b' ' | b'\t' | b'\r' | b'$' => i = i.saturating_add(1),
            b'\n' => {
                // A line ending on an operator, or the next one opening with
                // `=`, continues the same calculation.
                let prev_op = matches!(toks.v.last().map(|t| t.kind), Some(Tk::Op(_)) | Some(Tk::Eq { .. }));
                let next = bytes.get(i.saturating_add(1)..).and_then(|r| r.iter().find(|c| !c.is_ascii_whitespace()));
                if !(prev_op || next == Some(&b'=')) {
                    push(toks, Tk::Break { line: true }, at, at.saturating_add(1));
                }
                i = i.saturating_add(1);
            }
            b'+' | b'/' | b'^' => {
                push(toks, Tk::Op(b), at, at.saturating_add(1));
                i = i.saturating_add(1);
            }
            b'-' => {
                // "--" is a dash or a rule, and "- " opening a line is a
                // bullet: neither is a minus sign.
                let run = bytes.get(i..).map_or(1, |r| r.iter().take_while(|&&c| c == b'-').count());
                let bullet = at_line_start(bytes, i) && bytes.get(i.saturating_add(1)) == Some(&b' ');
                let kind = if run == 1 && !bullet { Tk::Op(b'-') } else { Tk::Break { line: false } };
                push(toks, kind, at, at.saturating_add(run));
                i = i.saturating_add(run);
            }
            b'*' => {
                // "**" is Markdown bold around a result, not an operator.
                let run = bytes.get(i..).map_or(1, |r| r.iter().take_while(|&&c| c == b'*').count());
                if run == 1 {
                    push(toks, Tk::Op(b'*'), at, at.saturating_add(1));
                }
                i = i.saturating_add(run);
            }
            b'(' | b'[' | b'{' => {
                if b == b'(' && applies_a_name(bytes, i) {
                    push(toks, Tk::Word(WordKind::Call), at, at);
                }
                push(toks, Tk::Open, at, at.saturating_add(1));
                i = i.saturating_add(1);
            }
            b')' | b']' | b'}' => {
                push(toks, Tk::Close, at, at.saturating_add(1));
                // `\frac{a}{b}`: the braces meet, and that meeting is a division.
                if b == b'}' && bytes.get(i.saturating_add(1)) == Some(&b'{') {
                    push(toks, Tk::Op(b'/'), at.saturating_add(1), at.saturating_add(1));
                }
                i = i.saturating_add(1);
            }
            b'=' => {
                let run = bytes.get(i..).map_or(1, |r| r.iter().take_while(|&&c| c == b'=').count());
                push(toks, Tk::Eq { approx: false }, at, at.saturating_add(run));
                i = i.saturating_add(run);
            }
            b'~' if bytes.get(i.saturating_add(1)) == Some(&b'=') => {
                push(toks, Tk::Eq { approx: true }, at, at.saturating_add(2));
                i = i.saturating_add(2);
            }
            b'<' if outer && bytes.get(i.saturating_add(1)) == Some(&b'<') => {
                let inner_start = i.saturating_add(2);
                let close = bytes.get(inner_start..).and_then(|r| r.windows(2).take(160).position(|w| w == b">>"));
                match close {
                    Some(p) => {
                        if let Some(inner) = raw.get(inner_start..inner_start.saturating_add(p)) {
                            let it = Text::new(inner);
                            scan_range(&it, 0, inner.len(), base.saturating_add(inner_start), false, false, report);
                        }
                        return inner_start.saturating_add(p).saturating_add(2);
                    }
                    None => {
                        report.cut_mid_expression = true;
                        push(toks, Tk::Break { line: true }, at, base.saturating_add(bytes.len()));
                        return bytes.len();
                    }
                }
            }
            b'\\' => {
                // `\*` is an escaped times; `\times`-style names are words
                // the word step reads; `\(`, `\$`, `\,` are noise.
                if bytes.get(i.saturating_add(1)) == Some(&b'*') {
                    push(toks, Tk::Op(b'*'), at, at.saturating_add(2));
                    i = i.saturating_add(2);
                } else if bytes.get(i.saturating_add(1)).is_some_and(u8::is_ascii_alphabetic) {
                    i = i.saturating_add(1);
                } else {
                    i = i.saturating_add(2);
                }
            }
            b if b >= 0x80 => {
                let c = raw.get(i..).and_then(|s| s.chars().next()).unwrap_or('\u{fffd}');
                let len = c.len_utf8();
                let spaced = i > 0
                    && bytes.get(i.saturating_sub(1)) == Some(&b' ')
                    && bytes.get(i.saturating_add(len)) == Some(&b' ');
                let kind = match c {
                    '×' | '·' | '⋅' | '∙' | '✕' => Some(Tk::Op(b'*')),
                    '÷' | '∕' => Some(Tk::Op(b'/')),
                    '−' => Some(Tk::Op(b'-')),
                    '–' if spaced => Some(Tk::Op(b'-')),
                    '≈' => Some(Tk::Eq { approx: true }),
                    '€' | '£' | '¥' | '₹' | '\u{a0}' | '\u{202f}' => None,
                    _ => Some(Tk::Break { line: false }),
                };
                if let Some(kind) = kind {
                    push(toks, kind, at, at.saturating_add(len));
                }
                i = i.saturating_add(len);
            }
            _ => {
                push(toks, Tk::Break { line: false }, at, at.saturating_add(1));
                i = i.saturating_add(1);
            }
        }
    }
    i
}

/// The token(s) for word `k`; returns the byte where the word's reading
/// ends (a number like "1,200.50" runs over several words).
fn word_token(t: &Text, k: usize, base: usize, toks: &mut Toks) -> usize {
    let Some(w) = t.words.get(k) else { return t.raw.len() };
    let (start, end) = (w.start as usize, w.end as usize);
    let bytes = t.raw.as_bytes();
    if bytes.get(start).is_some_and(u8::is_ascii_digit) {
        return number_word(bytes, start, end, base, toks);
    }
    let latex = start > 0 && bytes.get(start.saturating_sub(1)) == Some(&b'\\');
    let kind = if latex {
        match t.word(w) {
            "times" | "cdot" | "ast" => Tk::Op(b'*'),
            "div" => Tk::Op(b'/'),
            "approx" => Tk::Eq { approx: true },
            _ => return end,
        }
    } else if end.saturating_sub(start) == 1 {
        match bytes.get(start).map(u8::to_ascii_lowercase) {
            Some(b'x') => Tk::Word(WordKind::X),
            Some(b'a') | Some(b'i') => Tk::Word(WordKind::Unit { approx: false, unit: 0 }),
            _ => Tk::Word(WordKind::Var),
        }
    } else if w.has(OPWORD) {
        const OF: u32 = hash("of");
        const TIMES: u32 = hash("times");
        const PLUS: u32 = hash("plus");
        const MINUS: u32 = hash("minus");
        const LESS: u32 = hash("less");
        const EQUALS: u32 = hash("equals");
        const EQUAL: u32 = hash("equal");
        const DIVIDED: u32 = hash("divided");
        match w.hash {
            OF => Tk::Word(WordKind::Of),
            TIMES => Tk::Word(WordKind::OpWord(b'*')),
            PLUS => Tk::Word(WordKind::OpWord(b'+')),
            MINUS | LESS => Tk::Word(WordKind::OpWord(b'-')),
            EQUALS | EQUAL => Tk::Eq { approx: false },
            h => {
                // "divided by", "multiplied by": swallow the "by".
                let by = t.words.get(k.saturating_add(1)).filter(|n| t.word(n).eq_ignore_ascii_case("by"));
                match by {
                    Some(b) => {
                        let op = if h == DIVIDED { b'/' } else { b'*' };
                        push(
                            toks,
                            Tk::Word(WordKind::OpWord(op)),
                            base.saturating_add(start),
                            base.saturating_add(b.end as usize),
                        );
                        return b.end as usize;
                    }
                    None => Tk::Word(WordKind::Unit { approx: false, unit: 0 }),
                }
            }
        }
    } else {
        Tk::Word(WordKind::Unit { approx: w.has(APPROX), unit: w.unit })
    };
    push(toks, kind, base.saturating_add(start), base.saturating_add(end));
    end
}

/// A word that opens with a digit: the number, a tight fraction, and any
/// letters glued on ("3x4" is a product, "10x" a variable, "60mph" a unit).
fn number_word(bytes: &[u8], start: usize, end: usize, base: usize, toks: &mut Toks) -> usize {
    let mut p = start;
    let mut reach = end;
    while p < end {
        if bytes.get(p).is_some_and(u8::is_ascii_digit) {
            let Some(n) = parse_number(bytes, p) else { break };
            let shift = |mut n: NumLit| {
                n.start = n.start.saturating_add(base);
                n.end = n.end.saturating_add(base);
                n
            };
            match tight_denominator(bytes, &n) {
                Some(d) => {
                    push(toks, Tk::Open, base.saturating_add(p), base.saturating_add(p));
                    push(toks, Tk::Num(shift(n)), base.saturating_add(p), base.saturating_add(n.end));
                    push(toks, Tk::Op(b'/'), base.saturating_add(n.end), base.saturating_add(n.end).saturating_add(1));
                    push(toks, Tk::Num(shift(d)), base.saturating_add(d.start), base.saturating_add(d.end));
                    push(toks, Tk::Close, base.saturating_add(d.end), base.saturating_add(d.end));
                    p = d.end;
                }
                None => {
                    push(toks, Tk::Num(shift(n)), base.saturating_add(p), base.saturating_add(n.end));
                    p = n.end.max(p.saturating_add(1));
                }
            }
            reach = reach.max(p);
            continue;
        }
        let q =
            p.saturating_add(bytes.get(p..end).map_or(0, |r| r.iter().take_while(|c| c.is_ascii_alphabetic()).count()));
        if q == p {
            // A non-ASCII letter glued on: treat the rest as a unit.
            push(
                toks,
                Tk::Word(WordKind::Unit { approx: false, unit: 0 }),
                base.saturating_add(p),
                base.saturating_add(end),
            );
            return end.max(reach);
        }
        let single = q.saturating_sub(p) == 1;
        let x = single && bytes.get(p).is_some_and(|c| c.eq_ignore_ascii_case(&b'x'));
        let kind = if x && bytes.get(q).is_some_and(u8::is_ascii_digit) {
            Tk::Op(b'*')
        } else if single {
            Tk::Word(WordKind::Var)
        } else {
            Tk::Word(WordKind::Unit { approx: false, unit: bytes.get(p..q).map_or(0, glued_unit) })
        };
        push(toks, kind, base.saturating_add(p), base.saturating_add(q));
        p = q;
    }
    reach.max(p)
}

/// The unit id of a word glued to a number ("60mph", "5kg").
fn glued_unit(letters: &[u8]) -> u8 {
    let h = letters.iter().fold(FNV_SEED, |h, b| fnv_step(h, b.to_ascii_lowercase()));
    lexicon::lookup(h, letters.len()).map_or(0, |e| e.unit)
}

/// Whether the `(` at byte `i` applies a name to arguments, as in `f(1)`,
/// `P(2)` or `sqrt(16)`: letters right before it, not a LaTeX command
/// (`\left(` only sizes the bracket).
fn applies_a_name(bytes: &[u8], i: usize) -> bool {
    let before = bytes.get(..i).unwrap_or(&[]);
    let letters = before.iter().rev().take(32).take_while(|c| c.is_ascii_alphabetic()).count();
    let start = i.saturating_sub(letters);
    letters > 0 && start.checked_sub(1).and_then(|k| bytes.get(k)) != Some(&b'\\')
}

/// True when only spaces separate byte `i` from the start of its line.
fn at_line_start(bytes: &[u8], i: usize) -> bool {
    let before = bytes.get(..i).unwrap_or(&[]);
    before.iter().rev().take_while(|&&c| c != b'\n').all(|&c| c == b' ' || c == b'\t')
}

/// The denominator of a tight fraction `a/b` (no spaces, not a date `a/b/c`).
fn tight_denominator(bytes: &[u8], n: &NumLit) -> Option<NumLit> {
    if n.percent
        || bytes.get(n.end) != Some(&b'/')
        || (n.start > 0 && bytes.get(n.start.saturating_sub(1)) == Some(&b'/'))
    {
        return None;
    }
    let d = parse_number(bytes, n.end.saturating_add(1))?;
    let date_like = bytes.get(d.end) == Some(&b'/');
    (!d.percent && !date_like && d.value != 0.0).then_some(d)
}
