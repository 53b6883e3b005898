//! Line splitting shared by the SSE and NDJSON decoders.
//!
//! Raw bytes are buffered and only complete lines are handed out: CR and LF
//! are ASCII and never occur inside a multi-byte UTF-8 sequence, so a whole
//! line always decodes to whole characters, however the chunks were cut.

/// One line as the splitter hands it out.
pub(crate) enum Line<'a> {
    Text(&'a [u8]),
    /// The line was longer than the limit; its bytes were dropped.
    TooLong,
}

pub(crate) struct LineSplitter {
    buf: Vec<u8>,
    /// The previous chunk ended in CR: an LF opening the next one belongs to it.
    after_cr: bool,
    overflow: bool,
    max: usize,
}

impl LineSplitter {
    pub(crate) fn new(max: usize) -> Self {
        LineSplitter { buf: Vec::new(), after_cr: false, overflow: false, max }
    }

    /// Split `bytes` on CRLF, LF or a lone CR, calling `on_line` per line.
    pub(crate) fn push(&mut self, bytes: &[u8], on_line: &mut dyn FnMut(Line<'_>)) {
        let mut rest = bytes;
        loop {
            if self.after_cr {
                match rest.split_first() {
                    Some((b'\n', tail)) => {
                        self.after_cr = false;
                        rest = tail;
                    }
                    Some(_) => self.after_cr = false,
                    None => return,
                }
            }
            match rest.iter().position(|&b| b == b'\n' || b == b'\r') {
                Some(i) => {
                    let (head, tail) = rest.split_at(i);
                    self.append(head);
                    self.after_cr = tail.first() == Some(&b'\r');
                    rest = tail.get(1..).unwrap_or(&[]);
                    self.emit(on_line);
                }
                None => {
                    self.append(rest);
                    return;
                }
            }
        }
    }

    /// End of input: a last line without a terminator still counts.
    pub(crate) fn finish(&mut self, on_line: &mut dyn FnMut(Line<'_>)) {
        if !self.buf.is_empty() || self.overflow {
            self.emit(on_line);
        }
        self.after_cr = false;
    }

    fn append(&mut self, bytes: &[u8]) {
        if self.overflow {
            return;
        }
        if self.buf.len().saturating_add(bytes.len()) > self.max {
            self.overflow = true;
            self.buf = Vec::new();
        } else {
            self.buf.extend_from_slice(bytes);
        }
    }

    fn emit(&mut self, on_line: &mut dyn FnMut(Line<'_>)) {
        if self.overflow {
            self.overflow = false;
            on_line(Line::TooLong);
        } else {
            on_line(Line::Text(&self.buf));
        }
        self.buf.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(chunks: &[&[u8]], max: usize) -> Vec<Option<String>> {
        let mut s = LineSplitter::new(max);
        let mut out = Vec::new();
        let mut f = |l: Line<'_>| {
            out.push(match l {
                Line::Text(b) => Some(String::from_utf8_lossy(b).into_owned()),
                Line::TooLong => None,
            })
        };
        for c in chunks {
            s.push(c, &mut f);
        }
        s.finish(&mut f);
        out
    }

    #[test]
    fn all_three_line_endings() {
        let got = split(&[b"a\r\nb\nc\rd"], 100);
        assert_eq!(got, vec![Some("a".into()), Some("b".into()), Some("c".into()), Some("d".into())]);
    }

    #[test]
    fn crlf_split_across_chunks_is_one_ending() {
        let got = split(&[b"a\r", b"\nb\r", b"", b"\n"], 100);
        assert_eq!(got, vec![Some("a".into()), Some("b".into())]);
    }

    #[test]
    fn cr_cr_is_an_empty_line() {
        let got = split(&[b"a\r", b"\rb"], 100);
        assert_eq!(got, vec![Some("a".into()), Some("".into()), Some("b".into())]);
    }

    #[test]
    fn overlong_line_is_reported_once_and_skipped() {
        let got = split(&[b"0123", b"456789\nok\n"], 5);
        assert_eq!(got, vec![None, Some("ok".into())]);
    }
}
