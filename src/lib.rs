//! cascade-edge: an LLM model cascade engine.
//!
//! A query goes to the cheapest model first; `quality` judges the draft in
//! microseconds with no model call; only a rejected draft (or a failed call)
//! moves the query up a tier. Everything here except `wasm` is plain Rust,
//! testable on the host; `wasm` is the only door to JavaScript.
//!
//! A panic in wasm traps the instance, and a Worker dies with it, so nothing
//! a user or a provider sends may reach a panic: these lints keep slicing,
//! indexing, unwrapping and overflowing arithmetic out of the library (CI
//! runs clippy with warnings denied). Tests may still unwrap.
#![cfg_attr(
    not(test),
    warn(
        clippy::indexing_slicing,
        clippy::string_slice,
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::arithmetic_side_effects,
        clippy::panic
    )
)]

pub mod cascade;
pub mod clock;
pub mod config;
pub mod decimal;
pub mod error;
pub mod http;
pub mod json_in;
pub mod json_out;
pub mod pricing;
pub mod providers;
pub mod quality;
pub mod reliability;
#[cfg(feature = "serve")]
pub mod serve;
pub mod shape;
mod sort;
pub mod stream;
pub mod suggest;
pub mod tape_out;
pub mod types;
pub mod value;

#[cfg(target_arch = "wasm32")]
mod wasm;

// The random source the fuzz targets use (tests/fuzz), shared with the
// unit tests rather than written twice.
#[cfg(test)]
#[path = "../tests/support/rng.rs"]
mod test_rng;

pub use cascade::{CascadeResult, Engine};
pub use config::{AgentConfig, ModelConfig};
pub use error::{CascadeError, ErrorCode, FailureClass};
