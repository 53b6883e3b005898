//! Newline-delimited JSON decoder. (STUB)
