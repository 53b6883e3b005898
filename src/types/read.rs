//! Reading the neutral types from JSON values (messages given to `run`,
//! `scoreDraft`'s logprobs, finish reason and response format).
//!
//! These were serde derives; the readers keep what the derives accepted
//! and their messages (a message error reaches the caller as
//! `messages[0]: expected ... (missing field `content`)`). Fields are
//! read in key order, as serde walked the sorted object, so the first
//! error reported is the one serde reported. Unknown fields are ignored.

use super::{FinishReason, Message, ResponseFormat, Role, TokenLogprob, ToolCall, TopLogprob};
use crate::value::read::{f64, invalid_type, missing, opt_string, seq, string, unit_variant};
use crate::value::{Map, Value};

type Read<T> = Result<T, String>;

fn object<'a>(v: &'a Value, what: &str) -> Read<&'a Map> {
    v.as_object().ok_or_else(|| invalid_type(v, what))
}

fn required<T>(field: Option<T>, name: &str) -> Read<T> {
    field.ok_or_else(|| missing(name))
}

const ROLES: [&str; 4] = ["system", "user", "assistant", "tool"];
const FINISH: [&str; 5] = ["stop", "length", "tool_calls", "content_filter", "unknown"];

impl Role {
    fn from_value(v: &Value) -> Read<Role> {
        Ok(match unit_variant(v, &ROLES)? {
            0 => Role::System,
            1 => Role::User,
            2 => Role::Assistant,
            _ => Role::Tool,
        })
    }
}

impl FinishReason {
    pub fn from_value(v: &Value) -> Read<FinishReason> {
        Ok(match unit_variant(v, &FINISH)? {
            0 => FinishReason::Stop,
            1 => FinishReason::Length,
            2 => FinishReason::ToolCalls,
            3 => FinishReason::ContentFilter,
            _ => FinishReason::Unknown,
        })
    }
}

impl Message {
    /// `{role, content, toolCalls?, toolCallId?}`.
    pub fn from_value(v: &Value) -> Read<Message> {
        let (mut role, mut content, mut tool_calls, mut tool_call_id) = (None, None, None, None);
        for (k, f) in object(v, "struct Message")? {
            match k.as_str() {
                "content" => content = Some(string(f)?),
                "role" => role = Some(Role::from_value(f)?),
                "toolCallId" => tool_call_id = Some(opt_string(f)?),
                "toolCalls" => tool_calls = Some(seq(f, ToolCall::from_value)?),
                _ => {}
            }
        }
        Ok(Message {
            role: required(role, "role")?,
            content: required(content, "content")?,
            tool_calls: tool_calls.unwrap_or_default(),
            tool_call_id: tool_call_id.flatten(),
        })
    }
}

impl ToolCall {
    /// `{id, name, argumentsRaw, arguments?}`, as results write it.
    fn from_value(v: &Value) -> Read<ToolCall> {
        let (mut id, mut name, mut raw, mut arguments) = (None, None, None, None);
        for (k, f) in object(v, "struct ToolCall")? {
            match k.as_str() {
                "arguments" => arguments = Some((!f.is_null()).then(|| f.clone())),
                "argumentsRaw" => raw = Some(string(f)?),
                "id" => id = Some(string(f)?),
                "name" => name = Some(string(f)?),
                _ => {}
            }
        }
        Ok(ToolCall {
            id: required(id, "id")?,
            name: required(name, "name")?,
            arguments_raw: required(raw, "argumentsRaw")?,
            arguments: arguments.flatten(),
        })
    }
}

impl TopLogprob {
    fn from_value(v: &Value) -> Read<TopLogprob> {
        let (mut token, mut logprob) = (None, None);
        for (k, f) in object(v, "struct TopLogprob")? {
            match k.as_str() {
                "logprob" => logprob = Some(f64(f)?),
                "token" => token = Some(string(f)?),
                _ => {}
            }
        }
        Ok(TopLogprob { token: required(token, "token")?, logprob: required(logprob, "logprob")? })
    }
}

impl TokenLogprob {
    /// `{token, logprob, topLogprobs?}`.
    pub fn from_value(v: &Value) -> Read<TokenLogprob> {
        let (mut token, mut logprob, mut top) = (None, None, None);
        for (k, f) in object(v, "struct TokenLogprob")? {
            match k.as_str() {
                "logprob" => logprob = Some(f64(f)?),
                "token" => token = Some(string(f)?),
                "topLogprobs" => top = Some(seq(f, TopLogprob::from_value)?),
                _ => {}
            }
        }
        Ok(TokenLogprob {
            token: required(token, "token")?,
            logprob: required(logprob, "logprob")?,
            top_logprobs: top.unwrap_or_default(),
        })
    }
}

impl ResponseFormat {
    /// `{type: 'text'}`, `{type: 'json_object'}` or `{type: 'json_schema',
    /// schema, name?}`; other fields are ignored.
    pub fn from_value(v: &Value) -> Read<ResponseFormat> {
        let m = object(v, "internally tagged enum ResponseFormat")?;
        let tag = required(m.get("type"), "type")?;
        Ok(match tag.as_str() {
            Some("text") => ResponseFormat::Text,
            Some("json_object") => ResponseFormat::JsonObject,
            Some("json_schema") => {
                let name = m.get("name").map(opt_string).transpose()?.flatten();
                ResponseFormat::JsonSchema { name, schema: required(m.get("schema"), "schema")?.clone() }
            }
            _ => return Err(invalid_type(tag, "variant identifier")),
        })
    }
}
