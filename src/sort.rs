//! One stable sort for the whole module (issue 15).
//!
//! `slice::sort_by` and its kin copy a whole stable sort (driftsort: runs, merges, a stable
//! quicksort and small sorts, about 5-8 KB before `wasm-opt`) into the wasm for every element
//! type and comparison it is called with. [`sort_by`] sorts the indices of the elements instead,
//! always with the same comparison (a `dyn` call into the caller's), so the module holds that sort
//! once; only moving the elements into their order is per type, a few hundred bytes. The result
//! is the same as `slice::sort_by`'s: a stable sort of the indices by the elements is the stable
//! order of the elements. For the engine's lists (a conversation list, an outbox, a page's new
//! messages), not for hot loops over large arrays.

use std::cmp::Ordering;

/// The stable order of `n` items compared by `cmp` (on their indices): a permutation of `0..n`.
fn stable_order(n: usize, cmp: &mut dyn FnMut(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| cmp(a, b));
    order
}

/// Sorts `v` by `cmp`, stably: what `v.sort_by(cmp)` does.
pub(crate) fn sort_by<T>(v: &mut Vec<T>, mut cmp: impl FnMut(&T, &T) -> Ordering) {
    if v.len() < 2 {
        return;
    }
    let order = stable_order(v.len(), &mut |a, b| cmp(&v[a], &v[b]));
    let mut slots: Vec<Option<T>> = v.drain(..).map(Some).collect();
    v.extend(
        order
            .into_iter()
            .filter_map(|i| slots.get_mut(i).and_then(Option::take)),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The same order as the standard library's stable sort, equal keys in their first
        /// order (each element carries its position to tell).
        #[test]
        fn sorts_as_slice_sort_by(keys in proptest::collection::vec(0u8..8, 0..60)) {
            let tagged: Vec<(u8, usize)> = keys.into_iter().enumerate().map(|(i, k)| (k, i)).collect();
            let mut ours = tagged.clone();
            sort_by(&mut ours, |a, b| a.0.cmp(&b.0));
            let mut std = tagged;
            std.sort_by_key(|a| a.0);
            prop_assert_eq!(ours, std);
        }
    }
}
