"""Probe of the PRM on one-digit slips: 40 level 1-3 validation questions, the right first step vs
the same step with a slipped result (arith.wrong_value). Prints how often the right step scores higher,
then every case. usage: python3 models/tools/prm_slips.py [prm.pt]"""
import os
import random
import sys

import torch

sys.path.insert(0, os.path.dirname(__file__))
import arith  # noqa: E402

torch.set_num_threads(1)
prm, _ = arith.load_ckpt(sys.argv[1] if len(sys.argv) > 1 else "/tmp/reckon-train/prm.pt")


def first_step_score(question, step):
    """The PRM's score at the '\n' that ends the first step (the model is causal: later lines
    would not change it)."""
    ids = torch.tensor([arith.encode(arith.prompt(question) + step + "\n")])
    with torch.no_grad():
        return float(prm.prm_scores(ids, torch.ones_like(ids))[0, -1])


rng = random.Random(7)
rows = [r for r in arith.read_jsonl(os.path.join(os.path.dirname(__file__), "..", "..", "data", "arith", "validation.jsonl"))
        if r["level"] <= 3]
rng.shuffle(rows)
out = []
for r in rows[:40]:
    q = r["question"]
    a, op, b, c = arith.solve_steps(q)[0][0]
    right, wrong = f"{a}{op}{b}={c}", f"{a}{op}{b}={arith.wrong_value(rng, c)}"
    out.append((q, right, wrong, round(first_step_score(q, right), 3), round(first_step_score(q, wrong), 3)))
print(sum(o[3] > o[4] for o in out), len(out))
for o in out:
    print(o)
