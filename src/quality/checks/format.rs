//! Structure the caller asked for: JSON that parses and fits its schema,
//! code in the language requested, fences and brackets that close.

use crate::value::Value;

use super::schema::validate;
use super::{outcome, Ctx};
use crate::quality::intent::canonical_language;
use crate::quality::{CheckOutcome, Domain};
use crate::types::ResponseFormat;

/// The JSON text in a draft: the whole of it, the inside of a ```json
/// fence, or (less tidy) the outermost braces inside some prose.
pub(crate) fn json_span(answer: &str) -> Option<(&str, bool)> {
    let t = answer.trim();
    if let Some(rest) = t.strip_prefix("```") {
        let body_start = (rest.find('\n')?).saturating_add(1);
        let body = rest.get(body_start..)?;
        let end = body.rfind("```")?;
        return Some((body.get(..end)?.trim(), true));
    }
    if t.starts_with('{') || t.starts_with('[') {
        return Some((t, true));
    }
    let open = t.find(['{', '['])?;
    let close_char = if t.get(open..)?.starts_with('{') { '}' } else { ']' };
    let close = t.rfind(close_char)?;
    (close > open).then(|| t.get(open..=close).map(|s| (s, false)))?
}

/// JSON requested by `response_format` (a failure vetoes) or by the query
/// text (a failure counts heavily, but the request was only implied).
pub(crate) fn json(ctx: &Ctx) -> Option<CheckOutcome> {
    let format = ctx.input.response_format;
    let required = matches!(format, Some(ResponseFormat::JsonObject) | Some(ResponseFormat::JsonSchema { .. }));
    if !required && !ctx.intent.wants_json {
        return None;
    }
    if !ctx.input.tool_calls.is_empty() && ctx.answer.is_blank() {
        return None;
    }
    let fail = |detail: String| {
        if required {
            outcome("json", 0.02, 1.0, true, detail)
        } else {
            outcome("json", 0.15, 1.0, false, detail)
        }
    };
    let Some((span, clean)) = json_span(ctx.answer.raw) else {
        return Some(fail("JSON was requested but the draft holds none".into()));
    };
    let value: Value = match crate::value::from_str(span) {
        Ok(v) => v,
        Err(e) => return Some(fail(format!("invalid JSON: {e}"))),
    };
    if matches!(format, Some(ResponseFormat::JsonObject)) && !value.is_object() {
        return Some(fail("a JSON object was requested, the draft's JSON is not one".into()));
    }
    if let Some(ResponseFormat::JsonSchema { schema, .. }) = format {
        if let Err(e) = validate(&value, schema) {
            return Some(fail(format!("the JSON does not fit the schema: {e}")));
        }
    }
    if !clean {
        return Some(outcome("json", 0.75, 1.0, false, "the JSON is wrapped in prose".into()));
    }
    Some(outcome("json", 1.0, 0.0, false, "valid JSON".into()))
}

/// One fenced block: its info-string language and its body.
struct Block<'a> {
    lang: &'a str,
    body: &'a str,
}

fn blocks(text: &str) -> Vec<Block<'_>> {
    let mut out = Vec::new();
    let mut open: Option<(&str, usize)> = None;
    let mut pos = 0usize;
    for line in text.split_inclusive('\n') {
        let t = line.trim_start();
        if let Some(info) = t.strip_prefix("```") {
            match open {
                None => open = Some((info.trim(), pos.saturating_add(line.len()))),
                Some((lang, start)) => {
                    out.push(Block { lang, body: text.get(start..pos).unwrap_or("") });
                    open = None;
                }
            }
        }
        pos = pos.saturating_add(line.len());
    }
    out
}

/// Bracket balance of code, skipping strings and line comments. Positive:
/// more opened than closed (typical of a cut-off draft).
pub(crate) fn bracket_balance(code: &str, hash_comments: bool, single_quotes: bool) -> i32 {
    let mut depth = 0i32;
    let mut quote: Option<u8> = None;
    let bytes = code.as_bytes();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if let Some(q) = quote {
            if b == b'\\' {
                i = i.saturating_add(2);
                continue;
            }
            if b == q || b == b'\n' && q != b'`' {
                quote = None;
            }
            i = i.saturating_add(1);
            continue;
        }
        let comment = (b == b'/' && bytes.get(i.saturating_add(1)) == Some(&b'/')) || (hash_comments && b == b'#');
        if comment {
            i = i.saturating_add(
                bytes
                    .get(i..)
                    .and_then(|r| r.iter().position(|&c| c == b'\n'))
                    .unwrap_or(bytes.len().saturating_sub(i)),
            );
            continue;
        }
        match b {
            b'"' | b'`' => quote = Some(b),
            b'\'' if single_quotes => quote = Some(b),
            b'(' | b'[' | b'{' => depth = depth.saturating_add(1),
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i = i.saturating_add(1);
    }
    depth
}

fn looks_like_code(text: &str) -> bool {
    text.lines().any(|l| {
        let t = l.trim();
        l.starts_with("    ") && !t.is_empty()
            || t.ends_with(';')
            || t.ends_with('{')
            || t.starts_with("def ")
            || t.starts_with("fn ")
            || t.starts_with("function ")
            || t.contains("=>")
            || t.starts_with("SELECT ")
    })
}

/// Code blocks: the language asked for, closed brackets, and any code at
/// all when code was requested.
pub(crate) fn code(ctx: &Ctx) -> Option<CheckOutcome> {
    let raw = ctx.answer.raw;
    let has_fence = ctx.answer_has_code;
    let asked = ctx.intent.code_lang;
    let wants_code = ctx.domain == Domain::Code
        && ctx.query.words.iter().any(|w| {
            let s = ctx.query.word(w);
            ["write", "implement", "function", "script", "program", "snippet", "code", "class", "method"]
                .iter()
                .any(|k| s.eq_ignore_ascii_case(k))
        });
    if !has_fence {
        if wants_code && ctx.answer.len() >= 3 && !looks_like_code(raw) {
            return Some(outcome("code", 0.5, 1.0, false, "code was asked for and the draft has none".into()));
        }
        return None;
    }
    let found = blocks(raw);
    if found.is_empty() {
        // An unclosed fence is the completeness check's finding.
        return None;
    }
    let mut score: f64 = 1.0;
    let mut detail = format!("{} code block(s)", found.len());
    if let Some(want) = asked {
        let langs: Vec<&'static str> = found.iter().filter_map(|b| canonical_language(b.lang)).collect();
        let helpers = ["shell", "json", "yaml", "powershell"];
        let matching = langs.iter().any(|l| *l == want || (want == "typescript" && *l == "javascript"));
        let other = langs.iter().find(|l| !helpers.contains(l) && **l != want);
        if !matching {
            if let Some(other) = other {
                score = 0.3;
                detail = format!("{want} was asked for, the code is {other}");
            }
        }
    }
    for b in &found {
        let lang = canonical_language(b.lang).unwrap_or("");
        let hash = matches!(lang, "python" | "shell" | "ruby" | "perl" | "yaml" | "elixir" | "powershell" | "");
        let single = !matches!(lang, "rust" | "ocaml" | "haskell" | "shell" | "");
        let bal = bracket_balance(b.body, hash, single);
        if bal > 0 && score > 0.3 {
            score = 0.3;
            detail = format!("a code block leaves {bal} bracket(s) open");
        } else if bal < -1 && score > 0.7 {
            score = 0.7;
            detail = format!("a code block closes {} bracket(s) it never opened", bal.unsigned_abs());
        }
    }
    Some(outcome("code", score, if score < 1.0 { 1.0 } else { 0.0 }, false, detail))
}

#[cfg(test)]
#[path = "format_tests.rs"]
mod tests;
