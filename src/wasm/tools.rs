//! The tool loop's executor over a JS function the wrapper builds around the
//! user's `onToolCall`: `(callJson) => Promise<string>`. The wrapper turns
//! whatever the user returns into text, so this side only moves strings.

use js_sys::Function;
use wasm_bindgen::JsValue;

use crate::cascade::ToolExecutor;
use crate::json_out::ToJson;
use crate::types::ToolCall;

use super::driver::js_await;
use super::js_error::describe;

pub struct JsTools {
    pub run: Function,
}

impl ToolExecutor for JsTools {
    async fn call(&self, call: &ToolCall) -> Result<String, String> {
        let pending =
            self.run.call1(&JsValue::UNDEFINED, &JsValue::from_str(&call.to_json())).map_err(|e| describe(&e))?;
        let out = js_await(pending).await.map_err(|e| describe(&e))?;
        Ok(out.as_string().unwrap_or_default())
    }
}
