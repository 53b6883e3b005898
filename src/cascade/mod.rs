//! The cascade: try the cheapest tier, judge, escalate; record every attempt.

mod accumulate;
mod call;
mod engine;
mod events;
mod result;

pub use engine::{Engine, RunError};
pub use events::{Event, StreamMode};
pub use result::{Attempt, AttemptError, AttemptOutcome, CascadeResult, UsageSummary};
