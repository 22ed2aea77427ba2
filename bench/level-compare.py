#!/usr/bin/env python3
"""Per level of a sweep: one configuration against another at one budget, with a paired 95 %
bootstrap interval over questions (seeded). Reads the sweep.json that `reckon sweep --sweep-out`
writes (the report's test-sweep.json).

usage: bench/level-compare.py SWEEP.json [A] [B] [BUDGET]
  defaults: A = best-of-n:sel=weighted,agg=last, B = best-of-n:sel=majority,agg=last, BUDGET = 16
"""
import json
import random
import sys

path = sys.argv[1]
a = sys.argv[2] if len(sys.argv) > 2 else "best-of-n:sel=weighted,agg=last"
b = sys.argv[3] if len(sys.argv) > 3 else "best-of-n:sel=majority,agg=last"
budget = int(sys.argv[4]) if len(sys.argv) > 4 else 16
s = json.load(open(path))
grid, budgets = s["settings"]["grid"], s["settings"]["budgets"]
ia, ib, j = grid.index(a), grid.index(b), budgets.index(budget)
rng = random.Random(0)
print(f"{a} minus {b} at {budget} generations, by level (points, paired bootstrap over questions)")
print("| level | questions | A % | B % | A - B (points) |")
print("|---|---|---|---|---|")
for level in sorted(set(s["levels"])):
    qs = [q for q, lv in enumerate(s["levels"]) if lv == level
          and s["correct"][q][ia][j] is not None and s["correct"][q][ib][j] is not None]
    xa = [s["correct"][q][ia][j] for q in qs]
    xb = [s["correct"][q][ib][j] for q in qs]
    d = [x - y for x, y in zip(xa, xb)]
    boots = sorted(sum(d[rng.randrange(len(d))] for _ in d) / len(d) for _ in range(1000))
    mean = lambda xs: 100 * sum(xs) / len(xs)
    print(f"| {level} | {len(qs)} | {mean(xa):.1f} | {mean(xb):.1f} | {mean(d):+.1f} "
          f"[{100 * boots[25]:+.1f}, {100 * boots[974]:+.1f}] |")
