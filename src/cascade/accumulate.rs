//! Folding stream deltas into one `Completion`, so a streamed answer is
//! judged, priced and returned exactly like a non-streamed one.

use crate::value::Value;

use crate::types::{merge_tool_name, Completion, FinishReason, RawBlock, StreamDelta, ToolCall, Usage};

/// A stream announcing more tool calls or pass-through blocks than this is
/// not one to trust: further ones are dropped rather than allocated.
const MAX_PARTS: usize = 1024;

#[derive(Default)]
pub struct Accumulator {
    content: String,
    thinking: String,
    refusal: String,
    tools: Vec<PartialTool>,
    raw: Vec<PartialRaw>,
    logprobs: Vec<crate::types::TokenLogprob>,
    usage: Option<Usage>,
    finish: Option<FinishReason>,
    stop_detail: Option<String>,
    done: bool,
}

#[derive(Default)]
struct PartialTool {
    id: String,
    name: String,
    args: String,
}

#[derive(Default)]
struct PartialRaw {
    kind: String,
    json: String,
    input: String,
}

/// The slot for part `index`, growing `parts` up to it; `None` past the cap.
fn slot<T: Default>(parts: &mut Vec<T>, index: usize) -> Option<&mut T> {
    if index >= MAX_PARTS {
        return None;
    }
    while parts.len() <= index {
        parts.push(T::default());
    }
    parts.get_mut(index)
}

/// A pass-through block with its streamed `input` put in place. Input that
/// does not parse is kept as text rather than lost.
fn finished_block(raw: PartialRaw) -> RawBlock {
    let mut json = raw.json;
    if !raw.input.trim().is_empty() {
        if let Ok(Value::Object(mut block)) = crate::value::from_str(&json) {
            let input = crate::value::from_str(&raw.input).unwrap_or(Value::String(raw.input));
            block.insert("input".to_string(), input);
            json = Value::Object(block).to_string();
        }
    }
    RawBlock { kind: raw.kind, json }
}

impl Accumulator {
    pub fn push(&mut self, delta: &StreamDelta) {
        match delta {
            StreamDelta::Text(t) => self.content.push_str(t),
            StreamDelta::Thinking(t) => self.thinking.push_str(t),
            StreamDelta::Refusal(t) => self.refusal.push_str(t),
            StreamDelta::ToolCall { index, id, name, arguments } => {
                if let Some(t) = slot(&mut self.tools, *index) {
                    if let Some(id) = id {
                        t.id = id.clone();
                    }
                    if let Some(n) = name {
                        merge_tool_name(&mut t.name, n);
                    }
                    t.args.push_str(arguments);
                }
            }
            StreamDelta::RawBlock { index, kind, json } => {
                if let Some(b) = slot(&mut self.raw, *index) {
                    b.kind = kind.clone();
                    b.json = json.clone();
                }
            }
            StreamDelta::RawBlockInput { index, partial_json } => {
                if let Some(b) = slot(&mut self.raw, *index) {
                    b.input.push_str(partial_json);
                }
            }
            StreamDelta::Logprobs(l) => self.logprobs.extend(l.iter().cloned()),
            StreamDelta::Usage(u) => {
                let cur = self.usage.get_or_insert_with(Usage::default);
                merge_usage(cur, u);
            }
            StreamDelta::Finish(f) => self.finish = Some(*f),
            StreamDelta::StopDetail(d) => self.stop_detail = Some(d.clone()),
            StreamDelta::Done => self.done = true,
        }
    }

    pub fn text(&self) -> &str {
        &self.content
    }

    /// A stream is complete once the provider said why it stopped or sent its
    /// terminator; anything less is a cut stream and must not pass as an answer.
    pub fn is_complete(&self) -> bool {
        self.done || self.finish.is_some()
    }

    pub fn saw_terminator(&self) -> bool {
        self.done
    }

    /// Whether anything of the answer itself has come (text, a refusal, a
    /// tool call), as opposed to reasoning, usage or keep-alives.
    pub fn has_output(&self) -> bool {
        !self.content.is_empty() || !self.refusal.is_empty() || !self.tools.is_empty()
    }

    pub fn into_completion(self) -> Completion {
        let tool_calls: Vec<ToolCall> = self
            .tools
            .into_iter()
            .enumerate()
            .filter(|(_, t)| !t.name.is_empty())
            .map(|(i, t)| {
                let id = if t.id.is_empty() { format!("call_{i}") } else { t.id };
                ToolCall::new(id, t.name, t.args)
            })
            .collect();
        let finish_reason = match self.finish {
            Some(f) => f,
            None if !tool_calls.is_empty() => FinishReason::ToolCalls,
            None => FinishReason::Unknown,
        };
        Completion {
            content: self.content,
            tool_calls,
            finish_reason,
            usage: self.usage.filter(|u| u.input_tokens > 0 || u.output_tokens > 0),
            logprobs: if self.logprobs.is_empty() { None } else { Some(self.logprobs) },
            thinking: if self.thinking.is_empty() { None } else { Some(self.thinking) },
            refusal: if self.refusal.is_empty() { None } else { Some(self.refusal) },
            raw_blocks: self.raw.into_iter().filter(|b| !b.json.is_empty()).map(finished_block).collect(),
            model: None,
            stop_detail: self.stop_detail,
            malformed_events: 0,
        }
    }
}

/// Providers report usage in pieces (Anthropic: input at the start, output
/// at the end); a later non-zero field replaces the earlier one.
fn merge_usage(cur: &mut Usage, new: &Usage) {
    fn take(a: &mut u64, b: u64) {
        if b > 0 {
            *a = b;
        }
    }
    take(&mut cur.input_tokens, new.input_tokens);
    take(&mut cur.output_tokens, new.output_tokens);
    take(&mut cur.reasoning_tokens, new.reasoning_tokens);
    take(&mut cur.cache_read_tokens, new.cache_read_tokens);
    take(&mut cur.cache_write_tokens, new.cache_write_tokens);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assembles_text_tools_and_split_usage() {
        let mut a = Accumulator::default();
        for d in [
            StreamDelta::Usage(Usage { input_tokens: 12, ..Default::default() }),
            StreamDelta::Text("Hel".into()),
            StreamDelta::Text("lo".into()),
            StreamDelta::ToolCall {
                index: 1,
                id: Some("b".into()),
                name: Some("two".into()),
                arguments: "{\"x\"".into(),
            },
            StreamDelta::ToolCall { index: 0, id: Some("a".into()), name: Some("one".into()), arguments: "{}".into() },
            StreamDelta::ToolCall { index: 1, id: None, name: None, arguments: ":1}".into() },
            StreamDelta::Usage(Usage { output_tokens: 5, ..Default::default() }),
        ] {
            a.push(&d);
        }
        assert!(!a.is_complete());
        a.push(&StreamDelta::Finish(FinishReason::ToolCalls));
        assert!(a.is_complete());
        let c = a.into_completion();
        assert_eq!(c.content, "Hello");
        assert_eq!(c.tool_calls.len(), 2);
        assert_eq!(c.tool_calls[1].arguments, Some(crate::json!({"x": 1})));
        let u = c.usage.unwrap();
        assert_eq!((u.input_tokens, u.output_tokens), (12, 5));
    }

    #[test]
    fn a_repeated_name_is_one_name_and_a_split_name_is_joined() {
        let mut a = Accumulator::default();
        let piece = |index: usize, name: &str, arguments: &str| StreamDelta::ToolCall {
            index,
            id: None,
            name: Some(name.into()),
            arguments: arguments.into(),
        };
        for d in [
            piece(0, "llm_version", ""),
            piece(0, "llm_version", "{\"a\""),
            piece(0, "llm_version", ":1}"),
            piece(1, "get_", ""),
            piece(1, "weather", "{}"),
            piece(2, "look", ""),
            piece(2, "lookup", ""),
        ] {
            a.push(&d);
        }
        let c = a.into_completion();
        let names: Vec<&str> = c.tool_calls.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["llm_version", "get_weather", "lookup"]);
        assert_eq!(c.tool_calls.first().map(|t| t.arguments_raw.as_str()), Some("{\"a\":1}"));
        assert_eq!(c.tool_calls.get(2).map(|t| t.arguments_raw.as_str()), Some("{}"), "no arguments is {{}}");
    }

    #[test]
    fn refusal_and_raw_blocks_are_carried_apart_from_the_answer() {
        let mut a = Accumulator::default();
        for d in [
            StreamDelta::Refusal("I'm sorry, ".into()),
            StreamDelta::Refusal("no.".into()),
            StreamDelta::RawBlock {
                index: 0,
                kind: "server_tool_use".into(),
                json: r#"{"type":"server_tool_use","id":"s1","name":"web_search","input":{}}"#.into(),
            },
            StreamDelta::RawBlockInput { index: 0, partial_json: "{\"query\": ".into() },
            StreamDelta::RawBlockInput { index: 0, partial_json: "\"paris\"}".into() },
            StreamDelta::RawBlock { index: 1, kind: "odd".into(), json: r#"{"type":"odd","input":{}}"#.into() },
            StreamDelta::RawBlockInput { index: 1, partial_json: "{cut".into() },
            StreamDelta::RawBlockInput { index: usize::MAX, partial_json: "x".into() },
        ] {
            a.push(&d);
        }
        let c = a.into_completion();
        assert_eq!(c.content, "");
        assert_eq!(c.refusal.as_deref(), Some("I'm sorry, no."));
        assert!(c.tool_calls.is_empty());
        let blocks: Vec<Value> = c.raw_blocks.iter().map(|b| crate::value::from_str(&b.json).unwrap()).collect();
        assert_eq!(
            blocks,
            [
                crate::json!({"type":"server_tool_use","id":"s1","name":"web_search","input":{"query":"paris"}}),
                crate::json!({"type":"odd","input":"{cut"}),
            ]
        );
        assert_eq!(c.raw_blocks[0].kind, "server_tool_use");
    }

    #[test]
    fn absurd_tool_index_is_ignored() {
        let mut a = Accumulator::default();
        a.push(&StreamDelta::ToolCall {
            index: usize::MAX,
            id: None,
            name: Some("x".into()),
            arguments: String::new(),
        });
        assert!(a.into_completion().tool_calls.is_empty());
    }
}
