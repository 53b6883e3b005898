//! Server-sent events decoder. (STUB)
