//! Pages shaped like LinkedIn's own (`docs/linkedin-page.md` is the reference): the messaging
//! client (`/messaging/`, `/messaging/thread/{id}/`), two pages that are not messaging pages (the
//! feed, a profile at `/in/{slug}/` with its top card and LinkedIn's own Message link) each with a
//! chat bubble, and the `/preload/?_bprMode=vanilla` frame. Like
//! LinkedIn's, the documents are nearly empty shells: a page script (`linkedin_page.js`, served
//! from `/__li/app.js` under `Content-Security-Policy: script-src 'self'`) renders everything from
//! JSON it fetches from the simulator's own data (`/__li/data/…`), switches threads in-page with
//! `pushState`, shows a just-sent message under a client id before replacing it with the server's
//! node, leaves off-screen conversation rows empty and loads older messages on scroll. No element
//! carries a conversation URN and no message carries a timestamp attribute. No API key, and every
//! piece of text reaches the DOM as text (`textContent`), never as markup.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::ids;
use crate::state::Sim;
use crate::views;
use crate::world::{AccountRec, Msg, Person, World};

/// The page script, served as a file so a CSP of `script-src 'self'` allows it.
const APP_JS: &str = include_str!("linkedin_page.js");

/// How many messages a thread shows first, and how many each scroll to the top adds.
const PAGE_SIZE: usize = 20;

/// `?account=ID` picks whose mailbox the page shows (default: the workspace default account);
/// on pages with a chat bubble, `bubble=light|shadow|iframe` picks where it lives (the page
/// script reads `bubbleThread=ID`, which conversation it shows; default: the newest);
/// `theme=dark` renders the page as LinkedIn's dark mode does (`theme--dark` on `<html>`,
/// docs/linkedin-page.md).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PageQuery {
    account: Option<String>,
    bubble: Option<String>,
    theme: Option<String>,
}

impl PageQuery {
    fn dark(&self) -> bool {
        self.theme.as_deref() == Some("dark")
    }
}

/// Escape text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn with_headers(mut res: Response, content_type: &'static str) -> Response {
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("script-src 'self'; object-src 'none'; base-uri 'self'"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

fn html(status: StatusCode, body: String) -> Response {
    with_headers((status, body).into_response(), "text/html; charset=utf-8")
}

fn error_page(status: StatusCode, title: &str, text: &str) -> Response {
    html(
        status,
        format!(
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title></head>\
<body><p>{}</p></body></html>\n",
            escape(title),
            escape(text)
        ),
    )
}

/// The document every page starts from: the page script does the rest. `page` tells the script
/// which app to start; nothing in it names a conversation.
fn shell(title: &str, page: &str, bubble: Option<&str>, dark: bool) -> Response {
    let theme = if dark { " class=\"theme--dark\"" } else { "" };
    let bubble = bubble
        .filter(|b| ["light", "shadow", "iframe"].contains(b))
        .map(|b| format!(" data-sim-bubble=\"{b}\""))
        .unwrap_or_default();
    html(
        StatusCode::OK,
        format!(
            "<!DOCTYPE html>\n<html lang=\"en\"{theme}>\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n\
<link rel=\"stylesheet\" href=\"/__li/app.css\">\n<script src=\"/__li/app.js\" defer></script>\n</head>\n\
<body class=\"render-mode-BIGPIPE\" data-sim-page=\"{page}\"{bubble}>\n\
<div class=\"application-outlet\" id=\"application-outlet\"></div>\n</body>\n</html>\n",
            escape(title)
        ),
    )
}

fn thread_list(w: &World, acct: &AccountRec) -> Vec<usize> {
    // Inbox threads only: Sales Navigator threads live on another LinkedIn page.
    let mut list: Vec<usize> = (0..w.data.threads.len())
        .filter(|&ti| w.sees(acct, ti) && !w.data.threads[ti].sales_navigator)
        .collect();
    list.sort_by_key(|&ti| (-w.data.threads[ti].last_activity(), ti));
    list
}

/// The query a redirect keeps: the account when one was named, and the dark theme.
fn page_query(acct: &AccountRec, q: &PageQuery) -> String {
    let mut parts = Vec::new();
    if q.account.is_some() {
        parts.push(format!("account={}", ids::encode_segment(&acct.id)));
    }
    if q.dark() {
        parts.push("theme=dark".to_string());
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!("?{}", parts.join("&"))
    }
}

/// `/messaging/`: LinkedIn's client opens the newest conversation; so does this redirect.
pub async fn inbox(State(sim): State<Arc<Sim>>, Query(q): Query<PageQuery>) -> Response {
    let w = sim.world();
    let Some(acct) = w.account_or_default(q.account.as_deref()).cloned() else {
        return error_page(
            StatusCode::NOT_FOUND,
            "Account not found",
            "No such account.",
        );
    };
    match thread_list(&w, &acct).first() {
        Some(&ti) => Redirect::to(&format!(
            "/messaging/thread/{}/{}",
            ids::encode_segment(&w.data.threads[ti].thread_id),
            page_query(&acct, &q)
        ))
        .into_response(),
        None => shell("Messaging | LinkedIn", "messaging", None, q.dark()),
    }
}

pub async fn thread(
    State(sim): State<Arc<Sim>>,
    Path(id): Path<String>,
    Query(q): Query<PageQuery>,
) -> Response {
    let w = sim.world();
    let Some(acct) = w.account_or_default(q.account.as_deref()).cloned() else {
        return error_page(
            StatusCode::NOT_FOUND,
            "Account not found",
            "No such account.",
        );
    };
    if find_thread(&w, &acct, &id).is_none() {
        return error_page(
            StatusCode::NOT_FOUND,
            "Conversation not found",
            "This conversation does not exist.",
        );
    }
    shell("Messaging | LinkedIn", "messaging", None, q.dark())
}

pub async fn feed(Query(q): Query<PageQuery>) -> Response {
    shell("Feed | LinkedIn", "feed", q.bubble.as_deref(), q.dark())
}

pub async fn profile(Path(_slug): Path<String>, Query(q): Query<PageQuery>) -> Response {
    shell(
        "Profile | LinkedIn",
        "profile",
        q.bubble.as_deref(),
        q.dark(),
    )
}

/// `/preload/?_bprMode=vanilla`: the same-origin frame LinkedIn's newer pages load the messaging
/// app into (a bubble, or a hidden copy of the app).
pub async fn preload(Query(q): Query<PageQuery>) -> Response {
    shell("LinkedIn", "preload", None, q.dark())
}

pub async fn app_js() -> Response {
    with_headers(
        APP_JS.into_response(),
        "application/javascript; charset=utf-8",
    )
}

pub async fn app_css() -> Response {
    with_headers(STYLE.into_response(), "text/css; charset=utf-8")
}

fn find_thread(w: &World, acct: &AccountRec, id: &str) -> Option<usize> {
    w.thread_index(id)
        .or_else(|| w.thread_index(&format!("urn:li:messagingThread:{id}")))
        .filter(|&ti| w.sees(acct, ti) && !w.data.threads[ti].sales_navigator)
}

fn names(w: &World, acct: &AccountRec, ti: usize) -> String {
    let t = &w.data.threads[ti];
    t.members
        .iter()
        .filter(|p| **p != acct.profile_id)
        .filter_map(|p| w.person(p))
        .map(Person::name)
        .collect::<Vec<_>>()
        .join(", ")
}

fn other_profile(w: &World, acct: &AccountRec, ti: usize) -> String {
    w.data.threads[ti]
        .members
        .iter()
        .find(|p| **p != acct.profile_id)
        .cloned()
        .unwrap_or_default()
}

/// A profile as the profile page's script gets it: by vanity slug (or profile id, as bubble
/// headers link it), the person's id for the Message link's `profileUrn`, their name and headline,
/// and a few other people for the page's sidebar. An unknown slug answers `found: false`.
pub async fn data_profile(
    State(sim): State<Arc<Sim>>,
    Path(slug): Path<String>,
    Query(q): Query<PageQuery>,
) -> Response {
    let w = sim.world();
    let Some(acct) = w.account_or_default(q.account.as_deref()).cloned() else {
        return data_error(StatusCode::NOT_FOUND, "Account not found");
    };
    let Some(pi) = w.person_by_public_id(&slug) else {
        return Json(json!({ "found": false })).into_response();
    };
    let p = &w.data.people[pi];
    let card = |p: &Person| {
        json!({
            "profileId": p.profile_id,
            "publicId": p.public_id,
            "name": p.name(),
            "headline": p.headline,
        })
    };
    let others: Vec<Value> = w
        .data
        .people
        .iter()
        .filter(|o| o.profile_id != p.profile_id && o.profile_id != acct.profile_id)
        .filter(|o| !w.data.accounts.iter().any(|a| a.profile_id == o.profile_id))
        .take(3)
        .map(card)
        .collect();
    let mut me = card(p);
    me["found"] = json!(true);
    me["self"] = json!(p.profile_id == acct.profile_id);
    me["others"] = json!(others);
    Json(me).into_response()
}

fn data_error(status: StatusCode, text: &str) -> Response {
    (status, Json(json!({ "error": text }))).into_response()
}

/// The conversation list as LinkedIn's client gets it (by `fetch` after load).
pub async fn data_conversations(
    State(sim): State<Arc<Sim>>,
    Query(q): Query<PageQuery>,
) -> Response {
    let w = sim.world();
    let Some(acct) = w.account_or_default(q.account.as_deref()).cloned() else {
        return data_error(StatusCode::NOT_FOUND, "Account not found");
    };
    let list: Vec<Value> = thread_list(&w, &acct)
        .into_iter()
        .map(|ti| {
            let t = &w.data.threads[ti];
            json!({
                "threadId": t.thread_id,
                "names": names(&w, &acct, ti),
                "profileId": other_profile(&w, &acct, ti),
                "snippet": t.live_messages().next_back().map(|m| m.text.as_str()).unwrap_or(""),
                "unread": views::unread_count(t, &acct),
            })
        })
        .collect();
    Json(json!({ "mailbox": acct.profile_id, "conversations": list })).into_response()
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ThreadQuery {
    account: Option<String>,
    /// Older page: messages sent before this time.
    before: Option<i64>,
    /// Refresh: every live message sent at or after this time.
    since: Option<i64>,
}

fn message_json(w: &World, acct: &AccountRec, m: &Msg) -> Value {
    let sender = w.person(&m.sender);
    json!({
        "urn": views::tuple_message_urn(m, acct),
        "sentAt": m.sent_at,
        "sender": m.sender,
        "senderName": sender.map(Person::name).unwrap_or_default(),
        "mine": m.sender == acct.profile_id,
        "text": m.text,
        "attachments": m.attachments.iter().map(|a| a.name.clone()).collect::<Vec<_>>(),
        "reactions": views::reactions(m, acct).iter().map(|r| json!({"emoji": r.emoji, "count": r.count})).collect::<Vec<_>>(),
    })
}

/// A thread's messages, oldest first: the newest page, an older page (`before`), or everything
/// from `since` on (the client's refresh). Reading the newest page marks the thread read.
pub async fn data_thread(
    State(sim): State<Arc<Sim>>,
    Path(id): Path<String>,
    Query(q): Query<ThreadQuery>,
) -> Response {
    let mut w = sim.world();
    let Some(acct) = w.account_or_default(q.account.as_deref()).cloned() else {
        return data_error(StatusCode::NOT_FOUND, "Account not found");
    };
    let Some(ti) = find_thread(&w, &acct, &id) else {
        return data_error(StatusCode::NOT_FOUND, "Conversation not found");
    };
    if q.before.is_none() && q.since.is_none() {
        w.mark_read(ti, &acct);
    }
    let t = &w.data.threads[ti];
    let live: Vec<&Msg> = t.live_messages().collect();
    let (picked, more): (Vec<&Msg>, bool) = match (q.before, q.since) {
        (_, Some(since)) => (
            live.iter()
                .copied()
                .filter(|m| m.sent_at >= since)
                .collect(),
            false,
        ),
        (before, None) => {
            let older: Vec<&Msg> = live
                .iter()
                .copied()
                .filter(|m| before.is_none_or(|b| m.sent_at < b))
                .collect();
            let start = older.len().saturating_sub(PAGE_SIZE);
            (older[start..].to_vec(), start > 0)
        }
    };
    Json(json!({
        "threadId": t.thread_id,
        "names": names(&w, &acct, ti),
        "profileId": other_profile(&w, &acct, ti),
        "mailbox": acct.profile_id,
        "hasMore": more,
        "messages": picked.iter().map(|m| message_json(&w, &acct, m)).collect::<Vec<_>>(),
    }))
    .into_response()
}

#[derive(Debug, Deserialize)]
struct SendBody {
    text: String,
}

/// LinkedIn's own Send (not Threadline's): the viewer writes in the thread.
pub async fn data_send(
    State(sim): State<Arc<Sim>>,
    Path(id): Path<String>,
    Query(q): Query<ThreadQuery>,
    body: Bytes,
) -> Response {
    let Ok(b) = serde_json::from_slice::<SendBody>(&body) else {
        return data_error(StatusCode::BAD_REQUEST, "Invalid body");
    };
    if b.text.trim().is_empty() || b.text.chars().count() > 8000 {
        return data_error(StatusCode::BAD_REQUEST, "Invalid text");
    }
    let mut w = sim.world();
    let Some(acct) = w.account_or_default(q.account.as_deref()).cloned() else {
        return data_error(StatusCode::NOT_FOUND, "Account not found");
    };
    let Some(ti) = find_thread(&w, &acct, &id) else {
        return data_error(StatusCode::NOT_FOUND, "Conversation not found");
    };
    let now = w.now();
    let sent_at = w.data.threads[ti].next_stamp(now);
    let mid = w.new_message_id(sent_at);
    let r = w.push_message(
        ti,
        Msg {
            id: mid,
            sender: acct.profile_id.clone(),
            text: b.text,
            sent_at,
            subject: None,
            attachments: Vec::new(),
            reactions: Default::default(),
            recalled: false,
        },
    );
    let t = &w.data.threads[r.thread];
    let m = &t.messages[r.msg];
    Json(message_json(&w, &acct, m)).into_response()
}

const STYLE: &str = "body{font:14px/1.42 -apple-system,system-ui,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;margin:0;background:#f4f2ee;color:rgba(0,0,0,.9)}\
.global-nav{height:52px;background:#fff;border-bottom:1px solid #e8e8e8;display:flex;align-items:center;padding:0 24px;gap:24px}\
.global-nav a{color:rgba(0,0,0,.6);text-decoration:none;font-size:12px}.global-nav__logo{color:#0a66c2!important;font-weight:700;font-size:20px!important}\
.msg-ui{display:flex;max-width:1128px;height:calc(100vh - 100px);margin:24px auto;background:#fff;border-radius:8px;box-shadow:0 0 0 1px rgba(0,0,0,.08)}\
.msg-conversations-container{width:340px;border-right:1px solid #e8e8e8;overflow:auto}\
.list-style-none{list-style:none;margin:0;padding:0}\
.msg-conversation-listitem{min-height:72px;border-bottom:1px solid #f3f3f3}\
.msg-conversation-listitem__link{display:block;padding:12px 16px;cursor:pointer}\
.msg-conversation-listitem__link:hover{background:#f3f6f8}\
.msg-conversations-container__convo-item--active .msg-conversation-listitem__link{background:#edf3f8;box-shadow:inset 4px 0 0 #0a66c2}\
.msg-conversation-listitem__participant-names{font-size:14px;margin:0;font-weight:600}\
.msg-conversation-card__message-snippet{color:rgba(0,0,0,.6);margin:2px 0;font-size:13px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}\
.visually-hidden{position:absolute!important;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}\
.notification-badge{background:#cb112d;color:#fff;border-radius:8px;padding:0 6px;font-size:12px}\
.msg-convo-wrapper{flex:1;display:flex;flex-direction:column;min-width:0}\
.msg-title-bar{padding:12px 16px;border-bottom:1px solid #e8e8e8}.msg-entity-lockup__entity-title{font-size:16px;margin:0}\
.msg-s-message-list{flex:1;overflow:auto;padding:0 16px}\
.msg-s-message-list__event{padding:2px 0}\
.msg-s-event-listitem{position:relative;padding:2px 0 2px 56px}\
.msg-s-message-group__meta{margin:12px 0 2px}.msg-s-message-group__name{font-weight:600}\
.msg-s-message-group__timestamp{color:rgba(0,0,0,.6);font-size:12px;margin-left:6px}\
.msg-s-event-listitem__body{margin:0;white-space:pre-wrap;word-break:break-word}\
.msg-s-event-listitem--pending .msg-s-event-listitem__body{color:rgba(0,0,0,.6)}\
.msg-s-event-listitem__attachment{display:inline-block;border:1px solid #e8e8e8;border-radius:4px;padding:2px 8px;font-size:12px;margin-top:2px}\
.msg-reactions-reaction-summary-presenter__container{display:inline-block;border:1px solid #e8e8e8;border-radius:12px;padding:0 6px;font-size:12px;margin:2px 4px 0 0}\
.msg-form{border-top:1px solid #e8e8e8;padding:8px 12px;background:#fff}\
.msg-form__contenteditable{min-height:44px;max-height:160px;overflow:auto;padding:10px 12px;background:#f4f2ee;border-radius:8px;outline:none}\
.msg-form__contenteditable:focus{box-shadow:0 0 0 1px #0a66c2}\
.msg-form__footer{display:flex;align-items:center;justify-content:space-between;padding-top:8px}\
.msg-form__right-actions{display:flex;align-items:center;gap:6px;margin-left:auto}\
.artdeco-button{font:inherit;font-weight:600;border-radius:16px;border:0;background:#0a66c2;color:#fff;padding:4px 16px;cursor:pointer}\
.msg-form__send-toggle{background:transparent;border:0;cursor:pointer;font-size:16px;color:rgba(0,0,0,.6)}\
.feed{max-width:560px;margin:24px auto}.feed-shared-update-v2{background:#fff;border-radius:8px;padding:16px;margin-bottom:8px;box-shadow:0 0 0 1px rgba(0,0,0,.08)}\
#msg-overlay,.msg-overlay-host{position:fixed;right:16px;bottom:0;z-index:1000}\
.msg-overlay-conversation-bubble{width:336px;height:440px;display:flex;flex-direction:column;background:#fff;border-radius:8px 8px 0 0;box-shadow:0 0 0 1px rgba(0,0,0,.15),0 4px 12px rgba(0,0,0,.15)}\
.msg-overlay-bubble-header{padding:8px 12px;border-bottom:1px solid #e8e8e8}.msg-overlay-bubble-header h2{font-size:14px;margin:0}\
.msg-overlay-bubble-header a{color:inherit;text-decoration:none}\
.msg-overlay-conversation-bubble .msg-s-message-list{padding:0 8px}.msg-overlay-conversation-bubble .msg-s-event-listitem{padding-left:8px}\
.preload-frame{position:fixed;right:16px;bottom:0;width:352px;height:460px;border:0;z-index:1000}\
body[data-sim-page=preload]{background:transparent}\
.sim-profile{max-width:1128px;margin:24px auto;padding:0 16px}.sim-profile-columns{display:flex;gap:24px;align-items:flex-start}\
.sim-profile-main{flex:1;min-width:0}.sim-aside{width:300px}\
.sim-card{background:#fff;border-radius:8px;box-shadow:0 0 0 1px rgba(0,0,0,.08);padding:16px 24px;margin-bottom:8px;position:relative}\
.sim-card h1{font-size:24px;margin:8px 0 2px}.sim-card h2{font-size:18px;margin:0 0 8px}\
.sim-top-card{padding-top:0;overflow:hidden}.sim-cover{height:140px;margin:0 -24px;background:linear-gradient(120deg,#a0b4b7,#d9e3e4)}\
.sim-avatar{width:120px;height:120px;border-radius:50%;border:4px solid #fff;margin-top:-64px;background:#fff}\
.sim-headline{margin:0}.sim-muted{color:rgba(0,0,0,.6);margin:2px 0;font-size:13px}\
.sim-actions{display:flex;flex-wrap:wrap;align-items:center;gap:8px;margin-top:12px}\
.sim-message{display:inline-flex;align-items:center;gap:4px;border-radius:16px;background:#0a66c2;color:#fff;font-weight:600;padding:6px 16px;text-decoration:none}\
.sim-message svg{display:none}.sim-more{font:inherit;font-weight:600;border-radius:16px;border:1px solid rgba(0,0,0,.6);background:#fff;color:rgba(0,0,0,.75);padding:5px 16px;cursor:pointer}\
.sim-person{padding:8px 0;border-top:1px solid #eee}.sim-person a:first-child{font-weight:600;color:inherit;text-decoration:none}\
.sim-person .sim-message{padding:2px 12px;font-size:13px;background:#fff;color:#0a66c2;border:1px solid #0a66c2}\
html.theme--dark body{background:#000;color:rgba(255,255,255,.9)}\
html.theme--dark body[data-sim-page=preload]{background:transparent}\
html.theme--dark .global-nav,html.theme--dark .msg-ui,html.theme--dark .msg-form,html.theme--dark .feed-shared-update-v2,\
html.theme--dark .msg-overlay-conversation-bubble,html.theme--dark .sim-card{background:#1b1f23}\
html.theme--dark .global-nav,html.theme--dark .msg-conversations-container,html.theme--dark .msg-title-bar,html.theme--dark .msg-form,\
html.theme--dark .msg-overlay-bubble-header,html.theme--dark .msg-conversation-listitem,html.theme--dark .sim-person{border-color:rgba(255,255,255,.15)}\
html.theme--dark .msg-ui,html.theme--dark .sim-card,html.theme--dark .feed-shared-update-v2{box-shadow:0 0 0 1px rgba(255,255,255,.15)}\
html.theme--dark .global-nav a,html.theme--dark .msg-conversation-card__message-snippet,html.theme--dark .msg-s-message-group__timestamp,\
html.theme--dark .msg-s-event-listitem--pending .msg-s-event-listitem__body,html.theme--dark .sim-muted,html.theme--dark .msg-form__send-toggle{color:rgba(255,255,255,.6)}\
html.theme--dark .msg-conversation-listitem__link:hover{background:#293138}\
html.theme--dark .msg-conversations-container__convo-item--active .msg-conversation-listitem__link{background:#22303c;box-shadow:inset 4px 0 0 #71b7fb}\
html.theme--dark .msg-form__contenteditable{background:#000}\
html.theme--dark .artdeco-button,html.theme--dark .sim-message{background:#71b7fb;color:#000}\
html.theme--dark .global-nav__logo,html.theme--dark .sim-person .sim-message{color:#71b7fb!important;background:transparent;border-color:#71b7fb}\
html.theme--dark .sim-more,html.theme--dark .sim-avatar{background:#1b1f23;color:rgba(255,255,255,.9);border-color:rgba(255,255,255,.6)}\
html.theme--dark .msg-s-event-listitem__attachment,html.theme--dark .msg-reactions-reaction-summary-presenter__container{border-color:rgba(255,255,255,.25)}";

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escape_neutralizes_markup_and_attribute_breakouts() {
        assert_eq!(
            escape("<script>alert('x')</script>\"&"),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&quot;&amp;"
        );
    }
}
