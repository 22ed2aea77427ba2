#!/usr/bin/env python3
"""CPU of a JFR recording in its last WINDOW seconds only (the measured run, not the start-up and
warm-up before it): per-thread CPU load (jdk.ThreadCPULoad: JIT compiler threads included), and
Java samples (jdk.ExecutionSample) by thread and by the innermost library on the stack.

  python3 bench/jfr-window.py RECORDING.jfr WINDOW_SECONDS [TOP]
"""
import collections
import json
import re
import subprocess
import sys
from datetime import datetime

rec, window = sys.argv[1], float(sys.argv[2])
top = int(sys.argv[3]) if len(sys.argv) > 3 else 12
LIBRARIES = [("H2", "org.h2"), ("Jackson", "com.fasterxml.jackson"), ("Artery", "pekko.remote"),
             ("Pekko persistence", "pekko.persistence"), ("Slick", "slick."), ("HikariCP", "zaxxer"),
             ("Pekko HTTP", "pekko.http"), ("Pekko streams", "pekko.stream"),
             ("Pekko cluster", "pekko.cluster"), ("io.reckon", "io/reckon")]


def events(name, depth=96):
    out = subprocess.run(["jfr", "print", "--json", "--stack-depth", str(depth), "--events", name, rec],
                         capture_output=True, text=True, check=True).stdout
    evs = json.loads(out)["recording"]["events"]
    at = lambda e: datetime.fromisoformat(e["values"]["startTime"][:26].replace("Z", ""))
    end = max(at(e) for e in evs)
    return [e["values"] for e in evs if (end - at(e)).total_seconds() <= window]


def thread(t):
    return re.sub(r"[0-9]+", "N", (t["javaName"] or t["osName"]) if t else "?")


def show(title, counter):
    total = sum(counter.values()) or 1
    print(f"\n{title}")
    for k, v in counter.most_common(top):
        print(f"  {100 * v / total:5.1f} %  {k}")


print(f"# {rec}, last {window:.0f} s")
load = collections.Counter()
for v in events("jdk.ThreadCPULoad", 1):
    load[thread(v["eventThread"])] += float(v["user"]) + float(v["system"])
show("CPU load by thread (JIT compiler threads included)", load)
by_thread, by_library = collections.Counter(), collections.Counter()
for v in events("jdk.ExecutionSample"):
    frames = [f["method"]["type"]["name"] for f in (v["stackTrace"] or {}).get("frames", [])]
    if not frames:
        continue
    by_thread[thread(v["sampledThread"])] += 1
    by_library[next((name for f in frames for name, p in LIBRARIES if p.replace(".", "/") in f),
                    "other (JDK, Pekko actors, Scala)")] += 1
show(f"Java samples by thread ({sum(by_thread.values())} samples)", by_thread)
show("Java samples by innermost library on the stack", by_library)
