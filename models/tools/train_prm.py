"""Trains the PRM on the policy's own samples (labels per arith.step_labels).

Two recipes share this script:

* v2 (the defaults; the PRM shipped before v3): 800 questions x 8 policy samples, plus perturbed
  and gold solutions, a copy of the policy with a sigmoid head, binary cross-entropy on the step
  delimiters.
* v3 (`--feature lm-surprise --pair-frac 0.35 --lm-weight 0.5 --rank-weight 1`, see train.sh):
  many more policy samples (hard labels: a step is right iff it and every step before it are the
  canonical steps; exact on this task), contrastive pairs (the same canonical prefix followed by the
  right next line and by a one-digit slip of its result, an operand slip, a swapped operator or a
  slipped answer; both rows labelled, plus a ranking loss between them), an LM loss on every right
  row (the PRM keeps learning the arithmetic it has to check), and a score that adds a linear
  read-out of the model's own LM surprise over the solution so far (arith.surprise_features) to
  the score head. Same ONNX layout (input_ids, attention_mask -> scores).

Policy samples are drawn once (`--sample-only`, resumable: the cache grows in chunks), then
training runs for --steps with a cosine schedule; it checkpoints every --ckpt-every steps (model +
optimizer + data position in OUT.state) and `--resume` continues from there (a changed --steps
reshapes the rest of the schedule). Two data-parallel processes (WORLD_SIZE=2, RANK, MASTER_ADDR,
MASTER_PORT) train ~1.6x faster than one on 2 cores, as in train_policy.py.
"""
import argparse
import math
import os
import random
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(__file__))
import arith  # noqa: E402
from gen_data import train_stream  # noqa: E402


def parse_args(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--policy", required=True, help="policy checkpoint: samples come from it")
    ap.add_argument("--init", default=None, help="initial weights of the PRM body (default: --policy); a causal LM or a PRM")
    ap.add_argument("--out", required=True)
    ap.add_argument("--samples-cache", required=True, help="jsonl cache of policy samples; several, comma separated, "
                    "with --sample-seeds: one draw per seed")
    ap.add_argument("--sample-seeds", default=None, help="comma separated stream seeds of the caches (default: --seed)")
    ap.add_argument("--questions", type=int, default=800)
    ap.add_argument("--per-question", type=int, default=8)
    ap.add_argument("--sample-level-weights", default=None, help="levels 1-6 weights of the sampled questions (default uniform)")
    ap.add_argument("--sample-batch", type=int, default=256)
    ap.add_argument("--sample-only", action="store_true", help="draw (or complete) the samples cache and stop")
    ap.add_argument("--steps", type=int, default=1500)
    ap.add_argument("--minutes", type=float, default=0.0, help="if > 0: a wall-clock schedule instead of --steps (v2)")
    ap.add_argument("--batch-tokens", type=int, default=4096)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--warmup", type=int, default=50)
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--feature", choices=["none", arith.PRM_FEATURE], default="none")
    ap.add_argument("--pair-frac", type=float, default=0.0, help="share of training rows that are contrastive pairs")
    ap.add_argument("--rank-weight", type=float, default=0.0)
    ap.add_argument("--lm-weight", type=float, default=0.0)
    ap.add_argument("--perturbed-frac", type=float, default=1 / 3, help="perturbed solutions per policy sample")
    ap.add_argument("--gold-frac", type=float, default=0.1, help="gold solutions per policy sample")
    ap.add_argument("--dedupe", action="store_true", help="one copy of each distinct (question, completion) sample")
    ap.add_argument("--ckpt-every", type=int, default=200)
    ap.add_argument("--resume", action="store_true")
    ap.add_argument("--stop-at", type=int, default=0, help="stop after this many steps (schedule still spans --steps)")
    return ap.parse_args(argv)


def held_out(data):
    return {r["question"] for s in ("validation", "test") for r in arith.read_jsonl(os.path.join(data, f"{s}.jsonl"))}


def draw_samples(policy, path, questions, per_question, seed, exclude, level_weights=None, batch=256, log=print):
    """Samples per_question completions (T=0.8) for each of `questions` training questions
    (stream seed*104729) and appends them to the jsonl cache chunk by chunk; an existing cache is
    continued where it stopped (the draw is deterministic), so the stage can be interrupted."""
    stream = train_stream(seed * 104729, exclude, level_weights)
    qs = [next(stream)[0] for _ in range(questions)]
    qs.sort(key=len)
    flat = [q for q in qs for _ in range(per_question)]
    rows = arith.read_jsonl(path) if os.path.exists(path) else []
    if len(rows) >= len(flat):
        return rows
    done = len(rows) - len(rows) % batch
    arith.write_jsonl(path, rows[:done])
    t0 = time.time()
    with open(path, "a") as f:
        for i in range(done, len(flat), batch):
            chunk = flat[i:i + batch]
            outs = arith.generate(policy, [arith.prompt(q) for q in chunk], temperature=0.8, seed=seed + i)
            for q, c in zip(chunk, outs):
                f.write(arith.json.dumps({"question": q, "completion": c, "src": "policy"}) + "\n")
            f.flush()
            if (i // batch) % 10 == 0:
                log(f"sampled {i + len(chunk)}/{len(flat)} {time.time() - t0:.0f}s")
    return arith.read_jsonl(path)


def labelled(question, completion):
    """(token ids, [(position, label)], all_right) for the fresh prompt + completion up to the last
    terminated line; None when no line is terminated."""
    p = arith.prompt(question)
    labs = arith.step_labels(question, completion)
    if not labs:
        return None
    ids = arith.encode(p + completion[:labs[-1][0] + 1])
    lab = [(len(p) + e, float(v)) for e, v in labs]
    return ids, lab, all(v for _, v in lab), len(p)


class Examples:
    """Training units: single rows (policy samples, perturbed, gold) and contrastive pairs (two
    rows, right first). Each epoch reshuffles the rows and draws fresh pairs."""

    def __init__(self, samples, args, exclude, rank=0):
        self.args = args
        self.rng = random.Random(args.seed + 7717 * rank)
        self.pair_stream = train_stream(args.seed * 15485863 + rank, exclude)
        rows = samples
        if args.dedupe:
            seen, uniq = set(), []
            for r in rows:
                k = (r["question"], r["completion"])
                if k not in seen:
                    seen.add(k)
                    uniq.append(r)
            rows = uniq
        stream = train_stream(args.seed * 1299709, exclude)
        extra = []
        for _ in range(int(len(rows) * args.perturbed_frac)):
            q, _ = next(stream)
            extra.append({"question": q, "completion": arith.corrupt_solution(self.rng, q)[0], "src": "perturbed"})
        for _ in range(int(len(rows) * args.gold_frac)):
            q, _ = next(stream)
            extra.append({"question": q, "completion": arith.gold_solution(q), "src": "gold"})
        self.singles = [x for x in (labelled(r["question"], r["completion"]) for r in rows + extra) if x]
        self.npos = sum(v for x in self.singles for _, v in x[1])
        self.nneg = sum(1 - v for x in self.singles for _, v in x[1])
        self.n_pairs = int(len(self.singles) * args.pair_frac / max(1e-9, 1 - args.pair_frac) / 2) if args.pair_frac > 0 else 0

    def pair(self):
        q, _ = next(self.pair_stream)
        right, wrong, _ = arith.contrastive_pair(self.rng, q)
        return [labelled(q, right), labelled(q, wrong)]

    def batches(self):
        bt = self.args.batch_tokens
        while True:
            units = [[x] for x in self.singles] + [self.pair() for _ in range(self.n_pairs)]
            self.rng.shuffle(units)
            for j in range(0, len(units), 2048):
                part = sorted(units[j:j + 2048], key=lambda u: max(len(x[0]) for x in u))
                bs, cur, rows = [], [], 0
                for u in part:
                    L = max(len(x[0]) for x in u)
                    if cur and (rows + len(u)) * L > bt:
                        bs.append(cur)
                        cur, rows = [], 0
                    cur.append(u)
                    rows += len(u)
                if cur:
                    bs.append(cur)
                self.rng.shuffle(bs)
                yield from bs


def tensors(units, device):
    rows = [x for u in units for x in u]
    L = max(len(x[0]) for x in rows)
    B = len(rows)
    ids = torch.full((B, L), arith.PAD, dtype=torch.long)
    w = torch.zeros((B, L))
    y = torch.zeros((B, L))
    tgt = torch.full((B, L), -100, dtype=torch.long)
    pairs = []
    i = 0
    for u in units:
        for x in u:
            t, lab, ok, plen = x
            ids[i, :len(t)] = torch.tensor(t)
            for p_, v in lab:
                w[i, p_] = 1.0
                y[i, p_] = v
            if ok:  # a canonical prefix: LM targets on its solution tokens
                tgt[i, plen - 1:len(t) - 1] = torch.tensor(t[plen:])
            i += 1
        if len(u) == 2:
            pairs.append((i - 2, u[0][1][-1][0], i - 1, u[1][1][-1][0]))
    mask = (ids != arith.PAD).long()
    return ids.to(device), mask.to(device), w.to(device), y.to(device), tgt.to(device), pairs


def prm_loss(model, batch, args):
    ids, mask, w, y, tgt, pairs = batch
    logit, lm = model(ids, mask, with_lm=args.lm_weight > 0)
    bce = (F.binary_cross_entropy_with_logits(logit, y, reduction="none") * w).sum() / w.sum()
    loss = bce
    parts = {"bce": bce.item()}
    if pairs and args.rank_weight > 0:
        r = torch.stack([logit[a, pa] for a, pa, _, _ in pairs])
        wr = torch.stack([logit[b, pb] for _, _, b, pb in pairs])
        rank = F.softplus(wr - r).mean()
        loss = loss + args.rank_weight * rank
        parts["rank"] = rank.item()
    if lm is not None:
        if (tgt != -100).any():
            lml = F.cross_entropy(lm.reshape(-1, lm.shape[-1]).float(), tgt.reshape(-1), ignore_index=-100)
            parts["lm"] = lml.item()
        else:  # no right row in this batch: a zero that still reaches the LM head, so every
            lml = lm.sum() * 0.0  # data-parallel rank reduces the same gradients
        loss = loss + args.lm_weight * lml
    return loss, parts


class PrmNet(torch.nn.Module):
    """The PRM as one module (so DistributedDataParallel sees one forward)."""

    def __init__(self, gpt):
        super().__init__()
        self.gpt = gpt

    def forward(self, ids, mask, with_lm=False):
        if with_lm:
            return self.gpt.prm_logits(ids, mask, with_lm=True)
        return self.gpt.prm_logits(ids, mask), None


def new_prm(init, feature):
    c = init.cfg
    model = arith.GPT(c["layers"], c["heads"], c["hidden"], c["max_positions"], c["vocab"], prm=True, rope=c.get("rope", True),
                      prm_feature=None if feature == "none" else feature)
    # a policy has no score head (and no feature read-out): those keep their fresh initialisation
    model.load_state_dict(init.state_dict(), strict=False)
    return model


def autocast(on):
    """bf16 autocast on CUDA; a no-op context on CPU (torch 1.13 asserts on a CUDA autocast
    without CUDA, even disabled)."""
    import contextlib
    return torch.autocast(device_type="cuda", dtype=torch.bfloat16) if on else contextlib.nullcontext()


def train(model, examples, args, log=print, rank=0, world=1, prev_tokens=0, extra=None):
    """The training loop (CPU or CUDA); returns the trained model's checkpoint extras."""
    dev = torch.device(args.device)
    model.to(dev).train()
    net = PrmNet(model)
    if world > 1:
        from torch.nn.parallel import DistributedDataParallel
        net = DistributedDataParallel(net, find_unused_parameters=args.lm_weight == 0)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, betas=(0.9, 0.98), weight_decay=0.01)
    state_path = args.out + ".state"
    # tokens: every non-pad token all ranks processed; done = before this run (a resumed one),
    # mine = this rank's in this run (ranks draw about the same, so done + mine * world until the
    # exact sum at the end)
    step, done, mine, seconds = 0, 0, 0, 0.0
    if args.resume and os.path.exists(state_path):
        st = torch.load(state_path, map_location="cpu")
        model.load_state_dict(st["model"])
        opt.load_state_dict(st["opt"])
        step, done, seconds = st["step"], st["tokens"], st["seconds"]
        if rank < len(st["rng"]):  # a rank the saved run did not have keeps its own fresh seed
            examples.rng.setstate(st["rng"][rank])
        log(f"resumed at step {step} ({done} tokens, {seconds:.0f}s)")
    it = examples.batches()
    amp = dev.type == "cuda"
    t1 = time.time() - seconds
    ema = {}

    def save(final=False, total=None):
        tokens = total if total is not None else done + mine * world
        ex = {"training_tokens": tokens, "steps": step, "seconds": time.time() - t1, **(extra or {})}
        if rank == 0:
            arith.save_ckpt(args.out, model, ex)
        rngs = [examples.rng.getstate()]
        if world > 1:
            import torch.distributed as dist
            gathered = [None] * world
            dist.all_gather_object(gathered, examples.rng.getstate())
            rngs = gathered
        if rank == 0 and not final:
            torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "step": step, "tokens": tokens,
                        "seconds": time.time() - t1, "rng": rngs}, state_path)
        return ex

    while True:
        prog = (time.time() - t1) / (args.minutes * 60) if args.minutes > 0 else step / args.steps
        if world > 1:
            import torch.distributed as dist
            pt = torch.tensor([prog])
            dist.all_reduce(pt, op=dist.ReduceOp.MAX)
            prog = float(pt[0])
        if prog >= 1 or (args.stop_at and step >= args.stop_at):
            break
        step += 1
        lr = args.lr * min(1.0, step / args.warmup) * (0.5 * (1 + math.cos(math.pi * prog)) * 0.95 + 0.05)
        for g in opt.param_groups:
            g["lr"] = lr
        batch = tensors(next(it), dev)
        mine += int(batch[1].sum())
        with autocast(amp):
            loss, parts = prm_loss(net, batch, args)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        for k, v in parts.items():
            ema[k] = v if k not in ema else 0.98 * ema[k] + 0.02 * v
        if step % 50 == 0 and rank == 0:
            el = time.time() - t1
            log(f"step {step} prog {prog:.3f} " + " ".join(f"{k} {v:.4f}" for k, v in ema.items())
                + f" lr {lr:.2e} tokens {prev_tokens + done + mine * world} {el:.0f}s ({el / step:.2f}s/step)")
        if step % args.ckpt_every == 0:
            save()
    if world > 1:
        import torch.distributed as dist
        mt = torch.tensor([mine], dtype=torch.long)
        dist.all_reduce(mt)
        mine = int(mt[0])
    model.to("cpu")
    return save(final=True, total=done + mine)


def main(argv=None):
    args = parse_args(argv)
    world, rank = arith.init_data_parallel()
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)

    def log(msg):
        if rank == 0:
            print(msg, flush=True)

    exclude = held_out(args.data)
    policy, pextra = arith.load_ckpt(args.policy)
    policy.to(args.device)
    t0 = time.time()
    lw = [float(x) for x in args.sample_level_weights.split(",")] if args.sample_level_weights else None
    caches = args.samples_cache.split(",")
    seeds = [int(x) for x in args.sample_seeds.split(",")] if args.sample_seeds else [args.seed]
    if len(seeds) != len(caches):
        raise SystemExit(f"--sample-seeds has {len(seeds)} seeds for {len(caches)} --samples-cache files: give one seed per cache")
    if rank == 0:  # completes a cache an interrupted run left (the draw is deterministic)
        for cache, sd in zip(caches, seeds):
            draw_samples(policy, cache, args.questions, args.per_question, sd, exclude, lw, args.sample_batch, log)
    if world > 1:
        torch.distributed.barrier()
    if args.sample_only:
        return
    samples = [r for cache in caches for r in arith.read_jsonl(cache)]
    log(f"policy samples {len(samples)} ({time.time() - t0:.0f}s)")
    examples = Examples(samples, args, exclude, rank)
    log(f"single rows {len(examples.singles)} (step labels pos {examples.npos:.0f} neg {examples.nneg:.0f}), "
        f"{examples.n_pairs} contrastive pairs per epoch")
    init = policy.to("cpu") if not args.init else arith.load_ckpt(args.init)[0]
    model = new_prm(init, args.feature)
    log(f"PRM parameters {model.n_params()} (feature {args.feature})")
    # the PRM's D counts the tokens of the model it starts from (the policy's, when it is one)
    base = pextra.get("training_tokens", 0)
    if args.init:
        iex = arith.load_ckpt(args.init)[1]
        base = iex.get("training_tokens", 0) + iex.get("policy_training_tokens", 0)
    extra = {"policy_training_tokens": base, "samples": len(samples), "singles": len(examples.singles),
             "pairs_per_epoch": examples.n_pairs, "pos": examples.npos, "neg": examples.nneg, "args": vars(args)}
    ex = train(model, examples, args, log, rank, world, base, extra)
    log(f"done steps {ex['steps']} tokens {ex['training_tokens']} {time.time() - t0:.0f}s")


if __name__ == "__main__":
    main()
