#!/usr/bin/env python3
"""The efficiency claim read from the policy's own end-to-end runs (issue 22): each compute-
optimal run of bench/report.sh (the policy run by `reckon run`, probe included in what it spent)
against the strongest best-of-N baseline at N generations of the same test sweep (weighted,
naive or majority vote, whichever is most accurate), paired over the same questions, with a
seeded 95 % bootstrap interval (1,000 resamples). Failed questions count as wrong.

usage: bench/e2e-efficiency.py SWEEP.json RUN.jsonl [RUN.jsonl ...] [--baseline-n 64]
  SWEEP.json: the report's test-sweep.json; RUN.jsonl: its co-fixed-B.jsonl / co-gain-B.jsonl
"""
import json
import random
import sys

args = sys.argv[1:]
n = 64
if "--baseline-n" in args:
    i = args.index("--baseline-n")
    n = int(args[i + 1])
    del args[i:i + 2]
if len(args) < 2:
    sys.exit(__doc__)
sweep = json.load(open(args[0]))
grid, budgets = sweep["settings"]["grid"], sweep["settings"]["budgets"]
if n not in budgets:
    sys.exit(f"the sweep has no budget {n} (it has {budgets})")
j = budgets.index(n)
ids = sweep["questions"]


def column(config):
    c = grid.index(config)
    return {q: (sweep["correct"][k][c][j] or 0.0) for k, q in enumerate(ids)}


baselines = {}
for config in ("best-of-n:sel=weighted,agg=last", "best-of-n:sel=naive,agg=last",
               "best-of-n:sel=majority,agg=last"):
    if config in grid:
        baselines[config] = column(config)
strongest = max(baselines, key=lambda c: sum(baselines[c].values()))
mean = lambda xs: sum(xs) / len(xs)
runs = {}
for path in args[1:]:
    rows = [json.loads(line) for line in open(path) if line.strip()]
    runs[path.rsplit('/', 1)[-1]] = [r for r in rows if r.get("id") in baselines[strongest]]
# The claim is against the strongest; the others are shown beside it, labelled.
for config in [strongest] + [c for c in baselines if c != strongest]:
    base = baselines[config]
    label = "strongest" if config == strongest else "also"
    print(f"\nbaseline ({label}): {config} at N={n}: {100 * mean(list(base.values())):.1f} %")
    print("| run | questions | accuracy % | generations / question (probe included) | "
          "run - baseline (points, paired) | generations saved |")
    print("|---|---|---|---|---|---|")
    for name, rows in runs.items():
        run = [1.0 if r.get("correct") else 0.0 for r in rows]
        ref = [base[r["id"]] for r in rows]
        spent = mean([r.get("spent", 0) for r in rows])
        d = [x - y for x, y in zip(run, ref)]
        rng = random.Random(0)
        boots = sorted(mean([d[rng.randrange(len(d))] for _ in d]) for _ in range(1000))
        print(f"| {name} | {len(rows)} | {100 * mean(run):.1f} | {spent:.1f} | "
              f"{100 * mean(d):+.1f} [{100 * boots[25]:+.1f}, {100 * boots[974]:+.1f}] | "
              f"{n / spent:.1f}x |")
