//! `scoreDraft`'s options, read from their JSON text with the token
//! log-probabilities capped while they are parsed.
//!
//! Parsed whole into a `Value` tree and then converted, 64k logprob
//! entries with their alternatives made hundreds of megabytes of maps in
//! wasm memory. Each step of that growth made the JS engine collect
//! garbage over a heap that itself held the caller's options, so the
//! first call took time quadratic in the entries (about 15 s for 64k in
//! Node). The judge reads only the first `MAX_LOGPROB_TOKENS` tokens, so
//! only those are kept; the rest are skipped as they are read.

use super::checks::logprobs::MAX_LOGPROB_TOKENS;
use crate::types::TokenLogprob;
use crate::value::{self, Map, Parser, Value};

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
pub fn read_draft_options(json: &str) -> Result<DraftOptions, value::Error> {
    let mut p = Parser::new(json);
    // Anything but an object sets no option.
    let options = if p.ws() == Some(b'{') {
        p.enter()?;
        let mut rest = Map::new();
        let mut logprobs = None;
        let mut first = true;
        while let Some(key) = p.next_key(&mut first)? {
            if key == "logprobs" {
                logprobs = capped_logprobs(&mut p)?;
            } else {
                let v = p.value()?;
                rest.insert(key, v);
            }
        }
        p.leave();
        DraftOptions { rest: Value::Object(rest), logprobs }
    } else {
        p.skip_value()?;
        DraftOptions::default()
    };
    p.end()?;
    Ok(options)
}

/// The `logprobs` field: entries past the cap are skipped unread.
fn capped_logprobs(p: &mut Parser) -> Result<Option<Vec<TokenLogprob>>, value::Error> {
    if p.ws() != Some(b'[') {
        p.skip_value()?;
        return Ok(None);
    }
    p.enter()?;
    let mut kept = Vec::new();
    let mut valid = true;
    let mut first = true;
    while kept.len() < MAX_LOGPROB_TOKENS {
        if !p.next_element(&mut first)? {
            p.leave();
            return Ok(valid.then_some(kept));
        }
        // One entry at a time through a Value, so that a malformed entry
        // costs the logprobs, not the whole call.
        match TokenLogprob::from_value(&p.value()?) {
            Ok(t) => kept.push(t),
            Err(_) => {
                valid = false;
                break;
            }
        }
    }
    while p.next_element(&mut first)? {
        p.skip_value()?;
    }
    p.leave();
    Ok(valid.then_some(kept))
}
