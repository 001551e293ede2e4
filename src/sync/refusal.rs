//! Why the engine refused a command locally, before any request: each variant says what the
//! user can do about it. Crosses to JavaScript as `{ "code": "quota_exceeded", … }`: codes are
//! snake_case like every other code of the package, fields camelCase.

use serde::{Deserialize, Serialize};

use super::time::Millis;

/// A command the engine would not carry out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case", tag = "code")]
pub enum Refusal {
    /// Today's new-conversation quota is used up; it resets at `resets_at` (midnight UTC).
    #[error("daily quota of {quota} new conversations used; resets at {resets_at}")]
    #[serde(rename_all = "camelCase")]
    QuotaExceeded { quota: u32, resets_at: Millis },
    /// The text is empty (and there is no attachment).
    #[error("nothing to send")]
    EmptyMessage,
    /// The text is longer than LinkedIn accepts.
    #[error("message is {chars} characters; at most {max}")]
    TooLong { chars: usize, max: usize },
    /// A URN could not be read.
    #[error("unreadable URN {:?}: {reason}", .urn.as_str())]
    BadUrn { urn: String, reason: String },
    /// The message is not known here (yet).
    #[error("message not known")]
    UnknownMessage,
    /// The message was recalled.
    #[error("message was recalled")]
    AlreadyRecalled,
    /// Only your own messages can be recalled.
    #[error("only your own messages can be recalled")]
    NotOwnMessage,
    /// The recall window (60 minutes after sending) has passed.
    #[error("recall window closed at {closed_at}")]
    #[serde(rename_all = "camelCase")]
    RecallWindowClosed { closed_at: Millis },
    /// The same change is already on its way.
    #[error("already in progress")]
    AlreadyPending,
    /// The outbox entry does not exist.
    #[error("no such outbox entry")]
    UnknownEntry,
    /// The entry may have been sent (or is being sent): resending or discarding it now could lose
    /// or duplicate the message.
    #[error("not allowed while the entry is {state}")]
    NotNow { state: String },
    /// `conversationUrn` was given with a recall or reaction, but the message is not (known to
    /// be) in that conversation: the command was meant for another message.
    #[error("the message is not in conversation {:?}", .conversation_urn.as_str())]
    #[serde(rename_all = "camelCase")]
    NotInConversation { conversation_urn: String },
    /// The account has no Sales Navigator (its premium status says so).
    #[error("this account has no Sales Navigator")]
    SalesNavigatorUnavailable,
    /// A Sales Navigator send from an inbox thread goes to its one other person: this thread
    /// has more than one, or none known yet.
    #[error("Sales Navigator sends go to one person: this thread has not exactly one other")]
    NeedsOneRecipient,
}

#[cfg(test)]
mod tests {
    use super::Refusal;
    use crate::sync::RestoreIssue;

    /// A hostile URN (a quote to end the quoting early, a control character, a line break, a
    /// right-to-left override) is shown quoted with all of them escaped: it cannot end the
    /// quote, hide in the text or reorder what follows it. The same for a stored record's key.
    #[test]
    fn a_hostile_urn_stays_quoted_and_escaped_in_the_message() {
        let urn = "urn:li:x\" is fine; \u{7}\nthe other\u{202e}";
        let bad = Refusal::BadUrn {
            urn: urn.into(),
            reason: "expected ':'".into(),
        };
        assert_eq!(
            bad.to_string(),
            r#"unreadable URN "urn:li:x\" is fine; \u{7}\nthe other\u{202e}": expected ':'"#
        );
        let elsewhere = Refusal::NotInConversation {
            conversation_urn: urn.into(),
        };
        assert_eq!(
            elsewhere.to_string(),
            r#"the message is not in conversation "urn:li:x\" is fine; \u{7}\nthe other\u{202e}""#
        );
        let record = RestoreIssue::CorruptRecord {
            table: "messages".into(),
            key: urn.into(),
            reason: "names conversation \"a\"".into(),
        };
        assert_eq!(
            record.to_string(),
            concat!(
                r#"stored record "urn:li:x\" is fine; \u{7}\nthe other\u{202e}" of table "#,
                r#"messages is unreadable (names conversation "a"); skipped"#
            )
        );
    }
}
