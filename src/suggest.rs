//! "Did you mean …?" for names a user typed: option keys, provider ids,
//! model ids. A misspelt option silently ignored is a bug the user cannot
//! see, so every unknown name is refused with the nearest known one.

use crate::error::CascadeError;

/// The known name nearest to `typed`, if it is near enough to be a typo:
/// at most a third of its length away, and never more than 3 edits.
pub fn closest<'a>(typed: &str, known: &[&'a str]) -> Option<&'a str> {
    let limit = (typed.chars().count() / 3).clamp(1, 3);
    known
        .iter()
        .map(|k| (distance(&typed.to_ascii_lowercase(), &k.to_ascii_lowercase()), *k))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

/// Edit distance (insert, delete, substitute, swap two neighbours), in
/// characters. Names are short, so two rows of `O(n·m)` are plenty.
pub fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
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
            let swapped = i > 0
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
    rows[1].last().copied().unwrap_or(0)
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
    let hint = match closest(key, known) {
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
        assert_eq!(distance("", ""), 0);
        assert_eq!(distance("abc", ""), 3);
        assert_eq!(distance("maxTokes", "maxTokens"), 1);
        assert_eq!(distance("sytemPrompt", "systemPrompt"), 1);
        assert_eq!(distance("opnai", "openai"), 1);
        assert_eq!(distance("ab", "ba"), 1);
        assert_eq!(distance("é", "e"), 1);
    }

    #[test]
    fn suggests_only_near_names() {
        let known = ["maxTokens", "temperature", "systemPrompt"];
        assert_eq!(closest("maxTokes", &known), Some("maxTokens"));
        assert_eq!(closest("SYSTEMPROMPT", &known), Some("systemPrompt"));
        assert_eq!(closest("banana", &known), None);
        let e = unknown_key("options", "sytemPrompt", &known);
        assert!(e.message.starts_with("options.sytemPrompt: unknown option (did you mean `systemPrompt`?"), "{}", e.message);
    }
}
