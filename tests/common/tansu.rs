//! tansu, a Kafka-compatible broker that is not the lab, as a peer to attach to: one broker on a
//! free port with in-memory storage, killed when dropped. Its binary comes from `KAFKA_LAB_TANSU`
//! (`.ci/test` installs it); without it the test skips, or fails under `KAFKA_LAB_REQUIRE_E2E=1`.

use super::live_lab::{Proc, env_or_skip};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A tansu broker process; killed (SIGKILL: its storage is memory only) when dropped.
pub struct Tansu {
    _proc: Proc,
    /// The port it listens on (127.0.0.1) and advertises (localhost).
    pub port: u16,
}

impl Tansu {
    /// Starts tansu, or returns `None` after saying why `test` skips.
    #[track_caller]
    pub fn start(test: &str) -> Option<Self> {
        let bin = env_or_skip("KAFKA_LAB_TANSU", test)?;
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind an ephemeral port");
            l.local_addr().expect("addr").port()
        };
        let child = Command::new(&bin)
            .arg("broker")
            .args(["--listener-url", &format!("tcp://127.0.0.1:{port}")])
            .args([
                "--advertised-listener-url",
                &format!("tcp://localhost:{port}"),
            ])
            .args(["--storage-engine", "memory://tansu/"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start tansu ({bin}): {e}"));
        let tansu = Tansu {
            _proc: Proc(child),
            port,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "tansu's port {port} never accepted"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(tansu)
    }

    /// Its address as clients name it.
    pub fn bootstrap(&self) -> String {
        format!("localhost:{}", self.port)
    }
}
