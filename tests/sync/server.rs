//! An in-memory stand-in for the Messaging API, for driving engines in tests: one account, its
//! threads, messages under every URN form, reactions, recall (own, 60 minutes), the new
//! conversation quota, `since`/`cursor` paging, and a numbered event feed. It also records what
//! it applied, so a test can count how many times each send reached "LinkedIn".

use std::collections::{BTreeMap, BTreeSet};

use threadline::api::{ApiError, RateLimit};
use threadline::model::{
    Conversation, ConversationsPage, Message, MessagesPage, MessagesQuery, Participant,
    PremiumStatus, ReactResponse, ReactionSummary, RecallResponse, SendRequest, SendResponse,
    SentMessage, ServerEvent, ServerEventKind,
};
use threadline::sync::{ApiCall, ApiReply, ClientKey};
use threadline::urn::{ConversationId, MessageId, ProfileId};

/// The account owner's profile.
pub const ME: &str = "ACoAAme";
/// Other members.
pub const PEOPLE: [&str; 4] = ["ACoAApa", "ACoAApb", "ACoAApc", "ACoAApd"];
const MAILBOXES: [&str; 2] = ["ACoAAmailboxA", "ACoAAmailboxB"];
const RECALL_WINDOW_MS: i64 = 60 * 60 * 1000;

/// How the network treats one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fate {
    /// Delivered and answered.
    Ok,
    /// 400: refused, nothing applied.
    Refused,
    /// Applied, but the answer was lost (timeout).
    AppliedLost,
    /// Not applied, and a 502 came back.
    NotApplied,
    /// 429, nothing applied.
    RateLimited,
    /// 401, nothing applied.
    Unauthorized,
    /// 403 (trial expired), nothing applied.
    Forbidden,
}

/// A message as the server holds it.
#[derive(Debug, Clone)]
pub struct ServerMessage {
    pub id: String,
    pub thread: String,
    pub text: String,
    pub sent_at: i64,
    pub own: bool,
    pub sender: String,
}

/// A thread with one other member.
#[derive(Debug, Clone)]
pub struct ServerThread {
    pub id: String,
    pub other: String,
    pub messages: Vec<String>,
}

/// The simulated server.
#[derive(Debug, Default)]
pub struct Server {
    pub now: i64,
    pub threads: BTreeMap<String, ServerThread>,
    pub messages: BTreeMap<String, ServerMessage>,
    pub deleted: BTreeSet<String>,
    /// Messages created per client key: at most one, unless an earlier one was recalled
    /// before its sender could see it (see `props`).
    pub applied: BTreeMap<ClientKey, u32>,
    /// The messages each client key created, in order.
    pub applied_ids: BTreeMap<ClientKey, Vec<String>>,
    /// New conversations opened per UTC day.
    pub new_conversations: BTreeMap<i64, u32>,
    pub quota: u32,
    pub enforce_quota: bool,
    pub reactions: BTreeMap<(String, String), BTreeSet<String>>,
    pub events: Vec<ServerEvent>,
    /// What the premium status says of Sales Navigator.
    pub sales_navigator: bool,
    next_id: u64,
    last_sent_at: i64,
    form: usize,
    /// Every URN in the form of the last one given, as a real API answers (the default rotates
    /// through the forms, to prove they are one thing to the engine).
    pub one_form: bool,
}

impl Server {
    /// A server with `threads` existing threads, one per person in `PEOPLE` order.
    pub fn new(now: i64, threads: usize, quota: u32) -> Server {
        let mut s = Server {
            now,
            quota,
            enforce_quota: true,
            ..Server::default()
        };
        for other in PEOPLE.iter().take(threads) {
            s.new_thread(other);
        }
        s
    }

    /// A new thread with `other`, without messages; its id.
    pub fn new_thread(&mut self, other: &str) -> String {
        self.next_id += 1;
        let id = format!("2-t{}", self.next_id);
        let t = ServerThread {
            id: id.clone(),
            other: other.to_owned(),
            messages: Vec::new(),
        };
        self.threads.insert(id.clone(), t);
        id
    }

    /// A URN for a thread, rotating through the forms LinkedIn uses.
    pub fn thread_urn(&mut self, id: &str) -> String {
        self.form += usize::from(!self.one_form);
        match self.form % 4 {
            0 => format!(
                "urn:li:msg_conversation:(urn:li:fsd_profile:{},{id})",
                MAILBOXES[0]
            ),
            1 => format!("urn:li:messagingThread:{id}"),
            2 => format!("urn:li:fs_conversation:{id}"),
            _ => format!("urn:li:fsd_conversation:{id}"),
        }
    }

    /// A URN for a message, rotating through the forms (and mailbox prefixes) LinkedIn uses.
    pub fn message_urn(&mut self, id: &str) -> String {
        self.form += usize::from(!self.one_form);
        let thread = self
            .messages
            .get(id)
            .map(|m| m.thread.clone())
            .unwrap_or_default();
        match self.form % 6 {
            0 => format!(
                "urn:li:msg_message:(urn:li:fsd_profile:{},{id})",
                MAILBOXES[0]
            ),
            1 => format!(
                "urn:li:msg_message:(urn:li:fsd_profile:{},{id})",
                MAILBOXES[1]
            ),
            2 => format!("urn:li:messagingMessage:{id}"),
            3 => format!("urn:li:fsd_message:{id}"),
            4 => format!("urn:li:fs_event:({thread},{id})"),
            _ => id.to_owned(),
        }
    }

    fn event(&mut self, kind: ServerEventKind, thread: &str, message: Option<&str>) -> usize {
        let seq = self.events.len() as u64 + 1;
        let conversation_urn = self.thread_urn(thread);
        let message_urn = message.map(|m| self.message_urn(m));
        self.events.push(ServerEvent {
            seq,
            kind,
            at: self.now,
            account_id: String::new(),
            conversation_urn,
            message_urn,
            emoji: None,
            react: None,
            actor: None,
        });
        self.events.len() - 1
    }

    fn create_message(&mut self, thread: &str, text: &str, own: bool) -> String {
        self.next_id += 1;
        let id = format!("2-m{}", self.next_id);
        self.last_sent_at = self.now.max(self.last_sent_at + 1);
        let sender = if own {
            ME.to_owned()
        } else {
            self.threads
                .get(thread)
                .map(|t| t.other.clone())
                .unwrap_or_default()
        };
        let m = ServerMessage {
            id: id.clone(),
            thread: thread.to_owned(),
            text: text.to_owned(),
            sent_at: self.last_sent_at,
            own,
            sender,
        };
        self.messages.insert(id.clone(), m);
        if let Some(t) = self.threads.get_mut(thread) {
            t.messages.push(id.clone());
        }
        self.event(ServerEventKind::MessageCreated, thread, Some(&id));
        id
    }

    /// The other member of `thread` writes.
    pub fn incoming(&mut self, thread: &str, text: &str) -> String {
        self.create_message(thread, text, false)
    }

    /// Another member reacts (or unreacts) on a message.
    pub fn other_react(&mut self, message: &str, actor: &str, emoji: &str, add: bool) {
        if self.deleted.contains(message) || !self.messages.contains_key(message) {
            return;
        }
        self.set_reaction(message, actor, emoji, add);
    }

    fn set_reaction(&mut self, message: &str, actor: &str, emoji: &str, add: bool) {
        let set = self
            .reactions
            .entry((message.to_owned(), emoji.to_owned()))
            .or_default();
        let changed = if add {
            set.insert(actor.to_owned())
        } else {
            set.remove(actor)
        };
        if changed {
            let thread = self.messages[message].thread.clone();
            let i = self.event(ServerEventKind::ReactionChanged, &thread, Some(message));
            let e = &mut self.events[i];
            e.emoji = Some(emoji.to_owned());
            e.react = Some(add);
            e.actor = Some(actor.to_owned());
        }
    }

    /// Live (not recalled) messages of a thread, oldest first.
    pub fn live(&self, thread: &str) -> Vec<&ServerMessage> {
        let mut v: Vec<&ServerMessage> = self.threads[thread]
            .messages
            .iter()
            .filter(|m| !self.deleted.contains(*m))
            .map(|m| &self.messages[m])
            .collect();
        v.sort_by_key(|m| (m.sent_at, m.id.clone()));
        v
    }

    /// The tally of a message: (emoji, count, viewer reacted), emoji order.
    pub fn tally(&self, message: &str) -> Vec<ReactionSummary> {
        self.reactions
            .iter()
            .filter(|((m, _), set)| m == message && !set.is_empty())
            .map(|((_, emoji), set)| ReactionSummary {
                emoji: emoji.clone(),
                count: set.len() as u32,
                viewer_reacted: set.contains(ME),
            })
            .collect()
    }

    fn wire(&mut self, id: &str) -> Message {
        let m = self.messages[id].clone();
        Message {
            message_urn: self.message_urn(id),
            text: m.text,
            sent_at: m.sent_at,
            sender_profile_id: Some(m.sender),
            is_sent_by_owner: m.own,
            reactions: self.tally(id),
            ..Message::default()
        }
    }

    /// Carry out one call under `fate`.
    pub fn call(&mut self, call: &ApiCall, fate: Fate) -> Result<ApiReply, ApiError> {
        match fate {
            Fate::Refused => {
                return Err(ApiError::BadRequest {
                    status: 400,
                    code: None,
                    message: "no".into(),
                })
            }
            Fate::NotApplied => {
                return Err(ApiError::Server {
                    status: 502,
                    message: "gw".into(),
                })
            }
            Fate::RateLimited => return Err(rate_limited(2_000)),
            Fate::Unauthorized => {
                return Err(ApiError::Unauthorized {
                    message: "key".into(),
                })
            }
            Fate::Forbidden => {
                return Err(ApiError::Forbidden {
                    message: "trial expired".into(),
                })
            }
            Fate::Ok | Fate::AppliedLost => {}
        }
        let result = self.apply(call);
        match fate {
            Fate::AppliedLost => Err(ApiError::Timeout { after_ms: 30_000 }),
            _ => result,
        }
    }

    fn apply(&mut self, call: &ApiCall) -> Result<ApiReply, ApiError> {
        match call {
            ApiCall::Conversations { .. } => Ok(ApiReply::Conversations(self.conversations())),
            ApiCall::Messages {
                conversation_urn,
                query,
            } => {
                let thread = self.thread_of(conversation_urn)?;
                self.page(&thread, query).map(ApiReply::Messages)
            }
            ApiCall::Send {
                client_key,
                request,
            } => self.send(client_key, request).map(ApiReply::Send),
            ApiCall::React {
                message_urn,
                request,
                ..
            } => {
                let id = self.message_of(message_urn)?;
                self.set_reaction(&id, ME, &request.emoji, request.react);
                Ok(ApiReply::React(ReactResponse {
                    success: true,
                    message_urn: message_urn.clone(),
                    emoji: request.emoji.clone(),
                    react: request.react,
                }))
            }
            ApiCall::Recall { message_urn, .. } => {
                let id = self.message_of(message_urn)?;
                let m = self.messages[&id].clone();
                if !m.own {
                    return Err(bad("not your message"));
                }
                if self.now > m.sent_at + RECALL_WINDOW_MS {
                    return Err(bad("too late"));
                }
                self.deleted.insert(id.clone());
                self.event(ServerEventKind::MessageRecalled, &m.thread, Some(&id));
                Ok(ApiReply::Recall(RecallResponse {
                    success: true,
                    message_urn: message_urn.clone(),
                }))
            }
            ApiCall::PremiumStatus { account_id } => Ok(ApiReply::PremiumStatus(PremiumStatus {
                success: true,
                account_id: account_id.clone().unwrap_or_else(|| "acc-default".into()),
                has_sales_navigator: self.sales_navigator,
                ..PremiumStatus::default()
            })),
        }
    }

    fn thread_of(&self, urn: &str) -> Result<String, ApiError> {
        let id = ConversationId::parse(urn).map_err(|e| bad(&e.to_string()))?;
        let id = id.as_str().to_owned();
        if self.threads.contains_key(&id) {
            Ok(id)
        } else {
            Err(ApiError::NotFound {
                message: "conversation".into(),
            })
        }
    }

    fn message_of(&self, urn: &str) -> Result<String, ApiError> {
        let id = MessageId::parse(urn).map_err(|e| bad(&e.to_string()))?;
        let id = id.as_str().to_owned();
        if self.messages.contains_key(&id) && !self.deleted.contains(&id) {
            Ok(id)
        } else {
            Err(ApiError::NotFound {
                message: "message".into(),
            })
        }
    }

    fn page(&mut self, thread: &str, q: &MessagesQuery) -> Result<MessagesPage, ApiError> {
        let count = q.count.unwrap_or(50) as usize;
        let all: Vec<(i64, String)> = self
            .live(thread)
            .into_iter()
            .map(|m| (m.sent_at, m.id.clone()))
            .collect();
        let (chosen, has_more): (Vec<(i64, String)>, bool) = if let Some(since) = q.since {
            let after: Vec<_> = all.into_iter().filter(|(t, _)| *t > since).collect();
            let more = after.len() > count;
            (after.into_iter().take(count).collect(), more)
        } else {
            let before: Vec<_> = match &q.cursor {
                Some(c) => {
                    let c: i64 = c.parse().map_err(|_| bad("cursor"))?;
                    all.into_iter().filter(|(t, _)| *t < c).collect()
                }
                None => all,
            };
            let skip = before.len().saturating_sub(count);
            (before[skip..].to_vec(), skip > 0)
        };
        let cursor = if q.since.is_none() {
            chosen.first().map(|(t, _)| t.to_string())
        } else {
            None
        };
        let messages = chosen.iter().map(|(_, id)| self.wire(id)).collect();
        let other = self.threads[thread].other.clone();
        Ok(MessagesPage {
            success: true,
            messages,
            participants: vec![Participant {
                profile_id: other,
                ..Participant::default()
            }],
            has_more,
            cursor,
            note: None,
            skipped: Vec::new(),
        })
    }

    fn send(&mut self, key: &ClientKey, r: &SendRequest) -> Result<SendResponse, ApiError> {
        let thread = match (&r.conversation_urn, &r.recipient_profile_urn) {
            (Some(c), _) => self.thread_of(c)?,
            (None, Some(p)) => {
                let p = ProfileId::parse(p).map_err(|e| bad(&e.to_string()))?;
                let existing = self
                    .threads
                    .values()
                    .find(|t| t.other == p.as_str())
                    .map(|t| t.id.clone());
                match existing {
                    Some(t) => t,
                    None => {
                        let day = self.now.div_euclid(86_400_000);
                        let used = self.new_conversations.entry(day).or_default();
                        if self.enforce_quota && *used >= self.quota {
                            let wait = (day + 1) * 86_400_000 - self.now;
                            return Err(rate_limited(wait as u64));
                        }
                        *used += 1;
                        self.new_thread(p.as_str())
                    }
                }
            }
            (None, None) => return Err(bad("no recipient")),
        };
        let id = self.create_message(&thread, &r.message, true);
        *self.applied.entry(key.clone()).or_default() += 1;
        self.applied_ids
            .entry(key.clone())
            .or_default()
            .push(id.clone());
        let m = self.messages[&id].clone();
        let message_urn = self.message_urn(&id);
        let conversation_urn = self.thread_urn(&thread);
        Ok(SendResponse {
            success: true,
            sent_message: Some(SentMessage {
                message_urn: Some(message_urn),
                text: Some(m.text),
                sent_at: Some(m.sent_at),
                sender_profile_id: Some(ME.into()),
                is_sent_by_owner: true,
                ..SentMessage::default()
            }),
            conversation_urn: Some(conversation_urn),
            ..SendResponse::default()
        })
    }

    /// `GET /conversations`: every thread, newest activity first.
    pub fn conversations(&mut self) -> ConversationsPage {
        let mut list: Vec<(i64, String)> = self
            .threads
            .values()
            .map(|t| {
                let last = self.live(&t.id).last().map_or(0, |m| m.sent_at);
                (last, t.id.clone())
            })
            .collect();
        list.sort_by(|a, b| b.cmp(a));
        let conversations = list
            .into_iter()
            .map(|(last, id)| {
                let other = self.threads[&id].other.clone();
                Conversation {
                    conversation_urn: self.thread_urn(&id),
                    last_activity_at: Some(last),
                    participants: vec![Participant {
                        profile_id: other,
                        ..Participant::default()
                    }],
                    ..Conversation::default()
                }
            })
            .collect();
        ConversationsPage {
            success: true,
            conversations,
            ..ConversationsPage::default()
        }
    }
}

fn bad(message: &str) -> ApiError {
    ApiError::BadRequest {
        status: 400,
        code: None,
        message: message.to_owned(),
    }
}

fn rate_limited(ms: u64) -> ApiError {
    ApiError::RateLimited {
        limits: Box::new(RateLimit {
            retry_after_ms: Some(ms),
            ..RateLimit::default()
        }),
        message: "slow down".into(),
    }
}
