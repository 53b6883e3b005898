//! The cascade: try the cheapest tier, judge, escalate; record every attempt.

mod accumulate;
mod analytics;
mod call;
mod engine;
mod events;
mod result;

pub use analytics::{Acceptance, Analytics, ModelStats};
pub use engine::{Engine, RunError};
pub use events::{Event, StreamMode};
pub use result::{Attempt, AttemptError, AttemptOutcome, CascadeResult, UsageSummary};
