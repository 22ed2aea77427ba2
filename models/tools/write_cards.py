"""Writes models/*/MODEL_CARD.md from the measured metrics (evaluate.py) and config.json."""
import argparse
import json
import os

ap = argparse.ArgumentParser()
ap.add_argument("--metrics", required=True)
ap.add_argument("--models", default=os.path.join(os.path.dirname(__file__), ".."))
ap.add_argument("--timings", default=None, help="optional JSON {step: seconds}")
args = ap.parse_args()
M = json.load(open(args.metrics))
T = json.load(open(args.timings)) if args.timings and os.path.exists(args.timings) else {}
LV = ["1", "2", "3", "4", "5", "6"]
MID = ["3", "4"]


def cfg(name):
    return json.load(open(os.path.join(args.models, name, "config.json")))


def table(rows):
    out = "| metric | " + " | ".join(f"L{l}" for l in LV) + " | all |\n|---|" + "---|" * (len(LV) + 1) + "\n"
    for label, d in rows:
        out += f"| {label} | " + " | ".join(f"{d.get(l, float('nan')):.1f}" for l in LV) + f" | {d.get('all', float('nan')):.1f} |\n"
    return out


def yn(b):
    return "**met**" if b else "**NOT met**"


def ev(part):
    e = M.get("eval", {})
    for k, v in e.items():
        if part in k.split(","):
            return v
    return {}


def header(name, c, text):
    return (f"# {name}\n\n{text}\n\n"
            f"- parameters: {c['parameters']:,}; layers {c['layers']}, heads {c['heads']}, hidden {c['hidden']}, head_dim {c['head_dim']}, "
            f"vocab {c['vocab_size']} (character level, shared `tokenizer.json`), max_positions {c['max_positions']}\n"
            f"- training tokens (D_pretrain, every non-pad token the model processed in training): {c['training_tokens']:,}\n"
            f"- special tokens: `<pad>`={c['pad_token_id']}, `<eos>`={c['eos_token_id']}, `<unk>`=2; no BOS\n"
            f"- format: prompt `Q: {{question}}\\n`, one step per line (`a op b=c\\n`), answer line `A: {{answer}}\\n`, then `<eos>`; "
            f"revision attempts as `P: {{attempt lines joined by '; '}}\\n` lines after the question (oldest first, at most 4)\n"
            f"- recipe: `models/train.sh` (see `models/README.md`)\n\n")


s = M.get("small", {})
l = M.get("large", {})
p = M.get("prm", {})
es = ev("small")
nq = es.get("questions", "?")
n = es.get("samples_per_question", 16)

# ---------------------------------------------------------------- small policy
c = cfg("arith-policy")
p1, pn = s.get("pass@1_T0.8", {}), s.get(f"pass@{n}_T0.8", {})
falling = all(p1.get(LV[i], 0) >= p1.get(LV[i + 1], 0) for i in range(len(LV) - 1))
rev = s.get("revision_after_wrong_first_attempt", {})
rev_ok = any(rev.get(m, {}).get("revision_right_pct", 0) > rev.get(m, {}).get("fresh_second_sample_right_pct", 100) for m in MID)
card = header("arith-policy", c, "Small step-by-step arithmetic policy (decoder-only transformer, RoPE) that also revises from up to 4 earlier attempts. "
              "ONNX in the Hugging Face Optimum decoder-with-past layout (`input_ids`, `attention_mask`, `position_ids`, "
              "`past_key_values.{i}.key|value` -> `logits`, `present.{i}.key|value`).")
card += f"## Measured on the test split ({nq} questions, levels balanced; temperature 0.8, {n} samples per question, seeded)\n\n"
card += table([("pass@1 (T=0.8, mean over samples) %", p1), (f"pass@{n} (T=0.8) %", pn),
               (f"majority@{n} %", s.get(f"majority@{n}", {})), ("greedy pass@1 %", s.get("greedy_pass@1", {})),
               ("revision (1 earlier attempt = sample 1) pass@1 %", s.get("revision_all_questions_pass@1", {}))])
card += "\n### Revision: questions whose first sample was wrong\n\n| level | first sample wrong | revision conditioned on it right % | fresh 2nd sample right % | fresh samples 2..N right % |\n|---|---|---|---|---|\n"
for lv in LV:
    if lv in rev:
        r = rev[lv]
        card += f"| {lv} | {r['first_wrong']} | {r['revision_right_pct']:.1f} | {r['fresh_second_sample_right_pct']:.1f} | {r['fresh_mean_sample_right_pct']:.1f} |\n"
card += "\n### Targets\n\n"
card += f"- pass@1 >= 80 % at level 1: {p1.get('1', 0):.1f} % -> {yn(p1.get('1', 0) >= 80)}\n"
card += f"- pass@1 <= 30 % at level 6: {p1.get('6', 100):.1f} % -> {yn(p1.get('6', 100) <= 30)}\n"
card += f"- pass@1 falling with level: {yn(falling)}\n"
for m in MID:
    card += f"- pass@{n} at least 20 points above pass@1 at level {m}: +{pn.get(m, 0) - p1.get(m, 0):.1f} -> {yn(pn.get(m, 0) - p1.get(m, 0) >= 20)}\n"
card += f"- revision beats a fresh sample after a wrong attempt at a middle level: {yn(rev_ok)}\n"
card += M.get("notes", {}).get("arith-policy", "")
open(os.path.join(args.models, "arith-policy", "MODEL_CARD.md"), "w").write(card)

# ---------------------------------------------------------------- PRM
c = cfg("arith-prm")
wb, mj, nb = p.get(f"weighted_best_of_{n}", {}), p.get(f"majority_of_{n}", {}), p.get(f"naive_best_of_{n}", {})
card = header("arith-prm", c, "Process reward model (recipe v3, issue 14): a causal transformer (initialised from the small policy) "
              "with a sigmoid head plus a linear read-out of its own LM head's surprise over the solution so far; "
              "`scores[b, t]` = probability that the solution up to token t can still end in the right answer. Read it at each "
              "step's terminating `\\n` (including the `\\n` after `A: ...`). Inputs `input_ids`, `attention_mask` (right padding; "
              "positions 0..seq-1 are computed inside the model) -> `scores` [batch, seq].")
card += ("Labels: a step is right iff it and every step before it equal the canonical solution's steps (so every step is "
         "arithmetically right and the right answer is still reachable; after the first wrong step all steps are wrong); the "
         "answer line is right iff the answer equals the ground truth. Training data: solutions sampled from arith-policy at "
         "T=0.8 on training questions, plus perturbed solutions (one slipped step with the rest consistent with it, a wrong "
         "answer line, or precedence ignored), gold solutions, and contrastive pairs (a canonical prefix followed by the right "
         "next line and by a one-digit slip of its result, an operand slip, a swapped operator or a slipped answer), with an "
         "LM loss on the right rows. `tools/prm_eval.py` measures the slip pairs by kind.\n\n")
card += f"## Measured on arith-policy's samples for the test split ({nq} questions x {n} samples, T=0.8)\n\n"
card += f"- step-level ROC AUC: **{p.get('step_auc', float('nan')):.4f}** ({p.get('steps_right', 0)} right / {p.get('steps_wrong', 0)} wrong steps)\n\n"
card += table([(f"weighted best-of-{n} (sum of final-step scores per answer) %", wb), (f"majority of {n} %", mj),
               (f"naive best-of-{n} (highest final score) %", nb), ("pass@1 of the policy %", p1)])
card += "\n### Targets\n\n"
card += f"- step-level ROC AUC >= 0.95 (issue 14): {p.get('step_auc', 0):.4f} -> {yn(p.get('step_auc', 0) >= 0.95)}\n"
for m in MID:
    card += f"- weighted best-of-{n} beats majority at level {m}: {wb.get(m, 0):.1f} vs {mj.get(m, 0):.1f} -> {yn(wb.get(m, 0) > mj.get(m, 0))}\n"
card += M.get("notes", {}).get("arith-prm", "")
open(os.path.join(args.models, "arith-prm", "MODEL_CARD.md"), "w").write(card)

# ---------------------------------------------------------------- large policy
c = cfg("arith-policy-large")
cs = cfg("arith-policy")
gl, gs = l.get("greedy_pass@1", {}), s.get("greedy_pass@1", {})
el = ev("large")
card = header("arith-policy-large", c, f"Larger policy ({c['parameters'] / cs['parameters']:.1f}x the parameters of arith-policy), same data, "
              "format, tokenizer and ONNX layout, for the FLOPs-matched comparison of test-time compute against pretraining.")
card += f"## Measured on the test split ({el.get('questions', nq)} questions, levels balanced)\n\n"
card += table([("greedy pass@1 %", gl), ("arith-policy greedy pass@1 %", gs),
               ("pass@1 at T=0.8 (one sample) %", l.get("pass@1_T0.8_one_sample", {})), ("arith-policy pass@1 at T=0.8 %", p1)])
above = all(gl.get(v, 0) > gs.get(v, 0) for v in LV)
card += f"\n### Targets\n\n- greedy pass@1 above arith-policy's at every level: {yn(above)} (" + ", ".join(
    f"L{v} {gl.get(v, 0) - gs.get(v, 0):+.1f}" for v in LV) + ")\n"
card += M.get("notes", {}).get("arith-policy-large", "")
open(os.path.join(args.models, "arith-policy-large", "MODEL_CARD.md"), "w").write(card)
print("wrote model cards")
