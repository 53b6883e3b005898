//! "Did you mean …?" for names a user typed: option keys, provider ids,
//! model ids. A misspelt option silently ignored is a bug the user cannot
//! see, so every unknown name is refused with the nearest known one.

use crate::error::CascadeError;

/// Names longer than this get no suggestion: no option, provider or model
/// id is this long, and it bounds the table a hostile config can make us fill.
const MAX_NAME: usize = 80;

/// The known name nearest to `typed`, if it is near enough to be a typo:
/// at most a third of its length away, and never more than 2 edits.
/// Case is ignored (`SYSTEMPROMPT` is a typo of `systemPrompt` too).
pub fn closest<'a>(typed: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (typed.chars().count() / 3).clamp(1, 2);
    let mut best: Option<(usize, &str)> = None;
    for k in known {
        let Some(d) = distance(typed, k) else { continue };
        if d <= limit && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, k));
        }
    }
    best.map(|(_, k)| k)
}

/// Edit distance in characters, ignoring ASCII case, where swapping two
/// neighbours counts as one edit (the commonest typo: `mnii` for `mini`).
/// `None` when either name is longer than `MAX_NAME`.
pub fn distance(a: &str, b: &str) -> Option<usize> {
    let a: Vec<char> = a.chars().map(|c| c.to_ascii_lowercase()).take(MAX_NAME.saturating_add(1)).collect();
    let b: Vec<char> = b.chars().map(|c| c.to_ascii_lowercase()).take(MAX_NAME.saturating_add(1)).collect();
    if a.len() > MAX_NAME || b.len() > MAX_NAME {
        return None;
    }
    // rows[0]: two rows back, rows[1]: previous, rows[2]: current.
    let width = b.len().saturating_add(1);
    let mut rows = [vec![0usize; width], (0..width).collect::<Vec<_>>(), vec![0usize; width]];
    for (i, ca) in a.iter().enumerate() {
        let [two_back, prev, cur] = &mut rows;
        if let Some(first) = cur.first_mut() {
            *first = i.saturating_add(1);
        }
        for (j, cb) in b.iter().enumerate() {
            let sub = prev.get(j).copied().unwrap_or(0).saturating_add(usize::from(ca != cb));
            let del = prev.get(j.saturating_add(1)).copied().unwrap_or(0).saturating_add(1);
            let ins = cur.get(j).copied().unwrap_or(0).saturating_add(1);
            let mut best = sub.min(del).min(ins);
            let swapped = ca != cb
                && i > 0
                && j > 0
                && a.get(i.wrapping_sub(1)) == Some(cb)
                && b.get(j.wrapping_sub(1)) == Some(ca);
            if swapped {
                best = best.min(two_back.get(j.wrapping_sub(1)).copied().unwrap_or(0).saturating_add(1));
            }
            if let Some(slot) = cur.get_mut(j.saturating_add(1)) {
                *slot = best;
            }
        }
        rows.rotate_left(1);
    }
    rows[1].last().copied()
}

/// The error for an unknown option at `path`: names it, suggests the
/// nearest known one, and lists them all.
pub fn unknown_key(path: &str, key: &str, known: &[&str]) -> CascadeError {
    unknown(path, key, known, "option")
}

/// The same for a field of a model.
pub fn unknown_field(path: &str, key: &str, known: &[&str]) -> CascadeError {
    unknown(path, key, known, "field")
}

fn unknown(path: &str, key: &str, known: &[&str], noun: &str) -> CascadeError {
    let hint = match closest(key, known.iter().copied()) {
        Some(k) => format!("did you mean `{k}`? "),
        None => String::new(),
    };
    CascadeError::config(format!("{path}.{key}: unknown {noun} ({hint}expected one of {})", known.join(", ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(distance("", ""), Some(0));
        assert_eq!(distance("abc", ""), Some(3));
        assert_eq!(distance("kitten", "sitting"), Some(3));
        assert_eq!(distance("maxTokes", "maxTokens"), Some(1));
        assert_eq!(distance("sytemPrompt", "systemPrompt"), Some(1));
        assert_eq!(distance("opnai", "openai"), Some(1));
        assert_eq!(distance("gpt-4o-mnii", "gpt-4o-mini"), Some(1));
        assert_eq!(distance("ab", "ba"), Some(1));
        assert_eq!(distance("é", "e"), Some(1));
        assert_eq!(distance("GPT-4O", "gpt-4o"), Some(0));
        assert_eq!(distance(&"x".repeat(200), "x"), None);
    }

    #[test]
    fn suggests_only_near_names() {
        let known = ["maxTokens", "temperature", "systemPrompt"];
        assert_eq!(closest("maxTokes", known), Some("maxTokens"));
        assert_eq!(closest("SYSTEMPROMPT", known), Some("systemPrompt"));
        assert_eq!(closest("banana", known), None);
        let e = unknown_key("options", "sytemPrompt", &known);
        assert!(
            e.message.starts_with("options.sytemPrompt: unknown option (did you mean `systemPrompt`?"),
            "{}",
            e.message
        );
    }
}
