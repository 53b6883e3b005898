//! Incremental decoders for streamed bodies: bytes in, whole events out,
//! safe against chunks split anywhere (mid-line, mid-UTF-8).

mod lines;
pub mod ndjson;
pub mod sse;

/// Largest line or event a decoder will hold. A Worker has ~128 MB, and a
/// peer that never sends a newline must not be able to take all of it; real
/// events (even long tool-call arguments) stay far below this.
pub const MAX_EVENT_BYTES: usize = 8 * 1024 * 1024;

/// A short, char-safe excerpt of `text` for error messages, so a huge or
/// hostile line is never echoed whole.
pub fn preview(text: &str, max_chars: usize) -> String {
    let trimmed = text.trim();
    let mut out: String = trimmed.chars().take(max_chars).collect();
    if trimmed.chars().nth(max_chars).is_some() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::preview;

    #[test]
    fn preview_truncates_on_char_boundaries() {
        assert_eq!(preview("  short ", 10), "short");
        assert_eq!(preview("ééééé", 3), "ééé…");
        assert_eq!(preview("abc", 3), "abc");
    }
}
