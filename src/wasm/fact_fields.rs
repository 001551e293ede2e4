//! The types inside a fact from another context (`applyRemote`) and inside a send's request,
//! read field by field from the checked copy ([`FromJsFields`]) instead of by their derived
//! serde readers, whose serde-wasm-bindgen `deserialize_struct` is a copy per type (issue 15:
//! 9.7 KB of the module before wasm-opt, `StoredMessage` 4.0 KB of it). The same values and
//! error texts: fields in declaration order, each with the reader its serde attributes name
//! (`lenient::read`'s for the API model's types, of the value's `boundary::scalar`), then the first required field absent.

use super::boundary::{FromJsFields, JsFields};
use crate::model::lenient::read;
use crate::model::{Attachment, AttachmentRef, ReactionSummary};
use crate::sync::{QuotaUse, ReactionFact, ReactionKey, Rev, SmallSet, StoredMessage, Tally};

impl FromJsFields for StoredMessage {
    const EXPECTING: &'static str = "struct StoredMessage";
    fn read(f: &mut JsFields<'_>) -> Option<Self> {
        let id = f.req("id");
        let conversation = f.req("conversation");
        let message_urn = f.req("messageUrn");
        let text = f.req("text");
        let sent_at = f.req("sentAt");
        let sender_profile_id = f.opt("senderProfileId");
        let sender_name = f.opt("senderName");
        let is_sent_by_owner = f.req("isSentByOwner");
        let attachments = f.list_or_default("attachments");
        let subject = f.opt("subject");
        let stamp = f.req("stamp");
        let tally = f.nested_opt("tally");
        let client_key = f.opt("clientKey");
        let (
            Some(id),
            Some(conversation),
            Some(message_urn),
            Some(text),
            Some(sent_at),
            Some(is_sent_by_owner),
            Some(stamp),
        ) = (
            id,
            conversation,
            message_urn,
            text,
            sent_at,
            is_sent_by_owner,
            stamp,
        )
        else {
            return None;
        };
        Some(StoredMessage {
            id,
            conversation,
            message_urn,
            text,
            sent_at,
            sender_profile_id,
            sender_name,
            is_sent_by_owner,
            attachments,
            subject,
            stamp,
            tally,
            client_key,
            rev: Rev::new(),
        })
    }
}

impl FromJsFields for Tally {
    const EXPECTING: &'static str = "struct Tally";
    fn read(f: &mut JsFields<'_>) -> Option<Self> {
        let stamp = f.req("stamp");
        let entries = f.list("entries");
        stamp
            .zip(entries)
            .map(|(stamp, entries)| Tally { stamp, entries })
    }
}

impl FromJsFields for ReactionSummary {
    const EXPECTING: &'static str = "struct ReactionSummary";
    fn read(f: &mut JsFields<'_>) -> Option<Self> {
        let emoji = f.req_with("emoji", read::string);
        let count = f.req_with("count", read::count);
        let viewer_reacted = f.req_with("viewerReacted", read::flag);
        let (Some(emoji), Some(count), Some(viewer_reacted)) = (emoji, count, viewer_reacted)
        else {
            return None;
        };
        Some(ReactionSummary {
            emoji,
            count,
            viewer_reacted,
        })
    }
}

impl FromJsFields for Attachment {
    const EXPECTING: &'static str = "struct Attachment";
    fn read(f: &mut JsFields<'_>) -> Option<Self> {
        let asset_urn = f.req_with("assetUrn", read::string);
        let byte_size = f.req_with("byteSize", read::size);
        let media_type = f.req_with("mediaType", read::string);
        let name = f.req_with("name", read::string);
        let url = f.with_or_default("url", read::opt_string);
        let (Some(asset_urn), Some(byte_size), Some(media_type), Some(name)) =
            (asset_urn, byte_size, media_type, name)
        else {
            return None;
        };
        Some(Attachment {
            asset_urn,
            byte_size,
            media_type,
            name,
            url,
        })
    }
}

impl FromJsFields for AttachmentRef {
    const EXPECTING: &'static str = "struct AttachmentRef";
    fn read(f: &mut JsFields<'_>) -> Option<Self> {
        f.nested("file").map(|file| AttachmentRef { file })
    }
}

impl FromJsFields for ReactionKey {
    const EXPECTING: &'static str = "struct ReactionKey";
    fn read(f: &mut JsFields<'_>) -> Option<Self> {
        let message = f.req("message");
        let actor = f.req("actor");
        let emoji = f.req("emoji");
        let (Some(message), Some(actor), Some(emoji)) = (message, actor, emoji) else {
            return None;
        };
        Some(ReactionKey {
            message,
            actor,
            emoji,
        })
    }
}

impl FromJsFields for ReactionFact {
    const EXPECTING: &'static str = "struct ReactionFact";
    fn read(f: &mut JsFields<'_>) -> Option<Self> {
        let present = f.req("present");
        let stamp = f.req("stamp");
        present
            .zip(stamp)
            .map(|(present, stamp)| ReactionFact { present, stamp })
    }
}

impl FromJsFields for QuotaUse {
    const EXPECTING: &'static str = "struct QuotaUse";
    fn read(f: &mut JsFields<'_>) -> Option<Self> {
        let day = f.req("day");
        // As `SmallSet`'s serde reader builds the set (the same `extend` of a `Vec`).
        let keys = f.req_items("keys");
        day.zip(keys).map(|(day, keys)| {
            let mut set = SmallSet::new();
            set.extend(keys);
            QuotaUse { day, keys: set }
        })
    }
}
