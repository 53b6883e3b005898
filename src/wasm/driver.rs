//! Runs the engine's futures from JS, one step per settled promise.
//!
//! The engine is async only because it waits on JS: a fetch, a stream read,
//! a custom provider, a tool. Instead of an executor in wasm (a promise per
//! task, closures per await, a microtask to wake each one), the wrapper's
//! loop (`js/src/drive.ts`) calls `stepTask(id, ...)`: the future runs until
//! it needs a promise, the step hands that promise out, JS awaits it and
//! passes the outcome to the next step. A run with one fetch is two calls
//! into wasm and no wakers at all. Tasks live in a table here and JS holds
//! only their number, so a run creates no JS object to finalise.

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

/// A run in progress.
struct Task {
    run: Run,
    slot: Rc<RefCell<Slot>>,
}

enum Entry {
    Free,
    /// Being stepped (its number must not be reused meanwhile).
    Busy,
    Parked(Task),
}

thread_local! {
    static TASKS: RefCell<Vec<Entry>> = const { RefCell::new(Vec::new()) };
}

/// Register a run; JS steps it by the number returned.
pub fn spawn(fut: impl Future<Output = Result<JsValue, JsValue>> + 'static) -> u32 {
    let task = Task { run: Box::pin(fut), slot: Rc::default() };
    TASKS.with(|t| {
        let mut tasks = t.borrow_mut();
        match tasks.iter_mut().enumerate().find(|(_, e)| matches!(e, Entry::Free)) {
            Some((i, slot)) => {
                *slot = Entry::Parked(task);
                i as u32
            }
            None => {
                tasks.push(Entry::Parked(task));
                tasks.len().saturating_sub(1) as u32
            }
        }
    })
}

fn set(id: u32, entry: Entry) {
    TASKS.with(|t| {
        if let Some(e) = t.borrow_mut().get_mut(id as usize) {
            *e = entry;
        }
    });
}

/// Advance task `id`. `value` / `failed`: how the promise from its previous
/// step settled (ignored on the first step). Returns a promise to await
/// before stepping again, or the run's answer (never a promise); throws the
/// run's error. A finished task's number is free for the next run.
#[wasm_bindgen(js_name = stepTask)]
pub fn step_task(id: u32, value: JsValue, failed: bool) -> Result<JsValue, JsValue> {
    let taken = TASKS.with(|t| match t.borrow_mut().get_mut(id as usize) {
        Some(e @ Entry::Parked(_)) => match std::mem::replace(e, Entry::Busy) {
            Entry::Parked(task) => Some(task),
            _ => None,
        },
        _ => None,
    });
    let Some(mut task) = taken else {
        return Err(JsValue::from_str("cascade-edge: no such task, or it is finished"));
    };
    {
        let mut slot = task.slot.borrow_mut();
        if slot.pending.take().is_some() {
            slot.settled = Some(if failed { Err(value) } else { Ok(value) });
        }
    }
    STEPPING.with(|s| s.borrow_mut().push(task.slot.clone()));
    let polled = task.run.as_mut().poll(&mut Context::from_waker(Waker::noop()));
    STEPPING.with(|s| s.borrow_mut().pop());
    match polled {
        Poll::Ready(out) => {
            set(id, Entry::Free);
            out
        }
        Poll::Pending => {
            let pending = task.slot.borrow().pending.clone();
            match pending {
                Some(p) => {
                    set(id, Entry::Parked(task));
                    Ok(p.into())
                }
                None => {
                    set(id, Entry::Free);
                    Err(JsValue::from_str("cascade-edge: the engine waited on something other than a promise"))
                }
            }
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
