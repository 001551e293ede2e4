//! Running a call the engine declared ([`ApiCall`], plain data) with a [`Client`]: the one
//! mapping from engine calls to endpoints, shared by every driver. It lives here, on the I/O
//! side, so that `sync` needs nothing of the client or its transport.

use serde_json::value::RawValue;

use crate::model::{Account, Answer};
use crate::sync::{ApiCall, ApiReply};

use super::{endpoints, ApiError, Client, KeySource, Transport};

/// An answer's decoding into its [`ApiReply`]: the one part of a call that depends on its type
/// (`R::from_json`; [`super::Answered::decode_with`] has the steps and errors around it, one body for
/// every kind).
type Decode = fn(&RawValue) -> Result<ApiReply, String>;

impl<T: Transport, K: KeySource> Client<T, K> {
    /// Makes `call` and wraps its answer for `Input::Answer`. Every kind of call is sent by the
    /// one [`Client::fetch`] future (issue 15: a future per kind was each one's copy of the
    /// sending); only its decoding is per kind.
    pub async fn run(&self, call: ApiCall) -> Result<ApiReply, ApiError> {
        // `missing`: the premium call named no account and none is the client's default, so
        // the workspace default is taken as the first account `GET /accounts` lists (what the
        // extension did before this moved here, and what the simulator's `account_or_default`
        // does); with none listed, that refusal. Both requests go through one await of `fetch`.
        let (mut request, decode, mut missing): (_, Decode, Option<ApiError>) = match call {
            ApiCall::Conversations { query } => (
                self.list_conversations_call(query)?.request,
                |j| Answer::from_json(j).map(ApiReply::Conversations),
                None,
            ),
            ApiCall::Messages {
                conversation_urn,
                query,
            } => (
                self.messages_call(&conversation_urn, query)?.request,
                |j| Answer::from_json(j).map(ApiReply::Messages),
                None,
            ),
            ApiCall::Send { request, .. } => (
                self.send_message_call(request)?.request,
                |j| Answer::from_json(j).map(ApiReply::Send),
                None,
            ),
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
                |j| Answer::from_json(j).map(ApiReply::React),
                None,
            ),
            ApiCall::Recall {
                conversation_urn,
                message_urn,
                account_id,
            } => (
                self.recall_call(&conversation_urn, &message_urn, account_id.as_deref())?
                    .request,
                |j| Answer::from_json(j).map(ApiReply::Recall),
                None,
            ),
            ApiCall::PremiumStatus { account_id } => {
                let premium: Decode = |j| Answer::from_json(j).map(ApiReply::PremiumStatus);
                match self.premium_status_call(account_id.as_deref()) {
                    Err(e) if e.is_local() && e.reason() == Some("missing_id") => {
                        (endpoints::accounts(None)?.request, premium, Some(e))
                    }
                    call => (call?.request, premium, None),
                }
            }
        };
        loop {
            let answered = self.fetch(request).await?;
            let Some(e) = missing.take() else {
                return answered.decode_with(decode);
            };
            request = match answered.decode::<Vec<Account>>()?.first() {
                Some(first) => self.premium_status_call(Some(&first.id))?.request,
                None => return Err(e),
            };
        }
    }
}
