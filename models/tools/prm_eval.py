"""Compares PRM checkpoints on the numbers issue 14 targets, all on the same held-out data:

* step-level ROC AUC on the policy's own samples (T=0.8, seeded, cached) at levels 1-5, overall
  and per level, and PRM-weighted best-of-n vs majority of n on those samples;
* contrastive steps at levels 1-4: the canonical prefix followed by the right next line vs the same
  line with one slipped result digit ('digit', the issue's "one-digit slip"), an operand slip, a
  swapped operator, or a slipped answer digit ('answer'); counts how often the right line scores
  higher (arith.contrastive_pair, its own seed);
* the v2 probe of tools/prm_slips.py (40 first steps of level 1-3 validation questions,
  arith.wrong_value), for continuity with the v2 model card's "21 of 40".

  python3 models/tools/prm_eval.py --policy small.pt --cache DIR --split test prm_v2.pt prm.pt
Writes one JSON object per checkpoint to stdout (and --out, if given).
"""
import argparse
import collections
import json
import os
import random
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(__file__))
import arith  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("ckpts", nargs="+")
ap.add_argument("--data", default=os.path.join(os.path.dirname(__file__), "..", "..", "data", "arith"))
ap.add_argument("--policy", required=True)
ap.add_argument("--cache", required=True)
ap.add_argument("--split", default="test")
ap.add_argument("--levels", default="1,2,3,4,5")
ap.add_argument("--per-level", type=int, default=30)
ap.add_argument("--n", type=int, default=8)
ap.add_argument("--pair-levels", default="1,2,3,4")
ap.add_argument("--pairs-per-level", type=int, default=40, help="per level and kind")
ap.add_argument("--threads", type=int, default=1)
ap.add_argument("--out", default=None)
args = ap.parse_args()
torch.set_num_threads(args.threads)
t0 = time.time()
levels = [int(x) for x in args.levels.split(",")]
rows_all = arith.read_jsonl(os.path.join(args.data, f"{args.split}.jsonl"))
rows = [r for lv in levels for r in [x for x in rows_all if x["level"] == lv][:args.per_level]]
os.makedirs(args.cache, exist_ok=True)
cache = os.path.join(args.cache, f"prm_eval_{args.split}_L{''.join(map(str, levels))}_pl{args.per_level}_n{args.n}.json")
if os.path.exists(cache):
    samples = json.load(open(cache))
else:
    policy, _ = arith.load_ckpt(args.policy)
    prompts = [arith.prompt(r["question"]) for r in rows]
    samples = [arith.generate(policy, prompts, temperature=0.8, seed=4242 + 1000 * k) for k in range(args.n)]
    json.dump(samples, open(cache, "w"))
print(f"[{time.time() - t0:.0f}s] {len(rows)} questions x {args.n} samples", file=sys.stderr, flush=True)


def score_texts(prm, texts, positions, B=64):
    """PRM scores at the given positions of each text (right-padded batches)."""
    out = [None] * len(texts)
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    for j in range(0, len(order), B):
        idx = order[j:j + B]
        sc = arith.prm_scores_padded(prm, [arith.encode(texts[i]) for i in idx])
        for b, i in enumerate(idx):
            out[i] = [float(sc[b, p]) for p in positions[i]]
    return out


def evaluate(path):
    prm, extra = arith.load_ckpt(path)
    res = {"ckpt": path, "parameters": prm.n_params(), "feature": prm.cfg.get("prm_feature")}
    # 1. step AUC on the policy's samples
    texts, pos, labs, meta = [], [], [], []
    for k in range(args.n):
        for i, r in enumerate(rows):
            c = samples[k][i]
            lb = arith.step_labels(r["question"], c)
            if not lb:
                continue
            p = arith.prompt(r["question"])
            texts.append(p + c[:lb[-1][0] + 1])
            pos.append([len(p) + e for e, _ in lb])
            labs.append([v for _, v in lb])
            meta.append((i, k))
    sc = score_texts(prm, texts, pos)
    by_level = collections.defaultdict(lambda: ([], []))
    final = {}
    for s, lb, (i, k) in zip(sc, labs, meta):
        lv = rows[i]["level"]
        for x, v in zip(s, lb):
            by_level[lv][0 if v else 1].append(x)
        final[(i, k)] = s[-1]
    allp = [x for lv in levels for x in by_level[lv][0]]
    alln = [x for lv in levels for x in by_level[lv][1]]
    res["step_auc"] = round(arith.auc(allp, alln), 4)
    res["steps_right"], res["steps_wrong"] = len(allp), len(alln)
    res["step_auc_by_level"] = {str(lv): round(arith.auc(*by_level[lv]), 4) for lv in levels}
    # weighted best-of-n (sum of final scores per answer) vs majority
    wb, mj = collections.Counter(), collections.Counter()
    for i, r in enumerate(rows):
        tot, cnt = collections.defaultdict(float), collections.Counter()
        for k in range(args.n):
            a = arith.extract_answer(samples[k][i])
            if a is None:
                continue
            cnt[a] += 1
            tot[a] += final.get((i, k), 0.0)
        wb[r["level"]] += bool(tot) and max(tot, key=tot.get) == r["answer"]
        mj[r["level"]] += bool(cnt) and cnt.most_common(1)[0][0] == r["answer"]
    nper = {lv: sum(r["level"] == lv for r in rows) for lv in levels}
    res[f"weighted_best_of_{args.n}"] = {str(lv): round(100.0 * wb[lv] / nper[lv], 1) for lv in levels}
    res[f"majority_of_{args.n}"] = {str(lv): round(100.0 * mj[lv] / nper[lv], 1) for lv in levels}
    # 2. contrastive steps at levels 1-4, by kind
    rng = random.Random(99)
    val = arith.read_jsonl(os.path.join(args.data, "validation.jsonl")) if args.split == "test" else rows_all
    pair_rows = [r for r in rows_all if r["level"] in [int(x) for x in args.pair_levels.split(",")]]
    pr_texts, pr_pos, pr_kind = [], [], []
    for kind in arith.SLIP_KINDS:
        for lv in [int(x) for x in args.pair_levels.split(",")]:
            cand = [r for r in pair_rows if r["level"] == lv][:args.pairs_per_level]
            for r in cand:
                right, wrong, _ = arith.contrastive_pair(rng, r["question"], kind)
                p = arith.prompt(r["question"])
                for t in (right, wrong):
                    pr_texts.append(p + t)
                    pr_pos.append([len(p) + len(t) - 1])
                pr_kind.append((kind, lv))
    psc = score_texts(prm, pr_texts, pr_pos)
    wins = collections.Counter()
    tot = collections.Counter()
    for j, (kind, lv) in enumerate(pr_kind):
        tot[kind] += 1
        wins[kind] += psc[2 * j][0] > psc[2 * j + 1][0]
    res["pairs_right_preferred"] = {k: f"{wins[k]}/{tot[k]}" for k in arith.SLIP_KINDS}
    res["pairs_right_preferred_pct"] = {k: round(100.0 * wins[k] / tot[k], 1) for k in arith.SLIP_KINDS}
    # 3. the v2 probe (tools/prm_slips.py): first steps of 40 level 1-3 validation questions
    rng = random.Random(7)
    vr = [r for r in val if r["level"] <= 3]
    rng.shuffle(vr)
    v_texts, v_pos = [], []
    for r in vr[:40]:
        a, op, b, c = arith.solve_steps(r["question"])[0][0]
        p = arith.prompt(r["question"])
        for line in (f"{a}{op}{b}={c}", f"{a}{op}{b}={arith.wrong_value(rng, c)}"):
            v_texts.append(p + line + "\n")
            v_pos.append([len(p) + len(line)])
    vsc = score_texts(prm, v_texts, v_pos)
    res["v2_probe_first_step_slips"] = f"{sum(vsc[2 * j][0] > vsc[2 * j + 1][0] for j in range(40))}/40"
    res["seconds"] = round(time.time() - t0, 1)
    return res


results = [evaluate(p) for p in args.ckpts]
for r in results:
    print(json.dumps(r))
if args.out:
    json.dump(results, open(args.out, "w"), indent=1)
