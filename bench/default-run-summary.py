#!/usr/bin/env python3
"""The main job's figures from its results file: accuracy and generations by level, and the
questions the difficulty estimator deemed hopeless (predicted pass@1 below the policy's
hopelessBelow, i.e. difficulty above 1 - hopelessBelow), by level.

usage: bench/default-run-summary.py RESULTS.jsonl [POLICY.json]
"""
import json
import sys

rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
hopeless_below = None
if len(sys.argv) > 2:
    estimator = json.load(open(sys.argv[2])).get("estimator") or {}
    hopeless_below = estimator.get("hopelessBelow")
by = {}
for r in rows:
    by.setdefault(r.get("level"), []).append(r)
ok = lambda r: r.get("correct") is True
print(f"all: {len(rows)} questions, accuracy {100 * sum(map(ok, rows)) / len(rows):.1f} %, "
      f"generations per question {sum(r['spent'] for r in rows) / len(rows):.1f}")
print("| level | questions | accuracy % | granted per question | spent per question | estimated difficulty |")
print("|---|---|---|---|---|---|")
for level in sorted(by, key=lambda x: (x is None, x)):
    rs = by[level]
    diffs = [r["difficulty"] for r in rs if r.get("difficulty") is not None]
    print(f"| {level} | {len(rs)} | {100 * sum(map(ok, rs)) / len(rs):.1f} | "
          f"{sum(r['granted'] for r in rs) / len(rs):.1f} | {sum(r['spent'] for r in rs) / len(rs):.1f} | "
          f"{sum(diffs) / max(1, len(diffs)):.2f} |")
if hopeless_below is not None:
    cut = 1 - hopeless_below
    hopeless = [r for r in rows if r.get("difficulty") is not None and r["difficulty"] > cut]
    if hopeless:
        per_level = ", ".join(
            f"level {lv}: {sum(1 for r in hopeless if r.get('level') == lv)}"
            for lv in sorted(by, key=lambda x: (x is None, x))
            if any(r.get("level") == lv for r in hopeless))
        spent = sum(r["spent"] for r in hopeless) / len(hopeless)
        right = 100 * sum(map(ok, hopeless)) / len(hopeless)
        print(f"hopeless (predicted pass@1 < {hopeless_below}): {len(hopeless)} questions ({per_level}); "
              f"{spent:.1f} generations each, {right:.1f} % right")
    pool = 16 * len(rows)
    print(f"pool: {sum(r['spent'] for r in rows):,} of {pool:,} generations spent "
          f"(budget 16 x {len(rows)} questions)")
