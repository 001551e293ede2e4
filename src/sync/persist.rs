//! Persistence: a versioned snapshot plus small deltas of the same shape (changed records, and
//! the keys of removed ones). Restoring reads the snapshot, then the deltas in order. A store of
//! another version is migrated when a migration exists, else dropped whole with the reason; a
//! corrupt store is dropped the same way. Nothing here ever panics on stored bytes.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::urn::{ConversationId, MessageId};

use super::keys::{AccountId, ClientKey};
use super::outbox::{ElsewhereSent, OutboxEntry};
use super::quota::QuotaUse;
use super::reaction::{ReactionFact, ReactionKey};
use super::store::{AccountStore, ConversationRecord, RecallCheck, StoredMessage};

/// The format version written today.
pub const STORE_VERSION: u32 = 1;

/// One account's records: all of them in a snapshot, the changed ones in a delta.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AccountRecords {
    pub account: AccountId,
    pub conversations: Vec<ConversationRecord>,
    pub messages: Vec<StoredMessage>,
    pub removed_messages: Vec<MessageId>,
    pub tombstones: Vec<MessageId>,
    pub reactions: Vec<(ReactionKey, ReactionFact)>,
    pub removed_reactions: Vec<ReactionKey>,
    pub outbox: Vec<OutboxEntry>,
    pub removed_outbox: Vec<ClientKey>,
    pub outbox_next_seq: u64,
    pub recalls: Vec<RecallCheck>,
    pub removed_recalls: Vec<MessageId>,
    pub quota: Option<QuotaUse>,
    pub own_profile: Option<String>,
    pub tallies_seen: bool,
    /// The conversation of tombstoned messages (absent from stores written before it existed:
    /// their tombstones load without one).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub recalled_in: Vec<(MessageId, ConversationId)>,
    /// Per inbox thread, the whole list of sent Sales Navigator messages it shows (replaces the
    /// stored list; an empty list removes it).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub elsewhere: Vec<(ConversationId, Vec<ElsewhereSent>)>,
}

/// A snapshot or a delta: `version` first so a reader can tell before reading the rest.
/// Storage layout, not API: no TypeScript type is published for it (`snapshot()` is `unknown`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Records {
    pub version: u32,
    /// The engine's client-key counter (monotone), so restored engines never reuse a key.
    #[serde(default)]
    pub key_counter: u64,
    #[serde(default)]
    pub accounts: Vec<AccountRecords>,
}

/// Why stored state was not (fully) used; returned from `restore` (and, for the storage
/// layout itself, from `PersistLog::load`), never printed. Codes are snake_case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case", tag = "code")]
pub enum RestoreIssue {
    /// The snapshot could not be read at all: started empty.
    #[error("stored snapshot is corrupt ({reason}); started empty")]
    CorruptSnapshot { reason: String },
    /// The snapshot has a version this build cannot migrate: started empty.
    #[error("stored snapshot has version {found} (this build reads {expected}); dropped")]
    UnsupportedVersion { found: u32, expected: u32 },
    /// A snapshot was migrated from an older version.
    #[error("stored snapshot migrated from version {from}")]
    Migrated { from: u32 },
    /// Delta `index` could not be read: it and every later one were dropped.
    #[error("delta {index} unreadable ({reason}); it and {dropped} later ones dropped")]
    CorruptDelta {
        index: usize,
        reason: String,
        dropped: usize,
    },
    /// The index of stored keys could not be read: started empty.
    #[error("stored index is corrupt ({reason}); started empty")]
    CorruptIndex { reason: String },
    /// The index of stored keys has a version this build cannot read: started empty.
    #[error("stored index has version {found} (this build reads {expected}); started empty")]
    UnsupportedIndexVersion { found: u32, expected: u32 },
    /// The snapshot the index names is not there: started empty.
    #[error("stored snapshot {generation} is missing; started empty")]
    MissingSnapshot { generation: u64 },
    /// Delta `index` the index names is not there: it and every later one were dropped.
    #[error("stored delta {index} is missing; it and {dropped} later ones dropped")]
    MissingDelta { index: usize, dropped: usize },
}

/// Read one stored blob of any version into today's shape, or say why not.
fn read_records(bytes: &[u8]) -> Result<(Records, Option<u32>), RestoreIssue> {
    /// Just the version, read first so today's format is parsed once, straight into `Records`.
    #[derive(Deserialize)]
    struct Version {
        version: Option<u64>,
    }
    let corrupt = |reason: String| RestoreIssue::CorruptSnapshot { reason };
    let Version { version } = serde_json::from_slice(bytes).map_err(|e| corrupt(e.to_string()))?;
    let version = version.ok_or_else(|| corrupt("no version field".into()))?;
    let version = u32::try_from(version).map_err(|_| corrupt("version out of range".into()))?;
    if version == STORE_VERSION {
        let records = serde_json::from_slice(bytes).map_err(|e| corrupt(e.to_string()))?;
        return Ok((records, None));
    }
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| corrupt(e.to_string()))?;
    let (value, migrated) = migrate(value, version)?;
    let records: Records = serde_json::from_value(value).map_err(|e| corrupt(e.to_string()))?;
    Ok((records, migrated))
}

/// Bring a stored value of `version` to `STORE_VERSION`. Each older version that can be read
/// gets a step here; any other is dropped whole (never half-read). There is no older format yet.
fn migrate(
    value: serde_json::Value,
    version: u32,
) -> Result<(serde_json::Value, Option<u32>), RestoreIssue> {
    match version {
        STORE_VERSION => Ok((value, None)),
        found => Err(RestoreIssue::UnsupportedVersion {
            found,
            expected: STORE_VERSION,
        }),
    }
}

/// Apply one account's records onto its store (upserts, then removals).
pub(crate) fn apply_records(store: &mut AccountStore, r: AccountRecords) {
    for c in r.conversations {
        store.conversations.insert(c.id.clone(), c);
    }
    for m in r.messages {
        store.messages.insert(m.id.clone(), m);
    }
    for id in r.removed_messages {
        store.messages.remove(&id);
    }
    for id in r.tombstones {
        store.messages.remove(&id);
        store.tombstones.insert(id);
    }
    for (id, conversation) in r.recalled_in {
        store.recalled_in.insert(id, conversation);
    }
    for (conversation, list) in r.elsewhere {
        if list.is_empty() {
            store.elsewhere.remove(&conversation);
        } else {
            store.elsewhere.insert(conversation, list);
        }
    }
    for (k, f) in r.reactions {
        store.reactions.insert(k, f);
    }
    for k in r.removed_reactions {
        store.reactions.remove(&k);
    }
    for e in r.outbox {
        store.outbox.entries.insert(e.key.clone(), e);
    }
    for k in r.removed_outbox {
        store.outbox.entries.remove(&k);
    }
    store.outbox.next_seq = store.outbox.next_seq.max(r.outbox_next_seq);
    let recalls = store.loading_recalls();
    for c in r.recalls {
        recalls.insert(c.message.clone(), c);
    }
    for id in r.removed_recalls {
        recalls.remove(&id);
    }
    let (quota, own_profile, tallies_seen) = store.loading_scalars();
    if let Some(q) = r.quota {
        *quota = q;
    }
    if r.own_profile.is_some() {
        *own_profile = r.own_profile;
    }
    *tallies_seen |= r.tallies_seen;
}

/// Everything one account's store holds, as records.
pub(crate) fn account_snapshot(account: &AccountId, store: &AccountStore) -> AccountRecords {
    AccountRecords {
        account: account.clone(),
        conversations: store.conversations.values().cloned().collect(),
        messages: store.messages.values().cloned().collect(),
        tombstones: store.tombstones.iter().cloned().collect(),
        recalled_in: store
            .recalled_in
            .iter()
            .map(|(m, c)| (m.clone(), c.clone()))
            .collect(),
        elsewhere: store
            .elsewhere
            .iter()
            .map(|(c, l)| (c.clone(), l.clone()))
            .collect(),
        reactions: store
            .reactions
            .iter()
            .map(|(k, f)| (k.clone(), *f))
            .collect(),
        outbox: store.outbox.entries.values().cloned().collect(),
        outbox_next_seq: store.outbox.next_seq,
        recalls: store.recall_checks().cloned().collect(),
        quota: Some(store.quota().clone()),
        own_profile: store.own_profile().map(str::to_owned),
        tallies_seen: store.tallies_seen(),
        ..AccountRecords::default()
    }
}

/// The records changed since the last drain (and the drain itself).
pub(crate) fn drain_delta(account: &AccountId, store: &mut AccountStore) -> Option<AccountRecords> {
    if store.dirty.is_clean() {
        return None;
    }
    let d = std::mem::take(&mut store.dirty);
    let mut r = AccountRecords {
        account: account.clone(),
        ..AccountRecords::default()
    };
    r.conversations = d
        .conversations
        .iter()
        .filter_map(|c| store.conversations.get(c).cloned())
        .collect();
    for id in d.messages {
        match store.messages.get(&id) {
            Some(m) => r.messages.push(m.clone()),
            None => r.removed_messages.push(id),
        }
    }
    r.recalled_in = d
        .tombstones
        .iter()
        .filter_map(|id| Some((id.clone(), store.recalled_in.get(id)?.clone())))
        .collect();
    r.tombstones = d.tombstones.into_iter().collect();
    r.elsewhere = d
        .elsewhere
        .into_iter()
        .map(|c| {
            let list = store.elsewhere.get(&c).cloned().unwrap_or_default();
            (c, list)
        })
        .collect();
    for k in d.reactions {
        match store.reactions.get(&k) {
            Some(f) => r.reactions.push((k, *f)),
            None => r.removed_reactions.push(k),
        }
    }
    for k in d.outbox {
        match store.outbox.get(&k) {
            Some(e) => r.outbox.push(e.clone()),
            None => r.removed_outbox.push(k),
        }
    }
    r.outbox_next_seq = store.outbox.next_seq;
    for id in d.recalls {
        match store.recall_check(&id) {
            Some(c) => r.recalls.push(c.clone()),
            None => r.removed_recalls.push(id),
        }
    }
    if d.scalars {
        r.quota = Some(store.quota().clone());
        r.own_profile = store.own_profile().map(str::to_owned);
        r.tallies_seen = store.tallies_seen();
    }
    Some(r)
}

/// What `load` recovered from storage.
#[derive(Debug, Default)]
pub(crate) struct Loaded {
    pub accounts: BTreeMap<AccountId, AccountStore>,
    pub key_counter: u64,
    pub issues: Vec<RestoreIssue>,
}

/// Read a stored snapshot and the deltas written after it.
pub(crate) fn load(snapshot: Option<&[u8]>, deltas: &[Vec<u8>]) -> Loaded {
    let mut out = Loaded::default();
    let Some(bytes) = snapshot else {
        if deltas.is_empty() {
            return out;
        }
        // Deltas without their snapshot would be half a store.
        out.issues.push(RestoreIssue::CorruptSnapshot {
            reason: "deltas without a snapshot".into(),
        });
        return out;
    };
    let snap = match read_records(bytes) {
        Ok((r, migrated)) => {
            if let Some(from) = migrated {
                out.issues.push(RestoreIssue::Migrated { from });
            }
            r
        }
        Err(issue) => {
            out.issues.push(issue);
            return out;
        }
    };
    let apply = |out: &mut Loaded, r: Records| {
        out.key_counter = out.key_counter.max(r.key_counter);
        for a in r.accounts {
            let store = out.accounts.entry(a.account.clone()).or_default();
            apply_records(store, a);
        }
    };
    apply(&mut out, snap);
    for (index, bytes) in deltas.iter().enumerate() {
        match read_records(bytes) {
            Ok((r, _)) => apply(&mut out, r),
            Err(issue) => {
                let reason = issue.to_string();
                let dropped = deltas.len() - index - 1;
                out.issues.push(RestoreIssue::CorruptDelta {
                    index,
                    reason,
                    dropped,
                });
                break;
            }
        }
    }
    for store in out.accounts.values_mut() {
        store.reindex();
        let held: Vec<MessageId> = store.tombstones.iter().cloned().collect();
        for id in held {
            store.messages.remove(&id);
        }
        store.reindex();
        store.dirty = Default::default();
    }
    out
}

/// The whole engine state as one snapshot.
pub(crate) fn snapshot_of(
    accounts: &BTreeMap<AccountId, AccountStore>,
    key_counter: u64,
) -> Records {
    Records {
        version: STORE_VERSION,
        key_counter,
        accounts: accounts
            .iter()
            .map(|(a, s)| account_snapshot(a, s))
            .collect(),
    }
}
