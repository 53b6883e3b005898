//! The JS clock: `performance.now()`, which every target runtime has.

use wasm_bindgen::prelude::*;

use crate::clock::Clock;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = performance, js_name = now)]
    fn performance_now() -> f64;
}

pub struct JsClock;

impl Clock for JsClock {
    fn now_ms(&self) -> f64 {
        performance_now()
    }

    fn epoch_ms(&self) -> Option<f64> {
        Some(js_sys::Date::now())
    }

    fn random(&self) -> f64 {
        js_sys::Math::random()
    }
}
