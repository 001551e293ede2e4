//! The shared state behind every route: the world, armed faults, the request ledger, the API key
//! and where a reset goes back to.

use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};

use threadline::model::ServerEvent;
use tokio::sync::broadcast;

use crate::faults::{FaultBoard, RequestLog};
use crate::seed;
use crate::world::{Data, World};

/// What `/__sim/reset` (and the start) builds the workspace from.
#[derive(Debug, Clone, PartialEq)]
pub enum SeedSource {
    /// The built-in seeded workspace (`seed::default_seed`).
    Default,
    /// The three accounts and nothing else.
    Empty,
    /// A snapshot loaded from a JSON file (the shape `GET /__sim/snapshot` gives).
    Snapshot(Box<Data>),
}

impl SeedSource {
    /// The data, with times laid out before `anchor` (the clock now).
    pub fn build(&self, anchor: i64) -> Data {
        match self {
            SeedSource::Default => seed::default_seed(anchor),
            SeedSource::Empty => seed::empty(),
            SeedSource::Snapshot(d) => (**d).clone(),
        }
    }
}

/// Everything the routes share.
#[derive(Debug)]
pub struct Sim {
    world: Mutex<World>,
    faults: Mutex<FaultBoard>,
    log: Mutex<RequestLog>,
    pub api_key: String,
    pub seed: SeedSource,
    pub www: Option<PathBuf>,
    /// PEM of the self-signed certificate, when HTTPS is on.
    pub cert_pem: Option<String>,
    /// Which dialect the API answers in, and the subscription state (`/__sim/dialect`).
    dialect: Mutex<crate::dialect::DialectState>,
    /// When each API request of the last minute arrived (for the `X-RateLimit-*` headers).
    recent: Mutex<std::collections::VecDeque<i64>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock must not take the simulator down with it.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Sim {
    pub fn new(
        api_key: String,
        seed: SeedSource,
        www: Option<PathBuf>,
        cert_pem: Option<String>,
    ) -> Sim {
        let (tx, _) = broadcast::channel::<ServerEvent>(1024);
        let mut world = World::new(Default::default(), tx);
        let now = world.now();
        world.replace_data(seed.build(now));
        Sim {
            world: Mutex::new(world),
            faults: Mutex::new(FaultBoard::default()),
            log: Mutex::new(RequestLog::default()),
            api_key,
            seed,
            www,
            cert_pem,
            dialect: Mutex::new(Default::default()),
            recent: Mutex::new(Default::default()),
        }
    }

    /// The dialect and subscription state.
    pub fn dialect(&self) -> crate::dialect::DialectState {
        lock(&self.dialect).clone()
    }

    /// Switches the dialect and subscription state (kept across `/__sim/reset`).
    pub fn set_dialect(&self, state: crate::dialect::DialectState) {
        *lock(&self.dialect) = state;
    }

    /// Counts one API request at `now_ms`; returns how many arrived in the last minute.
    pub fn count_request(&self, now_ms: i64) -> u64 {
        let mut recent = lock(&self.recent);
        while recent
            .front()
            .is_some_and(|&t| t <= now_ms - 60_000 || t > now_ms)
        {
            recent.pop_front();
        }
        recent.push_back(now_ms);
        recent.len() as u64
    }

    pub fn world(&self) -> MutexGuard<'_, World> {
        lock(&self.world)
    }

    pub fn faults(&self) -> MutexGuard<'_, FaultBoard> {
        lock(&self.faults)
    }

    pub fn log(&self) -> MutexGuard<'_, RequestLog> {
        lock(&self.log)
    }

    /// Back to the seed: data, faults, ledger, limits; the clock to real time unless `clock_ms`.
    pub fn reset(&self, clock_ms: Option<i64>, seed: Option<&SeedSource>) {
        let mut w = self.world();
        w.clock.reset();
        if let Some(ms) = clock_ms {
            w.clock.set(ms);
        }
        let anchor = clock_ms.unwrap_or_else(|| w.now());
        w.replace_data(seed.unwrap_or(&self.seed).build(anchor));
        w.writes_per_minute = crate::limits::WRITES_PER_MINUTE;
        w.daily_new_conversations = threadline::model::DAILY_NEW_CONVERSATION_QUOTA;
        drop(w);
        self.faults().clear();
        self.log().clear();
    }
}
