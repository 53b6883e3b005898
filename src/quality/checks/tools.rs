//! Tool use: a call must name a tool that exists with arguments that fit
//! its schema, and a question only a tool can answer must not be answered
//! from the model's memory.

use super::schema::validate;
use super::{outcome, Ctx};
use crate::quality::lexicon::{LIVE, REASON};
use crate::quality::CheckOutcome;
use crate::value::Value;

/// Live-data words that only say "now", as opposed to naming what is live.
const TEMPORAL: [&str; 9] = ["today", "tonight", "tomorrow", "currently", "current", "now", "latest", "live", "recent"];

fn contains_ci(hay: &str, needle: &str) -> bool {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    !n.is_empty() && h.len() >= n.len() && h.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n))
}

pub(crate) fn tools(ctx: &Ctx) -> Option<CheckOutcome> {
    let input = ctx.input;
    if !input.tool_calls.is_empty() {
        for call in input.tool_calls {
            let spec = input.tools.iter().find(|t| t.name == call.name);
            if spec.is_none() && !input.tools.is_empty() {
                let offered: Vec<&str> = input.tools.iter().take(6).map(|t| t.name.as_str()).collect();
                let detail =
                    format!("called `{}`, which is not one of the tools offered ({})", call.name, offered.join(", "));
                return Some(outcome("tools", 0.02, 1.0, true, detail));
            }
            let Some(args) = &call.arguments else {
                return Some(outcome(
                    "tools",
                    0.02,
                    1.0,
                    true,
                    format!("the arguments to `{}` are not valid JSON", call.name),
                ));
            };
            if let Some(spec) = spec {
                let schema_given = matches!(&spec.parameters, Value::Object(m) if !m.is_empty());
                if schema_given {
                    if let Err(e) = validate(args, &spec.parameters) {
                        return Some(outcome("tools", 0.02, 1.0, true, format!("`{}` arguments: {e}", call.name)));
                    }
                }
            }
        }
        let detail = format!("{} valid tool call(s)", input.tool_calls.len());
        return Some(outcome("tools", 1.0, 0.0, false, detail));
    }
    // After tool results came back, answering in text is the point of the
    // step: the live data is in the conversation, not in the model's memory.
    if input.tools.is_empty() || !ctx.intent.live || ctx.turn.has_tool_results {
        return None;
    }
    let q = &ctx.query;
    let temporal = q.words.iter().any(|w| TEMPORAL.iter().any(|t| q.word(w).eq_ignore_ascii_case(t)));
    let asks_reasoning = q.words.iter().any(|w| w.has(REASON));
    if !(temporal || (q.len() <= 12 && !asks_reasoning)) {
        return None;
    }
    for w in q.words.iter().filter(|w| w.has(LIVE)) {
        let word = q.word(w);
        if TEMPORAL.iter().any(|t| word.eq_ignore_ascii_case(t)) {
            continue;
        }
        let tool = input.tools.iter().find(|t| contains_ci(&t.name, word) || contains_ci(&t.description, word));
        if let Some(t) = tool {
            let detail =
                format!("the question needs live data that `{}` provides, but the draft answered from memory", t.name);
            return Some(outcome("tools", 0.05, 1.0, true, detail));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json;
    use crate::quality::checks::Ctx;
    use crate::quality::{JudgeInput, Turn};
    use crate::types::{ToolCall, ToolSpec};

    fn weather() -> Vec<ToolSpec> {
        vec![ToolSpec {
            name: "get_weather".into(),
            description: "Current weather for a city".into(),
            parameters: json!({
                "type": "object",
                "required": ["city"],
                "properties": {"city": {"type": "string"}, "unit": {"enum": ["c", "f"]}}
            }),
        }]
    }

    fn run(q: &str, answer: &str, calls: &[ToolCall], tools: &[ToolSpec]) -> Option<CheckOutcome> {
        run_turn(q, answer, calls, tools, Turn::default())
    }

    fn run_turn(q: &str, answer: &str, calls: &[ToolCall], tools: &[ToolSpec], turn: Turn) -> Option<CheckOutcome> {
        let mut input = JudgeInput::text(q, answer);
        input.tool_calls = calls;
        input.tools = tools;
        super::tools(&Ctx::read(&input, &crate::quality::QueryFacts::read(input.query), turn))
    }

    #[test]
    fn calls_are_validated() {
        let t = weather();
        let q = "What's the weather in Paris right now?";
        let ok = [ToolCall::new("1", "get_weather", r#"{"city": "Paris"}"#)];
        assert!(run(q, "", &ok, &t).is_some_and(|o| o.passed));
        let unknown = [ToolCall::new("1", "get_stock", r#"{"city": "Paris"}"#)];
        assert!(run(q, "", &unknown, &t).is_some_and(|o| o.veto && o.detail.contains("get_stock")));
        let broken = [ToolCall::new("1", "get_weather", r#"{"city": "Paris""#)];
        assert!(run(q, "", &broken, &t).is_some_and(|o| o.veto && o.detail.contains("not valid JSON")));
        let missing = [ToolCall::new("1", "get_weather", r#"{"unit": "c"}"#)];
        assert!(run(q, "", &missing, &t).is_some_and(|o| o.veto && o.detail.contains("city")));
        let bad_enum = [ToolCall::new("1", "get_weather", r#"{"city": "Paris", "unit": "k"}"#)];
        assert!(run(q, "", &bad_enum, &t).is_some_and(|o| o.veto));
        let wrong_type = [ToolCall::new("1", "get_weather", r#"{"city": 75}"#)];
        assert!(run(q, "", &wrong_type, &t).is_some_and(|o| o.veto));
    }

    #[test]
    fn live_questions_need_the_tool() {
        let t = weather();
        let o = run("What's the weather in Paris right now?", "It is sunny and 22 degrees in Paris.", &[], &t);
        assert!(o.is_some_and(|o| o.veto));
        assert!(run(
            "Explain how weather fronts form and why they bring rain.",
            "Fronts form where air masses meet...",
            &[],
            &t
        )
        .is_none());
        assert!(run("Write a poem about rain", "Soft rain falls...", &[], &t).is_none());
        assert!(run("What's the weather in Paris right now?", "Sunny.", &[], &[]).is_none());
    }

    #[test]
    fn a_final_answer_after_tool_results_is_expected() {
        let t = weather();
        let after = Turn { has_tool_results: true };
        let a = "It is sunny and 22 degrees in Paris.";
        assert!(run_turn("What's the weather in Paris right now?", a, &[], &t, after).is_none());
        // Calls made at that step are still validated.
        let bad = [ToolCall::new("1", "get_weather", r#"{"town": "Paris"}"#)];
        assert!(run_turn("What's the weather in Paris right now?", "", &bad, &t, after).is_some_and(|o| o.veto));
    }
}
