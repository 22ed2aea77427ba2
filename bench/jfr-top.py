#!/usr/bin/env python3
"""Top frames of a JDK Flight Recorder recording, as text: CPU (jdk.ExecutionSample: the frame on
top of each sampled stack, and the first io.reckon frame under it) and allocation
(jdk.ObjectAllocationSample: bytes by allocating frame and by class). Reads `jfr print` output.

  python3 bench/jfr-top.py RECORDING.jfr [TOP]      (default TOP 15)
"""
import collections
import re
import subprocess
import sys

rec = sys.argv[1]
top = int(sys.argv[2]) if len(sys.argv) > 2 else 15


def events(name):
    out = subprocess.run(["jfr", "print", "--events", name, "--stack-depth", "64", rec],
                         capture_output=True, text=True, check=True).stdout
    for block in out.split("\n}\n"):
        if name.split(".")[-1] not in block:
            continue
        frames = re.findall(r"^\s{4,}([\w$.<>/]+\.[\w$<>]+)\(", block, re.M)
        weight = re.search(r"weight = ([0-9.]+) (\w+)", block)
        cls = re.search(r"objectClass = ([\w$.\[\]]+)", block)
        w = 1.0
        if weight:
            units = {"bytes": 1, "kB": 1e3, "MB": 1e6, "GB": 1e9}
            w = float(weight.group(1)) * units.get(weight.group(2), 1)
        yield frames, w, cls.group(1) if cls else None


def own(frames):
    for f in frames:
        if f.startswith("io.reckon."):
            return f
    return "(no io.reckon frame)"


def table(title, counter, total, unit):
    print(f"\n{title} (total {total:,.0f} {unit})")
    for k, v in counter.most_common(top):
        print(f"  {100 * v / total:5.1f} %  {k}")


cpu_top, cpu_own, n = collections.Counter(), collections.Counter(), 0
for frames, _, _ in events("jdk.ExecutionSample"):
    if not frames:
        continue
    n += 1
    cpu_top[frames[0]] += 1
    cpu_own[own(frames)] += 1
print(f"# {rec}")
if n:
    table("CPU, Java code: top frame", cpu_top, n, "samples")
    table("CPU, Java code: first io.reckon frame on the stack", cpu_own, n, "samples")
# Threads in native code (ONNX Runtime's forward pass, the tokenizer, but also blocking I/O and
# waits): by top frame, with the io.reckon frame that called it.
nat, m = collections.Counter(), 0
for frames, _, _ in events("jdk.NativeMethodSample"):
    if frames:
        m += 1
        nat[frames[0] + "  <-  " + own(frames)] += 1
if m:
    table("Native code: top frame <- first io.reckon frame", nat, m, "samples")
alloc_top, alloc_own, alloc_cls, total = collections.Counter(), collections.Counter(), collections.Counter(), 0.0
for frames, w, cls in events("jdk.ObjectAllocationSample"):
    if not frames:
        continue
    total += w
    alloc_top[frames[0]] += w
    alloc_own[own(frames)] += w
    alloc_cls[cls] += w
if total:
    table("Allocation: allocating frame", alloc_top, total, "bytes sampled")
    table("Allocation: first io.reckon frame on the stack", alloc_own, total, "bytes sampled")
    table("Allocation: class", alloc_cls, total, "bytes sampled")
