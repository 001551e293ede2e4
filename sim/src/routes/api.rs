//! The contract's endpoints: each handler extracts its inputs, then runs its operation through the
//! gate (faults, auth, ledger) against the world. Answers are the core's `threadline::model` types.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap};
use axum::response::Response;
use axum::Extension;
use serde::de::DeserializeOwned;
use threadline::api::Op;
use threadline::model::{
    Account, AccountRef, Attachment, ConversationsPage, MessagesPage, MessagingChannel,
    PremiumStatus, ReactRequest, ReactResponse, RecallResponse, RecentMessagesPage, SendRequest,
    SendResponse, SentMessage, ServerEventKind, UploadResponse, MAX_ATTACHMENT_BYTES,
    MAX_MESSAGE_CHARS,
};

use crate::error::SimError;
use crate::gate::gate;
use crate::limits;
use crate::server::ConnKill;
use crate::state::Sim;
use crate::views;
use crate::world::{AccountRec, Msg, MsgRef, Person, Thread, UrnStyle, World};

type Q = Result<Query<HashMap<String, String>>, QueryRejection>;
type Conn = Option<Extension<ConnKill>>;

/// Conversations the server "has in its store"; later pages come from "LinkedIn".
const STORE_PAGE_LIMIT: usize = 20;
/// Recall is allowed this long after sending.
pub const RECALL_WINDOW_MS: i64 = 60 * 60 * 1000;

fn query(q: Q) -> Result<HashMap<String, String>, SimError> {
    q.map(|Query(q)| q)
        .map_err(|e| SimError::bad("bad_query", format!("Invalid query string: {e}")))
}

fn path<T>(p: Result<Path<T>, PathRejection>) -> Result<T, SimError> {
    p.map(|Path(v)| v)
        .map_err(|e| SimError::bad("bad_path", format!("Invalid path: {e}")))
}

fn json_body<T: DeserializeOwned>(body: &Bytes) -> Result<T, SimError> {
    serde_json::from_slice(body)
        .map_err(|e| SimError::bad("invalid_body", format!("Invalid JSON body: {e}")))
}

fn opt<'a>(q: &'a HashMap<String, String>, name: &str) -> Option<&'a str> {
    q.get(name).map(|s| s.trim()).filter(|s| !s.is_empty())
}

fn number<T: std::str::FromStr>(
    q: &HashMap<String, String>,
    name: &str,
) -> Result<Option<T>, SimError> {
    opt(q, name)
        .map(|s| {
            s.parse::<T>()
                .map_err(|_| SimError::bad("bad_query", format!("{name} must be a number: {s:?}")))
        })
        .transpose()
}

fn count(q: &HashMap<String, String>, default: usize) -> Result<usize, SimError> {
    let n = number::<usize>(q, "count")?.unwrap_or(default);
    if n == 0 || n > 100 {
        return Err(SimError::bad(
            "bad_query",
            "count must be between 1 and 100",
        ));
    }
    Ok(n)
}

fn flag(q: &HashMap<String, String>, name: &str) -> Result<Option<bool>, SimError> {
    match opt(q, name) {
        None => Ok(None),
        Some("true") | Some("1") => Ok(Some(true)),
        Some("false") | Some("0") => Ok(Some(false)),
        Some(s) => Err(SimError::bad(
            "bad_query",
            format!("{name} must be \"true\" or \"false\": {s:?}"),
        )),
    }
}

fn account(w: &World, id: Option<&str>) -> Result<AccountRec, SimError> {
    w.account_or_default(id).cloned().ok_or_else(|| {
        SimError::not_found(
            "account_not_found",
            format!("Account not found: {}", id.unwrap_or("(default)")),
        )
    })
}

fn thread_for(w: &World, raw: &str, viewer: &AccountRec) -> Result<usize, SimError> {
    w.thread_index(raw)
        .filter(|&ti| w.sees(viewer, ti))
        .ok_or_else(|| {
            SimError::not_found(
                "conversation_not_found",
                format!("Conversation not found for this account: {raw}"),
            )
        })
}

fn message_in(w: &World, ti: usize, raw: &str) -> Result<MsgRef, SimError> {
    let r = w
        .message_ref(raw)
        .filter(|r| r.thread == ti)
        .ok_or_else(|| {
            SimError::not_found(
                "message_not_found",
                format!("Message not found in this conversation: {raw}"),
            )
        })?;
    Ok(r)
}

// ----- GET /conversations -----

pub async fn list_conversations(
    State(sim): State<Arc<Sim>>,
    conn: Conn,
    headers: HeaderMap,
    q: Q,
) -> Response {
    gate(&sim, Op::Conversations, &headers, conn.map(|e| e.0), |w| {
        conversations_page(w, &query(q)?)
    })
    .await
}

fn conversations_page(
    w: &World,
    q: &HashMap<String, String>,
) -> Result<ConversationsPage, SimError> {
    let batch = opt(q, "linkedinAccountIds");
    let accounts: Vec<AccountRec> = match batch {
        Some(list) => list
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|id| account(w, Some(id)))
            .collect::<Result<_, _>>()?,
        None => vec![account(w, opt(q, "accountId"))?],
    };
    let count = count(q, 20)?;
    let label = opt(q, "labelId");
    let labeled_only = flag(q, "labeledOnly")?.unwrap_or(false);
    let unread_only = flag(q, "unreadOnly")?.unwrap_or(false);

    // Sort key: newest activity first, then account, then thread.
    let mut items: Vec<(i64, usize, usize)> = Vec::new();
    for a in &accounts {
        let ai = w
            .data
            .accounts
            .iter()
            .position(|x| x.id == a.id)
            .unwrap_or(0);
        for (ti, t) in w.data.threads.iter().enumerate() {
            if !w.sees(a, ti) {
                continue;
            }
            if label.is_some_and(|l| !t.labels.iter().any(|x| x == l)) {
                continue;
            }
            if labeled_only && t.labels.is_empty() {
                continue;
            }
            if unread_only && views::unread_count(t, a) == 0 {
                continue;
            }
            items.push((-t.last_activity(), ai, ti));
        }
    }
    items.sort();
    items.dedup();

    let raw_cursor = opt(q, "nextCursor");
    let from_linkedin = raw_cursor.is_some_and(|c| c.starts_with("linkedin:"));
    let start = match raw_cursor {
        None => 0,
        Some(c) => {
            let key = parse_list_cursor(c.trim_start_matches("linkedin:"))?;
            items.partition_point(|it| *it <= key)
        }
    };
    // Pages fetched from "LinkedIn" come a third short, yet `hasMore` stays true.
    let take = if from_linkedin {
        (count * 2 / 3).max(1)
    } else {
        count
    };
    let end = (start + take).min(items.len());
    let page = &items[start.min(end)..end];
    let has_more = end < items.len();
    let next_cursor = match (has_more, page.last()) {
        (true, Some(&(neg_ts, ai, ti))) => {
            let prefix = if end >= STORE_PAGE_LIMIT {
                "linkedin:"
            } else {
                ""
            };
            Some(format!("{prefix}{}~{ai}~{ti}", -neg_ts))
        }
        _ => None,
    };
    let conversations = page
        .iter()
        .map(|&(_, ai, ti)| {
            views::conversation(
                w,
                &w.data.threads[ti],
                &w.data.accounts[ai],
                batch.is_some(),
            )
        })
        .collect();
    Ok(ConversationsPage {
        success: true,
        conversations,
        accounts: accounts
            .iter()
            .map(|a| AccountRef {
                id: a.id.clone(),
                name: w.person(&a.profile_id).map(Person::name),
            })
            .collect(),
        next_cursor,
        has_more,
        from_cache: Some(!from_linkedin),
        skipped: Vec::new(),
    })
}

fn parse_list_cursor(c: &str) -> Result<(i64, usize, usize), SimError> {
    let bad = || SimError::bad("bad_cursor", format!("Invalid nextCursor: {c:?}"));
    let mut parts = c.split('~');
    let ts: i64 = parts.next().and_then(|s| s.parse().ok()).ok_or_else(bad)?;
    let ai: usize = parts.next().and_then(|s| s.parse().ok()).ok_or_else(bad)?;
    let ti: usize = parts.next().and_then(|s| s.parse().ok()).ok_or_else(bad)?;
    Ok((-ts, ai, ti))
}

// ----- GET /messaging/recent-messages -----

pub async fn recent_messages(
    State(sim): State<Arc<Sim>>,
    conn: Conn,
    headers: HeaderMap,
    uri: axum::http::Uri,
    q: Q,
) -> Response {
    if sim.dialect().dialect == crate::dialect::Dialect::Mixed {
        // Deprecated: the reference says it now answers 307 to `GET /conversations`.
        return crate::dialect::recent_messages_redirect(uri.query().unwrap_or(""));
    }
    gate(&sim, Op::RecentMessages, &headers, conn.map(|e| e.0), |w| {
        recent_page(w, &query(q)?)
    })
    .await
}

fn recent_page(w: &World, q: &HashMap<String, String>) -> Result<RecentMessagesPage, SimError> {
    let viewer = account(w, opt(q, "accountId"))?;
    let count = count(q, 20)?;
    let read = flag(q, "read")?;
    let words: Vec<String> = opt(q, "keywords")
        .map(|k| k.split_whitespace().map(str::to_lowercase).collect())
        .unwrap_or_default();
    let offset = match opt(q, "nextCursor") {
        None => 0,
        Some(c) => c
            .parse::<usize>()
            .map_err(|_| SimError::bad("bad_cursor", format!("Invalid nextCursor: {c:?}")))?,
    };
    let mut matching: Vec<usize> = (0..w.data.threads.len())
        .filter(|&ti| w.sees(&viewer, ti))
        .filter(|&ti| {
            let t = &w.data.threads[ti];
            let unread = views::unread_count(t, &viewer);
            read.is_none_or(|want_read| want_read == (unread == 0))
                && (words.is_empty() || matches_words(w, t, &words))
        })
        .collect();
    matching.sort_by_key(|&ti| (-w.data.threads[ti].last_activity(), ti));
    let total = matching.len();
    let end = (offset + count).min(total);
    let conversations = matching[offset.min(end)..end]
        .iter()
        .map(|&ti| views::recent_conversation(w, &w.data.threads[ti], &viewer))
        .collect();
    Ok(RecentMessagesPage {
        success: true,
        account_id: Some(viewer.id.clone()),
        profile_urn: Some(format!("urn:li:fsd_profile:{}", viewer.profile_id)),
        conversations,
        total: Some(total as u64),
        next_cursor: (end < total).then(|| end.to_string()),
        accounts: Vec::new(),
        has_more: None,
        from_cache: None,
        skipped: Vec::new(),
    })
}

fn matches_words(w: &World, t: &Thread, words: &[String]) -> bool {
    let mut hay = String::new();
    for pid in &t.members {
        if let Some(p) = w.person(pid) {
            hay.push_str(&p.name().to_lowercase());
            hay.push('\n');
        }
    }
    for m in t.live_messages() {
        hay.push_str(&m.text.to_lowercase());
        hay.push('\n');
    }
    words.iter().all(|word| hay.contains(word.as_str()))
}

// ----- GET /conversations/{c}/messages -----

pub async fn messages(
    State(sim): State<Arc<Sim>>,
    conn: Conn,
    headers: HeaderMap,
    c: Result<Path<String>, PathRejection>,
    q: Q,
) -> Response {
    gate(&sim, Op::Messages, &headers, conn.map(|e| e.0), |w| {
        messages_page(w, &path(c)?, &query(q)?)
    })
    .await
}

fn messages_page(
    w: &World,
    conv: &str,
    q: &HashMap<String, String>,
) -> Result<MessagesPage, SimError> {
    let viewer = account(w, opt(q, "accountId"))?;
    let ti = thread_for(w, conv, &viewer)?;
    let count = count(q, 50)?;
    let since = number::<i64>(q, "since")?;
    let cursor = match opt(q, "cursor") {
        None => None,
        Some(c) => Some(
            c.trim_start_matches("linkedin:")
                .parse::<i64>()
                .map_err(|_| SimError::bad("bad_cursor", format!("Invalid cursor: {c:?}")))?,
        ),
    };
    flag(q, "sync")?;
    let t = &w.data.threads[ti];
    let live: Vec<&Msg> = t
        .live_messages()
        .filter(|m| since.is_none_or(|s| m.sent_at > s))
        .collect();

    let (page, has_more, next_cursor, note): (Vec<&Msg>, bool, Option<String>, &str) =
        match (since, cursor) {
            (Some(_), None) => {
                // Polling: the oldest `count` of the newer messages; `hasMore` means more newer.
                let page: Vec<&Msg> = live.iter().take(count).copied().collect();
                let more = live.len() > page.len();
                (page, more, None, "Newer messages from the store (since)")
            }
            _ => {
                let older: Vec<&Msg> = live
                    .iter()
                    .filter(|m| cursor.is_none_or(|c| m.sent_at < c))
                    .copied()
                    .collect();
                // Some pages fetched from "LinkedIn" come short, yet `hasMore` stays true.
                let take =
                    if cursor.is_some() && older.len() > count && (older.len() / count) % 3 == 1 {
                        (count / 2).max(1)
                    } else {
                        count
                    };
                let page: Vec<&Msg> = older[older.len().saturating_sub(take)..].to_vec();
                let more = older.len() > page.len();
                let next = page.first().filter(|_| more).map(|m| m.sent_at.to_string());
                let note = if cursor.is_some() {
                    "Older messages fetched from LinkedIn (cursor pagination)"
                } else {
                    "Served from the store"
                };
                (page, more, next, note)
            }
        };
    Ok(MessagesPage {
        success: true,
        messages: page
            .into_iter()
            .map(|m| views::message(w, t, m, &viewer))
            .collect(),
        participants: views::message_participants(w, t, &viewer),
        has_more,
        cursor: next_cursor,
        note: Some(note.into()),
        skipped: Vec::new(),
    })
}

// ----- POST /conversations/send -----

pub async fn send(
    State(sim): State<Arc<Sim>>,
    conn: Conn,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    gate(&sim, Op::Send, &headers, conn.map(|e| e.0), |w| {
        do_send(w, json_body(&body)?)
    })
    .await
}

/// Where a send goes.
enum Target {
    Existing(usize),
    New {
        recipient: String,
        sales_navigator: bool,
    },
}

fn do_send(w: &mut World, req: SendRequest) -> Result<SendResponse, SimError> {
    let acct = account(w, req.account_id.as_deref())?;
    let text = req.message.clone();
    if text.trim().is_empty() && req.attachments.is_empty() {
        return Err(SimError::bad("message_required", "message is required"));
    }
    let chars = text.chars().count();
    if chars > MAX_MESSAGE_CHARS {
        return Err(SimError::bad(
            "message_too_long",
            format!("message is {chars} characters; LinkedIn accepts at most {MAX_MESSAGE_CHARS}"),
        ));
    }
    if req
        .subject
        .as_ref()
        .is_some_and(|s| s.chars().count() > 200)
    {
        return Err(SimError::bad(
            "subject_too_long",
            "subject is longer than 200 characters",
        ));
    }
    let mut attachments: Vec<Attachment> = Vec::new();
    for a in &req.attachments {
        let stored = w.data.assets.get(a.file.asset_urn.trim()).ok_or_else(|| {
            SimError::bad(
                "attachment_not_found",
                format!(
                    "Attachment {:?} was not uploaded: upload it with \
                     POST /conversations/upload-attachment first",
                    a.file.asset_urn
                ),
            )
        })?;
        attachments.push(stored.attachment.clone());
    }
    let channel = req.messaging_channel.unwrap_or_default();
    if channel == MessagingChannel::SalesNavigator && !acct.sales_navigator {
        return Err(SimError::bad(
            "sales_navigator_unavailable",
            "This account has no active Sales Navigator subscription; \
             use messagingChannel \"linkedin_inbox\" or \"auto\"",
        ));
    }
    let target = resolve_target(w, &acct, &req, channel)?;
    if matches!(target, Target::New { .. }) {
        limits::check_quota(w, &acct.id)?;
    }
    limits::take_write(w, &acct.id)?;

    let now = w.now();
    let ti = match target {
        Target::Existing(ti) => ti,
        Target::New {
            recipient,
            sales_navigator,
        } => {
            let n = w.next_asset_number();
            let thread_id = if sales_navigator {
                format!("sn-{:08x}{:08x}", now as u64 & 0xffff_ffff, n)
            } else {
                format!(
                    "2-{}",
                    crate::seed::base64(format!("sim-thread-{now}-{n}_100").as_bytes())
                )
            };
            w.add_thread(Thread {
                thread_id,
                sales_navigator,
                style: UrnStyle::MsgConversation,
                members: vec![acct.profile_id.clone(), recipient],
                created_at: now,
                opened_by: Some(acct.id.clone()),
                messages: Vec::new(),
                read_at: Default::default(),
                labels: Vec::new(),
            })
        }
    };
    let sent_at = w.data.threads[ti].next_stamp(now);
    let id = w.new_message_id(sent_at);
    let r = w.push_message(
        ti,
        Msg {
            id,
            sender: acct.profile_id.clone(),
            text: text.clone(),
            sent_at,
            subject: req.subject.clone().filter(|s| !s.trim().is_empty()),
            attachments,
            reactions: Default::default(),
            recalled: false,
        },
    );
    w.mark_read(ti, &acct);

    let t = &w.data.threads[ti];
    let m = &t.messages[r.msg];
    let me = w.person(&acct.profile_id);
    let recipient = t
        .members
        .iter()
        .find(|p| **p != acct.profile_id)
        .map(|p| format!("urn:li:fsd_profile:{p}"));
    Ok(SendResponse {
        success: true,
        message: Some(text),
        recipient_profile_urn: recipient,
        sent_message: Some(SentMessage {
            message_urn: Some(views::message_urn(t, m, &acct)),
            text: Some(m.text.clone()),
            sent_at: Some(m.sent_at),
            sender_profile_id: Some(acct.profile_id.clone()),
            sender_name: me.map(Person::name),
            sender_photo: me.map(|p| views::avatar_url(w, p)),
            is_sent_by_owner: true,
            message_id: None,
        }),
        thread_id: t.sales_navigator.then(|| t.thread_id.clone()),
        conversation_urn: Some(views::conversation_urn(t, &acct)),
        account_id: Some(acct.id.clone()),
        message_id: None,
    })
}

fn resolve_target(
    w: &mut World,
    acct: &AccountRec,
    req: &SendRequest,
    channel: MessagingChannel,
) -> Result<Target, SimError> {
    if let Some(conv) = req
        .conversation_urn
        .as_deref()
        .filter(|s| !s.trim().is_empty())
    {
        let ti = thread_for(w, conv, acct)?;
        let sn = w.data.threads[ti].sales_navigator;
        return match (channel, sn) {
            (MessagingChannel::LinkedinInbox, true) => Err(SimError::bad(
                "channel_mismatch",
                "conversationUrn is a Sales Navigator thread but messagingChannel is linkedin_inbox",
            )),
            (MessagingChannel::SalesNavigator, false) => Err(SimError::bad(
                "channel_mismatch",
                "conversationUrn is an inbox thread but messagingChannel is sales_navigator",
            )),
            _ => Ok(Target::Existing(ti)),
        };
    }
    let recipient = if let Some(urn) = req
        .recipient_profile_urn
        .as_deref()
        .filter(|s| !s.trim().is_empty())
    {
        match w.person_by_urn(urn) {
            Some(pi) => w.data.people[pi].profile_id.clone(),
            None => new_person_from_urn(w, urn)?,
        }
    } else if let Some(slug) = req
        .recipient_profile_id
        .as_deref()
        .filter(|s| !s.trim().is_empty())
    {
        let pi = w
            .person_by_public_id(slug)
            .or_else(|| w.person_by_urn(slug))
            .ok_or_else(|| {
                SimError::not_found("profile_not_found", format!("Profile not found: {slug}"))
            })?;
        w.data.people[pi].profile_id.clone()
    } else {
        return Err(SimError::bad(
            "recipient_required",
            "one of conversationUrn, recipientProfileUrn or recipientProfileId is required",
        ));
    };
    if recipient == acct.profile_id {
        return Err(SimError::bad(
            "cannot_message_self",
            "You cannot message yourself",
        ));
    }
    let wants_sn = match channel {
        MessagingChannel::SalesNavigator => Some(true),
        MessagingChannel::LinkedinInbox => Some(false),
        MessagingChannel::Auto => None,
    };
    let one_to_one = |t: &Thread| {
        t.members.len() == 2
            && t.members.contains(&acct.profile_id)
            && t.members.contains(&recipient)
    };
    let mut existing: Vec<usize> = (0..w.data.threads.len())
        .filter(|&ti| w.sees(acct, ti) && one_to_one(&w.data.threads[ti]))
        .filter(|&ti| wants_sn.is_none_or(|sn| w.data.threads[ti].sales_navigator == sn))
        .collect();
    // Auto prefers the account's own channel when both threads exist.
    existing.sort_by_key(|&ti| w.data.threads[ti].sales_navigator != acct.sales_navigator);
    Ok(match existing.first() {
        Some(&ti) => Target::Existing(ti),
        None => Target::New {
            recipient,
            sales_navigator: wants_sn.unwrap_or(acct.sales_navigator),
        },
    })
}

/// A recipient the workspace does not know yet, named by an `fsd_profile`/`fs_miniProfile` URN.
fn new_person_from_urn(w: &mut World, urn: &str) -> Result<String, SimError> {
    let not_found =
        || SimError::not_found("profile_not_found", format!("Profile not found: {urn}"));
    let id = crate::ids::profile(urn).ok_or_else(|| {
        SimError::bad("invalid_profile_urn", format!("Not a profile URN: {urn:?}"))
    })?;
    let key = id.as_str().to_string();
    if !key.starts_with("ACo") {
        return Err(not_found());
    }
    let n = w.data.people.len() as u64;
    w.add_person(Person {
        profile_id: key.clone(),
        member_id: 990_000_000 + n,
        public_id: format!("member-{}", key.to_lowercase()),
        first_name: "New".into(),
        last_name: format!("Contact {n}"),
        headline: "LinkedIn member".into(),
        distance: "DISTANCE_2".into(),
    });
    Ok(key)
}

// ----- POST /conversations/{c}/messages/{m}/react -----

pub async fn react(
    State(sim): State<Arc<Sim>>,
    conn: Conn,
    headers: HeaderMap,
    p: Result<Path<(String, String)>, PathRejection>,
    q: Q,
    body: Bytes,
) -> Response {
    gate(&sim, Op::React, &headers, conn.map(|e| e.0), |w| {
        let (c, m) = path(p)?;
        do_react(w, &c, &m, &query(q)?, json_body(&body)?)
    })
    .await
}

fn do_react(
    w: &mut World,
    conv: &str,
    msg: &str,
    q: &HashMap<String, String>,
    req: ReactRequest,
) -> Result<ReactResponse, SimError> {
    let acct = account(w, opt(q, "accountId"))?;
    let ti = thread_for(w, conv, &acct)?;
    let r = message_in(w, ti, msg)?;
    if w.data.threads[ti].messages[r.msg].recalled {
        return Err(SimError::not_found(
            "message_not_found",
            "Message not found: it was recalled",
        ));
    }
    let emoji = req.emoji.trim().to_string();
    if emoji.is_empty() || emoji.chars().count() > 16 {
        return Err(SimError::bad(
            "invalid_emoji",
            "emoji is required: one fully qualified emoji such as \"👍\"",
        ));
    }
    limits::take_write(w, &acct.id)?;
    let m = &mut w.data.threads[ti].messages[r.msg];
    let changed = if req.react {
        m.reactions
            .entry(emoji.clone())
            .or_default()
            .insert(acct.profile_id.clone())
    } else {
        let removed = m
            .reactions
            .get_mut(&emoji)
            .is_some_and(|who| who.remove(&acct.profile_id));
        if m.reactions.get(&emoji).is_some_and(|who| who.is_empty()) {
            m.reactions.remove(&emoji);
        }
        removed
    };
    if changed {
        let now = w.now();
        w.announce(
            ServerEventKind::ReactionChanged,
            r,
            now,
            Some((emoji.clone(), req.react, acct.profile_id.clone())),
        );
    }
    let t = &w.data.threads[ti];
    Ok(ReactResponse {
        success: true,
        message_urn: views::message_urn(t, &t.messages[r.msg], &acct),
        emoji,
        react: req.react,
    })
}

// ----- DELETE /conversations/{c}/messages/{m} -----

pub async fn recall(
    State(sim): State<Arc<Sim>>,
    conn: Conn,
    headers: HeaderMap,
    p: Result<Path<(String, String)>, PathRejection>,
    q: Q,
) -> Response {
    gate(&sim, Op::Recall, &headers, conn.map(|e| e.0), |w| {
        let (c, m) = path(p)?;
        do_recall(w, &c, &m, &query(q)?)
    })
    .await
}

fn do_recall(
    w: &mut World,
    conv: &str,
    msg: &str,
    q: &HashMap<String, String>,
) -> Result<RecallResponse, SimError> {
    let acct = account(w, opt(q, "accountId"))?;
    let ti = thread_for(w, conv, &acct)?;
    let r = message_in(w, ti, msg)?;
    let now = w.now();
    let t = &w.data.threads[ti];
    let m = &t.messages[r.msg];
    let urn = views::message_urn(t, m, &acct);
    if m.sender != acct.profile_id {
        return Err(SimError::bad(
            "not_own_message",
            "Recall failed on LinkedIn: you can only recall your own messages",
        ));
    }
    if m.recalled {
        // Already gone: recalling again changes nothing and says so with success.
        return Ok(RecallResponse {
            success: true,
            message_urn: urn,
        });
    }
    if now - m.sent_at > RECALL_WINDOW_MS {
        return Err(SimError::bad(
            "recall_window_passed",
            "Recall failed on LinkedIn: a message can only be recalled within 60 minutes of sending",
        ));
    }
    limits::take_write(w, &acct.id)?;
    w.data.threads[ti].messages[r.msg].recalled = true;
    w.announce(ServerEventKind::MessageRecalled, r, now, None);
    Ok(RecallResponse {
        success: true,
        message_urn: urn,
    })
}

// ----- POST /conversations/upload-attachment -----

pub async fn upload(
    State(sim): State<Arc<Sim>>,
    conn: Conn,
    headers: HeaderMap,
    q: Q,
    body: Bytes,
) -> Response {
    let media_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "application/octet-stream".into());
    gate(&sim, Op::Upload, &headers, conn.map(|e| e.0), |w| {
        do_upload(w, &query(q)?, media_type, &body)
    })
    .await
}

fn do_upload(
    w: &mut World,
    q: &HashMap<String, String>,
    media_type: String,
    body: &[u8],
) -> Result<UploadResponse, SimError> {
    let acct = account(w, opt(q, "accountId"))?;
    if body.is_empty() {
        return Err(SimError::bad(
            "empty_file",
            "The request body (the file's bytes) is empty",
        ));
    }
    if body.len() as u64 > MAX_ATTACHMENT_BYTES {
        return Err(SimError::bad(
            "attachment_too_large",
            format!(
                "Attachment is {} bytes; the limit is {MAX_ATTACHMENT_BYTES} bytes (20 MB)",
                body.len()
            ),
        ));
    }
    let name = opt(q, "filename")
        .map(|f| f.rsplit(['/', '\\']).next().unwrap_or(f).to_string())
        .filter(|f| !f.is_empty())
        .unwrap_or_else(|| "attachment".into());
    let name: String = name.chars().take(255).collect();
    let photo = media_type.starts_with("image/");
    let n = w.next_asset_number();
    let urn = format!(
        "urn:li:digitalmediaAsset:{}-{n:06}",
        if photo { "photo" } else { "file" }
    );
    let attachment = Attachment {
        asset_urn: urn.clone(),
        byte_size: body.len() as u64,
        media_type,
        name,
        url: Some(format!(
            "{}/__sim/assets/{}",
            w.public_base,
            crate::ids::encode_segment(&urn)
        )),
    };
    w.data.assets.insert(
        urn,
        crate::world::Asset {
            attachment: attachment.clone(),
            account_id: acct.id.clone(),
            bytes: body.to_vec(),
        },
    );
    Ok(UploadResponse {
        success: true,
        attachment,
    })
}

// ----- GET /accounts, GET /account/{id}/premium -----

pub async fn accounts(
    State(sim): State<Arc<Sim>>,
    conn: Conn,
    headers: HeaderMap,
    q: Q,
) -> Response {
    gate(&sim, Op::Accounts, &headers, conn.map(|e| e.0), |w| {
        let q = query(q)?;
        let needle = opt(&q, "q").map(str::to_lowercase);
        Ok(w.data
            .accounts
            .iter()
            .filter(|a| a.connected)
            .filter_map(|a| w.person(&a.profile_id).map(|p| (a, p)))
            .filter(|(a, p)| needle.as_deref().is_none_or(|n| account_matches(a, p, n)))
            .map(|(a, p)| Account {
                id: a.id.clone(),
                first_name: p.first_name.clone(),
                last_name: p.last_name.clone(),
                public_id: Some(p.public_id.clone()),
                picture: Some(views::avatar_url(w, p)),
                status: a.status.clone(),
                enabled: a.enabled,
                api_seat_allocated: true,
            })
            .collect::<Vec<_>>())
    })
    .await
}

fn account_matches(a: &AccountRec, p: &Person, needle: &str) -> bool {
    a.id.to_lowercase() == needle
        || p.name().to_lowercase().contains(needle)
        || p.public_id.to_lowercase() == needle
        || needle.contains(&format!("/in/{}", p.public_id.to_lowercase()))
}

pub async fn premium(
    State(sim): State<Arc<Sim>>,
    conn: Conn,
    headers: HeaderMap,
    id: Result<Path<String>, PathRejection>,
) -> Response {
    gate(&sim, Op::Premium, &headers, conn.map(|e| e.0), |w| {
        let id = path(id)?;
        let a = w.account(&id).cloned().ok_or_else(|| {
            SimError::not_found("account_not_found", format!("Account not found: {id}"))
        })?;
        Ok(PremiumStatus {
            success: true,
            account_id: a.id.clone(),
            account_name: w.person(&a.profile_id).map(Person::name),
            premium_type: a.premium_type.clone(),
            is_premium: a.premium_type.is_some(),
            has_sales_navigator: a.sales_navigator,
            has_recruiter: false,
            has_away_messages: false,
            has_advertise_badge: false,
            has_hiring_manager: false,
        })
    })
    .await
}
