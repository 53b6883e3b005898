//! Folding stream deltas into one `Completion`, so a streamed answer is
//! judged, priced and returned exactly like a non-streamed one.

use crate::types::{Completion, FinishReason, StreamDelta, ToolCall, Usage};

#[derive(Default)]
pub struct Accumulator {
    content: String,
    thinking: String,
    tools: Vec<PartialTool>,
    logprobs: Vec<crate::types::TokenLogprob>,
    usage: Option<Usage>,
    finish: Option<FinishReason>,
    done: bool,
}

#[derive(Default)]
struct PartialTool {
    id: String,
    name: String,
    args: String,
}

impl Accumulator {
    pub fn push(&mut self, delta: &StreamDelta) {
        match delta {
            StreamDelta::Text(t) => self.content.push_str(t),
            StreamDelta::Thinking(t) => self.thinking.push_str(t),
            StreamDelta::ToolCall { index, id, name, arguments } => {
                // Bounded by the number of calls a provider announces; a
                // hostile index cannot make us allocate without limit.
                if *index > 1024 {
                    return;
                }
                while self.tools.len() <= *index {
                    self.tools.push(PartialTool::default());
                }
                if let Some(t) = self.tools.get_mut(*index) {
                    if let Some(id) = id {
                        t.id = id.clone();
                    }
                    if let Some(n) = name {
                        t.name.push_str(n);
                    }
                    t.args.push_str(arguments);
                }
            }
            StreamDelta::Logprobs(l) => self.logprobs.extend(l.iter().cloned()),
            StreamDelta::Usage(u) => {
                let cur = self.usage.get_or_insert_with(Usage::default);
                merge_usage(cur, u);
            }
            StreamDelta::Finish(f) => self.finish = Some(*f),
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
            model: None,
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
        assert_eq!(c.tool_calls[1].arguments, Some(serde_json::json!({"x": 1})));
        let u = c.usage.unwrap();
        assert_eq!((u.input_tokens, u.output_tokens), (12, 5));
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
