//! Feeds arbitrary input to every URN entry point. Besides "never panics", it checks the
//! invariants callers rely on: canonical display is a fixed point of parsing, error offsets are
//! char boundaries, encoding then cleaning is the identity, and a canonical id parses to itself.
//!
//! Run: `cargo +nightly fuzz run urn_parse` from the crate root.

#![no_main]

use libfuzzer_sys::fuzz_target;
use threadline::urn::{
    clean, encode_path_segment, ConversationId, MessageId, ProfileId, Urn, MAX_INPUT_BYTES,
};

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };

    match Urn::parse(s) {
        Ok(urn) => {
            let once = urn.to_string();
            let again = Urn::parse(&once).expect("the canonical form parses");
            assert_eq!(again, urn);
            assert_eq!(again.to_string(), once);
        }
        Err(e) => assert!(s.is_char_boundary(e.offset), "{e:?}"),
    }

    match clean(s) {
        Ok(cleaned) => assert!(!cleaned.contains('%')),
        Err(e) => assert!(s.is_char_boundary(e.offset), "{e:?}"),
    }
    // Encoding is undone exactly by cleaning, for any text without '%' (which clean decodes
    // until none is left, since no URN contains one).
    let encoded = encode_path_segment(s);
    if !s.contains('%') && encoded.len() <= MAX_INPUT_BYTES {
        assert_eq!(clean(&encoded).as_deref(), Ok(s));
    }

    // Ids from URN forms need not have a bare shape (`urn:li:fs_conversation:<number>`), but a
    // canonical id that parses at all must parse to itself.
    if let Ok(id) = MessageId::parse(s) {
        if let Ok(back) = MessageId::parse(id.as_str()) {
            assert_eq!(back, id);
        }
    }
    if let Ok(id) = ConversationId::parse(s) {
        if let Ok(back) = ConversationId::parse(id.as_str()) {
            assert_eq!(back, id);
        }
    }
    if let Ok(id) = ProfileId::parse(s) {
        if let Ok(back) = ProfileId::parse(id.as_str()) {
            assert_eq!(back, id);
        }
    }
});
