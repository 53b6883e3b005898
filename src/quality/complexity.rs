//! How hard a query is, from its wording alone.
//!
//! Harder queries get stricter thresholds and a lower starting confidence,
//! because a cheap model's fluent answer is worth less the more reasoning
//! the question needs. The estimate is a continuous score (so rankings do
//! not collapse into five ties) that is then cut into the five levels.

use super::intent;
use super::lexicon::{any_of, CODELANG, COMPARATIVE, DEEP, REASON, RELATION, TECH};
use super::text::{Text, K_CJK, K_DIGITS};
use super::Complexity;

/// Continuous difficulty, about 0 (a fact lookup) to 4 (expert work).
pub(crate) fn score(q: &Text, has_arithmetic: bool) -> f64 {
    let cjk = q.words.iter().filter(|w| w.is(K_CJK)).count();
    // Ideographs pack about two to a word.
    let words = q.len().saturating_sub(cjk) as f64 + cjk as f64 / 2.0;
    let mut s = if words < 6.0 {
        0.0
    } else if words <= 15.0 {
        0.3 + 0.4 * (words - 6.0) / 9.0
    } else if words <= 40.0 {
        0.7 + 0.6 * (words - 15.0) / 25.0
    } else if words <= 100.0 {
        1.3 + 0.6 * (words - 40.0) / 60.0
    } else {
        1.9 + ((words - 100.0) / 250.0).min(0.8)
    };
    let (mut reason, mut deep, mut tech, mut digits, mut code) = (0u32, 0u32, 0u32, 0u32, false);
    for w in &q.words {
        code |= w.has(CODELANG);
        reason = reason.saturating_add(u32::from(w.has(REASON)));
        deep = deep.saturating_add(u32::from(w.has(DEEP)));
        tech = tech.saturating_add(u32::from(w.has(TECH)));
        digits = digits.saturating_add(u32::from(w.is(K_DIGITS)));
    }
    if reason > 0 {
        s += 0.45 + 0.25 * f64::from(reason.saturating_sub(1).min(2));
    }
    if deep > 0 {
        s += 1.1 + 0.4 * f64::from(deep.saturating_sub(1).min(2));
    }
    s += 0.35 * f64::from(tech.min(3));
    // Several questions or an enumerated list: a multi-part task.
    let questions = q.raw.matches('?').count();
    s += 0.3 * (questions.saturating_sub(1).min(2)) as f64;
    let items = q
        .raw
        .lines()
        .filter(|l| {
            let t = l.trim_start();
            t.starts_with("- ")
                || t.starts_with("* ")
                || t.as_bytes().first().is_some_and(|b| b.is_ascii_digit()) && t.contains(". ")
        })
        .count();
    s += 0.15 * items.min(4) as f64;
    if q.raw.contains("```") || q.raw.contains("def ") || q.raw.contains("();") {
        s += 0.5;
    } else if code {
        // Writing a program is never a one-word lookup.
        s += 0.4;
    }
    if digits >= 3 {
        s += 0.25;
    }
    s += 0.3 * relations(q).min(3) as f64;
    if intent::is_lookup(q) {
        s -= 0.4;
    }
    if has_arithmetic && q.len() <= 10 {
        s = s.min(0.2);
    }
    s.clamp(0.0, 4.0)
}

/// Quantities stated relative to others: "twice as many", "half of",
/// "3 fewer than", "1/4 of". Each is a step that is easy to invert.
fn relations(q: &Text) -> usize {
    use super::lexicon::hash;
    const THAN: u32 = hash("than");
    const TIMES: u32 = hash("times");
    const AFTER_TIMES: [u32; 4] = [hash("as"), hash("more"), hash("less"), hash("fewer")];
    let bytes = q.raw.as_bytes();
    let mut n = 0usize;
    for (i, w) in q.words.iter().enumerate() {
        let next = q.words.get(i.saturating_add(1)).map_or(0, |x| x.hash);
        n = n.saturating_add(usize::from(w.has(RELATION)));
        n = n.saturating_add(usize::from(w.has(COMPARATIVE) && next == THAN));
        n = n.saturating_add(usize::from(w.hash == TIMES && any_of(next, &AFTER_TIMES)));
        // A written fraction "1/4".
        let slash = bytes.get(w.end as usize) == Some(&b'/');
        n = n.saturating_add(usize::from(
            w.is(K_DIGITS)
                && slash
                && q.words
                    .get(i.saturating_add(1))
                    .is_some_and(|x| x.start == w.end.saturating_add(1) && x.is(K_DIGITS)),
        ));
    }
    n
}

pub(crate) fn level(score: f64) -> Complexity {
    if score < 0.45 {
        Complexity::Trivial
    } else if score < 1.0 {
        Complexity::Simple
    } else if score < 1.7 {
        Complexity::Moderate
    } else if score < 2.5 {
        Complexity::Hard
    } else {
        Complexity::Expert
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(q: &str) -> Complexity {
        let t = Text::new(q);
        let arith = intent::read(&t).arithmetic.is_some();
        level(score(&t, arith))
    }

    #[test]
    fn levels_follow_the_wording() {
        assert_eq!(c("What is 2+2?"), Complexity::Trivial);
        assert_eq!(c("What is the capital of France?"), Complexity::Trivial);
        assert_eq!(c("hi"), Complexity::Trivial);
        assert_eq!(c("Write a Python function that reverses a string."), Complexity::Simple);
        assert_eq!(c("Give me three tips for sleeping better when travelling across time zones."), Complexity::Simple);
        assert_eq!(c("Explain why the sky is blue and compare it with why sunsets look red."), Complexity::Moderate);
        assert_eq!(c("Prove that there are infinitely many prime numbers."), Complexity::Moderate);
        assert!(c("Design a distributed rate limiter for 1M requests per second and explain the tradeoffs of each approach.") >= Complexity::Hard);
        assert_eq!(
            c("Derive the asymptotic complexity of this recursive algorithm, prove its invariant holds, and design a concurrent version with lower latency."),
            Complexity::Expert
        );
    }

    #[test]
    fn relational_quantities_add_difficulty() {
        let plain = Text::new("Tom has 12 apples and Ann has 30 apples. How many apples do they have?");
        let relational = Text::new("Tom has 12 apples and Ann has twice as many. How many apples do they have?");
        assert!(score(&relational, false) > score(&plain, false));
        assert_eq!(relations(&Text::new("3 fewer than half of 1/4 of it, 2 times as many")), 4);
    }

    #[test]
    fn empty_and_odd_queries() {
        assert_eq!(c(""), Complexity::Trivial);
        assert_eq!(c("日本の首都はどこですか？"), Complexity::Trivial);
        let long = "word ".repeat(400);
        assert!(c(&long) >= Complexity::Hard);
    }
}
