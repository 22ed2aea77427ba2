"""Trains a policy model (fresh solutions + revisions) with a fixed seed and step count."""
import argparse
import json
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
ap.add_argument("--out", required=True)
ap.add_argument("--layers", type=int, default=3)
ap.add_argument("--heads", type=int, default=4)
ap.add_argument("--hidden", type=int, default=128)
ap.add_argument("--max-positions", type=int, default=768)
ap.add_argument("--steps", type=int, default=2000)
ap.add_argument("--batch-tokens", type=int, default=8192)
ap.add_argument("--lr", type=float, default=2e-3)
ap.add_argument("--revision-frac", type=float, default=0.25)
ap.add_argument("--seed", type=int, default=1)
ap.add_argument("--threads", type=int, default=1)
ap.add_argument("--ckpt-every", type=int, default=200)
ap.add_argument("--level-weights", default=None, help="comma separated weights of levels 1-6 (default uniform)")
ap.add_argument("--level-table", choices=["v1", "v0"], default="v1", help="v0: the harder level table of stages 1-2")
ap.add_argument("--init", default=None, help="start from this checkpoint's weights (fresh optimizer)")
ap.add_argument("--stop-at", type=int, default=0, help="stop after this many steps (schedule still spans --steps)")
ap.add_argument("--minutes", type=float, default=0.0, help="if > 0: the schedule follows wall time instead of --steps")
args = ap.parse_args()

# Data parallel over processes (see arith.init_data_parallel): only rank 0 logs and saves.
WORLD, RANK = arith.init_data_parallel()
if WORLD > 1:
    import torch.distributed as dist
torch.manual_seed(args.seed)
torch.set_num_threads(args.threads)
rng = random.Random(args.seed + 1000 * RANK)
exclude = {r["question"] for s in ("validation", "test") for r in arith.read_jsonl(os.path.join(args.data, f"{s}.jsonl"))}
if args.level_table == "v0":
    # stages 1-2 excluded the held-out splits of the v0 table (the current splits in turn exclude
    # every question those stages drew, see gen_data.py)
    from gen_data import make_split  # noqa: E402
    exclude = set()
    make_split("val", 100, 1001, exclude, arith.LEVELS_V0)
    make_split("test", 200, 2002, exclude, arith.LEVELS_V0)
stream = train_stream(args.seed * 7919 + 104729 * RANK, exclude,
                      [float(x) for x in args.level_weights.split(",")] if args.level_weights else None,
                      arith.LEVELS_V0 if args.level_table == "v0" else None)

model = arith.GPT(args.layers, args.heads, args.hidden, args.max_positions)
prev_tokens = 0
if args.init:
    init, iextra = arith.load_ckpt(args.init)
    model.load_state_dict(init.state_dict())
    model.train()
    prev_tokens = int(iextra.get("training_tokens", 0))
carried = {k: iextra[k] for k in ("widened_from",) if args.init and k in iextra}
print(f"params {model.n_params()}", flush=True)
net = model
if WORLD > 1:
    from torch.nn.parallel import DistributedDataParallel
    net = DistributedDataParallel(model)
opt = torch.optim.AdamW(model.parameters(), lr=args.lr, betas=(0.9, 0.98), weight_decay=0.01)


def example():
    return arith.policy_example(rng, next(stream)[0], args.revision_frac)


pool = []


def next_batch():
    global pool
    if not pool:
        exs = [example() for _ in range(2048)]
        exs.sort(key=lambda e: len(e[0]))
        batches, cur = [], []
        for e in exs:
            if cur and (len(cur) + 1) * len(e[0]) > args.batch_tokens:
                batches.append(cur)
                cur = []
            cur.append(e)
        if cur:
            batches.append(cur)
        rng.shuffle(batches)
        pool = batches
    b = pool.pop()
    L = max(len(e[0]) for e in b)
    ids = torch.full((len(b), L), arith.PAD, dtype=torch.long)
    tgt = torch.full((len(b), L), -100, dtype=torch.long)
    for i, (t, np_) in enumerate(b):
        ids[i, :len(t)] = torch.tensor(t)
        tgt[i, np_ - 1:len(t) - 1] = torch.tensor(t[np_:])
    mask = (ids != arith.PAD).long()
    return ids, mask, tgt, int(mask.sum())


mine = 0  # this rank's tokens: x WORLD for the log and intermediate checkpoints, summed over ranks at the end
t0 = time.time()
warm = 100
ema = None
step = 0
while True:
    step += 1
    prog = (time.time() - t0) / (args.minutes * 60) if args.minutes > 0 else (step - 1) / args.steps
    if WORLD > 1:  # every rank must take the same step count, so they follow the slowest clock
        pt = torch.tensor([prog])
        dist.all_reduce(pt, op=dist.ReduceOp.MAX)
        prog = float(pt[0])
    if prog >= 1 or (args.stop_at and step > args.stop_at):
        step -= 1
        break
    lr = args.lr * min(1.0, step / warm) * (0.5 * (1 + math.cos(math.pi * prog)) * 0.95 + 0.05)
    for g in opt.param_groups:
        g["lr"] = lr
    ids, mask, tgt, ntok = next_batch()
    mine += ntok
    pos = torch.arange(ids.shape[1]).unsqueeze(0).expand_as(ids)
    logits, _ = net(ids, mask, pos)
    loss = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), tgt.reshape(-1), ignore_index=-100)
    opt.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    ema = loss.item() if ema is None else 0.98 * ema + 0.02 * loss.item()
    if RANK != 0:
        continue
    if step % 50 == 0 or step == 1:
        el = time.time() - t0
        print(f"step {step} prog {prog:.3f} loss {ema:.4f} lr {lr:.2e} tokens {prev_tokens + mine * WORLD} {el:.0f}s ({el / step:.2f}s/step)", flush=True)
    if step % args.ckpt_every == 0:
        arith.save_ckpt(args.out, model, {"training_tokens": prev_tokens + mine * WORLD, "steps": step, "seconds": time.time() - t0,
                                          "args": vars(args), **carried})
if WORLD > 1:
    mt = torch.tensor([mine], dtype=torch.long)
    dist.all_reduce(mt)
    mine = int(mt[0])
tokens = prev_tokens + mine
if RANK == 0:
    arith.save_ckpt(args.out, model, {"training_tokens": tokens, "steps": step, "seconds": time.time() - t0,
                                      "world": WORLD, "args": vars(args), **carried})
print(f"done tokens {tokens} seconds {time.time() - t0:.0f}", flush=True)
