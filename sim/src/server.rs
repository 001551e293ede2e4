//! The accept loop: HTTP/1.1 (with upgrades for the WebSocket) over plain TCP or TLS, one task per
//! connection. Each request carries a `ConnKill` so a fault can drop its connection mid-request,
//! which a normal handler cannot do.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::Router;
use hyper::body::Incoming;
use hyper::Request;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio::sync::Notify;
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt;

/// Lets a handler close its own connection without an answer.
#[derive(Debug, Clone)]
pub struct ConnKill(Arc<Notify>);

impl ConnKill {
    /// Close the connection this request came on.
    pub fn kill(&self) {
        self.0.notify_one();
    }
}

/// Accept connections forever, serving `app` on each (through TLS when `tls` is set).
pub async fn accept_loop(listener: TcpListener, app: Router, tls: Option<TlsAcceptor>) {
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(_) => {
                // Out of file descriptors and the like: back off instead of spinning.
                tokio::time::sleep(Duration::from_millis(20)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let tls = tls.clone();
        tokio::spawn(async move {
            match tls {
                Some(acceptor) => {
                    if let Ok(tls_stream) = acceptor.accept(stream).await {
                        serve_connection(tls_stream, app).await;
                    }
                }
                None => serve_connection(stream, app).await,
            }
        });
    }
}

async fn serve_connection<S>(io: S, app: Router)
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let kill = Arc::new(Notify::new());
    let handle = ConnKill(kill.clone());
    let service = hyper::service::service_fn(move |mut req: Request<Incoming>| {
        req.extensions_mut().insert(handle.clone());
        app.clone().oneshot(req.map(Body::new))
    });
    let conn = hyper::server::conn::http1::Builder::new()
        .serve_connection(TokioIo::new(io), service)
        .with_upgrades();
    tokio::select! {
        _ = conn => {}
        _ = kill.notified() => {}
    }
}
