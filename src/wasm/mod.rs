//! The one door to JavaScript. Everything that names wasm-bindgen, js-sys
//! or web-sys lives here; the rest of the crate is plain Rust.
//!
//! Values cross the boundary as JSON text: `JSON.stringify` and serde_json
//! are both fast, it keeps serde-wasm-bindgen out of the binary, and integer
//! fields stay integers.

mod agent;
mod clock;
mod custom;
mod driver;
mod fetch;
mod js_error;
mod tools;
