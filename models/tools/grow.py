"""Function-preserving widening (Net2Net-style) of a trained policy: every hidden unit,
attention head and MLP unit is replicated `factor` times (LayerNorm statistics are unchanged
by replication; fan-in weights are divided by `factor`), then a little noise breaks the
symmetry. The large policy starts from the widened small one and keeps training with its
extra capacity (see README: why, on 2 shared CPU cores)."""
import argparse
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(__file__))
import arith  # noqa: E402


def widen(small, f, noise=1e-3, seed=0):
    c = small.cfg
    big = arith.GPT(c["layers"], c["heads"] * f, c["hidden"] * f, c["max_positions"], c["vocab"], c["prm"], c.get("rope", True))
    s = small.state_dict()
    D = c["hidden"]
    g = torch.Generator().manual_seed(seed)

    def rep_out(w, parts=1):
        # replicate the output dimension; for qkv, replicate each of q, k, v separately
        chunks = w.chunk(parts, dim=0)
        return torch.cat([torch.cat([ch] * f, dim=0) for ch in chunks], dim=0)

    def rep_in(w):
        return torch.cat([w / f] * f, dim=1)

    new = {}
    for k, v in s.items():
        if k == "tok.weight":
            new[k] = torch.cat([v] * f, dim=1)
        elif k == "head.weight" or k == "score.weight":
            new[k] = rep_in(v)
        elif k == "score.bias":
            new[k] = v
        elif k.endswith(("ln1.weight", "ln1.bias", "ln2.weight", "ln2.bias")) or k.startswith("lnf."):
            new[k] = torch.cat([v] * f)
        elif k.endswith("qkv.weight"):
            new[k] = rep_out(rep_in(v), 3)
        elif k.endswith("qkv.bias"):
            new[k] = rep_out(v.unsqueeze(1), 3).squeeze(1)
        elif k.endswith(("proj.weight", "fc1.weight", "fc2.weight")):
            new[k] = rep_out(rep_in(v))
        elif k.endswith(("proj.bias", "fc1.bias", "fc2.bias")):
            new[k] = torch.cat([v] * f)
        else:
            raise KeyError(k)
    for k in new:
        if k.endswith("weight") and new[k].dim() == 2 and noise > 0:
            new[k] = new[k] + noise * torch.randn(new[k].shape, generator=g) * new[k].std()
    big.load_state_dict(new)
    return big


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--small", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--factor", type=int, default=3)
    ap.add_argument("--noise", type=float, default=1e-2)
    a = ap.parse_args()
    small, extra = arith.load_ckpt(a.small)
    big = widen(small, a.factor, a.noise)
    ids = torch.tensor([arith.encode("Q: 37*4+129-56\n37*4=148\n")])
    with torch.no_grad():
        l1, _ = small(ids, torch.ones_like(ids), torch.arange(ids.shape[1])[None])
        b0 = widen(small, a.factor, 0.0)
        l2, _ = b0(ids, torch.ones_like(ids), torch.arange(ids.shape[1])[None])
    print(f"params {small.n_params()} -> {big.n_params()} ({big.n_params() / small.n_params():.2f}x); "
          f"widened logits diff {float((l1 - l2).abs().max()):.2e}")
    # what the widened model inherited: its pretraining FLOPs are 6 x N_small x these tokens plus
    # 6 x N_large x the tokens it trains on afterwards (export_onnx.py writes both into config.json)
    extra = dict(extra, widened_from={"parameters": small.n_params(), "training_tokens": int(extra.get("training_tokens", 0))})
    arith.save_ckpt(a.out, big, extra)
