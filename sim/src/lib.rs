//! threadline-sim: a local simulator of the hosted LinkedIn Messaging API for Threadline's demo
//! and tests. `serve` starts it in-process (port 0 works) and hands back the bound addresses; the
//! binary in `main.rs` is a thin CLI over it. See `sim/README.md` for routes, seed and controls.

pub mod clock;
pub mod dialect;
pub mod error;
pub mod faults;
pub mod gate;
pub mod ids;
pub mod life;
pub mod limits;
pub mod linkedin_page;
pub mod routes;
pub mod seed;
pub mod server;
pub mod state;
pub mod tls;
pub mod views;
pub mod world;
pub mod ws;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::task::JoinHandle;

pub use seed::ids as seed_ids;
pub use state::SeedSource;

/// Default HTTP port.
pub const DEFAULT_PORT: u16 = 8787;
/// Default API key.
pub const DEFAULT_API_KEY: &str = "dev";

/// How to run the simulator.
#[derive(Debug, Clone)]
pub struct Config {
    pub host: IpAddr,
    /// HTTP port; 0 picks a free one.
    pub port: u16,
    /// HTTPS port (self-signed for `www.linkedin.com`); `None` turns HTTPS off; 0 picks one.
    pub https_port: Option<u16>,
    pub api_key: String,
    pub seed: SeedSource,
    /// Folder served at `/www/`.
    pub www: Option<PathBuf>,
    /// Someone writes to one of the accounts this often.
    pub trickle: Option<Duration>,
    /// The dialect the API answers in (`clean` unless asked).
    pub dialect: dialect::Dialect,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: DEFAULT_PORT,
            https_port: None,
            api_key: DEFAULT_API_KEY.into(),
            seed: SeedSource::Default,
            www: None,
            trickle: None,
            dialect: dialect::Dialect::Clean,
        }
    }
}

impl Config {
    /// The defaults on a free port: what integration tests start.
    pub fn ephemeral() -> Config {
        Config {
            port: 0,
            ..Config::default()
        }
    }
}

/// Why the simulator could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error(transparent)]
    Tls(#[from] tls::TlsError),
    #[error("cannot read the seed file {path}: {message}")]
    Seed { path: PathBuf, message: String },
}

/// Load a workspace snapshot (the JSON `GET /__sim/snapshot` gives) as the seed.
pub fn load_seed_file(path: &Path) -> Result<SeedSource, ServeError> {
    let err = |message: String| ServeError::Seed {
        path: path.to_path_buf(),
        message,
    };
    let text = std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
    let data: world::Data = serde_json::from_str(&text).map_err(|e| err(e.to_string()))?;
    Ok(SeedSource::Snapshot(Box::new(data)))
}

/// A running simulator. Dropping it stops the listeners.
pub struct SimHandle {
    /// The HTTP address actually bound.
    pub addr: SocketAddr,
    /// The HTTPS address, when on.
    pub https_addr: Option<SocketAddr>,
    /// The self-signed certificate (PEM), when HTTPS is on.
    pub cert_pem: Option<String>,
    /// The shared state, for in-process inspection.
    pub sim: Arc<state::Sim>,
    tasks: Vec<JoinHandle<()>>,
}

impl SimHandle {
    /// `http://host:port`: the API base URL.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn https_url(&self) -> Option<String> {
        self.https_addr.map(|a| format!("https://{a}"))
    }

    /// Run until the listeners stop (that is, forever).
    pub async fn wait(mut self) {
        for t in std::mem::take(&mut self.tasks) {
            let _ = t.await;
        }
    }
}

impl Drop for SimHandle {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

async fn bind(host: IpAddr, port: u16) -> Result<(TcpListener, SocketAddr), ServeError> {
    let addr = SocketAddr::new(host, port);
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|source| ServeError::Bind { addr, source })?;
    let bound = listener
        .local_addr()
        .map_err(|source| ServeError::Bind { addr, source })?;
    Ok((listener, bound))
}

/// Start the simulator; it is listening when this returns.
pub async fn serve(config: Config) -> Result<SimHandle, ServeError> {
    let (listener, addr) = bind(config.host, config.port).await?;
    let https = match config.https_port {
        Some(port) => {
            let tls = tls::self_signed()?;
            let (l, a) = bind(config.host, port).await?;
            Some((l, a, tls))
        }
        None => None,
    };
    let cert_pem = https.as_ref().map(|(_, _, t)| t.cert_pem.clone());
    let sim = Arc::new(state::Sim::new(
        config.api_key.clone(),
        config.seed.clone(),
        config.www.clone(),
        cert_pem.clone(),
    ));
    sim.world().public_base = format!("http://{addr}");
    sim.set_dialect(dialect::DialectState {
        dialect: config.dialect,
        ..Default::default()
    });
    let app = routes::router(sim.clone());

    let mut tasks = vec![tokio::spawn(server::accept_loop(
        listener,
        app.clone(),
        None,
    ))];
    let mut https_addr = None;
    if let Some((l, a, tls)) = https {
        https_addr = Some(a);
        tasks.push(tokio::spawn(server::accept_loop(
            l,
            app,
            Some(tls.acceptor),
        )));
    }
    if let Some(every) = config.trickle {
        tasks.push(tokio::spawn(life::trickle(sim.clone(), every)));
    }
    Ok(SimHandle {
        addr,
        https_addr,
        cert_pem,
        sim,
        tasks,
    })
}
