//! One small stable sort for the crate's few sorts.
//!
//! The standard library's sorts (driftsort, ipnsort) are fast but large,
//! and each element type gets its own copy: three sorts (the judge's
//! arithmetic marks, the evaluation curve, the calibration candidates)
//! came to 13 kB of the wasm. This is an insertion sort for short runs and
//! bottom-up merges above them: O(n log n), stable, no recursion, and no
//! allocation for slices of up to `RUN` elements (the judge's case).

/// Sort `v` so that `less` never holds between an element and one before
/// it; equal elements keep their order.
pub(crate) fn sort_by<T: Copy>(v: &mut [T], mut less: impl FnMut(&T, &T) -> bool) {
    const RUN: usize = 16;
    for chunk in v.chunks_mut(RUN) {
        insertion(chunk, &mut less);
    }
    if v.len() <= RUN {
        return;
    }
    let mut buf = v.to_vec();
    let mut width = RUN;
    while width < v.len() {
        buf.copy_from_slice(v);
        let pair = width.saturating_mul(2);
        for (src, dst) in buf.chunks(pair).zip(v.chunks_mut(pair)) {
            let (a, b) = src.split_at_checked(width).unwrap_or((src, &[]));
            merge(a, b, dst, &mut less);
        }
        width = pair;
    }
}

fn insertion<T: Copy>(v: &mut [T], less: &mut impl FnMut(&T, &T) -> bool) {
    for i in 1..v.len() {
        let mut j = i;
        while let Some(prev) = j.checked_sub(1) {
            match (v.get(prev), v.get(j)) {
                (Some(a), Some(b)) if less(b, a) => v.swap(prev, j),
                _ => break,
            }
            j = prev;
        }
    }
}

/// `a` and `b` (each sorted) into `out`, taking from `a` on ties.
fn merge<T: Copy>(a: &[T], b: &[T], out: &mut [T], less: &mut impl FnMut(&T, &T) -> bool) {
    let (mut a, mut b) = (a.iter(), b.iter());
    let (mut x, mut y) = (a.next(), b.next());
    for slot in out {
        match (x, y) {
            (Some(p), Some(q)) if less(q, p) => {
                *slot = *q;
                y = b.next();
            }
            (Some(p), _) => {
                *slot = *p;
                x = a.next();
            }
            (None, Some(q)) => {
                *slot = *q;
                y = b.next();
            }
            (None, None) => break,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_rng::Rng;

    #[test]
    fn sorts_stably_like_the_standard_sort() {
        let mut rng = Rng::new(7);
        for len in [0, 1, 2, 15, 16, 17, 31, 32, 33, 100, 257, 1000, 4099] {
            for _ in 0..20 {
                let v: Vec<(u8, usize)> = (0..len).map(|i| ((rng.below(8)) as u8, i)).collect();
                let mut ours = v.clone();
                sort_by(&mut ours, |a, b| a.0 < b.0);
                let mut std = v.clone();
                std.sort_by_key(|p| p.0);
                assert_eq!(ours, std, "len {len}");
            }
        }
    }
}
