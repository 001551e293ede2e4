//! Running a call the engine declared ([`ApiCall`], plain data) with a [`Client`]: the one
//! mapping from engine calls to endpoints, shared by every driver. It lives here, on the I/O
//! side, so that `sync` needs nothing of the client or its transport.

use crate::sync::{ApiCall, ApiReply};

use super::{ApiError, Client, KeySource, Transport};

impl<T: Transport, K: KeySource> Client<T, K> {
    /// Makes `call` and wraps its answer for `Input::Answer`.
    pub async fn run(&self, call: ApiCall) -> Result<ApiReply, ApiError> {
        match call {
            ApiCall::Conversations { query } => self
                .list_conversations(query)
                .await
                .map(ApiReply::Conversations),
            ApiCall::Messages {
                conversation_urn,
                query,
            } => self
                .messages(&conversation_urn, query)
                .await
                .map(ApiReply::Messages),
            ApiCall::Send { request, .. } => self.send(request).await.map(ApiReply::Send),
            ApiCall::React {
                conversation_urn,
                message_urn,
                account_id,
                request,
            } => self
                .react(
                    &conversation_urn,
                    &message_urn,
                    &request.emoji,
                    request.react,
                    account_id.as_deref(),
                )
                .await
                .map(ApiReply::React),
            ApiCall::Recall {
                conversation_urn,
                message_urn,
                account_id,
            } => self
                .recall(&conversation_urn, &message_urn, account_id.as_deref())
                .await
                .map(ApiReply::Recall),
        }
    }
}
