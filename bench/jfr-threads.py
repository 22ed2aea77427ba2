#!/usr/bin/env python3
"""CPU by thread (name with digits folded to N) and thread starts of a JFR recording, as text:
what ExecutionSample misses (threads created per task, JIT compiler threads).

  python3 bench/jfr-threads.py RECORDING.jfr [TOP]
"""
import collections
import re
import subprocess
import sys

rec = sys.argv[1]
top = int(sys.argv[2]) if len(sys.argv) > 2 else 12
out = subprocess.run(["jfr", "print", "--events", "jdk.ThreadCPULoad", rec], capture_output=True, text=True, check=True).stdout
acc = collections.defaultdict(float)
for b in out.split("jdk.ThreadCPULoad {"):
    u = re.search(r"user = ([0-9.]+)%", b)
    s = re.search(r"system = ([0-9.]+)%", b)
    t = re.search(r'eventThread = "([^"]+)"', b)
    if u and s and t:
        acc[re.sub(r"[0-9]+", "N", t.group(1))] += float(u.group(1)) + float(s.group(1))
total = sum(acc.values()) or 1
print(f"# {rec}\n\nCPU by thread (share of the sampled per-thread CPU load)")
for k, v in sorted(acc.items(), key=lambda x: -x[1])[:top]:
    print(f"  {100 * v / total:5.1f} %  {k}")
starts = subprocess.run(["jfr", "print", "--events", "jdk.ThreadStart", "--stack-depth", "3", rec],
                        capture_output=True, text=True, check=True).stdout
n = starts.count("jdk.ThreadStart {")
per_task = starts.count("CompletableFuture$ThreadPerTaskExecutor")
print(f"\nthreads started: {n}, of them by CompletableFuture's thread-per-task fallback: {per_task}")
