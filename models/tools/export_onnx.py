"""Exports a checkpoint to ONNX (policy: Optimum decoder-with-past layout; PRM: scores) and
writes tokenizer.json and config.json next to it."""
import argparse
import json
import os
import sys

import onnx
import torch

sys.path.insert(0, os.path.dirname(__file__))
import arith  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("--ckpt", required=True)
ap.add_argument("--outdir", required=True)
ap.add_argument("--name", required=True)
ap.add_argument("--kind", choices=["causal-lm", "prm"], required=True)
ap.add_argument("--training-tokens", type=int, default=None)
# A PRM exported with-past (the default) scores a solution's new step against the KV and the
# surprise state of the steps before it (arith.GPT.prm_with_past); "full" is the older layout
# (input_ids, attention_mask -> scores) that re-reads the whole text on every call.
ap.add_argument("--prm-layout", choices=["with-past", "full"], default="with-past")
args = ap.parse_args()

model, extra = arith.load_ckpt(args.ckpt)
c = model.cfg
L, H, D = c["layers"], c["heads"], c["hidden"]
hd = D // H
os.makedirs(args.outdir, exist_ok=True)
path = os.path.join(args.outdir, "model.onnx")


class PolicyWrap(torch.nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, input_ids, attention_mask, position_ids, *past_flat):
        past = [(past_flat[2 * i], past_flat[2 * i + 1]) for i in range(L)]
        logits, presents = self.m(input_ids, attention_mask, position_ids, past)
        flat = []
        for k, v in presents:
            flat += [k, v]
        return (logits, *flat)


class PrmWrap(torch.nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, input_ids, attention_mask):
        return self.m.prm_scores(input_ids, attention_mask)


class PrmWithPastWrap(torch.nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, input_ids, attention_mask, position_ids, past_state, *past_flat):
        past = [(past_flat[2 * i], past_flat[2 * i + 1]) for i in range(L)]
        scores, presents, state = self.m.prm_with_past(input_ids, attention_mask, position_ids, past, past_state)
        flat = []
        for k, v in presents:
            flat += [k, v]
        return (scores, state, *flat)


with torch.no_grad():
    if args.kind == "causal-lm":
        B, P, T = 2, 3, 4
        ids = torch.randint(3, arith.VOCAB_SIZE, (B, T))
        mask = torch.ones((B, P + T), dtype=torch.long)
        pos = torch.arange(P, P + T).unsqueeze(0).expand(B, T).contiguous()
        past = []
        in_names = ["input_ids", "attention_mask", "position_ids"]
        out_names = ["logits"]
        dyn = {"input_ids": {0: "batch_size", 1: "sequence_length"},
               "attention_mask": {0: "batch_size", 1: "total_sequence_length"},
               "position_ids": {0: "batch_size", 1: "sequence_length"},
               "logits": {0: "batch_size", 1: "sequence_length"}}
        for i in range(L):
            for kv in ("key", "value"):
                past.append(torch.randn(B, H, P, hd))
                n = f"past_key_values.{i}.{kv}"
                in_names.append(n)
                dyn[n] = {0: "batch_size", 2: "past_sequence_length"}
                o = f"present.{i}.{kv}"
                out_names.append(o)
                dyn[o] = {0: "batch_size", 2: "total_sequence_length"}
        torch.onnx.export(PolicyWrap(model), (ids, mask, pos, *past), path, input_names=in_names,
                          output_names=out_names, dynamic_axes=dyn, opset_version=14, do_constant_folding=True)
    elif args.prm_layout == "with-past":
        B, P, T = 2, 3, 4
        S = arith.PRM_STATE + arith.VOCAB_SIZE
        ids = torch.randint(3, arith.VOCAB_SIZE, (B, T))
        mask = torch.ones((B, P + T), dtype=torch.long)
        pos = torch.arange(P, P + T).unsqueeze(0).expand(B, T).contiguous()
        state = torch.randn(B, 1, P, S)
        past = []
        in_names = ["input_ids", "attention_mask", "position_ids", "past_prm_state"]
        out_names = ["scores", "present_prm_state"]
        dyn = {"input_ids": {0: "batch_size", 1: "sequence_length"},
               "attention_mask": {0: "batch_size", 1: "total_sequence_length"},
               "position_ids": {0: "batch_size", 1: "sequence_length"},
               "past_prm_state": {0: "batch_size", 2: "past_sequence_length"},
               "scores": {0: "batch_size", 1: "sequence_length"},
               "present_prm_state": {0: "batch_size", 2: "total_sequence_length"}}
        for i in range(L):
            for kv in ("key", "value"):
                past.append(torch.randn(B, H, P, hd))
                n = f"past_key_values.{i}.{kv}"
                in_names.append(n)
                dyn[n] = {0: "batch_size", 2: "past_sequence_length"}
                o = f"present.{i}.{kv}"
                out_names.append(o)
                dyn[o] = {0: "batch_size", 2: "total_sequence_length"}
        torch.onnx.export(PrmWithPastWrap(model), (ids, mask, pos, state, *past), path, input_names=in_names,
                          output_names=out_names, dynamic_axes=dyn, opset_version=14, do_constant_folding=True)
    else:
        ids = torch.randint(3, arith.VOCAB_SIZE, (2, 7))
        mask = torch.ones((2, 7), dtype=torch.long)
        torch.onnx.export(PrmWrap(model), (ids, mask), path, input_names=["input_ids", "attention_mask"],
                          output_names=["scores"],
                          dynamic_axes={"input_ids": {0: "batch_size", 1: "sequence_length"},
                                        "attention_mask": {0: "batch_size", 1: "sequence_length"},
                                        "scores": {0: "batch_size", 1: "sequence_length"}},
                          opset_version=14, do_constant_folding=True)

m = onnx.load(path)
onnx.checker.check_model(m)
json.dump(arith.tokenizer_json(), open(os.path.join(args.outdir, "tokenizer.json"), "w"), indent=1, ensure_ascii=False)
cfg = {
    "name": args.name,
    "kind": args.kind,
    "architecture": "decoder-only causal transformer (pre-LayerNorm, " + ("rotary position embeddings (RoPE, base 10000) from position_ids"
                    if c.get("rope") else "learned absolute positions") + ", GELU MLP 4x)",
    "parameters": model.n_params(),
    "training_tokens": int(args.training_tokens if args.training_tokens is not None else
                           extra.get("training_tokens", 0) + extra.get("policy_training_tokens", 0)),
    "training_steps_last_stage": int(extra.get("steps", 0)),
    "layers": L, "heads": H, "hidden": D, "head_dim": hd,
    "vocab_size": arith.VOCAB_SIZE, "max_positions": c["max_positions"],
    "pad_token_id": arith.PAD, "eos_token_id": arith.EOS, "unk_token_id": arith.UNK,
    "bos_token_id": None,
    "onnx_opset": 14,
    "format": {"prompt_template": arith.PROMPT_TEMPLATE, "revision_attempt_template": arith.ATTEMPT_TEMPLATE,
               "revision_attempt_joiner": arith.ATTEMPT_JOINER, "max_revision_attempts": arith.MAX_ATTEMPTS,
               "step_delimiter": arith.STEP_DELIM, "answer_marker": arith.ANSWER_MARKER},
}
if args.kind == "causal-lm":
    # the compute that made the model (the paper's 6 N D): a widened model counts the tokens it saw
    # before widening at the size it had then
    w = extra.get("widened_from")
    if w:
        cfg["widened_from"] = w
        cfg["pretraining_flops"] = 6.0 * w["parameters"] * w["training_tokens"] + \
            6.0 * model.n_params() * (cfg["training_tokens"] - w["training_tokens"])
    else:
        cfg["pretraining_flops"] = 6.0 * model.n_params() * cfg["training_tokens"]
    cfg["onnx_inputs"] = ["input_ids", "attention_mask", "position_ids"] + [f"past_key_values.{i}.{kv}" for i in range(L) for kv in ("key", "value")]
    cfg["onnx_outputs"] = ["logits"] + [f"present.{i}.{kv}" for i in range(L) for kv in ("key", "value")]
else:
    cfg["architecture"] = cfg["architecture"].replace("from position_ids", "positions 0..seq-1 computed inside the model").replace(
        "GELU MLP 4x)", "GELU MLP 4x) with a per-position sigmoid score head")
    if c.get("prm_feature"):
        # v3: the score logit adds a linear read-out of the model's own LM surprise over the
        # solution so far (arith.surprise_features), so the LM head is part of the graph
        cfg["prm_feature"] = c["prm_feature"]
        cfg["architecture"] += (", plus a linear read-out of its own LM head's surprise over the solution tokens so far"
                                " (max and sum of -log p(token) and of the gap to the argmax)")
    if args.prm_layout == "with-past":
        cfg["architecture"] = cfg["architecture"].replace("positions 0..seq-1 computed inside the model", "from position_ids")
        cfg["onnx_inputs"] = ["input_ids", "attention_mask", "position_ids", "past_prm_state"] + \
            [f"past_key_values.{i}.{kv}" for i in range(L) for kv in ("key", "value")]
        cfg["onnx_outputs"] = ["scores", "present_prm_state"] + [f"present.{i}.{kv}" for i in range(L) for kv in ("key", "value")]
        cfg["prm_state"] = ("per position: score, max g, max u, sum u, sum g, newlines so far, then the next-token "
                            "log-probabilities (vocab_size) at the last real position; past_prm_state is what "
                            "present_prm_state returned for the past tokens (zeros for none)")
    else:
        cfg["onnx_inputs"] = ["input_ids", "attention_mask"]
        cfg["onnx_outputs"] = ["scores"]
    cfg["score"] = "sigmoid probability that the solution so far can still end in the right answer; read at each step's terminating '\\n'"
    cfg["policy_training_tokens"] = int(extra.get("policy_training_tokens", 0))
    cfg["prm_finetune_tokens"] = int(extra.get("training_tokens", 0))
json.dump(cfg, open(os.path.join(args.outdir, "config.json"), "w"), indent=1)
print(f"exported {path} ({os.path.getsize(path)} bytes), params {model.n_params()}")
