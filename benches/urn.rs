//! How fast canonical ids are read from the mixed corpus in `tests/fixtures/urn_corpus.json`
//! (10,000 message references in every form, about 10% of them errors; see
//! `examples/gen_urn_corpus.rs`). Run: `cargo bench --bench urn`.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;
use threadline::urn::{MessageId, Urn};

fn load_corpus() -> Vec<String> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/urn_corpus.json"
    );
    let text = std::fs::read_to_string(path).expect("the corpus is committed");
    serde_json::from_str(&text).expect("the corpus is a JSON array of strings")
}

fn bench_urn(c: &mut Criterion) {
    let corpus = load_corpus();
    let mut group = c.benchmark_group("urn");
    group.throughput(Throughput::Elements(corpus.len() as u64));
    group.bench_function("MessageId::parse mixed 10k", |b| {
        b.iter(|| {
            for s in &corpus {
                let _ = black_box(MessageId::parse(black_box(s)));
            }
        })
    });
    // The grammar alone, on the entries that are plain URNs, to see what the id layer adds.
    let plain: Vec<&String> = corpus.iter().filter(|s| s.starts_with("urn:")).collect();
    group.throughput(Throughput::Elements(plain.len() as u64));
    group.bench_function("Urn::parse plain URNs", |b| {
        b.iter(|| {
            for s in &plain {
                let _ = black_box(Urn::parse(black_box(s)));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, bench_urn);
criterion_main!(benches);
