//! The reader and writer against serde_json (a dev-dependency, with
//! `float_roundtrip` so that both read numbers correctly rounded): same
//! values, same text out, same error messages at the same places.

use super::*;
use crate::json;

use crate::test_rng as rng;

/// Our reading of `text`, and serde_json's, as comparable strings: the
/// compact text of the value, or the error message.
fn both(text: &str) -> (Result<String, String>, Result<String, String>) {
    let ours = from_str(text).map(|v| v.to_string()).map_err(|e| e.to_string());
    let theirs = serde_json::from_str::<serde_json::Value>(text).map(|v| v.to_string()).map_err(|e| e.to_string());
    (ours, theirs)
}

fn same(text: &str) {
    let (ours, theirs) = both(text);
    assert_eq!(ours, theirs, "{text:?}");
}

#[test]
fn valid_documents_read_and_write_as_serde_json() {
    for doc in [
        r#"{"id":"c","choices":[{"index":0,"message":{"role":"assistant","content":"Paris."}}],"usage":{"n":14}}"#,
        " [1, -0, 0.5, -2.5e-3, 1E9, 12345678901234567890, 18446744073709551616, true, false, null] ",
        "[-9223372036854775808, -9223372036854775809, 9223372036854775807, 1e400e, 0e99999999999]",
        "[1e-400, -1e-400, 0.0, -0.0, 1.0, 1e21, 1e15, 123456789012345678, 1.7976931348623157e308]",
        r#"{"esc":"a\"b\\c\/d\b\f\n\r\t\u00e9\u4e2d\ud83d\ude42\u0001\u001f\u007f","plain":"é 中文 🙂"}"#,
        "{\"nested\":{\"a\":[[],{},[{}]],\"b\":{\"c\":{\"d\":[1,[2,[3]]]}}}}",
        "\"just a string\"",
        "0",
        "{\"k\":1,\"k\":2,\"a\":{\"z\":1,\"b\":2}}",
        "\t\r\n{ \"spaced\" :\n[ 1 , 2 ]\n}\n",
        "[1e2147483648, 1e-2147483648, 0.0e2147483648, -1e-99999999999999]",
    ] {
        same(doc);
    }
}

#[test]
fn invalid_documents_fail_with_serde_json_messages() {
    for doc in [
        "",
        " ",
        "\n\n  ",
        "<html>",
        "{",
        "[",
        "[1",
        "[1,",
        "[1,]",
        "{\"a\":1,}",
        "{\"a\" 1}",
        "{\"a\"",
        "{\"a\":",
        "{a:1}",
        "{1:1}",
        "[1 2]",
        "{\"a\":1 \"b\":2}",
        "01",
        "-01",
        "1.",
        "1.x",
        ".5",
        "-",
        "-x",
        "1e",
        "1e+",
        "1ex",
        "+1",
        "tru",
        "trux",
        "nul",
        "nulx",
        "f",
        "\"open",
        "\"bad \\x escape\"",
        "\"\\u12\"",
        "\"\\u12zz\"",
        "\"tab\there\"",
        "{} {}",
        "[1]]",
        "NaN",
        "Infinity",
        "1e309",
        "-1e309",
        "1e99999999999",
        "\"\\ud83d\"",
        "\"\\ud83dx\"",
        "\"\\ud83d\\n\"",
        "\"\\ud83d\\u0041\"",
        "\"\\ude42\"",
        "\"\\",
        "\"\\u",
        "[\n1,\n2\n,]",
        "{\n\"a\": [\n1,\n2 3]}",
        "\"\n\"",
        "[1,\n\n",
        "{\"a\":1\n,",
        "123abc",
        "[true false]",
    ] {
        same(doc);
    }
}

#[test]
fn nesting_stops_where_serde_json_stops() {
    for depth in [126, 127, 128, 200] {
        same(&format!("{}{}", "[".repeat(depth), "]".repeat(depth)));
        same(&format!("{}1{}", "{\"a\":".repeat(depth), "}".repeat(depth)));
    }
}

#[test]
fn numbers_keep_their_kind() {
    let v = from_str("[1, -1, 1.0, -0, 18446744073709551615, 18446744073709551616, -9223372036854775809]").unwrap();
    let kinds: Vec<(bool, bool, bool)> =
        v.as_array().unwrap().iter().map(|n| (n.is_u64(), n.is_i64(), n.is_f64())).collect();
    let s: serde_json::Value = serde_json::from_str(&v.to_string()).unwrap();
    let want: Vec<(bool, bool, bool)> =
        s.as_array().unwrap().iter().map(|n| (n.is_u64(), n.is_i64(), n.is_f64())).collect();
    assert_eq!(kinds, want);
    assert_eq!(v[4].as_u64(), Some(u64::MAX));
    assert_eq!(v[1].as_i64(), Some(-1));
    assert_eq!(v[1].as_u64(), None);
    assert_eq!(v[2].as_i64(), None);
    assert_eq!(v[3].as_f64().map(f64::is_sign_negative), Some(true));
}

#[test]
fn accessors_and_pointers() {
    let v = from_str(r#"{"a":{"b/c":[10,{"d~e":true}]},"s":"x"}"#).unwrap();
    assert_eq!(v.pointer("/a/b~1c/1/d~0e"), Some(&Value::Bool(true)));
    assert_eq!(v.pointer("/a/b~1c/01"), None);
    assert_eq!(v.pointer(""), Some(&v));
    assert_eq!(v.pointer("a"), None);
    assert_eq!(v["a"]["b/c"][0], 10);
    assert!(v["missing"][3].is_null());
    assert_eq!(v["s"], "x");
    assert_eq!(Value::from(f64::NAN), Value::Null);
    assert_eq!(
        json!({"k": [1, "two", null, {"x": -2.5}], "b": false}).to_string(),
        r#"{"b":false,"k":[1,"two",null,{"x":-2.5}]}"#
    );
}

/// Random edits of valid documents: both readers must agree on the value
/// or on the error message, position included.
#[test]
fn mutated_documents_agree_with_serde_json() {
    let seeds: [&[u8]; 5] = [
        br#"{"id":"c","choices":[{"index":0,"message":{"role":"assistant","content":"Pa\"ris\u00e9"}}],"u":{"n":14,"x":-1.5e3}}"#,
        br#"[true,false,null,{"a":[1,2,{"b":"c"}]},"\\",0.25,"\ud83d\ude42"]"#,
        b"  {\"k\" : [ ] , \"l\":{ }}\n",
        b"[\n  {\"a\": 1},\n  {\"b\": [2, 3e-2]}\n]",
        b"\"\\u00e9\\n\\t\"",
    ];
    let alphabet = b"{}[]:,\"\\ 0123456789-+.eEtrufalsnu\n\x01";
    let mut rng = rng::Rng::new(0x2545_F491_4F6C_DD1D);
    let mut next = |n: usize| rng.below(n);
    for round in 0..30_000 {
        let mut doc = seeds[round % seeds.len()].to_vec();
        for _ in 0..1 + next(3) {
            let at = next(doc.len() + 1);
            let byte = alphabet[next(alphabet.len())];
            match next(3) {
                0 if at < doc.len() => doc[at] = byte,
                1 if at < doc.len() => {
                    doc.remove(at);
                }
                _ => doc.insert(at, byte),
            }
        }
        if let Ok(text) = std::str::from_utf8(&doc) {
            same(text);
        }
    }
}

#[test]
fn writes_strings_as_serde_json_does() {
    let all: String = (0u32..0x80).filter_map(char::from_u32).chain("é\u{2028}🙂".chars()).collect();
    let ours = Value::String(all.clone()).to_string();
    assert_eq!(ours, serde_json::Value::String(all).to_string());
}

/// The shapes that were serde derives, read from the same values, give
/// the same result or the same message.
mod derived {
    use serde::Deserialize;

    use crate::types::{FinishReason, Message, ResponseFormat, TokenLogprob};
    use crate::value::{from_str, Value};

    /// The old derives, as they were declared.
    mod mirror {
        use serde::Deserialize;

        #[derive(Debug, Deserialize)]
        #[serde(rename_all = "lowercase")]
        #[allow(dead_code)]
        pub(super) enum Role {
            System,
            User,
            Assistant,
            Tool,
        }

        #[derive(Debug, Deserialize)]
        #[serde(rename_all = "camelCase")]
        #[allow(dead_code)]
        pub(super) struct Message {
            role: Role,
            content: String,
            #[serde(default)]
            tool_calls: Vec<ToolCall>,
            #[serde(default)]
            tool_call_id: Option<String>,
        }

        #[derive(Debug, Deserialize)]
        #[serde(rename_all = "camelCase")]
        #[allow(dead_code)]
        pub(super) struct ToolCall {
            id: String,
            name: String,
            arguments_raw: String,
            #[serde(default)]
            arguments: Option<serde_json::Value>,
        }

        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        pub(super) struct TopLogprob {
            token: String,
            logprob: f64,
        }

        #[derive(Debug, Deserialize)]
        #[serde(rename_all = "camelCase")]
        #[allow(dead_code)]
        pub(super) struct TokenLogprob {
            token: String,
            logprob: f64,
            #[serde(default)]
            top_logprobs: Vec<TopLogprob>,
        }

        #[derive(Debug, Deserialize)]
        #[serde(rename_all = "snake_case")]
        #[allow(dead_code)]
        pub(super) enum FinishReason {
            Stop,
            Length,
            ToolCalls,
            ContentFilter,
            Unknown,
        }

        #[derive(Debug, Deserialize)]
        #[serde(tag = "type", rename_all = "snake_case")]
        #[allow(dead_code)]
        pub(super) enum ResponseFormat {
            Text,
            JsonObject,
            JsonSchema {
                #[serde(default)]
                name: Option<String>,
                schema: serde_json::Value,
            },
        }
    }

    fn theirs<T: for<'de> Deserialize<'de>>(text: &str) -> Result<(), String> {
        let v: serde_json::Value = serde_json::from_str(text).unwrap();
        serde_json::from_value::<T>(v).map(drop).map_err(|e| e.to_string())
    }

    fn value(text: &str) -> Value {
        from_str(text).unwrap()
    }

    #[test]
    fn messages() {
        for text in [
            r#"{"role":"user","content":"hi"}"#,
            r#"{"role":"tool","content":"sunny","toolCallId":"c1","extra":1}"#,
            r#"{"role":"assistant","content":"","toolCalls":[{"id":"c1","name":"f","argumentsRaw":"{}","arguments":{"a":1}}]}"#,
            r#"{"role":"assistant","content":"","toolCalls":[{"id":"c1","name":"f","argumentsRaw":"{}","arguments":null}]}"#,
            r#"{"role":"assistant","content":"","toolCalls":[{"id":"c1","name":"f"}]}"#,
            r#"{"role":"assistant","content":"","toolCalls":{}}"#,
            r#"{"role":"assistant","content":"","toolCalls":[3]}"#,
            r#"{"role":"assistant","content":"","toolCallId":null}"#,
            r#"{"role":"assistant","content":"","toolCallId":7}"#,
            r#"{"role":"bot","content":"hi"}"#,
            r#"{"role":{"user":null},"content":"hi"}"#,
            r#"{"role":{"user":1},"content":"hi"}"#,
            r#"{"role":{"user":null,"tool":null},"content":"hi"}"#,
            r#"{"role":{},"content":"hi"}"#,
            r#"{"role":5,"content":"hi"}"#,
            r#"{"role":"user","content":5}"#,
            r#"{"role":"user","content":-5}"#,
            r#"{"role":"user","content":5.5}"#,
            r#"{"role":"user","content":1.0}"#,
            r#"{"role":"user","content":true}"#,
            r#"{"role":"user","content":null}"#,
            r#"{"role":"user","content":[]}"#,
            r#"{"role":"user","content":{}}"#,
            r#"{"role":"user"}"#,
            r#"{"content":"x"}"#,
            r#"{}"#,
            r#"{"role":"bot"}"#,
            r#""user""#,
            r#"null"#,
            r#"3"#,
            r#"{"role":"user","content":"say \"hi\"\n","z":[]}"#,
            r#"{"role":"user","content":7,"role2":"x","a":"\u0001"}"#,
        ] {
            let ours = Message::from_value(&value(text)).map(drop);
            assert_eq!(ours, theirs::<mirror::Message>(text), "{text}");
        }
    }

    /// serde derive also read a struct from an array of its fields in
    /// order (`["user", "hi"]`), which no caller meant; it is refused.
    #[test]
    fn structs_are_objects_only() {
        assert_eq!(
            Message::from_value(&value(r#"["user","hi"]"#)).map(drop),
            Err("invalid type: sequence, expected struct Message".to_string())
        );
        assert!(theirs::<mirror::Message>(r#"["user","hi"]"#).is_ok());
    }

    #[test]
    fn logprobs_finish_reasons_and_formats() {
        for text in [
            r#"{"token":"a","logprob":-0.5}"#,
            r#"{"token":"a","logprob":-1}"#,
            r#"{"token":"a","logprob":0,"topLogprobs":[{"token":"b","logprob":-2}]}"#,
            r#"{"token":"a","logprob":0,"topLogprobs":[{"token":"b"}]}"#,
            r#"{"token":"a","logprob":0,"topLogprobs":null}"#,
            r#"{"token":"a","logprob":"x"}"#,
            r#"{"token":1,"logprob":0}"#,
            r#"{"logprob":0}"#,
        ] {
            assert_eq!(
                TokenLogprob::from_value(&value(text)).map(drop),
                theirs::<mirror::TokenLogprob>(text),
                "{text}"
            );
        }
        for text in [
            r#""stop""#,
            r#""tool_calls""#,
            r#""content_filter""#,
            r#""done""#,
            r#"1"#,
            r#"{"stop":null}"#,
            r#"{"length":3}"#,
            r#"null"#,
        ] {
            assert_eq!(
                FinishReason::from_value(&value(text)).map(drop),
                theirs::<mirror::FinishReason>(text),
                "{text}"
            );
        }
        for text in [
            r#"{"type":"text"}"#,
            r#"{"type":"json_object","extra":1}"#,
            r#"{"type":"json_schema","schema":{"type":"object"}}"#,
            r#"{"type":"json_schema","name":"x","schema":null}"#,
            r#"{"type":"json_schema","name":null,"schema":1}"#,
            r#"{"type":"json_schema","name":3,"schema":1}"#,
            r#"{"type":"json_schema"}"#,
            r#"{"type":"xml"}"#,
            r#"{"schema":{}}"#,
            r#""text""#,
            r#"null"#,
        ] {
            let ours = ResponseFormat::from_value(&value(text)).is_ok();
            assert_eq!(ours, theirs::<mirror::ResponseFormat>(text).is_ok(), "{text}");
        }
    }
}
