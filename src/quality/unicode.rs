//! Just enough Unicode for a tokeniser: is a non-ASCII character part of
//! a word, and does it start one in upper case?
//!
//! `char::is_alphanumeric` and `char::is_uppercase` answer exactly, but
//! bring the standard library's property tables into the wasm build (about
//! 4 KB), and the judge only needs to split words sensibly and to notice
//! capitalised names. These ranges follow the Unicode blocks: letters,
//! digits and the combining signs of the scripts that write words with
//! them count as word characters; punctuation, symbols, arrows, emoji and
//! the like do not. Where a block mixes both and the detail cannot change
//! a judgement, the block is taken whole.

/// Whether `c` (not ASCII) belongs inside a word.
pub(crate) fn is_word_char(c: char) -> bool {
    let u = c as u32;
    match u {
        // Latin-1: feminine/masculine ordinals, micro, superscripts, fractions.
        0x80..=0xBF => matches!(u, 0xAA | 0xB2 | 0xB3 | 0xB5 | 0xB9 | 0xBA | 0xBC..=0xBE),
        0xD7 | 0xF7 => false,
        // Latin letters, IPA, spacing modifier letters.
        0xC0..=0x2C1 | 0x2C6..=0x2D1 | 0x2E0..=0x2E4 | 0x2EC | 0x2EE => true,
        // Combining diacritics join no word on their own.
        0x2C2..=0x36F => false,
        // Greek, less its numeral signs, question mark, tonos and ano teleia.
        0x370..=0x3FF => !matches!(u, 0x375 | 0x37E | 0x384 | 0x385 | 0x387 | 0x3F6),
        // Cyrillic, less the thousands sign and the combining titlo marks.
        0x400..=0x52F => !(0x482..=0x489).contains(&u),
        // Armenian, less its punctuation.
        0x530..=0x58F => !matches!(u, 0x55A..=0x55F | 0x589 | 0x58A | 0x58D..=0x58F),
        // Hebrew vowel points and letters; cantillation and punctuation are not.
        0x590..=0x5FF => matches!(u, 0x5B0..=0x5BD | 0x5BF | 0x5C1 | 0x5C2 | 0x5C4 | 0x5C5 | 0x5C7 | 0x5D0..=0x5F2),
        // Arabic letters, vowel marks and digits; not its comma, semicolon,
        // question mark, full stop or other signs.
        0x600..=0x6FF => {
            matches!(u, 0x610..=0x61A | 0x620..=0x669 | 0x66E..=0x6D3 | 0x6D5..=0x6DC | 0x6E1..=0x6E8 | 0x6ED..=0x6FC | 0x6FF)
        }
        0x700..=0x8FF => true,
        // Devanagari and the other Indic scripts, less the dandas.
        0x900..=0xDFF => !matches!(u, 0x964 | 0x965 | 0x970),
        // Thai, less the baht sign and its punctuation.
        0xE00..=0xE7F => !matches!(u, 0xE3F | 0xE4F | 0xE5A | 0xE5B),
        0xE80..=0x1FFF => {
            !matches!(u, 0x1FBD | 0x1FBF..=0x1FC1 | 0x1FCD..=0x1FCF | 0x1FDD..=0x1FDF | 0x1FED..=0x1FEF | 0x1FFD..=0x1FFF)
        }
        // Superscript and subscript digits, letterlike forms and numerals.
        0x2070..=0x209F => !matches!(u, 0x207A..=0x207E | 0x208A..=0x208E),
        0x2100..=0x218F => {
            matches!(u, 0x2102 | 0x2107 | 0x210A..=0x2113 | 0x2115 | 0x2119..=0x211D | 0x2124 | 0x2126 | 0x2128 | 0x212A..=0x212D | 0x212F..=0x2139 | 0x2150..=0x2188)
        }
        0x2460..=0x249B | 0x24EA..=0x24FF => true,
        // Punctuation, currency, arrows, operators, shapes, CJK radicals.
        0x2000..=0x2BFF | 0x2E00..=0x2FFF => false,
        0x2C00..=0x2DFF => true,
        // CJK symbols: only the iteration and numeral marks are word-like.
        0x3000..=0x303F => matches!(u, 0x3005..=0x3007 | 0x3021..=0x3029 | 0x3031..=0x3035 | 0x3038..=0x303C),
        // Kana, less the sound marks, the double hyphen and the middle dot.
        0x3040..=0x30FF => !matches!(u, 0x3040 | 0x3099..=0x309C | 0x30A0 | 0x30FB),
        0x3100..=0xD7FF => true,
        // Fullwidth forms: digits, letters, halfwidth kana and hangul.
        0xFF00..=0xFFEF => matches!(u, 0xFF10..=0xFF19 | 0xFF21..=0xFF3A | 0xFF41..=0xFF5A | 0xFF66..=0xFFDC),
        // Private use, compatibility punctuation, variation selectors, specials.
        0xE000..=0xF8FF | 0xFE00..=0xFE6F | 0xFEFF | 0xFFF0..=0xFFFF => false,
        0xF900..=0xFDFF | 0xFE70..=0xFEFE => true,
        // Musical symbols, emoji, pictographs, tags.
        0x1D000..=0x1D3FF | 0x1F000..=0x1FFFF | 0xE0000.. => false,
        _ => true,
    }
}

/// Whether `c` (not ASCII) is an upper-case letter, for the scripts with
/// case that names are commonly written in.
pub(crate) fn is_upper(c: char) -> bool {
    let u = c as u32;
    match u {
        0xC0..=0xDE => u != 0xD7,
        // Latin Extended-A pairs upper and lower case, mostly upper first;
        // two runs put the lower case first.
        0x100..=0x137 | 0x14A..=0x177 => u % 2 == 0,
        0x139..=0x148 | 0x179..=0x17E => u % 2 == 1,
        0x178 => true,
        0x391..=0x3AB => true,
        0x400..=0x42F => true,
        0x460..=0x481 | 0x48A..=0x4BF => u % 2 == 0,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agrees_with_the_standard_library_where_it_matters() {
        let words = "ÀÉÎÕÜßàéîõüÿāĕĭŏŭłńşžſƒǅΑβΓδΩάЖжЯяҐґאבגדةبتثجحخ٠١٢अआकखกขคあいうアイウ日本語한국어ﾊﾟ";
        for c in words.chars() {
            assert_eq!(is_word_char(c), c.is_alphanumeric(), "{c} U+{:04X}", c as u32);
        }
        let marks = "×÷«»¿¡·…—–“”‘’€£¥©®°±§¶•→←≈≠≤≥∑√∞、。！？「」・〜：；⸘🙂👍🏽\u{200b}\u{feff}\u{301}\u{fffd}،؛؟।॥";
        for c in marks.chars() {
            assert_eq!(is_word_char(c), c.is_alphanumeric(), "{c} U+{:04X}", c as u32);
        }
    }

    #[test]
    fn capitals_of_cased_scripts() {
        for c in "ÀÉÑÖØÞĀĘŁŃŚŹŻŸΑΩЖЯҐ".chars() {
            assert!(is_upper(c), "{c}");
        }
        for c in "àéñöøþāęłńśźżÿαωжяґ×ß日".chars() {
            assert!(!is_upper(c), "{c}");
        }
    }
}
