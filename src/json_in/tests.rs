use super::*;
use serde_json::Value;

use crate::test_rng as rng;

/// What serde_json makes of the same text, for comparison.
fn serde(text: &str) -> Option<Value> {
    serde_json::from_str(text).ok()
}

#[test]
fn valid_documents_read_as_serde_json_reads_them() {
    let docs = [
        r#"{"id":"c","choices":[{"index":0,"message":{"role":"assistant","content":"Paris."},"finish_reason":"stop"}],"usage":{"prompt_tokens":14}}"#,
        " [1, -0, 0.5, -2.5e-3, 1E9, 12345678901234567890, true, false, null] ",
        r#"{"esc":"a\"b\\c\/d\b\f\n\r\t\u00e9\u4e2d\ud83d\ude42","plain":"é 中文 🙂"}"#,
        "{\"nested\":{\"a\":[[],{},[{}]],\"b\":{\"c\":{\"d\":[1,[2,[3]]]}}}}",
        "\"just a string\"",
        "0",
        "{\"k\":1,\"k\":2}",
        "\t\r\n{ \"spaced\" :\n[ 1 , 2 ]\n}\n",
    ];
    for doc in docs {
        let ours = Json::parse(doc.as_bytes()).unwrap_or_else(|e| panic!("{doc}: {e}"));
        let want = serde(doc).expect(doc);
        assert_eq!(serde(&ours.to_json()), Some(want), "{doc} -> {}", ours.to_json());
    }
}

#[test]
fn invalid_documents_are_refused_with_a_position() {
    let docs = [
        "",
        " ",
        "<html>bad gateway</html>",
        "{",
        "[1,]",
        "{\"a\":1,}",
        "{\"a\" 1}",
        "{a:1}",
        "[1 2]",
        "01",
        "1.",
        ".5",
        "-",
        "1e",
        "+1",
        "tru",
        "nul",
        "\"open",
        "\"bad \\x escape\"",
        "\"\\u12\"",
        "\"tab\there\"",
        "{} {}",
        "[1]]",
        "NaN",
        "Infinity",
    ];
    for doc in docs {
        assert!(serde(doc).is_none(), "serde accepts {doc:?}");
        let err = Json::parse(doc.as_bytes()).expect_err(doc);
        assert!(err.at <= doc.len(), "{doc:?}: {err}");
    }
    let err = Json::parse(b"{\"a\":[1,2,x]}").unwrap_err();
    assert_eq!((err.at, err.expected), (10, "a value"));
    assert_eq!(err.to_string(), "expected a value at byte 10");
}

#[test]
fn invalid_utf8_is_refused() {
    let err = Json::parse(b"\"ok \xff\"").unwrap_err();
    assert_eq!((err.at, err.expected), (4, "UTF-8 text"));
}

#[test]
fn nesting_is_bounded_instead_of_overflowing_the_stack() {
    let deep = "[".repeat(100_000);
    assert_eq!(Json::parse(deep.as_bytes()).unwrap_err().expected, "at most 128 levels of nesting");
    let ok = format!("{}{}", "[".repeat(128), "]".repeat(128));
    assert!(Json::parse(ok.as_bytes()).is_ok());
}

#[test]
fn strings_borrow_unless_they_hold_escapes() {
    let v = Json::parse(br#"{"a":"plain","b":"tab\there"}"#).unwrap();
    assert!(matches!(v.get("a"), Some(Json::String(Cow::Borrowed("plain")))));
    assert!(matches!(v.get("b"), Some(Json::String(Cow::Owned(s))) if s == "tab\there"));
}

#[test]
fn lone_surrogates_become_replacement_characters() {
    let v = Json::parse(br#"["\ud83d", "\ude42x", "\ud83d\u0041"]"#).unwrap();
    let texts: Vec<&str> = v.as_array().unwrap().iter().filter_map(Json::as_str).collect();
    assert_eq!(texts, ["\u{FFFD}", "\u{FFFD}x", "\u{FFFD}A"]);
}

#[test]
fn accessors_are_lenient_about_types_like_values_are() {
    let v =
        Json::parse(br#"{"n":14,"f":14.0,"neg":-1,"big":99999999999999999999,"s":"14","t":true,"k":1,"k":2}"#).unwrap();
    assert_eq!(v.field("n").as_u64(), Some(14));
    assert_eq!(v.field("f").as_u64(), None);
    assert_eq!(v.field("f").as_f64(), Some(14.0));
    assert_eq!(v.field("neg").as_u64(), None);
    assert_eq!(v.field("neg").as_f64(), Some(-1.0));
    assert_eq!(v.field("big").as_u64(), None);
    assert_eq!(v.field("s").as_u64(), None);
    assert_eq!(v.field("s").as_str(), Some("14"));
    assert_eq!(v.field("t").as_bool(), Some(true));
    assert_eq!(v.field("k").as_u64(), Some(2), "a repeated key reads as its last value");
    assert!(v.field("missing").is_null());
    assert_eq!(v.field("n").get("x"), None);
    for (json, value) in [("14", 14u64), ("0", 0)] {
        assert_eq!(
            Json::parse(json.as_bytes()).unwrap().as_u64(),
            serde(json).unwrap().as_u64().filter(|n| *n == value)
        );
    }
}

#[test]
fn text_keeps_numbers_as_written_and_escapes_keys() {
    let v = Json::parse(br#"{ "q\"k" : [1.50, -0, 2e3, "x"] }"#).unwrap();
    assert_eq!(v.to_json(), r#"{"q\"k":[1.50,-0,2e3,"x"]}"#);
}

/// Random edits of valid documents: this reader and serde_json must agree
/// on what is JSON, and on what it says when both read it. The known
/// differences are deliberate: a lone surrogate becomes U+FFFD here, and a
/// number too large for f64 is kept as text.
#[test]
fn mutated_documents_are_judged_as_serde_json_judges_them() {
    let seeds: [&[u8]; 4] = [
        br#"{"id":"c","choices":[{"index":0,"message":{"role":"assistant","content":"Pa\"ris\u00e9"},"finish_reason":"stop"}],"usage":{"prompt_tokens":14,"x":-1.5e3}}"#,
        br#"[true,false,null,{"a":[1,2,{"b":"c"}]},"\\",0.25]"#,
        br#"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi\n"}}"#,
        b"  {\"k\" : [ ] , \"l\":{ }}\n",
    ];
    let alphabet = b"{}[]:,\"\\ 0123456789-+.eEtrufalsn\n\x01\xc3\xa9u";
    let mut rng = rng::Rng::new(0x9E37_79B9_7F4A_7C15);
    let mut next = |n: usize| rng.below(n);
    for round in 0..20_000 {
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
        let theirs = serde_json::from_slice::<Value>(&doc);
        if let Err(e) = &theirs {
            let why = e.to_string();
            if why.contains("surrogate") || why.contains("out of range") {
                continue;
            }
        }
        let ours = Json::parse(&doc);
        let text = String::from_utf8_lossy(&doc);
        assert_eq!(
            ours.is_ok(),
            theirs.is_ok(),
            "{text:?}: ours {:?}, serde {:?}",
            ours.as_ref().err(),
            theirs.as_ref().err()
        );
        if let (Ok(ours), Ok(theirs)) = (ours, theirs) {
            assert_eq!(serde(&ours.to_json()).as_ref(), Some(&theirs), "{text:?}");
        }
    }
}
