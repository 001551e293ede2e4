//! One stable sort for the whole module (issue 15).
//!
//! `slice::sort_by` and its kin copy a whole stable sort (driftsort: runs, merges, a stable
//! quicksort and small sorts, about 5-8 KB before `wasm-opt`) into the wasm for every element
//! type and comparison it is called with. [`sort_by`] sorts the indices of the elements instead,
//! always with the same comparison (a `dyn` call into the caller's), so the module holds that sort
//! once; the indices' order is then turned into swaps, still without the element type, so the
//! only code per element type is a loop of `slice::swap`. The result is the same as
//! `slice::sort_by`'s: a stable sort of the indices by the elements is the stable order of the
//! elements, and the swaps move each element to its place in that order. For the engine's lists
//! (a conversation list, an outbox, a page's new messages), not for hot loops over large arrays.

use std::cmp::Ordering;

/// The swaps that put `n` items into their stable order by `cmp` (on their indices), in the
/// order they are to be made. Issue 15: moving the items into order through a `Vec<Option<T>>`
/// was about 1 KB of code per element type after `wasm-opt`.
fn stable_swaps(n: usize, cmp: &mut dyn FnMut(usize, usize) -> Ordering) -> Vec<(usize, usize)> {
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| cmp(a, b));
    // Position `i` takes the item now at `order[i]`: each cycle of the permutation is walked
    // from its smallest position, swapping the item each position wants into it, which moves
    // the item the cycle's start held one step along, to the position that wants it last.
    let mut swaps = Vec::new();
    for start in 0..n {
        let mut at = start;
        while order[at] != start {
            let from = order[at];
            swaps.push((at, from));
            order[at] = at;
            at = from;
        }
        order[at] = at;
    }
    swaps
}

/// Sorts `v` by `cmp`, stably: what `v.sort_by(cmp)` does.
pub(crate) fn sort_by<T>(v: &mut [T], mut cmp: impl FnMut(&T, &T) -> Ordering) {
    if v.len() < 2 {
        return;
    }
    let swaps = stable_swaps(v.len(), &mut |a, b| cmp(&v[a], &v[b]));
    for (a, b) in swaps {
        v.swap(a, b);
    }
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
