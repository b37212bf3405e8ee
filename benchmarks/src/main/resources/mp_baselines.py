"""Baselines from Python's multiprocessing, measured in the same run as the starter.

Usage: python3 mp_baselines.py <case> <count>
cases: pipe_oneway, pipe_rtt, queue_oneway, value_lock
Prints RESULT name=value lines (and DIST lines for latency distributions) like the Java peers.
"""
import math
import multiprocessing as mp
import sys
import time

PAYLOAD = b"x" * 64
CHART_POINTS = [0, 10, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99]


def percentile(sorted_values, p):
    if not sorted_values:
        return 0
    index = max(0, min(len(sorted_values) - 1, math.ceil(p / 100.0 * len(sorted_values)) - 1))
    return sorted_values[index]


def pipe_reader(conn, count):
    for _ in range(count):
        conn.recv_bytes()
    conn.send_bytes(b"done")


def pipe_oneway(count):
    parent, child = mp.Pipe()
    reader = mp.Process(target=pipe_reader, args=(child, count))
    reader.start()
    start = time.perf_counter()
    for _ in range(count):
        parent.send_bytes(PAYLOAD)
    parent.recv_bytes()
    elapsed = time.perf_counter() - start
    reader.join()
    print(f"RESULT oneway.msgs_per_s={count / elapsed}")


def pipe_echo(conn, count):
    for _ in range(count):
        conn.send_bytes(conn.recv_bytes())


def pipe_rtt(count):
    parent, child = mp.Pipe()
    warmup = max(1000, count // 5)
    echo = mp.Process(target=pipe_echo, args=(child, count + warmup))
    echo.start()
    samples = []
    for i in range(count + warmup):
        sent = time.perf_counter_ns()
        parent.send_bytes(PAYLOAD)
        parent.recv_bytes()
        if i >= warmup:
            samples.append(time.perf_counter_ns() - sent)
    echo.join()
    samples.sort()
    print(f"RESULT rtt.round_trips_per_s={len(samples) / (sum(samples) / 1e9)}")
    for p in (50, 90, 99, 99.9, 99.99):
        name = str(p) if p != int(p) else str(int(p))
        print(f"RESULT rtt.p{name}_ns={percentile(samples, p)}")
    print("DIST rtt " + " ".join(str(percentile(samples, p)) for p in CHART_POINTS))


def queue_reader(queue, count, done):
    for _ in range(count):
        queue.get()
    done.set()


def queue_oneway(count):
    queue = mp.Queue()
    done = mp.Event()
    reader = mp.Process(target=queue_reader, args=(queue, count, done))
    reader.start()
    start = time.perf_counter()
    for _ in range(count):
        queue.put(PAYLOAD)
    done.wait()
    elapsed = time.perf_counter() - start
    reader.join()
    print(f"RESULT oneway.msgs_per_s={count / elapsed}")


def value_incrementer(value, count):
    for _ in range(count):
        with value.get_lock():
            value.value += 1


def value_lock(count):
    value = mp.Value("q", 0)
    workers = [mp.Process(target=value_incrementer, args=(value, count)) for _ in range(2)]
    start = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - start
    if value.value != 2 * count:
        print(f"ERROR lost increments: {value.value} != {2 * count}")
        sys.exit(1)
    print(f"RESULT counter.increments_per_s={2 * count / elapsed}")


if __name__ == "__main__":
    case, count = sys.argv[1], int(sys.argv[2])
    {"pipe_oneway": pipe_oneway, "pipe_rtt": pipe_rtt, "queue_oneway": queue_oneway,
     "value_lock": value_lock}[case](count)
