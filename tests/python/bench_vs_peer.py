"""The wire benchmark (by hand, not in CI): the same client load against the lab and a peer
Kafka-compatible broker (tansu) in one run, in alternating rounds, with the ratio lab / peer.

    bench_vs_peer.py [--records N] [--rounds R] [--lab PATH] [--tansu PATH] [--no-kafka-python]

Lab: `kafka-lab --ephemeral --segment-bytes 1073741824` (3 brokers, replication factor 3, every
replica on disk, Kafka's default segment size).
Peer: `tansu broker --storage-engine memory://tansu/` (1 broker, replication factor 1, memory),
installed with `cargo install tansu --features dynostore`.
Each round starts both brokers afresh, creates a 2-partition topic on each, runs `bench_clients.py`
in a new process against each (peer first on odd rounds, lab first on even ones) and stops them. Reported: the median of the
rounds per side, their ratio, and the CPU seconds each broker process used.
"""
import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

from confluent_kafka.admin import AdminClient, NewTopic

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent


def free_port_block(n, start=39100):
    """A base port at or after `start` with n consecutive free ports."""
    for base in range(start, 60000, 16):
        socks = []
        try:
            for p in range(base, base + n):
                s = socket.socket()
                s.bind(("127.0.0.1", p))
                socks.append(s)
            return base
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise SystemExit("no free ports")


def wait_port(port, proc, name, timeout=30):
    end = time.time() + timeout
    while time.time() < end:
        if proc.poll() is not None:
            raise SystemExit(f"{name} exited with {proc.returncode} before listening")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"{name} did not listen on {port} within {timeout} s")


def cpu_seconds(pid):
    """User + system CPU seconds of a process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def create_topic(bootstrap, topic, rf):
    admin = AdminClient({"bootstrap.servers": bootstrap})
    for _, fut in admin.create_topics([NewTopic(topic, 2, rf)]).items():
        fut.result(30)
    time.sleep(0.5)


def run_load(bootstrap, n, topic, only):
    out = subprocess.run(
        [sys.executable, str(HERE / "bench_clients.py"), bootstrap, str(n), topic,
         "--only", only, "--json"],
        check=True, capture_output=True, text=True, timeout=900)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--lab", default=str(ROOT / "target/release/kafka-lab"))
    ap.add_argument("--tansu", default=shutil.which("tansu") or "tansu")
    ap.add_argument("--no-kafka-python", action="store_true")
    a = ap.parse_args()
    if not Path(a.lab).exists():
        raise SystemExit(f"{a.lab} not found: cargo build --release first")
    if not shutil.which(a.tansu):
        raise SystemExit(f"{a.tansu} not found: cargo install tansu --features dynostore")

    peer_port = free_port_block(1)
    lab_port = free_port_block(3, peer_port + 16)
    commands = {
        "peer": ([a.tansu, "broker", "--listener-url", f"tcp://127.0.0.1:{peer_port}",
                  "--advertised-listener-url", f"tcp://127.0.0.1:{peer_port}",
                  "--storage-engine", "memory://tansu/"], peer_port, 1),
        # Kafka's own log.segment.bytes (1 GiB): the lab's teaching default of 1 MiB, chosen so
        # segments visibly roll, would create three files per replica for every megabyte.
        "lab": ([a.lab, "--ephemeral", "--consumers", "0", "--rate", "0",
                 "--segment-bytes", str(1 << 30), "--port", str(lab_port)], lab_port, 3),
    }
    results = {"peer": [], "lab": []}
    cpu = {"peer": 0.0, "lab": 0.0}
    for r in range(a.rounds):
        order = ["peer", "lab"] if r % 2 == 0 else ["lab", "peer"]
        for side in order:
            # A fresh broker each round, stopped after it: no round inherits another's data,
            # page cache or connections.
            argv, port, rf = commands[side]
            proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)
            try:
                wait_port(port, proc, side)
                bootstrap = f"127.0.0.1:{port}"
                topic = f"bench-{r}"
                create_topic(bootstrap, topic, rf)
                before = cpu_seconds(proc.pid)
                res = run_load(bootstrap, a.records, topic, "confluent")
                if not a.no_kafka_python:
                    create_topic(bootstrap, topic + "-kp", rf)
                    res.update(run_load(bootstrap, max(a.records // 10, 1000), topic + "-kp",
                                        "kafka-python"))
                cpu[side] += cpu_seconds(proc.pid) - before
            finally:
                proc.terminate()
                try:
                    proc.wait(30)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
            results[side].append(res)
            print(f"round {r + 1} {side:4}: " + ", ".join(
                f"{k} {v:,.0f}" for k, v in res.items() if k != "records"), flush=True)

    print(f"\n{a.records:,} records of 100 B, acks=all; median of {a.rounds} rounds "
          f"(kafka-python: {max(a.records // 10, 1000):,} records)")
    print(f"{'':32} {'peer (tansu)':>14} {'kafka-lab':>14} {'lab / peer':>10}")
    for key in results["lab"][0]:
        if key == "records":
            continue
        peer_v = statistics.median(x[key] for x in results["peer"])
        lab_v = statistics.median(x[key] for x in results["lab"])
        print(f"{key + ' (records/s)':32} {peer_v:>14,.0f} {lab_v:>14,.0f} {lab_v / peer_v:>10.2f}")
    print(f"{'broker CPU seconds, all rounds':32} {cpu['peer']:>14.2f} {cpu['lab']:>14.2f}")


if __name__ == "__main__":
    main()
