//! The engine's rules, scenario by scenario, against a real simulator on loopback: each test
//! starts its own simulator and drives one engine with the native driver of this crate.

use threadline_engine_tests::*;

#[tokio::test]
async fn opening_a_conversation_shows_the_servers_newest_page() {
    let mut d = Driver::start().await;
    d.open(&ada(), &long_thread()).await;
    let view = d.view(&ada(), &long_thread());
    let server = d.sim.server_messages(&ada(), &long_thread()).await;
    assert_eq!(view.messages.len(), 50);
    assert!(view.has_more_history);
    let newest: Vec<_> = server[server.len() - 50..]
        .iter()
        .map(|m| &m.text)
        .collect();
    let shown: Vec<_> = view.messages.iter().map(|m| &m.text).collect();
    assert_eq!(shown, newest);
}
