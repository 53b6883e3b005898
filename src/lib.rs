//! cascade-edge: an LLM model cascade engine.
//!
//! A query goes to the cheapest model first; `quality` judges the draft in
//! microseconds with no model call; only a rejected draft (or a failed call)
//! moves the query up a tier. Everything here except `wasm` is plain Rust,
//! testable on the host; `wasm` is the only door to JavaScript.

pub mod cascade;
pub mod clock;
pub mod config;
pub mod error;
pub mod http;
pub mod json_in;
pub mod json_out;
pub mod pricing;
pub mod shape;
pub mod providers;
pub mod quality;
pub mod stream;
pub mod tape_out;
pub mod types;

#[cfg(target_arch = "wasm32")]
mod wasm;

pub use cascade::{CascadeResult, Engine};
pub use config::{AgentConfig, ModelConfig};
pub use error::{CascadeError, ErrorCode, FailureClass};
