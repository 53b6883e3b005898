//! One description of a public shape, read by both encoders.
//!
//! A result, its attempts, verdicts, checks and usage cross to JS in two
//! forms: JSON (`JsonOut`: stream results, events, errors, `scoreDraft`)
//! and the tape (`TapeOut`: `run()`'s result). Each type lists its fields
//! once, in order, through a `Sink`; JSON writes them with their keys and
//! the tape writes only the values, so the two forms cannot disagree on
//! what a type holds or in what order. js/src/tape.ts reads the same order.

use crate::json_out::ToJson;

/// A type with a fixed public shape: its fields, in order.
pub trait Shape {
    fn shape<S: Sink>(&self, s: &mut S);
}

/// What an encoder does with each kind of field. "Nullable" fields are
/// always present (JSON `null` when unknown); "optional" ones are left out
/// of the JSON when absent.
pub trait Sink {
    fn str(&mut self, key: &str, v: &str);
    /// Non-finite numbers read back as `null`, as JSON has no other form.
    fn f64(&mut self, key: &str, v: f64);
    fn nullable_f64(&mut self, key: &str, v: Option<f64>);
    fn u64(&mut self, key: &str, v: u64);
    fn flag(&mut self, key: &str, v: bool);
    fn optional_str(&mut self, key: &str, v: Option<&str>);
    fn optional_u64(&mut self, key: &str, v: Option<u64>);
    fn object<T: Shape>(&mut self, key: &str, v: &T);
    fn optional_object<T: Shape>(&mut self, key: &str, v: Option<&T>);
    fn list<T: Shape>(&mut self, key: &str, items: &[T]);
    /// A part whose shape varies (tool calls, parsed output, an error):
    /// nested in JSON, one JSON text on the tape.
    fn optional_json<T: ToJson>(&mut self, key: &str, v: Option<&T>);
}
