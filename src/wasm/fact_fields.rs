//! The types inside a fact from another context (`applyRemote`) and inside a send's request,
//! read field by field from the checked copy ([`FromJsFields`]) instead of by their derived
//! serde readers, whose serde-wasm-bindgen `deserialize_struct` is a copy per type (issue 15:
//! 9.7 KB of the module before wasm-opt, `StoredMessage` 4.0 KB of it). The same values and
//! error texts: fields in declaration order, each with the reader its serde attributes name
//! (`lenient::read`'s for the API model's types, of the value's `boundary::scalar`), then the first
//! required field absent. Each reader answers a value, a placeholder once a field is absent or
//! fails (`JsFields` keeps the error and drops it).

use super::boundary::{FromJsFields, JsFields};
use crate::model::lenient::read;
use crate::model::{Attachment, AttachmentRef, ReactionSummary};
use crate::sync::{
    Actor, QuotaUse, ReactionFact, ReactionKey, Rev, SmallSet, StoredMessage, Tally,
};
use crate::urn::{ConversationId, MessageId};

impl FromJsFields for StoredMessage {
    const EXPECTING: &'static str = "struct StoredMessage";
    #[inline(always)]
    fn read(f: &mut JsFields<'_>) -> Self {
        StoredMessage {
            id: f.req_some("id").unwrap_or_else(MessageId::placeholder),
            conversation: f
                .req_some("conversation")
                .unwrap_or_else(ConversationId::placeholder),
            message_urn: f.req("messageUrn"),
            text: f.req("text"),
            sent_at: f.req("sentAt"),
            sender_profile_id: f.opt("senderProfileId"),
            sender_name: f.opt("senderName"),
            is_sent_by_owner: f.req("isSentByOwner"),
            attachments: f.list_or_default("attachments"),
            subject: f.opt("subject"),
            stamp: f.req("stamp"),
            tally: f.nested_opt("tally"),
            client_key: f.opt("clientKey"),
            rev: Rev::new(),
        }
    }
}

impl FromJsFields for Tally {
    const EXPECTING: &'static str = "struct Tally";
    #[inline(always)]
    fn read(f: &mut JsFields<'_>) -> Self {
        Tally {
            stamp: f.req("stamp"),
            entries: f.list("entries"),
        }
    }
}

impl FromJsFields for ReactionSummary {
    const EXPECTING: &'static str = "struct ReactionSummary";
    #[inline(always)]
    fn read(f: &mut JsFields<'_>) -> Self {
        ReactionSummary {
            emoji: f.req_with("emoji", read::string),
            count: f.req_with("count", read::count),
            viewer_reacted: f.req_with("viewerReacted", read::flag),
        }
    }
}

impl FromJsFields for Attachment {
    const EXPECTING: &'static str = "struct Attachment";
    #[inline(always)]
    fn read(f: &mut JsFields<'_>) -> Self {
        Attachment {
            asset_urn: f.req_with("assetUrn", read::string),
            byte_size: f.req_with("byteSize", read::size),
            media_type: f.req_with("mediaType", read::string),
            name: f.req_with("name", read::string),
            url: f.with_or_default("url", read::web_url),
        }
    }
}

impl FromJsFields for AttachmentRef {
    const EXPECTING: &'static str = "struct AttachmentRef";
    #[inline(always)]
    fn read(f: &mut JsFields<'_>) -> Self {
        AttachmentRef {
            file: f.nested("file"),
        }
    }
}

impl FromJsFields for ReactionKey {
    const EXPECTING: &'static str = "struct ReactionKey";
    #[inline(always)]
    fn read(f: &mut JsFields<'_>) -> Self {
        ReactionKey {
            message: f.req_some("message").unwrap_or_else(MessageId::placeholder),
            actor: f.req_some("actor").unwrap_or(Actor::Me),
            emoji: f.req("emoji"),
        }
    }
}

impl FromJsFields for ReactionFact {
    const EXPECTING: &'static str = "struct ReactionFact";
    #[inline(always)]
    fn read(f: &mut JsFields<'_>) -> Self {
        ReactionFact {
            present: f.req("present"),
            stamp: f.req("stamp"),
        }
    }
}

impl FromJsFields for QuotaUse {
    const EXPECTING: &'static str = "struct QuotaUse";
    #[inline(always)]
    fn read(f: &mut JsFields<'_>) -> Self {
        let day = f.req("day");
        // As `SmallSet`'s serde reader builds the set (the same `extend` of a `Vec`).
        let mut keys = SmallSet::new();
        keys.extend(f.req_items("keys"));
        QuotaUse { day, keys }
    }
}
