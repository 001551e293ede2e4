//! Every endpoint of the contract as data: a function that checks its inputs and builds the
//! request, typed with the answer it decodes to. What the server would refuse for sure (empty or
//! over-long text, an oversized file, a missing id) is refused here, before anything is sent.

use std::marker::PhantomData;

use super::{classify, ApiError, Body, HttpRequest, HttpResponse, Method, Op};
use crate::model::{
    Account, Answer, ConversationsPage, ListConversationsQuery, MessagesPage, MessagesQuery,
    PremiumStatus, ReactRequest, ReactResponse, RecallResponse, RecentMessagesPage,
    RecentMessagesQuery, SendRequest, SendResponse, UploadResponse, MAX_ATTACHMENT_BYTES,
    MAX_MESSAGE_CHARS,
};

/// One request together with the type its answer decodes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call<T> {
    pub request: HttpRequest,
    answer: PhantomData<fn() -> T>,
}

impl<T: Answer> Call<T> {
    /// Wraps a request whose 2xx answer is a `T`.
    pub fn new(request: HttpRequest) -> Self {
        Call {
            request,
            answer: PhantomData,
        }
    }

    /// Classifies an answer to this request.
    pub fn decode(&self, resp: &HttpResponse) -> Result<T, ApiError> {
        classify(resp)
    }
}

/// A request the client refused to send; `status` 0 says it never left the process.
fn refused(code: &str, message: impl Into<String>) -> ApiError {
    ApiError::BadRequest {
        status: 0,
        code: Some(code.into()),
        message: message.into(),
    }
}

/// One path segment: checked for its kind and percent-encoded (see `paths`).
fn segment(what: &str, value: &str) -> Result<String, ApiError> {
    super::paths::path_param(what, value)
}

fn json_body<B: serde::Serialize>(body: &B) -> Result<Body, ApiError> {
    crate::json::to_string(body)
        .map(Body::Json)
        .map_err(|e| refused("unserializable", e.to_string()))
}

/// `GET /conversations`: one page of the conversation list, for one account or several.
pub fn list_conversations(q: &ListConversationsQuery) -> Result<Call<ConversationsPage>, ApiError> {
    let ids = (!q.linkedin_account_ids.is_empty()).then(|| q.linkedin_account_ids.join(","));
    let req = HttpRequest::new(Op::Conversations, Method::Get, "/conversations")
        .with_query_opt("accountId", q.account_id.as_deref())
        .with_query_opt("linkedinAccountIds", ids)
        .with_query_opt("count", q.count)
        .with_query_opt("nextCursor", q.next_cursor.as_deref())
        .with_query_opt("labelId", q.label_id.as_deref())
        .with_query_opt("labeledOnly", q.labeled_only)
        .with_query_opt("unreadOnly", q.unread_only);
    Ok(Call::new(req))
}

/// `GET /messaging/recent-messages`: the older list endpoint, with keywords and a read filter.
pub fn recent_messages(q: &RecentMessagesQuery) -> Result<Call<RecentMessagesPage>, ApiError> {
    let req = HttpRequest::new(
        Op::RecentMessages,
        Method::Get,
        "/messaging/recent-messages",
    )
    .with_query_opt("accountId", q.account_id.as_deref())
    .with_query_opt("nextCursor", q.next_cursor.as_deref())
    .with_query_opt("count", q.count)
    .with_query_opt("keywords", q.keywords.as_deref())
    .with_query_opt("read", q.read);
    Ok(Call::new(req))
}

/// `GET /conversations/{c}/messages`: a page of messages, older ones through `cursor`, newer
/// ones only through `since`.
pub fn messages(conversation_urn: &str, q: &MessagesQuery) -> Result<Call<MessagesPage>, ApiError> {
    let path = format!(
        "/conversations/{}/messages",
        segment("conversationUrn", conversation_urn)?
    );
    let req = HttpRequest::new(Op::Messages, Method::Get, path)
        .with_query_opt("accountId", q.account_id.as_deref())
        .with_query_opt("count", q.count)
        .with_query_opt("cursor", q.cursor.as_deref())
        .with_query_opt("since", q.since)
        .with_query_opt("sync", q.sync);
    Ok(Call::new(req))
}

/// `POST /conversations/send`. Refuses locally: empty text (unless attachments carry the
/// message), text over 8000 characters, and a send that names no conversation and no recipient.
pub fn send(body: &SendRequest) -> Result<Call<SendResponse>, ApiError> {
    if body.message.trim().is_empty() && body.attachments.is_empty() {
        return Err(refused("empty_message", "the message text is empty"));
    }
    let chars = body.message.chars().count();
    if chars > MAX_MESSAGE_CHARS {
        return Err(refused(
            "message_too_long",
            format!("the message has {chars} characters; at most {MAX_MESSAGE_CHARS} are allowed"),
        ));
    }
    let named = |v: &Option<String>| v.as_deref().is_some_and(|s| !s.trim().is_empty());
    if !named(&body.conversation_urn)
        && !named(&body.recipient_profile_urn)
        && !named(&body.recipient_profile_id)
    {
        return Err(refused(
            "missing_recipient",
            "a send needs a conversationUrn, a recipientProfileUrn or a recipientProfileId",
        ));
    }
    let req =
        HttpRequest::new(Op::Send, Method::Post, "/conversations/send").with_body(json_body(body)?);
    Ok(Call::new(req))
}

/// `POST /conversations/{c}/messages/{m}/react`: add (`react: true`) or remove a reaction.
pub fn react(
    conversation_urn: &str,
    message_urn: &str,
    body: &ReactRequest,
    account_id: Option<&str>,
) -> Result<Call<ReactResponse>, ApiError> {
    if body.emoji.trim().is_empty() {
        return Err(refused("missing_emoji", "the emoji is empty"));
    }
    let path = format!(
        "/conversations/{}/messages/{}/react",
        segment("conversationUrn", conversation_urn)?,
        segment("messageUrn", message_urn)?
    );
    let req = HttpRequest::new(Op::React, Method::Post, path)
        .with_query_opt("accountId", account_id)
        .with_body(json_body(body)?);
    Ok(Call::new(req))
}

/// `DELETE /conversations/{c}/messages/{m}`: recall one of your own messages.
pub fn recall(
    conversation_urn: &str,
    message_urn: &str,
    account_id: Option<&str>,
) -> Result<Call<RecallResponse>, ApiError> {
    let path = format!(
        "/conversations/{}/messages/{}",
        segment("conversationUrn", conversation_urn)?,
        segment("messageUrn", message_urn)?
    );
    let req =
        HttpRequest::new(Op::Recall, Method::Delete, path).with_query_opt("accountId", account_id);
    Ok(Call::new(req))
}

/// Refuses a file over [`MAX_ATTACHMENT_BYTES`]; callers check before copying the bytes.
pub fn check_attachment_size(byte_len: u64) -> Result<(), ApiError> {
    if byte_len > MAX_ATTACHMENT_BYTES {
        return Err(refused(
            "attachment_too_large",
            format!("the file has {byte_len} bytes; at most {MAX_ATTACHMENT_BYTES} are allowed"),
        ));
    }
    Ok(())
}

/// `POST /conversations/upload-attachment`: the raw file as the body, its MIME type as the
/// `Content-Type`, its name in the query. Refuses a file over 20 MB before anything is sent.
pub fn upload_attachment(
    bytes: Vec<u8>,
    media_type: &str,
    file_name: &str,
    account_id: Option<&str>,
) -> Result<Call<UploadResponse>, ApiError> {
    check_attachment_size(bytes.len() as u64)?;
    let media_type = media_type.trim();
    let content_type = if media_type.is_empty() {
        "application/octet-stream"
    } else {
        media_type
    };
    if file_name.trim().is_empty() {
        return Err(refused("missing_file_name", "the file name is empty"));
    }
    let req = HttpRequest::new(Op::Upload, Method::Post, "/conversations/upload-attachment")
        .with_query_opt("accountId", account_id)
        .with_query("filename", file_name)
        .with_body(Body::Raw {
            bytes,
            content_type: content_type.into(),
        });
    Ok(Call::new(req))
}

/// `GET /accounts`: the workspace's connected LinkedIn accounts, optionally searched by `q`.
pub fn accounts(q: Option<&str>) -> Result<Call<Vec<Account>>, ApiError> {
    let req = HttpRequest::new(Op::Accounts, Method::Get, "/accounts").with_query_opt("q", q);
    Ok(Call::new(req))
}

/// `GET /account/{accountId}/premium`: whether the account has Sales Navigator and the like.
pub fn premium_status(account_id: &str) -> Result<Call<PremiumStatus>, ApiError> {
    let path = format!("/account/{}/premium", segment("accountId", account_id)?);
    Ok(Call::new(HttpRequest::new(Op::Premium, Method::Get, path)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Attachment, AttachmentRef, MessagingChannel};

    const BASE: &str = "https://api.connectsafely.ai/linkedin";
    const CONV: &str = "urn:li:msg_conversation:(urn:li:fsd_profile:ACoAAB+x/y=,2-YWJj==)";
    const CONV_ENC: &str =
        "urn%3Ali%3Amsg_conversation%3A%28urn%3Ali%3Afsd_profile%3AACoAAB%2Bx%2Fy%3D%2C2-YWJj%3D%3D%29";
    const MSG: &str = "urn:li:msg_message:(urn:li:fsd_profile:ACoAAB,2-MTc=)";
    const MSG_ENC: &str =
        "urn%3Ali%3Amsg_message%3A%28urn%3Ali%3Afsd_profile%3AACoAAB%2C2-MTc%3D%29";

    fn local_code(err: ApiError) -> String {
        match err {
            ApiError::BadRequest {
                status: 0,
                code: Some(code),
                ..
            } => code,
            other => panic!("expected a local refusal, got {other:?}"),
        }
    }

    #[test]
    fn base_url_with_a_path_prefix_joins_without_double_slashes() {
        let req = accounts(None).unwrap().request;
        assert_eq!(req.url(BASE), format!("{BASE}/accounts"));
        assert_eq!(req.url(&format!("{BASE}/")), format!("{BASE}/accounts"));
        assert_eq!(
            req.url("http://127.0.0.1:8080"),
            "http://127.0.0.1:8080/accounts"
        );
    }

    #[test]
    fn list_conversations_sends_every_query_field() {
        let q = ListConversationsQuery {
            account_id: None,
            linkedin_account_ids: vec!["a1".into(), "a2".into()],
            count: Some(20),
            next_cursor: Some("linkedin:abc=".into()),
            label_id: Some("l 1".into()),
            labeled_only: Some(true),
            unread_only: Some(false),
        };
        let req = list_conversations(&q).unwrap().request;
        assert_eq!((req.method, req.op), (Method::Get, Op::Conversations));
        assert_eq!(
            req.url(BASE),
            format!(
                "{BASE}/conversations?linkedinAccountIds=a1%2Ca2&count=20\
                 &nextCursor=linkedin%3Aabc%3D&labelId=l%201&labeledOnly=true&unreadOnly=false"
            )
        );
        assert_eq!(req.body, Body::None);
        assert_eq!(req.header("accept"), Some("application/json"));
    }

    #[test]
    fn list_conversations_without_filters_has_no_query() {
        let req = list_conversations(&ListConversationsQuery::default())
            .unwrap()
            .request;
        assert_eq!(req.url(BASE), format!("{BASE}/conversations"));
    }

    #[test]
    fn recent_messages_sends_keywords_and_read_as_strings() {
        let q = RecentMessagesQuery {
            account_id: Some("acc".into()),
            keywords: Some("coffee & cake".into()),
            read: Some(false),
            ..Default::default()
        };
        let req = recent_messages(&q).unwrap().request;
        assert_eq!(
            req.url(BASE),
            format!("{BASE}/messaging/recent-messages?accountId=acc&keywords=coffee%20%26%20cake&read=false")
        );
    }

    #[test]
    fn messages_path_encodes_the_whole_urn_including_parens_plus_slash_and_equals() {
        let q = MessagesQuery {
            cursor: Some("1700000000000".into()),
            since: Some(1_700_000_000_001),
            sync: Some(false),
            count: Some(50),
            account_id: Some("acc".into()),
        };
        let req = messages(CONV, &q).unwrap().request;
        assert_eq!(req.path, format!("/conversations/{CONV_ENC}/messages"));
        assert_eq!(
            req.url(BASE),
            format!(
                "{BASE}/conversations/{CONV_ENC}/messages?accountId=acc&count=50\
                 &cursor=1700000000000&since=1700000000001&sync=false"
            )
        );
    }

    #[test]
    fn an_empty_conversation_urn_is_refused() {
        let err = messages("  ", &MessagesQuery::default()).unwrap_err();
        assert_eq!(local_code(err), "missing_id");
    }

    #[test]
    fn send_posts_the_json_body_with_every_field() {
        let body = SendRequest {
            message: "Hello".into(),
            recipient_profile_id: Some("ada-lovelace".into()),
            subject: Some("Hi".into()),
            messaging_channel: Some(MessagingChannel::SalesNavigator),
            attachments: vec![AttachmentRef {
                file: Attachment {
                    asset_urn: "urn:li:digitalmediaAsset:1".into(),
                    byte_size: 3,
                    media_type: "image/png".into(),
                    name: "a.png".into(),
                    url: None,
                },
            }],
            account_id: Some("acc".into()),
            ..Default::default()
        };
        let req = send(&body).unwrap().request;
        assert_eq!((req.method, req.op), (Method::Post, Op::Send));
        assert_eq!(req.url(BASE), format!("{BASE}/conversations/send"));
        assert_eq!(req.body.content_type(), Some("application/json"));
        let sent: serde_json::Value = serde_json::from_slice(req.body.as_bytes()).unwrap();
        assert_eq!(
            sent,
            serde_json::json!({
                "message": "Hello",
                "recipientProfileId": "ada-lovelace",
                "subject": "Hi",
                "attachments": [{"file": {"assetUrn": "urn:li:digitalmediaAsset:1",
                    "byteSize": 3, "mediaType": "image/png", "name": "a.png"}}],
                "messagingChannel": "sales_navigator",
                "accountId": "acc"
            })
        );
    }

    #[test]
    fn send_refuses_empty_text() {
        let body = SendRequest {
            message: " \n ".into(),
            conversation_urn: Some(CONV.into()),
            ..Default::default()
        };
        assert_eq!(local_code(send(&body).unwrap_err()), "empty_message");
    }

    #[test]
    fn send_accepts_empty_text_when_attachments_carry_the_message() {
        let body = SendRequest {
            conversation_urn: Some(CONV.into()),
            attachments: vec![AttachmentRef::default()],
            ..Default::default()
        };
        assert!(send(&body).is_ok());
    }

    #[test]
    fn send_accepts_8000_characters_and_refuses_8001() {
        let mut body = SendRequest {
            message: "é".repeat(MAX_MESSAGE_CHARS),
            conversation_urn: Some(CONV.into()),
            ..Default::default()
        };
        assert!(send(&body).is_ok());
        body.message.push('x');
        assert_eq!(local_code(send(&body).unwrap_err()), "message_too_long");
    }

    #[test]
    fn send_refuses_a_message_to_nobody() {
        let body = SendRequest {
            message: "hi".into(),
            recipient_profile_urn: Some("".into()),
            ..Default::default()
        };
        assert_eq!(local_code(send(&body).unwrap_err()), "missing_recipient");
    }

    #[test]
    fn react_encodes_both_urns_and_posts_emoji_and_flag() {
        let body = ReactRequest {
            emoji: "❤️".into(),
            react: false,
        };
        let req = react(CONV, MSG, &body, Some("acc")).unwrap().request;
        assert_eq!((req.method, req.op), (Method::Post, Op::React));
        assert_eq!(
            req.url(BASE),
            format!("{BASE}/conversations/{CONV_ENC}/messages/{MSG_ENC}/react?accountId=acc")
        );
        assert_eq!(
            req.body,
            Body::Json(r#"{"emoji":"❤️","react":false}"#.into())
        );
    }

    #[test]
    fn recall_is_a_delete_of_the_message_path() {
        let req = recall(CONV, MSG, None).unwrap().request;
        assert_eq!((req.method, req.op), (Method::Delete, Op::Recall));
        assert_eq!(
            req.url(BASE),
            format!("{BASE}/conversations/{CONV_ENC}/messages/{MSG_ENC}")
        );
        assert_eq!(req.body, Body::None);
    }

    #[test]
    fn upload_sends_raw_bytes_with_the_mime_type_and_the_file_name_in_the_query() {
        let req = upload_attachment(vec![1, 2, 3], "image/png", "my photo+1.png", Some("acc"))
            .unwrap()
            .request;
        assert_eq!((req.method, req.op), (Method::Post, Op::Upload));
        assert_eq!(
            req.url(BASE),
            format!(
                "{BASE}/conversations/upload-attachment?accountId=acc&filename=my%20photo%2B1.png"
            )
        );
        assert_eq!(req.body.content_type(), Some("image/png"));
        assert_eq!(req.body.as_bytes(), &[1, 2, 3]);
    }

    #[test]
    fn upload_refuses_a_file_over_20_mb_and_accepts_exactly_20_mb() {
        assert!(check_attachment_size(MAX_ATTACHMENT_BYTES).is_ok());
        let err = check_attachment_size(MAX_ATTACHMENT_BYTES + 1).unwrap_err();
        assert_eq!(local_code(err), "attachment_too_large");
        let big = vec![0u8; MAX_ATTACHMENT_BYTES as usize + 1];
        let err = upload_attachment(big, "application/pdf", "a.pdf", None).unwrap_err();
        assert_eq!(local_code(err), "attachment_too_large");
    }

    #[test]
    fn upload_without_a_mime_type_is_octet_stream() {
        let req = upload_attachment(vec![1], "", "a.bin", None)
            .unwrap()
            .request;
        assert_eq!(req.body.content_type(), Some("application/octet-stream"));
    }

    #[test]
    fn accounts_passes_the_search() {
        let req = accounts(Some("Ada L")).unwrap().request;
        assert_eq!(req.url(BASE), format!("{BASE}/accounts?q=Ada%20L"));
    }

    #[test]
    fn premium_puts_the_account_id_in_the_path() {
        let req = premium_status("acc/1").unwrap().request;
        assert_eq!(req.url(BASE), format!("{BASE}/account/acc%2F1/premium"));
        assert_eq!(local_code(premium_status("").unwrap_err()), "missing_id");
    }

    #[test]
    fn a_logged_request_never_shows_the_key() {
        let req = accounts(None)
            .unwrap()
            .request
            .with_header("Authorization", "Bearer sk_live_secret");
        let shown = format!("{req:?}");
        assert!(!shown.contains("sk_live_secret"), "{shown}");
        assert!(shown.contains("<redacted>"));
    }
}
