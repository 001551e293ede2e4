//! The binary: prints its real URL once listening (with `--port 0`), and the trickle.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::Value;
use threadline_sim::Config;

use crate::common::*;

/// Kills the child even when an assertion fails.
struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn the_binary_prints_its_real_url_and_serves_with_the_given_key() {
    let child = Command::new(env!("CARGO_BIN_EXE_threadline-sim"))
        .args(["--port", "0", "--api-key", "s3cret", "--seed", "empty"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("binary starts");
    let mut child = Child(child);
    let stdout = child.0.stdout.take().expect("stdout");
    let line = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).map(|_| line)
    })
    .await
    .unwrap()
    .unwrap();
    let url = line
        .trim()
        .strip_prefix("threadline-sim listening on ")
        .unwrap_or_else(|| panic!("first line: {line:?}"))
        .to_string();
    assert!(
        url.starts_with("http://127.0.0.1:") && !url.ends_with(":0"),
        "{url}"
    );
    let http = reqwest::Client::new();
    let accounts: Value = http
        .get(format!("{url}/accounts"))
        .bearer_auth("s3cret")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(accounts.as_array().unwrap().len(), 3);
    let refused = http
        .get(format!("{url}/accounts"))
        .bearer_auth(KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), reqwest::StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn trickle_makes_someone_write_now_and_then() {
    let sim = Sim::with(Config {
        trickle: Some(Duration::from_millis(50)),
        ..Config::ephemeral()
    })
    .await;
    for _ in 0..100 {
        let events = sim.control_get("/__sim/events").await;
        if events["events"].as_array().is_some_and(|e| !e.is_empty()) {
            assert_eq!(events["events"][0]["type"], "messageCreated");
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("no trickled message within 2 s");
}
