//! Which field a query belongs to, by cheap vote counting.
//!
//! The domain picks a threshold (a medical answer may need more
//! confidence than a limerick) and switches checks on or off: an answer in
//! another language is a failure, except when the user asked for a
//! translation. Each lexicon word votes with a weight, a few shapes vote
//! too (code fences, arithmetic, "how many" with numbers), and the strongest
//! field wins if its vote is clear enough.

use super::checks::arith;
use super::text::{Text, K_DIGITS};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Domain {
    Code,
    Math,
    Data,
    Medical,
    Legal,
    Finance,
    Creative,
    Translation,
    Summarization,
    General,
}

impl Domain {
    pub const ALL: [Domain; 10] = [
        Domain::Code,
        Domain::Math,
        Domain::Data,
        Domain::Medical,
        Domain::Legal,
        Domain::Finance,
        Domain::Creative,
        Domain::Translation,
        Domain::Summarization,
        Domain::General,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Domain::Code => "code",
            Domain::Math => "math",
            Domain::Data => "data",
            Domain::Medical => "medical",
            Domain::Legal => "legal",
            Domain::Finance => "finance",
            Domain::Creative => "creative",
            Domain::Translation => "translation",
            Domain::Summarization => "summarization",
            Domain::General => "general",
        }
    }

    /// Parse a domain name as users write it (any case, "maths" too).
    pub fn from_name(name: &str) -> Option<Domain> {
        let n = name.trim().to_ascii_lowercase();
        let alias = match n.as_str() {
            "maths" | "mathematics" => "math",
            "coding" | "programming" => "code",
            "medicine" | "health" => "medical",
            "law" => "legal",
            "financial" => "finance",
            "summary" | "summarisation" => "summarization",
            other => other,
        };
        Domain::ALL.into_iter().find(|d| d.as_str() == alias)
    }
}

/// The most likely domain of a query.
pub fn detect_domain(query: &str) -> Domain {
    let q = Text::new(query);
    let open = q.len() <= 14 && q.words.iter().any(|w| w.is(K_DIGITS)) && !arith::scan_all(&q).open_exprs.is_empty();
    detect(&q, open)
}

/// Adds `n` to the votes for `d` (General, the fallback, has no slot).
fn vote(votes: &mut [u32; 9], d: Domain, n: u32) {
    if let Some(v) = votes.get_mut(d as usize) {
        *v = v.saturating_add(n);
    }
}

/// `open_expr`: the query is short and holds a bare calculation ("What is
/// 2+2?"); the caller has usually worked that out already.
pub(crate) fn detect(q: &Text, open_expr: bool) -> Domain {
    let mut votes = [0u32; 9];
    for w in &q.words {
        if let Some((d, weight)) = super::lexicon::domain_vote(w.domain) {
            if let Some(v) = votes.get_mut(d as usize) {
                *v = (*v).saturating_add(u32::from(weight));
            }
        }
    }
    let raw = q.raw;
    // Shapes that speak louder than words.
    let bytes = raw.as_bytes();
    let ticks = if bytes.contains(&b'`') { raw.matches('`').count() } else { 0 };
    use super::lexicon::{any_of, hash};
    const CODE_WORDS: [u32; 4] = [hash("def"), hash("fn"), hash("const"), hash("func")];
    const HOW: u32 = hash("how");
    const AMOUNT: [u32; 2] = [hash("many"), hash("much")];
    const TO: [u32; 3] = [hash("in"), hash("into"), hash("to")];
    const LANGUAGE: u32 = hash("language");
    let keyword = q.words.iter().any(|w| any_of(w.hash, &CODE_WORDS));
    let symbols = (bytes.contains(&b'(') && raw.contains("();")) || (bytes.contains(&b'>') && raw.contains("=>"));
    if ticks >= 6 || symbols || keyword {
        vote(&mut votes, Domain::Code, 4);
    } else if ticks >= 2 {
        vote(&mut votes, Domain::Code, 2);
    }
    let digits = q.words.iter().filter(|w| w.is(K_DIGITS)).count();
    let asks_amount = q.words.windows(2).any(|p| matches!(p, [a, b] if a.hash == HOW && any_of(b.hash, &AMOUNT)));
    if asks_amount && digits >= 2 {
        vote(&mut votes, Domain::Math, 5);
    } else if digits >= 2 && q.words.iter().any(|w| w.has(super::lexicon::QUANTITY)) && q.raw.contains('?') {
        // "What percentage ...?", "What is the total cost ...?" with figures.
        vote(&mut votes, Domain::Math, 3);
    }
    if open_expr {
        vote(&mut votes, Domain::Math, 4);
    }
    if digits >= 3 {
        vote(&mut votes, Domain::Math, 1);
    }
    // "in French", "into Spanish": a target language.
    let target = q
        .words
        .windows(2)
        .any(|p| matches!(p, [a, b] if any_of(a.hash, &TO) && b.has(super::lexicon::LANGNAME) && b.hash != LANGUAGE));
    if target {
        vote(&mut votes, Domain::Translation, 2);
    }
    // A long pasted text with a short instruction is usually to be condensed.
    if q.len() > 150 && votes.get(Domain::Summarization as usize).is_some_and(|&v| v > 0) {
        vote(&mut votes, Domain::Summarization, 2);
    }
    let mut best = (Domain::General, 0u32);
    for (&d, &v) in Domain::ALL.iter().zip(&votes) {
        if v > best.1 {
            best = (d, v);
        }
    }
    if best.1 >= 3 {
        best.0
    } else {
        Domain::General
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typical_queries() {
        assert_eq!(detect_domain("Write a Python function to reverse a linked list"), Domain::Code);
        assert_eq!(detect_domain("Why does my `for` loop throw a NullPointerException?"), Domain::Code);
        assert_eq!(detect_domain("Calculate 123*456"), Domain::Math);
        assert_eq!(detect_domain("What is 2+2?"), Domain::Math);
        assert_eq!(
            detect_domain("James runs 3 sprints 3 times a week, 60 meters each. How many meters does he run a week?"),
            Domain::Math
        );
        assert_eq!(detect_domain("Plot a histogram of the salary column in this CSV dataset"), Domain::Data);
        assert_eq!(detect_domain("What dosage of ibuprofen is safe for a fever?"), Domain::Medical);
        assert_eq!(detect_domain("Can my landlord break the lease without notice?"), Domain::Legal);
        assert_eq!(detect_domain("Should I put my savings in an index fund or pay off my mortgage?"), Domain::Finance);
        assert_eq!(detect_domain("Write a haiku about autumn rain"), Domain::Creative);
        assert_eq!(detect_domain("Translate 'where is the station' into German"), Domain::Translation);
        assert_eq!(detect_domain("Summarize this article in three bullet points"), Domain::Summarization);
        assert_eq!(detect_domain("What is the capital of France?"), Domain::General);
        assert_eq!(detect_domain(""), Domain::General);
    }

    #[test]
    fn names_round_trip_in_lowercase() {
        for d in Domain::ALL {
            assert_eq!(Domain::from_name(d.as_str()), Some(d));
            assert_eq!(d.as_str(), d.as_str().to_lowercase());
        }
        assert_eq!(Domain::from_name("Maths"), Some(Domain::Math));
        assert_eq!(Domain::from_name("astrology"), None);
    }
}
