//! Persistence: a versioned snapshot plus small deltas of the same shape (changed records, and
//! the keys of removed ones). Restoring reads the snapshot, then the deltas in order. A store of
//! another version is migrated when a migration exists, else dropped whole with the reason; a
//! corrupt store is dropped the same way. Nothing here ever panics on stored bytes.

use serde::{Deserialize, Serialize};

use super::keys::AccountId;
use super::small_map::SmallMap;
pub use super::store::AccountRecords;
use super::store::AccountStore;
use super::stored_json::{half, stored, stored_list, Fields, FromStored};
use crate::model::lenient;

/// The format version written today.
pub const STORE_VERSION: u32 = 1;

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
    /// One record of the per-record layout could not be read: it was skipped, the rest used.
    #[error(
        "stored record {:?} of table {table} is unreadable ({reason}); skipped",
        .key.as_str()
    )]
    CorruptRecord {
        table: String,
        key: String,
        reason: String,
    },
    /// The store of the key-value layout (snapshot and deltas) was moved into the per-record
    /// layout, `messages` messages with it; the old keys were removed.
    #[error("stored state moved to the per-record layout ({messages} messages)")]
    MigratedLayout { messages: usize },
    /// The store of the key-value layout could not be moved into the per-record layout (the
    /// copy was refused: `full` when for lack of space). Nothing was moved or removed: this
    /// session runs on the old store, and the next open tries again.
    #[error("stored state could not move to the per-record layout ({reason}); still on the old store, tried again at the next open")]
    MigrationFailed { reason: String, full: bool },
}

/// Read one stored blob of any version into today's shape, or say why not.
fn read_records(bytes: &[u8]) -> Result<(Records, Option<u32>), RestoreIssue> {
    let corrupt = |reason: String| RestoreIssue::CorruptSnapshot { reason };
    // The members once; `version` first, so today's format is read straight into `Records`.
    let mut fields = Fields::parse(bytes);
    let version = fields.opt::<u64>("version");
    fields.error().map_err(corrupt)?;
    let version = version.ok_or_else(|| corrupt("no version field".into()))?;
    let version = u32::try_from(version).map_err(|_| corrupt("version out of range".into()))?;
    if version == STORE_VERSION {
        let records = Records::read(&mut fields);
        fields.verdict().map_err(corrupt)?;
        return Ok((records, None));
    }
    // A document serde_json's `Value` refuses (a number out of range) is corrupt whatever its
    // version, as when every other version was read through a `Value` first.
    lenient::json_document(bytes).map_err(|e| corrupt(e.to_string()))?;
    migrate(&fields, version)
}

/// Bring a stored blob of an older `version` to today's `Records`. Each older version that can
/// be read gets a step here, reading its members (`fields`) by that version's names, so there
/// is one decode path for every version (the member scanner); any other is dropped whole
/// (never half-read). There is no older format yet.
fn migrate(_fields: &Fields<'_>, version: u32) -> Result<(Records, Option<u32>), RestoreIssue> {
    Err(RestoreIssue::UnsupportedVersion {
        found: version,
        expected: STORE_VERSION,
    })
}

/// What `load` recovered from storage.
#[derive(Debug, Default)]
pub(crate) struct Loaded {
    pub accounts: SmallMap<AccountId, AccountStore>,
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
    let mut records: SmallMap<AccountId, Vec<AccountRecords>> = SmallMap::new();
    let mut apply = |out: &mut Loaded, r: Records| {
        out.key_counter = out.key_counter.max(r.key_counter);
        for a in r.accounts {
            records.entry(a.account.clone()).or_default().push(a);
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
    out.accounts = records
        .into_iter()
        .map(|(account, list)| (account, AccountStore::from_records(list)))
        .collect();
    out
}

/// One snapshot-shaped `Records` already read (the per-record layout builds it): the same
/// stores `load` builds from a snapshot, without a JSON round trip.
pub(crate) fn load_records(records: Records) -> Loaded {
    let mut grouped: SmallMap<AccountId, Vec<AccountRecords>> = SmallMap::new();
    for a in records.accounts {
        grouped.entry(a.account.clone()).or_default().push(a);
    }
    Loaded {
        accounts: grouped
            .into_iter()
            .map(|(account, list)| (account, AccountStore::from_records(list)))
            .collect(),
        key_counter: records.key_counter,
        issues: Vec::new(),
    }
}

/// The whole engine state as one snapshot.
pub(crate) fn snapshot_of(
    accounts: &SmallMap<AccountId, AccountStore>,
    key_counter: u64,
) -> Records {
    Records {
        version: STORE_VERSION,
        key_counter,
        accounts: accounts.iter().map(|(a, s)| s.records(a)).collect(),
    }
}

/// The key-value layout's snapshot or delta.
impl FromStored for Records {
    fn read(f: &mut Fields<'_>) -> Self {
        Records {
            version: f.req("version"),
            key_counter: f.or_default("keyCounter"),
            accounts: f.records_or_default("accounts"),
        }
    }
}

/// `#[serde(default)]` on the type: every field may be missing (a field that does not read is
/// kept in `Fields`, which `stored_json::from_json` answers with).
impl FromStored for AccountRecords {
    fn read(f: &mut Fields<'_>) -> Self {
        AccountRecords {
            account: AccountId(f.or_default("account")),
            conversations: f.records_or_default("conversations"),
            messages: f.records_or_default("messages"),
            removed_messages: f.list_or_default("removedMessages"),
            tombstones: f.list_or_default("tombstones"),
            reactions: f.pair_list("reactions", stored, stored),
            removed_reactions: f.records_or_default("removedReactions"),
            outbox: f.records_or_default("outbox"),
            removed_outbox: f.list_or_default("removedOutbox"),
            outbox_next_seq: f.or_default("outboxNextSeq"),
            recalls: f.records_or_default("recalls"),
            removed_recalls: f.list_or_default("removedRecalls"),
            quota: f.record_opt("quota"),
            own_profile: f.opt("ownProfile"),
            tallies_seen: f.or_default("talliesSeen"),
            recalled_in: f.pair_list("recalledIn", half, half),
            elsewhere: f.pair_list("elsewhere", half, stored_list),
        }
    }
}
