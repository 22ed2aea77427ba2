"""Trains the PRM: samples solutions from the small policy on training questions (labels per
arith.step_labels), adds perturbed and gold solutions, and fine-tunes a causal transformer
(initialised from the small policy) with a per-step sigmoid head."""
import argparse
import math
import os
import random
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(__file__))
import arith  # noqa: E402
from gen_data import train_stream  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("--data", required=True)
ap.add_argument("--policy", required=True)
ap.add_argument("--out", required=True)
ap.add_argument("--samples-cache", required=True)
ap.add_argument("--questions", type=int, default=2400)
ap.add_argument("--per-question", type=int, default=8)
ap.add_argument("--steps", type=int, default=1500)
ap.add_argument("--minutes", type=float, default=0.0)
ap.add_argument("--batch-tokens", type=int, default=4096)
ap.add_argument("--lr", type=float, default=1e-3)
ap.add_argument("--seed", type=int, default=3)
ap.add_argument("--threads", type=int, default=1)
args = ap.parse_args()
torch.manual_seed(args.seed)
torch.set_num_threads(args.threads)
rng = random.Random(args.seed)
exclude = {r["question"] for s in ("validation", "test") for r in arith.read_jsonl(os.path.join(args.data, f"{s}.jsonl"))}
policy, pextra = arith.load_ckpt(args.policy)

t0 = time.time()
if os.path.exists(args.samples_cache):
    rows = arith.read_jsonl(args.samples_cache)
else:
    stream = train_stream(args.seed * 104729, exclude)
    qs = [next(stream)[0] for _ in range(args.questions)]
    qs.sort(key=len)
    rows = []
    B = 256
    flat = [q for q in qs for _ in range(args.per_question)]
    for i in range(0, len(flat), B):
        chunk = flat[i:i + B]
        outs = arith.generate(policy, [arith.prompt(q) for q in chunk], temperature=0.8, seed=args.seed + i)
        rows += [{"question": q, "completion": c, "src": "policy"} for q, c in zip(chunk, outs)]
        if (i // B) % 10 == 0:
            print(f"sampled {len(rows)}/{len(flat)} {time.time() - t0:.0f}s", flush=True)
    arith.write_jsonl(args.samples_cache, rows)
print(f"policy samples {len(rows)} ({time.time() - t0:.0f}s)", flush=True)
# perturbed and gold solutions on fresh training questions
stream = train_stream(args.seed * 1299709, exclude)
extra = []
for _ in range(len(rows) // 3):
    q, _ = next(stream)
    extra.append({"question": q, "completion": arith.corrupt_solution(rng, q)[0], "src": "perturbed"})
for _ in range(len(rows) // 10):
    q, _ = next(stream)
    extra.append({"question": q, "completion": arith.gold_solution(q), "src": "gold"})
rows = rows + extra

examples = []
npos = nneg = 0
for r in rows:
    p = arith.prompt(r["question"])
    labs = arith.step_labels(r["question"], r["completion"])
    if not labs:
        continue
    ids = arith.encode(p + r["completion"][:labs[-1][0] + 1])
    lab = [(len(p) + e, float(v)) for e, v in labs]
    npos += sum(v for _, v in lab)
    nneg += sum(1 - v for _, v in lab)
    examples.append((ids, lab))
print(f"examples {len(examples)} step labels pos {npos:.0f} neg {nneg:.0f}", flush=True)

model = arith.GPT(policy.cfg["layers"], policy.cfg["heads"], policy.cfg["hidden"], policy.cfg["max_positions"], prm=True)
missing = model.load_state_dict(policy.state_dict(), strict=False)
model.train()
opt = torch.optim.AdamW(model.parameters(), lr=args.lr, betas=(0.9, 0.98), weight_decay=0.01)


def batches():
    while True:
        ex = examples[:]
        rng.shuffle(ex)
        for j in range(0, len(ex), 2048):
            part = sorted(ex[j:j + 2048], key=lambda e: len(e[0]))
            bs, cur = [], []
            for e in part:
                if cur and (len(cur) + 1) * len(e[0]) > args.batch_tokens:
                    bs.append(cur)
                    cur = []
                cur.append(e)
            if cur:
                bs.append(cur)
            rng.shuffle(bs)
            yield from bs


it = batches()
t1 = time.time()
tokens = 0
step = 0
ema = None
while True:
    step += 1
    prog = (time.time() - t1) / (args.minutes * 60) if args.minutes > 0 else (step - 1) / args.steps
    if prog >= 1:
        step -= 1
        break
    lr = args.lr * min(1.0, step / 50) * (0.5 * (1 + math.cos(math.pi * prog)) * 0.95 + 0.05)
    for g in opt.param_groups:
        g["lr"] = lr
    b = next(it)
    L = max(len(e[0]) for e in b)
    ids = torch.full((len(b), L), arith.PAD, dtype=torch.long)
    w = torch.zeros((len(b), L))
    y = torch.zeros((len(b), L))
    for i, (t, lab) in enumerate(b):
        ids[i, :len(t)] = torch.tensor(t)
        for p_, v in lab:
            w[i, p_] = 1.0
            y[i, p_] = v
    mask = (ids != arith.PAD).long()
    tokens += int(mask.sum())
    logit = model.prm_logits(ids, mask)
    loss = (torch.nn.functional.binary_cross_entropy_with_logits(logit, y, reduction="none") * w).sum() / w.sum()
    opt.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    ema = loss.item() if ema is None else 0.98 * ema + 0.02 * loss.item()
    if step % 50 == 0:
        print(f"step {step} prog {prog:.3f} loss {ema:.4f} lr {lr:.2e} {time.time() - t1:.0f}s", flush=True)
    if step % 200 == 0:
        arith.save_ckpt(args.out, model, {"training_tokens": tokens, "steps": step})
arith.save_ckpt(args.out, model, {"training_tokens": tokens, "steps": step, "seconds": time.time() - t1,
                                  "policy_training_tokens": pextra.get("training_tokens", 0),
                                  "examples": len(examples), "pos": npos, "neg": nneg, "args": vars(args)})
print(f"done steps {step} tokens {tokens} {time.time() - t0:.0f}s", flush=True)
