"""Probe of the PRM on one-digit slips: 40 level 1-3 validation questions, the right first step vs
the same step with a slipped result (arith.wrong_value). Prints how often the right step scores higher,
then every case. usage: python3 models/tools/prm_slips.py [prm.pt]"""
import sys, random
sys.path.insert(0, __import__("os").path.dirname(__file__))
import torch, arith
torch.set_num_threads(1)
prm, _ = arith.load_ckpt(sys.argv[1] if len(sys.argv) > 1 else "/tmp/reckon-train/prm.pt")
def score(q, lines):
    p = arith.prompt(q); t = p; ends = []
    for l in lines:
        t += l + "\n"; ends.append(len(t) - 1)
    ids = torch.tensor([arith.encode(t)])
    with torch.no_grad(): s = prm.prm_scores(ids, torch.ones_like(ids))[0]
    return [float(s[e]) for e in ends]
rng = random.Random(7)
rows = [r for r in arith.read_jsonl(__import__("os").path.join(__import__("os").path.dirname(__file__), "..", "..", "data", "arith", "validation.jsonl")) if r["level"] <= 3]
rng.shuffle(rows)
wins = 0; n = 0; out = []
for r in rows[:40]:
    q = r["question"]; steps, ans = arith.solve_steps(q)
    right = [arith.step_line(s) for s in steps] + [f"A: {ans}"]
    a, op, b, c = steps[0]
    bad = arith.wrong_value(rng, c)
    wrong = [f"{a}{op}{b}={bad}"]
    sr, sw = score(q, right)[0], score(q, wrong)[0]
    n += 1; wins += sr > sw
    out.append((q, right[0], wrong[0], round(sr, 3), round(sw, 3)))
print(wins, n)
for o in out: print(o)
