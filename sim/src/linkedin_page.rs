//! A server-rendered page shaped like LinkedIn's messaging page (`/messaging/`,
//! `/messaging/thread/{threadId}/`), from the simulator's data, for driving the extension end to
//! end. No script at all, `Content-Security-Policy: script-src 'self'` like LinkedIn's, no API key,
//! and every piece of text HTML-escaped. Opening a thread marks it read, as LinkedIn does.

use std::fmt::Write as _;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::ids;
use crate::state::Sim;
use crate::views;
use crate::world::{AccountRec, Person, World};

/// `?account=ID` picks whose mailbox the page shows (default: the workspace default account).
#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    account: Option<String>,
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

pub async fn inbox(State(sim): State<Arc<Sim>>, Query(q): Query<PageQuery>) -> Response {
    render(&sim, q.account.as_deref(), None)
}

pub async fn thread(
    State(sim): State<Arc<Sim>>,
    Path(id): Path<String>,
    Query(q): Query<PageQuery>,
) -> Response {
    render(&sim, q.account.as_deref(), Some(&id))
}

fn page(status: StatusCode, html: String) -> Response {
    let mut res = (status, html).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("script-src 'self'; object-src 'none'"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

fn render(sim: &Sim, account: Option<&str>, thread: Option<&str>) -> Response {
    let mut w = sim.world();
    let Some(acct) = w.account_or_default(account).cloned() else {
        return page(
            StatusCode::NOT_FOUND,
            shell("Account not found", "<p>No such account.</p>"),
        );
    };
    // Inbox threads only: Sales Navigator threads live on another LinkedIn page.
    let mut list: Vec<usize> = (0..w.data.threads.len())
        .filter(|&ti| w.sees(&acct, ti) && !w.data.threads[ti].sales_navigator)
        .collect();
    list.sort_by_key(|&ti| (-w.data.threads[ti].last_activity(), ti));
    let selected = match thread {
        Some(id) => match w
            .thread_index(id)
            .or_else(|| w.thread_index(&format!("urn:li:messagingThread:{id}")))
            .filter(|ti| list.contains(ti))
        {
            Some(ti) => Some(ti),
            None => {
                return page(
                    StatusCode::NOT_FOUND,
                    shell(
                        "Conversation not found",
                        "<p>This conversation does not exist.</p>",
                    ),
                )
            }
        },
        None => list.first().copied(),
    };
    if let Some(ti) = selected {
        w.mark_read(ti, &acct);
    }
    let body = format!(
        "<main class=\"msg-ui scaffold-layout\" data-account-id=\"{}\" \
         data-mailbox-urn=\"urn:li:fsd_profile:{}\">\n{}{}</main>\n",
        escape(&acct.id),
        escape(&acct.profile_id),
        thread_list(&w, &acct, &list, selected),
        selected
            .map(|ti| thread_view(&w, &acct, ti))
            .unwrap_or_default(),
    );
    page(StatusCode::OK, shell("Messaging | LinkedIn", &body))
}

fn shell(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{body}</body>\n</html>\n",
        escape(title)
    )
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:0;background:#f4f2ee}\
.msg-ui{display:flex;gap:0;max-width:1100px;margin:24px auto;background:#fff;border:1px solid #ddd}\
.msg-conversations-container{width:340px;border-right:1px solid #ddd;overflow:auto;max-height:90vh}\
.msg-conversations-container ul{list-style:none;margin:0;padding:0}\
.msg-conversation-listitem a{display:block;padding:10px 14px;color:inherit;text-decoration:none}\
.msg-conversation-listitem--active{background:#eaf3ff}\
.msg-conversation-card__message-snippet{color:#666;margin:2px 0;font-size:13px}\
.notification-badge{background:#cb112d;color:#fff;border-radius:8px;padding:0 6px;font-size:12px}\
.msg-thread{flex:1;display:flex;flex-direction:column;max-height:90vh}\
.msg-s-message-list-content{list-style:none;margin:0;padding:12px;overflow:auto;flex:1}\
.msg-s-event-listitem{padding:6px 0}.msg-s-message-group__name{font-weight:600}\
.msg-s-event-listitem__body{margin:2px 0;white-space:pre-wrap}\
.msg-form__contenteditable{border:1px solid #bbb;min-height:48px;margin:8px;padding:8px}";

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

fn thread_href(thread_id: &str, acct: &AccountRec) -> String {
    format!(
        "/messaging/thread/{}/?account={}",
        ids::encode_segment(thread_id),
        ids::encode_segment(&acct.id)
    )
}

fn thread_list(w: &World, acct: &AccountRec, list: &[usize], selected: Option<usize>) -> String {
    let mut out = String::from(
        "<section class=\"msg-conversations-container\">\n\
         <ul class=\"msg-conversations-container__conversations-list\">\n",
    );
    for &ti in list {
        let t = &w.data.threads[ti];
        let snippet = t
            .live_messages()
            .next_back()
            .map(|m| m.text.as_str())
            .unwrap_or("");
        let unread = views::unread_count(t, acct);
        let active = if Some(ti) == selected {
            " msg-conversation-listitem--active"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "<li class=\"msg-conversation-listitem{active}\" data-conversation-urn=\"{}\">\
<a class=\"msg-conversation-listitem__link\" href=\"{}\">\
<h3 class=\"msg-conversation-listitem__participant-names\">{}</h3>\
<p class=\"msg-conversation-card__message-snippet\">{}</p>{}</a></li>",
            escape(&views::tuple_conversation_urn(t, acct)),
            escape(&thread_href(&t.thread_id, acct)),
            escape(&names(w, acct, ti)),
            escape(snippet),
            if unread > 0 {
                format!("<span class=\"notification-badge\">{unread}</span>")
            } else {
                String::new()
            },
        );
    }
    out.push_str("</ul>\n</section>\n");
    out
}

fn thread_view(w: &World, acct: &AccountRec, ti: usize) -> String {
    let t = &w.data.threads[ti];
    let mut out = format!(
        "<section class=\"msg-thread\" data-conversation-urn=\"{}\" data-thread-id=\"{}\">\n\
<h2 class=\"msg-entity-lockup__entity-title\">{}</h2>\n\
<ul class=\"msg-s-message-list-content\">\n",
        escape(&views::tuple_conversation_urn(t, acct)),
        escape(&t.thread_id),
        escape(&names(w, acct, ti)),
    );
    for m in t.live_messages() {
        let sender = w.person(&m.sender).map(Person::name).unwrap_or_default();
        let _ = write!(
            out,
            "<li class=\"msg-s-message-list__event msg-s-event-listitem\" data-event-urn=\"{}\" \
data-sent-at=\"{}\"><span class=\"msg-s-message-group__name\">{}</span>\
<p class=\"msg-s-event-listitem__body\">{}</p>",
            escape(&views::tuple_message_urn(m, acct)),
            m.sent_at,
            escape(&sender),
            escape(&m.text),
        );
        for a in &m.attachments {
            let _ = write!(
                out,
                "<span class=\"msg-s-event-listitem__attachment\" data-asset-urn=\"{}\">{}</span>",
                escape(&a.asset_urn),
                escape(&a.name)
            );
        }
        for r in views::reactions(m, acct) {
            let _ = write!(
                out,
                "<span class=\"msg-reactions-reaction-summary-presenter__container\">{} {}</span>",
                escape(&r.emoji),
                r.count
            );
        }
        out.push_str("</li>\n");
    }
    out.push_str(
        "</ul>\n<form class=\"msg-form\">\n<div class=\"msg-form__contenteditable\" \
contenteditable=\"true\" role=\"textbox\" aria-label=\"Write a message…\"></div>\n\
<button class=\"msg-form__send-button\" type=\"button\">Send</button>\n</form>\n</section>\n",
    );
    out
}

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
