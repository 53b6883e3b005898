//! The part of JSON Schema that structured output and tool arguments use.
//!
//! Providers' "structured output" and function calling describe shapes
//! with a small, stable subset of JSON Schema (types, required fields,
//! enums, nested objects and arrays, simple bounds). Validating that subset
//! exactly catches the malformed drafts that matter; keywords outside it
//! (patterns, formats) are accepted rather than guessed at.

use crate::decimal::Plain;
use crate::value::Value;

/// Nesting allowed in value plus schema before we stop: crafted input
/// must not be able to exhaust the stack.
const MAX_DEPTH: u32 = 48;
/// Schema nodes visited before giving up (and accepting): nested `anyOf`
/// over a deep value would otherwise branch exponentially.
const MAX_STEPS: u32 = 20_000;

/// The first place `value` breaks `schema`, as "`$.path`: what is wrong".
pub(crate) fn validate(value: &Value, schema: &Value) -> Result<(), String> {
    let mut path = String::from("$");
    let mut steps = 0u32;
    check(value, schema, schema, &mut path, 0, &mut steps)
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn is_type(v: &Value, t: &str) -> bool {
    match t {
        "null" => v.is_null(),
        "boolean" => v.is_boolean(),
        "string" => v.is_string(),
        "array" => v.is_array(),
        "object" => v.is_object(),
        "number" => v.is_number(),
        "integer" => match v {
            Value::Number(n) => n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0),
            _ => false,
        },
        // An unknown type name is the schema's problem, not the draft's.
        _ => true,
    }
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() <= 40 {
        return s;
    }
    let mut out: String = s.chars().take(40).collect();
    out.push('…');
    out
}

fn check(
    value: &Value,
    schema: &Value,
    root: &Value,
    path: &mut String,
    depth: u32,
    steps: &mut u32,
) -> Result<(), String> {
    *steps = (*steps).saturating_add(1);
    if depth > MAX_DEPTH || *steps > MAX_STEPS {
        return Ok(());
    }
    let obj = match schema {
        Value::Bool(false) => return Err(format!("{path}: no value is allowed here")),
        Value::Object(o) => o,
        _ => return Ok(()),
    };
    if let Some(Value::String(r)) = obj.get("$ref") {
        if let Some(target) = r.strip_prefix('#').and_then(|p| root.pointer(p)) {
            return check(value, target, root, path, depth.saturating_add(1), steps);
        }
        return Ok(());
    }
    if value.is_null() && obj.get("nullable") == Some(&Value::Bool(true)) {
        return Ok(());
    }
    match obj.get("type") {
        Some(Value::String(t)) if !is_type(value, t) => {
            return Err(format!("{path}: expected {t}, got {} {}", type_name(value), short(value)));
        }
        Some(Value::Array(ts)) if !ts.iter().any(|t| t.as_str().is_some_and(|t| is_type(value, t))) => {
            let names: Vec<&str> = ts.iter().filter_map(Value::as_str).collect();
            return Err(format!("{path}: expected {}, got {}", names.join(" or "), type_name(value)));
        }
        _ => {}
    }
    if let Some(Value::Array(options)) = obj.get("enum") {
        if !options.contains(value) {
            let list: Vec<String> = options.iter().take(8).map(short).collect();
            return Err(format!("{path}: {} is not one of {}", short(value), list.join(", ")));
        }
    }
    if let Some(c) = obj.get("const") {
        if c != value {
            return Err(format!("{path}: expected {}, got {}", short(c), short(value)));
        }
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        if let Some(Value::Array(subs)) = obj.get(key) {
            if key == "allOf" {
                for s in subs {
                    check(value, s, root, path, depth.saturating_add(1), steps)?;
                }
            } else if !subs.is_empty() {
                let mut first_err = None;
                let ok = subs.iter().any(|s| {
                    let mut p = path.clone();
                    match check(value, s, root, &mut p, depth.saturating_add(1), steps) {
                        Ok(()) => true,
                        Err(e) => {
                            first_err.get_or_insert(e);
                            false
                        }
                    }
                });
                if !ok {
                    return Err(first_err.unwrap_or_else(|| format!("{path}: matches none of {key}")));
                }
            }
        }
    }
    match value {
        Value::Object(map) => {
            if let Some(Value::Array(req)) = obj.get("required") {
                for r in req.iter().filter_map(Value::as_str) {
                    if !map.contains_key(r) {
                        return Err(format!("{path}: missing required field \"{r}\""));
                    }
                }
            }
            let props = obj.get("properties").and_then(Value::as_object);
            for (k, v) in map {
                let len = path.len();
                path.push('.');
                path.push_str(k);
                let sub = props.and_then(|p| p.get(k));
                let res = match (sub, obj.get("additionalProperties")) {
                    (Some(s), _) => check(v, s, root, path, depth.saturating_add(1), steps),
                    (None, Some(Value::Bool(false))) => Err(format!("{path}: field not allowed by the schema")),
                    (None, Some(extra @ Value::Object(_))) => {
                        check(v, extra, root, path, depth.saturating_add(1), steps)
                    }
                    _ => Ok(()),
                };
                path.truncate(len);
                res?;
            }
        }
        Value::Array(items) => {
            let n = items.len() as u64;
            if let Some(min) = obj.get("minItems").and_then(Value::as_u64) {
                if n < min {
                    return Err(format!("{path}: expected at least {min} items, got {n}"));
                }
            }
            if let Some(max) = obj.get("maxItems").and_then(Value::as_u64) {
                if n > max {
                    return Err(format!("{path}: expected at most {max} items, got {n}"));
                }
            }
            for (i, item) in items.iter().enumerate() {
                let sub = match obj.get("items") {
                    Some(Value::Array(tuple)) => tuple.get(i),
                    Some(s) => Some(s),
                    None => None,
                };
                if let Some(s) = sub {
                    let len = path.len();
                    path.push_str(&format!("[{i}]"));
                    let res = check(item, s, root, path, depth.saturating_add(1), steps);
                    path.truncate(len);
                    res?;
                }
            }
        }
        Value::String(s) => {
            let n = s.chars().count() as u64;
            if let Some(min) = obj.get("minLength").and_then(Value::as_u64) {
                if n < min {
                    return Err(format!("{path}: expected at least {min} characters, got {n}"));
                }
            }
            if let Some(max) = obj.get("maxLength").and_then(Value::as_u64) {
                if n > max {
                    return Err(format!("{path}: expected at most {max} characters, got {n}"));
                }
            }
        }
        Value::Number(num) => {
            let x = num.as_f64().unwrap_or(0.0);
            let bound = |k: &str| obj.get(k).and_then(Value::as_f64);
            let broken = [
                (bound("minimum").is_some_and(|m| x < m), "minimum", ">="),
                (bound("maximum").is_some_and(|m| x > m), "maximum", "<="),
                (bound("exclusiveMinimum").is_some_and(|m| x <= m), "exclusiveMinimum", ">"),
                (bound("exclusiveMaximum").is_some_and(|m| x >= m), "exclusiveMaximum", "<"),
            ];
            if let Some((_, k, op)) = broken.iter().find(|b| b.0) {
                let m = bound(k).unwrap_or(0.0);
                return Err(format!("{path}: expected a number {op} {}, got {}", Plain(m), Plain(x)));
            }
        }
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json;

    fn schema() -> Value {
        json!({
            "type": "object",
            "required": ["name", "age", "tags"],
            "additionalProperties": false,
            "properties": {
                "name": {"type": "string", "minLength": 1},
                "age": {"type": "integer", "minimum": 0},
                "role": {"enum": ["admin", "user"]},
                "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 3},
                "address": {"$ref": "#/$defs/address"}
            },
            "$defs": {"address": {"type": "object", "required": ["city"], "properties": {"city": {"type": "string"}}}}
        })
    }

    #[test]
    fn accepts_conforming_values() {
        let v = json!({"name": "Ada", "age": 36, "role": "admin", "tags": ["x"], "address": {"city": "London"}});
        assert_eq!(validate(&v, &schema()), Ok(()));
        assert_eq!(validate(&json!(3.0), &json!({"type": "integer"})), Ok(()));
        assert_eq!(validate(&json!(null), &json!({"type": ["string", "null"]})), Ok(()));
        assert_eq!(validate(&json!("x"), &json!({"anyOf": [{"type": "integer"}, {"type": "string"}]})), Ok(()));
    }

    #[test]
    fn names_the_first_violation() {
        let s = schema();
        let e = |v: Value| validate(&v, &s).unwrap_err();
        assert!(e(json!({"name": "Ada", "age": 3})).contains("missing required field \"tags\""));
        assert!(e(json!({"name": "Ada", "age": "3", "tags": []})).starts_with("$.age: expected integer, got string"));
        assert!(e(json!({"name": "Ada", "age": 3, "tags": [], "role": "root"})).contains("$.role"));
        assert!(e(json!({"name": "Ada", "age": 3, "tags": [1]})).contains("$.tags[0]"));
        assert!(e(json!({"name": "Ada", "age": 3, "tags": [], "extra": 1})).contains("not allowed"));
        assert!(e(json!({"name": "Ada", "age": -1, "tags": []})).contains(">= 0"));
        assert!(e(json!({"name": "Ada", "age": 1, "tags": [], "address": {}}))
            .contains("$.address: missing required field \"city\""));
        assert!(e(json!({"name": "Ada", "age": 1, "tags": ["a", "b", "c", "d"]})).contains("at most 3"));
    }

    #[test]
    fn hostile_schemas_terminate() {
        // Both branches recurse and fail only at the leaf: 2^40 paths
        // without the step budget.
        let branch = json!({"type": "array", "items": {"$ref": "#"}});
        let branching = json!({"anyOf": [branch.clone(), branch]});
        let mut deep = json!("leaf");
        for _ in 0..40 {
            deep = json!([deep]);
        }
        let _ = validate(&deep, &branching);
        let looping = json!({"$ref": "#"});
        assert_eq!(validate(&json!(1), &looping), Ok(()));
        let mut deep = json!(1);
        for _ in 0..200 {
            deep = json!([deep]);
        }
        assert_eq!(validate(&deep, &json!({"items": {"$ref": "#"}})), Ok(()));
        assert_eq!(validate(&json!(1), &json!("not a schema")), Ok(()));
    }
}
