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

/// The order that puts `n` items into their stable order by `cmp` (on their indices): position
/// `i` takes the item now at `order[i]`.
fn stable_order(n: usize, cmp: &mut dyn FnMut(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| cmp(a, b));
    order
}

/// The swaps that move each item to the position that takes it (`order`, a permutation), in
/// the order they are to be made. Issue 15: moving the items into order through a
/// `Vec<Option<T>>` was about 1 KB of code per element type after `wasm-opt`.
fn swaps_into(mut order: Vec<usize>) -> Vec<(usize, usize)> {
    // Each cycle of the permutation is walked from its smallest position, swapping the item
    // each position wants into it, which moves the item the cycle's start held one step along,
    // to the position that wants it last.
    let mut swaps = Vec::new();
    for start in 0..order.len() {
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

/// The swaps that put `n` items into their stable order by `cmp`.
fn stable_swaps(n: usize, cmp: &mut dyn FnMut(usize, usize) -> Ordering) -> Vec<(usize, usize)> {
    swaps_into(stable_order(n, cmp))
}

/// The swaps that put the first of each run of equal items (by `cmp`), in their stable order,
/// before all the others, and how many those first ones are.
fn stable_dedup_swaps(
    n: usize,
    cmp: &mut dyn FnMut(usize, usize) -> Ordering,
) -> (Vec<(usize, usize)>, usize) {
    let order = stable_order(n, cmp);
    let mut kept = Vec::with_capacity(n);
    let mut dropped = Vec::new();
    for at in order {
        match kept.last() {
            Some(&first) if cmp(first, at) == Ordering::Equal => dropped.push(at),
            _ => kept.push(at),
        }
    }
    let len = kept.len();
    kept.append(&mut dropped);
    (swaps_into(kept), len)
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

/// Sorts `v` by `cmp`, stably, and keeps the first of each run of items equal by `cmp`: what
/// `v.sort_by(cmp)` then `v.dedup_by(|a, b| cmp(a, b).is_eq())` do, with only the swaps and
/// the `truncate` per element type (issue 15: `dedup` was a copy per element type, next to the
/// sort's).
pub(crate) fn sort_dedup_by<T>(v: &mut Vec<T>, mut cmp: impl FnMut(&T, &T) -> Ordering) {
    if v.len() < 2 {
        return;
    }
    let (swaps, len) = stable_dedup_swaps(v.len(), &mut |a, b| cmp(&v[a], &v[b]));
    for (a, b) in swaps {
        v.swap(a, b);
    }
    v.truncate(len);
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

        /// The same items as the standard library's stable sort then `dedup_by`: the first of
        /// each run of equal keys, in order (each element carries its position to tell).
        #[test]
        fn sort_dedup_as_slice_sort_then_dedup(keys in proptest::collection::vec(0u8..8, 0..60)) {
            let tagged: Vec<(u8, usize)> = keys.into_iter().enumerate().map(|(i, k)| (k, i)).collect();
            let mut ours = tagged.clone();
            sort_dedup_by(&mut ours, |a, b| a.0.cmp(&b.0));
            let mut std = tagged;
            std.sort_by_key(|a| a.0);
            std.dedup_by(|later, first| later.0 == first.0);
            prop_assert_eq!(ours, std);
        }
    }
}
