//! Runs the engine's futures from JS, one step per settled promise.
//!
//! The engine is async only because it waits on JS: a fetch, a stream read,
//! a custom provider, a tool. Instead of an executor in wasm (a promise per
//! task, closures per await, a microtask to wake each one), the wrapper's
//! loop (`js/src/drive.ts`) calls `Task.step`: the future runs until it
//! needs a promise, `step` hands that promise out, JS awaits it and passes
//! the outcome to the next `step`. A run with one fetch is two calls into
//! wasm and no wakers at all.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use js_sys::Promise;
use wasm_bindgen::prelude::*;

type Run = Pin<Box<dyn Future<Output = Result<JsValue, JsValue>>>>;

/// What passes between a task's `step` and the `Await` it is polling.
#[derive(Default)]
struct Slot {
    /// The promise the future is waiting on, for `step` to hand out.
    pending: Option<Promise>,
    /// How that promise settled, for the `Await` to take.
    settled: Option<Result<JsValue, JsValue>>,
}

thread_local! {
    /// The slots of the tasks being stepped, innermost last: a callback
    /// during a step (a stream event) may start and step another task.
    static STEPPING: RefCell<Vec<Rc<RefCell<Slot>>>> = const { RefCell::new(Vec::new()) };
}

fn current() -> Option<Rc<RefCell<Slot>>> {
    STEPPING.with(|s| s.borrow().last().cloned())
}

/// A run in progress. `step` returns a Promise to await, or the run's
/// final value (a string); it throws the run's error.
#[wasm_bindgen]
pub struct Task {
    run: Option<Run>,
    slot: Rc<RefCell<Slot>>,
}

impl Task {
    pub fn new(fut: impl Future<Output = Result<JsValue, JsValue>> + 'static) -> Task {
        Task { run: Some(Box::pin(fut)), slot: Rc::default() }
    }
}

#[wasm_bindgen]
impl Task {
    /// `value` / `failed`: how the promise from the previous step settled
    /// (ignored on the first step).
    pub fn step(&mut self, value: JsValue, failed: bool) -> Result<JsValue, JsValue> {
        let Some(run) = self.run.as_mut() else {
            return Err(JsValue::from_str("cascade-edge: step() called on a finished task"));
        };
        {
            let mut slot = self.slot.borrow_mut();
            if slot.pending.take().is_some() {
                slot.settled = Some(if failed { Err(value) } else { Ok(value) });
            }
        }
        STEPPING.with(|s| s.borrow_mut().push(self.slot.clone()));
        let polled = run.as_mut().poll(&mut Context::from_waker(Waker::noop()));
        STEPPING.with(|s| s.borrow_mut().pop());
        match polled {
            Poll::Ready(out) => {
                self.run = None;
                out
            }
            Poll::Pending => match self.slot.borrow().pending.clone() {
                Some(p) => Ok(p.into()),
                None => {
                    self.run = None;
                    Err(JsValue::from_str("cascade-edge: the engine waited on something other than a promise"))
                }
            },
        }
    }
}

/// Wait for a JS promise (or any value: a non-promise settles at once).
pub fn js_await(v: JsValue) -> Await {
    Await { promise: Some(Promise::resolve(&v)) }
}

pub struct Await {
    /// Until the first poll; then the task's slot holds it.
    promise: Option<Promise>,
}

impl Future for Await {
    type Output = Result<JsValue, JsValue>;

    fn poll(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Self::Output> {
        let Some(slot) = current() else {
            return Poll::Ready(Err(JsValue::from_str("cascade-edge: awaited outside a task")));
        };
        let mut slot = slot.borrow_mut();
        if let Some(p) = self.promise.take() {
            slot.pending = Some(p);
            return Poll::Pending;
        }
        match slot.settled.take() {
            Some(out) => Poll::Ready(out),
            None => Poll::Pending,
        }
    }
}
