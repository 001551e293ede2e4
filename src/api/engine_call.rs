//! Running a call the engine declared ([`ApiCall`], plain data) with a [`Client`]: the one
//! mapping from engine calls to endpoints, shared by every driver. It lives here, on the I/O
//! side, so that `sync` needs nothing of the client or its transport.

use crate::model::{Account, PremiumStatus};
use crate::sync::{ApiCall, ApiReply};

use super::{endpoints, Answered, ApiError, Call, Client, KeySource, Transport};

/// An answer's decoding into its [`ApiReply`]: the one part of a call that depends on its type.
type Decode = fn(&Answered) -> Result<ApiReply, ApiError>;

impl<T: Transport, K: KeySource> Client<T, K> {
    /// Makes `call` and wraps its answer for `Input::Answer`. Every kind of call is sent by the
    /// one [`Client::fetch`] future (issue 15: a future per kind was each one's copy of the
    /// sending); only its decoding is per kind.
    pub async fn run(&self, call: ApiCall) -> Result<ApiReply, ApiError> {
        let (request, decode): (_, Decode) = match call {
            ApiCall::Conversations { query } => {
                (self.list_conversations_call(query)?.request, |a| {
                    a.decode().map(ApiReply::Conversations)
                })
            }
            ApiCall::Messages {
                conversation_urn,
                query,
            } => (self.messages_call(&conversation_urn, query)?.request, |a| {
                a.decode().map(ApiReply::Messages)
            }),
            ApiCall::Send { request, .. } => (self.send_message_call(request)?.request, |a| {
                a.decode().map(ApiReply::Send)
            }),
            ApiCall::React {
                conversation_urn,
                message_urn,
                account_id,
                request,
            } => (
                self.react_call(
                    &conversation_urn,
                    &message_urn,
                    &request.emoji,
                    request.react,
                    account_id.as_deref(),
                )?
                .request,
                |a| a.decode().map(ApiReply::React),
            ),
            ApiCall::Recall {
                conversation_urn,
                message_urn,
                account_id,
            } => (
                self.recall_call(&conversation_urn, &message_urn, account_id.as_deref())?
                    .request,
                |a| a.decode().map(ApiReply::Recall),
            ),
            ApiCall::PremiumStatus { account_id } => (
                self.premium_call(account_id.as_deref()).await?.request,
                |a| a.decode().map(ApiReply::PremiumStatus),
            ),
        };
        decode(&self.fetch(request).await?)
    }

    /// The premium call of `account_id`, else of the client's default account, else of the
    /// workspace default: the path needs an id, and with none given the workspace default is
    /// taken as the first account `GET /accounts` lists (what the extension did before this
    /// moved here, and what the simulator's `account_or_default` does).
    async fn premium_call(
        &self,
        account_id: Option<&str>,
    ) -> Result<Call<PremiumStatus>, ApiError> {
        match self.premium_status_call(account_id) {
            Err(e) if e.is_local() && e.reason() == Some("missing_id") => {
                let listed = self.fetch(endpoints::accounts(None)?.request).await?;
                match listed.decode::<Vec<Account>>()?.first() {
                    Some(first) => self.premium_status_call(Some(&first.id)),
                    None => Err(e),
                }
            }
            other => other,
        }
    }
}
