//! Injected time. The std monotonic clock panics on wasm32, so the core
//! only ever reads time through this trait.

pub trait Clock {
    /// Milliseconds since an arbitrary fixed origin (monotonic where possible).
    fn now_ms(&self) -> f64;

    /// Wall time as Unix milliseconds, where the host has it: only to read
    /// a `Retry-After` given as an HTTP date. `None` leaves such a date unread.
    fn epoch_ms(&self) -> Option<f64> {
        None
    }

    /// A uniform draw in [0, 1), for retry jitter: chance is injected like
    /// time, so that tests are repeatable. The default is the middle.
    fn random(&self) -> f64 {
        0.5
    }
}

/// A clock tests can drive by hand.
#[derive(Default)]
pub struct ManualClock {
    now: std::cell::Cell<f64>,
}

impl ManualClock {
    pub fn advance(&self, ms: f64) {
        self.now.set(self.now.get() + ms);
    }
}

impl Clock for ManualClock {
    fn now_ms(&self) -> f64 {
        self.now.get()
    }
}

/// A clock shared with whatever else drives it (a test's scripted client
/// that moves time forward when the engine sleeps).
impl<C: Clock> Clock for std::rc::Rc<C> {
    fn now_ms(&self) -> f64 {
        (**self).now_ms()
    }

    fn epoch_ms(&self) -> Option<f64> {
        (**self).epoch_ms()
    }

    fn random(&self) -> f64 {
        (**self).random()
    }
}
