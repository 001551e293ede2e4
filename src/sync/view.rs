//! What the UI reads: per conversation, the ordered visible messages with their state and
//! reactions; the conversation list; the sync status and quota of an account.

use serde::{Deserialize, Serialize};

use crate::model::{Attachment, Conversation};
use crate::urn::{ConversationId, MessageId};

use super::keys::{AccountId, ClientKey};
use super::outbox::{Failure, OutboxEntry, SendFailure, SendState};
use super::time::Millis;

/// Whether a shown message may be recalled now, and if not why (computed at the time the view is
/// read; the recall window is `EngineConfig::recall_window_ms`, after `sentAt`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", tag = "recall")]
pub enum RecallEligibility {
    /// An own message inside the window, which closes after `until` (ms).
    Allowed { until: Millis },
    /// Our recall is on its way.
    Recalling,
    /// Someone else's message.
    NotOwn,
    /// The window closed at `closed_at` (ms).
    #[serde(rename_all = "camelCase")]
    WindowClosed { closed_at: Millis },
    /// An outbox item: not (yet) a message of this conversation, so nothing to recall here.
    NotSent,
}

/// Which command failed last on a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub enum FailedAction {
    Recall,
    React,
}

/// The last recall or reaction change of a message that did not happen (memory only; cleared
/// when a new recall or reaction change on the message is accepted).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct LastFailure {
    pub action: FailedAction,
    pub failure: Failure,
}

/// Which channels the account can send on; `null` while not known yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct Channels {
    /// `null` in JavaScript while not known (the wasm view method writes it so).
    #[cfg_attr(target_arch = "wasm32", tsify(type = "boolean | null"))]
    pub sales_navigator: Option<bool>,
}

/// New conversations the account may still open today, and when that resets (midnight UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct QuotaView {
    pub left: u32,
    pub resets_at: Millis,
}

/// Where a shown message stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", tag = "state")]
pub enum MessageState {
    /// On the server.
    Sent,
    /// In the outbox; `confirming` once an answer was lost and the engine looks for its echo.
    /// `since`: when the request of this attempt went out (absent while it waits for its turn),
    /// so a long wait can say how long it has been.
    Sending {
        confirming: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        since: Option<Millis>,
    },
    /// Not sent. `retryable`: a resend has a chance (the failure was not LinkedIn refusing it).
    Failed {
        reason: SendFailure,
        retryable: bool,
    },
    /// A recall is on its way.
    Recalling,
}

/// One emoji on a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct ReactionView {
    pub emoji: String,
    pub count: u32,
    pub mine: bool,
    /// Our own change on its way: `Some(true)` adding, `Some(false)` removing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending: Option<bool>,
}

/// One message as shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct MessageView {
    /// None while only in the outbox.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<MessageId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_key: Option<ClientKey>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_urn: Option<String>,
    pub text: String,
    pub sent_at: Millis,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sender_profile_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sender_name: Option<String>,
    pub is_sent_by_owner: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<Attachment>,
    /// The message's subject (stored messages: from the server; outbox items: the entry's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    pub state: MessageState,
    pub recall: RecallEligibility,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reactions: Vec<ReactionView>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_failure: Option<LastFailure>,
    /// An outbox item shown in this (inbox) conversation whose message goes, or went, to the
    /// person's Sales Navigator thread.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub elsewhere: bool,
}

/// One conversation as shown: stored messages in (time, id) order, then its outbox entries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct ConversationView {
    pub account: AccountId,
    pub id: ConversationId,
    pub urn: String,
    pub messages: Vec<MessageView>,
    /// Older history may be fetched (`LoadOlder`).
    pub has_more_history: bool,
    pub loading_older: bool,
    /// Messages recalled in this conversation (tombstones whose conversation is known).
    pub recalled: Vec<MessageId>,
    pub channels: Channels,
    pub quota: QuotaView,
    /// The conversation's stored messages are being read (lazy loading): `messages` holds
    /// only what is not stored with them (outbox entries); they follow with a
    /// `conversationChanged` notice.
    #[serde(default)]
    pub loading: bool,
    /// Reading the conversation's stored messages failed (storage shows `failing`); opening
    /// it again reads again.
    #[serde(default)]
    pub unreadable: bool,
    /// The conversation's entry as the engine holds it (the same as its line of the
    /// conversation list), also when the list has not read that far (a conversation older
    /// than the window, opened by its URN): its title, people and unread count. None while
    /// its record is being read, or when nothing is known of it but messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<ConversationSummary>,
}

/// One line of the conversation list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct ConversationSummary {
    pub id: ConversationId,
    pub urn: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Conversation>,
    pub unread_count: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_activity_at: Option<Millis>,
}

/// How fresh the data is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub enum SyncStatus {
    Synced,
    Syncing,
    /// The last read failed on the network; retrying.
    Offline,
    /// The API answers with server errors (5xx, or answers that cannot be read) since
    /// `StatusView::server_trouble_since`; retrying.
    ServerTrouble,
    /// The API asked to wait (429) until `StatusView::rate_limited_until`.
    RateLimited,
    /// The API key was refused: nothing is sent until it is updated.
    PausedUnauthorized,
    /// The subscription was refused (403: trial expired or none active): nothing is sent until
    /// the key is updated (or the subscription renewed and the key saved again).
    PausedForbidden,
}

/// The state of one account at a glance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct StatusView {
    pub sync: SyncStatus,
    pub quota_left: u32,
    /// When the quota resets (next midnight UTC).
    pub quota_resets_at: Millis,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_limited_until: Option<Millis>,
    /// Since when the API has been answering with server errors (cleared by its next good answer).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_trouble_since: Option<Millis>,
    /// Outbox entries still on their way: queued, sending, or being confirmed (not the failed).
    pub outbox_pending: usize,
    /// Outbox entries that were not sent and wait for Retry or Discard.
    pub outbox_failed: usize,
    /// Whether what changes is being saved (one state for the whole engine).
    #[serde(default)]
    pub storage: StorageHealth,
}

/// Whether storage takes the engine's writes. While `failing`, changes live in memory only
/// (lost if the engine stops) and no send, reaction or recall leaves without its record; the
/// next write that lands is a whole snapshot and brings it back to `ok`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", tag = "state")]
pub enum StorageHealth {
    /// The last write landed.
    #[default]
    Ok,
    /// Writes fail since `since` (the first failure in a row); `reason` is the latest one's;
    /// `full`: the storage refused for lack of space (the user can free some; a retry alone
    /// will not help).
    #[serde(rename_all = "camelCase")]
    Failing {
        since: Millis,
        reason: String,
        full: bool,
    },
}

pub(super) fn entry_view(e: &OutboxEntry) -> MessageView {
    let state = match &e.state {
        SendState::Queued => MessageState::Sending {
            confirming: false,
            since: None,
        },
        SendState::InFlight { started_at } => MessageState::Sending {
            confirming: false,
            since: Some(*started_at),
        },
        SendState::Ambiguous { started_at, .. } => MessageState::Sending {
            confirming: true,
            since: Some(*started_at),
        },
        SendState::Failed { reason, retryable } => MessageState::Failed {
            reason: reason.clone(),
            retryable: *retryable,
        },
        SendState::Sent { .. } => MessageState::Sent,
    };
    MessageView {
        id: None,
        client_key: Some(e.key.clone()),
        message_urn: None,
        text: e.text.clone(),
        sent_at: e.created_at,
        sender_profile_id: None,
        sender_name: None,
        is_sent_by_owner: true,
        attachments: e.attachments.clone(),
        subject: e.subject.clone(),
        state,
        recall: RecallEligibility::NotSent,
        reactions: Vec::new(),
        last_failure: None,
        elsewhere: e.shown_in.is_some(),
    }
}

/// Whether `text` holds the digits of an `i64` sentinel ("922337203685477"): a view's JSON that
/// does has its wide integers clamped before `JSON.parse` (the wasm binding's `to_js_large`). Eight bytes are
/// passed over at a time while none of them is a `9`: `str::contains` took 0.9 ms of a 1.6 ms
/// view after a merge (a profile of tests/bench/engine.js), this takes a few µs.
#[cfg(any(target_arch = "wasm32", test))]
pub(crate) fn names_a_sentinel(text: &str) -> bool {
    const DIGITS: &[u8] = b"922337203685477";
    const NINES: u64 = 0x3939_3939_3939_3939;
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let bytes = text.as_bytes();
    let mut at = 0;
    while at + DIGITS.len() <= bytes.len() {
        if let Some(eight) = bytes
            .get(at..at + 8)
            .and_then(|w| <[u8; 8]>::try_from(w).ok())
        {
            // No byte of `v` is zero (no byte was a `9`); may say there is one when there is not.
            let v = u64::from_ne_bytes(eight) ^ NINES;
            if v.wrapping_sub(ONES) & !v & HIGH == 0 {
                at += 8;
                continue;
            }
        }
        if bytes.get(at..).is_some_and(|rest| rest.starts_with(DIGITS)) {
            return true;
        }
        at += 1;
    }
    false
}

/// `Number.MAX_SAFE_INTEGER`: integers beyond it (either sign) do not survive a JS number.
#[cfg(any(target_arch = "wasm32", test))]
const MAX_SAFE: u64 = 9_007_199_254_740_991;

/// The integers of JSON `text` (serde_json's: numbers outside strings, no `.`, `e` or `E`)
/// whose magnitude is beyond JS's safe range, as byte ranges, in order. The wasm binding turns
/// plain data into JS values by `JSON.parse` of serde_json's text; these are the numbers it
/// cannot carry as they are (an `i64` sentinel, a `u64` beyond 2^53).
#[cfg(any(target_arch = "wasm32", test))]
pub(crate) fn wide_integers(text: &str) -> Vec<std::ops::Range<usize>> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(&b) = bytes.get(at) {
        match b {
            b'"' => {
                // A string: passed over up to its closing quote (an escape's next byte is
                // never that quote).
                at += 1;
                while let Some(&c) = bytes.get(at) {
                    at += if c == b'\\' { 2 } else { 1 };
                    if c == b'"' {
                        break;
                    }
                }
            }
            b'-' | b'0'..=b'9' => {
                let start = at;
                at += usize::from(b == b'-');
                let digits = at;
                while bytes.get(at).is_some_and(u8::is_ascii_digit) {
                    at += 1;
                }
                let integer = !matches!(bytes.get(at), Some(b'.' | b'e' | b'E'));
                // More than 16 digits is beyond 2^53 whatever they are; 16 are read.
                let wide = match at - digits {
                    ..=15 => false,
                    16 => text[digits..at].parse::<u64>().is_ok_and(|n| n > MAX_SAFE),
                    _ => true,
                };
                if integer && wide {
                    out.push(start..at);
                }
                while bytes
                    .get(at)
                    .is_some_and(|c| matches!(c, b'0'..=b'9' | b'.' | b'e' | b'E' | b'+' | b'-'))
                {
                    at += 1;
                }
            }
            _ => at += 1,
        }
    }
    out
}

/// JSON `text` with each of its [`wide_integers`] replaced by the safe integer nearest to it
/// (`±Number.MAX_SAFE_INTEGER`): the value the binding gave such a number before it built JS
/// values from JSON text (serde-wasm-bindgen's BigInt, clamped). `None` when there is none.
#[cfg(any(target_arch = "wasm32", test))]
pub(crate) fn clamp_wide_integers(text: &str) -> Option<String> {
    let wide = wide_integers(text);
    if wide.is_empty() {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut from = 0;
    for r in wide {
        out.push_str(&text[from..r.start]);
        if text[r.clone()].starts_with('-') {
            out.push('-');
        }
        out.push_str("9007199254740991");
        from = r.end;
    }
    out.push_str(&text[from..]);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::{clamp_wide_integers, names_a_sentinel, wide_integers};

    #[test]
    fn a_sentinel_is_found_wherever_it_is_and_only_there() {
        let digits = "922337203685477";
        assert!(names_a_sentinel(digits));
        assert!(names_a_sentinel("-9223372036854775808"));
        for pad in 0..20 {
            let before = "9".repeat(pad);
            let text = format!("{{\"a\":\"{before}\",\"t\":{digits}5807}}");
            assert!(names_a_sentinel(&text), "{text}");
            assert!(names_a_sentinel(&format!("{before}{digits}")), "{pad}");
            assert!(
                names_a_sentinel(&format!("{}{digits}x", "a".repeat(pad))),
                "{pad}"
            );
        }
        assert!(!names_a_sentinel(""));
        assert!(!names_a_sentinel("92233720368547"));
        assert!(!names_a_sentinel("9223372036854 77"));
        assert!(!names_a_sentinel(&"9".repeat(40)));
        assert!(!names_a_sentinel(&format!(
            "{}1764000000000",
            "x".repeat(100)
        )));
    }

    #[test]
    fn only_integers_beyond_the_safe_range_are_clamped() {
        let text = serde_json::to_string(&serde_json::json!({
            "min": i64::MIN,
            "max": i64::MAX,
            "u": u64::MAX,
            "safe": 9_007_199_254_740_991_i64,
            "neg": -9_007_199_254_740_991_i64,
            "over": 9_007_199_254_740_992_i64,
            "under": -9_007_199_254_740_992_i64,
            "big16": 9_999_999_999_999_999_i64,
            "small": 1_764_000_000_000_i64,
            "zero": 0,
            "float": 1e300,
            "wide_float": 12_345_678_901_234_567_890.0_f64,
            "text": "-9223372036854775808 \"12345678901234567890\\",
            "list": [i64::MIN, "x", 1, -1]
        }))
        .unwrap();
        let clamped = clamp_wide_integers(&text).unwrap();
        let v: serde_json::Value = serde_json::from_str(&clamped).unwrap();
        const MAX: i64 = 9_007_199_254_740_991;
        assert_eq!(v["min"], -MAX);
        assert_eq!(v["max"], MAX);
        assert_eq!(v["u"], MAX);
        assert_eq!(v["safe"], MAX);
        assert_eq!(v["neg"], -MAX);
        assert_eq!(v["over"], MAX);
        assert_eq!(v["under"], -MAX);
        assert_eq!(v["big16"], MAX);
        assert_eq!(v["small"], 1_764_000_000_000_i64);
        assert_eq!(v["zero"], 0);
        assert_eq!(v["float"], 1e300);
        assert_eq!(v["wide_float"], 12_345_678_901_234_567_890.0_f64);
        assert_eq!(v["text"], "-9223372036854775808 \"12345678901234567890\\");
        assert_eq!(v["list"], serde_json::json!([-MAX, "x", 1, -1]));
        assert_eq!(wide_integers(&clamped), Vec::new());
        assert_eq!(
            clamp_wide_integers(r#"{"a":"9223372036854775807","b":[1.5,-2e30]}"#),
            None
        );
    }
}
