#!/usr/bin/env python3
"""Final check of the shipped data and models (run by models/train.sh).

  /usr/bin/python3 models/check.py                       # data + ONNX structure checks (no Java)
  /usr/bin/python3 models/check.py --ckpts DIR --ort-jar onnxruntime-1.29.0.jar [--models-dir OUT]
        # + ONNX Runtime (Java, models/tools/OrtCheck.java) logits vs PyTorch logits, empty past,
        #   left-padded batch vs single rows, KV-cached steps vs full recompute, PRM right padding
"""
import argparse
import json
import os
import random
import subprocess
import sys
import tempfile

import numpy as np
import onnx
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "tools"))
import arith  # noqa: E402
from gen_data import train_stream  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("--ckpts", default=None, help="folder with small.pt, large.pt, prm.pt (PyTorch side of the ORT check)")
ap.add_argument("--ort-jar", default=None)
ap.add_argument("--tol", type=float, default=1e-3)
ap.add_argument("--models-dir", default=None, help="folder with the three model folders (default: models/, the shipped ones)")
args = ap.parse_args()
ROOT = os.path.dirname(HERE)
MODELS_DIR = args.models_dir or HERE
DATA = os.path.join(ROOT, "data", "arith")
fails = []


def check(cond, msg):
    print(("ok   " if cond else "FAIL ") + msg, flush=True)
    if not cond:
        fails.append(msg)


# ------------------------------------------------------------------ data
splits = {s: arith.read_jsonl(os.path.join(DATA, f"{s}.jsonl")) for s in ("validation", "test", "train_sample")}
check(len(splits["validation"]) >= 600, f"validation has {len(splits['validation'])} >= 600 questions")
check(len(splits["test"]) >= 1200, f"test has {len(splits['test'])} >= 1200 questions")
for s in ("validation", "test"):
    counts = [sum(r["level"] == lv for r in splits[s]) for lv in range(1, 7)]
    check(min(counts) == max(counts), f"{s} levels 1-6 balanced {counts}")
for s, rows in splits.items():
    check(all(str(arith.answer_of(r["question"])) == r["answer"] for r in rows), f"{s} answers are right")
    check(all(set(r) >= {"id", "question", "answer", "level"} for r in rows), f"{s} rows have id/question/answer/level")
    check(len({r["id"] for r in rows}) == len(rows), f"{s} ids unique")
    check(len({r["question"] for r in rows}) == len(rows), f"{s} questions unique")
qs = {s: {r["question"] for r in rows} for s, rows in splits.items()}
check(not (qs["validation"] & qs["test"]), "validation and test disjoint")
check(not (qs["train_sample"] & (qs["validation"] | qs["test"])), "train_sample disjoint from validation and test")
heldout = qs["validation"] | qs["test"]
# the trainers draw training questions from train_stream(seed * 7919) (policy stages, seeds 1-20)
# and the PRM's: samples train_stream(seed * 104729) (v3: seeds 3 and 4), perturbed and gold
# solutions seed * 1299709, contrastive pairs seed * 15485863 + rank; the stream rejects held-out
# questions
bad = 0
for seed in [s_ * 7919 for s_ in range(1, 21)] + [3 * 104729, 4 * 104729, 3 * 1299709, 3 * 15485863, 3 * 15485863 + 1]:
    st = train_stream(seed, heldout)
    bad += sum(next(st)[0] in heldout for _ in range(5000))
st = train_stream(7919, heldout, [3, 3, 2, 1.5, 1, 1])
bad += sum(next(st)[0] in heldout for _ in range(5000))
import gen_data  # noqa: E402
v0 = gen_data.v0_training_questions()
check(not (v0 & heldout), f"validation/test disjoint from the {len(v0)} questions training stages 1-2 drew (v0 level table)")
check(bad == 0, "training streams (all seeds the recipe uses) disjoint from validation and test")

# ------------------------------------------------------------------ model folders
MODELS = {"arith-policy": "causal-lm", "arith-policy-large": "causal-lm", "arith-prm": "prm"}
CKPT = {"arith-policy": "small.pt", "arith-policy-large": "large.pt", "arith-prm": "prm.pt"}
need = ["name", "kind", "parameters", "training_tokens", "layers", "heads", "hidden", "head_dim", "vocab_size",
        "max_positions", "pad_token_id", "eos_token_id", "format"]
total = 0
cfgs = {}
for name, kind in MODELS.items():
    d = os.path.join(MODELS_DIR, name)
    for f in ("model.onnx", "tokenizer.json", "config.json", "MODEL_CARD.md"):
        check(os.path.exists(os.path.join(d, f)), f"{name}/{f} exists")
        if os.path.exists(os.path.join(d, f)):
            total += os.path.getsize(os.path.join(d, f))
    cfg = json.load(open(os.path.join(d, "config.json")))
    cfgs[name] = cfg
    check(all(k in cfg for k in need), f"{name}/config.json has {need}")
    check(cfg["kind"] == kind, f"{name} kind {kind}")
    check(cfg["format"] == {"prompt_template": "Q: {question}\n", "revision_attempt_template": "P: {attempt}\n",
                            "revision_attempt_joiner": "; ", "max_revision_attempts": 4, "step_delimiter": "\n",
                            "answer_marker": "A: "}, f"{name} format block")
    tok = json.load(open(os.path.join(d, "tokenizer.json")))
    check(tok == arith.tokenizer_json(), f"{name}/tokenizer.json is the shared character tokenizer")
    check(tok["model"]["vocab"]["<pad>"] == 0 and tok["model"]["vocab"]["<eos>"] == 1 and tok["model"]["vocab"]["<unk>"] == 2,
          f"{name} special ids pad=0 eos=1 unk=2")
    m = onnx.load(os.path.join(d, "model.onnx"))
    onnx.checker.check_model(m)
    check(True, f"{name}/model.onnx passes onnx.checker")
    check(any(o.domain in ("", "ai.onnx") and o.version >= 14 for o in m.opset_import), f"{name} opset >= 14")
    ins = [i.name for i in m.graph.input]
    outs = [o.name for o in m.graph.output]
    L = cfg["layers"]
    if kind == "causal-lm":
        exp_in = ["input_ids", "attention_mask", "position_ids"] + [f"past_key_values.{i}.{kv}" for i in range(L) for kv in ("key", "value")]
        exp_out = ["logits"] + [f"present.{i}.{kv}" for i in range(L) for kv in ("key", "value")]
    elif "past_prm_state" in cfg.get("onnx_inputs", []):
        # the with-past PRM (export_onnx.py --prm-layout with-past, the default): incremental scoring
        kv = [f"past_key_values.{i}.{kv}" for i in range(L) for kv in ("key", "value")]
        exp_in = ["input_ids", "attention_mask", "position_ids", "past_prm_state"] + kv
        exp_out = ["scores", "present_prm_state"] + [f"present.{i}.{kv}" for i in range(L) for kv in ("key", "value")]
    else:
        exp_in, exp_out = ["input_ids", "attention_mask"], ["scores"]
    check(ins == exp_in and outs == exp_out, f"{name} ONNX inputs/outputs {ins} -> {outs}")
    card = open(os.path.join(d, "MODEL_CARD.md")).read()
    check("pass@1" in card or "AUC" in card, f"{name}/MODEL_CARD.md carries measured numbers")
check(total < 60e6, f"shipped model files {total / 1e6:.1f} MB < 60 MB")
ratio = cfgs["arith-policy-large"]["parameters"] / cfgs["arith-policy"]["parameters"]
check(8 <= ratio <= 14, f"large/small parameter ratio {ratio:.2f} in [8, 14]")
# longest real revision prompt (4 level-6 attempts) + solution fits max_positions
rng = random.Random(0)
longest = max(len(p) + len(s) + 1 for p, s in (arith.revision_example(rng, r["question"], 4)
                                                 for r in splits["test"] + splits["validation"] if r["level"] == 6))
for name in MODELS:
    check(cfgs[name]["max_positions"] >= longest, f"{name} max_positions {cfgs[name]['max_positions']} >= longest revision case {longest}")

# ------------------------------------------------------------------ ONNX Runtime vs PyTorch
if args.ckpts and args.ort_jar:
    def tensor_line(name, arr, typ):
        arr = np.asarray(arr)
        vals = " ".join(str(int(v)) if typ == "int64" else repr(float(v)) for v in arr.reshape(-1))
        return f"{name} {typ} {arr.ndim} {' '.join(str(s) for s in arr.shape)} {vals}"

    def run_ort(model_path, cases):
        with tempfile.TemporaryDirectory() as td:
            cp, op = os.path.join(td, "cases.txt"), os.path.join(td, "out.txt")
            open(cp, "w").write("\n".join(cases) + "\n")
            subprocess.run(["java", "-cp", args.ort_jar, os.path.join(HERE, "tools", "OrtCheck.java"), model_path, cp, op],
                           check=True)
            res = {}
            for line in open(op):
                t = line.split()
                rank = int(t[2])
                shape = [int(x) for x in t[3:3 + rank]]
                res[(t[0], t[1])] = np.array([float(x) for x in t[3 + rank:]], dtype=np.float32).reshape(shape)
            return res

    texts = ["Q: 37*4+129-56\n", "Q: 2*3+4\nP: 2*3=6; 6+4=11; A: 11\n2*3=6\n", "Q: 896-37*26-265+569-32*70\n37*26=962\n"]
    for name, kind in MODELS.items():
        model, _ = arith.load_ckpt(os.path.join(args.ckpts, CKPT[name]))
        cfg = cfgs[name]
        L, H, hd = cfg["layers"], cfg["heads"], cfg["head_dim"]
        onnx_path = os.path.join(MODELS_DIR, name, "model.onnx")
        encs = [arith.encode(t) for t in texts]
        if kind == "causal-lm":
            cases, torch_logits = [], []
            for j, e in enumerate(encs):
                ids = np.array([e])
                line = [f"full single{j} {3 + 2 * L}", tensor_line("input_ids", ids, "int64"),
                        tensor_line("attention_mask", np.ones_like(ids), "int64"),
                        tensor_line("position_ids", np.arange(len(e))[None], "int64")]
                for i in range(L):
                    for kv in ("key", "value"):
                        line.append(f"past_key_values.{i}.{kv} float32 4 1 {H} 0 {hd}")
                cases.append(" ".join(line))
                with torch.no_grad():
                    t = torch.tensor(ids)
                    lg, _ = model(t, torch.ones_like(t), torch.arange(len(e)).unsqueeze(0))
                torch_logits.append(lg[0].numpy())
            Lmax = max(len(e) for e in encs)
            ids = np.zeros((len(encs), Lmax), dtype=np.int64)
            mask = np.zeros_like(ids)
            for j, e in enumerate(encs):
                ids[j, Lmax - len(e):] = e
                mask[j, Lmax - len(e):] = 1
            pos = np.clip(np.cumsum(mask, 1) - 1, 0, None)
            line = [f"full batch {3 + 2 * L}", tensor_line("input_ids", ids, "int64"), tensor_line("attention_mask", mask, "int64"),
                    tensor_line("position_ids", pos, "int64")]
            for i in range(L):
                for kv in ("key", "value"):
                    line.append(f"past_key_values.{i}.{kv} float32 4 {len(encs)} {H} 0 {hd}")
            cases.append(" ".join(line))
            q = "Q: 896-37*26-265+569-32*70\n"
            full = arith.encode(q + arith.gold_solution("896-37*26-265+569-32*70"))
            cases.append(f"kv kv0 {L} {H} {hd} {len(arith.encode(q))} {len(full)} " + " ".join(map(str, full)))
            res = run_ort(onnx_path, cases)
            d1 = max(float(np.abs(res[(f"single{j}", "logits")][0] - torch_logits[j]).max()) for j in range(len(encs)))
            check(d1 < args.tol, f"{name}: ORT vs PyTorch logits (empty past), max abs diff {d1:.2e}")
            d2 = max(float(np.abs(res[("batch", "logits")][j, -1] - res[(f"single{j}", "logits")][0, -1]).max()) for j in range(len(encs)))
            check(d2 < args.tol, f"{name}: left-padded batch vs each row alone, next-token logits max abs diff {d2:.2e}")
            with torch.no_grad():
                t = torch.tensor([full])
                lg, _ = model(t, torch.ones_like(t), torch.arange(len(full)).unsqueeze(0))
            pre = len(arith.encode(q))
            ref = lg[0, pre - 1:].numpy()
            d3 = float(np.abs(res[("kv0", "kv_logits")] - ref).max())
            check(res[("kv0", "kv_logits")].shape == ref.shape and d3 < args.tol,
                  f"{name}: KV-cached ORT steps ({len(full) - pre} tokens) vs PyTorch full recompute, max abs diff {d3:.2e}")
            pres = [k for k in res if k[0] == "single0" and k[1].startswith("present.")]
            check(len(pres) == 2 * L and all(res[k].shape == (1, H, len(encs[0]), hd) for k in pres),
                  f"{name}: present.* shapes [1, {H}, past+seq, {hd}]")
        else:
            Lmax = max(len(e) for e in encs)
            ids = np.zeros((len(encs), Lmax), dtype=np.int64)
            mask = np.zeros_like(ids)
            for j, e in enumerate(encs):
                ids[j, :len(e)] = e
                mask[j, :len(e)] = 1
            line = [tensor_line("input_ids", ids, "int64"), tensor_line("attention_mask", mask, "int64")]
            if "past_prm_state" in cfg.get("onnx_inputs", []):
                # whole texts against an empty past (positions 0.., the state of nothing is zeros)
                line.append(tensor_line("position_ids", np.tile(np.arange(Lmax), (len(encs), 1)), "int64"))
                line.append(f"past_prm_state float32 4 {len(encs)} 1 0 {arith.PRM_STATE + cfg['vocab_size']}")
                for i in range(L):
                    for kv in ("key", "value"):
                        line.append(f"past_key_values.{i}.{kv} float32 4 {len(encs)} {H} 0 {hd}")
            res = run_ort(onnx_path, [" ".join([f"full prm {len(line)}"] + line)])
            out = res[("prm", "scores")]
            d = 0.0
            for j, e in enumerate(encs):
                with torch.no_grad():
                    t = torch.tensor([e])
                    s = model.prm_scores(t, torch.ones_like(t))[0].numpy()
                d = max(d, float(np.abs(out[j, :len(e)] - s).max()))
            check(out.shape == ids.shape and d < args.tol, f"{name}: ORT right-padded batch vs PyTorch per-row scores, max abs diff {d:.2e}")
else:
    print("skip ORT-vs-PyTorch comparison (needs --ckpts and --ort-jar)")

print(f"\n{len(fails)} failure(s)")
sys.exit(1 if fails else 0)
