//! The real binary as a live lab with its wire listener, and bounded runs of real client programs
//! (kafka-python, confluent-kafka, the Java client) against it.

use std::io::{BufRead, BufReader, Read};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// A lab process on three free ports; stopped (SIGTERM) when dropped, so no test leaks it or its
/// data dir.
pub struct LiveLab {
    child: Child,
    /// Wire port of broker 1 (broker N listens on `port + N - 1`).
    pub port: u16,
    events: mpsc::Receiver<String>,
}

impl LiveLab {
    /// Starts the lab (streaming mode: stdout piped, real time) with no simulated consumers and
    /// `rate` records/s from its own producer on `test`; returns once broker 1 accepts connections.
    pub fn start(seed: u64, rate: u32, extra: &[&str]) -> Self {
        let port = super::free_ports();
        let mut child = Command::new(env!("CARGO_BIN_EXE_kafka-lab"))
            .args(["--ephemeral", "--seed", &seed.to_string()])
            .args(["--port", &port.to_string()])
            .args(["--rate", &rate.to_string()])
            // No default consumers unless the test asks for some.
            .args(if extra.contains(&"--consumers") {
                &[][..]
            } else {
                &["--consumers", "0"][..]
            })
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start kafka-lab");
        // Drain the event stream so the lab never blocks on a full pipe.
        let events = lines_of(child.stdout.take().expect("stdout"));
        let lab = LiveLab {
            child,
            port,
            events,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "the lab's port {port} never accepted"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        lab
    }

    /// Every event line the lab has printed since the last call.
    pub fn events_so_far(&self) -> Vec<String> {
        self.events.try_iter().collect()
    }

    /// The lab process's id (to read its memory from `/proc`).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Broker 1's address.
    pub fn bootstrap(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// Every broker's address: a client that knows only a killed broker cannot find the others.
    pub fn all_brokers(&self) -> String {
        (0..3)
            .map(|i| format!("127.0.0.1:{}", self.port + i))
            .collect::<Vec<_>>()
            .join(",")
    }
}

impl Drop for LiveLab {
    fn drop(&mut self) {
        super::stop_lab(&mut self.child);
    }
}

/// A child process killed (SIGKILL) when dropped.
pub struct Proc(pub Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The lines a pipe carries, read on a thread, as they arrive.
pub fn lines_of(out: impl Read + Send + 'static) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

/// Starts `cmd` with its stdout as a stream of lines (stderr discarded); killed when dropped.
pub fn spawn_streaming(mut cmd: Command, what: &str) -> (Proc, mpsc::Receiver<String>) {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {what}: {e}"));
    let rx = lines_of(child.stdout.take().expect("stdout"));
    (Proc(child), rx)
}

/// The value of `var`, or `None` after saying which tests skip without it; panics instead when
/// `KAFKA_LAB_REQUIRE_E2E=1` (see [`super::require`]).
#[track_caller]
pub fn env_or_skip(var: &str, what: &str) -> Option<String> {
    match std::env::var(var) {
        Ok(v) if !v.is_empty() => Some(v),
        _ => {
            super::require::skip_unless_required(
                &format!("{var} is not set (.ci/test sets it)"),
                what,
            );
            None
        }
    }
}

/// Runs `cmd` to completion within `timeout` and returns its stdout; panics with both outputs
/// when it fails or overruns. Both pipes are read on threads, so a chatty client never blocks.
pub fn run_bounded(mut cmd: Command, what: &str, timeout: Duration) -> String {
    let child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {what}: {e}"));
    let mut child = Proc(child);
    let read = |s: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut text = String::new();
            if let Some(mut s) = s {
                let _ = s.read_to_string(&mut text);
            }
            text
        })
    };
    let out = read(child.0.stdout.take().map(|s| Box::new(s) as _));
    let err = read(child.0.stderr.take().map(|s| Box::new(s) as _));
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.0.try_wait().expect("wait") {
            break status;
        }
        if start.elapsed() > timeout {
            let _ = child.0.kill();
            let _ = child.0.wait();
            panic!(
                "{what} did not finish within {timeout:?}:\n{}\n{}",
                out.join().unwrap_or_default(),
                err.join().unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let (out, err) = (
        out.join().unwrap_or_default(),
        err.join().unwrap_or_default(),
    );
    assert!(status.success(), "{what} failed ({status}):\n{out}\n{err}");
    out
}
