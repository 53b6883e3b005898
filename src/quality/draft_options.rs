//! `scoreDraft`'s options, read from their JSON text with the token
//! log-probabilities capped while they are parsed.
//!
//! Parsed whole into a `serde_json::Value` and then converted, 64k logprob
//! entries with their alternatives made hundreds of megabytes of maps in
//! wasm memory. Each step of that growth made the JS engine collect
//! garbage over a heap that itself held the caller's options, so the
//! first call took time quadratic in the entries (about 15 s for 64k in
//! Node). The judge reads only the first `MAX_LOGPROB_TOKENS` tokens, so
//! only those are kept; the rest are skipped as they are read.

use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use super::checks::logprobs::MAX_LOGPROB_TOKENS;
use crate::types::TokenLogprob;

/// The options: `logprobs` apart, every other field as JSON.
#[derive(Debug, Default, PartialEq)]
pub struct DraftOptions {
    /// The options object without `logprobs` (`Value::Null` when the
    /// options were not an object, which leaves every option unset).
    pub rest: Value,
    /// The first `MAX_LOGPROB_TOKENS` entries; `None` when absent, not an
    /// array, or when one of the entries read is not a token logprob
    /// (the judge then goes without, as it does for a provider that sends
    /// none).
    pub logprobs: Option<Vec<TokenLogprob>>,
}

/// Read `scoreDraft`'s options. Fails only on text that is not JSON.
pub fn read_draft_options(json: &str) -> Result<DraftOptions, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_str(json);
    let options = (&mut de).deserialize_any(OptionsVisitor)?;
    de.end()?;
    Ok(options)
}

struct OptionsVisitor;

impl<'de> Visitor<'de> for OptionsVisitor {
    type Value = DraftOptions;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an options object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<DraftOptions, A::Error> {
        let mut rest = Map::new();
        let mut logprobs = None;
        while let Some(key) = map.next_key::<String>()? {
            if key == "logprobs" {
                logprobs = map.next_value_seed(CappedLogprobs)?;
            } else {
                let value: Value = map.next_value()?;
                rest.insert(key, value);
            }
        }
        Ok(DraftOptions { rest: Value::Object(rest), logprobs })
    }

    // Anything but an object sets no option, as before this reader.
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<DraftOptions, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(DraftOptions::default())
    }
    fn visit_bool<E>(self, _: bool) -> Result<DraftOptions, E> {
        Ok(DraftOptions::default())
    }
    fn visit_i64<E>(self, _: i64) -> Result<DraftOptions, E> {
        Ok(DraftOptions::default())
    }
    fn visit_u64<E>(self, _: u64) -> Result<DraftOptions, E> {
        Ok(DraftOptions::default())
    }
    fn visit_f64<E>(self, _: f64) -> Result<DraftOptions, E> {
        Ok(DraftOptions::default())
    }
    fn visit_str<E>(self, _: &str) -> Result<DraftOptions, E> {
        Ok(DraftOptions::default())
    }
    fn visit_unit<E>(self) -> Result<DraftOptions, E> {
        Ok(DraftOptions::default())
    }
}

/// The `logprobs` field: entries past the cap are skipped unread.
struct CappedLogprobs;

impl<'de> DeserializeSeed<'de> for CappedLogprobs {
    type Value = Option<Vec<TokenLogprob>>;

    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<Self::Value, D::Error> {
        de.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for CappedLogprobs {
    type Value = Option<Vec<TokenLogprob>>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of token logprobs")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut kept = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(MAX_LOGPROB_TOKENS));
        let mut valid = true;
        while kept.len() < MAX_LOGPROB_TOKENS {
            // One entry at a time through a Value, so that a malformed entry
            // costs the logprobs, not the whole call.
            let Some(entry) = seq.next_element::<Value>()? else { break };
            match serde_json::from_value::<TokenLogprob>(entry) {
                Ok(t) => kept.push(t),
                Err(_) => {
                    valid = false;
                    break;
                }
            }
        }
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(valid.then_some(kept))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(None)
    }
    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
}
