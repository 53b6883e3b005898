//! Does the draft do as much as the question asks?
//!
//! A cheap model's favourite failure on hard questions is not a wrong
//! sentence but a thin one: "Raft elects a leader by voting." is true and
//! answers nothing that was asked. No single sentence gives that away, but
//! the length of the draft against the demand of the question does. The
//! demand grows with how hard the query is, with explicit requests for
//! depth ("explain", "in detail", "compare"), and with the number of
//! separate things asked; a brevity request switches it off, and so do
//! questions that want a value or a name, where the shortest correct
//! answer is the best one ("4", "Paris", "O((V + E) log V)"). The verdict
//! is graded: a draft at a third of the demand loses a little, one at a
//! tenth loses a lot. Separately asked parts that the draft never touches
//! cost more the shorter the draft is.

use super::{find_stems, outcome, ramp, Ctx};
use crate::quality::intent::{content_word, Expect};
use crate::quality::lexicon::{any_of, hash, AUX, BRIEF, DEEP, ELABORATE, LOOKUP, QWORD, REASON};
use crate::quality::request::inside;
use crate::quality::text::{Text, K_CJK, K_DIGITS, K_SENT};
use crate::quality::{CheckOutcome, Complexity, Domain};

/// Verbs that open a separate request when they start a clause.
const ASK_VERBS: [u32; 24] = [
    hash("explain"),
    hash("describe"),
    hash("compare"),
    hash("contrast"),
    hash("discuss"),
    hash("analyze"),
    hash("analyse"),
    hash("evaluate"),
    hash("justify"),
    hash("assess"),
    hash("list"),
    hash("give"),
    hash("provide"),
    hash("name"),
    hash("suggest"),
    hash("outline"),
    hash("prove"),
    hash("derive"),
    hash("design"),
    hash("show"),
    hash("recommend"),
    hash("identify"),
    hash("propose"),
    hash("illustrate"),
];
/// Words that join a new request onto the last: "..., and why ...".
const JOINERS: [u32; 5] = [hash("and"), hash("or"), hash("then"), hash("also"), hash("but")];
/// Depth words that only ask for coverage, not for length.
const MILD: [u32; 2] = [hash("describe"), hash("outline")];
/// Words before "N words" that make it a length to write to.
const ABOUT: [u32; 6] = [hash("in"), hash("within"), hash("under"), hash("about"), hash("around"), hash("than")];
const MAX_PARTS: usize = 6;
const HOW: u32 = hash("how");
const TO: u32 = hash("to");
const WORDS: u32 = hash("words");
/// "in one sentence", "a single line", "a few words".
const UNITS_OF_TEXT: [u32; 3] = [hash("sentence"), hash("word"), hash("line")];
/// Words of a request for code, whose answer is measured by the code.
const CODE_VERBS: [u32; 12] = [
    hash("write"),
    hash("implement"),
    hash("create"),
    hash("build"),
    hash("fix"),
    hash("debug"),
    hash("refactor"),
    hash("snippet"),
    hash("function"),
    hash("script"),
    hash("program"),
    hash("code"),
];

/// What the question asks of the draft.
struct Demand {
    /// About how many words a complete answer takes.
    words: f64,
    /// Word index (into the query) where each separately asked part starts.
    parts: [usize; MAX_PARTS],
    count: usize,
    /// An explicit request for depth ("in detail", "precisely").
    strong: bool,
}

/// Where a clause opens a new request: the query's first word, a sentence
/// start, or right after a comma, a semicolon or a joining "and".
fn opens_clause(q: &Text, i: usize, first: usize) -> bool {
    let Some(w) = q.words.get(i) else { return false };
    if i == first || w.is(K_SENT) {
        return true;
    }
    let Some(prev) = i.checked_sub(1).and_then(|k| q.words.get(k)) else { return true };
    let gap = q.raw.as_bytes().get(prev.end as usize..w.start as usize).unwrap_or(&[]);
    gap.iter().any(|&b| b == b',' || b == b';') || any_of(prev.hash, &JOINERS)
}

fn asks(q: &Text, i: usize) -> bool {
    q.words.get(i).is_some_and(|w| w.has(QWORD) || any_of(w.hash, &ASK_VERBS))
}

fn demand(ctx: &Ctx) -> Option<Demand> {
    let q = &ctx.query;
    let passage = ctx.intent.passage;
    let first = q.words.iter().position(|w| !inside(passage, w))?;
    let mut d = Demand { words: 0.0, parts: [first; MAX_PARTS], count: 1, strong: false };
    let (mut cue, mut brief, mut commas, mut explain) = (false, false, 0u32, false);
    let mut asked = false;
    let mut stated = None;
    for (i, w) in q.words.iter().enumerate().skip(first) {
        if inside(passage, w) {
            continue;
        }
        let next = q.words.get(i.saturating_add(1));
        cue |= w.has(REASON | DEEP | ELABORATE);
        explain |= w.has(REASON | DEEP);
        d.strong |= w.has(ELABORATE) && !any_of(w.hash, &MILD);
        brief |= w.has(BRIEF);
        // "How does it work?", "How to ...": a mechanism or a procedure.
        cue |= w.hash == HOW && next.is_some_and(|n| n.has(AUX) || n.hash == TO);
        // "in one sentence", "a few words", "in 50 words": a length is set.
        if next.is_some_and(|n| any_of(n.hash, &UNITS_OF_TEXT)) {
            brief |= ["one", "a", "single", "two", "few"].iter().any(|p| q.word(w).eq_ignore_ascii_case(p));
        }
        let before = i.checked_sub(1).and_then(|k| q.words.get(k)).map_or(0, |p| p.hash);
        if w.is(K_DIGITS) && next.is_some_and(|n| n.hash == WORDS) && any_of(before, &ABOUT) {
            stated = crate::decimal::parse_f64(q.word(w)).filter(|n| (5.0..=5000.0).contains(n));
        }
        if opens_clause(q, i, first) && asks(q, i) {
            if let Some(slot) = d.parts.get_mut(d.count).filter(|_| asked) {
                *slot = i;
                d.count = d.count.saturating_add(1);
            }
            asked = true;
        }
        let gap = next.and_then(|n| q.raw.as_bytes().get(w.end as usize..n.start as usize)).unwrap_or(&[]);
        commas = commas.saturating_add(u32::from(gap.contains(&b',') && !asks(q, i.saturating_add(1))));
    }
    // A question after a value or a name is answered by that value or name,
    // however hard it is to find ("4", "Paris", "O(E log V)"), unless it
    // also asks for the reasoning in detail.
    let wants_value = !matches!(ctx.intent.expect, Expect::Anything);
    if brief || (wants_value && !(d.strong && explain)) {
        return None;
    }
    if let Some(n) = stated {
        d.words = 0.6 * n;
        return Some(d);
    }
    if !(cue || d.count >= 2) {
        return None;
    }
    let mut words = 12.0 + 30.0 * ctx.complexity_score;
    if d.strong {
        words *= 1.4;
    }
    words *= 1.0 + 0.3 * d.count.saturating_sub(1) as f64;
    words *= 1.0 + 0.08 * f64::from(commas.min(4));
    d.words = words.min(220.0);
    Some(d)
}

/// How many of the separately asked parts the draft never touches.
fn missing_parts(ctx: &Ctx, d: &Demand) -> usize {
    let q = &ctx.query;
    let parts = d.parts.get(..d.count).unwrap_or(&[]);
    let start = parts.first().copied().unwrap_or(0);
    let part_of = |i: usize| parts.iter().rposition(|&p| p <= i).unwrap_or(0);
    // Each part is judged by its own topic words, not those it shares with
    // the rest: up to 64 (stem, part) pairs, then one pass over the draft.
    let mut stems = [0u32; 64];
    let mut owner = [0usize; 64];
    let mut n = 0;
    for (i, w) in q.words.iter().enumerate().skip(start) {
        if n == stems.len() || !content_word(q, i) || inside(ctx.intent.passage, w) {
            continue;
        }
        let p = part_of(i);
        let shared = q.words.iter().enumerate().skip(start).any(|(k, o)| o.stem == w.stem && part_of(k) != p);
        if let (false, Some(s), Some(o)) = (shared, stems.get_mut(n), owner.get_mut(n)) {
            *s = w.stem;
            *o = p;
            n = n.saturating_add(1);
        }
    }
    let found = find_stems(&ctx.answer, stems.get(..n).unwrap_or(&[]), false);
    (0..parts.len())
        .filter(|&p| {
            let own = owner.iter().take(n).enumerate().filter(|&(_, &o)| o == p).map(|(k, _)| k);
            let mut own = own.peekable();
            own.peek().is_some() && own.all(|k| found & 1 << k == 0)
        })
        .count()
}

/// Words of the draft, an ideograph counting as half a word.
fn words(t: &Text) -> f64 {
    let cjk = t.words.iter().filter(|w| w.is(K_CJK)).count();
    t.len().saturating_sub(cjk) as f64 + cjk as f64 / 2.0
}

pub(crate) fn depth(ctx: &Ctx) -> Option<CheckOutcome> {
    let a = &ctx.answer;
    let structured = ctx.answer_has_code || ctx.intent.wants_json || ctx.input.response_format.is_some();
    // Programs, translations, summaries and poems have their own measure
    // of enough; a conceptual question about code ("compare Python and Go")
    // does not.
    let writes_code = ctx.domain == Domain::Code && ctx.query.words.iter().any(|w| any_of(w.hash, &CODE_VERBS));
    let own_rules = writes_code || matches!(ctx.domain, Domain::Translation | Domain::Summarization | Domain::Creative);
    if a.is_blank() || structured || own_rules || ctx.intent.passage.is_some() || !ctx.input.tool_calls.is_empty() {
        return None;
    }
    let Some(d) = demand(ctx) else { return too_short(ctx) };
    let n = words(a);
    let ratio = n / d.words.max(1.0);
    let (shown, wanted) = (n.round() as u32, d.words.round() as u32);
    let length = ramp(ratio, 0.1, 0.3, 0.6, 1.0);
    // Pairwise part comparison is quadratic: only for questions of a sane length.
    let missing = if d.count >= 2 && ratio < 1.0 && ctx.query.len() <= 200 { missing_parts(ctx, &d) } else { 0 };
    let coverage = 1.0 - 0.4 * (missing as f64 / d.count as f64) * (1.0 - ratio);
    let score = length * coverage;
    if score >= 1.0 {
        return None;
    }
    let asked = match (d.strong, d.count) {
        (true, 1) => "asks for detail".to_string(),
        (true, c) => format!("asks {c} things in detail"),
        (false, 1) => "asks for an explanation".to_string(),
        (false, c) => format!("asks {c} things"),
    };
    let detail = if coverage < length {
        format!("the question {asked}, and the draft leaves {missing} of them untouched in {shown} words")
    } else {
        format!("the question {asked}, which takes about {wanted} words; the draft has {shown}")
    };
    Some(outcome("depth", score, 1.0, false, detail))
}

/// A few words for a question that is not a lookup and not after a value
/// is a dodge, even without an explicit request for depth.
fn too_short(ctx: &Ctx) -> Option<CheckOutcome> {
    let q = &ctx.query;
    let fact = q.words.iter().any(|w| w.has(LOOKUP)) || q.words.first().is_some_and(|w| w.has(QWORD));
    let open = ctx.intent.expect == Expect::Anything && !fact;
    (open && ctx.answer.len() <= 4 && ctx.complexity >= Complexity::Moderate)
        .then(|| outcome("depth", 0.35, 1.0, false, "the draft is far too short for the question".into()))
}

#[cfg(test)]
#[path = "depth_tests.rs"]
mod tests;
