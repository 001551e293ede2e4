//! Writes `tests/fixtures/urn_corpus.json`: 10,000 message references in the mix of forms the API
//! and the page hand over, shared by the native URN benchmark and any later browser benchmark so
//! that both measure the same input. Deterministic; `tests/urn_corpus.rs` checks that the
//! committed file is exactly what this writes.
//!
//! Run: `cargo run --example gen_urn_corpus`

use threadline::urn::encode_path_segment;

/// Number of entries in the corpus.
pub const CORPUS_LEN: usize = 10_000;

/// Where the corpus lives, relative to the crate root.
pub const CORPUS_PATH: &str = "tests/fixtures/urn_corpus.json";

/// The corpus, in order. The mix (in percent): 30 `msg_message` under one of 20 mailboxes,
/// 15 `messagingMessage`, 10 `fsd_message`, 10 `fs_event`, 10 bare ids, 8 encoded as
/// `encodeURIComponent` does (parentheses raw), 4 fully encoded, 3 double encoded, 5
/// conversation URNs (wrong kind) and 5 truncated URNs (unbalanced), so that error paths are
/// measured too.
pub fn corpus() -> Vec<String> {
    let mut rng = Rng(0x7468_7265_6164_6c6e);
    let mailboxes: Vec<String> = (0..20).map(|_| profile_id(&mut rng)).collect();
    (0..CORPUS_LEN)
        .map(|_| entry(&mut rng, &mailboxes))
        .collect()
}

/// The corpus as JSON, one string per line so that diffs stay readable.
pub fn to_json(entries: &[String]) -> String {
    let lines: Vec<String> = entries
        .iter()
        .map(|e| serde_json::to_string(e).expect("a string always serializes"))
        .collect();
    format!("[\n{}\n]\n", lines.join(",\n"))
}

fn entry(rng: &mut Rng, mailboxes: &[String]) -> String {
    let id = message_id(rng);
    let mailbox = &mailboxes[rng.below(mailboxes.len() as u64) as usize];
    let full = format!("urn:li:msg_message:(urn:li:fsd_profile:{mailbox},{id})");
    match rng.below(100) {
        0..=29 => full,
        30..=44 => format!("urn:li:messagingMessage:{id}"),
        45..=54 => format!("urn:li:fsd_message:{id}"),
        55..=64 => format!("urn:li:fs_event:({},{id})", thread_id(rng)),
        65..=74 => id,
        75..=82 => encode_path_segment(&full)
            .replace("%28", "(")
            .replace("%29", ")"),
        83..=86 => encode_path_segment(&full),
        87..=89 => encode_path_segment(&encode_path_segment(&full)),
        90..=94 => format!(
            "urn:li:msg_conversation:(urn:li:fsd_profile:{mailbox},{})",
            thread_id(rng)
        ),
        _ => full[..full.len() - 1].to_owned(),
    }
}

/// A message id as LinkedIn makes them: `2-` then base64 of `<ms timestamp><hex>-100`.
fn message_id(rng: &mut Rng) -> String {
    let raw = format!(
        "{}{:06x}-100",
        1_771_000_000_000 + rng.below(10_000_000_000),
        rng.below(1 << 24)
    );
    format!("2-{}", base64(raw.as_bytes()))
}

/// A thread id as LinkedIn makes them: `2-` then base64 of `<uuid>_100`.
fn thread_id(rng: &mut Rng) -> String {
    let (a, b) = (rng.next(), rng.next());
    let uuid = format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xffff,
        b >> 48,
        b & 0xffff_ffff_ffff
    );
    format!("2-{}", base64(format!("{uuid}_100").as_bytes()))
}

/// A profile id: `ACoAA` then 34 base64url characters.
fn profile_id(rng: &mut Rng) -> String {
    const URL_SAFE: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let tail: String = (0..34)
        .map(|_| URL_SAFE[rng.below(64) as usize] as char)
        .collect();
    format!("ACoAA{tail}")
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// splitmix64: tiny, deterministic everywhere, and no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn main() -> std::io::Result<()> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(CORPUS_PATH);
    std::fs::write(&path, to_json(&corpus()))?;
    println!("wrote {CORPUS_LEN} entries to {}", path.display());
    Ok(())
}
