//! What the cascade does when a call fails: retry the same model (after how
//! long), move on to the next tier, or stop; and which endpoints are not
//! worth calling at all for a while (circuit breakers). Pure policy: it takes the
//! failure, the configuration and the injected randomness, and returns a
//! decision that `cascade::engine` carries out.

pub mod breaker;
pub mod budget;
pub mod health;
pub mod keys;
pub mod policy;
pub mod rate_limit;
pub mod retry;
pub mod store;

pub use breaker::{Admit, BreakerConfig, Breakers};
pub use policy::{after_failure, larger_window, Attempted, ContextNeed, Step};
pub use retry::{Backoff, RetryConfig};
pub use store::{MemoryStore, Store};
