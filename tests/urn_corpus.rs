//! The benchmark corpus: committed, deterministic, and the mix of forms its generator promises.

use threadline::urn::{MessageId, UrnErrorCode};

// The generator is an example so that it can be run on its own; its `main` is unused here.
#[allow(dead_code)]
#[path = "../examples/gen_urn_corpus.rs"]
mod gen_urn_corpus;

use gen_urn_corpus::{corpus, to_json, CORPUS_LEN, CORPUS_PATH};

fn committed() -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(CORPUS_PATH);
    std::fs::read_to_string(path).expect("the corpus is committed")
}

#[test]
fn committed_corpus_is_what_the_generator_writes() {
    // If this fails after a deliberate change: cargo run --example gen_urn_corpus
    assert!(
        committed() == to_json(&corpus()),
        "tests/fixtures/urn_corpus.json is stale"
    );
}

#[test]
fn corpus_is_a_json_array_of_10000_strings_under_1_5_mb() {
    let text = committed();
    assert!(text.len() < 1_500_000, "{} bytes", text.len());
    let entries: Vec<String> = serde_json::from_str(&text).unwrap();
    assert_eq!(entries.len(), CORPUS_LEN);
}

#[test]
fn corpus_is_mostly_message_ids_with_some_wrong_kinds_and_malformed_urns() {
    let (mut ok, mut wrong_kind, mut unbalanced) = (0, 0, 0);
    for entry in corpus() {
        match MessageId::parse(&entry) {
            Ok(id) => {
                assert!(id.as_str().starts_with("2-"), "{entry}");
                ok += 1;
            }
            Err(e) if e.code == UrnErrorCode::WrongKind => wrong_kind += 1,
            Err(e) if e.code == UrnErrorCode::Unbalanced => unbalanced += 1,
            Err(e) => panic!("{entry}: {e}"),
        }
    }
    assert_eq!(ok + wrong_kind + unbalanced, CORPUS_LEN);
    // About 90/5/5 percent; the exact figures are fixed by the seed.
    assert!((8_800..9_200).contains(&ok), "{ok}");
    assert!((400..600).contains(&wrong_kind), "{wrong_kind}");
    assert!((400..600).contains(&unbalanced), "{unbalanced}");
}
