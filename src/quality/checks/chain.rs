//! Checking one chain of calculations, `a = b = c`, as the tokeniser in
//! `arith` hands it over: each segment is parsed with the usual operator
//! precedence and evaluated, and each neighbouring pair must agree within
//! the rounding the writer's own precision allows.

use super::arith::{Claim, Report, Tk, Tok, WordKind};
use crate::quality::lexicon::SCALES;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Atom {
    Num { value: f64, percent: bool },
    Op(u8),
    Open,
    Close,
}

#[derive(Clone, Copy, Debug)]
struct Seg {
    /// Value with percentages as fractions, and with the % sign ignored.
    frac: f64,
    plain: f64,
    has_op: bool,
    /// A lone number: the written result of the step before it.
    bare: bool,
    /// The number an expression opens with ("96" in "96 / 3"): a writer who
    /// keeps operating on the last result writes `a + b = 96 / 3 = 32`.
    lead: Option<f64>,
    decimals: u8,
    valid: bool,
    start: usize,
    end: usize,
}

#[derive(Default)]
pub(super) struct Chain {
    segs: Vec<Seg>,
    atoms: Vec<Atom>,
    seg_start: usize,
    seg_end: usize,
    decimals: u8,
    tainted: bool,
    depth: i32,
    units: u8,
    skip_unit: bool,
    approx: bool,
    /// Tokens up to this index are an annotation already read: "3 (cats)".
    skip_to: usize,
    /// The first unit seen per family in this chain (see `unit_id`).
    families: [u8; 6],
    /// Two units of one family: an implicit conversion, not checkable.
    mixed: bool,
}

impl Chain {
    /// A chain whose buffers hold a typical calculation without growing.
    pub(super) fn with_capacity() -> Self {
        Chain { segs: Vec::with_capacity(8), atoms: Vec::with_capacity(24), ..Chain::default() }
    }

    fn last_is_operand(&self) -> bool {
        matches!(self.atoms.last(), Some(Atom::Num { .. }) | Some(Atom::Close))
    }

    fn push(&mut self, a: Atom, t: &Tok) {
        if self.atoms.is_empty() {
            self.seg_start = t.start;
        }
        self.seg_end = t.end;
        self.atoms.push(a);
    }

    pub(super) fn step(&mut self, toks: &[Tok], k: usize, report: &mut Report) {
        if k < self.skip_to {
            return;
        }
        let Some(t) = toks.get(k) else { return };
        let next = toks.get(k.saturating_add(1)).map(|n| n.kind);
        let next_operand = matches!(next, Some(Tk::Num(_)) | Some(Tk::Open));
        match t.kind {
            Tk::Num(n) => {
                if self.last_is_operand() {
                    self.finish(toks, k, report);
                }
                self.decimals = n.decimals;
                self.push(Atom::Num { value: n.value, percent: n.percent }, t);
                self.units = 0;
            }
            Tk::Op(o) => {
                if o == b'/'
                    && self.last_is_operand()
                    && self.units > 0
                    && matches!(next, Some(Tk::Word(WordKind::Unit { .. })))
                {
                    self.skip_unit = true;
                } else if self.last_is_operand() || (matches!(o, b'-' | b'+') && !self.last_is_operand()) {
                    self.push(Atom::Op(o), t);
                    self.units = 0;
                } else {
                    self.finish(toks, k, report);
                }
            }
            Tk::Open => {
                // "3 (cats) + 9 (dogs)": words alone in brackets label a number.
                let label = toks.get(k.saturating_add(1)..).and_then(|r| {
                    let words = r.iter().take_while(|t| matches!(t.kind, Tk::Word(WordKind::Unit { .. }))).count();
                    (words > 0 && matches!(r.get(words).map(|t| t.kind), Some(Tk::Close))).then_some(words)
                });
                if let (Some(words), true) = (label, self.last_is_operand()) {
                    self.skip_to = k.saturating_add(words).saturating_add(2);
                    self.units = self.units.saturating_add(1);
                    return;
                }
                if self.last_is_operand() {
                    if self.units > 0 {
                        // "5 apples (the red ones)": an aside, not a product.
                        self.finish(toks, k, report);
                    } else {
                        self.push(Atom::Op(b'*'), t);
                    }
                }
                self.depth = self.depth.saturating_add(1);
                self.push(Atom::Open, t);
            }
            Tk::Close => {
                if self.depth > 0 && !matches!(self.atoms.last(), Some(Atom::Op(_)) | Some(Atom::Open)) {
                    self.depth = self.depth.saturating_sub(1);
                    self.push(Atom::Close, t);
                } else {
                    self.finish(toks, k, report);
                }
            }
            Tk::Eq { approx } => {
                self.approx |= approx;
                if self.atoms.is_empty() && !self.tainted {
                    return;
                }
                self.close_seg();
            }
            Tk::Word(kind) => self.word(kind, next_operand, toks, k, report),
            Tk::Break { .. } => self.finish(toks, k, report),
        }
    }

    fn word(&mut self, kind: WordKind, next_operand: bool, toks: &[Tok], k: usize, report: &mut Report) {
        let Some(t) = toks.get(k) else { return };
        if self.skip_unit {
            self.skip_unit = false;
            return;
        }
        let operand = self.last_is_operand();
        match kind {
            WordKind::X | WordKind::OpWord(_) if operand && next_operand => {
                let op = if let WordKind::OpWord(o) = kind { o } else { b'*' };
                self.push(Atom::Op(op), t);
                self.units = 0;
            }
            WordKind::Of if operand && next_operand && self.fraction_before() => {
                self.push(Atom::Op(b'*'), t);
                self.units = 0;
            }
            WordKind::Call => {
                // `3 and f(1) = ...`: the number before stays checkable.
                if operand {
                    self.finish(toks, k, report);
                }
                self.tainted = true;
            }
            WordKind::Var | WordKind::X => {
                if !self.atoms.is_empty()
                    || matches!(toks.get(k.saturating_add(1)).map(|n| n.kind), Some(Tk::Op(_)) | Some(Tk::Eq { .. }))
                {
                    self.tainted = true;
                }
            }
            WordKind::Unit { approx: true, .. } => {
                self.approx = true;
                if !operand && !self.atoms.is_empty() {
                    self.finish(toks, k, report);
                }
            }
            _ => {
                if operand && self.units < 3 {
                    if let WordKind::Unit { unit, .. } = kind {
                        self.note_unit(unit);
                    }
                    self.units = self.units.saturating_add(1);
                } else if !self.atoms.is_empty() || !self.segs.is_empty() {
                    self.finish(toks, k, report);
                }
            }
        }
    }

    /// A unit word right after a number: scale words multiply the number
    /// ("4 dozen"), measurement units are remembered to spot conversions.
    fn note_unit(&mut self, unit: u8) {
        let family = unit >> 4;
        if family == 0 {
            return;
        }
        if family == 0xf {
            if self.units == 0 {
                if let (Some(Atom::Num { value, .. }), Some(m)) =
                    (self.atoms.last_mut(), SCALES.get(usize::from(unit & 0xf)))
                {
                    *value *= m;
                }
            }
            return;
        }
        if let Some(seen) = self.families.get_mut(usize::from(family)) {
            if *seen == 0 {
                *seen = unit;
            } else if *seen != unit {
                self.mixed = true;
            }
        }
    }

    /// "25% of", "1/4 of", "(3/5) of": an "of" that multiplies.
    fn fraction_before(&self) -> bool {
        match self.atoms.as_slice() {
            [.., Atom::Num { percent: true, .. }] | [.., Atom::Close] => true,
            [.., Atom::Op(b'/'), Atom::Num { .. }] => true,
            [.., Atom::Num { value, .. }] => *value < 1.0,
            _ => false,
        }
    }

    fn close_seg(&mut self) {
        if self.atoms.is_empty() && !self.tainted {
            return;
        }
        let has_op = self.atoms.iter().any(|a| matches!(a, Atom::Op(_)));
        let bare = self.atoms.len() == 1;
        let lead = match self.atoms.as_slice() {
            [Atom::Num { value, .. }, Atom::Op(_), ..] => Some(*value),
            _ => None,
        };
        let frac = evaluate(&self.atoms, true);
        // The two readings differ only where a percentage appears.
        let percent = self.atoms.iter().any(|a| matches!(a, Atom::Num { percent: true, .. }));
        let plain = if percent { evaluate(&self.atoms, false) } else { frac };
        let valid = !self.tainted && self.depth == 0 && frac.is_some() && plain.is_some();
        self.segs.push(Seg {
            frac: frac.unwrap_or(f64::NAN),
            plain: plain.unwrap_or(f64::NAN),
            has_op,
            bare,
            lead,
            decimals: self.decimals,
            valid,
            start: self.seg_start,
            end: self.seg_end,
        });
        self.atoms.clear();
        self.tainted = false;
        self.depth = 0;
        self.units = 0;
    }

    /// End the chain at token `k`: compare each neighbouring pair.
    pub(super) fn finish(&mut self, toks: &[Tok], k: usize, report: &mut Report) {
        if self.atoms.is_empty() && self.segs.is_empty() && !self.tainted {
            self.approx = false;
            self.skip_unit = false;
            self.mixed = false;
            self.families = [0; 6];
            return;
        }
        self.close_seg();
        // "(rounded to two decimal places)" right after a result.
        for t in toks.iter().skip(k).take(10) {
            match t.kind {
                Tk::Word(WordKind::Unit { approx: true, .. }) | Tk::Eq { approx: true } => self.approx = true,
                Tk::Break { line: true } => break,
                _ => {}
            }
        }
        let segs = std::mem::take(&mut self.segs);
        if segs.len() == 1 {
            if let Some(s) = segs.first() {
                if s.valid && s.has_op {
                    report.open_exprs.push((s.frac, s.start, s.end));
                }
            }
        }
        let mut any_op = false;
        for (i, pair) in segs.windows(2).enumerate() {
            let &[a, b] = pair else { continue };
            any_op |= a.has_op || b.has_op;
            if !(a.valid && b.valid) || !(a.has_op || b.has_op) || (i == 0 && a.bare) || self.mixed {
                continue;
            }
            // `a + b = 96 / 3`: the writer carried on from a's result.
            let carried = a.has_op && b.lead.is_some_and(|l| (l - a.frac).abs() <= 0.005 * a.frac.abs().max(1.0));
            if carried {
                continue;
            }
            report.checked = report.checked.saturating_add(1);
            if !agrees(&a, &b, self.approx) {
                report.wrong = report.wrong.saturating_add(1);
                if report.first_wrong.is_none() {
                    let (claimed, actual) = if b.bare || !a.bare { (b.plain, a.frac) } else { (a.plain, b.frac) };
                    report.first_wrong = Some(Claim { start: a.start, end: b.end, claimed, actual });
                }
            }
        }
        if any_op {
            if let Some(last) = segs.last().filter(|s| s.valid) {
                let v = if last.bare { last.plain } else { last.frac };
                report.last_value = Some((v, last.end));
                report.results.push(v);
            }
        }
        self.segs = segs;
        self.segs.clear();
        self.approx = false;
        self.skip_unit = false;
        self.mixed = false;
        self.families = [0; 6];
    }
}

/// Whether two neighbouring segments state the same value, allowing the
/// rounding the writer's shown precision implies and either reading of `%`.
fn agrees(a: &Seg, b: &Seg, approx: bool) -> bool {
    let shown = if b.bare {
        Some(b.decimals)
    } else if a.bare {
        Some(a.decimals)
    } else {
        None
    };
    let pairs = [(a.frac, b.frac), (a.plain, b.plain), (a.frac, b.plain), (a.plain, b.frac)];
    pairs.iter().any(|&(x, y)| {
        let diff = (x - y).abs();
        let scale = x.abs().max(y.abs()).max(1.0);
        if diff <= 1e-9 * scale {
            return true;
        }
        if approx && diff <= 0.02 * scale {
            return true;
        }
        match shown {
            Some(d) => {
                let unit = 10f64.powi(i32::from(d.min(12)).wrapping_neg());
                // Rounded half a unit either way, or truncated by one unit.
                diff <= 0.5 * unit * 1.02 + 1e-9 * scale || (d > 0 && diff < unit && x.abs() >= y.abs())
            }
            None => diff <= 1e-6 * scale,
        }
    })
}

/// Evaluate atoms with precedence. `frac` reads `12%` as 0.12, otherwise 12.
fn evaluate(atoms: &[Atom], frac: bool) -> Option<f64> {
    let mut p = Parser { atoms, pos: 0, frac, depth: 0 };
    let v = p.expr()?;
    (p.pos == atoms.len() && v.is_finite()).then_some(v)
}

struct Parser<'a> {
    atoms: &'a [Atom],
    pos: usize,
    frac: bool,
    depth: u32,
}

impl Parser<'_> {
    fn peek(&self) -> Option<Atom> {
        self.atoms.get(self.pos).copied()
    }

    fn expr(&mut self) -> Option<f64> {
        let mut v = self.term()?;
        while let Some(Atom::Op(o @ (b'+' | b'-'))) = self.peek() {
            self.pos = self.pos.saturating_add(1);
            let r = self.term()?;
            v = if o == b'+' { v + r } else { v - r };
        }
        Some(v)
    }

    fn term(&mut self) -> Option<f64> {
        let mut v = self.unary()?;
        while let Some(Atom::Op(o @ (b'*' | b'/'))) = self.peek() {
            self.pos = self.pos.saturating_add(1);
            let r = self.unary()?;
            v = if o == b'*' {
                v * r
            } else if r == 0.0 {
                return None;
            } else {
                v / r
            };
        }
        Some(v)
    }

    fn unary(&mut self) -> Option<f64> {
        // Signs are counted in a loop: "- - - - 1" must not recurse.
        let mut negate = false;
        while let Some(Atom::Op(o @ (b'-' | b'+'))) = self.peek() {
            negate ^= o == b'-';
            self.pos = self.pos.saturating_add(1);
        }
        let v = self.power()?;
        Some(if negate { -v } else { v })
    }

    fn power(&mut self) -> Option<f64> {
        let base = self.primary()?;
        if let Some(Atom::Op(b'^')) = self.peek() {
            self.pos = self.pos.saturating_add(1);
            self.depth = self.depth.saturating_add(1);
            if self.depth > 32 {
                return None;
            }
            let e = self.unary()?;
            self.depth = self.depth.saturating_sub(1);
            if e.abs() > 64.0 {
                return None;
            }
            return Some(base.powf(e));
        }
        Some(base)
    }

    fn primary(&mut self) -> Option<f64> {
        match self.peek()? {
            Atom::Num { value, percent } => {
                self.pos = self.pos.saturating_add(1);
                Some(if percent && self.frac { value / 100.0 } else { value })
            }
            Atom::Open => {
                self.depth = self.depth.saturating_add(1);
                if self.depth > 32 {
                    return None;
                }
                self.pos = self.pos.saturating_add(1);
                let v = self.expr()?;
                if self.peek() != Some(Atom::Close) {
                    return None;
                }
                self.pos = self.pos.saturating_add(1);
                self.depth = self.depth.saturating_sub(1);
                Some(v)
            }
            _ => None,
        }
    }
}
