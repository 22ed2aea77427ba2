"""Measures the quality numbers on the test split (PyTorch, seeded) -> metrics JSON."""
import argparse
import collections
import json
import os
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(__file__))
import arith  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("--data", required=True)
ap.add_argument("--small", required=True)
ap.add_argument("--large", required=True)
ap.add_argument("--prm", required=True)
ap.add_argument("--out", required=True)
ap.add_argument("--cache", required=True, help="folder for sample caches")
ap.add_argument("--n", type=int, default=16)
ap.add_argument("--split", default="test")
ap.add_argument("--threads", type=int, default=1)
ap.add_argument("--only", default="all", help="all | small | prm | large (comma separated)")
ap.add_argument("--per-level", type=int, default=0, help="if > 0: only the first N questions of each level")
args = ap.parse_args()
torch.set_num_threads(args.threads)
os.makedirs(args.cache, exist_ok=True)
rows = arith.read_jsonl(os.path.join(args.data, f"{args.split}.jsonl"))
if args.per_level > 0:
    rows = [r for lv in sorted({r["level"] for r in rows}) for r in [x for x in rows if x["level"] == lv][:args.per_level]]
parts = set(args.only.split(",")) if args.only != "all" else {"small", "prm", "large"}
tag = f"{args.split}{'' if args.per_level <= 0 else f'_pl{args.per_level}'}"
levels = sorted({r["level"] for r in rows})
T = 0.8
t0 = time.time()
metrics = json.load(open(args.out)) if os.path.exists(args.out) else {}


def log(*a):
    print(f"[{time.time() - t0:.0f}s]", *a, flush=True)


def cached(name, fn):
    p = os.path.join(args.cache, name + ".json")
    if os.path.exists(p):
        return json.load(open(p))
    v = fn()
    json.dump(v, open(p, "w"))
    return v


def gen_all(model, prompts, greedy=False, seed=0, B=256):
    order = sorted(range(len(prompts)), key=lambda i: len(prompts[i]))
    res = [None] * len(prompts)
    for j in range(0, len(order), B):
        idx = order[j:j + B]
        outs = arith.generate(model, [prompts[i] for i in idx], temperature=T, greedy=greedy, seed=seed + j)
        for i, o in zip(idx, outs):
            res[i] = o
    return res


def right(r, completion):
    return arith.extract_answer(completion) == r["answer"]


def per_level(vals):
    out = {}
    for lv in levels:
        xs = [v for r, v in zip(rows, vals) if r["level"] == lv]
        out[str(lv)] = round(100.0 * sum(xs) / max(1, len(xs)), 1)
    out["all"] = round(100.0 * sum(vals) / max(1, len(vals)), 1)
    return out


small, sx = arith.load_ckpt(args.small)
prompts = [arith.prompt(r["question"]) for r in rows]

def small_samples():
    return cached(f"{tag}_small_T08_n{args.n}", lambda: [gen_all(small, prompts, seed=1000 * k) for k in range(args.n)])


def majority(samples):
    maj = []
    for i, r in enumerate(rows):
        cnt = collections.Counter(a for a in (arith.extract_answer(samples[k][i]) for k in range(args.n)) if a is not None)
        maj.append(bool(cnt) and cnt.most_common(1)[0][0] == r["answer"])
    return maj


if "small" in parts:
    samples = small_samples()
    log("small samples done")
    corr = [[right(r, samples[k][i]) for k in range(args.n)] for i, r in enumerate(rows)]
    pass1 = per_level([sum(c) / len(c) for c in corr])
    passn = per_level([any(c) for c in corr])
    maj = majority(samples)
    greedy_small = cached(f"{tag}_small_greedy", lambda: gen_all(small, prompts, greedy=True))
    # revision: attempt 0 is the first sample; revise it, compare with a fresh second sample
    rev_prompts = [arith.prompt(r["question"], [samples[0][i]]) for i, r in enumerate(rows)]
    revised = cached(f"{tag}_small_revision1", lambda: gen_all(small, rev_prompts, seed=77))
    rev = {}
    for lv in levels:
        idx = [i for i, r in enumerate(rows) if r["level"] == lv and not corr[i][0]]
        if not idx:
            continue
        rev[str(lv)] = {
            "first_wrong": len(idx),
            "revision_right_pct": round(100.0 * sum(right(rows[i], revised[i]) for i in idx) / len(idx), 1),
            "fresh_second_sample_right_pct": round(100.0 * sum(corr[i][1] for i in idx) / len(idx), 1),
            "fresh_mean_sample_right_pct": round(100.0 * sum(sum(corr[i][1:]) / (args.n - 1) for i in idx) / len(idx), 1),
        }
    rev_all = per_level([right(r, revised[i]) for i, r in enumerate(rows)])
    metrics["small"] = {"pass@1_T0.8": pass1, f"pass@{args.n}_T0.8": passn, f"majority@{args.n}": per_level(maj),
                        "greedy_pass@1": per_level([right(r, g) for r, g in zip(rows, greedy_small)]),
                        "revision_after_wrong_first_attempt": rev,
                        "revision_all_questions_pass@1": rev_all}
    log("small", json.dumps(metrics["small"]))

if "prm" in parts:
    if True:
        samples = small_samples()
        maj = majority(samples)
        prm, _ = arith.load_ckpt(args.prm)
        # score every sample: per-step scores and labels
        flat = [(i, k) for k in range(args.n) for i in range(len(rows))]
        step_pos, step_neg = [], []
        final = {}
        B = 128
        for j in range(0, len(flat), B):
            part = flat[j:j + B]
            texts, labs = [], []
            for (i, k) in part:
                p = arith.prompt(rows[i]["question"])
                c = samples[k][i]
                lb = arith.step_labels(rows[i]["question"], c)
                texts.append(p + (c[:lb[-1][0] + 1] if lb else c))
                labs.append([(len(p) + e, v) for e, v in lb])
            enc = [arith.encode(t)[:small.cfg["max_positions"]] for t in texts]
            L = max(len(e) for e in enc)
            sc = arith.prm_scores_padded(prm, enc)
            for b, (i, k) in enumerate(part):
                lb = [(p_, v) for p_, v in labs[b] if p_ < L]
                for p_, v in lb:
                    (step_pos if v else step_neg).append(float(sc[b, p_]))
                final[(i, k)] = float(sc[b, lb[-1][0]]) if lb else 0.0
        log("prm scored")
        wbon, naive = [], []
        for i, r in enumerate(rows):
            tot = collections.defaultdict(float)
            best, bests = None, -1
            for k in range(args.n):
                a = arith.extract_answer(samples[k][i])
                if a is None:
                    continue
                tot[a] += final[(i, k)]
                if final[(i, k)] > bests:
                    best, bests = a, final[(i, k)]
            wbon.append(bool(tot) and max(tot, key=tot.get) == r["answer"])
            naive.append(best == r["answer"])
        metrics["prm"] = {"step_auc": round(arith.auc(step_pos, step_neg), 4), "steps_right": len(step_pos), "steps_wrong": len(step_neg),
                          f"weighted_best_of_{args.n}": per_level(wbon), f"naive_best_of_{args.n}": per_level(naive),
                          f"majority_of_{args.n}": per_level(maj)}
        log("prm", json.dumps(metrics["prm"]))

if "large" in parts:
    large, _ = arith.load_ckpt(args.large)
    greedy_large = cached(f"{tag}_large_greedy", lambda: gen_all(large, prompts, greedy=True))
    sample_large = cached(f"{tag}_large_T08", lambda: gen_all(large, prompts, seed=5))
    metrics["large"] = {"greedy_pass@1": per_level([right(r, g) for r, g in zip(rows, greedy_large)]),
                        "pass@1_T0.8_one_sample": per_level([right(r, g) for r, g in zip(rows, sample_large)])}
    log("large", json.dumps(metrics["large"]))

metrics.setdefault("eval", {})[",".join(sorted(parts))] = {"split": args.split, "questions": len(rows), "per_level": args.per_level,
                                                       "samples_per_question": args.n, "temperature": T}
json.dump(metrics, open(args.out, "w"), indent=1)
log("wrote", args.out)
