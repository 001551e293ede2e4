//! Running a call the engine declared ([`ApiCall`], plain data) with a [`Client`]: the one
//! mapping from engine calls to endpoints, shared by every driver. It lives here, on the I/O
//! side, so that `sync` needs nothing of the client or its transport.

use crate::model::PremiumStatus;
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
            ApiCall::PremiumStatus { account_id } => self
                .premium_of(account_id.as_deref())
                .await
                .map(ApiReply::PremiumStatus),
        }
    }

    /// Premium status of `account_id`, else of the client's default account, else of the
    /// workspace default: the path needs an id, and with none given the workspace default is
    /// taken as the first account `GET /accounts` lists (what the extension did before this
    /// moved here, and what the simulator's `account_or_default` does).
    async fn premium_of(&self, account_id: Option<&str>) -> Result<PremiumStatus, ApiError> {
        match self.premium_status(account_id).await {
            Err(e) if e.is_local() && e.reason() == Some("missing_id") => {
                let accounts = self.accounts(None).await?;
                match accounts.first() {
                    Some(first) => self.premium_status(Some(&first.id)).await,
                    None => Err(e),
                }
            }
            other => other,
        }
    }
}
