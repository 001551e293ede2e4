//! A sorted map and set over one `Vec`, for the engine's small tables (accounts, requests in
//! flight, views, waiters): a handful of entries each, in key order like a `BTreeMap`.
//! Public because `LoadedRecords` hands its per-account tables (summaries, list cursors) out
//! as `SmallMap`s.
//!
//! Why not `BTreeMap`: its node code (insert, remove, merge, steal) is copied into the wasm for
//! every key and value type, about 9 KB a pair before `wasm-opt` (issue 15); a binary search over
//! a `Vec` is a few hundred bytes a pair. Lookups are O(log n), inserts and removes O(n): only
//! for tables that stay small. Iteration is in key order, as `BTreeMap`'s. Large sets of ids
//! are an [`IdSet`], a tree that shares its node code with the store's maps by id.

use std::borrow::Borrow;
use std::collections::BTreeMap;
use std::fmt;

/// A set over a `BTreeMap` whose values are `&'static ()` (pointer-sized, nothing to drop), for
/// the engine's sets of ids (conversations and messages to write, touched, resident, known,
/// tombstoned): large sets, so a tree, not a `SmallSet`. Issue 15: a `BTreeSet`'s node code is
/// a copy of its own per item size (its values take no room), while the store's maps by id
/// hold pointer-sized values (boxed records and messages): over ids, which share
/// `urn::byte_order`, this set's insert, remove, search and rebalancing are that copy, which
/// `wasm-opt` merges (about 2.2 KB gzip). The same operations and order as a `BTreeSet`: of
/// equal items the first is kept (`insert` keeps the held key, as `BTreeSet::insert` does).
#[derive(Clone, PartialEq, Eq)]
pub struct IdSet<T> {
    map: BTreeMap<T, &'static ()>,
}

impl<T> Default for IdSet<T> {
    fn default() -> Self {
        IdSet {
            map: BTreeMap::new(),
        }
    }
}

impl<T: fmt::Debug> fmt::Debug for IdSet<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.map.keys()).finish()
    }
}

impl<T: Ord> IdSet<T> {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn contains<Q: Ord + ?Sized>(&self, item: &Q) -> bool
    where
        T: Borrow<Q>,
    {
        self.map.contains_key(item)
    }

    /// Whether `item` was new.
    pub fn insert(&mut self, item: T) -> bool {
        self.map.insert(item, &()).is_none()
    }

    /// Whether `item` was there.
    pub fn remove<Q: Ord + ?Sized>(&mut self, item: &Q) -> bool
    where
        T: Borrow<Q>,
    {
        self.map.remove(item).is_some()
    }

    pub fn iter(&self) -> std::collections::btree_map::Keys<'_, T, &'static ()> {
        self.map.keys()
    }

    /// The kept items moved into a fresh map, in order (each `insert` at the end of its
    /// leaf): `BTreeMap::retain` removes in place through `extract_if`, which brought its own
    /// copy of the node rebalancing code (issue 15: about 3 KB before wasm-opt, inlined into
    /// `Engine::finish`, this method's one caller in the module).
    pub fn retain(&mut self, mut keep: impl FnMut(&T) -> bool) {
        for (item, unit) in std::mem::take(&mut self.map) {
            if keep(&item) {
                self.map.insert(item, unit);
            }
        }
    }
}

impl<T: Ord> FromIterator<T> for IdSet<T> {
    /// One `insert` at a time: no sort code per item type (`collect` into a `BTreeSet` sorts
    /// first, a stable sort copied into the wasm per item type, issue 15). Of equal items the
    /// first is kept (`BTreeSet`'s `collect` keeps the last): the same for ids.
    fn from_iter<I: IntoIterator<Item = T>>(items: I) -> Self {
        let mut set = IdSet::new();
        set.extend(items);
        set
    }
}

impl<T: Ord> Extend<T> for IdSet<T> {
    fn extend<I: IntoIterator<Item = T>>(&mut self, items: I) {
        for item in items {
            self.insert(item);
        }
    }
}

impl<T> IntoIterator for IdSet<T> {
    type Item = T;
    type IntoIter = std::collections::btree_map::IntoKeys<T, &'static ()>;
    fn into_iter(self) -> Self::IntoIter {
        self.map.into_keys()
    }
}

impl<'a, T> IntoIterator for &'a IdSet<T> {
    type Item = &'a T;
    type IntoIter = std::collections::btree_map::Keys<'a, T, &'static ()>;
    fn into_iter(self) -> Self::IntoIter {
        self.map.keys()
    }
}

/// A map sorted by key, over a `Vec` of pairs. Each value is boxed (issue 15): every map with
/// one key type then has entries of one layout, so its search, insert and remove are one copy
/// in the wasm (`wasm-opt` merges identical functions; the id types share `urn::byte_order`),
/// not a copy per value type. A read follows one pointer more; the tables are small.
#[derive(Clone, PartialEq, Eq)]
pub struct SmallMap<K, V> {
    entries: Vec<(K, Box<V>)>,
}

impl<K, V> Default for SmallMap<K, V> {
    fn default() -> Self {
        SmallMap {
            entries: Vec::new(),
        }
    }
}

impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for SmallMap<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.entries.iter().map(|(k, v)| (k, &**v)))
            .finish()
    }
}

impl<K: Ord, V> SmallMap<K, V> {
    pub const fn new() -> Self {
        SmallMap {
            entries: Vec::new(),
        }
    }

    /// Where `key` is (or would go), by any form of the key it borrows as (`&str` for a
    /// `String` key), as `BTreeMap` looks keys up.
    fn find<Q: Ord + ?Sized>(&self, key: &Q) -> Result<usize, usize>
    where
        K: Borrow<Q>,
    {
        self.entries.binary_search_by(|(k, _)| k.borrow().cmp(key))
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn clear(&mut self) {
        self.entries.clear();
    }

    pub fn get<Q: Ord + ?Sized>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
    {
        self.find(key).ok().map(|i| &*self.entries[i].1)
    }

    pub fn get_mut<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
    {
        self.find(key).ok().map(|i| &mut *self.entries[i].1)
    }

    pub fn contains_key<Q: Ord + ?Sized>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
    {
        self.find(key).is_ok()
    }

    /// Insert or replace; the value replaced, if any (`#[must_use]`: a caller that does not
    /// want it calls [`SmallMap::set`]).
    #[must_use]
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        self.put(key, Box::new(value)).map(|old| *old)
    }

    /// Insert or replace, the value replaced dropped in its box: [`SmallMap::insert`] without
    /// moving that value out, where no caller wants it (issue 15: a copy per key and value type
    /// of the move and the box's free).
    pub fn set(&mut self, key: K, value: V) {
        self.put(key, Box::new(value));
    }

    /// [`SmallMap::insert`] of a boxed value: the same code for every value type.
    fn put(&mut self, key: K, value: Box<V>) -> Option<Box<V>> {
        match self.find(&key) {
            Ok(i) => Some(std::mem::replace(&mut self.entries[i].1, value)),
            Err(i) => {
                self.insert_at(i, key, value);
                None
            }
        }
    }

    /// The value of `key`, removed (`#[must_use]`: a caller that does not want it calls
    /// [`SmallMap::delete`]).
    #[must_use]
    pub fn remove<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
    {
        self.take(key).map(|old| *old)
    }

    /// Removes `key`, its value dropped in its box: [`SmallMap::remove`] without moving the value
    /// out (issue 15: as [`SmallMap::set`]).
    pub fn delete<Q: Ord + ?Sized>(&mut self, key: &Q)
    where
        K: Borrow<Q>,
    {
        self.take(key);
    }

    /// [`SmallMap::remove`], boxed: the same code for every value type.
    fn take<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<Box<V>>
    where
        K: Borrow<Q>,
    {
        self.find(key).ok().map(|i| self.entries.remove(i).1)
    }

    /// The value of `key`, inserted by `make` first when missing (`entry(key).or_insert_with`).
    /// Only the search, `make` and its box are in each copy (one per `make`); the insert and
    /// the index are [`SmallMap::insert_at`] and [`SmallMap::value_at`], over the boxed value:
    /// one copy per key type (issue 15).
    pub fn get_or_insert_with(&mut self, key: K, make: impl FnOnce() -> V) -> &mut V {
        match self.find(&key) {
            Ok(i) => self.value_at(i),
            Err(i) => self.insert_at(i, key, Box::new(make())),
        }
    }

    /// The value at `i`, which is an entry's index.
    #[inline(never)]
    fn value_at(&mut self, i: usize) -> &mut V {
        &mut self.entries[i].1
    }

    /// `key` and its boxed value inserted at `i`, where [`SmallMap::find`] said it goes; the
    /// value.
    #[inline(never)]
    fn insert_at(&mut self, i: usize, key: K, value: Box<V>) -> &mut V {
        self.entries.insert(i, (key, value));
        &mut self.entries[i].1
    }

    /// The entries `keep` keeps, in order, each asked once. A loop of removes (O(n) each, the
    /// tables are small), not `Vec::retain_mut`, whose two-phase loop is a copy per `keep`
    /// (issue 15); a removal is [`SmallMap::take`]'s `Vec::remove`, one copy per key type.
    pub fn retain(&mut self, mut keep: impl FnMut(&K, &mut V) -> bool) {
        let mut i = 0;
        while let Some((k, v)) = self.entries.get_mut(i) {
            if keep(k, v) {
                i += 1;
            } else {
                self.entries.remove(i);
            }
        }
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&K, &V)> + ExactSizeIterator {
        self.entries.iter().map(|(k, v)| (k, &**v))
    }

    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &K> + ExactSizeIterator {
        self.entries.iter().map(|(k, _)| k)
    }

    pub fn values(&self) -> impl DoubleEndedIterator<Item = &V> + ExactSizeIterator {
        self.entries.iter().map(|(_, v)| &**v)
    }

    pub fn iter_mut(
        &mut self,
    ) -> impl DoubleEndedIterator<Item = (&K, &mut V)> + ExactSizeIterator {
        self.entries.iter_mut().map(|(k, v)| (&*k, &mut **v))
    }

    pub fn values_mut(&mut self) -> impl DoubleEndedIterator<Item = &mut V> + ExactSizeIterator {
        self.entries.iter_mut().map(|(_, v)| &mut **v)
    }

    pub fn into_values(self) -> impl DoubleEndedIterator<Item = V> + ExactSizeIterator {
        self.entries.into_iter().map(|(_, v)| *v)
    }
}

/// `map[&key]`: the value of `key`, which must be there (as `BTreeMap`'s `Index`).
impl<K: Ord, V> std::ops::Index<&K> for SmallMap<K, V> {
    type Output = V;
    fn index(&self, key: &K) -> &V {
        self.get(key).expect("no entry found for key")
    }
}

impl<K: Ord, V> SmallMap<K, V> {
    /// `BTreeMap::entry`'s inserting half: `or_insert`, `or_default`.
    pub fn entry(&mut self, key: K) -> Entry<'_, K, V> {
        Entry { map: self, key }
    }
}

/// A key of a `SmallMap` whose value is about to be read or inserted. Its methods are
/// `#[inline]`: out of line each was a copy per key and value type that only moved the key
/// and called [`SmallMap::get_or_insert_with`] (issue 15, -73 B gzip).
pub struct Entry<'a, K, V> {
    map: &'a mut SmallMap<K, V>,
    key: K,
}

impl<'a, K: Ord, V> Entry<'a, K, V> {
    #[inline]
    pub fn or_insert(self, value: V) -> &'a mut V {
        self.map.get_or_insert_with(self.key, || value)
    }

    #[inline]
    pub fn or_insert_with(self, make: impl FnOnce() -> V) -> &'a mut V {
        self.map.get_or_insert_with(self.key, make)
    }
}

impl<'a, K: Ord, V: Default> Entry<'a, K, V> {
    #[inline]
    pub fn or_default(self) -> &'a mut V {
        self.map.get_or_insert_with(self.key, V::default)
    }
}

impl<K: Ord, V> FromIterator<(K, V)> for SmallMap<K, V> {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut map = SmallMap::new();
        for (k, v) in iter {
            map.set(k, v);
        }
        map
    }
}

impl<K, V> IntoIterator for SmallMap<K, V> {
    type Item = (K, V);
    type IntoIter = std::iter::Map<std::vec::IntoIter<(K, Box<V>)>, fn((K, Box<V>)) -> (K, V)>;
    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter().map(|(k, v)| (k, *v))
    }
}

impl<'a, K, V> IntoIterator for &'a SmallMap<K, V> {
    type Item = (&'a K, &'a V);
    type IntoIter =
        std::iter::Map<std::slice::Iter<'a, (K, Box<V>)>, fn(&'a (K, Box<V>)) -> (&'a K, &'a V)>;
    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter().map(|(k, v)| (k, &**v))
    }
}

/// A set sorted by value, over a `Vec`.
#[derive(Clone, PartialEq, Eq)]
pub struct SmallSet<T> {
    items: Vec<T>,
}

impl<T> Default for SmallSet<T> {
    fn default() -> Self {
        SmallSet { items: Vec::new() }
    }
}

impl<T: fmt::Debug> fmt::Debug for SmallSet<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.items.iter()).finish()
    }
}

impl<T: Ord> SmallSet<T> {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn clear(&mut self) {
        self.items.clear();
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Where `item` is (or would go), by any form of the item it borrows as: one search per
    /// item type, out of line, for `contains`, `insert` and `remove`. One search for every
    /// type (over indices, the comparison a `&mut dyn FnMut(usize) -> Ordering`) measured
    /// 1.6 KB gzip larger (issue 15): a closure per type and its making at every call.
    #[inline(never)]
    fn find<Q: Ord + ?Sized>(&self, item: &Q) -> Result<usize, usize>
    where
        T: Borrow<Q>,
    {
        self.items.binary_search_by(|t| t.borrow().cmp(item))
    }

    pub fn contains<Q: Ord + ?Sized>(&self, item: &Q) -> bool
    where
        T: Borrow<Q>,
    {
        self.find(item).is_ok()
    }

    /// Whether `item` was new.
    pub fn insert(&mut self, item: T) -> bool {
        match self.find(&item) {
            Ok(_) => false,
            Err(i) => {
                self.items.insert(i, item);
                true
            }
        }
    }

    /// Whether `item` was there.
    pub fn remove<Q: Ord + ?Sized>(&mut self, item: &Q) -> bool
    where
        T: Borrow<Q>,
    {
        match self.find(item) {
            Ok(i) => {
                self.items.remove(i);
                true
            }
            Err(_) => false,
        }
    }

    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.items.iter()
    }

    /// The items in order, as a slice (ranges like "the newest N" are slice operations).
    pub fn as_slice(&self) -> &[T] {
        &self.items
    }

    /// Many items into a large set (a conversation's message order, a page of 50 into
    /// thousands): the new ones are sorted and deduplicated; when they all fall between two
    /// neighbouring held items (an older page before the held ones, a newer one after), they
    /// are moved in with one shift, O(n + m log m); otherwise as `extend` (O((n + m) log(n + m))).
    /// Of equal items the one already held is kept, then the first of the new ones.
    pub(crate) fn insert_many(&mut self, mut new: Vec<T>) {
        crate::sort::sort_dedup_by(&mut new, T::cmp);
        let (Some(first), Some(last)) = (new.first(), new.last()) else {
            return;
        };
        match self.find(first) {
            Err(at) if self.items.get(at).is_none_or(|next| last < next) => {
                let mut after = self.items.split_off(at);
                self.items.append(&mut new);
                self.items.append(&mut after);
            }
            _ => self.extend(new),
        }
    }
}

impl<T: Ord> FromIterator<T> for SmallSet<T> {
    /// One `insert` at a time (the first of equal items is kept, as a stable sort and `dedup`
    /// keep it): no sort code per item type (see [`IdSet`]'s).
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        let mut set = SmallSet { items: Vec::new() };
        for item in iter {
            set.insert(item);
        }
        set
    }
}

impl<T: Ord> Extend<T> for SmallSet<T> {
    /// Many items at once (another set's, a failed write's keys): appended, then one stable
    /// sort (the module's shared one, `crate::sort`) and `dedup`, O((n + m) log(n + m)) rather
    /// than a shift per item. Of equal items the one already held is kept, as with `insert`.
    fn extend<I: IntoIterator<Item = T>>(&mut self, items: I) {
        let before = self.items.len();
        self.items.extend(items);
        if self.items.len() > before {
            crate::sort::sort_dedup_by(&mut self.items, T::cmp);
        }
    }
}

/// A list, in order (as serde writes a `BTreeSet`).
impl<T: serde::Serialize> serde::Serialize for SmallSet<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(&self.items)
    }
}

/// From a list in any order, with repeats (as serde reads a `BTreeSet`: the first of equal
/// items is kept): appended, then one sort (`extend`), so a long list is not shifted in one
/// item at a time.
impl<'de, T: Ord + serde::Deserialize<'de>> serde::Deserialize<'de> for SmallSet<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let mut set = SmallSet::new();
        set.extend(Vec::<T>::deserialize(d)?);
        Ok(set)
    }
}

impl<T> IntoIterator for SmallSet<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

impl<'a, T> IntoIterator for &'a SmallSet<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeMap, BTreeSet};

    /// The same operations on a `BTreeMap` and a `SmallMap` leave the same pairs in the same order.
    #[test]
    fn small_map_agrees_with_btreemap() {
        let mut small = SmallMap::new();
        let mut tree = BTreeMap::new();
        let mut x: u64 = 7;
        for step in 0..2000u64 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let key = (x >> 33) % 50;
            match step % 5 {
                0 | 1 => assert_eq!(small.insert(key, step), tree.insert(key, step)),
                2 => assert_eq!(small.remove(&key), tree.remove(&key)),
                3 => *small.entry(key).or_default() += 1,
                _ => small.retain(|k, _| k % 7 != step % 7),
            }
            match step % 5 {
                3 => *tree.entry(key).or_default() += 1,
                4 => tree.retain(|k, _| k % 7 != step % 7),
                _ => {}
            }
            assert_eq!(small.get(&key), tree.get(&key));
            assert_eq!(small.iter().len(), tree.len());
        }
        assert!(small.iter().eq(tree.iter()));
        assert_eq!(format!("{small:?}"), format!("{tree:?}"));
    }

    /// The same operations on an `IdSet` and a `BTreeSet` answer the same and leave the same
    /// items in the same order.
    #[test]
    fn id_set_agrees_with_btreeset() {
        let mut ids = IdSet::new();
        let mut tree = BTreeSet::new();
        let mut x: u64 = 3;
        for step in 0..3000u64 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let item = format!("2-{}", (x >> 33) % 400);
            match step % 4 {
                0 | 1 => assert_eq!(ids.insert(item.clone()), tree.insert(item.clone())),
                2 => assert_eq!(ids.remove(item.as_str()), tree.remove(item.as_str())),
                3 if step % 100 == 3 => {
                    ids.retain(|i| i.len() % 2 == 0);
                    tree.retain(|i| i.len() % 2 == 0);
                }
                _ => {
                    let batch = [item.clone(), format!("{item}x"), item.clone()];
                    ids.extend(batch.clone());
                    tree.extend(batch);
                }
            }
            assert_eq!(ids.contains(item.as_str()), tree.contains(item.as_str()));
            assert_eq!((ids.len(), ids.is_empty()), (tree.len(), tree.is_empty()));
        }
        assert!(ids.iter().eq(tree.iter()));
        assert!((&ids).into_iter().eq(&tree));
        assert_eq!(format!("{ids:?}"), format!("{tree:?}"));
        assert!(ids.clone() == ids);
        assert!(ids.into_iter().eq(tree));
    }

    /// The same for `SmallSet` and `BTreeSet`.
    #[test]
    fn small_set_agrees_with_btreeset() {
        let mut small = SmallSet::new();
        let mut tree = BTreeSet::new();
        for i in 0..500u32 {
            let v = (i * 37) % 61;
            if i % 3 == 0 {
                assert_eq!(small.remove(&v), tree.remove(&v));
            } else {
                assert_eq!(small.insert(v), tree.insert(v));
            }
            assert_eq!(small.contains(&v), tree.contains(&v));
        }
        assert!(small.iter().eq(tree.iter()));
        assert_eq!(format!("{small:?}"), format!("{tree:?}"));
        let collected: SmallSet<u32> = [5, 1, 5, 3].into_iter().collect();
        assert_eq!(collected.into_iter().collect::<Vec<_>>(), vec![1, 3, 5]);
    }

    /// serde reads a list into the items a `BTreeSet` reads (in order, repeats once) and
    /// writes them as a `BTreeSet` writes them.
    #[test]
    fn small_set_serde_agrees_with_btreeset() {
        let text = r#"["k3","k1","k3","k2","k1"]"#;
        let small: SmallSet<String> = serde_json::from_str(text).unwrap();
        let tree: BTreeSet<String> = serde_json::from_str(text).unwrap();
        assert!(small.iter().eq(tree.iter()));
        assert_eq!(
            serde_json::to_string(&small).unwrap(),
            serde_json::to_string(&tree).unwrap()
        );
        assert!(serde_json::from_str::<SmallSet<String>>(r#"{"a":1}"#).is_err());
    }

    /// `extend` leaves the items a `BTreeSet`'s `extend` leaves, in order, once each.
    #[test]
    fn small_set_extend_agrees_with_btreeset() {
        let mut small = SmallSet::new();
        let mut tree = BTreeSet::new();
        let mut x: u64 = 11;
        for step in 0..300u64 {
            let batch: Vec<u64> = (0..step % 9)
                .map(|_| {
                    x = x
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    (x >> 33) % 200
                })
                .collect();
            small.extend(batch.iter().copied());
            tree.extend(batch.iter().copied());
            if step % 7 == 0 {
                assert_eq!(small.insert(step), tree.insert(step));
            }
            assert!(small.iter().eq(tree.iter()), "after step {step}");
        }
        // Of equal items the one held first stays, whether it came by insert or extend.
        let mut tagged = SmallSet::new();
        tagged.insert(Tagged(2, "held"));
        tagged.extend([
            Tagged(3, "a"),
            Tagged(2, "new"),
            Tagged(1, "b"),
            Tagged(3, "c"),
        ]);
        let kept: Vec<_> = tagged.into_iter().map(|t| (t.0, t.1)).collect();
        assert_eq!(kept, vec![(1, "b"), (2, "held"), (3, "a")]);
    }

    /// `insert_many` leaves the items a `BTreeSet`'s `extend` leaves: batches before, after,
    /// among and equal to the held items, in order or not, with repeats.
    #[test]
    fn small_set_insert_many_agrees_with_btreeset() {
        let mut small = SmallSet::new();
        let mut tree = BTreeSet::new();
        let mut x: u64 = 5;
        for step in 0..400u64 {
            let base = (step * 7) % 300;
            let mut batch: Vec<u64> = (0..step % 13)
                .map(|_| {
                    x = x
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    match step % 4 {
                        0 => 1000 + step * 20 + (x >> 33) % 20,
                        1 => base + (x >> 33) % 10,
                        _ => (x >> 33) % 400,
                    }
                })
                .collect();
            if step % 3 == 0 {
                batch.sort();
            }
            tree.extend(batch.iter().copied());
            small.insert_many(batch);
            assert!(small.iter().eq(tree.iter()), "after step {step}");
        }
        assert_eq!(small.as_slice().len(), tree.len());
        // Of equal items the held one stays, then the first of the batch.
        let mut tagged = SmallSet::new();
        tagged.insert(Tagged(2, "held"));
        tagged.insert(Tagged(5, "held"));
        tagged.insert_many(vec![
            Tagged(3, "a"),
            Tagged(2, "new"),
            Tagged(1, "b"),
            Tagged(3, "c"),
            Tagged(5, "new"),
        ]);
        let kept: Vec<_> = tagged.into_iter().map(|t| (t.0, t.1)).collect();
        assert_eq!(kept, vec![(1, "b"), (2, "held"), (3, "a"), (5, "held")]);
        // Batches that fit between two held items (before, between, after), and one that
        // reaches the next held item.
        let mut gaps = SmallSet::new();
        gaps.insert(Tagged(10, "held"));
        gaps.insert(Tagged(20, "held"));
        gaps.insert_many(vec![Tagged(12, "a"), Tagged(11, "b")]);
        gaps.insert_many(vec![Tagged(1, "c")]);
        gaps.insert_many(vec![Tagged(30, "d"), Tagged(25, "e")]);
        gaps.insert_many(vec![Tagged(15, "f"), Tagged(20, "new")]);
        let kept: Vec<_> = gaps.into_iter().map(|t| (t.0, t.1)).collect();
        assert_eq!(
            kept,
            vec![
                (1, "c"),
                (10, "held"),
                (11, "b"),
                (12, "a"),
                (15, "f"),
                (20, "held"),
                (25, "e"),
                (30, "d")
            ]
        );
    }

    /// Ordered by its first field only: tells which of two equal items was kept.
    #[derive(Debug, Clone)]
    struct Tagged(u32, &'static str);
    impl PartialEq for Tagged {
        fn eq(&self, other: &Self) -> bool {
            self.0 == other.0
        }
    }
    impl Eq for Tagged {}
    impl PartialOrd for Tagged {
        fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
            Some(self.cmp(other))
        }
    }
    impl Ord for Tagged {
        fn cmp(&self, other: &Self) -> std::cmp::Ordering {
            self.0.cmp(&other.0)
        }
    }

    #[test]
    fn building_by_insert_keeps_what_collect_keeps() {
        let items = [Tagged(2, "a"), Tagged(1, "b"), Tagged(2, "c")];
        let keys = |set: IdSet<Tagged>| set.into_iter().map(|t| t.0).collect::<Vec<_>>();
        assert_eq!(
            keys(items.iter().cloned().collect()),
            BTreeSet::from_iter(items.clone())
                .into_iter()
                .map(|t| t.0)
                .collect::<Vec<_>>()
        );
        // An IdSet keeps the first of equal items, as BTreeSet::insert does.
        let ids: IdSet<Tagged> = items.iter().cloned().collect();
        assert_eq!(ids.iter().map(|t| t.1).collect::<Vec<_>>(), vec!["b", "a"]);
        // A SmallSet keeps the first of equal items, as the stable sort and dedup did.
        let small: SmallSet<Tagged> = items.iter().cloned().collect();
        assert_eq!(
            small.into_iter().map(|t| t.1).collect::<Vec<_>>(),
            vec!["b", "a"]
        );
    }
}
