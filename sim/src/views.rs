//! How one account sees the world: its URNs (the mailbox prefix is the viewing account), unread
//! counts, reaction tallies, and the model types every answer is serialized with.

use threadline::model::{
    Conversation, ConversationSource, LatestMessage, Message, Participant, ReactionSummary,
};

use crate::world::{AccountRec, Msg, Person, Thread, UrnStyle, World};

/// The conversation URN this account's API lists the thread under.
pub fn conversation_urn(t: &Thread, viewer: &AccountRec) -> String {
    if t.sales_navigator {
        return format!("urn:li:salesNav_thread:{}", t.thread_id);
    }
    match t.style {
        UrnStyle::MsgConversation => tuple_conversation_urn(t, viewer),
        UrnStyle::MessagingThread => format!("urn:li:messagingThread:{}", t.thread_id),
        UrnStyle::FsConversation => format!("urn:li:fs_conversation:{}", t.thread_id),
        UrnStyle::FsdConversation => format!("urn:li:fsd_conversation:{}", t.thread_id),
    }
}

/// `urn:li:msg_conversation:(urn:li:fsd_profile:MAILBOX,T)`.
pub fn tuple_conversation_urn(t: &Thread, viewer: &AccountRec) -> String {
    format!(
        "urn:li:msg_conversation:(urn:li:fsd_profile:{},{})",
        viewer.profile_id, t.thread_id
    )
}

/// The message URN this account's API lists the message under.
pub fn message_urn(t: &Thread, m: &Msg, viewer: &AccountRec) -> String {
    if t.sales_navigator {
        return format!("urn:li:messagingMessage:{}", m.id);
    }
    match t.style {
        UrnStyle::MsgConversation => tuple_message_urn(m, viewer),
        UrnStyle::MessagingThread => format!("urn:li:messagingMessage:{}", m.id),
        UrnStyle::FsConversation => format!("urn:li:fs_event:({},{})", t.thread_id, m.id),
        UrnStyle::FsdConversation => format!("urn:li:fsd_message:{}", m.id),
    }
}

/// `urn:li:msg_message:(urn:li:fsd_profile:MAILBOX,M)`, the form LinkedIn's page carries.
pub fn tuple_message_urn(m: &Msg, viewer: &AccountRec) -> String {
    format!(
        "urn:li:msg_message:(urn:li:fsd_profile:{},{})",
        viewer.profile_id, m.id
    )
}

/// Messages from others after the account last read the thread.
pub fn unread_count(t: &Thread, viewer: &AccountRec) -> u32 {
    let read_at = t.read_at.get(&viewer.id).copied().unwrap_or(i64::MIN);
    t.live_messages()
        .filter(|m| m.sender != viewer.profile_id && m.sent_at > read_at)
        .count() as u32
}

pub fn profile_url(p: &Person) -> String {
    format!("https://www.linkedin.com/in/{}", p.public_id)
}

pub fn avatar_url(w: &World, p: &Person) -> String {
    format!("{}/__sim/avatar/{}.svg", w.public_base, p.profile_id)
}

fn others<'a>(w: &'a World, t: &'a Thread, viewer: &'a AccountRec) -> Vec<&'a Person> {
    t.members
        .iter()
        .filter(|pid| **pid != viewer.profile_id)
        .filter_map(|pid| w.person(pid))
        .collect()
}

/// Participants as `GET /conversations` lists them.
pub fn list_participants(w: &World, t: &Thread, viewer: &AccountRec) -> Vec<Participant> {
    others(w, t, viewer)
        .into_iter()
        .map(|p| Participant {
            profile_id: p.profile_id.clone(),
            name: Some(p.name()),
            headline: Some(p.headline.clone()),
            profile_url: Some(profile_url(p)),
            profile_picture: Some(avatar_url(w, p)),
            distance: Some(p.distance.clone()),
            ..Default::default()
        })
        .collect()
}

/// Participants as the messages page lists them (the seed's smaller shape).
pub fn message_participants(w: &World, t: &Thread, viewer: &AccountRec) -> Vec<Participant> {
    others(w, t, viewer)
        .into_iter()
        .map(|p| Participant {
            profile_id: p.profile_id.clone(),
            name: Some(p.name()),
            headline: Some(p.headline.clone()),
            profile_picture: Some(avatar_url(w, p)),
            ..Default::default()
        })
        .collect()
}

/// One conversation as `GET /conversations` lists it for `viewer`.
pub fn conversation(w: &World, t: &Thread, viewer: &AccountRec, batch: bool) -> Conversation {
    let latest = t.live_messages().next_back().map(|m| LatestMessage {
        text: Some(m.text.clone()),
        sent_at: Some(m.sent_at),
        sender_name: w.person(&m.sender).map(Person::name),
        has_attachment: !m.attachments.is_empty(),
        ..Default::default()
    });
    Conversation {
        conversation_urn: conversation_urn(t, viewer),
        conversation_id: Some(t.thread_id.clone()),
        last_activity_at: Some(t.last_activity()),
        unread_count: unread_count(t, viewer),
        participants: list_participants(w, t, viewer),
        latest_message: latest,
        source: t
            .sales_navigator
            .then_some(ConversationSource::SalesNavigator),
        sales_nav_thread_id: t.sales_navigator.then(|| t.thread_id.clone()),
        account_id: batch.then(|| viewer.id.clone()),
        ..Default::default()
    }
}

/// One conversation in the richer shape of `GET /messaging/recent-messages` (seed 003).
pub fn recent_conversation(w: &World, t: &Thread, viewer: &AccountRec) -> Conversation {
    let participants = others(w, t, viewer)
        .into_iter()
        .map(|p| Participant {
            profile_id: p.profile_id.clone(),
            name: Some(p.name()),
            headline: Some(p.headline.clone()),
            profile_url: Some(profile_url(p)),
            profile_picture: Some(avatar_url(w, p)),
            distance: Some(p.distance.clone()),
            member_badge_type: None,
            participant_urn: Some(format!(
                "urn:li:msg_messagingParticipant:urn:li:fsd_profile:{}",
                p.profile_id
            )),
            backend_urn: Some(format!("urn:li:member:{}", p.member_id)),
            host_identity_urn: Some(format!("urn:li:fsd_profile:{}", p.profile_id)),
        })
        .collect();
    let latest = t.live_messages().next_back().map(|m| {
        let sender = w.person(&m.sender);
        LatestMessage {
            message_urn: Some(if t.sales_navigator {
                message_urn(t, m, viewer)
            } else {
                tuple_message_urn(m, viewer)
            }),
            backend_message_urn: Some(format!("urn:li:messagingMessage:{}", m.id)),
            text: Some(m.text.clone()),
            sent_at: Some(m.sent_at),
            sender_name: sender.map(Person::name),
            sender_profile_url: sender.map(profile_url),
            sender_urn: Some(format!(
                "urn:li:msg_messagingParticipant:urn:li:fsd_profile:{}",
                m.sender
            )),
            has_attachment: !m.attachments.is_empty(),
        }
    });
    let unread = unread_count(t, viewer);
    let (urn, backend, url) = if t.sales_navigator {
        (conversation_urn(t, viewer), None, None)
    } else {
        (
            tuple_conversation_urn(t, viewer),
            Some(format!("urn:li:messagingThread:{}", t.thread_id)),
            Some(format!(
                "https://www.linkedin.com/messaging/thread/{}/",
                t.thread_id
            )),
        )
    };
    Conversation {
        conversation_urn: urn,
        conversation_id: Some(t.thread_id.clone()),
        backend_conversation_urn: backend,
        conversation_url: url,
        last_activity_at: Some(t.last_activity()),
        created_at: Some(t.created_at),
        last_read_at: t.read_at.get(&viewer.id).copied(),
        is_read: Some(unread == 0),
        state: None,
        unread_count: unread,
        participants,
        latest_message: latest,
        source: t
            .sales_navigator
            .then_some(ConversationSource::SalesNavigator),
        sales_nav_thread_id: t.sales_navigator.then(|| t.thread_id.clone()),
        account_id: None,
    }
}

/// Reaction tallies as `viewer` sees them.
pub fn reactions(m: &Msg, viewer: &AccountRec) -> Vec<ReactionSummary> {
    m.reactions
        .iter()
        .filter(|(_, who)| !who.is_empty())
        .map(|(emoji, who)| ReactionSummary {
            emoji: emoji.clone(),
            count: who.len() as u32,
            viewer_reacted: who.contains(&viewer.profile_id),
        })
        .collect()
}

/// One message as the messages page lists it for `viewer`.
pub fn message(w: &World, t: &Thread, m: &Msg, viewer: &AccountRec) -> Message {
    let sender = w.person(&m.sender);
    Message {
        message_urn: message_urn(t, m, viewer),
        message_id: None,
        text: m.text.clone(),
        sent_at: m.sent_at,
        sender_profile_id: Some(m.sender.clone()),
        sender_name: sender.map(Person::name),
        sender_photo: sender.map(|p| avatar_url(w, p)),
        is_sent_by_owner: m.sender == viewer.profile_id,
        has_attachment: !m.attachments.is_empty(),
        attachments: m.attachments.clone(),
        reactions: reactions(m, viewer),
        subject: m.subject.clone(),
    }
}
