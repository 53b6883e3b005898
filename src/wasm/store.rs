//! Shared state through a store written in JS (Redis, Upstash, a Durable
//! Object). The wrapper hands over one function, `(op, argsJson) =>
//! Promise<replyJson>`, which calls the user's store with its timeout, so
//! this side stays a translation of the five operations to text and back.

use js_sys::Function;
use wasm_bindgen::JsValue;

use crate::error::{CascadeError, ErrorCode, FailureClass};
use crate::json_in::Json;
use crate::json_out::JsonOut;
use crate::reliability::store::{Counter, MemoryStore, Record, Reservation, Settlement, Store};

use super::driver::js_await;
use super::js_error::describe;

/// The agent's store: its own memory, or the user's JS object.
pub enum AgentStore {
    Memory(MemoryStore),
    Js(Function),
}

fn failed(op: &str, detail: String) -> CascadeError {
    CascadeError::new(ErrorCode::Transport, format!("store.{op} failed: {detail}")).with_class(FailureClass::Server)
}

/// One operation, awaited; the reply as JSON text.
async fn call(f: &Function, op: &str, args: String) -> Result<String, CascadeError> {
    let promise = f
        .call2(&JsValue::UNDEFINED, &JsValue::from_str(op), &JsValue::from_str(&args))
        .map_err(|e| failed(op, describe(&e)))?;
    let out = js_await(promise).await.map_err(|e| failed(op, describe(&e)))?;
    out.as_string().ok_or_else(|| failed(op, "the store bridge answered with something other than text".into()))
}

fn parse<'a>(op: &str, text: &'a str) -> Result<Json<'a>, CascadeError> {
    Json::parse_str(text).map_err(|_| failed(op, "its answer was not valid JSON".into()))
}

fn flag(op: &str, text: &str) -> Result<bool, CascadeError> {
    parse(op, text)?.as_bool().ok_or_else(|| failed(op, "expected true or false".into()))
}

impl Store for AgentStore {
    async fn reserve(&self, items: &[Reservation], now: f64) -> Result<bool, CascadeError> {
        let f = match self {
            AgentStore::Memory(m) => return m.reserve(items, now).await,
            AgentStore::Js(f) => f,
        };
        let mut o = JsonOut::with_capacity(64);
        o.begin_array();
        for r in items {
            o.begin_object();
            o.str_field("key", &r.key);
            o.u64_field("amount", r.amount);
            o.u64_field("limit", r.limit);
            o.u64_field("ttlMs", r.ttl_ms);
            o.end_object();
        }
        o.end_array();
        flag("reserve", &call(f, "reserve", o.finish()).await?)
    }

    async fn settle(&self, items: &[Settlement], now: f64) -> Result<(), CascadeError> {
        let f = match self {
            AgentStore::Memory(m) => return m.settle(items, now).await,
            AgentStore::Js(f) => f,
        };
        let mut o = JsonOut::with_capacity(64);
        o.begin_array();
        for s in items {
            o.begin_object();
            o.str_field("key", &s.key);
            o.u64_field("reserved", s.reserved);
            o.u64_field("actual", s.actual);
            o.u64_field("ttlMs", s.ttl_ms);
            o.end_object();
        }
        o.end_array();
        call(f, "settle", o.finish()).await.map(|_| ())
    }

    async fn read(&self, keys: &[String], now: f64) -> Result<Vec<Counter>, CascadeError> {
        let f = match self {
            AgentStore::Memory(m) => return m.read(keys, now).await,
            AgentStore::Js(f) => f,
        };
        let mut o = JsonOut::with_capacity(32);
        o.begin_array();
        for k in keys {
            o.str(k);
        }
        o.end_array();
        let text = call(f, "read", o.finish()).await?;
        let json = parse("read", &text)?;
        let list = json.as_array().unwrap_or_default();
        if list.len() != keys.len() {
            return Err(failed("read", format!("expected {} counters, got {}", keys.len(), list.len())));
        }
        let n = |c: &Json<'_>, k| c.get(k).and_then(Json::as_u64).unwrap_or(0);
        Ok(list.iter().map(|c| Counter { used: n(c, "used"), held: n(c, "held") }).collect())
    }

    async fn get(&self, key: &str, now: f64) -> Result<Option<Record>, CascadeError> {
        let f = match self {
            AgentStore::Memory(m) => return m.get(key, now).await,
            AgentStore::Js(f) => f,
        };
        let mut o = JsonOut::with_capacity(key.len().saturating_add(2));
        o.str(key);
        let text = call(f, "get", o.finish()).await?;
        let json = parse("get", &text)?;
        let value = json.get("value").and_then(Json::as_str);
        let version = json.get("version").and_then(Json::as_u64);
        Ok(value.zip(version).map(|(v, version)| Record { value: v.to_string(), version }))
    }

    async fn compare_and_set(
        &self,
        key: &str,
        version: u64,
        value: &str,
        ttl_ms: u64,
        now: f64,
    ) -> Result<bool, CascadeError> {
        let f = match self {
            AgentStore::Memory(m) => return m.compare_and_set(key, version, value, ttl_ms, now).await,
            AgentStore::Js(f) => f,
        };
        let mut o = JsonOut::with_capacity(64);
        o.begin_object();
        o.str_field("key", key);
        o.u64_field("version", version);
        o.str_field("value", value);
        o.u64_field("ttlMs", ttl_ms);
        o.end_object();
        flag("compareAndSet", &call(f, "compareAndSet", o.finish()).await?)
    }

    fn is_local(&self) -> bool {
        matches!(self, AgentStore::Memory(_))
    }
}
