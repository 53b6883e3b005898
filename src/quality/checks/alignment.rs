//! Does the draft answer *this* question?
//!
//! Word overlap alone is a trap: "Paris" shares no word with "What is the
//! capital of France?" and is perfect, while a fluent paragraph can repeat
//! the question's words and say nothing. So the check asks what kind of
//! answer the question needs (a number, a year, a name, yes or no), works
//! out simple arithmetic itself, and only looks at topic words when the
//! draft is long enough that it should mention what it is about.

use super::math::extract;
use super::{find_stems, num, outcome, Ctx};
use crate::quality::intent::{content_word, Expect};
use crate::quality::lexicon::{MONTH, NUMWORD, STOP, YESNO};
use crate::quality::numbers::numbers_in;
use crate::quality::text::{Text, K_ALPHA, K_DIGITS, K_SENT, K_UPPER};
use crate::quality::{CheckOutcome, Domain};

/// A draft word that reads as a proper name.
fn name_like(a: &Text, i: usize) -> bool {
    let Some(w) = a.words.get(i) else { return false };
    if !w.is(K_UPPER) || !w.is(K_ALPHA) || w.has(STOP) {
        return false;
    }
    let next_upper =
        a.words.get(i.saturating_add(1)).is_some_and(|n| n.is(K_UPPER) && n.start <= w.end.saturating_add(1));
    !w.is(K_SENT) || next_upper || a.len() <= 4
}

fn has_year(a: &Text) -> bool {
    a.words.iter().any(|w| {
        let len = w.end.saturating_sub(w.start);
        (w.is(K_DIGITS) && (2..=4).contains(&len)) || w.has(MONTH)
    })
}

/// Does the draft give the kind of answer asked for? `None` when it does.
fn kind_mismatch(ctx: &Ctx) -> Option<(f64, String)> {
    let a = &ctx.answer;
    match ctx.intent.expect {
        Expect::Number => {
            let any = a.words.iter().any(|w| w.is(K_DIGITS) || w.has(NUMWORD));
            (!any).then(|| (0.2, "the question asks for a number and the draft gives none".into()))
        }
        Expect::Year => (!has_year(a)).then(|| (0.3, "the question asks when, and the draft gives no date".into())),
        Expect::Person | Expect::Place => {
            let any = (0..a.len()).any(|i| name_like(a, i));
            let what = if ctx.intent.expect == Expect::Person { "who" } else { "where" };
            (!any).then(|| (0.35, format!("the question asks {what}, and the draft names no one and nowhere")))
        }
        Expect::YesNo => {
            let head = a.words.iter().take(10).any(|w| w.has(YESNO));
            (!head && a.len() < 40).then(|| (0.8, "a yes/no question without a clear yes or no".into()))
        }
        Expect::Anything => None,
    }
}

/// Simple arithmetic in the question is worked out here and compared.
fn arithmetic(ctx: &Ctx) -> Option<(f64, bool, String)> {
    let expected = ctx.intent.arithmetic?;
    let a = &ctx.answer;
    let mut seen = Vec::new();
    numbers_in(a, &mut seen);
    if seen.is_empty() {
        return None;
    }
    let close = |x: f64| (x - expected).abs() <= 1e-6 * expected.abs().max(1.0) + 0.005;
    let last = seen.last().copied();
    let stated = extract(a, &ctx.intent.quantities).map(|f| f.value);
    let right =
        last.is_some_and(close) || stated.is_some_and(close) || (a.len() >= 7 && seen.iter().any(|&x| close(x)));
    if right {
        return Some((1.0, false, format!("the arithmetic checks out ({})", num(expected))));
    }
    let says = stated.or(last).map_or_else(|| "something else".to_string(), num);
    Some((0.02, true, format!("wrong arithmetic: it is {}, the draft says {says}", num(expected))))
}

fn stem_hash(t: &Text, i: usize) -> Option<u32> {
    t.words.get(i).map(|w| w.stem)
}

/// Whether the draft mentions any of the question's topic words, and how
/// many distinct topic words the question has.
fn topic_coverage(ctx: &Ctx) -> Option<(bool, usize)> {
    let (q, a) = (&ctx.query, &ctx.answer);
    if a.len() < 12 || q.len() > 200 || matches!(ctx.domain, Domain::Translation | Domain::Creative) {
        return None;
    }
    // Code identifiers and JSON keys need not echo the question's words;
    // the format and tool checks judge those drafts.
    let structured = ctx.answer_has_code || ctx.intent.wants_json || ctx.input.response_format.is_some();
    if structured || !ctx.input.tool_calls.is_empty() {
        return None;
    }
    let mut seen = [0u32; 64];
    let mut topics = 0usize;
    for i in 0..q.len() {
        if !content_word(q, i) {
            continue;
        }
        let Some(h) = stem_hash(q, i) else { continue };
        let kept = seen.get(..topics.min(seen.len())).unwrap_or(&[]);
        if kept.contains(&h) {
            continue;
        }
        if let Some(slot) = seen.get_mut(topics) {
            *slot = h;
        }
        topics = topics.saturating_add(1);
    }
    if topics < 2 {
        return None;
    }
    let kept = seen.get(..topics.min(seen.len())).unwrap_or(&[]);
    Some((find_stems(a, kept, true) != 0, topics))
}

pub(crate) fn alignment(ctx: &Ctx) -> Option<CheckOutcome> {
    if ctx.answer.is_blank() || ctx.query.len() == 0 {
        return None;
    }
    if let Some((score, veto, detail)) = arithmetic(ctx) {
        return Some(outcome("alignment", score, 1.0, veto, detail));
    }
    // Independent doubts multiply: no name for "who" *and* no topic word
    // is worse than either alone.
    let mut score: f64 = 1.0;
    let mut detail = String::new();
    if let Some((s, d)) = kind_mismatch(ctx) {
        score = s;
        detail = d;
    }
    if let Some((hit, topics)) = topic_coverage(ctx) {
        // A draft long enough to say what it is about, that never touches
        // the question's topic, is off-topic. Answers to long questions
        // rightly mention only the details that matter, so two topic
        // words are enough whatever the question's length.
        // One shared word is enough: answers paraphrase ("bed" for "sleep").
        // Summaries may avoid even the names they summarise.
        let s = match hit {
            false if ctx.domain == Domain::Summarization => 0.75,
            false => 0.3,
            true => 1.0,
        };
        if s < 1.0 {
            if s < score {
                detail = format!("the draft mentions none of the question's {topics} topic words");
            }
            score *= s;
        }
    }
    if score >= 1.0 {
        return None;
    }
    Some(outcome("alignment", score, 1.0, false, detail))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quality::checks::testing::with;

    fn align(q: &str, a: &str) -> Option<CheckOutcome> {
        with(q, a, alignment)
    }

    #[test]
    fn short_correct_answers_pass() {
        assert!(align("What is the capital of France?", "Paris").is_none());
        assert!(align("What is the capital of France?", "The capital of France is Paris.").is_none());
        assert!(align("What is 2+2?", "4").is_some_and(|o| o.passed && o.score == 1.0));
        assert!(align("What is 2+2?", "2 + 2 equals four.").is_some_and(|o| o.passed));
        assert!(align("Who wrote Hamlet?", "William Shakespeare").is_none());
        assert!(align("Who wrote Hamlet?", "Hamlet was written by Shakespeare around 1600.").is_none());
        assert!(align("When did World War II end?", "It ended in 1945.").is_none());
        assert!(align("Is water wet?", "Yes.").is_none());
        assert!(align("How many legs does a spider have?", "Eight.").is_none());
    }

    #[test]
    fn wrong_or_off_topic_answers_fail() {
        let o = align("What is 2+2?", "5").unwrap();
        assert!(o.veto && o.detail.contains('4'));
        let o = align("What is 7 times 8?", "The answer is 54.").unwrap();
        assert!(o.veto);
        let off = "Bananas are a great source of potassium and can be eaten raw or cooked in many different delicious ways every day.";
        assert!(align("What is the capital of France?", off).is_some_and(|o| !o.passed));
        assert!(align(
            "How many moons does Mars have?",
            "Mars is a fascinating planet that has been studied by many missions."
        )
        .is_some_and(|o| !o.passed));
        assert!(align("Who painted the Mona Lisa?", "it is a very famous painting that hangs in a museum.")
            .is_some_and(|o| !o.passed));
        let drift = "Regular exercise improves cardiovascular health, strengthens muscles, and helps people sleep better at night.";
        assert!(align("How do vaccines train the immune system?", drift).is_some_and(|o| !o.passed));
    }

    #[test]
    fn long_on_topic_answers_pass() {
        let a = "Vaccines expose the immune system to a harmless piece or copy of a pathogen, so it builds antibodies and memory cells that respond quickly later.";
        assert!(align("How do vaccines train the immune system?", a).is_none());
    }
}
