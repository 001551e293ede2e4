//! Life in the workspace: the other party writes (`POST /__sim/incoming`), and, with `--trickle`, a
//! gentle stream of such messages from a fixed-seed generator, so polling and push can be seen.

use std::sync::Arc;
use std::time::Duration;

use threadline::model::Message;

use crate::error::SimError;
use crate::seed::Rng;
use crate::state::Sim;
use crate::views;
use crate::world::{Msg, World};

/// What the other party says in the demo's trickle.
const TRICKLE_LINES: [&str; 10] = [
    "Just checking in — any update?",
    "Thanks, that helps a lot!",
    "Can you send me the latest version?",
    "👍",
    "Are you free for a quick call tomorrow?",
    "I'll loop in my colleague.",
    "Sounds great, let's do it.",
    "Sorry, one more question about pricing.",
    "Got it, thanks!",
    "Have a great weekend!",
];

/// A message written into `conversation` by someone other than the account (`sender` when given),
/// announced to every viewer. Returns the message as the account sees it.
pub fn incoming(
    w: &mut World,
    account_id: Option<&str>,
    conversation: &str,
    text: &str,
    sender: Option<&str>,
) -> Result<(String, Message), SimError> {
    let acct = w
        .account_or_default(account_id)
        .cloned()
        .ok_or_else(|| SimError::not_found("account_not_found", "Account not found"))?;
    let ti = w
        .thread_index(conversation)
        .filter(|&ti| w.sees(&acct, ti))
        .ok_or_else(|| {
            SimError::not_found(
                "conversation_not_found",
                format!("Conversation not found for this account: {conversation}"),
            )
        })?;
    if text.trim().is_empty() {
        return Err(SimError::bad("message_required", "text is required"));
    }
    let t = &w.data.threads[ti];
    let from = match sender {
        Some(s) => t
            .members
            .iter()
            .find(|p| p.as_str() == s && **p != acct.profile_id)
            .cloned()
            .ok_or_else(|| {
                SimError::bad(
                    "bad_sender",
                    "senderProfileId is not another member of the thread",
                )
            })?,
        None => {
            let accounts: Vec<&str> = w
                .data
                .accounts
                .iter()
                .map(|a| a.profile_id.as_str())
                .collect();
            t.members
                .iter()
                .filter(|p| **p != acct.profile_id)
                .min_by_key(|p| accounts.contains(&p.as_str()))
                .cloned()
                .ok_or_else(|| SimError::bad("bad_sender", "the thread has no other member"))?
        }
    };
    let now = w.now();
    let sent_at = w.data.threads[ti].next_stamp(now);
    let id = w.new_message_id(sent_at);
    let r = w.push_message(
        ti,
        Msg {
            id,
            sender: from,
            text: text.to_string(),
            sent_at,
            subject: None,
            attachments: Vec::new(),
            reactions: Default::default(),
            recalled: false,
        },
    );
    let t = &w.data.threads[ti];
    Ok((
        views::conversation_urn(t, &acct),
        views::message(w, t, &t.messages[r.msg], &acct),
    ))
}

/// Every `every`, someone writes to one of the accounts (fixed seed, so the same sequence each run).
pub async fn trickle(sim: Arc<Sim>, every: Duration) {
    let mut rng = Rng::new(0x0074_7269_636b_6c65);
    let mut tick = tokio::time::interval(every);
    tick.tick().await;
    loop {
        tick.tick().await;
        let mut w = sim.world();
        let choices: Vec<(String, String)> = w
            .data
            .accounts
            .iter()
            .flat_map(|a| {
                (0..w.data.threads.len())
                    .filter(|&ti| w.sees(a, ti))
                    .map(|ti| (a.id.clone(), w.data.threads[ti].thread_id.clone()))
                    .collect::<Vec<_>>()
            })
            .filter(|(_, tid)| !tid.starts_with("sn-"))
            .collect();
        if choices.is_empty() {
            continue;
        }
        let (account, thread) = rng.pick(&choices).clone();
        let text = *rng.pick(&TRICKLE_LINES);
        let conv = format!("urn:li:messagingThread:{thread}");
        // A thread that vanished meanwhile (reset) is simply skipped.
        let _ = incoming(&mut w, Some(&account), &conv, text, None);
    }
}
