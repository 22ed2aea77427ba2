"""Rebuilds a PyTorch checkpoint (arith.GPT) from a shipped model folder's ONNX initializers.

The shipped PyTorch checkpoints are not in the repository (only the ONNX files are), but every
weight is an ONNX initializer: LayerNorm, embedding and bias tensors keep their module names
(`m.blocks.0.ln1.weight`), Linear weights are stored transposed under anonymous names
(`onnx::MatMul_634`) and are found through the MatMul node that uses them
(`/m/blocks.0/qkv/MatMul`). `models/check.py --ckpts DIR --ort-jar JAR` then compares the rebuilt
models with the ONNX files through ONNX Runtime (Debian's onnx 1.12 has no reference evaluator).

  python3 models/tools/onnx_to_ckpt.py models/arith-policy /tmp/reckon-train/small.pt
  python3 models/tools/onnx_to_ckpt.py models/arith-prm /tmp/reckon-train/prm_v2.pt
"""
import argparse
import json
import os
import sys

import onnx
import torch
from onnx import numpy_helper

sys.path.insert(0, os.path.dirname(__file__))
import arith  # noqa: E402


def rebuild(folder):
    cfg = json.load(open(os.path.join(folder, "config.json")))
    m = onnx.load(os.path.join(folder, "model.onnx"))
    inits = {i.name: numpy_helper.to_array(i) for i in m.graph.initializer}
    state = {}
    for name, arr in inits.items():
        if not name.startswith("onnx::"):
            state[name[2:] if name.startswith("m.") else name] = torch.tensor(arr.copy())
    for node in m.graph.node:
        if node.op_type != "MatMul":
            continue
        w = [x for x in node.input if x in inits and x.startswith("onnx::")]
        if not w:
            continue
        # node name: "/m/blocks.0/qkv/MatMul" (policy wrapper) or "/blocks.0/qkv/MatMul" (PRM)
        parts = [p for p in node.name.split("/") if p and p != "m"]
        state[".".join(parts[:-1]) + ".weight"] = torch.tensor(inits[w[0]].T.copy())
    prm = cfg["kind"] == "prm"
    feature = cfg.get("prm_feature")
    model = arith.GPT(cfg["layers"], cfg["heads"], cfg["hidden"], cfg["max_positions"], cfg["vocab_size"], prm=prm,
                      rope="rotary" in cfg.get("architecture", ""), prm_feature=feature)
    want = model.state_dict()
    missing = [k for k in want if k not in state]
    # a v2 PRM never used its LM head, so the export dropped it: keep it at zero (unused there)
    if missing == ["head.weight"] and prm and not feature:
        state["head.weight"] = torch.zeros_like(want["head.weight"])
        missing = []
    extra = [k for k in state if k not in want]
    if missing or extra:
        raise SystemExit(f"{folder}: cannot map ONNX initializers: missing {missing}, unexpected {extra}")
    model.load_state_dict(state)
    model.eval()
    tokens = int(cfg.get("training_tokens", 0))
    if prm:
        # export_onnx adds policy_training_tokens back; keep the split the config carries
        ext = {"training_tokens": int(cfg.get("prm_finetune_tokens", 0)),
               "policy_training_tokens": int(cfg.get("policy_training_tokens", 0)),
               "steps": cfg.get("training_steps_last_stage", 0)}
    else:
        ext = {"training_tokens": tokens, "steps": cfg.get("training_steps_last_stage", 0)}
        if "widened_from" in cfg:
            ext["widened_from"] = cfg["widened_from"]
    ext["rebuilt_from_onnx"] = os.path.normpath(folder)
    return model, ext, m, cfg


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("folder")
    ap.add_argument("out")
    a = ap.parse_args()
    model, ext, _, _ = rebuild(a.folder)
    arith.save_ckpt(a.out, model, ext)
    print(f"{a.folder} -> {a.out}: {model.n_params()} parameters")


if __name__ == "__main__":
    main()
