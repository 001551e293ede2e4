//! The realtime WebSocket at `/ws`: every change (message created, recalled, reaction changed,
//! conversation read) is pushed as one JSON `threadline::model::ServerEvent` text frame, with a
//! global sequence number so a client notices a gap. Auth by `Authorization: Bearer` or, since
//! browsers cannot set headers on a WebSocket, `?access_token=`. `?afterSeq=N` replays the recent
//! history after N first.

use std::sync::Arc;

use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use threadline::model::ServerEvent;
use tokio::sync::broadcast::{self, error::RecvError};

use crate::error::{Shape, SimError};
use crate::gate::check_key;
use crate::state::Sim;

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WsQuery {
    #[serde(rename = "access_token")]
    access_token: Option<String>,
    after_seq: Option<u64>,
}

pub async fn ws(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    Query(q): Query<WsQuery>,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    let by_token = q.access_token.as_deref() == Some(sim.api_key.as_str());
    if !by_token {
        if let Err(e) = check_key(&headers, &sim.api_key) {
            return e.into_response_shaped(Shape::Legacy);
        }
    }
    let upgrade = match upgrade {
        Ok(u) => u,
        Err(e) => {
            return SimError::bad(
                "websocket_required",
                format!("Not a WebSocket request: {e}"),
            )
            .into_response_shaped(Shape::Legacy)
        }
    };
    // Subscribe and read the history under one lock, so no event falls between the two.
    let (rx, replay) = {
        let w = sim.world();
        let replay = q.after_seq.map(|s| w.events_after(s)).unwrap_or_default();
        (w.subscribe(), replay)
    };
    upgrade
        .on_upgrade(move |socket| pump(socket, rx, replay))
        .into_response()
}

async fn pump(
    mut socket: WebSocket,
    mut rx: broadcast::Receiver<ServerEvent>,
    replay: Vec<ServerEvent>,
) {
    let mut last = 0;
    for ev in replay {
        last = ev.seq;
        if send(&mut socket, &ev).await.is_err() {
            return;
        }
    }
    loop {
        tokio::select! {
            ev = rx.recv() => match ev {
                Ok(ev) if ev.seq <= last => {}
                Ok(ev) => {
                    if send(&mut socket, &ev).await.is_err() {
                        return;
                    }
                }
                // A slow client misses events; the sequence gap tells it to resync.
                Err(RecvError::Lagged(_)) => {}
                Err(RecvError::Closed) => return,
            },
            msg = socket.recv() => match msg {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return,
                Some(Ok(_)) => {}
            },
        }
    }
}

async fn send(socket: &mut WebSocket, ev: &ServerEvent) -> Result<(), axum::Error> {
    let text = serde_json::to_string(ev).unwrap_or_default();
    socket.send(Message::Text(text.into())).await
}
