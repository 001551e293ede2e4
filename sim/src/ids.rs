//! The simulator's keys for conversations, messages and profiles, taken from whatever URN form a
//! client sends (percent-encoded or not, any mailbox prefix), through the core's `urn` module so the
//! server and the client normalize alike.

use threadline::urn::{self, ConversationId, MessageId, ProfileId};

/// Conversation key of any conversation URN, thread URL or bare thread id.
pub fn conversation(raw: &str) -> Option<ConversationId> {
    ConversationId::parse(raw).ok()
}

/// Prefix-independent key of any message URN form or bare `2-…` id.
pub fn message(raw: &str) -> Option<MessageId> {
    MessageId::parse(raw).ok()
}

/// Key of any profile URN form (`fsd_profile`, `fs_miniProfile`, `member`).
pub fn profile(raw: &str) -> Option<ProfileId> {
    ProfileId::parse(raw).ok()
}

/// Percent-encode one path segment (for links the simulator renders).
pub fn encode_segment(s: &str) -> String {
    urn::encode_path_segment(s)
}
