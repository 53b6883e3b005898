//! The cascade: try the cheapest tier, judge, escalate; record every attempt.

mod accumulate;
mod analytics;
mod attempt;
mod call;
mod engine;
mod events;
mod gate;
mod handoff;
mod judged;
mod prices;
mod result;
mod resume;
mod shared_analytics;
mod tools;
mod trace;

pub use analytics::{Acceptance, Analytics, ModelStats};
pub use call::probe as test_connection;
pub use engine::{Engine, RunError};
pub use events::{Event, StreamMode};
pub use prices::{DEFAULT_PRICE_TTL_MS, RETRY_AFTER_FAILURE_MS};
pub use result::{Attempt, AttemptError, AttemptOutcome, CascadeResult, UsageSummary};
pub use shared_analytics::{SharedAnalytics, Sums};
pub use tools::{ToolExecutor, DEFAULT_MAX_STEPS};
