//! The canonical ids from every form in CONTRACT.md and the seed pages, wrong kinds, and the
//! id-level properties (every form of one message gives one id).

use proptest::prelude::*;
use threadline::urn::{
    clean, encode_path_segment, ConversationId, MessageId, ProfileId, Urn, UrnErrorCode,
};

const MAILBOX: &str = "ACoAAATPlQ0Bc8wdg-Iy8wZgEDuSdIVWJiE1Aio";
const OTHER_MAILBOX: &str = "ACoAADSoo60BM6hxemTbnN2aA_Z1-WlNFRhRYhU";
const MSG: &str = "2-MTc3MTk1MDM0NjYwM2I5NzY0NS0xMDA=";
const THREAD: &str = "2-ODFkYjU4M2ItZDlmYS00YTVjLThlNTQtZjI5YTE4ZWUyZDk5XzEwMA==";
const PROFILE: &str = "ACoAADSoo60BM6hxemTbnN2aA_Z1-WlNFRhRYhU";

/// Every URN that appears in the seed pages (`/work/shared/api/seeds`), verbatim.
const SEED_URNS: &[&str] = &[
    "urn:li:fsd_profile:ACoAAATPlQ0Bc8wdg-Iy8wZgEDuSdIVWJiE1Aio",
    "urn:li:msg_conversation:(urn:li:fsd_profile:ACoAAATPlQ0Bc8wdg-Iy8wZgEDuSdIVWJiE1Aio,2-ODFkYjU4M2ItZDlmYS00YTVjLThlNTQtZjI5YTE4ZWUyZDk5XzEwMA==)",
    "urn:li:messagingThread:2-ODFkYjU4M2ItZDlmYS00YTVjLThlNTQtZjI5YTE4ZWUyZDk5XzEwMA==",
    "urn:li:msg_messagingParticipant:urn:li:fsd_profile:ACoAADSoo60BM6hxemTbnN2aA_Z1-WlNFRhRYhU",
    "urn:li:member:883467181",
    "urn:li:fsd_profile:ACoAADSoo60BM6hxemTbnN2aA_Z1-WlNFRhRYhU",
    "urn:li:msg_message:(urn:li:fsd_profile:ACoAAATPlQ0Bc8wdg-Iy8wZgEDuSdIVWJiE1Aio,2-MTc3MTk1MDM0NjYwM2I5NzY0NS0xMDA=)",
    "urn:li:messagingMessage:2-MTc3MTk1MDM0NjYwM2I5NzY0NS0xMDA=",
    "urn:li:fsd_profile:ACoAABcdefgh",
    "urn:li:fsd_profile:ACoAABJefVoBrz2LR3f...",
    "urn:li:example:123456",
];

fn message(s: &str) -> String {
    MessageId::parse(s)
        .unwrap_or_else(|e| panic!("{s}: {e}"))
        .as_str()
        .to_owned()
}

fn conversation(s: &str) -> String {
    ConversationId::parse(s)
        .unwrap_or_else(|e| panic!("{s}: {e}"))
        .as_str()
        .to_owned()
}

fn profile(s: &str) -> String {
    ProfileId::parse(s)
        .unwrap_or_else(|e| panic!("{s}: {e}"))
        .as_str()
        .to_owned()
}

fn code<T: std::fmt::Debug>(r: Result<T, threadline::urn::UrnError>) -> (UrnErrorCode, usize) {
    let e = r.expect_err("expected an error");
    (e.code, e.offset)
}

#[test]
fn every_urn_in_the_seed_pages_parses_and_displays_unchanged() {
    for s in SEED_URNS {
        let u = Urn::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"));
        assert_eq!(u.to_string(), *s);
        assert_eq!(Urn::parse(&u.to_string()).unwrap(), u);
    }
}

#[test]
fn seed_urns_give_the_ids_the_seed_pairs_them_with() {
    // Seed 003 pairs conversationUrn, backendConversationUrn and conversationId.
    assert_eq!(conversation(SEED_URNS[1]), THREAD);
    assert_eq!(conversation(SEED_URNS[2]), THREAD);
    // ... messageUrn with backendMessageUrn ...
    assert_eq!(message(SEED_URNS[6]), MSG);
    assert_eq!(message(SEED_URNS[7]), MSG);
    // ... and participantUrn, hostIdentityUrn and profileUrl with profileId.
    assert_eq!(profile(SEED_URNS[3]), PROFILE);
    assert_eq!(profile(SEED_URNS[5]), PROFILE);
    assert_eq!(
        profile(&format!("https://www.linkedin.com/in/{PROFILE}")),
        PROFILE
    );
    assert_eq!(profile(SEED_URNS[4]), "member:883467181");
}

#[test]
fn two_mailbox_prefixes_give_one_message_id() {
    let a = MessageId::parse(&format!(
        "urn:li:msg_message:(urn:li:fsd_profile:{MAILBOX},{MSG})"
    ));
    let b = MessageId::parse(&format!(
        "urn:li:msg_message:(urn:li:fsd_profile:{OTHER_MAILBOX},{MSG})"
    ));
    assert_eq!(a.unwrap(), b.unwrap());
}

#[test]
fn every_message_form_gives_the_same_message_id() {
    let forms = [
        format!("urn:li:msg_message:(urn:li:fsd_profile:{MAILBOX},{MSG})"),
        format!("urn:li:messagingMessage:{MSG}"),
        format!("urn:li:fsd_message:{MSG}"),
        format!("urn:li:fs_event:({THREAD},{MSG})"),
        MSG.to_owned(),
        format!("  {MSG}\n"),
        // encodeURIComponent leaves parentheses raw; a full encoder does not.
        format!("urn%3Ali%3Amsg_message%3A(urn%3Ali%3Afsd_profile%3A{MAILBOX}%2C{MSG})"),
        encode_path_segment(&format!(
            "urn:li:msg_message:(urn:li:fsd_profile:{MAILBOX},{MSG})"
        )),
        encode_path_segment(&encode_path_segment(&format!("urn:li:fsd_message:{MSG}"))),
        // Redundant parentheses are the same URN.
        format!("urn:li:msg_message:((urn:li:fsd_profile:{MAILBOX}),({MSG}))"),
    ];
    for form in &forms {
        assert_eq!(message(form), MSG, "{form}");
    }
}

#[test]
fn every_conversation_form_gives_the_same_conversation_id() {
    let forms = [
        format!("urn:li:msg_conversation:(urn:li:fsd_profile:{MAILBOX},{THREAD})"),
        format!("urn:li:msg_conversation:(urn:li:fsd_profile:{OTHER_MAILBOX},{THREAD})"),
        format!("urn:li:messagingThread:{THREAD}"),
        format!("urn:li:fs_conversation:{THREAD}"),
        format!("urn:li:fsd_conversation:{THREAD}"),
        encode_path_segment(&format!("urn:li:messagingThread:{THREAD}")),
        THREAD.to_owned(),
        format!("https://www.linkedin.com/messaging/thread/{THREAD}/"),
        format!("https://www.linkedin.com/messaging/thread/{THREAD}"),
        format!("https://www.linkedin.com/messaging/thread/{THREAD}/?trk=nav#top"),
        format!("https://www.linkedin.com/messaging/thread/{THREAD}?x=%ZZ"),
        format!("http://linkedin.com/messaging/thread/{THREAD}/"),
        format!("HTTPS://WWW.LinkedIn.com/messaging/thread/{THREAD}/"),
        format!(
            "  https://www.linkedin.com/messaging/thread/{}/ ",
            encode_path_segment(THREAD)
        ),
    ];
    for form in &forms {
        assert_eq!(conversation(form), THREAD, "{form}");
    }
}

#[test]
fn an_encoded_slash_in_a_thread_url_stays_part_of_the_id() {
    let url = "https://www.linkedin.com/messaging/thread/2-ab%2Fcd%3D%3D/";
    assert_eq!(conversation(url), "2-ab/cd==");
}

#[test]
fn sales_nav_threads_stay_apart_from_inbox_threads() {
    let sales = ConversationId::parse("urn:li:salesNav_thread:12345").unwrap();
    let inbox = ConversationId::parse("urn:li:messagingThread:12345").unwrap();
    assert_ne!(sales, inbox);
    assert!(sales.is_sales_nav());
    assert!(!inbox.is_sales_nav());
    assert_eq!(sales.as_str(), "salesNav:12345");
    assert_eq!(sales.sales_nav_thread_id(), Some("12345"));
    assert_eq!(inbox.sales_nav_thread_id(), None);
    // The send answer's `threadId` and the list's `salesNavThreadId` give the same id.
    assert_eq!(ConversationId::sales_nav("12345").unwrap(), sales);
    assert_eq!(code(ConversationId::sales_nav("")).0, UrnErrorCode::NotAUrn);
}

#[test]
fn no_inbox_key_can_pass_for_a_sales_nav_id() {
    let (c, _) = code(ConversationId::parse("urn:li:messagingThread:salesNav:1"));
    assert_eq!(c, UrnErrorCode::WrongKind);
}

#[test]
fn every_profile_form_gives_the_same_profile_id() {
    let forms = [
        format!("urn:li:fsd_profile:{PROFILE}"),
        format!("urn:li:fs_miniProfile:{PROFILE}"),
        format!("urn:li:msg_messagingParticipant:urn:li:fsd_profile:{PROFILE}"),
        format!("urn:li:msg_messagingParticipant:urn:li:fs_miniProfile:{PROFILE}"),
        format!("urn:li:fs_messagingMember:({THREAD},{PROFILE})"),
        format!("urn:li:fs_messagingMember:({THREAD},urn:li:fsd_profile:{PROFILE})"),
        format!("urn:li:fs_messagingMember:{PROFILE}"),
        format!("https://www.linkedin.com/in/{PROFILE}"),
        format!("https://www.linkedin.com/in/{PROFILE}/?miniProfileUrn=x"),
        format!("http://linkedin.com/in/{PROFILE}/"),
        encode_path_segment(&format!("urn:li:fsd_profile:{PROFILE}")),
        PROFILE.to_owned(),
    ];
    for form in &forms {
        assert_eq!(profile(form), PROFILE, "{form}");
    }
}

#[test]
fn member_numbers_stay_apart_from_profile_ids() {
    let member = ProfileId::parse("urn:li:member:883467181").unwrap();
    assert_eq!(member.as_str(), "member:883467181");
    assert_ne!(member, ProfileId::parse(PROFILE).unwrap());
    // A bare number could be anything, so it is not taken for a member.
    assert_eq!(code(ProfileId::parse("883467181")).0, UrnErrorCode::NotAUrn);
    assert_eq!(
        code(ProfileId::parse("urn:li:member:88x")),
        (UrnErrorCode::WrongKind, 14)
    );
}

#[test]
fn vanity_slugs_are_kept_apart_and_compared_without_case() {
    let a = ProfileId::parse("https://www.linkedin.com/in/John-Doe-123/").unwrap();
    let b = ProfileId::from_slug("john-doe-123").unwrap();
    assert_eq!(a, b);
    assert_eq!(a.as_str(), "slug:john-doe-123");
    let accented = ProfileId::parse("https://www.linkedin.com/in/jos%C3%A9-garc%C3%ADa").unwrap();
    assert_eq!(accented.as_str(), "slug:josé-garcía");
    // An ACoAA id in a profile URL or a slug field is the id itself, case intact.
    assert_eq!(ProfileId::from_slug(PROFILE).unwrap().as_str(), PROFILE);
    // A bare slug is not guessed at.
    assert_eq!(
        code(ProfileId::parse("john-doe-123")).0,
        UrnErrorCode::NotAUrn
    );
    assert_eq!(
        code(ProfileId::from_slug("john doe")).0,
        UrnErrorCode::WrongKind
    );
}

#[test]
fn canonical_strings_parse_back_to_the_same_id() {
    let messages = [MessageId::parse(MSG).unwrap()];
    let conversations = [
        ConversationId::parse(THREAD).unwrap(),
        ConversationId::parse("urn:li:salesNav_thread:2-abc=").unwrap(),
    ];
    let profiles = [
        ProfileId::parse(PROFILE).unwrap(),
        ProfileId::parse("urn:li:member:1").unwrap(),
        ProfileId::from_slug("Jane-Doe").unwrap(),
    ];
    for id in messages {
        assert_eq!(MessageId::parse(id.as_str()).unwrap(), id);
        assert_eq!(id.to_string().parse::<MessageId>().unwrap(), id);
    }
    for id in conversations {
        assert_eq!(ConversationId::parse(id.as_str()).unwrap(), id);
        assert_eq!(id.to_string().parse::<ConversationId>().unwrap(), id);
    }
    for id in profiles {
        assert_eq!(ProfileId::parse(id.as_str()).unwrap(), id);
        assert_eq!(id.to_string().parse::<ProfileId>().unwrap(), id);
    }
}

#[test]
fn ids_serialize_as_plain_strings() {
    let id = MessageId::parse(MSG).unwrap();
    let json = serde_json::to_string(&id).unwrap();
    assert_eq!(json, format!("\"{MSG}\""));
    assert_eq!(serde_json::from_str::<MessageId>(&json).unwrap(), id);
}

#[test]
fn a_urn_of_another_kind_is_a_wrong_kind_error_not_a_guess() {
    use UrnErrorCode::WrongKind;
    let convo = format!("urn:li:msg_conversation:(urn:li:fsd_profile:{MAILBOX},{THREAD})");
    let msg = format!("urn:li:msg_message:(urn:li:fsd_profile:{MAILBOX},{MSG})");
    // The offset points at the entity type.
    assert_eq!(code(MessageId::parse(&convo)), (WrongKind, 7));
    assert_eq!(code(ConversationId::parse(&msg)), (WrongKind, 7));
    assert_eq!(code(ProfileId::parse(&msg)), (WrongKind, 7));
    assert_eq!(
        code(MessageId::parse(&format!("urn:li:fsd_profile:{PROFILE}"))),
        (WrongKind, 7)
    );
    assert_eq!(
        code(ConversationId::parse("urn:li:salesNav_message:1")),
        (WrongKind, 7)
    );
    // The seed's example conversationUrn is not any known conversation kind.
    assert_eq!(
        code(ConversationId::parse("urn:li:example:123456")),
        (WrongKind, 7)
    );
    // Only the `li` namespace names messages, threads and profiles.
    assert_eq!(
        code(MessageId::parse(&format!("urn:li-x:fsd_message:{MSG}"))),
        (WrongKind, 9)
    );
    // Page URLs of the other kind.
    let thread_url = format!("https://www.linkedin.com/messaging/thread/{THREAD}/");
    let profile_url = format!("https://www.linkedin.com/in/{PROFILE}/");
    assert_eq!(code(MessageId::parse(&thread_url)).0, WrongKind);
    assert_eq!(code(ProfileId::parse(&thread_url)).0, WrongKind);
    assert_eq!(code(ConversationId::parse(&profile_url)), (WrongKind, 28));
}

#[test]
fn a_known_kind_with_a_misshapen_key_is_a_wrong_kind_error() {
    use UrnErrorCode::WrongKind;
    // A tuple where a plain id belongs, a plain id where a pair belongs.
    assert_eq!(
        code(MessageId::parse("urn:li:messagingMessage:(a,b)")),
        (WrongKind, 24)
    );
    assert_eq!(
        code(MessageId::parse(&format!("urn:li:msg_message:{MSG}"))),
        (WrongKind, 19)
    );
    assert_eq!(
        code(MessageId::parse("urn:li:fs_event:(a,b,c)")),
        (WrongKind, 16)
    );
    // Characters no id has: the offset points at the first of them.
    assert_eq!(
        code(MessageId::parse("urn:li:fsd_message:2-ab cd")),
        (WrongKind, 23)
    );
    assert_eq!(
        code(MessageId::parse("urn:li:fs_event:(t,2-a(b))")),
        (WrongKind, 22)
    );
    let (c, at) = code(ConversationId::parse(
        "https://linkedin.com/messaging/thread/a:b/",
    ));
    assert_eq!((c, at), (WrongKind, 38));
}

#[test]
fn bare_ids_must_carry_their_own_shape() {
    use UrnErrorCode::NotAUrn;
    for s in [
        "", "   ", "hello", "2-", "2-a b", "3-abc", "2-abc%20", "12345",
    ] {
        assert_eq!(code(MessageId::parse(s)).0, NotAUrn, "{s:?}");
        assert_eq!(code(ConversationId::parse(s)).0, NotAUrn, "{s:?}");
    }
    for s in [
        "",
        "ACoA",
        "acoaabc",
        "ACoAA+b",
        "member:",
        "member:x",
        "slug:",
        "slug:Upper",
    ] {
        assert_eq!(code(ProfileId::parse(s)).0, NotAUrn, "{s:?}");
    }
    // Inside a URN of the right kind, older non-`2-` ids are fine: the URN names the kind.
    assert_eq!(
        conversation("urn:li:fs_conversation:6352938734231232512"),
        "6352938734231232512"
    );
    assert_eq!(profile("urn:li:fsd_profile:ACwAAB"), "ACwAAB");
}

#[test]
fn ids_keep_case_and_base64_punctuation() {
    assert_eq!(message("urn:li:messagingMessage:2-aB+c/D=="), "2-aB+c/D==");
    assert_eq!(message("2-aB+c/D=="), "2-aB+c/D==");
    assert_ne!(
        MessageId::parse("2-abc").unwrap(),
        MessageId::parse("2-ABC").unwrap()
    );
    assert_eq!(profile("urn:li:fsd_profile:ACoAAxY_z-"), "ACoAAxY_z-");
}

#[test]
fn grammar_and_encoding_errors_reach_the_id_parsers() {
    use UrnErrorCode::*;
    assert_eq!(
        code(MessageId::parse("urn:li:fsd_message:%ZZ")),
        (BadEncoding, 19)
    );
    assert_eq!(
        code(MessageId::parse("urn:li:msg_message:(a,b")),
        (Unbalanced, 19)
    );
    assert_eq!(
        code(MessageId::parse("urn:li:msg_message:(a,)")),
        (EmptyPart, 22)
    );
    assert_eq!(
        code(MessageId::parse("urn:Li:fsd_message:a")),
        (BadNamespace, 4)
    );
    assert_eq!(
        code(MessageId::parse("urn:li:fsd_message:")),
        (EmptyKey, 19)
    );
    assert_eq!(
        code(ConversationId::parse(
            "https://www.linkedin.com/messaging/thread//"
        ))
        .0,
        EmptyKey
    );
    assert_eq!(
        code(ConversationId::parse(
            "https://evil.example/messaging/thread/2-a/"
        ))
        .0,
        NotAUrn
    );
    assert_eq!(
        code(ConversationId::parse("https://www.linkedin.com/feed/")).0,
        NotAUrn
    );
    let long = format!("2-{}", "a".repeat(600));
    assert_eq!(code(MessageId::parse(&long)), (TooLong, 512));
    assert_eq!(
        code(ProfileId::parse(&format!("urn:li:fsd_profile:{long}"))),
        (TooLong, 512)
    );
}

#[test]
fn clean_is_what_the_id_parsers_see() {
    let raw = format!(
        " urn%3Ali%3AmessagingThread%3A{} ",
        encode_path_segment(THREAD)
    );
    assert_eq!(
        clean(&raw).unwrap(),
        format!("urn:li:messagingThread:{THREAD}")
    );
}

/// A base64-ish id body.
fn id_body() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop::sample::select(b"ABCXYZabcxyz0189+/=_-".as_slice()),
        1..40,
    )
    .prop_map(|v| String::from_utf8(v).unwrap_or_default())
}

/// How a string may reach us: as is, padded, or encoded once or twice.
fn dress(s: &str, how: u8) -> String {
    match how % 5 {
        0 => s.to_owned(),
        1 => format!(" \t{s}\n"),
        2 => encode_path_segment(s),
        3 => encode_path_segment(s)
            .replace("%28", "(")
            .replace("%29", ")"),
        _ => encode_path_segment(&encode_path_segment(s)),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(5_000))]

    /// However a message is named, under whichever mailbox and however encoded, it has one id.
    #[test]
    fn every_form_of_one_message_gives_one_id(
        id in id_body(),
        mailbox in id_body(),
        thread in id_body(),
        form in 0u8..5,
        how in any::<u8>(),
    ) {
        let id = format!("2-{id}");
        let urn = match form {
            0 => format!("urn:li:msg_message:(urn:li:fsd_profile:ACoAA{mailbox},{id})"),
            1 => format!("urn:li:messagingMessage:{id}"),
            2 => format!("urn:li:fsd_message:{id}"),
            3 => format!("urn:li:fs_event:(2-{thread},{id})"),
            _ => id.clone(),
        };
        let parsed = MessageId::parse(&dress(&urn, how));
        prop_assert_eq!(parsed.map(|m| m.as_str().to_owned()), Ok(id));
    }

    /// However a conversation is named, it has one id, and Sales Navigator ones another.
    #[test]
    fn every_form_of_one_conversation_gives_one_id(
        id in id_body(),
        mailbox in id_body(),
        form in 0u8..7,
        how in any::<u8>(),
    ) {
        let id = format!("2-{id}");
        let input = match form {
            0 => dress(&format!("urn:li:msg_conversation:(urn:li:fsd_profile:{mailbox},{id})"),
                how),
            1 => dress(&format!("urn:li:messagingThread:{id}"), how),
            2 => dress(&format!("urn:li:fs_conversation:{id}"), how),
            3 => dress(&format!("urn:li:fsd_conversation:{id}"), how),
            4 => format!("https://www.linkedin.com/messaging/thread/{}/", encode_path_segment(&id)),
            5 => dress(&id, how),
            _ => dress(&format!("urn:li:salesNav_thread:{id}"), how),
        };
        let parsed = ConversationId::parse(&input).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let expected = if form == 6 { format!("salesNav:{id}") } else { id };
        prop_assert_eq!(parsed.as_str(), expected.as_str());
        prop_assert_eq!(parsed.is_sales_nav(), form == 6);
    }
}

// ----- hostile input (issue 12): bounded before decoding, linear decoding, no dot ids -----

#[test]
fn a_percent_25_chain_of_200_kb_is_refused_before_any_decoding() {
    // Quadratic before the fix: 100,000 rounds over a 200 KB string, each kept (minutes, then
    // an abort in wasm when the heap ran out).
    let hostile = format!("%{}41", "25".repeat(100_000));
    for r in [
        clean(&hostile).map(drop),
        MessageId::parse(&hostile).map(drop),
        ConversationId::parse(&hostile).map(drop),
        ProfileId::parse(&hostile).map(drop),
        ProfileId::from_slug(&hostile).map(drop),
    ] {
        let e = r.expect_err("refused");
        assert_eq!(e.code, UrnErrorCode::TooLong, "{e}");
        assert_eq!(e.offset, threadline::urn::MAX_INPUT_BYTES);
    }
}

#[test]
fn a_percent_25_chain_within_the_input_limit_stops_after_four_rounds() {
    let hostile = format!("%{}41", "25".repeat(2_000));
    assert!(hostile.len() <= threadline::urn::MAX_INPUT_BYTES);
    let e = clean(&hostile).expect_err("refused");
    assert_eq!((e.code, e.offset), (UrnErrorCode::BadEncoding, 0), "{e}");
    // Four rounds are still undone; a fifth is refused.
    assert_eq!(clean("%25252541").unwrap(), "A");
    assert_eq!(
        clean("%2525252541").unwrap_err().code,
        UrnErrorCode::BadEncoding
    );
}

#[test]
fn the_longest_encoded_forms_of_a_512_byte_urn_still_parse() {
    let id = format!("2-{}", "a".repeat(MSG_ROOM));
    let urn = format!("urn:li:messagingMessage:{id}");
    assert_eq!(urn.len(), 512);
    let twice = encode_path_segment(&encode_path_segment(&urn));
    assert!(twice.len() <= threadline::urn::MAX_INPUT_BYTES);
    assert_eq!(message(&twice), id);
    // Every byte escaped, then the escapes escaped: 5 bytes per byte.
    let all: String = urn.bytes().map(|b| format!("%25{b:02X}")).collect();
    assert_eq!(all.len(), 2560);
    assert_eq!(message(&all), id);
}

const MSG_ROOM: usize = 512 - "urn:li:messagingMessage:2-".len();

#[test]
fn a_thread_url_with_an_id_longer_than_a_urn_is_too_long() {
    let url = format!(
        "https://www.linkedin.com/messaging/thread/2-{}/",
        "a".repeat(600)
    );
    assert_eq!(code(ConversationId::parse(&url)).0, UrnErrorCode::TooLong);
}

#[test]
fn dot_segments_are_never_ids() {
    for s in [
        "urn:li:messagingThread:..",
        "urn:li:messagingThread:.",
        "urn:li:msg_conversation:(urn:li:fsd_profile:ACoAAB,..)",
        "urn:li:salesNav_thread:..",
        "salesNav:..",
        "https://www.linkedin.com/messaging/thread/../",
        "https://www.linkedin.com/messaging/thread/%2E%2E/",
        "..",
        ".",
        "urn:li:messagingThread:2-a/../b",
    ] {
        assert!(ConversationId::parse(s).is_err(), "{s}");
    }
    for s in [
        "urn:li:messagingMessage:..",
        "urn:li:msg_message:(urn:li:fsd_profile:ACoAAB,..)",
        "urn:li:fs_event:(2-a,.)",
        "..",
    ] {
        assert!(MessageId::parse(s).is_err(), "{s}");
    }
    for s in [
        "urn:li:fsd_profile:..",
        "https://www.linkedin.com/in/../",
        "..",
    ] {
        assert!(ProfileId::parse(s).is_err(), "{s}");
    }
    assert!(ProfileId::from_slug("..").is_err());
}

#[test]
fn canonical_ids_read_back_and_anything_else_is_refused_as_stored_data() {
    assert_eq!(
        MessageId::from_canonical(MSG).unwrap(),
        MessageId::parse(MSG).unwrap()
    );
    assert!(ConversationId::from_canonical(THREAD).is_ok());
    assert!(ConversationId::from_canonical("salesNav:2-abc").is_ok());
    assert!(ProfileId::from_canonical(PROFILE).is_ok());
    assert!(ProfileId::from_canonical("member:883467181").is_ok());
    assert!(ProfileId::from_canonical("slug:john-doe-123").is_ok());
    for bad in ["", ".", "..", "../x", "a b", "urn:li:x:y", &"a".repeat(600)] {
        assert!(MessageId::from_canonical(bad).is_err(), "{bad}");
        assert!(ConversationId::from_canonical(bad).is_err(), "{bad}");
        assert!(ProfileId::from_canonical(bad).is_err(), "{bad}");
    }
    assert!(ProfileId::from_canonical("slug:John").is_err());
    assert!(ConversationId::from_canonical("salesNav:..").is_err());
    // The same check guards deserialization (stored records, facts from other tabs).
    assert!(serde_json::from_str::<MessageId>("\"..\"").is_err());
    assert!(serde_json::from_str::<ConversationId>("\"a/b/../..\"").is_err());
    assert_eq!(
        serde_json::from_str::<MessageId>(&format!("\"{MSG}\"")).unwrap(),
        MessageId::parse(MSG).unwrap()
    );
}
