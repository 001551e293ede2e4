//! The seeded workspace: three accounts (the default one with Sales Navigator), a dozen and more
//! threads each in every URN form, long histories, attachments, reactions, unread threads, labels,
//! Sales Navigator threads and a thread two accounts share. Built from a fixed-seed generator, so
//! ids and texts are the same on every run; times are laid out backwards from the clock at reset.
//! `ids` holds the well-known ids other tests and the demo rely on.

use std::collections::{BTreeMap, BTreeSet};

use threadline::model::{AccountStatus, Attachment};

use crate::world::{AccountRec, Asset, Data, Msg, Person, Thread, UrnStyle};

/// Well-known ids of the default seed (also served as JSON at `GET /__sim/seed-ids`).
pub mod ids {
    /// Ada Lovelace: the workspace default account, with Sales Navigator.
    pub const ACCOUNT_ADA: &str = "65f1a0c0ffee000000000a01";
    /// Grace Hopper: no Sales Navigator.
    pub const ACCOUNT_GRACE: &str = "65f1a0c0ffee000000000b02";
    /// Katherine Johnson: no Sales Navigator, status WARMUP.
    pub const ACCOUNT_KATHERINE: &str = "65f1a0c0ffee000000000c03";
    /// Every account, default first.
    pub const ACCOUNTS: [&str; 3] = [ACCOUNT_ADA, ACCOUNT_GRACE, ACCOUNT_KATHERINE];

    /// Profile ids (`urn:li:fsd_profile:<id>`) of the account owners: the mailbox prefixes.
    pub const PROFILE_ADA: &str = "ACoAAAda1Lovelace_SimMailbox-0000000A01";
    pub const PROFILE_GRACE: &str = "ACoAAGrace2Hopper_SimMailbox-0000000B02";
    pub const PROFILE_KATHERINE: &str = "ACoAAKath3Johnson_SimMailbox-0000000C03";

    /// A group thread Ada and Grace both see (with Margaret Hamilton), under two mailbox prefixes.
    pub const SHARED_THREAD_ID: &str = "2-c2ltLXNoYXJlZC10aHJlYWQ/YWRhPmdyYWNlfm1hcmdhcmV0XzEwMA==";
    /// Margaret Hamilton, the third member of the shared thread (not an account).
    pub const PROFILE_MARGARET: &str = "ACoAAMargaret_Hamilton-SimPerson000M01";

    /// Ada's 150-message thread with Linus Torvalds (the URN form `msg_conversation`).
    pub const LONG_THREAD_ID: &str = "2-c2ltLWxvbmctdGhyZWFkPz9hZGE+PmxpbnVzfn5oaXN0b3J5XzE1MA==";
    /// Messages in the long thread.
    pub const LONG_THREAD_MESSAGES: usize = 150;
    /// Linus Torvalds, the other party of the long thread; public id `linus-torvalds-sim`.
    pub const PROFILE_LINUS: &str = "ACoAALinus_Torvalds-SimPerson0000000L01";
    pub const PUBLIC_ID_LINUS: &str = "linus-torvalds-sim";

    /// Ada's newest message in the long thread, sent 10 minutes before the seed's anchor time:
    /// recallable for 50 minutes after a reset.
    pub const RECALLABLE_MESSAGE_ID: &str = "2-+/++IHNpbSByZWNhbGxhYmxlIG1zZyAxPg==";
    /// Ada's message in the long thread sent 3 hours before the anchor: past the recall window.
    pub const OLD_OWN_MESSAGE_ID: &str = "2-++//IG9sZCBvd24gbXNnIH5+Mj4/";
    /// Linus's message in the long thread (not Ada's own: recall is refused).
    pub const THEIR_MESSAGE_ID: &str = "2-+vv8IHRoZWlyIG1zZyB+Mw==";

    /// Ada's first Sales Navigator thread (`urn:li:salesNav_thread:<id>`).
    pub const SALES_NAV_THREAD_ID: &str = "sn-2f7c1a9e0b3d4c5e";

    /// Grace's 120-message thread (URN form `messagingThread`).
    pub const GRACE_LONG_THREAD_ID: &str = "2-R3JhY2UgbG9uZyB0aHJlYWQ+PnNpbSAxMjA=";

    /// A person no thread includes yet: sending to them opens a new conversation.
    pub const PROFILE_NEW_CONTACT: &str = "ACoAANew_Contact-SimPerson000000000N01";
    pub const PUBLIC_ID_NEW_CONTACT: &str = "nadia-newcontact-sim";

    /// Labels used by `labelId` / `labeledOnly`.
    pub const LABEL_HOT: &str = "label-hot";
    pub const LABEL_FOLLOW_UP: &str = "label-follow-up";
}

/// Threads each account has besides the special ones.
const ORDINARY_THREADS: usize = 13;
/// Sales Navigator threads of the Sales Navigator account.
const SALES_NAV_THREADS: usize = 3;

/// A small fixed-seed generator (splitmix64): deterministic data without a dependency.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `lo..hi` (`hi > lo`).
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next_u64() % (hi - lo).max(1)
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.range(0, items.len() as u64) as usize]
    }

    pub fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next_u64() as u8).collect()
    }
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding (LinkedIn's `2-…` ids keep `+`, `/` and `=`).
pub fn base64(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(B64[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A message id in LinkedIn's shape (`2-` + base64 of the time and a counter).
pub fn message_id_for(at: i64, n: u64) -> String {
    format!("2-{}", base64(format!("{at}s{n:x}-100").as_bytes()))
}

const FIRST: [&str; 24] = [
    "Alan",
    "Barbara",
    "Claude",
    "Dorothy",
    "Edsger",
    "Frances",
    "Guido",
    "Hedy",
    "Ivan",
    "Joan",
    "Ken",
    "Lynn",
    "Mary",
    "Niklaus",
    "Radia",
    "Barbara",
    "Shafi",
    "Tim",
    "Ursula",
    "Vint",
    "Whitfield",
    "Xiao",
    "Yukihiro",
    "Zhang",
];
const LAST: [&str; 24] = [
    "Turing",
    "Liskov",
    "Shannon",
    "Vaughan",
    "Dijkstra",
    "Allen",
    "van Rossum",
    "Lamarr",
    "Sutherland",
    "Clarke",
    "Thompson",
    "Conway",
    "Jackson",
    "Wirth",
    "Perlman",
    "Simons",
    "Goldwasser",
    "Berners-Lee",
    "Burns",
    "Cerf",
    "Diffie",
    "Wang",
    "Matsumoto",
    "Wei",
];
const HEADLINES: [&str; 8] = [
    "Software Engineer at Tech Company",
    "Head of Growth · B2B SaaS",
    "Recruiter — hiring Rust engineers",
    "Founder & CEO at a stealth startup",
    "Product Manager, Messaging",
    "VP Sales EMEA",
    "Distributed systems researcher",
    "Design lead <UX & research>",
];
const LINES: [&str; 32] = [
    "Hello, how are you?",
    "Thanks for connecting!",
    "Would you have 15 minutes this week for a quick call?",
    "Sounds good — talk soon.",
    "I'll send over the deck tomorrow morning.",
    "Did you get a chance to look at the proposal?",
    "Great to meet you at the conference 👋",
    "Can we move our call to Thursday at 3pm?",
    "Here's the link: https://example.com/agenda?a=1&b=2",
    "Absolutely, count me in.",
    "Let me check with the team and get back to you.",
    "Happy Friday! 🎉",
    "We use <b>Rust</b> & WebAssembly for the core; \"quotes\" and 'apostrophes' too.",
    "Following up on my last message.",
    "Congrats on the new role!",
    "Could you share the pricing for 50 seats?",
    "Not right now, but maybe next quarter.",
    "I've attached the document we discussed.",
    "Ça marche, à demain !",
    "ありがとうございます",
    "What's the best email to reach you?",
    "Perfect, thanks!",
    "Is the position still open?",
    "Let's keep in touch.",
    "Quick question about your work on distributed systems.",
    "Sure — what time zone are you in?",
    "Noted 👍",
    "Sorry for the late reply, busy week.",
    "That makes sense. Let's do it.",
    "Sending the invite now.",
    "Looking forward to it!",
    "Could you introduce me to your colleague?",
];

struct Builder {
    rng: Rng,
    people: Vec<Person>,
    threads: Vec<Thread>,
    assets: BTreeMap<String, Asset>,
    next_member: u64,
}

impl Builder {
    fn person(&mut self, profile_id: &str, public_id: &str, first: &str, last: &str) -> String {
        let headline = self.rng.pick(&HEADLINES).to_string();
        let distance = ["DISTANCE_1", "DISTANCE_2", "DISTANCE_3"][self.rng.range(0, 3) as usize];
        self.next_member += 1;
        self.people.push(Person {
            profile_id: profile_id.to_string(),
            member_id: 880_000_000 + self.next_member * 7919,
            public_id: public_id.to_string(),
            first_name: first.to_string(),
            last_name: last.to_string(),
            headline,
            distance: distance.to_string(),
        });
        profile_id.to_string()
    }

    fn random_person(&mut self) -> String {
        let first = self.rng.pick(&FIRST).to_string();
        let last = self.rng.pick(&LAST).to_string();
        let tail = base64(&self.rng.bytes(27)).replace(['+', '/', '='], "_");
        let profile_id = format!("ACoAA{}", &tail[..34]);
        let public_id = format!(
            "{}-{}-{:x}",
            first.to_lowercase(),
            last.to_lowercase().replace(' ', ""),
            self.rng.range(0x100, 0xfff)
        );
        self.person(&profile_id, &public_id, &first, &last)
    }

    fn thread_id(&mut self) -> String {
        format!("2-{}", base64(&self.rng.bytes(30)))
    }

    fn attachment(&mut self, i: u64) -> Attachment {
        let image = i % 2 == 0;
        let n = self.assets.len() + 1;
        let (urn, media, name, size) = if image {
            (
                format!("urn:li:digitalmediaAsset:photo-seed{n:04}"),
                "image/png",
                format!("screenshot-{n}.png"),
                48_000 + i * 13,
            )
        } else {
            (
                format!("urn:li:digitalmediaAsset:file-seed{n:04}"),
                "application/pdf",
                format!("proposal-{n}.pdf"),
                210_000 + i * 17,
            )
        };
        let a = Attachment {
            asset_urn: urn.clone(),
            byte_size: size,
            media_type: media.to_string(),
            name,
            url: None,
        };
        self.assets.insert(
            urn,
            Asset {
                attachment: a.clone(),
                account_id: String::new(),
                bytes: Vec::new(),
            },
        );
        a
    }

    /// A thread of `n` messages whose newest is at `newest`, alternating senders at random.
    #[allow(clippy::too_many_arguments)]
    fn thread(
        &mut self,
        thread_id: String,
        style: UrnStyle,
        sales_navigator: bool,
        members: Vec<String>,
        owner: &str,
        n: usize,
        newest: i64,
        unread: usize,
    ) -> Thread {
        let mut stamps = Vec::with_capacity(n);
        let mut at = newest;
        for _ in 0..n {
            stamps.push(at);
            at -= self.rng.range(2, 90) as i64 * 60_000 + self.rng.range(0, 59_000) as i64;
        }
        stamps.reverse();
        let mut messages = Vec::with_capacity(n);
        for (i, &sent_at) in stamps.iter().enumerate() {
            let sender = if i + unread >= n && unread > 0 {
                self.rng.pick(&members[1..]).clone()
            } else {
                self.rng.pick(&members).clone()
            };
            let roll = self.rng.range(0, 100);
            let attachments = if roll < 8 {
                vec![self.attachment(roll)]
            } else {
                Vec::new()
            };
            let text = self.rng.pick(&LINES).to_string();
            let mut reactions = BTreeMap::new();
            if roll % 11 == 3 {
                let who: BTreeSet<String> = members.iter().take(2).cloned().collect();
                reactions.insert(["👍", "❤️", "😂"][(roll % 3) as usize].to_string(), who);
            }
            let id = format!("2-{}", base64(&self.rng.bytes(24)));
            messages.push(Msg {
                id,
                sender,
                text,
                sent_at,
                subject: None,
                attachments,
                reactions,
                recalled: false,
            });
        }
        let created_at = stamps.first().copied().unwrap_or(newest) - 60_000;
        let mut read_at = BTreeMap::new();
        let read_until = if unread > 0 {
            stamps
                .get(n.saturating_sub(unread + 1))
                .copied()
                .unwrap_or(created_at)
        } else {
            newest
        };
        read_at.insert(owner.to_string(), read_until);
        Thread {
            thread_id,
            sales_navigator,
            style,
            members,
            created_at,
            opened_by: None,
            messages,
            read_at,
            labels: Vec::new(),
        }
    }
}

/// An empty workspace: the three accounts and their owners, no threads.
pub fn empty() -> Data {
    let mut b = builder();
    add_owners(&mut b);
    Data {
        people: b.people,
        accounts: accounts(),
        threads: Vec::new(),
        assets: BTreeMap::new(),
    }
}

fn builder() -> Builder {
    Builder {
        rng: Rng::new(0x7468_7265_6164_6c6e),
        people: Vec::new(),
        threads: Vec::new(),
        assets: BTreeMap::new(),
        next_member: 0,
    }
}

fn add_owners(b: &mut Builder) {
    b.person(ids::PROFILE_ADA, "ada-lovelace-sim", "Ada", "Lovelace");
    b.person(ids::PROFILE_GRACE, "grace-hopper-sim", "Grace", "Hopper");
    b.person(
        ids::PROFILE_KATHERINE,
        "katherine-johnson-sim",
        "Katherine",
        "Johnson",
    );
}

fn accounts() -> Vec<AccountRec> {
    vec![
        AccountRec {
            id: ids::ACCOUNT_ADA.into(),
            profile_id: ids::PROFILE_ADA.into(),
            sales_navigator: true,
            premium_type: Some("SALES_NAVIGATOR_CORE".into()),
            status: AccountStatus::Available,
            enabled: true,
            connected: true,
        },
        AccountRec {
            id: ids::ACCOUNT_GRACE.into(),
            profile_id: ids::PROFILE_GRACE.into(),
            sales_navigator: false,
            premium_type: Some("PREMIUM_CAREER".into()),
            status: AccountStatus::Available,
            enabled: true,
            connected: true,
        },
        AccountRec {
            id: ids::ACCOUNT_KATHERINE.into(),
            profile_id: ids::PROFILE_KATHERINE.into(),
            sales_navigator: false,
            premium_type: None,
            status: AccountStatus::Warmup,
            enabled: true,
            connected: true,
        },
    ]
}

const HOUR: i64 = 3_600_000;
const MINUTE: i64 = 60_000;

/// The default seed, its newest message a few minutes before `anchor` (the clock at reset).
pub fn default_seed(anchor: i64) -> Data {
    let mut b = builder();
    add_owners(&mut b);
    let margaret = b.person(
        ids::PROFILE_MARGARET,
        "margaret-hamilton-sim",
        "Margaret",
        "Hamilton",
    );
    let linus = b.person(
        ids::PROFILE_LINUS,
        ids::PUBLIC_ID_LINUS,
        "Linus",
        "Torvalds",
    );
    b.person(
        ids::PROFILE_NEW_CONTACT,
        ids::PUBLIC_ID_NEW_CONTACT,
        "Nadia",
        "Newcontact",
    );

    // The long thread: Ada ↔ Linus, with three well-known messages at its end.
    let mut long = b.thread(
        ids::LONG_THREAD_ID.into(),
        UrnStyle::MsgConversation,
        false,
        vec![ids::PROFILE_ADA.into(), linus.clone()],
        ids::PROFILE_ADA,
        ids::LONG_THREAD_MESSAGES - 3,
        anchor - 4 * HOUR,
        0,
    );
    for (id, sender, text, at) in [
        (
            ids::OLD_OWN_MESSAGE_ID,
            ids::PROFILE_ADA,
            "Old news: see my earlier note.",
            3 * HOUR,
        ),
        (
            ids::THEIR_MESSAGE_ID,
            ids::PROFILE_LINUS,
            "Patch looks fine to me.",
            2 * HOUR,
        ),
        (
            ids::RECALLABLE_MESSAGE_ID,
            ids::PROFILE_ADA,
            "Oops, wrong thread!",
            10 * MINUTE,
        ),
    ] {
        long.messages.push(Msg {
            id: id.into(),
            sender: sender.into(),
            text: text.into(),
            sent_at: anchor - at,
            subject: None,
            attachments: Vec::new(),
            reactions: BTreeMap::new(),
            recalled: false,
        });
    }
    long.read_at
        .insert(ids::ACCOUNT_ADA.into(), anchor - 10 * MINUTE);
    long.labels.push(ids::LABEL_HOT.into());
    b.threads.push(long);

    // The shared group thread: Ada, Grace and Margaret; each account sees its own prefix.
    let mut shared = b.thread(
        ids::SHARED_THREAD_ID.into(),
        UrnStyle::MsgConversation,
        false,
        vec![ids::PROFILE_ADA.into(), ids::PROFILE_GRACE.into(), margaret],
        ids::PROFILE_ADA,
        24,
        anchor - 30 * MINUTE,
        2,
    );
    let grace_read = shared.messages[20].sent_at;
    shared.read_at.insert(ids::ACCOUNT_GRACE.into(), grace_read);
    b.threads.push(shared);

    // Grace's long thread.
    let grace_partner = b.random_person();
    let mut grace_long = b.thread(
        ids::GRACE_LONG_THREAD_ID.into(),
        UrnStyle::MessagingThread,
        false,
        vec![ids::PROFILE_GRACE.into(), grace_partner],
        ids::PROFILE_GRACE,
        120,
        anchor - 5 * HOUR,
        1,
    );
    grace_long.labels.push(ids::LABEL_FOLLOW_UP.into());
    b.threads.push(grace_long);

    // Ordinary threads for every account, in every URN form.
    let styles = [
        UrnStyle::MsgConversation,
        UrnStyle::MsgConversation,
        UrnStyle::MessagingThread,
        UrnStyle::FsConversation,
        UrnStyle::FsdConversation,
    ];
    for (ai, owner) in [ids::PROFILE_ADA, ids::PROFILE_GRACE, ids::PROFILE_KATHERINE]
        .into_iter()
        .enumerate()
    {
        for i in 0..ORDINARY_THREADS {
            let mut members = vec![owner.to_string(), b.random_person()];
            if i == 7 {
                members.push(b.random_person());
            }
            let n = if i == 4 {
                104
            } else {
                b.rng.range(2, 40) as usize
            };
            let newest = anchor - (i as i64 + 1) * 7 * HOUR - ai as i64 * 13 * MINUTE;
            let unread = if i % 3 == 0 { (i % 4) + 1 } else { 0 };
            let id = b.thread_id();
            let mut t = b.thread(
                id,
                styles[i % styles.len()],
                false,
                members,
                owner,
                n,
                newest,
                unread,
            );
            if i % 4 == 1 {
                t.labels.push(ids::LABEL_HOT.into());
            }
            if i % 5 == 2 {
                t.labels.push(ids::LABEL_FOLLOW_UP.into());
            }
            // `read_at` is keyed by account id, not profile id.
            let account = ids::ACCOUNTS[ai];
            if let Some(at) = t.read_at.remove(owner) {
                t.read_at.insert(account.into(), at);
            }
            b.threads.push(t);
        }
    }

    // Ada's Sales Navigator threads.
    for i in 0..SALES_NAV_THREADS {
        let id = if i == 0 {
            ids::SALES_NAV_THREAD_ID.to_string()
        } else {
            format!("sn-{:016x}", b.rng.next_u64())
        };
        let members = vec![ids::PROFILE_ADA.to_string(), b.random_person()];
        let newest = anchor - (i as i64 * 9 + 2) * HOUR;
        let mut t = b.thread(
            id,
            UrnStyle::MessagingThread,
            true,
            members,
            ids::PROFILE_ADA,
            6,
            newest,
            i % 2,
        );
        if let Some(at) = t.read_at.remove(ids::PROFILE_ADA) {
            t.read_at.insert(ids::ACCOUNT_ADA.into(), at);
        }
        if i == 0 {
            t.messages[0].subject = Some("Partnership idea".into());
        }
        b.threads.push(t);
    }

    // The special threads above were built with profile ids as `read_at` keys too.
    for t in &mut b.threads {
        for (profile, account) in [
            (ids::PROFILE_ADA, ids::ACCOUNT_ADA),
            (ids::PROFILE_GRACE, ids::ACCOUNT_GRACE),
            (ids::PROFILE_KATHERINE, ids::ACCOUNT_KATHERINE),
        ] {
            if let Some(at) = t.read_at.remove(profile) {
                t.read_at.entry(account.into()).or_insert(at);
            }
        }
    }

    Data {
        people: b.people,
        accounts: accounts(),
        threads: b.threads,
        assets: b.assets,
    }
}

/// The well-known ids as JSON, for tests written in other languages.
pub fn ids_json() -> serde_json::Value {
    serde_json::json!({
        "accounts": ids::ACCOUNTS,
        "defaultAccount": ids::ACCOUNT_ADA,
        "salesNavigatorAccount": ids::ACCOUNT_ADA,
        "accountWithoutSalesNavigator": ids::ACCOUNT_GRACE,
        "profiles": {
            "ada": ids::PROFILE_ADA,
            "grace": ids::PROFILE_GRACE,
            "katherine": ids::PROFILE_KATHERINE,
            "margaret": ids::PROFILE_MARGARET,
            "linus": ids::PROFILE_LINUS,
            "newContact": ids::PROFILE_NEW_CONTACT,
        },
        "publicIds": {"linus": ids::PUBLIC_ID_LINUS, "newContact": ids::PUBLIC_ID_NEW_CONTACT},
        "sharedThreadId": ids::SHARED_THREAD_ID,
        "sharedThreadAccounts": [ids::ACCOUNT_ADA, ids::ACCOUNT_GRACE],
        "longThreadId": ids::LONG_THREAD_ID,
        "longThreadMessages": ids::LONG_THREAD_MESSAGES,
        "graceLongThreadId": ids::GRACE_LONG_THREAD_ID,
        "salesNavThreadId": ids::SALES_NAV_THREAD_ID,
        "recallableMessageId": ids::RECALLABLE_MESSAGE_ID,
        "oldOwnMessageId": ids::OLD_OWN_MESSAGE_ID,
        "theirMessageId": ids::THEIR_MESSAGE_ID,
        "labels": [ids::LABEL_HOT, ids::LABEL_FOLLOW_UP],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_the_standard_alphabet_and_padding() {
        assert_eq!(base64(b"sim-long"), "c2ltLWxvbmc=");
        assert_eq!(base64(b"ab"), "YWI=");
        assert_eq!(base64(b"abc"), "YWJj");
    }

    #[test]
    fn the_seed_is_the_same_on_every_run() {
        assert_eq!(
            default_seed(1_000_000_000_000),
            default_seed(1_000_000_000_000)
        );
    }

    #[test]
    fn every_account_has_a_dozen_threads_and_some_are_long() {
        let d = default_seed(1_800_000_000_000);
        for a in &d.accounts {
            let n = d
                .threads
                .iter()
                .filter(|t| t.members.contains(&a.profile_id))
                .count();
            assert!(n >= 12, "{} has {n}", a.id);
        }
        assert!(d.threads.iter().filter(|t| t.messages.len() > 100).count() >= 3);
    }

    #[test]
    fn messages_in_a_thread_are_in_time_order() {
        for t in default_seed(1_800_000_000_000).threads {
            assert!(
                t.messages.windows(2).all(|w| w[0].sent_at < w[1].sent_at),
                "{}",
                t.thread_id
            );
        }
    }
}
