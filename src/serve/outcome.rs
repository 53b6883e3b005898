//! The cascade's answer as the inbound writers need it, read from the
//! run's public JSON (`CascadeResult` as `JSON.stringify` writes it). The
//! proxy takes the result through the same door a library caller does, so
//! this reads only documented fields, and reads a missing one as empty.

use crate::json_in::Json;
use crate::types::{FinishReason, ToolCall};

use super::BadRequest;

/// What a writer puts on the wire: the answer, who gave it, why it ended
/// and what it used.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Outcome {
    pub content: String,
    /// The model that answered (`modelUsed`), named in the body and stream.
    pub model: String,
    pub finish_reason: FinishReason,
    pub tool_calls: Vec<ToolCall>,
    pub refusal: Option<String>,
    pub input_tokens: u64,
    pub output_tokens: u64,
}

impl Outcome {
    /// Read a `CascadeResult`'s JSON. Only a text that is not a JSON object
    /// is refused: that would be a defect on our side of the door.
    pub fn from_result_json(text: &str) -> Result<Outcome, BadRequest> {
        let v = Json::parse_str(text).map_err(|e| BadRequest(format!("result: not valid JSON ({e})")))?;
        if !v.is_object() {
            return Err(BadRequest("result: expected an object".into()));
        }
        let usage = answer_usage(&v);
        let tool_calls = v
            .field("toolCalls")
            .as_array()
            .unwrap_or(&[])
            .iter()
            .filter_map(|c| {
                let name = c.field("name").as_str()?;
                let id = c.field("id").as_str().unwrap_or("");
                let raw = c.field("argumentsRaw").as_str().unwrap_or("{}");
                Some(ToolCall::new(id, name, raw))
            })
            .collect();
        Ok(Outcome {
            content: v.field("content").as_str().unwrap_or("").to_string(),
            model: v.field("modelUsed").as_str().unwrap_or("").to_string(),
            finish_reason: finish_reason(v.field("finishReason").as_str().unwrap_or("")),
            tool_calls,
            refusal: v.field("refusal").as_str().map(str::to_string),
            input_tokens: usage.field("inputTokens").as_u64().unwrap_or(0),
            output_tokens: usage.field("outputTokens").as_u64().unwrap_or(0),
        })
    }
}

/// The usage of the attempt whose answer this is, not the run's sum: a
/// client reads `input_tokens` as the size of its context (Claude Code
/// compacts a conversation by it), and a rejected draft's tokens would
/// double it. What the whole cascade cost is in the `x-cascade-cost` header.
fn answer_usage<'v>(v: &'v Json<'v>) -> &'v Json<'v> {
    let model = v.field("modelUsed").as_str();
    let attempts = v.field("attempts").as_array().unwrap_or(&[]);
    attempts
        .iter()
        .rev()
        .find(|a| a.field("outcome").as_str() == Some("accepted") && a.field("model").as_str() == model)
        .and_then(|a| a.get("usage"))
        .unwrap_or_else(|| v.field("usage"))
}

fn finish_reason(name: &str) -> FinishReason {
    match name {
        "stop" => FinishReason::Stop,
        "length" => FinishReason::Length,
        "tool_calls" => FinishReason::ToolCalls,
        "content_filter" => FinishReason::ContentFilter,
        _ => FinishReason::Unknown,
    }
}
