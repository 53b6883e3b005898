//! What the question asks for, read once and shared by the checks.
//!
//! Judging an answer without a model comes down to knowing what a good
//! answer must contain: a number for "how many", a year for "when", a name
//! for "who", JSON when JSON was asked for. Reading that from the query
//! lets short correct answers ("Paris", "4") pass on their own merit
//! instead of being punished for sharing few words with the question.

use super::checks::arith;
use super::lexicon::{any_of, hash, AUX, CODELANG, LANGNAME, LIVE, LOOKUP, QUANTITY, QWORD, STOP};
use super::numbers::numbers_outside;
use super::request::{self, inside, Span, Target};
use super::text::{Text, K_DIGITS, K_SENT};

/// The kind of answer the question calls for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Expect {
    Anything,
    Number,
    Year,
    Person,
    Place,
    YesNo,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Intent {
    pub expect: Expect,
    /// "How many": a count of whole things (not "how many kilometres").
    pub counts_items: bool,
    /// "How many kilometres": the unit id of the measure asked for (0 if none).
    pub measure: u8,
    /// The value of a bare calculation in a short query ("What is 2+2?").
    pub arithmetic: Option<f64>,
    /// Quantities the query gives, for checking a worked answer used them.
    pub quantities: Vec<f64>,
    /// Any number in the query has a fractional part.
    pub has_decimals: bool,
    pub wants_json: bool,
    /// The programming language asked for, by canonical name.
    pub code_lang: Option<&'static str>,
    /// The query names a human language: an answer in it is no mistake.
    pub names_language: bool,
    /// The query asks for data only a live source has.
    pub live: bool,
    /// Text handed over to be translated, rewritten, summarised...: what
    /// the answer works on, not what it must answer.
    pub passage: Option<Span>,
    /// The language the answer must be written in.
    pub target: Option<Target>,
}

impl Intent {
    pub fn wants_number(&self) -> bool {
        self.expect == Expect::Number
    }
}

pub(crate) fn read(q: &Text) -> Intent {
    let passage = request::passage(q);
    let mut quantities = Vec::new();
    numbers_outside(q, passage, &mut quantities);
    quantities.dedup();
    let has_decimals = q.words.windows(2).any(|w| {
        matches!(w, [a, b] if a.is(K_DIGITS)
            && b.is(K_DIGITS)
            && !inside(passage, a)
            && q.raw.as_bytes().get(a.end as usize) == Some(&b'.')
            && b.start == a.end.saturating_add(1))
    });
    // Only a short query with a number in it can be a bare calculation.
    let short = q.len() <= 14 && passage.is_none() && q.words.iter().any(|w| w.is(K_DIGITS));
    let arithmetic = if short { arith::scan_all(q).open_exprs.first().map(|e| e.0) } else { None };
    let mut measure = 0u8;
    let mut expect = expected_kind(q, passage, &mut measure);
    let counts_items = expect == Expect::Number && measure == COUNT;
    let measure = if measure == COUNT { 0 } else { measure };
    if arithmetic.is_some() && matches!(expect, Expect::Anything) {
        expect = Expect::Number;
    }
    // A word problem: several quantities and a question about an amount.
    let asks_amount = || q.words.iter().any(|w| w.has(QUANTITY) && !inside(passage, w));
    if expect == Expect::Anything && quantities.len() >= 2 && asks_amount() {
        expect = Expect::Number;
    }
    let mut wants_json = false;
    let mut code_lang = None;
    let mut names_language = false;
    let mut live = false;
    const JSON: u32 = hash("json");
    for (i, w) in q.words.iter().enumerate() {
        if inside(passage, w) {
            continue;
        }
        if w.hash == JSON {
            let near = |k: usize| {
                ["as", "in", "valid", "return", "output", "only", "format", "respond", "object", "using"]
                    .iter()
                    .any(|c| q.word_at(k).eq_ignore_ascii_case(c))
            };
            wants_json |= (i > 0 && near(i.saturating_sub(1)))
                || near(i.saturating_add(1))
                || (i > 1 && near(i.saturating_sub(2)));
        }
        if w.has(CODELANG) {
            // "Port this Python to Rust": the language after "to" is the one wanted.
            let toward =
                i > 0 && ["to", "into", "in"].iter().any(|p| q.word_at(i.saturating_sub(1)).eq_ignore_ascii_case(p));
            if code_lang.is_none() || (toward && passage.is_some()) {
                code_lang = canonical_language(q.word(w)).or(code_lang);
            }
        }
        names_language |= w.has(LANGNAME);
        live |= w.has(LIVE);
    }
    let target = request::target(q, passage);
    Intent {
        expect,
        counts_items,
        measure,
        arithmetic,
        quantities,
        has_decimals,
        wants_json,
        code_lang,
        names_language,
        live,
        passage,
        target,
    }
}

/// `expected_kind` reports a "how many" that counts whole things with this.
const COUNT: u8 = u8::MAX;

/// Read the expected answer kind from the question words (outside any
/// passage handed over for transformation). `measure` receives the unit
/// a "how many" asks for, or `COUNT`.
fn expected_kind(q: &Text, passage: Option<Span>, measure: &mut u8) -> Expect {
    const CONVERT: u32 = hash("convert");
    let n = q.len();
    for (i, w) in q.words.iter().enumerate() {
        if !w.has(QWORD) || inside(passage, w) {
            if w.hash == CONVERT && i == 0 && passage.is_none() && q.words.iter().any(|x| x.is(K_DIGITS)) {
                // "Convert 100°F to Celsius": a measurement, decimals welcome.
                return Expect::Number;
            }
            continue;
        }
        let word = q.word(w).to_ascii_lowercase();
        let next = q.word_at(i.saturating_add(1)).to_ascii_lowercase();
        let opens = w.is(K_SENT) || i == 0;
        match word.as_str() {
            "how" if next == "many" => {
                // "How many kilometres": a measure, which may well be 42.2.
                *measure = measured(q, i.saturating_add(2)).unwrap_or(COUNT);
                return Expect::Number;
            }
            "how"
                if matches!(
                    next.as_str(),
                    "much" | "long" | "old" | "far" | "tall" | "often" | "fast" | "big" | "heavy" | "large"
                ) =>
            {
                return Expect::Number
            }
            "what" | "which" | "in" if matches!(next.as_str(), "year" | "century" | "decade") => return Expect::Year,
            "when" if opens && asked(q, i) && q.words.get(i.saturating_add(1)).is_some_and(|n| n.has(AUX)) => {
                return Expect::Year
            }
            "who" if opens && asked(q, i) && next != "are" => return Expect::Person,
            "where" if opens && asked(q, i) => return Expect::Place,
            "what" | "which" => {
                // "what is the total ...", "what percentage ...": an amount.
                let window = (i.saturating_add(1)..i.saturating_add(5).min(n))
                    .any(|k| q.words.get(k).is_some_and(|x| x.has(QUANTITY)));
                if window && q.words.iter().any(|x| x.is(K_DIGITS) && !inside(passage, x)) {
                    return Expect::Number;
                }
                let place = (i.saturating_add(1)..i.saturating_add(5).min(n)).any(|k| {
                    let t = q.word_at(k);
                    ["capital", "country", "city", "continent", "ocean", "river", "state"]
                        .iter()
                        .any(|p| t.eq_ignore_ascii_case(p))
                });
                if place {
                    return Expect::Place;
                }
            }
            _ => {}
        }
    }
    // The question mark that counts is the instruction's, not a quoted one's.
    let instruction = match passage {
        Some((s, e))
            if q.raw
                .get(e..)
                .is_some_and(|r| r.trim_matches(|c: char| !c.is_ascii_alphanumeric() && c != '?').is_empty()) =>
        {
            q.raw.get(..s).unwrap_or("")
        }
        _ => q.raw,
    };
    let first = q.words.first();
    let asks = instruction.trim_end().ends_with('?');
    if asks && n <= 16 && first.is_some_and(|w| w.has(AUX)) {
        return Expect::YesNo;
    }
    Expect::Anything
}

/// Whether the words from `k` name a unit of measure ("how many more
/// kilometres", "how many square feet"), so the amount need not be whole.
fn measured(q: &Text, k: usize) -> Option<u8> {
    const SKIP: [u32; 6] =
        [hash("more"), hash("fewer"), hash("less"), hash("total"), hash("extra"), hash("additional")];
    let w = (k..k.saturating_add(3)).filter_map(|i| q.words.get(i)).find(|w| !any_of(w.hash, &SKIP))?;
    // Years, months, weeks and days are counted like things; hours and
    // shorter spans, and the other families, are measured.
    ((1..=6).contains(&(w.unit >> 4)) && !(0x11..=0x14).contains(&w.unit)).then_some(w.unit)
}

/// Whether word `i` sits in a sentence that ends with a question mark
/// ("When did it end?"), not in a clause ("When he got there, ...").
fn asked(q: &Text, i: usize) -> bool {
    let from = q.words.get(i).map_or(0, |w| w.end as usize);
    let rest = q.raw.get(from..).unwrap_or("");
    match rest.find(['?', '.', '!', ',', '\n']) {
        Some(p) => rest.get(p..).is_some_and(|r| r.starts_with('?')),
        None => q.len() <= 12,
    }
}

/// A short query that only looks something up ("capital of France").
pub(crate) fn is_lookup(q: &Text) -> bool {
    q.len() <= 10 && q.words.iter().any(|w| w.has(LOOKUP))
}

/// Topic words of the query: not function words, not question words.
pub(crate) fn content_word(q: &Text, i: usize) -> bool {
    use super::lexicon::{DEEP, INSTR, NUMWORD, REASON};
    q.words.get(i).is_some_and(|w| {
        let meta = w.flags & (STOP | INSTR | REASON | DEEP | NUMWORD) != 0;
        !meta && !w.is(K_DIGITS) && w.end.saturating_sub(w.start) >= 3
    })
}

/// One name per programming language, whatever alias the text used. A
/// table searched in order rather than a `match` on the lower-cased
/// name: smaller in wasm, and no allocation.
pub(crate) fn canonical_language(name: &str) -> Option<&'static str> {
    let name = name.trim();
    LANGUAGES.iter().find(|(aliases, _)| aliases.iter().any(|a| a.eq_ignore_ascii_case(name))).map(|(_, c)| *c)
}

const LANGUAGES: &[(&[&str], &str)] = &[
    (&["python", "py", "python3"], "python"),
    (&["javascript", "js", "node", "nodejs", "jsx", "mjs"], "javascript"),
    (&["typescript", "ts", "tsx"], "typescript"),
    (&["rust", "rs"], "rust"),
    (&["go", "golang"], "go"),
    (&["java"], "java"),
    (&["kotlin", "kt"], "kotlin"),
    (&["swift"], "swift"),
    (&["ruby", "rb"], "ruby"),
    (&["php"], "php"),
    (&["c++", "cpp", "cxx", "cc", "hpp"], "cpp"),
    (&["c", "h"], "c"),
    (&["csharp", "cs", "c#"], "csharp"),
    (&["scala"], "scala"),
    (&["haskell", "hs"], "haskell"),
    (&["bash", "sh", "shell", "zsh", "console", "shellscript"], "shell"),
    (&["powershell", "ps1", "pwsh"], "powershell"),
    (&["sql", "postgresql", "postgres", "mysql", "sqlite", "plsql"], "sql"),
    (&["html", "htm", "xhtml"], "html"),
    (&["css", "scss", "sass"], "css"),
    (&["lua"], "lua"),
    (&["perl", "pl"], "perl"),
    (&["elixir", "ex", "exs"], "elixir"),
    (&["dart"], "dart"),
    (&["julia", "jl"], "julia"),
    (&["matlab"], "matlab"),
    (&["zig"], "zig"),
    (&["clojure", "clj"], "clojure"),
    (&["ocaml", "ml"], "ocaml"),
    (&["fortran", "f90"], "fortran"),
    (&["cobol"], "cobol"),
    (&["json"], "json"),
    (&["yaml", "yml"], "yaml"),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn intent(q: &str) -> Intent {
        read(&Text::new(q))
    }

    #[test]
    fn expected_kinds() {
        assert_eq!(intent("What is 2+2?").expect, Expect::Number);
        assert_eq!(intent("What is 2+2?").arithmetic, Some(4.0));
        assert_eq!(intent("What is the capital of France?").expect, Expect::Place);
        assert_eq!(intent("Who wrote Hamlet?").expect, Expect::Person);
        assert_eq!(intent("When did World War II end?").expect, Expect::Year);
        assert_eq!(intent("In what year did the Berlin Wall fall?").expect, Expect::Year);
        assert_eq!(intent("Where is the Eiffel Tower?").expect, Expect::Place);
        assert_eq!(intent("Is water wet?").expect, Expect::YesNo);
        assert_eq!(intent("Explain how rainbows form.").expect, Expect::Anything);
        let i = intent("Tom has 3 boxes of 12 apples. How many apples does he have?");
        assert!(i.counts_items && i.expect == Expect::Number);
        assert_eq!(i.quantities, vec![3.0, 12.0]);
        assert_eq!(intent("She pays $12.50 for 3 pens. What is the total cost?").expect, Expect::Number);
        assert!(intent("She pays $12.50 each").has_decimals);
    }

    #[test]
    fn format_and_language_requests() {
        let i = intent("List three fruits as JSON with a name field");
        assert!(i.wants_json);
        assert!(!intent("What is JSON?").wants_json);
        assert_eq!(intent("Write a Python function that reverses a list").code_lang, Some("python"));
        assert!(intent("Translate 'good morning' into French").names_language);
        assert!(intent("What's the weather in Paris right now?").live);
        assert!(is_lookup(&Text::new("What is the capital of France?")));
    }
}
