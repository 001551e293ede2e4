//! `threadline-sim`: the command line over `threadline_sim::serve`. Prints
//! `threadline-sim listening on http://HOST:PORT` once listening (scripts parse that line).

use std::io::Write;
use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use threadline_sim::{load_seed_file, serve, Config, SeedSource, DEFAULT_API_KEY, DEFAULT_PORT};

/// Print a line to stdout, ignoring a closed pipe: a script that read the listening line and
/// closed its end (`head -1`) must not take the server down with it.
macro_rules! say {
    ($($arg:tt)*) => {{
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, $($arg)*);
        let _ = out.flush();
    }};
}

/// A local simulator of the hosted LinkedIn Messaging API.
#[derive(Debug, Parser)]
#[command(name = "threadline-sim", version)]
struct Cli {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
    /// HTTP port (0 picks a free one; the real port is printed).
    #[arg(long, default_value_t = DEFAULT_PORT)]
    port: u16,
    /// Also serve HTTPS here, with a self-signed certificate for www.linkedin.com (off by default).
    #[arg(long)]
    https_port: Option<u16>,
    /// The API key clients must send as `Authorization: Bearer <key>`.
    #[arg(long, default_value = DEFAULT_API_KEY)]
    api_key: String,
    /// `default` (the seeded workspace), `empty` (accounts only) or a path to a snapshot JSON
    /// (what `GET /__sim/snapshot` returns).
    #[arg(long, default_value = "default")]
    seed: String,
    /// Folder served at /www/ (default: ./www when it exists).
    #[arg(long)]
    www: Option<PathBuf>,
    /// Someone writes to one of the accounts every few seconds (see --trickle-every-s).
    #[arg(long)]
    trickle: bool,
    /// Seconds between trickled messages.
    #[arg(long, default_value_t = 20)]
    trickle_every_s: u64,
    /// The shapes the API answers in: `clean` (the model as it serializes) or `mixed` (every
    /// documented variant: string and ISO timestamps, nulls, the wrapped send answer, 429s with
    /// ISO resets and holdUntil, the 307 of the older endpoint). Also THREADLINE_SIM_DIALECT.
    #[arg(long, env = "THREADLINE_SIM_DIALECT", default_value = "clean")]
    dialect: threadline_sim::dialect::Dialect,
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let seed = match cli.seed.as_str() {
        "default" => SeedSource::Default,
        "empty" => SeedSource::Empty,
        path => match load_seed_file(path.as_ref()) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("threadline-sim: {e}");
                return ExitCode::FAILURE;
            }
        },
    };
    let www = cli.www.or_else(|| {
        let dir = PathBuf::from("www");
        dir.is_dir().then_some(dir)
    });
    let config = Config {
        dialect: cli.dialect,
        host: cli.host,
        port: cli.port,
        https_port: cli.https_port,
        api_key: cli.api_key.clone(),
        seed,
        www: www.clone(),
        trickle: cli
            .trickle
            .then(|| Duration::from_secs(cli.trickle_every_s.max(1))),
    };
    let handle = match serve(config).await {
        Ok(h) => h,
        Err(e) => {
            eprintln!("threadline-sim: {e}");
            return ExitCode::FAILURE;
        }
    };
    say!("threadline-sim listening on {}", handle.url());
    say!(
        "threadline-sim api key: {} (Authorization: Bearer {})",
        cli.api_key,
        cli.api_key
    );
    if let Some(url) = handle.https_url() {
        say!("threadline-sim https on {url} (self-signed for www.linkedin.com)");
    }
    match &www {
        Some(dir) => say!(
            "threadline-sim www: {} at {}/www/",
            dir.display(),
            handle.url()
        ),
        None => say!("threadline-sim www: none (pass --www DIR)"),
    }
    say!(
        "threadline-sim control plane: {}/__sim/ (reset, clock, faults, requests, incoming)",
        handle.url()
    );
    tokio::select! {
        _ = handle.wait() => {}
        _ = tokio::signal::ctrl_c() => {}
    }
    ExitCode::SUCCESS
}
