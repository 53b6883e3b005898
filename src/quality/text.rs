//! One pass over a text that every check then reads.
//!
//! The judge must stay in the tens of microseconds, so the query and the
//! draft are each tokenised once: word spans (byte offsets, never slices
//! that could split a character), their lexicon flags, and counts of the
//! writing systems seen. Checks work from this instead of rescanning.

use super::lexicon::{self, const_set, FNV_SEED};
use super::unicode::{is_upper, is_word_char};

/// The word is all ASCII digits.
pub(crate) const K_DIGITS: u8 = 1;
/// The word holds at least one letter.
pub(crate) const K_ALPHA: u8 = 2;
/// The word's first character is upper case.
pub(crate) const K_UPPER: u8 = 4;
/// The word opens a sentence or a line.
pub(crate) const K_SENT: u8 = 8;
/// A single ideograph or kana (scripts written without spaces).
pub(crate) const K_CJK: u8 = 16;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Word {
    pub start: u32,
    pub end: u32,
    /// FNV-1a of the ASCII-lower-cased bytes.
    pub hash: u32,
    /// The same hash over at most the first five bytes: a crude stem that
    /// lets "vaccines" meet "vaccination" without a stemmer.
    pub stem: u32,
    pub flags: u32,
    /// Packed domain vote from the lexicon (`lexicon::domain_vote`).
    pub domain: u8,
    pub kind: u8,
    /// Measurement unit or scale id from the lexicon (0 for none).
    pub unit: u8,
}

impl Word {
    #[inline(always)]
    pub fn has(&self, flag: u32) -> bool {
        self.flags & flag != 0
    }
    #[inline(always)]
    pub fn is(&self, kind: u8) -> bool {
        self.kind & kind != 0
    }
}

/// Writing systems we tell apart; enough to notice an answer in the wrong one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Script {
    Latin,
    Cyrillic,
    Greek,
    Arabic,
    Hebrew,
    Devanagari,
    Han,
    Kana,
    Hangul,
    Thai,
    Other,
}

const SCRIPTS: usize = 11;

pub(crate) fn script_of(c: char) -> Script {
    match c as u32 {
        0x41..=0x5a | 0x61..=0x7a | 0xc0..=0x24f | 0x1e00..=0x1eff => Script::Latin,
        0x370..=0x3ff | 0x1f00..=0x1fff => Script::Greek,
        0x400..=0x52f => Script::Cyrillic,
        0x590..=0x5ff => Script::Hebrew,
        0x600..=0x6ff | 0x750..=0x77f => Script::Arabic,
        0x900..=0x97f => Script::Devanagari,
        0xe00..=0xe7f => Script::Thai,
        0x3040..=0x30ff => Script::Kana,
        0x1100..=0x11ff | 0xac00..=0xd7af => Script::Hangul,
        0x3400..=0x4dbf | 0x4e00..=0x9fff | 0xf900..=0xfaff => Script::Han,
        _ => Script::Other,
    }
}

fn is_cjk(s: Script) -> bool {
    matches!(s, Script::Han | Script::Kana)
}

pub(crate) struct Text<'a> {
    pub raw: &'a str,
    pub words: Vec<Word>,
    /// Letters seen per script, indexed by `Script as usize`.
    pub scripts: [u32; SCRIPTS],
    /// Function words of English, Spanish, French, German, Portuguese and
    /// Italian seen, in that order (see `LANGS`).
    pub langs: [u16; 6],
    /// Which of the `SYM_*` symbols occur, so checks can skip whole-text
    /// searches for things that are not there.
    pub symbols: u16,
}

pub(crate) const SYM_EQ: u16 = 1;
pub(crate) const SYM_LT: u16 = 2;
pub(crate) const SYM_BACKSLASH: u16 = 4;
pub(crate) const SYM_BACKTICK: u16 = 8;
pub(crate) const SYM_HASH: u16 = 16;
pub(crate) const SYM_STAR: u16 = 32;
pub(crate) const SYM_BRACE: u16 = 64;
pub(crate) const SYM_PIPE: u16 = 128;
/// A non-ASCII symbol (≈, ×, ÷, …) or the word "equal(s)".
pub(crate) const SYM_WIDE: u16 = 256;
pub(crate) const SYM_EQUAL_WORD: u16 = 512;

const fn symbol_bits() -> [u16; 128] {
    let mut t = [0u16; 128];
    const_set(&mut t, b'=' as usize, SYM_EQ);
    const_set(&mut t, b'<' as usize, SYM_LT);
    const_set(&mut t, b'\\' as usize, SYM_BACKSLASH);
    const_set(&mut t, b'`' as usize, SYM_BACKTICK);
    const_set(&mut t, b'#' as usize, SYM_HASH);
    const_set(&mut t, b'*' as usize, SYM_STAR);
    const_set(&mut t, b'{' as usize, SYM_BRACE);
    const_set(&mut t, b'|' as usize, SYM_PIPE);
    t
}

static SYMBOLS: [u16; 128] = symbol_bits();

const OTHER_LANGS: u32 = lexicon::LANG_ES | lexicon::LANG_FR | lexicon::LANG_DE | lexicon::LANG_PT | lexicon::LANG_IT;

/// The lexicon flags `Text::langs` counts, in order.
pub(crate) const LANGS: [u32; 6] =
    [lexicon::STOP, lexicon::LANG_ES, lexicon::LANG_FR, lexicon::LANG_DE, lexicon::LANG_PT, lexicon::LANG_IT];

/// Byte classes for the ASCII fast path of the tokeniser.
const C_WORD: u8 = 1;
const C_ALPHA: u8 = 2;
const C_UPPER: u8 = 4;
const C_SENT: u8 = 8;
const C_NL: u8 = 16;
const C_HIGH: u8 = 32;

const fn classes() -> [u8; 256] {
    let mut t = [0u8; 256];
    let mut b = 0usize;
    while b < 256 {
        let c = b as u8;
        let k = if c >= 0x80 {
            C_HIGH
        } else if c.is_ascii_uppercase() {
            C_WORD | C_ALPHA | C_UPPER
        } else if c.is_ascii_lowercase() {
            C_WORD | C_ALPHA
        } else if c.is_ascii_digit() {
            C_WORD
        } else if c == b'\n' {
            C_NL
        } else if c == b'.' || c == b'!' || c == b'?' || c == b':' {
            C_SENT
        } else {
            0
        };
        const_set(&mut t, b, k);
        b = b.saturating_add(1);
    }
    t
}

static CLASS: [u8; 256] = classes();

const EQUAL: u32 = lexicon::hash("equal");
const EQUALS: u32 = lexicon::hash("equals");

#[inline(always)]
fn class(b: u8) -> u8 {
    CLASS.get(b as usize).copied().unwrap_or(0)
}

/// One more letter of script `s`. Every `Script` has a slot, so the
/// bounds check folds away.
#[inline(always)]
fn bump(scripts: &mut [u32; SCRIPTS], s: Script) {
    if let Some(n) = scripts.get_mut(s as usize) {
        *n = n.saturating_add(1);
    }
}

impl<'a> Text<'a> {
    pub fn new(raw: &'a str) -> Self {
        let bytes = raw.as_bytes();
        // Words are written into slots made ahead of time: storing into a
        // slot is a bounds check and a store, where `push` is a call per
        // word in a size-optimised build. Texts denser than one word per
        // five bytes fall back to pushing.
        let mut words = vec![Word::default(); (bytes.len() / 5).saturating_add(4)];
        let mut count = 0usize;
        let mut scripts = [0u32; SCRIPTS];
        let mut langs = [0u16; 6];
        let mut symbols = 0u16;
        let mut latin = 0u32;
        let mut sent = true;
        let mut i = 0usize;
        while let Some(&b) = bytes.get(i) {
            let c = class(b);
            if c & C_HIGH != 0 {
                let (ch, len) = decode(raw, i);
                if !is_word_char(ch) {
                    if matches!(ch, '。' | '！' | '？') {
                        sent = true;
                    }
                    symbols |= SYM_WIDE;
                    i = i.saturating_add(len);
                    continue;
                }
                let script = script_of(ch);
                if is_cjk(script) {
                    bump(&mut scripts, script);
                    let kind = K_ALPHA | K_CJK | if sent { K_SENT } else { 0 };
                    let h = ch as u32;
                    let w = Word {
                        start: i as u32,
                        end: i.saturating_add(len) as u32,
                        hash: h,
                        stem: h,
                        flags: 0,
                        domain: 0,
                        kind,
                        unit: 0,
                    };
                    store(&mut words, &mut count, w);
                    sent = false;
                    i = i.saturating_add(len);
                    continue;
                }
            } else if c & C_WORD == 0 {
                symbols |= SYMBOLS.get(b as usize).copied().unwrap_or(0);
                if c & C_NL != 0 {
                    sent = true;
                } else if c & C_SENT != 0 {
                    // "1.5" is a number, not a sentence break.
                    let decimal = b == b'.' && bytes.get(i.saturating_add(1)).is_some_and(u8::is_ascii_digit);
                    sent |= !decimal;
                }
                i = i.saturating_add(1);
                continue;
            }
            let start = i;
            let mut latin_wide = 0u32;
            let mut h = FNV_SEED;
            let mut stem = FNV_SEED;
            let mut alpha = 0u32;
            let mut kind = if c & C_UPPER != 0 { K_UPPER } else { 0 };
            loop {
                // ASCII letters and digits: the common case, kept tight.
                while let Some(&b) = bytes.get(i) {
                    let c = class(b);
                    if c & C_WORD == 0 {
                        break;
                    }
                    // C_UPPER is 4: shifted to 0x20 it lower-cases the letter.
                    h = lexicon::fnv_step(h, b | ((c & C_UPPER) << 3));
                    if i.saturating_sub(start) == 4 {
                        stem = h;
                    }
                    alpha = alpha.saturating_add(u32::from(c & C_ALPHA != 0));
                    i = i.saturating_add(1);
                }
                match bytes.get(i) {
                    Some(&b) if b >= 0x80 => {
                        let (ch, len) = decode(raw, i);
                        let s = script_of(ch);
                        if !is_word_char(ch) || is_cjk(s) {
                            break;
                        }
                        if i == start && is_upper(ch) {
                            kind |= K_UPPER;
                        }
                        alpha = alpha.saturating_add(1);
                        // Counted apart so the ASCII total can be added at the end.
                        latin_wide = latin_wide.saturating_add(1);
                        if s != Script::Latin {
                            bump(&mut scripts, s);
                        } else {
                            latin = latin.saturating_add(1);
                        }
                        for (n, x) in bytes.get(i..i.saturating_add(len)).unwrap_or(&[]).iter().enumerate() {
                            h = lexicon::fnv_step(h, *x);
                            if i.saturating_add(n).saturating_sub(start) == 4 {
                                stem = h;
                            }
                        }
                        i = i.saturating_add(len);
                    }
                    _ => break,
                }
            }
            if i == start {
                // Defensive: never loop without progress.
                i = i.saturating_add(1);
                continue;
            }
            kind |= if alpha == 0 { K_DIGITS } else { K_ALPHA };
            if sent {
                kind |= K_SENT;
            }
            sent = false;
            latin = latin.saturating_add(alpha.saturating_sub(latin_wide));
            if i.saturating_sub(start) < 5 {
                stem = h;
            }
            let mut w = Word { start: start as u32, end: i as u32, hash: h, stem, flags: 0, domain: 0, kind, unit: 0 };
            if alpha > 0 && i.saturating_sub(start) <= 16 {
                if let Some(e) = lexicon::lookup(h, i.saturating_sub(start)) {
                    w.flags = e.flags;
                    w.domain = e.domain;
                    w.unit = e.unit;
                    if e.flags & lexicon::OPWORD != 0 && matches!(h, EQUAL | EQUALS) {
                        symbols |= SYM_EQUAL_WORD;
                    }
                    langs[0] = langs[0].saturating_add(u16::from(e.flags & lexicon::STOP != 0));
                    if e.flags & OTHER_LANGS != 0 {
                        for (n, f) in langs.iter_mut().zip(LANGS).skip(1) {
                            *n = n.saturating_add(u16::from(e.flags & f != 0));
                        }
                    }
                }
            }
            store(&mut words, &mut count, w);
        }
        if let Some(n) = scripts.get_mut(Script::Latin as usize) {
            *n = latin;
        }
        words.truncate(count);
        Text { raw, words, scripts, langs, symbols }
    }

    pub fn word(&self, w: &Word) -> &'a str {
        self.raw.get(w.start as usize..w.end as usize).unwrap_or("")
    }

    pub fn word_at(&self, i: usize) -> &'a str {
        self.words.get(i).map_or("", |w| self.word(w))
    }

    pub fn len(&self) -> usize {
        self.words.len()
    }

    /// Whether word `i` is the (lower-case) word with hash `h`.
    pub fn is_word(&self, i: usize, h: u32) -> bool {
        self.words.get(i).is_some_and(|w| w.hash == h)
    }

    pub fn has_symbol(&self, bits: u16) -> bool {
        self.symbols & bits != 0
    }

    pub fn is_blank(&self) -> bool {
        self.raw.trim().is_empty()
    }

    /// Letters seen of script `s`.
    pub fn letters_of(&self, s: Script) -> u32 {
        self.scripts.get(s as usize).copied().unwrap_or(0)
    }

    /// Letters of the most used script and that script.
    pub fn dominant_script(&self) -> Option<(Script, u32)> {
        const ORDER: [Script; SCRIPTS] = [
            Script::Latin,
            Script::Cyrillic,
            Script::Greek,
            Script::Arabic,
            Script::Hebrew,
            Script::Devanagari,
            Script::Han,
            Script::Kana,
            Script::Hangul,
            Script::Thai,
            Script::Other,
        ];
        let mut best: Option<(Script, u32)> = None;
        for s in ORDER {
            let n = self.letters_of(s);
            // Kana text is full of Han characters: count them together.
            let n = if s == Script::Kana && n > 0 { n.saturating_add(self.letters_of(Script::Han)) } else { n };
            let better = match best {
                Some((_, m)) => n > m,
                None => n > 0,
            };
            if better {
                best = Some((s, n));
            }
        }
        best
    }

    pub fn letters(&self) -> u32 {
        self.scripts.iter().sum()
    }

    /// Whether the word sequence `phrase` (lower-case) starts at word `i`.
    pub fn phrase_at(&self, i: usize, phrase: &[&str]) -> bool {
        phrase.iter().enumerate().all(|(k, p)| self.word_at(i.saturating_add(k)).eq_ignore_ascii_case(p))
    }
}

#[inline(always)]
fn store(words: &mut Vec<Word>, count: &mut usize, w: Word) {
    match words.get_mut(*count) {
        Some(slot) => *slot = w,
        None => words.push(w),
    }
    *count = (*count).saturating_add(1);
}

/// Decode the character at byte `i`; `i` is always a char boundary here,
/// but a bad offset degrades to a one-byte skip instead of a panic.
fn decode(raw: &str, i: usize) -> (char, usize) {
    match raw.get(i..).and_then(|s| s.chars().next()) {
        Some(c) => (c, c.len_utf8()),
        None => ('\u{fffd}', 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_spans_and_flags() {
        let t = Text::new("Hello, world! It's 2+2. Café naïve");
        let ws: Vec<&str> = t.words.iter().map(|w| t.word(w)).collect();
        assert_eq!(ws, ["Hello", "world", "It", "s", "2", "2", "Café", "naïve"]);
        assert!(t.words[0].is(K_SENT) && t.words[0].is(K_UPPER));
        assert!(t.words[2].is(K_SENT));
        assert!(t.words[4].is(K_DIGITS));
        assert!(t.words[3].has(lexicon::STOP));
    }

    #[test]
    fn odd_unicode_never_panics() {
        for s in ["", "é", "日本語のテキスト", "👍🏽👍🏽", "\u{301}a\u{301}", "a\u{0}b", "Ωμέγα", "١٢٣ عربى", "\u{fffd}"]
        {
            let t = Text::new(s);
            for w in &t.words {
                let _ = t.word(w);
            }
            let _ = t.dominant_script();
        }
        let t = Text::new("日本語");
        assert_eq!(t.len(), 3);
        assert_eq!(t.dominant_script().map(|s| s.0), Some(Script::Han));
        let t = Text::new("Привет, как дела?");
        assert_eq!(t.dominant_script().map(|s| s.0), Some(Script::Cyrillic));
    }
}
