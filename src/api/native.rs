//! The native transport (feature `native`): reqwest over plain HTTP and tokio timers. It exists
//! for the integration tests against the simulator on loopback, and for native tools; the
//! browser build never compiles it (it uses `fetch` in `wasm`).

use std::time::{Duration, Instant};

use super::limits::MAX_BODY_BYTES;
use super::{HttpRequest, HttpResponse, Method, Transport, TransportError};

/// Sends requests with reqwest (no TLS, no proxy) on the current tokio runtime.
#[derive(Debug, Clone)]
pub struct NativeTransport {
    http: reqwest::Client,
    epoch: Instant,
}

impl NativeTransport {
    /// A transport with its own connection pool. Proxies from the environment are ignored: the
    /// simulator is on loopback. Redirects are never followed here: the client decides (a write
    /// never follows one; a read only to the API's own origin).
    pub fn new() -> Result<Self, TransportError> {
        let http = reqwest::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| TransportError::Network(describe(&e)))?;
        Ok(NativeTransport {
            http,
            epoch: Instant::now(),
        })
    }
}

impl Transport for NativeTransport {
    async fn send(
        &self,
        url: String,
        req: HttpRequest,
        timeout_ms: u64,
    ) -> Result<HttpResponse, TransportError> {
        let method = match req.method {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
            Method::Delete => reqwest::Method::DELETE,
        };
        let mut builder = self.http.request(method, url);
        for (name, value) in &req.headers {
            builder = builder.header(name, value);
        }
        if let Some(content_type) = req.body.content_type() {
            builder = builder.header("Content-Type", content_type);
        }
        let bytes = req.body.as_bytes().to_vec();
        if !bytes.is_empty() {
            builder = builder.body(bytes);
        }
        // One deadline for the whole exchange, body included: a server that sends headers and
        // then stalls is a timeout too.
        let exchange = async {
            let mut resp = builder
                .send()
                .await
                .map_err(|e| TransportError::Network(describe(&e)))?;
            let status = resp.status().as_u16();
            let headers = resp
                .headers()
                .iter()
                .map(|(n, v)| {
                    (
                        n.as_str().to_string(),
                        String::from_utf8_lossy(v.as_bytes()).into(),
                    )
                })
                .collect();
            // Read no further than one byte past the cap: `classify` refuses what is over it.
            let mut body = Vec::new();
            while let Some(chunk) = resp
                .chunk()
                .await
                .map_err(|e| TransportError::Network(describe(&e)))?
            {
                let room = MAX_BODY_BYTES + 1 - body.len();
                body.extend_from_slice(&chunk[..chunk.len().min(room)]);
                if body.len() > MAX_BODY_BYTES {
                    break;
                }
            }
            Ok(HttpResponse {
                status,
                headers,
                body,
            })
        };
        match tokio::time::timeout(Duration::from_millis(timeout_ms), exchange).await {
            Ok(result) => result,
            Err(_elapsed) => Err(TransportError::Timeout),
        }
    }

    async fn sleep(&self, ms: u64) {
        tokio::time::sleep(Duration::from_millis(ms)).await
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
    }
}

/// The error with its causes: reqwest's own text alone ("error sending request") hides why.
fn describe(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
