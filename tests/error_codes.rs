//! The error codes are a public contract: the engine's list, the wrapper's
//! (`js/src/errors.ts`, its type and its class table) and the two READMEs'
//! tables must be the same list, so that a code added in one place and
//! forgotten in another fails here rather than in a user's `switch`.

use std::collections::BTreeSet;

use cascade_edge::ErrorCode;

fn codes_in(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while let Some(at) = text[i..].find("E_") {
        let start = i + at;
        let end = start + bytes[start..].iter().take_while(|b| b.is_ascii_uppercase() || **b == b'_').count();
        // A whole word: not the tail of another identifier.
        let whole = start == 0 || !bytes[start - 1].is_ascii_alphanumeric();
        if whole && end > start + 2 {
            out.insert(text[start..end].trim_end_matches('_').to_string());
        }
        i = end.max(start + 2);
    }
    out
}

fn read(path: &str) -> String {
    std::fs::read_to_string(format!("{}/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The part of a markdown file from its `## Errors` heading to the next heading of that level.
fn errors_section(md: &str) -> &str {
    let start = md.find("## Errors").expect("an Errors section");
    let rest = &md[start + 2..];
    let end = rest.find("\n## ").map_or(md.len(), |e| start + 2 + e);
    &md[start..end]
}

#[test]
fn engine_wrapper_and_readmes_list_the_same_codes() {
    let engine: BTreeSet<String> = ErrorCode::ALL.iter().map(|c| c.as_str().to_string()).collect();
    assert_eq!(engine.len(), ErrorCode::ALL.len(), "a code is listed twice");

    let ts = read("js/src/errors.ts");
    let union = &ts[ts.find("export type ErrorCode").expect("the ErrorCode type")..];
    let union = &union[..union.find(';').expect("end of the union")];
    assert_eq!(codes_in(union), engine, "js/src/errors.ts ErrorCode type");
    let table = &ts[ts.find("const CLASSES").expect("the CLASSES table")..];
    let table = &table[..table.find("};").expect("end of CLASSES")];
    assert_eq!(codes_in(table), engine, "js/src/errors.ts CLASSES");

    assert_eq!(codes_in(errors_section(&read("README.md"))), engine, "README.md, Errors");
    assert_eq!(codes_in(errors_section(&read("pkg-template/README.md"))), engine, "pkg-template/README.md, Errors");
}

#[test]
fn the_reader_finds_whole_codes_only() {
    let found = codes_in("`E_CONFIG` and E_TOOL, not XE_NOPE; E_");
    assert_eq!(found.into_iter().collect::<Vec<_>>(), vec!["E_CONFIG", "E_TOOL"]);
}
