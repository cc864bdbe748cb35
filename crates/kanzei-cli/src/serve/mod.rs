//! `kanzei serve`: a local web app and JSON API over the CLI's commands.
//!
//! The server is part of the CLI crate on purpose: it parses arguments (query parameters
//! become the CLI's options, and [`crate::Cli`] parses them) and writes output (HTTP
//! responses), and every number it shows comes from the same command functions as the CLI
//! (`commands::tariff::rates_prepared`, `timeline_prepared`, `explain`, `brief`), so
//! `GET /api/rates?…` returns the bytes `kanzei tariff rates … --format json` prints.
//!
//! How a request is served: [`start`] binds a `TcpListener` (127.0.0.1 unless `--bind` says
//! otherwise) and hands each connection to a fixed pool of threads through a bounded queue
//! (a full queue answers 503 at once). A thread reads one request within the limits of
//! [`http`] (16 KiB of headers, a 256 KiB body, 10 s to send it), routes it ([`api`],
//! [`pages`]) and closes the connection. Work that computes runs in [`State::compute`]:
//! at most `max_compute` at a time, each with a deadline after which the client gets 504
//! (the computation finishes in the background and keeps its slot until then, so a slow
//! request cannot multiply). Nothing a request carries names a file: scenarios are shipped
//! ids or TOML text in the body.
//!
//! What is cached: the tariff data (loaded once), compiled scenarios and baselines (four
//! each), brief engines (one per scenario, baseline, date and draws; two, sharing the
//! server's tariff data and its compiles of the scenario and baseline, whose tables a clone
//! shares), rendered partner pages (64) and API answers (256, by argument list
//! and body). Every cache is bounded; the oldest entry goes first.

pub mod api;
pub mod http;
pub mod pages;

use std::collections::{HashMap, VecDeque};
use std::hash::Hash;
use std::io::Write;
use std::net::{IpAddr, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError, TrySendError};
use std::sync::{Arc, Condvar, Mutex, OnceLock};
use std::time::{Duration, Instant};

use clap::Args;
use kanzei_data::Store;
use kanzei_tariff::analysis::TariffData;

use http::{Limits, ReadError, Response};

/// Arguments of `serve`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  kanzei serve                       http://127.0.0.1:8080/\n  kanzei serve --port 9000\n\nRoutes, parameters and limits: docs/server.md.")]
pub struct ServeArgs {
    /// Port to listen on (0: any free port).
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// Address to bind; the default serves this machine only. Anything else exposes the
    /// server to the network (it has no authentication).
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: IpAddr,
    /// Threads reading requests.
    #[arg(long, default_value_t = 16)]
    pub threads: usize,
    /// Computations (scenario compiles, briefs) running at once.
    #[arg(long, default_value_t = 2)]
    pub max_compute: usize,
    /// Seconds a request may compute before it gets 504.
    #[arg(long, default_value_t = 60)]
    pub timeout: u64,
}

/// The server's limits and sizes.
#[derive(Clone, Copy, Debug)]
pub struct Config {
    /// Address and port.
    pub addr: SocketAddr,
    /// Threads reading requests.
    pub threads: usize,
    /// Computations at once.
    pub max_compute: usize,
    /// Deadline of one computation.
    pub compute_timeout: Duration,
    /// Request limits.
    pub limits: Limits,
    /// Connections waiting for a thread before new ones get 503.
    pub queue: usize,
}

/// The body limit: a scenario's TOML (the shipped us-2025 is about 40 KiB).
pub const BODY_LIMIT: usize = 256 * 1024;

impl Config {
    /// The defaults on `addr`.
    pub fn new(addr: SocketAddr) -> Config {
        Config {
            addr,
            threads: 16,
            max_compute: 2,
            compute_timeout: Duration::from_secs(60),
            limits: Limits { body_bytes: BODY_LIMIT, read_deadline: Duration::from_secs(10) },
            queue: 128,
        }
    }
}

/// A bounded map that forgets its oldest entry first.
pub struct Cache<K, V> {
    capacity: usize,
    order: VecDeque<K>,
    map: HashMap<K, V>,
}

impl<K: Clone + Eq + Hash, V: Clone> Cache<K, V> {
    /// An empty cache of `capacity` entries.
    pub fn new(capacity: usize) -> Cache<K, V> {
        Cache { capacity, order: VecDeque::new(), map: HashMap::new() }
    }

    /// The value under `key`.
    pub fn get(&self, key: &K) -> Option<V> {
        self.map.get(key).cloned()
    }

    /// Stores `value` under `key`, forgetting the oldest entry when full.
    pub fn insert(&mut self, key: K, value: V) {
        if self.map.insert(key.clone(), value).is_none() {
            self.order.push_back(key);
        }
        while self.order.len() > self.capacity {
            if let Some(old) = self.order.pop_front() {
                self.map.remove(&old);
            }
        }
    }
}

/// Counts free computation slots.
struct Slots {
    free: Mutex<usize>,
    changed: Condvar,
}

/// Everything requests share.
pub struct State {
    /// The data (the embedded snapshot, or `--data DIR`).
    pub store: &'static Store,
    /// Limits and sizes.
    pub config: Config,
    /// Loaded once and kept for the life of the process (compiled scenarios borrow its cells).
    tariff_data: OnceLock<Result<&'static Arc<TariffData>, String>>,
    /// Compiled scenarios by id (or `body:<hash>`), and baselines by (scenario key, id).
    pub(crate) prepared: Mutex<Cache<String, Arc<crate::commands::tariff::Prepared<'static>>>>,
    pub(crate) baselines: Mutex<Cache<(String, String), Arc<kanzei_tariff::engine::Compiled>>>,
    pub(crate) engines: Mutex<Cache<String, Arc<kanzei_report::brief::Engine<'static>>>>,
    pub(crate) pages: Mutex<Cache<String, Response>>,
    /// API answers by argument list (and body hash): every command is deterministic.
    pub(crate) responses: Mutex<Cache<String, Response>>,
    slots: Slots,
}

/// Locks a mutex even if a thread panicked while holding it (the caches stay usable).
pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl State {
    /// Shared state on `store`.
    pub fn new(store: &'static Store, config: Config) -> State {
        State {
            store,
            config,
            tariff_data: OnceLock::new(),
            prepared: Mutex::new(Cache::new(4)),
            baselines: Mutex::new(Cache::new(4)),
            engines: Mutex::new(Cache::new(2)),
            pages: Mutex::new(Cache::new(64)),
            responses: Mutex::new(Cache::new(256)),
            slots: Slots { free: Mutex::new(config.max_compute.max(1)), changed: Condvar::new() },
        }
    }

    /// The tariff data, loaded on first use.
    pub fn tariff_data(&self) -> anyhow::Result<&'static Arc<TariffData>> {
        let loaded = self.tariff_data.get_or_init(|| {
            // Leaked on purpose: the data live as long as the process, like the store.
            TariffData::load(self.store).map(|d| &*Box::leak(Box::new(Arc::new(d)))).map_err(|e| e.to_string())
        });
        loaded.clone().map_err(|e| anyhow::anyhow!("{e}"))
    }

    /// Runs `work` on its own thread within a computation slot and the deadline: 503 when
    /// no slot frees up before the deadline, 504 when the work does not finish by it (it
    /// then finishes in the background, holding its slot).
    pub fn compute(self: &Arc<Self>, work: impl FnOnce(&State) -> Response + Send + 'static) -> Response {
        let deadline = Instant::now() + self.config.compute_timeout;
        {
            let mut free = lock(&self.slots.free);
            while *free == 0 {
                let now = Instant::now();
                if now >= deadline {
                    return Response::error(503, "the server is busy: every computation slot stayed taken until the deadline; try again");
                }
                free = self.slots.changed.wait_timeout(free, deadline - now).map(|(g, _)| g).unwrap_or_else(|e| e.into_inner().0);
            }
            *free -= 1;
        }
        let (tx, rx) = mpsc::channel();
        let state = Arc::clone(self);
        let spawned = std::thread::Builder::new().name("kanzei-compute".into()).spawn(move || {
            // The slot is given back however the work ends, a panic included.
            struct Release(Arc<State>);
            impl Drop for Release {
                fn drop(&mut self) {
                    *lock(&self.0.slots.free) += 1;
                    self.0.slots.changed.notify_one();
                }
            }
            let release = Release(state);
            let response = work(&release.0);
            let _ = tx.send(response);
        });
        if spawned.is_err() {
            *lock(&self.slots.free) += 1;
            self.slots.changed.notify_one();
            return Response::error(503, "the server could not start a computation thread; try again");
        }
        match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(response) => response,
            Err(RecvTimeoutError::Timeout) => Response::error(
                504,
                &format!("the computation took longer than {} s (the server's --timeout)", self.config.compute_timeout.as_secs()),
            ),
            Err(RecvTimeoutError::Disconnected) => Response::error(500, "internal error: the computation failed (a bug in kanzei; please report it)"),
        }
    }
}

/// A running server.
pub struct Server {
    /// The address it listens on.
    pub addr: SocketAddr,
    stop: Arc<AtomicBool>,
    accept: Option<std::thread::JoinHandle<()>>,
    /// The shared state (caches), for tests and warm-up.
    pub state: Arc<State>,
}

impl Server {
    /// Stops accepting connections and waits for the accept loop to end.
    pub fn stop(mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr);
        if let Some(handle) = self.accept.take() {
            let _ = handle.join();
        }
    }

    /// Blocks until the server stops (never, unless the accept loop fails).
    pub fn wait(mut self) {
        if let Some(handle) = self.accept.take() {
            let _ = handle.join();
        }
    }
}

/// Binds and starts serving on threads of its own.
pub fn start(store: &'static Store, config: Config) -> std::io::Result<Server> {
    let listener = TcpListener::bind(config.addr)?;
    let addr = listener.local_addr()?;
    let state = Arc::new(State::new(store, Config { addr, ..config }));
    let stop = Arc::new(AtomicBool::new(false));
    let (tx, rx) = mpsc::sync_channel::<TcpStream>(config.queue);
    let rx = Arc::new(Mutex::new(rx));
    for i in 0..config.threads.max(1) {
        let rx = Arc::clone(&rx);
        let state = Arc::clone(&state);
        std::thread::Builder::new().name(format!("kanzei-http-{i}")).spawn(move || loop {
            let next = lock(&rx).recv();
            match next {
                Ok(stream) => handle(&state, stream),
                Err(_) => return,
            }
        })?;
    }
    let accept_stop = Arc::clone(&stop);
    let accept = std::thread::Builder::new().name("kanzei-accept".into()).spawn(move || {
        for stream in listener.incoming() {
            if accept_stop.load(Ordering::SeqCst) {
                return;
            }
            let Ok(stream) = stream else {
                // Out of file descriptors and the like: wait instead of spinning.
                std::thread::sleep(Duration::from_millis(50));
                continue;
            };
            match tx.try_send(stream) {
                Ok(()) => {}
                Err(TrySendError::Full(mut stream)) => {
                    let _ = stream.set_write_timeout(Some(Duration::from_secs(1)));
                    let _ = http::write_response(&mut stream, &Response::error(503, "the server is busy (too many connections waiting); try again"));
                }
                Err(TrySendError::Disconnected(_)) => return,
            }
        }
    })?;
    Ok(Server { addr, stop, accept: Some(accept), state })
}

/// Serves one connection: read, route, answer, close.
fn handle(state: &Arc<State>, mut stream: TcpStream) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let _ = stream.set_write_timeout(Some(Duration::from_secs(30)));
    let _ = stream.set_nodelay(true);
    let response = match http::read_request(&mut stream, state.config.limits) {
        Ok(request) => {
            // A panic is a bug; the client still gets an answer and the thread lives on.
            let routed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| route(state, &request)));
            routed.unwrap_or_else(|_| Response::error(500, "internal error (a bug in kanzei; please report it)"))
        }
        Err(ReadError::Status(status, message)) => Response::error(status, &message),
        Err(ReadError::Closed) => return,
    };
    let _ = http::write_response(&mut stream, &response);
    let _ = stream.shutdown(std::net::Shutdown::Write);
}

/// Sends a request to the API or the pages.
pub fn route(state: &Arc<State>, request: &http::Request) -> Response {
    if request.path.starts_with("/api/") {
        api::route(state, request)
    } else {
        pages::route(state, request)
    }
}

/// Runs `kanzei serve` until the process is stopped.
pub fn run(args: ServeArgs, store: &'static Store, out: &mut dyn Write) -> anyhow::Result<()> {
    let mut config = Config::new(SocketAddr::new(args.bind, args.port));
    config.threads = args.threads.clamp(1, 256);
    config.max_compute = args.max_compute.clamp(1, 64);
    config.compute_timeout = Duration::from_secs(args.timeout.max(1));
    let server = start(store, config).map_err(|e| anyhow::anyhow!("cannot listen on {}:{}: {e}", args.bind, args.port))?;
    let state = Arc::clone(&server.state);
    // Compile the default scenario and baseline now, so the first visitor does not wait.
    std::thread::spawn(move || {
        let _ = api::prepared_shipped(&state, "us-2025").and_then(|p| api::baseline_for(&state, "us-2025", &p, "us-2024-baseline"));
    });
    if !args.bind.is_loopback() {
        eprintln!("warning: listening on {}, which other machines may reach; kanzei serve has no authentication", args.bind);
    }
    writeln!(out, "kanzei serve: http://{}/ (Ctrl-C to stop)", server.addr)?;
    out.flush()?;
    server.wait();
    Ok(())
}
