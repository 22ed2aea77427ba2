"""One script, at most ten minutes on one CUDA GPU: trains what 2 CPU cores cannot, and writes the
ONNX model folders into OUT.

  /usr/bin/python3 models/tools/train_gpu.py --device cuda --out /tmp/gpu-models
  /usr/bin/python3 models/tools/train_gpu.py --device cpu --smoke --out /tmp/gpu-smoke   # CPU check, ~2 min

Stages (wall-clock budgets in brackets, all set by flags):
1. the small policy is rebuilt from the shipped models/arith-policy ONNX (tools/onnx_to_ckpt.py);
   it is the policy the PRM judges, and it is not retrained here;
2. arith-policy-large [--large-minutes 4.5] from scratch: 6 layers, 8 heads, hidden 256 (~10x the
   small policy's parameters), the small policy's stage-4 data mix (level weights 3,3,2,1.5,1,1,
   a quarter revision prompts), bf16 autocast; example generation runs in --workers processes.
   The token target is at least the small policy's training tokens (from its config.json) and at
   most --large-max-token-ratio x that; after --probe-steps the script measures its throughput and
   sets the target (and so the cosine schedule) to what fits the budget. If even the small
   policy's tokens do not fit, it trains to them anyway and says by how much it ran over;
3. arith-prm [--prm-minutes 2.5], the v3 recipe (tools/train_prm.py): --prm-questions x 8 samples
   of the small policy at T=0.8, hard step labels, contrastive slip pairs, LM loss, the LM-surprise
   feature; initialised from the new large policy (a PRM larger than the policy: its FLOPs are
   counted, its training_tokens include the large policy's);
4. export (tools/export_onnx.py, opset 14) into OUT/arith-policy, OUT/arith-policy-large,
   OUT/arith-prm, checkpoints into OUT/ckpt (small.pt, large.pt, prm.pt: what models/check.py
   --ckpts compares the ONNX files with), then a short evaluation on the device (greedy accuracy of
   both policies on the test split, the PRM's step AUC and slip pairs via tools/prm_eval.py) into
   OUT/gpu_metrics.json and minimal model cards. Copy the folders into models/ only after
   `models/check.py --models-dir OUT --ckpts OUT/ckpt --ort-jar ...` passes and the full
   evaluation (evaluate.py, write_cards.py) has rewritten the cards.

Untested on CUDA so far (written on a machine without a GPU; the --smoke run on CPU exercises
every stage at a tiny scale). PyTorch >= 1.13 (Debian) and 2.x both work: nothing here needs more.
"""
import argparse
import collections
import json
import math
import multiprocessing as mp
import os
import random
import subprocess
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import arith  # noqa: E402
import onnx_to_ckpt  # noqa: E402
import train_prm  # noqa: E402
from gen_data import train_stream  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(HERE))

ap = argparse.ArgumentParser()
ap.add_argument("--out", required=True)
ap.add_argument("--device", default="cuda")
ap.add_argument("--smoke", action="store_true", help="tiny sizes and budgets: checks every stage on CPU in ~2 minutes")
ap.add_argument("--data", default=os.path.join(ROOT, "data", "arith"))
ap.add_argument("--small-dir", default=os.path.join(ROOT, "models", "arith-policy"))
ap.add_argument("--large-layers", type=int, default=6)
ap.add_argument("--large-heads", type=int, default=8)
ap.add_argument("--large-hidden", type=int, default=256)
ap.add_argument("--large-minutes", type=float, default=4.5)
ap.add_argument("--large-max-token-ratio", type=float, default=3.0)
ap.add_argument("--large-batch-tokens", type=int, default=32768)
ap.add_argument("--large-lr", type=float, default=1.5e-3)
ap.add_argument("--probe-steps", type=int, default=60)
ap.add_argument("--workers", type=int, default=max(1, min(12, (os.cpu_count() or 2) - 2)))
ap.add_argument("--prm-minutes", type=float, default=2.5)
ap.add_argument("--prm-questions", type=int, default=8000)
ap.add_argument("--prm-batch-tokens", type=int, default=32768)
ap.add_argument("--prm-lr", type=float, default=5e-4)
ap.add_argument("--prm-init", choices=["large", "small"], default="large")
ap.add_argument("--seed", type=int, default=23)
args = ap.parse_args()
if args.smoke:
    args.large_layers, args.large_heads, args.large_hidden = 2, 4, 64
    args.large_minutes, args.prm_minutes, args.probe_steps = 0.5, 0.4, 5
    args.large_batch_tokens, args.prm_batch_tokens, args.prm_questions = 2048, 2048, 48
    args.workers = min(args.workers, 2)
dev = torch.device(args.device)
if dev.type == "cuda":
    torch.backends.cuda.matmul.allow_tf32 = True
    torch.backends.cudnn.allow_tf32 = True
T0 = time.time()
CK = os.path.join(args.out, "ckpt")
os.makedirs(CK, exist_ok=True)
timings = {}


def log(msg):
    print(f"[{time.time() - T0:6.0f}s] {msg}", flush=True)


def autocast():
    return train_prm.autocast(dev.type == "cuda")


# ------------------------------------------------------------------ 1. small policy from ONNX
small, small_extra, _, small_cfg = onnx_to_ckpt.rebuild(args.small_dir)
arith.save_ckpt(os.path.join(CK, "small.pt"), small, small_extra)
small_tokens = int(small_cfg["training_tokens"])
small_params = small.n_params()
log(f"small policy rebuilt from {args.small_dir}: {small_params} parameters, {small_tokens} training tokens")

# ------------------------------------------------------------------ 2. large policy from scratch
EXCLUDE = train_prm.held_out(args.data)
LEVEL_WEIGHTS = [3, 3, 2, 1.5, 1, 1]


def batch_worker(job):
    """Builds `n` padded batches of about `bt` tokens (ids, targets) for one worker seed."""
    seed, n, bt = job
    rng = random.Random(seed)
    stream = train_stream(seed * 7919 + 5, EXCLUDE, LEVEL_WEIGHTS)
    out = []
    while len(out) < n:
        exs = sorted((arith.policy_example(rng, next(stream)[0], 0.25) for _ in range(max(64, bt // 24))), key=lambda e: len(e[0]))
        cur = []
        for e in exs:
            if cur and (len(cur) + 1) * len(e[0]) > bt:
                out.append(cur)
                cur = []
            cur.append(e)
        if cur:
            out.append(cur)
    res = []
    for b in out[:n]:  # numpy, not tensors: plain pickling, no shared-memory file handles
        L = max(len(e[0]) for e in b)
        ids = np.full((len(b), L), arith.PAD, dtype=np.int64)
        tgt = np.full((len(b), L), -100, dtype=np.int64)
        for i, (t, np_) in enumerate(b):
            ids[i, :len(t)] = t
            tgt[i, np_ - 1:len(t) - 1] = t[np_:]
        res.append((ids, tgt))
    random.Random(seed + 1).shuffle(res)
    return res


def batches(pool):
    """Batches from the worker pool, a bounded number of jobs ahead (Pool.imap would drain an
    endless job list into its queue)."""
    pending = collections.deque()
    job = 0
    while True:
        while len(pending) < 2 * args.workers:
            pending.append(pool.apply_async(batch_worker, ((args.seed * 1000003 + job, 16, args.large_batch_tokens),)))
            job += 1
        for ids, tgt in pending.popleft().get():
            yield torch.from_numpy(ids), torch.from_numpy(tgt)


min_tokens = 30000 if args.smoke else small_tokens  # the issue: at least the small policy's tokens
budget = args.large_minutes * 60
target = min_tokens * args.large_max_token_ratio
tokens, step, ema = 0, 0, None
# the workers fork before this process touches CUDA
with mp.get_context("fork").Pool(args.workers) as pool:
    t_large = time.time()
    large = arith.GPT(args.large_layers, args.large_heads, args.large_hidden, small.cfg["max_positions"]).to(dev)
    ratio = large.n_params() / small_params
    log(f"large policy: {large.n_params()} parameters ({ratio:.2f}x the small one)")
    opt = torch.optim.AdamW(large.parameters(), lr=args.large_lr, betas=(0.9, 0.98), weight_decay=0.01)
    it = batches(pool)
    while tokens < target:
        step += 1
        prog = min(1.0, tokens / target)
        lr = args.large_lr * min(1.0, step / 100) * (0.5 * (1 + math.cos(math.pi * prog)) * 0.95 + 0.05)
        for g in opt.param_groups:
            g["lr"] = lr
        ids, tgt = next(it)
        ids, tgt = ids.to(dev, non_blocking=True), tgt.to(dev, non_blocking=True)
        mask = (ids != arith.PAD).long()
        pos = torch.arange(ids.shape[1], device=dev).unsqueeze(0).expand_as(ids)
        with autocast():
            logits, _ = large(ids, mask, pos)
        loss = F.cross_entropy(logits.float().reshape(-1, logits.shape[-1]), tgt.reshape(-1), ignore_index=-100)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(large.parameters(), 1.0)
        opt.step()
        tokens += int(mask.sum())
        if step == args.probe_steps:
            # the throughput so far sets the token target (and so the schedule) to what fits
            el = time.time() - t_large
            fits = tokens / el * budget
            target = max(float(min_tokens), min(min_tokens * args.large_max_token_ratio, fits))
            log(f"probe: {tokens / el:.0f} tokens/s -> token target {target:.0f} "
                f"({target / small_tokens:.2f}x the small policy's; budget {budget:.0f}s)")
            if fits < min_tokens:
                log(f"WARNING: {min_tokens} tokens need ~{min_tokens / (tokens / el):.0f}s, "
                    f"over the {budget:.0f}s budget; training to them anyway")
        if step % 100 == 0 or step == 1:
            lv = loss.item()
            ema = lv if ema is None else 0.9 * ema + 0.1 * lv
            log(f"large step {step} loss {ema:.4f} lr {lr:.2e} tokens {tokens} ({tokens / max(1e-9, time.time() - t_large):.0f}/s)")
large.to("cpu").eval()
timings["large_seconds"] = round(time.time() - t_large, 1)
large_extra = {"training_tokens": tokens, "steps": step, "seconds": timings["large_seconds"], "from_scratch": True,
               "device": str(dev), "args": vars(args)}
arith.save_ckpt(os.path.join(CK, "large.pt"), large, large_extra)
log(f"large policy done: {step} steps, {tokens} tokens ({tokens / small_tokens:.2f}x the small policy's), "
    f"{timings['large_seconds']:.0f}s")

# ------------------------------------------------------------------ 3. PRM (v3 recipe)
t_prm = time.time()
prm_args = train_prm.parse_args([
    "--data", args.data, "--policy", os.path.join(CK, "small.pt"), "--out", os.path.join(CK, "prm.pt"),
    "--samples-cache", os.path.join(CK, "prm_samples.jsonl"), "--questions", str(args.prm_questions), "--per-question", "8",
    "--sample-level-weights", "1,1,1.25,1.25,1.25,0.75", "--sample-batch", "2048" if dev.type == "cuda" else "64",
    "--minutes", str(args.prm_minutes), "--batch-tokens", str(args.prm_batch_tokens), "--lr", str(args.prm_lr),
    "--warmup", "100" if not args.smoke else "5", "--seed", str(args.seed), "--device", args.device,
    "--feature", arith.PRM_FEATURE, "--pair-frac", "0.35", "--lm-weight", "0.5", "--rank-weight", "1", "--dedupe",
    "--ckpt-every", "100000", "--init", os.path.join(CK, f"{args.prm_init}.pt")])
small.to(dev)
samples = train_prm.draw_samples(small, prm_args.samples_cache, prm_args.questions, prm_args.per_question, prm_args.seed,
                                 EXCLUDE, [1, 1, 1.25, 1.25, 1.25, 0.75], prm_args.sample_batch, log)
small.to("cpu")
timings["prm_sampling_seconds"] = round(time.time() - t_prm, 1)
log(f"{len(samples)} policy samples in {timings['prm_sampling_seconds']:.0f}s")
examples = train_prm.Examples(samples, prm_args, EXCLUDE)
init, init_extra = arith.load_ckpt(prm_args.init)
prm = train_prm.new_prm(init, prm_args.feature)
base = init_extra.get("training_tokens", 0)
log(f"PRM: {prm.n_params()} parameters, initialised from the {args.prm_init} policy; {len(examples.singles)} rows, "
    f"{examples.n_pairs} pairs per epoch")
t_fit = time.time()
prm_extra = train_prm.train(prm, examples, prm_args, log, prev_tokens=base,
                            extra={"policy_training_tokens": base, "init": args.prm_init, "samples": len(samples), "device": str(dev)})
timings["prm_training_seconds"] = round(time.time() - t_fit, 1)
log(f"PRM done: {prm_extra['steps']} steps, {prm_extra['training_tokens']} tokens")

# ------------------------------------------------------------------ 4. export + short evaluation
t_exp = time.time()
EXPORT = os.path.join(HERE, "export_onnx.py")
for ck, name, kind in (("small.pt", "arith-policy", "causal-lm"), ("large.pt", "arith-policy-large", "causal-lm"),
                       ("prm.pt", "arith-prm", "prm")):
    subprocess.run([sys.executable, EXPORT, "--ckpt", os.path.join(CK, ck), "--outdir", os.path.join(args.out, name),
                    "--name", name, "--kind", kind], check=True)
timings["export_seconds"] = round(time.time() - t_exp, 1)


@torch.no_grad()
def greedy_accuracy(model, rows):
    model.to(dev).eval()
    right = {}
    for lv in sorted({r["level"] for r in rows}):
        part = [r for r in rows if r["level"] == lv]
        outs = arith.generate(model, [arith.prompt(r["question"]) for r in part], greedy=True)
        right[str(lv)] = round(100.0 * sum(arith.extract_answer(o) == r["answer"] for o, r in zip(outs, part)) / len(part), 1)
    model.to("cpu")
    return right


test = arith.read_jsonl(os.path.join(args.data, "test.jsonl"))
per = 10 if args.smoke else 200
rows = [r for lv in range(1, 7) for r in [x for x in test if x["level"] == lv][:per]]
metrics = {"greedy_small": greedy_accuracy(small, rows), "greedy_large": greedy_accuracy(large, rows),
           "test_questions_per_level": per}
pe = subprocess.run([sys.executable, os.path.join(HERE, "prm_eval.py"), "--data", args.data, "--policy", os.path.join(CK, "small.pt"),
                     "--cache", os.path.join(CK, "eval"), "--per-level", "5" if args.smoke else "30", "--n", "2" if args.smoke else "8",
                     "--pairs-per-level", "5" if args.smoke else "40", "--threads", str(max(1, (os.cpu_count() or 2) // 2)),
                     os.path.join(CK, "prm.pt")], check=True, capture_output=True, text=True)
metrics["prm"] = json.loads(pe.stdout.strip().splitlines()[-1])
timings["total_seconds"] = round(time.time() - T0, 1)
cfg_l = json.load(open(os.path.join(args.out, "arith-policy-large", "config.json")))
cfg_p = json.load(open(os.path.join(args.out, "arith-prm", "config.json")))
summary = {"device": str(dev) + (f" ({torch.cuda.get_device_name(0)})" if dev.type == "cuda" else ""), "torch": torch.__version__,
           "smoke": args.smoke, "timings": timings, "large_parameters": cfg_l["parameters"], "small_parameters": small_params,
           "parameter_ratio": round(ratio, 2), "large_training_tokens": cfg_l["training_tokens"], "small_training_tokens": small_tokens,
           "large_pretraining_flops": cfg_l["pretraining_flops"], "small_pretraining_flops": small_cfg.get("pretraining_flops"),
           "prm_parameters": cfg_p["parameters"], "prm_training_tokens": cfg_p["training_tokens"], "metrics": metrics}
json.dump(summary, open(os.path.join(args.out, "gpu_metrics.json"), "w"), indent=1)
for name, text in (("arith-policy", "The shipped small policy, re-exported from its own ONNX weights (not retrained)."),
                   ("arith-policy-large", f"Trained from scratch by tools/train_gpu.py on {summary['device']} in "
                                          f"{timings['large_seconds']:.0f} s: {cfg_l['parameters']:,} parameters, "
                                          f"{cfg_l['training_tokens']:,} tokens, pretraining FLOPs {cfg_l['pretraining_flops']:.3g}."),
                   ("arith-prm", f"PRM v3 (tools/train_prm.py) trained by tools/train_gpu.py on {summary['device']}: "
                                 f"{cfg_p['parameters']:,} parameters, initialised from the {args.prm_init} policy.")):
    with open(os.path.join(args.out, name, "MODEL_CARD.md"), "w") as f:
        f.write(f"# {name}\n\n{text}\n\nShort evaluation on the device (greedy pass@1 of both policies, PRM step AUC and "
                f"slip pairs; not yet the full evaluation: run evaluate.py and write_cards.py before shipping):\n\n"
                f"```\n{json.dumps(metrics, indent=1)}\n```\n")
log(f"wrote {args.out}: {json.dumps(summary)}")
