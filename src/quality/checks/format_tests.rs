use super::*;
use crate::json;
use crate::quality::checks::Ctx;
use crate::quality::JudgeInput;

fn json_with(answer: &str, format: &ResponseFormat) -> CheckOutcome {
    let mut input = JudgeInput::text("Give me the user as JSON", answer);
    input.response_format = Some(format);
    json(&Ctx::read(&input, &crate::quality::QueryFacts::read(input.query), Default::default())).unwrap()
}

fn person_schema() -> ResponseFormat {
    ResponseFormat::JsonSchema {
        name: Some("person".into()),
        schema: json!({
            "type": "object",
            "required": ["name", "age"],
            "properties": {"name": {"type": "string"}, "age": {"type": "integer"}, "role": {"enum": ["a", "b"]}}
        }),
    }
}

#[test]
fn json_validity_and_schema() {
    let obj = ResponseFormat::JsonObject;
    assert!(json_with(r#"{"name": "Ada"}"#, &obj).passed);
    assert!(json_with("```json\n{\"name\": \"Ada\"}\n```", &obj).passed);
    let bad = json_with(r#"{"name": "Ada",}"#, &obj);
    assert!(bad.veto && bad.detail.starts_with("invalid JSON"));
    assert!(json_with("[1, 2]", &obj).veto);
    assert!(json_with("Sure! Here you go.", &obj).veto);
    let s = person_schema();
    assert!(json_with(r#"{"name": "Ada", "age": 36}"#, &s).passed);
    let o = json_with(r#"{"name": "Ada"}"#, &s);
    assert!(o.veto && o.detail.contains("age"));
    assert!(json_with(r#"{"name": "Ada", "age": "36"}"#, &s).veto);
    assert!(json_with(r#"{"name": "Ada", "age": 36, "role": "c"}"#, &s).veto);
    let wrapped = json_with("Here it is: {\"name\": \"Ada\", \"age\": 1} hope that helps", &s);
    assert!(!wrapped.veto && wrapped.score < 1.0);
}

#[test]
fn json_asked_in_words_only_is_soft() {
    let input = JudgeInput::text("Return the three largest cities as JSON", "Tokyo, Delhi and Shanghai.");
    let o = json(&Ctx::read(&input, &crate::quality::QueryFacts::read(input.query), Default::default())).unwrap();
    assert!(!o.veto && !o.passed);
    let input = JudgeInput::text("What is the capital of Peru?", "Lima");
    assert!(json(&Ctx::read(&input, &crate::quality::QueryFacts::read(input.query), Default::default())).is_none());
}

fn code_check(q: &str, a: &str) -> Option<CheckOutcome> {
    let input = JudgeInput::text(q, a);
    code(&Ctx::read(&input, &crate::quality::QueryFacts::read(input.query), Default::default()))
}

#[test]
fn code_language_and_brackets() {
    let q = "Write a Python function that adds two numbers";
    let py = "```python\ndef add(a, b):\n    return a + b\n```";
    assert!(code_check(q, py).is_some_and(|o| o.passed && o.score == 1.0));
    let js = "```javascript\nfunction add(a, b) {\n  return a + b;\n}\n```";
    let o = code_check(q, js).unwrap();
    assert!(!o.passed && o.detail.contains("javascript"));
    let with_install = "```bash\npip install x\n```\n```python\ndef add(a, b):\n    return a + b\n```";
    assert!(code_check(q, with_install).is_some_and(|o| o.passed));
    let open = "```python\ndef add(a, b):\n    return (a + b\n```";
    assert!(code_check(q, open).is_some_and(|o| !o.passed));
    // Brackets in strings and comments do not count.
    let tricky = "```python\ns = \"(((\"  # also ((( here\nprint(s)\n```";
    assert!(code_check(q, tricky).is_some_and(|o| o.passed));
    assert!(code_check(q, "You should use a loop and add the numbers together.").is_some_and(|o| !o.passed));
    assert!(code_check("What is the capital of Peru?", "Lima").is_none());
}

#[test]
fn balance_counts() {
    assert_eq!(bracket_balance("f(a[1], {b: 2})", false, true), 0);
    assert_eq!(bracket_balance("f(a[1]", false, true), 1);
    assert_eq!(bracket_balance("let s = \"(\"; // (", false, true), 0);
    assert_eq!(bracket_balance("fn f<'a>(x: &'a str) {}", false, false), 0);
    assert_eq!(bracket_balance("\"\\\"(\"", false, true), 0);
}
