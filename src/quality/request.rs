//! What the user supplied, as opposed to what the user asked.
//!
//! `Translate into Spanish: "Where is the station?"` asks for a
//! translation, not for a place: the quoted sentence is material to work
//! on. Reading question words, numbers or arithmetic from it would make
//! the judge demand a place name from a correct translation. This finds
//! that material when the query asks for a transformation (a quotation, or
//! the text after the instruction's colon or line break, or before an
//! instruction on its own last line), and the language the answer must be
//! written in when the query sets one.

use super::lexicon::{any_of, hash, LANGNAME, TRANSFORM};
use super::text::{Script, Text, Word};

/// The language an answer is asked to be written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Target {
    pub name: &'static str,
    pub script: Script,
    /// Index into `Text::langs` when function words tell the language
    /// apart from its neighbours in the same script.
    pub words: Option<usize>,
}

/// Byte range `[start, end)` of the material a transformation request acts on.
pub(crate) type Span = (usize, usize);

pub(crate) fn inside(span: Option<Span>, w: &Word) -> bool {
    span.is_some_and(|(s, e)| (w.start as usize) >= s && (w.start as usize) < e)
}

/// The text a transformation request hands over, if the query is one.
pub(crate) fn passage(q: &Text) -> Option<Span> {
    let first = q.words.iter().position(|w| w.has(TRANSFORM))?;
    if let Some(span) = quotation(q.raw) {
        // The verb must sit outside the quotation: "What does 'translate' mean?"
        // quotes a word, it does not ask for a translation.
        let verb_outside = q.words.iter().any(|w| w.has(TRANSFORM) && !inside(Some(span), w));
        return verb_outside.then_some(span);
    }
    let verb = q.words.get(first)?;
    let (vs, ve) = (verb.start as usize, verb.end as usize);
    let raw = q.raw;
    let bytes = raw.as_bytes();
    // "Summarise in one sentence: <text>", "Fix this:\n<code>". A colon must
    // be followed by a space or a line break, so "5:30" is not one.
    let after = bytes.get(ve..).unwrap_or(&[]).iter().enumerate().find_map(|(k, &b)| {
        let open = b == b'\n'
            || (b == b':' && bytes.get(ve.saturating_add(k).saturating_add(1)).is_none_or(u8::is_ascii_whitespace));
        open.then_some(ve.saturating_add(k).saturating_add(1))
    });
    if let Some(s) = after {
        if raw.get(s..).is_some_and(|r| !r.trim().is_empty()) {
            return Some((s, raw.len()));
        }
    }
    // "<text>\n\nSummarise the above.": the instruction is a line of its own.
    let line = raw.get(..vs)?.rfind('\n')?;
    let end = raw.get(..line)?.trim_end().len();
    (end > 0).then_some((0, end))
}

/// The inside of the first quotation in `raw`, up to its last closing mark.
fn quotation(raw: &str) -> Option<Span> {
    const PAIRS: [(char, char); 5] = [('"', '"'), ('“', '”'), ('«', '»'), ('「', '」'), ('‘', '’')];
    let mut best: Option<Span> = None;
    for (open, close) in PAIRS {
        let Some(s) = raw.find(open) else { continue };
        let from = s.saturating_add(open.len_utf8());
        let Some(e) = raw.rfind(close).filter(|&e| e > from) else { continue };
        if best.is_none_or(|b| from < b.0) {
            best = Some((from, e));
        }
    }
    if best.is_none() {
        best = single_quotes(raw.as_bytes());
    }
    best.filter(|&(s, e)| raw.get(s..e).is_some_and(|t| !t.trim().is_empty()))
}

/// ASCII single quotes, told apart from apostrophes ("what's", "Dijkstra's")
/// by what stands on their outer side.
fn single_quotes(b: &[u8]) -> Option<Span> {
    let opens = |i: usize| {
        i == 0 || b.get(i.saturating_sub(1)).is_some_and(|c| matches!(c, b' ' | b':' | b'(' | b'\n' | b'\t'))
    };
    let s = (0..b.len()).find(|&i| {
        b.get(i) == Some(&b'\'') && opens(i) && b.get(i.saturating_add(1)).is_some_and(|c| !c.is_ascii_whitespace())
    })?;
    let e = (s.saturating_add(2)..b.len()).rev().find(|&i| {
        b.get(i) == Some(&b'\'')
            && !b.get(i.saturating_add(1)).is_some_and(u8::is_ascii_alphanumeric)
            && b.get(i.saturating_sub(1)).is_some_and(|c| !c.is_ascii_whitespace())
    })?;
    Some((s.saturating_add(1), e))
}

/// The language the answer must be in, when the query both names one as a
/// destination ("into Spanish", "in French") and makes that binding: it is
/// a transformation request, or it says "answer / reply / write in".
/// "How do you say thank you in German?" names a language without binding
/// the answer to it (the reply is usually English with the German quoted).
pub(crate) fn target(q: &Text, passage: Option<Span>) -> Option<Target> {
    const TOWARD: [u32; 3] = [hash("in"), hash("into"), hash("to")];
    const BINDING: [u32; 8] = [
        hash("answer"),
        hash("respond"),
        hash("reply"),
        hash("write"),
        hash("written"),
        hash("speak"),
        hash("only"),
        hash("entirely"),
    ];
    let transform = passage.is_some();
    for (i, w) in q.words.iter().enumerate() {
        if !w.has(LANGNAME) || inside(passage, w) {
            continue;
        }
        let before = |k: usize| i.checked_sub(k).and_then(|j| q.words.get(j)).map_or(0, |p| p.hash);
        let toward = any_of(before(1), &TOWARD);
        let bound = transform || any_of(before(2), &BINDING);
        if toward && bound {
            if let Some(t) = by_name(q.word(w)) {
                return Some(t);
            }
        }
    }
    None
}

fn by_name(name: &str) -> Option<Target> {
    const NAMES: [(&str, Script, Option<usize>); 24] = [
        ("English", Script::Latin, Some(0)),
        ("Spanish", Script::Latin, Some(1)),
        ("Español", Script::Latin, Some(1)),
        ("French", Script::Latin, Some(2)),
        ("Français", Script::Latin, Some(2)),
        ("German", Script::Latin, Some(3)),
        ("Deutsch", Script::Latin, Some(3)),
        ("Portuguese", Script::Latin, Some(4)),
        ("Italian", Script::Latin, Some(5)),
        ("Dutch", Script::Latin, None),
        ("Swedish", Script::Latin, None),
        ("Polish", Script::Latin, None),
        ("Turkish", Script::Latin, None),
        ("Vietnamese", Script::Latin, None),
        ("Russian", Script::Cyrillic, None),
        ("Ukrainian", Script::Cyrillic, None),
        ("Greek", Script::Greek, None),
        ("Arabic", Script::Arabic, None),
        ("Hebrew", Script::Hebrew, None),
        ("Hindi", Script::Devanagari, None),
        ("Chinese", Script::Han, None),
        ("Mandarin", Script::Han, None),
        ("Japanese", Script::Kana, None),
        ("Korean", Script::Hangul, None),
    ];
    NAMES.iter().find(|(n, _, _)| n.eq_ignore_ascii_case(name)).map(|&(name, script, words)| Target {
        name,
        script,
        words,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn material(q: &str) -> Option<&str> {
        let t = Text::new(q);
        passage(&t).and_then(|(s, e)| q.get(s..e))
    }

    #[test]
    fn passages_of_transformation_requests() {
        let q = "Translate into Spanish: \"Where is the nearest train station?\"";
        assert_eq!(material(q), Some("Where is the nearest train station?"));
        assert_eq!(material("Translate 'How many apples are left?' into French"), Some("How many apples are left?"));
        assert_eq!(material("Summarise in one sentence: Cats sleep a lot."), Some(" Cats sleep a lot."));
        assert_eq!(material("Fix the grammar\nwhere he go yesterday?"), Some("where he go yesterday?"));
        assert_eq!(
            material("Who won the 2018 World Cup?\n\nRewrite the question above."),
            Some("Who won the 2018 World Cup?")
        );
        assert_eq!(material("Rewrite «Où est la gare ?» more politely"), Some("Où est la gare ?"));
    }

    #[test]
    fn ordinary_questions_have_no_passage() {
        assert_eq!(material("What does 'translate' mean?"), None);
        assert_eq!(material("Where is the Eiffel Tower?"), None);
        assert_eq!(material("Convert 100°F to Celsius"), None);
        assert_eq!(material("What's Dijkstra's algorithm?"), None);
        assert_eq!(material("Meet me at 5:30 to convert the files"), None);
    }

    #[test]
    fn target_languages_bind_only_when_asked() {
        let t = |q: &str| {
            let text = Text::new(q);
            target(&text, passage(&text)).map(|t| t.name)
        };
        assert_eq!(t("Translate into Spanish: \"Where is the station?\""), Some("Spanish"));
        assert_eq!(t("Translate 'thank you' into Japanese"), Some("Japanese"));
        assert_eq!(t("Answer in French: why is the sky blue?"), Some("French"));
        assert_eq!(t("Translate from German to English: 'Guten Morgen'"), Some("English"));
        assert_eq!(t("How do you say thank you in German?"), None);
        assert_eq!(t("Why is German grammar hard?"), None);
    }
}
