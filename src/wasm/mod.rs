//! The one door to JavaScript. Everything that names wasm-bindgen, js-sys
//! or web-sys lives here; the rest of the crate is plain Rust.
//!
//! Values cross the boundary as text, one string per value rather than a
//! call per field: JSON for configuration, options, events, errors and the
//! rarer results, and for `run()`'s result, read on every run, a tape of
//! values (`src/tape_out.rs`). The hot per-chunk path of a stream passes its
//! text, model and tier as plain arguments instead.

mod agent;
mod clock;
mod custom;
mod driver;
mod fetch;
mod js_error;
#[cfg(feature = "serve")]
mod serve;
mod store;
mod tools;
