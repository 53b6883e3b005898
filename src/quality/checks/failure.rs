//! The ways a draft fails regardless of topic: nothing there, cut off,
//! refused, unsure of itself, stuck in a loop, or in the wrong language.

use super::{fixed, outcome, ramp, Ctx};
use crate::quality::lexicon::{APPROX, BACKTRACK, DANGLING, HEDGE, PHRASE};
use crate::quality::numbers::parse_number;
use crate::quality::request::Target;
use crate::quality::text::{Script, Text, K_ALPHA, K_DIGITS, K_UPPER, SYM_BACKTICK, SYM_LT, SYM_PIPE};
use crate::quality::{CheckOutcome, Domain};
use crate::types::FinishReason;

/// Empty, cut off by the token limit, or visibly stopped mid-way.
pub(crate) fn completeness(ctx: &Ctx) -> CheckOutcome {
    let input = ctx.input;
    if ctx.answer.is_blank() && input.tool_calls.is_empty() {
        return outcome("completeness", 0.0, 1.0, true, "the draft is empty".into());
    }
    match input.finish_reason {
        FinishReason::Length => {
            return outcome("completeness", 0.0, 1.0, true, "the draft hit the token limit and is cut off".into())
        }
        FinishReason::ContentFilter => {
            return outcome("completeness", 0.0, 1.0, true, "the provider's content filter stopped the draft".into())
        }
        _ => {}
    }
    if let Some(why) = cut_off(&ctx.answer) {
        // "I will update the list:" followed by tool calls is a lead-in
        // that the calls complete, not a sentence cut short.
        let lead_in = !input.tool_calls.is_empty() && ctx.answer.raw.trim_end().ends_with(':');
        if !lead_in {
            return outcome("completeness", 0.05, 1.0, true, format!("the draft stops mid-way ({why})"));
        }
    }
    outcome("completeness", 1.0, 0.0, false, String::new())
}

/// Signs that text ends where its writer did not mean it to.
pub(crate) fn cut_off(t: &Text) -> Option<&'static str> {
    let raw = t.raw.trim_end();
    let bytes = raw.as_bytes();
    let last = *bytes.last()?;
    if t.has_symbol(SYM_BACKTICK) && raw.matches("```").count() % 2 == 1 {
        return Some("a code block is never closed");
    }
    if t.has_symbol(SYM_LT) {
        if let Some(open) = raw.rfind("<<") {
            if !raw.get(open..).is_some_and(|r| r.contains(">>")) {
                return Some("an unfinished calculation");
            }
        }
    }
    match last {
        b'+' | b'=' | b'(' | b'[' | b'{' | b',' | b'\\' | b'<' => return Some("it ends on an open expression"),
        b'-' if bytes.len() > 1 && bytes.get(bytes.len().saturating_sub(2)) == Some(&b' ') => {
            return Some("it ends on an open expression")
        }
        b'*' if bytes.len() > 1 && bytes.get(bytes.len().saturating_sub(2)) == Some(&b' ') => {
            return Some("it ends on an open expression")
        }
        b':' if t.len() > 3 => return Some("it promises more and stops"),
        _ => {}
    }
    // A number cut in its digit groups: "88,00".
    let tail_start = bytes
        .iter()
        .rposition(|b| !(b.is_ascii_digit() || *b == b',' || *b == b'.'))
        .map_or(0, |p| p.saturating_add(1));
    if bytes.get(tail_start).is_some_and(u8::is_ascii_digit) {
        if let Some(n) = parse_number(bytes, tail_start) {
            if n.broken {
                return Some("a number is cut short");
            }
        }
    }
    let w = t.words.last()?;
    let ends_on_word = w.end as usize >= raw.len();
    if ends_on_word && w.has(DANGLING) && !w.is(K_UPPER) && t.len() >= 6 {
        return Some("the last sentence is unfinished");
    }
    None
}

/// A phrase with the hash of its first word, so a scan compares one
/// integer per word and only spells out the phrase on a hit.
type Phrase = (u32, &'static [&'static str]);

macro_rules! ph {
    ($first:literal $(, $rest:literal)*) => {
        (crate::quality::lexicon::hash($first), &[$first $(, $rest)*])
    };
}

const REFUSALS: &[Phrase] = &[
    ph!("i", "can", "t", "help"),
    ph!("i", "cannot", "help"),
    ph!("i", "can", "t", "assist"),
    ph!("i", "cannot", "assist"),
    ph!("i", "m", "unable", "to"),
    ph!("i", "am", "unable", "to"),
    ph!("i", "m", "not", "able", "to"),
    ph!("i", "am", "not", "able", "to"),
    ph!("i", "won", "t", "be", "able"),
    ph!("i", "can", "t", "provide"),
    ph!("i", "cannot", "provide"),
    ph!("i", "can", "t", "do", "that"),
    ph!("i", "cannot", "do", "that"),
    ph!("i", "can", "t", "comply"),
    ph!("i", "cannot", "comply"),
    ph!("i", "must", "decline"),
    ph!("i", "have", "to", "decline"),
    ph!("as", "an", "ai"),
    ph!("as", "a", "language", "model"),
    ph!("as", "an", "artificial", "intelligence"),
    ph!("i", "m", "sorry", "but"),
    ph!("i", "am", "sorry", "but"),
    ph!("sorry", "but", "i"),
    ph!("i", "apologize", "but"),
    ph!("i", "can", "t", "answer"),
    ph!("i", "cannot", "answer"),
    ph!("i", "can", "t", "fulfill"),
    ph!("i", "cannot", "fulfill"),
    ph!("i", "m", "not", "allowed"),
    ph!("i", "don", "t", "have", "access"),
    ph!("i", "do", "not", "have", "access"),
    ph!("i", "can", "t", "browse"),
    ph!("i", "cannot", "browse"),
    ph!("i", "don", "t", "have", "real", "time"),
    ph!("i", "do", "not", "have", "real", "time"),
];

const UNSURE: &[Phrase] = &[
    ph!("i", "don", "t", "know"),
    ph!("i", "do", "not", "know"),
    ph!("i", "m", "not", "sure"),
    ph!("i", "am", "not", "sure"),
    ph!("i", "m", "not", "certain"),
    ph!("i", "am", "not", "certain"),
    ph!("no", "idea"),
    ph!("cannot", "be", "determined"),
    ph!("can", "t", "be", "determined"),
    ph!("cannot", "determine"),
    ph!("can", "t", "determine"),
    ph!("unable", "to", "determine"),
    ph!("not", "enough", "information"),
    ph!("insufficient", "information"),
    ph!("i", "don", "t", "have", "enough"),
    ph!("hard", "to", "say"),
    ph!("difficult", "to", "say"),
    ph!("impossible", "to", "determine"),
    ph!("impossible", "to", "know"),
    ph!("it", "depends"),
];

/// First word index at or after `from` where any phrase of `set` starts.
fn find_phrase(t: &Text, set: &[Phrase], from: usize, to: usize) -> Option<usize> {
    let words = t.words.get(from..to.min(t.len()))?;
    // Most words cannot open a phrase: one flag test each, no indexing.
    words
        .iter()
        .enumerate()
        .filter(|(_, w)| w.has(PHRASE))
        .find(|&(k, w)| set.iter().any(|(h, p)| *h == w.hash && t.phrase_at(from.saturating_add(k), p)))
        .map(|(k, _)| from.saturating_add(k))
}

/// The draft's words from `i`, a few of them, for a reason line.
fn phrase_quote(a: &Text, i: usize) -> String {
    let start = a.words.get(i).map_or(0, |w| w.start as usize);
    let end = a.words.get(i.saturating_add(3)).map_or(a.raw.len(), |w| w.end as usize);
    super::quote(a.raw, start, end)
}

/// Refusals, "I don't know", and a short answer that dodges a real question.
pub(crate) fn refusal(ctx: &Ctx) -> Option<CheckOutcome> {
    let a = &ctx.answer;
    let n = a.len();
    if let Some(i) = find_phrase(a, REFUSALS, 0, 40) {
        let detail = format!("the draft declines to answer (\"{}…\")", phrase_quote(a, i));
        return Some(if n <= 60 {
            outcome("refusal", 0.0, 1.0, true, detail)
        } else {
            outcome("refusal", 0.45, 1.0, false, detail)
        });
    }
    if let Some(i) = find_phrase(a, UNSURE, 0, n) {
        let detail = format!("the draft says it is unsure (\"{}…\")", phrase_quote(a, i));
        return Some(if n <= 40 {
            outcome("refusal", 0.2, 1.0, false, detail)
        } else {
            outcome("refusal", 0.7, 0.6, false, detail)
        });
    }
    // A draft too short for its question is the depth check's business.
    None
}

/// How often the draft softens or corrects itself, per word.
pub(crate) fn hedging(ctx: &Ctx) -> Option<CheckOutcome> {
    let a = &ctx.answer;
    if a.len() < 3 {
        return None;
    }
    // Self-correction matters where there is a single right answer.
    let exact = ctx.intent.wants_number() || ctx.domain == Domain::Math;
    let mut hedges = 0u32;
    let mut backtracks = 0u32;
    // "approximately 42.2 km" states a precision, not a doubt, unless the
    // question is worked from several whole numbers and so has an exact answer.
    let intent = &ctx.intent;
    let exact_problem = intent.quantities.len() >= 2 && !intent.has_decimals;
    for (i, w) in a.words.iter().enumerate() {
        if w.flags & (HEDGE | BACKTRACK) == 0 {
            continue;
        }
        let precision =
            !exact_problem && w.has(APPROX) && a.words.get(i.saturating_add(1)).is_some_and(|n| n.is(K_DIGITS));
        hedges = hedges.saturating_add(u32::from(w.has(HEDGE) && !precision));
        backtracks = backtracks.saturating_add(u32::from(exact && w.has(BACKTRACK)));
    }
    if hedges.saturating_add(backtracks) == 0 {
        return None;
    }
    let density = f64::from(hedges.saturating_add(backtracks.saturating_mul(2))) / (a.len().max(40) as f64);
    let score = 1.0 / (1.0 + 14.0 * density);
    let detail = format!("{hedges} hedge(s) and {backtracks} self-correction(s) in {} words", a.len());
    Some(outcome("hedging", score, 1.0, false, detail))
}

/// Loops and degeneration: repeated word triples, lines, or one word.
pub(crate) fn repetition(ctx: &Ctx) -> Option<CheckOutcome> {
    let a = &ctx.answer;
    let n = a.len();
    if n < 10 {
        return None;
    }
    let mut run = 1u32;
    let mut max_run = 1u32;
    for w in a.words.windows(2) {
        let [x, y] = w else { continue };
        if x.hash == y.hash && x.is(K_ALPHA) {
            run = run.saturating_add(1);
            max_run = max_run.max(run);
        } else {
            run = 1;
        }
    }
    let mut dup = 0u32;
    let mut sampled = 0u32;
    if n >= 30 {
        // Half the triples, chosen by their own hash: identical triples are
        // always both in or both out, so the repeat rate is estimated fairly
        // at half the cost.
        let size = n.next_power_of_two();
        let mut table = vec![0u32; size];
        for w in a.words.windows(3) {
            let [x, y, z] = w else { continue };
            let h = x.hash.wrapping_mul(0x9e37_79b1) ^ y.hash.rotate_left(11) ^ z.hash.rotate_left(22);
            if h & 0x100 != 0 {
                continue;
            }
            sampled = sampled.saturating_add(1);
            let h = h | 1;
            let mut s = h as usize & size.saturating_sub(1);
            loop {
                match table.get(s).copied() {
                    Some(0) => {
                        if let Some(slot) = table.get_mut(s) {
                            *slot = h;
                        }
                        break;
                    }
                    Some(x) if x == h => {
                        dup = dup.saturating_add(1);
                        break;
                    }
                    Some(_) => s = s.saturating_add(1) & size.saturating_sub(1),
                    None => break,
                }
            }
        }
    }
    let ratio = if sampled >= 10 { f64::from(dup) / f64::from(sampled) } else { 0.0 };
    let lenient = ctx.domain == Domain::Code || ctx.answer_has_code || a.has_symbol(SYM_PIPE);
    // Worked solutions and lists repeat their phrasing step to step (20-30%
    // of triples); loops repeat far more.
    let numeric = ctx.intent.wants_number() || ctx.domain == Domain::Math;
    let (lo, hi) = if lenient || numeric { (0.45, 0.85) } else { (0.35, 0.75) };
    let score = ramp(ratio, lo, 1.0, hi, 0.05);
    let looped = (ratio >= (lo + hi) / 2.0 + 0.1 && n >= 60) || max_run >= 10;
    if score >= 1.0 && !looped {
        return None;
    }
    let detail = if max_run >= 10 {
        format!("one word repeats {max_run} times in a row")
    } else {
        format!("{}% of word triples repeat", fixed(ratio * 100.0, 0))
    };
    Some(outcome("repetition", if looped { score.min(0.1) } else { score }, 1.0, looped, detail))
}

/// Which of English and five other European languages a text is in, by
/// counting function words; `None` when it is too short or too mixed.
fn latin_language(t: &Text) -> Option<usize> {
    let counts = t.langs;
    let (best, &top) = counts.iter().enumerate().max_by_key(|(_, c)| **c)?;
    let second = counts.iter().enumerate().filter(|(i, _)| *i != best).map(|(_, c)| *c).max().unwrap_or(0);
    (top >= 3 && f64::from(top) >= 1.6 * f64::from(second)).then_some(best)
}

const NAMES: [&str; 6] = ["English", "Spanish", "French", "German", "Portuguese", "Italian"];

fn lang_name(i: usize) -> &'static str {
    NAMES.get(i).copied().unwrap_or("?")
}

/// The draft is in another script or language than the question, or than
/// the language the query asked for.
pub(crate) fn language(ctx: &Ctx) -> Option<CheckOutcome> {
    if ctx.answer_has_code {
        return None;
    }
    if let Some(t) = ctx.intent.target {
        return in_target(&ctx.answer, t);
    }
    if ctx.domain == Domain::Translation || ctx.intent.names_language || ctx.domain == Domain::Code {
        return None;
    }
    let (q, a) = (&ctx.query, &ctx.answer);
    let qs = q.dominant_script().filter(|s| s.1 >= 4)?;
    let as_ = a.dominant_script().filter(|s| s.1 >= 8)?;
    if qs.0 != as_.0 && qs.0 != Script::Other && as_.0 != Script::Other {
        let share = f64::from(as_.1) / f64::from(a.letters().max(1));
        if share > 0.6 {
            let detail = format!("asked in {:?} script, answered in {:?}", qs.0, as_.0);
            return Some(outcome("language", 0.15, 1.0, false, detail));
        }
        return None;
    }
    if qs.0 == Script::Latin && q.len() >= 5 && a.len() >= 8 {
        if let (Some(ql), Some(al)) = (latin_language(q), latin_language(a)) {
            if ql != al {
                let detail = format!("asked in {}, answered in {}", lang_name(ql), lang_name(al));
                return Some(outcome("language", 0.2, 1.0, false, detail));
            }
        }
    }
    None
}

/// A translation into Spanish should be in Spanish. Only a draft with
/// next to nothing in the target language is doubted: answers often wrap
/// the translation in a sentence of the question's language ("In Spanish:
/// «...»"), and the translation itself can be a couple of words.
fn in_target(a: &Text, t: Target) -> Option<CheckOutcome> {
    let (script, letters) = a.dominant_script()?;
    if letters < 4 {
        return None;
    }
    let seen = |s: Script| a.letters_of(s);
    let present = match t.script {
        // Japanese is written in kana and kanji together.
        Script::Kana => seen(Script::Kana).saturating_add(seen(Script::Han)) >= 2,
        Script::Han => seen(Script::Han) >= 2,
        s => seen(s) >= 4,
    };
    if !present {
        let share = f64::from(letters) / f64::from(a.letters().max(1));
        if share > 0.6 && script != Script::Other {
            let detail = format!("{} was asked for, the draft is in {:?} script", t.name, script);
            return Some(outcome("language", 0.2, 1.0, false, detail));
        }
        return None;
    }
    let wanted = t.words?;
    let other = latin_language(a).filter(|&l| l != wanted)?;
    let few = a.langs.get(wanted).copied().unwrap_or(0) < 2;
    few.then(|| {
        let detail = format!("{} was asked for, the draft is in {}", lang_name(wanted), lang_name(other));
        outcome("language", 0.25, 1.0, false, detail)
    })
}

#[cfg(test)]
#[path = "failure_tests.rs"]
mod tests;
