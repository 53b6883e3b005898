//! Incremental decoders for streamed bodies: bytes in, whole events out,
//! safe against chunks split anywhere (mid-line, mid-UTF-8).

pub mod ndjson;
pub mod sse;
