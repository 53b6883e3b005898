//! The judge's built-in vocabulary, hashed once per instance.
//!
//! Every check wants to know things like "is this word a hedge?" or "which
//! domain does this word point to?". Asking that with `str::contains` per
//! phrase would cost a scan of the whole draft per phrase; instead the
//! tokeniser looks each word up once in this open-addressing table and the
//! checks read the flags it leaves on the word.
//!
//! The table is built from the word lists on first use (1.5k words, tens
//! of microseconds, once per wasm instance) rather than at compile time:
//! built by the compiler it shipped in the wasm as 25 kB of hashes and
//! slot numbers that gzip cannot shrink (about 11 kB of the upload), where
//! the words themselves take 5 kB gzipped.

/// English function words: they carry no topic.
pub(crate) const STOP: u32 = 1 << 0;
/// who / what / when / where / which / why / how.
pub(crate) const QWORD: u32 = 1 << 1;
/// Words that soften a claim.
pub(crate) const HEDGE: u32 = 1 << 2;
/// Words of a writer correcting course mid-answer.
pub(crate) const BACKTRACK: u32 = 1 << 3;
/// The query asks for reasoning rather than a fact.
pub(crate) const REASON: u32 = 1 << 4;
/// The query asks for rigour or construction (proofs, designs).
pub(crate) const DEEP: u32 = 1 << 5;
/// Specialist vocabulary that marks a harder query.
pub(crate) const TECH: u32 = 1 << 6;
/// Data that changes by the minute, so only a tool can answer it.
pub(crate) const LIVE: u32 = 1 << 7;
/// Instruction verbs and fillers: they say what to do, not what about.
pub(crate) const INSTR: u32 = 1 << 8;
/// Cardinal number words ("seven", "dozen").
pub(crate) const NUMWORD: u32 = 1 << 9;
pub(crate) const LANG_ES: u32 = 1 << 10;
pub(crate) const LANG_FR: u32 = 1 << 11;
pub(crate) const LANG_DE: u32 = 1 << 12;
pub(crate) const LANG_PT: u32 = 1 << 13;
pub(crate) const LANG_IT: u32 = 1 << 14;
/// Names of human languages ("French"): the user may want another language.
pub(crate) const LANGNAME: u32 = 1 << 15;
/// Names of programming languages.
pub(crate) const CODELANG: u32 = 1 << 16;
pub(crate) const MONTH: u32 = 1 << 17;
pub(crate) const YESNO: u32 = 1 << 18;
/// Auxiliary verbs that open a yes/no question.
pub(crate) const AUX: u32 = 1 << 19;
/// Words a finished sentence almost never ends on.
pub(crate) const DANGLING: u32 = 1 << 20;
/// Cues of a quick factual lookup ("capital", "define").
pub(crate) const LOOKUP: u32 = 1 << 21;
/// Words that introduce a final result ("answer", "total").
pub(crate) const RESULT: u32 = 1 << 22;
/// Words that, in a question, ask for a quantity.
pub(crate) const QUANTITY: u32 = 1 << 23;
/// Words that open a refusal or "I don't know" phrase: only at these do
/// the phrase lists need checking.
pub(crate) const PHRASE: u32 = 1 << 24;
/// Operator words and LaTeX operator names ("times", "plus", "cdot").
pub(crate) const OPWORD: u32 = 1 << 25;
/// Words that mark a figure as rounded ("approximately", "about").
pub(crate) const APPROX: u32 = 1 << 26;
/// Quantities defined relative to others ("twice", "half"): each one is a
/// step a solver can invert or misapply, a classic source of error.
pub(crate) const RELATION: u32 = 1 << 27;
/// Comparatives that relate quantities when followed by "than".
pub(crate) const COMPARATIVE: u32 = 1 << 28;
/// Verbs that ask for supplied text to be transformed ("translate",
/// "rewrite", "summarise"): the text they act on is material, not a question.
pub(crate) const TRANSFORM: u32 = 1 << 29;
/// Words that ask for a full treatment ("describe", "in detail", "precise").
pub(crate) const ELABORATE: u32 = 1 << 30;
/// Words that ask for a short answer ("briefly", "concise").
pub(crate) const BRIEF: u32 = 1 << 31;

pub(crate) use super::vocab::SCALES;
use super::vocab::{GROUPS, UNITS};

const SLOTS: usize = 4096;
const EMPTY: u16 = u16::MAX;

const fn total_words() -> usize {
    let mut n = 0usize;
    let mut groups = GROUPS;
    while let [(list, _, _), rest @ ..] = groups {
        n = n.saturating_add(count_words(list.as_bytes()));
        groups = rest;
    }
    let mut units = UNITS;
    while let [(list, _), rest @ ..] = units {
        n = n.saturating_add(count_words(list.as_bytes()));
        units = rest;
    }
    n
}

const fn count_words(mut rest: &[u8]) -> usize {
    let mut n = 0usize;
    while let Some((word, tail)) = next_word(rest) {
        if !word.is_empty() {
            n = n.saturating_add(1);
        }
        rest = tail;
    }
    n
}

/// The first space-separated word of `rest` and what follows it; `None`
/// at the end.
const fn next_word(mut rest: &[u8]) -> Option<(&[u8], &[u8])> {
    while let [b' ', tail @ ..] = rest {
        rest = tail;
    }
    if rest.is_empty() {
        return None;
    }
    let mut len = 0usize;
    while let Some(b) = const_get(rest, len) {
        if b == b' ' {
            break;
        }
        len = len.saturating_add(1);
    }
    match rest.split_at_checked(len) {
        Some(split) => Some(split),
        None => None,
    }
}
const CAP: usize = total_words();

/// FNV-1a, the same one the tokeniser runs over lower-cased bytes.
#[inline(always)]
pub(crate) const fn fnv_step(h: u32, b: u8) -> u32 {
    (h ^ b as u32).wrapping_mul(0x0100_0193)
}
pub(crate) const FNV_SEED: u32 = 0x811c_9dc5;

/// The tokeniser's hash of a word at run time (ASCII lower-cased first).
#[cfg(test)]
pub(crate) fn hash_lower(word: &str) -> u32 {
    word.bytes().fold(FNV_SEED, |h, b| fnv_step(h, b.to_ascii_lowercase()))
}

/// Whether `h` is one of a handful of word hashes. Written out so that it
/// inlines: `<[u32]>::contains` is a call per word in a size-optimised
/// build, and these tests run for every word of a query or a draft.
#[inline(always)]
#[allow(clippy::manual_contains)] // `contains` is exactly the call this avoids.
pub(crate) fn any_of(h: u32, set: &[u32]) -> bool {
    set.iter().any(|&x| x == h)
}

/// The tokeniser's hash of a lower-case word, usable in constants.
pub(crate) const fn hash(word: &str) -> u32 {
    fnv(word.as_bytes())
}

const fn fnv(bytes: &[u8]) -> u32 {
    let mut h = FNV_SEED;
    let mut rest = bytes;
    while let [b, tail @ ..] = rest {
        h = fnv_step(h, *b);
        rest = tail;
    }
    h
}

/// `t[i]` for tables built at compile time, where `get` is not yet a
/// `const fn`; out of range reads as `None`.
pub(crate) const fn const_get<T: Copy>(t: &[T], i: usize) -> Option<T> {
    match t.split_at_checked(i) {
        Some((_, [x, ..])) => Some(*x),
        _ => None,
    }
}

/// `t[i] = v` for tables built at compile time; out of range writes nothing.
pub(crate) const fn const_set<T: Copy>(t: &mut [T], i: usize, v: T) {
    if let Some((_, [x, ..])) = t.split_at_mut_checked(i) {
        *x = v;
    }
}

struct Table {
    slots: [u16; SLOTS],
    /// Hash and length settle a lookup: with 32-bit hashes a stray match
    /// is a one-in-billions event, and cheaper than comparing strings.
    hashes: [u32; CAP],
    lens: [u8; CAP],
    flags: [u32; CAP],
    domain: [u8; CAP],
    unit: [u8; CAP],
    /// Entries in use.
    len: usize,
}

fn build() -> Box<Table> {
    let mut t = Box::new(Table {
        slots: [EMPTY; SLOTS],
        hashes: [0; CAP],
        lens: [0; CAP],
        flags: [0; CAP],
        domain: [0; CAP],
        unit: [0; CAP],
        len: 0,
    });
    for &(list, flags, dom) in GROUPS {
        t.insert_all(list, flags, dom, 0);
    }
    for &(list, unit) in UNITS {
        t.insert_all(list, 0, 0, unit);
    }
    t
}

impl Table {
    /// Every space-separated word of `list`, hashed in one pass over it.
    fn insert_all(&mut self, list: &str, flags: u32, dom: u8, unit: u8) {
        let (mut h, mut len) = (FNV_SEED, 0usize);
        for &b in list.as_bytes().iter().chain([b' '].iter()) {
            if b != b' ' {
                h = fnv_step(h, b);
                len = len.saturating_add(1);
            } else if len > 0 {
                self.insert(h, len, flags, dom, unit);
                (h, len) = (FNV_SEED, 0);
            }
        }
    }

    /// Add a word (by hash and length), or merge into it when an earlier
    /// group listed it.
    fn insert(&mut self, h: u32, wlen: usize, flags: u32, dom: u8, unit: u8) {
        let mut s = (h as usize) & (SLOTS - 1);
        for _ in 0..SLOTS {
            let Some(&idx) = self.slots.get(s) else { return };
            let j = usize::from(idx);
            if idx == EMPTY {
                let j = self.len;
                let (Some(hj), Some(lj), Some(fj), Some(dj), Some(uj), Some(slot)) = (
                    self.hashes.get_mut(j),
                    self.lens.get_mut(j),
                    self.flags.get_mut(j),
                    self.domain.get_mut(j),
                    self.unit.get_mut(j),
                    self.slots.get_mut(s),
                ) else {
                    return;
                };
                (*hj, *lj, *fj, *dj, *uj, *slot) = (h, wlen as u8, flags, dom, unit, j as u16);
                self.len = j.saturating_add(1);
                return;
            }
            if self.hashes.get(j) == Some(&h) && self.lens.get(j).map(|&l| usize::from(l)) == Some(wlen) {
                let (Some(fj), Some(dj), Some(uj)) =
                    (self.flags.get_mut(j), self.domain.get_mut(j), self.unit.get_mut(j))
                else {
                    return;
                };
                *fj |= flags;
                if unit != 0 {
                    *uj = unit;
                }
                // A later, stronger domain vote wins a shared word.
                if dom != 0 && (*dj == 0 || (dom >> 4) > (*dj >> 4)) {
                    *dj = dom;
                }
                return;
            }
            s = s.saturating_add(1) & (SLOTS - 1);
        }
    }
}

/// Built on first use.
static TABLE: std::sync::OnceLock<Box<Table>> = std::sync::OnceLock::new();

fn table() -> &'static Table {
    TABLE.get_or_init(build)
}

/// What the vocabulary knows about one word.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Entry {
    pub flags: u32,
    /// Packed domain vote, 0 for none (see `domain_vote`).
    pub domain: u8,
    /// Measurement unit or scale id (see `UNITS`), 0 for none.
    pub unit: u8,
}

/// A packed domain vote as (domain index, as in `Domain`; weight 1..=3).
/// Words carry it packed in one byte to keep the token small.
#[inline]
pub(crate) fn domain_vote(packed: u8) -> Option<(u8, u8)> {
    (packed & 0x0f != 0).then(|| ((packed & 0x0f).saturating_sub(1), packed >> 4))
}

/// Look a word up by the hash of its lower-cased bytes and its length.
/// Inlined into the tokeniser, which calls it for almost every word.
#[inline(always)]
pub(crate) fn lookup(hash: u32, len: usize) -> Option<Entry> {
    let t = table();
    let mut s = (hash as usize) & (SLOTS - 1);
    for _ in 0..SLOTS {
        let idx = *t.slots.get(s)?;
        if idx == EMPTY {
            return None;
        }
        let j = idx as usize;
        if *t.hashes.get(j)? == hash && usize::from(*t.lens.get(j)?) == len {
            return Some(Entry { flags: *t.flags.get(j)?, domain: *t.domain.get(j)?, unit: *t.unit.get(j)? });
        }
        s = s.saturating_add(1) & (SLOTS - 1);
    }
    None
}

/// Flags of a word given as text.
#[cfg(test)]
pub(crate) fn flags_of(word: &str) -> u32 {
    lookup(hash_lower(word), word.len()).map_or(0, |e| e.flags)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quality::vocab::CODE;

    #[test]
    fn words_found_with_merged_flags() {
        let f = flags_of("However");
        assert!(f & STOP != 0);
        assert_eq!(flags_of("zzzz-not-a-word"), 0);
        let e = lookup(hash_lower("Python"), 6).unwrap();
        assert!(e.flags & CODELANG != 0);
        assert_eq!(domain_vote(e.domain), Some((CODE, 3)));
        // "que" is Spanish, French and Portuguese at once.
        let q = flags_of("que");
        assert!(q & LANG_ES != 0 && q & LANG_FR != 0 && q & LANG_PT != 0);
        assert_eq!(hash("answer"), hash_lower("ANSWER"));
    }

    #[test]
    fn units_carry_their_ids() {
        assert_eq!(lookup(hash_lower("Minutes"), 7).map(|e| e.unit), Some(0x16));
        assert_eq!(lookup(hash_lower("dozen"), 5).map(|e| (e.unit, e.flags & NUMWORD != 0)), Some((0xf0, true)));
        assert_eq!(lookup(hash_lower("apples"), 6), None);
    }

    #[test]
    fn distinct_words_never_share_a_hash() {
        let mut seen: Vec<(u32, usize, &str)> = Vec::new();
        let units = UNITS.iter().map(|(l, _)| (*l, 0u32, 0u8));
        for (list, _, _) in GROUPS.iter().copied().chain(units) {
            for w in list.split(' ') {
                let key = (hash_lower(w), w.len());
                if let Some(other) = seen.iter().find(|s| (s.0, s.1) == key) {
                    assert_eq!(other.2, w, "hash collision");
                }
                seen.push((key.0, key.1, w));
            }
        }
    }

    #[test]
    fn every_listed_word_is_reachable() {
        for (list, flags, _) in GROUPS {
            for w in list.split(' ') {
                let e = lookup(hash_lower(w), w.len());
                assert!(e.is_some(), "{w} missing");
                assert_eq!(e.unwrap().flags & flags, *flags, "{w} lost a flag");
            }
        }
    }
}
