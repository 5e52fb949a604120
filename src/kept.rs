//! Per-thread memos of pure derivations: a value derived from exact inputs (a rate's digits, a
//! day count) is kept and read again when the same inputs come back, as a batch of one
//! campaign's loans brings the same rates again and again.
//!
//! A memo holds at most its capacity and starts again empty when full, so its memory is bounded
//! whatever the input; a kept value is the value derived again, so keeping never changes a result.

use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hash, Hasher};
use std::thread::LocalKey;

/// A bounded map from exact inputs to what was derived from them (see the module).
#[derive(Debug)]
pub(crate) struct Kept<K, V> {
    map: HashMap<K, V, BuildHasherDefault<Fold>>,
    capacity: usize,
}

impl<K: Eq + Hash, V: Copy> Kept<K, V> {
    /// An empty memo that holds up to `capacity` entries.
    pub(crate) fn new(capacity: usize) -> Self {
        Kept {
            map: HashMap::default(),
            capacity,
        }
    }

    /// The value kept for `key`.
    pub(crate) fn get(&self, key: &K) -> Option<V> {
        self.map.get(key).copied()
    }

    /// Keeps `value` for `key`, emptying the memo first when it is full.
    pub(crate) fn keep(&mut self, key: K, value: V) {
        if self.map.len() >= self.capacity {
            self.map.clear();
        }
        self.map.insert(key, value);
    }
}

/// The value `memo` (a thread's [`Kept`]) holds for `key`, or `derive`'s, then kept there: the
/// one look-up-derive-keep of the crate's memos. A failure is returned and not kept. The memo is
/// not borrowed while `derive` runs, so a derivation may use other memos.
pub(crate) fn kept_or<K: Eq + Hash, V: Copy, E>(
    memo: &'static LocalKey<RefCell<Kept<K, V>>>,
    key: K,
    derive: impl FnOnce() -> Result<V, E>,
) -> Result<V, E> {
    if let Some(value) = memo.with(|m| m.borrow().get(&key)) {
        return Ok(value);
    }
    let value = derive()?;
    memo.with(|m| m.borrow_mut().keep(key, value));
    Ok(value)
}

/// The memos' hasher: each word folded in by a rotate, an xor and a multiply (the "Fx" hash of
/// rustc's own hash maps). A memo's keys are a few words of exact inputs, which std's SipHash
/// would hash at several times the cost of the lookup it serves; inputs built to collide can only
/// slow a lookup within a memo's bounded size, never change what it returns.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Fold(u64);

impl Fold {
    const K: u64 = 0x517c_c1b7_2722_0a95;

    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(Self::K);
    }
}

impl Hasher for Fold {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.add(u64::from_le_bytes([
                c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7],
            ]));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0_u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }

    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_memo_starts_again_and_keeps_the_newest() {
        let mut kept = Kept::new(3);
        for k in 0..3_u32 {
            kept.keep(k, k * 10);
        }
        assert_eq!(kept.get(&2), Some(20));
        kept.keep(7, 70);
        assert_eq!(kept.map.len(), 1);
        assert_eq!((kept.get(&0), kept.get(&7)), (None, Some(70)));
    }

    #[test]
    fn keys_that_differ_in_one_byte_are_kept_apart() {
        let mut kept = Kept::new(100);
        let a = ([1_u8; 16], 30_u32);
        let mut b = a;
        b.0[15] = 2;
        kept.keep(a, 1);
        kept.keep(b, 2);
        kept.keep((a.0, 31), 3);
        assert_eq!(
            (kept.get(&a), kept.get(&b), kept.get(&(a.0, 31))),
            (Some(1), Some(2), Some(3))
        );
    }
}
