//! [`Read`] for every answer type and what it contains: each field read by its JSON name with
//! the reader its `#[serde(deserialize_with)]` names (see `lenient`), so that serde's derived
//! reader and this one read the same (tests/model_golden.rs compares them). Fields are listed in
//! the order of their JSON names: the first field that fails is the one serde's reader (which
//! saw the members in that order) reported. Written out once from the serde attributes; a field
//! added to a struct fails to compile here until it is read.

use super::lenient::{read, Members, Read};
use super::*;

impl Read for MessagesPage {
    fn read(m: &Members<'_>) -> Result<Self, String> {
        Ok(Self {
            cursor: read::cursor(m.value("cursor")),
            has_more: read::flag(m.value("hasMore")),
            messages: read::list(m.raw("messages")),
            note: read::opt_string(m.value("note")),
            participants: read::list(m.raw("participants")),
            skipped: read::list(m.raw("skipped")),
            success: read::flag(m.value("success")),
        })
    }
}

impl Read for ConversationsPage {
    fn read(m: &Members<'_>) -> Result<Self, String> {
        Ok(Self {
            accounts: read::list(m.raw("accounts")),
            conversations: read::list(m.raw("conversations")),
            from_cache: read::opt_flag(m.value("fromCache")),
            has_more: read::flag(m.value("hasMore")),
            next_cursor: read::cursor(m.value("nextCursor")),
            skipped: read::list(m.raw("skipped")),
            success: read::flag(m.value("success")),
        })
    }
}

impl Read for RecentMessagesPage {
    fn read(m: &Members<'_>) -> Result<Self, String> {
        Ok(Self {
            account_id: read::opt_string(m.value("accountId")),
            accounts: read::list(m.raw("accounts")),
            conversations: read::list(m.raw("conversations")),
            from_cache: read::opt_flag(m.value("fromCache")),
            has_more: read::opt_flag(m.value("hasMore")),
            next_cursor: read::cursor(m.value("nextCursor")),
            profile_urn: read::opt_string(m.value("profileUrn")),
            skipped: read::list(m.raw("skipped")),
            success: read::flag(m.value("success")),
            total: read::opt_count(m.value("total")),
        })
    }
}

impl Read for SendResponse {
    fn read(m: &Members<'_>) -> Result<Self, String> {
        Ok(Self {
            account_id: read::opt_string(m.value("accountId")),
            conversation_urn: read::opt_string(m.value("conversationUrn")),
            message: read::opt_string(m.value("message")),
            message_id: read::opt_string(m.value("messageId")),
            recipient_profile_urn: read::opt_string(m.value("recipientProfileUrn")),
            sent_message: read::object(m.raw("sentMessage")),
            success: read::flag(m.value("success")),
            thread_id: read::opt_string(m.value("threadId")),
        })
    }
}

impl Read for Account {
    fn read(m: &Members<'_>) -> Result<Self, String> {
        Ok(Self {
            api_seat_allocated: read::flag(m.value("apiSeatAllocated")),
            enabled: read::flag(m.value("enabled")),
            first_name: read::string(m.value("firstName")),
            id: read::string(m.value("id")),
            last_name: read::string(m.value("lastName")),
            picture: read::opt_string(m.value("picture")),
            public_id: read::opt_string(m.value("publicId")),
            status: read::parsed(m.value("status")),
        })
    }
}

impl Read for ReactResponse {
    fn read(m: &Members<'_>) -> Result<Self, String> {
        Ok(Self {
            emoji: read::string(m.value("emoji")),
            message_urn: read::string(m.value("messageUrn")),
            react: read::flag(m.value("react")),
            success: read::flag(m.value("success")),
        })
    }
}

impl Read for RecallResponse {
    fn read(m: &Members<'_>) -> Result<Self, String> {
        Ok(Self {
            message_urn: read::string(m.value("messageUrn")),
            success: read::flag(m.value("success")),
        })
    }
}

impl Read for UploadResponse {
    fn read(m: &Members<'_>) -> Result<Self, String> {
        Ok(Self {
            attachment: read::object_or_default(m.raw("attachment")),
            success: read::flag(m.value("success")),
        })
    }
}

impl Read for PremiumStatus {
    fn read(m: &Members<'_>) -> Result<Self, String> {
        Ok(Self {
            account_id: read::string(m.value("accountId")),
            account_name: read::opt_string(m.value("accountName")),
            has_advertise_badge: read::flag(m.value("hasAdvertiseBadge")),
            has_away_messages: read::flag(m.value("hasAwayMessages")),
            has_hiring_manager: read::flag(m.value("hasHiringManager")),
            has_recruiter: read::flag(m.value("hasRecruiter")),
            has_sales_navigator: read::flag(m.value("hasSalesNavigator")),
            is_premium: read::flag(m.value("isPremium")),
            premium_type: read::opt_string(m.value("premiumType")),
            success: read::flag(m.value("success")),
        })
    }
}

impl Read for Message {
    fn read(m: &Members<'_>) -> Result<Self, String> {
        Ok(Self {
            attachments: read::list(m.raw("attachments")),
            has_attachment: read::flag(m.value("hasAttachment")),
            is_sent_by_owner: read::flag(m.value("isSentByOwner")),
            message_id: read::opt_string(m.value("messageId")),
            message_urn: read::string(m.value("messageUrn")),
            reactions: read::list(m.raw("reactions")),
            sender_name: read::opt_string(m.value("senderName")),
            sender_photo: read::opt_string(m.value("senderPhoto")),
            sender_profile_id: read::opt_string(m.value("senderProfileId")),
            sent_at: read::timestamp(m.raw("sentAt"))?,
            subject: read::opt_string(m.value("subject")),
            text: read::string(m.value("text")),
        })
    }
}

impl Read for Attachment {
    fn read(m: &Members<'_>) -> Result<Self, String> {
        Ok(Self {
            asset_urn: read::string(m.value("assetUrn")),
            byte_size: read::size(m.value("byteSize")),
            media_type: read::string(m.value("mediaType")),
            name: read::string(m.value("name")),
            url: read::web_url(m.value("url")),
        })
    }
}

impl Read for ReactionSummary {
    fn read(m: &Members<'_>) -> Result<Self, String> {
        Ok(Self {
            count: read::count(m.value("count")),
            emoji: read::string(m.value("emoji")),
            viewer_reacted: read::flag(m.value("viewerReacted")),
        })
    }
}

impl Read for Participant {
    fn read(m: &Members<'_>) -> Result<Self, String> {
        Ok(Self {
            backend_urn: read::opt_string(m.value("backendUrn")),
            distance: read::opt_string(m.value("distance")),
            headline: read::opt_string(m.value("headline")),
            host_identity_urn: read::opt_string(m.value("hostIdentityUrn")),
            member_badge_type: read::opt_string(m.value("memberBadgeType")),
            name: read::opt_string(m.value("name")),
            participant_urn: read::opt_string(m.value("participantUrn")),
            profile_id: read::string(m.value("profileId")),
            profile_picture: read::opt_string(m.value("profilePicture")),
            profile_url: read::web_url(m.value("profileUrl")),
        })
    }
}

impl Read for Conversation {
    fn read(m: &Members<'_>) -> Result<Self, String> {
        Ok(Self {
            account_id: read::opt_string(m.value("accountId")),
            backend_conversation_urn: read::opt_string(m.value("backendConversationUrn")),
            conversation_id: read::opt_string(m.value("conversationId")),
            conversation_url: read::web_url(m.value("conversationUrl")),
            conversation_urn: read::string(m.value("conversationUrn")),
            created_at: read::opt_timestamp(m.value("createdAt")),
            is_read: read::opt_flag(m.value("isRead")),
            last_activity_at: read::opt_timestamp(m.value("lastActivityAt")),
            last_read_at: read::opt_timestamp(m.value("lastReadAt")),
            latest_message: read::object(m.raw("latestMessage")),
            participants: read::list(m.raw("participants")),
            sales_nav_thread_id: read::opt_string(m.value("salesNavThreadId")),
            source: read::opt_parsed(m.value("source")),
            state: read::opt_string(m.value("state")),
            unread_count: read::count(m.value("unreadCount")),
        })
    }
}

impl Read for LatestMessage {
    fn read(m: &Members<'_>) -> Result<Self, String> {
        Ok(Self {
            backend_message_urn: read::opt_string(m.value("backendMessageUrn")),
            has_attachment: read::flag(m.value("hasAttachment")),
            message_urn: read::opt_string(m.value("messageUrn")),
            sender_name: read::opt_string(m.value("senderName")),
            sender_profile_url: read::web_url(m.value("senderProfileUrl")),
            sender_urn: read::opt_string(m.value("senderUrn")),
            sent_at: read::opt_timestamp(m.value("sentAt")),
            text: read::opt_string(m.value("text")),
        })
    }
}

impl Read for AccountRef {
    fn read(m: &Members<'_>) -> Result<Self, String> {
        Ok(Self {
            id: read::string(m.value("id")),
            name: read::opt_string(m.value("name")),
        })
    }
}

impl Read for SkippedItem {
    fn read(m: &Members<'_>) -> Result<Self, String> {
        Ok(Self {
            id: m.plain_opt("id")?,
            index: m.plain("index")?,
            reason: m.plain("reason")?,
        })
    }
}

impl Read for SentMessage {
    fn read(m: &Members<'_>) -> Result<Self, String> {
        Ok(Self {
            is_sent_by_owner: read::flag(m.value("isSentByOwner")),
            message_id: read::opt_string(m.value("messageId")),
            message_urn: read::opt_string(m.value("messageUrn")),
            sender_name: read::opt_string(m.value("senderName")),
            sender_photo: read::opt_string(m.value("senderPhoto")),
            sender_profile_id: read::opt_string(m.value("senderProfileId")),
            sent_at: read::opt_timestamp(m.value("sentAt")),
            text: read::opt_string(m.value("text")),
        })
    }
}
