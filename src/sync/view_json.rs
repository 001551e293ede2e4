//! A shown message's JSON text written by hand (issue 15): byte for byte what serde_json writes
//! for its [`MessageView`] (integers beyond JavaScript's safe range clamped, as the wasm
//! binding's `to_js` clamps them), from borrowed parts, so a stored message's view is written without
//! being built first. A view after a merge hands JS its new messages as JSON text (one
//! `JSON.parse`); building each view (a copy of every string) and serde's writer were most of
//! that read's time in the wasm build. The tests hold it to serde_json's text.

use crate::model::Attachment;

use super::time::Millis;
use super::view::{LastFailure, MessageState, MessageView, ReactionView, RecallEligibility};

/// One shown message, borrowed: the fields of a [`MessageView`] in its order, written as
/// serde_json writes that view (integers clamped to JavaScript's safe range, [`push_int`]).
#[derive(Debug, Clone, Copy)]
pub struct EntryJson<'a> {
    pub id: Option<&'a str>,
    pub client_key: Option<&'a str>,
    pub message_urn: Option<&'a str>,
    pub text: &'a str,
    pub sent_at: Millis,
    pub sender_profile_id: Option<&'a str>,
    pub sender_name: Option<&'a str>,
    pub is_sent_by_owner: bool,
    pub attachments: &'a [Attachment],
    pub subject: Option<&'a str>,
    pub state: &'a MessageState,
    pub recall: &'a RecallEligibility,
    pub reactions: &'a [ReactionView],
    pub last_failure: Option<&'a LastFailure>,
    pub elsewhere: bool,
}

impl<'a> From<&'a MessageView> for EntryJson<'a> {
    fn from(v: &'a MessageView) -> Self {
        // Every field named: a field added to the view cannot be left out unseen.
        let MessageView {
            id,
            client_key,
            message_urn,
            text,
            sent_at,
            sender_profile_id,
            sender_name,
            is_sent_by_owner,
            attachments,
            subject,
            state,
            recall,
            reactions,
            last_failure,
            elsewhere,
        } = v;
        EntryJson {
            id: id.as_ref().map(|i| i.as_str()),
            client_key: client_key.as_ref().map(|k| k.0.as_str()),
            message_urn: message_urn.as_deref(),
            text,
            sent_at: *sent_at,
            sender_profile_id: sender_profile_id.as_deref(),
            sender_name: sender_name.as_deref(),
            is_sent_by_owner: *is_sent_by_owner,
            attachments,
            subject: subject.as_deref(),
            state,
            recall,
            reactions,
            last_failure: last_failure.as_ref(),
            elsewhere: *elsewhere,
        }
    }
}

impl EntryJson<'_> {
    /// Appends the entry's JSON to `out` (serde_json's text of the same [`MessageView`]).
    pub fn write(&self, out: &mut String) -> Result<(), serde_json::Error> {
        out.push('{');
        // Only the first key written goes without a comma (each before `text` may be absent).
        let mut first = true;
        let mut key = |out: &mut String, name: &str| {
            out.push_str(if first { "\"" } else { ",\"" });
            first = false;
            out.push_str(name);
            out.push_str("\":");
        };
        for (name, v) in [
            ("id", self.id),
            ("clientKey", self.client_key),
            ("messageUrn", self.message_urn),
            ("text", Some(self.text)),
        ] {
            if let Some(v) = v {
                key(out, name);
                push_str(out, v);
            }
        }
        key(out, "sentAt");
        push_int(out, self.sent_at.0);
        for (name, v) in [
            ("senderProfileId", self.sender_profile_id),
            ("senderName", self.sender_name),
        ] {
            if let Some(v) = v {
                key(out, name);
                push_str(out, v);
            }
        }
        key(out, "isSentByOwner");
        out.push_str(if self.is_sent_by_owner {
            "true"
        } else {
            "false"
        });
        if !self.attachments.is_empty() {
            key(out, "attachments");
            out.push_str(&crate::json::to_string(self.attachments)?);
        }
        if let Some(v) = self.subject {
            key(out, "subject");
            push_str(out, v);
        }
        key(out, "state");
        match self.state {
            MessageState::Sent => out.push_str("{\"state\":\"sent\"}"),
            MessageState::Recalling => out.push_str("{\"state\":\"recalling\"}"),
            other => out.push_str(&crate::json::to_string(other)?),
        }
        key(out, "recall");
        match self.recall {
            RecallEligibility::Allowed { until } => {
                out.push_str("{\"recall\":\"allowed\",\"until\":");
                push_int(out, until.0);
                out.push('}');
            }
            RecallEligibility::Recalling => out.push_str("{\"recall\":\"recalling\"}"),
            RecallEligibility::NotOwn => out.push_str("{\"recall\":\"notOwn\"}"),
            RecallEligibility::WindowClosed { closed_at } => {
                out.push_str("{\"recall\":\"windowClosed\",\"closedAt\":");
                push_int(out, closed_at.0);
                out.push('}');
            }
            RecallEligibility::NotSent => out.push_str("{\"recall\":\"notSent\"}"),
        }
        if !self.reactions.is_empty() {
            key(out, "reactions");
            out.push('[');
            for (i, r) in self.reactions.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str("{\"emoji\":");
                push_str(out, &r.emoji);
                out.push_str(",\"count\":");
                push_int(out, i64::from(r.count));
                out.push_str(if r.mine {
                    ",\"mine\":true"
                } else {
                    ",\"mine\":false"
                });
                match r.pending {
                    Some(true) => out.push_str(",\"pending\":true"),
                    Some(false) => out.push_str(",\"pending\":false"),
                    None => {}
                }
                out.push('}');
            }
            out.push(']');
        }
        if let Some(f) = self.last_failure {
            key(out, "lastFailure");
            out.push_str(&crate::json::to_string(f)?);
        }
        if self.elsewhere {
            key(out, "elsewhere");
            out.push_str("true");
        }
        out.push('}');
        Ok(())
    }
}

/// Appends `s` as a JSON string, escaped as serde_json escapes (`"`, `\`, and the control
/// characters below U+0020: `\b \t \n \f \r` short, the others `\u00xx`; nothing else). Eight
/// bytes are passed over at a time while none of them needs an escape.
pub fn push_str(out: &mut String, s: &str) {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // Whether some byte of `w` is below 0x20, a quote or a backslash (exact for the word;
    // `has_zero` is the classic zero-byte test, `w - 0x20…` the "less than" one).
    let has_zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGH != 0;
    let needs = |w: u64| {
        w.wrapping_sub(ONES * 0x20) & !w & HIGH != 0
            || has_zero(w ^ (ONES * u64::from(b'"')))
            || has_zero(w ^ (ONES * u64::from(b'\\')))
    };
    let bytes = s.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push('"');
    let (mut start, mut at) = (0, 0);
    while at < bytes.len() {
        if let Some(w) = bytes
            .get(at..at + 8)
            .and_then(|w| <[u8; 8]>::try_from(w).ok())
        {
            if !needs(u64::from_ne_bytes(w)) {
                at += 8;
                continue;
            }
        }
        let end = (at + 8).min(bytes.len());
        while at < end {
            let b = bytes.get(at).copied().unwrap_or(0);
            let short = match b {
                b'"' => Some("\\\""),
                b'\\' => Some("\\\\"),
                0x08 => Some("\\b"),
                0x09 => Some("\\t"),
                0x0a => Some("\\n"),
                0x0c => Some("\\f"),
                0x0d => Some("\\r"),
                _ => None,
            };
            if short.is_some() || b < 0x20 {
                // An escaped byte is ASCII: both ends of the run are on char boundaries.
                out.push_str(s.get(start..at).unwrap_or_default());
                match short {
                    Some(e) => out.push_str(e),
                    None => {
                        const HEX: &[u8; 16] = b"0123456789abcdef";
                        out.push_str("\\u00");
                        out.push(char::from(HEX[usize::from(b >> 4)]));
                        out.push(char::from(HEX[usize::from(b & 0xf)]));
                    }
                }
                start = at + 1;
            }
            at += 1;
        }
    }
    out.push_str(s.get(start..).unwrap_or_default());
    out.push('"');
}

/// JavaScript's `Number.MAX_SAFE_INTEGER`.
const MAX_SAFE: i64 = (1 << 53) - 1;

/// Appends `n` in decimal, as serde_json writes an integer; beyond JavaScript's safe range,
/// the range's bound (an `i64` sentinel such as `Millis::MIN`): what the wasm binding's `to_js`
/// hands JS for such a number, where `JSON.parse` of its digits would round it.
pub fn push_int(out: &mut String, n: i64) {
    let n = n.clamp(-MAX_SAFE, MAX_SAFE);
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut v = n.unsigned_abs();
    loop {
        at -= 1;
        digits[at] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    if n < 0 {
        out.push('-');
    }
    out.push_str(std::str::from_utf8(&digits[at..]).unwrap_or_default());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::keys::ClientKey;
    use crate::sync::outbox::{Failure, FailureCode, SendFailure};
    use crate::sync::view::FailedAction;
    use crate::urn::MessageId;

    /// Strings that need every kind of escape serde_json makes, and some it does not (U+2028,
    /// U+2029, HTML, DEL, non-ASCII), at every offset from an eight-byte boundary.
    fn hostile() -> Vec<String> {
        let mut out: Vec<String> = [
            "",
            "plain text, longer than eight bytes",
            "\"",
            "\\",
            "a\"b\\c\"\"\\\\",
            "\u{0}\u{1}\u{7}\u{8}\t\n\u{b}\u{c}\r\u{e}\u{1f} \u{7f}",
            "line\u{2028}sep\u{2029}para",
            "<script>alert('x')</script>&amp;</p>",
            "é€😀 mixed \"quoted\" ünïcödé\n",
            "\\u0000 not an escape",
            "9223372036854775807",
        ]
        .into_iter()
        .map(str::to_owned)
        .collect();
        for c in 0u8..0x80 {
            out.push(format!(
                "{}{}x",
                "y".repeat(usize::from(c % 11)),
                char::from(c)
            ));
        }
        for pad in 0..17 {
            out.push(format!(
                "{}\"{}\\{}",
                "a".repeat(pad),
                "b".repeat(pad),
                "\u{1}"
            ));
        }
        out
    }

    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them() {
        for s in hostile() {
            let mut out = String::new();
            push_str(&mut out, &s);
            assert_eq!(out, serde_json::to_string(&s).unwrap(), "{s:?}");
        }
    }

    #[test]
    fn integers_are_written_as_serde_json_writes_them_within_the_safe_range() {
        for n in [0, 1, -1, 9, 10, -10, 1_764_000_000_000, MAX_SAFE, -MAX_SAFE] {
            let mut out = String::new();
            push_int(&mut out, n);
            assert_eq!(out, serde_json::to_string(&n).unwrap());
        }
        for (n, bound) in [
            (i64::MAX, "9007199254740991"),
            (MAX_SAFE + 1, "9007199254740991"),
            (i64::MIN, "-9007199254740991"),
            (-MAX_SAFE - 1, "-9007199254740991"),
        ] {
            let mut out = String::new();
            push_int(&mut out, n);
            assert_eq!(out, bound, "{n}");
        }
    }

    fn view(s: &str, n: usize) -> MessageView {
        let some = |on: bool| on.then(|| s.to_owned());
        let states = [
            MessageState::Sent,
            MessageState::Recalling,
            MessageState::Sending {
                confirming: true,
                since: Some(Millis(5)),
            },
            MessageState::Failed {
                reason: SendFailure {
                    code: FailureCode::Network,
                    message: s.to_owned(),
                },
                retryable: true,
            },
        ];
        let recalls = [
            RecallEligibility::Allowed { until: Millis(-3) },
            RecallEligibility::Recalling,
            RecallEligibility::NotOwn,
            RecallEligibility::WindowClosed {
                closed_at: Millis(MAX_SAFE),
            },
            RecallEligibility::NotSent,
        ];
        MessageView {
            id: (n % 2 == 0).then(|| MessageId::parse("2-abc").unwrap()),
            client_key: some(n % 3 != 0).map(ClientKey),
            message_urn: some(n % 2 == 1),
            text: s.to_owned(),
            sent_at: Millis(n as i64 * 1_000_000_007 - 3),
            sender_profile_id: some(n % 4 < 2),
            sender_name: some(n % 5 < 3),
            is_sent_by_owner: n % 2 == 0,
            attachments: if n % 3 == 0 {
                vec![Attachment {
                    asset_urn: s.to_owned(),
                    byte_size: 12,
                    media_type: "image/png".into(),
                    name: s.to_owned(),
                    url: some(n % 2 == 0),
                }]
            } else {
                Vec::new()
            },
            subject: some(n % 3 == 1),
            state: states[n % states.len()].clone(),
            recall: recalls[n % recalls.len()].clone(),
            reactions: (0..n % 3)
                .map(|i| ReactionView {
                    emoji: format!("{s}{i}"),
                    count: i as u32 * 7,
                    mine: i % 2 == 0,
                    pending: [None, Some(true), Some(false)][(i + n) % 3],
                })
                .collect(),
            last_failure: (n % 4 == 3).then(|| LastFailure {
                action: FailedAction::React,
                failure: Failure {
                    code: FailureCode::Timeout,
                    message: s.to_owned(),
                },
            }),
            elsewhere: n % 2 == 1,
        }
    }

    #[test]
    fn an_entry_is_written_as_serde_json_writes_its_view() {
        for (n, s) in hostile().iter().enumerate() {
            for k in [n, n + 1, n + 2, n + 3, n + 4, n + 5] {
                let v = view(s, k);
                let mut out = String::new();
                EntryJson::from(&v).write(&mut out).unwrap();
                assert_eq!(out, serde_json::to_string(&v).unwrap(), "{v:?}");
            }
        }
    }
}
