//! Just enough unsigned big-integer arithmetic to compare a decimal with
//! a binary midpoint exactly: build from digits, multiply by small
//! numbers and powers of two and five, compare. Limbs are little-endian
//! `u32`s; values never shrink, so there is no normalisation to forget.

use std::cmp::Ordering;

#[derive(Clone, Debug, Default)]
pub(super) struct Big {
    limbs: Vec<u32>,
}

impl Big {
    pub(super) fn from_u64(v: u64) -> Big {
        let mut b = Big { limbs: vec![v as u32, (v >> 32) as u32] };
        b.trim();
        b
    }

    /// `self * m + add`.
    pub(super) fn mul_add(&mut self, m: u32, add: u32) {
        let mut carry = u64::from(add);
        for limb in &mut self.limbs {
            let v = u64::from(*limb).wrapping_mul(u64::from(m)).wrapping_add(carry);
            *limb = v as u32;
            carry = v >> 32;
        }
        if carry != 0 {
            self.limbs.push(carry as u32);
        }
    }

    /// `self * 5^n`, thirteen fives (the most that fit a u32) at a time.
    pub(super) fn mul_pow5(&mut self, mut n: u32) {
        const POW5: [u32; 14] =
            [1, 5, 25, 125, 625, 3125, 15625, 78125, 390625, 1953125, 9765625, 48828125, 244140625, 1220703125];
        while n > 0 {
            let step = n.min(13);
            self.mul_add(POW5.get(step as usize).copied().unwrap_or(1), 0);
            n = n.saturating_sub(step);
        }
    }

    /// `self * 2^n`.
    pub(super) fn shl(&mut self, n: u32) {
        let (words, bits) = ((n / 32) as usize, n % 32);
        if bits > 0 {
            let mut carry = 0u32;
            for limb in &mut self.limbs {
                let v = (*limb << bits) | carry;
                carry = limb.checked_shr(32u32.wrapping_sub(bits)).unwrap_or(0);
                *limb = v;
            }
            if carry != 0 {
                self.limbs.push(carry);
            }
        }
        if words > 0 && !self.limbs.is_empty() {
            self.limbs.splice(0..0, std::iter::repeat_n(0, words));
        }
    }

    fn trim(&mut self) {
        while self.limbs.last() == Some(&0) {
            self.limbs.pop();
        }
    }

    pub(super) fn cmp(&self, other: &Big) -> Ordering {
        let (a, b) = (self.significant(), other.significant());
        a.len().cmp(&b.len()).then_with(|| a.iter().rev().cmp(b.iter().rev()))
    }

    fn significant(&self) -> &[u32] {
        let n = self.limbs.iter().rposition(|&l| l != 0).map_or(0, |i| i.saturating_add(1));
        self.limbs.get(..n).unwrap_or_default()
    }
}
