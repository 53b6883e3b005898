//! "Did you mean ...?" for a model name with no price: a typo in a model id
//! silently makes its cost unknown, and the nearest known id is usually
//! what was meant.

/// Names longer than this get no suggestion: no model id is this long, and
/// it bounds the distance table a config can make us fill.
const MAX_NAME: usize = 80;

/// Edit distance between `a` and `b`, ignoring ASCII case, where swapping
/// two neighbouring bytes counts as one edit (the commonest typo:
/// "mnii" for "mini"). `None` when either is longer than `MAX_NAME`.
pub(crate) fn distance(a: &str, b: &str) -> Option<usize> {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() > MAX_NAME || b.len() > MAX_NAME {
        return None;
    }
    // Three rows of the classic table: the one being filled and the two
    // before it (the transposition step looks two rows back).
    let mut before: Vec<usize> = vec![0; b.len().saturating_add(1)];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut row: Vec<usize> = vec![0; b.len().saturating_add(1)];
    let mut last_a = None;
    for (i, &ca) in a.iter().enumerate() {
        // Lengths are at most MAX_NAME, so none of the sums below can
        // come near overflowing; saturating keeps that obvious.
        let i1 = i.saturating_add(1);
        if let Some(first) = row.first_mut() {
            *first = i1;
        }
        let mut last_b = None;
        for (j, &cb) in b.iter().enumerate() {
            let j1 = j.saturating_add(1);
            let same = ca.eq_ignore_ascii_case(&cb);
            let diag = prev.get(j).copied().unwrap_or(0).saturating_add(usize::from(!same));
            let up = prev.get(j1).copied().unwrap_or(0).saturating_add(1);
            let left = row.get(j).copied().unwrap_or(0).saturating_add(1);
            let mut best = diag.min(up).min(left);
            let swapped = matches!((last_a, last_b), (Some(pa), Some(pb))
                if u8::eq_ignore_ascii_case(&pa, &cb) && u8::eq_ignore_ascii_case(&ca, &pb));
            if swapped && !same {
                let two_back = j.checked_sub(1).and_then(|k| before.get(k)).copied().unwrap_or(0);
                best = best.min(two_back.saturating_add(1));
            }
            if let Some(cell) = row.get_mut(j1) {
                *cell = best;
            }
            last_b = Some(cb);
        }
        last_a = Some(ca);
        std::mem::swap(&mut before, &mut prev);
        std::mem::swap(&mut prev, &mut row);
    }
    prev.last().copied()
}

/// The known name closest to `name`, if one is close enough to be a typo
/// of it: at most two edits, and fewer than a third of its length (so a
/// short id such as "o1" is never offered for an unrelated name).
pub(crate) fn nearest<'a>(name: &str, known: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let mut best: Option<(usize, &str)> = None;
    for k in known {
        let Some(d) = distance(name, k) else { continue };
        let close = d > 0 && d <= 2 && d.saturating_mul(3) < k.len();
        if close && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, k));
        }
    }
    best.map(|(_, k)| k)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_edits_and_swaps() {
        assert_eq!(distance("", ""), Some(0));
        assert_eq!(distance("abc", ""), Some(3));
        assert_eq!(distance("", "ab"), Some(2));
        assert_eq!(distance("kitten", "sitting"), Some(3));
        assert_eq!(distance("gpt-4o-mnii", "gpt-4o-mini"), Some(1));
        assert_eq!(distance("GPT-4O", "gpt-4o"), Some(0));
        assert_eq!(distance("ca", "abc"), Some(3));
        assert_eq!(distance(&"x".repeat(200), "x"), None);
    }

    #[test]
    fn offers_only_close_names() {
        let known = ["gpt-4o", "gpt-4o-mini", "o1", "o3"];
        assert_eq!(nearest("gpt-4o-mnii", known.into_iter()), Some("gpt-4o-mini"));
        assert_eq!(nearest("gpt4o", known.into_iter()), Some("gpt-4o"));
        assert_eq!(nearest("o9", known.into_iter()), None);
        assert_eq!(nearest("my-finetune", known.into_iter()), None);
        assert_eq!(nearest("gpt-4o", known.into_iter()), None, "an exact name is not a typo");
    }
}
