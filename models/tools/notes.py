"""Adds the honest-status notes of the shipped run to the metrics (write_cards.py prints them)."""
import json, sys
p = sys.argv[1]
m = json.load(open(p))
# Written for the shipped (compute-starved) run; a run that reaches the targets gets no such note.
if m.get("small", {}).get("pass@1_T0.8", {}).get("1", 0) >= 80:
    sys.exit(0)
common = ("\n## Honest status\n\n"
  "The quality targets were set for a model that has learned the arithmetic. On the compute this recipe had "
  "(2 CPU cores shared with other builds; the training processes mostly got 25-60 % of a core each), the small "
  "policy saw about 9.4 M training tokens in about 55 minutes of wall time over three stages. It learned the format, the step order "
  "(products first, then left to right), copying operands and running values between lines, the answer line, "
  "`<eos>`, and the revision prompt layout, but not yet the arithmetic facts themselves (the result digits of "
  "a step are still close to guesses), so its pass@1 is near zero at every level and the targets that depend on "
  "it are not met. The training loss was still falling when the time budget ended (0.36 nats/token on the "
  "solution tokens). What would most likely reach the targets (not verified here): the same recipe with many times more "
  "training tokens (a rough guess: 10-50x), i.e. larger `--steps` in `models/train.sh`; the data, "
  "format, tokenizer and ONNX layouts do not need to change.\n\n"
  "The evaluation itself was cut to the first 20 test questions per level and 8 samples per question to fit the "
  "time, so one question is 5 points at a level: a target marked met or not met by a difference of one or two "
  "questions (for instance the revision comparison) is within noise.\n")
m["notes"] = {
  "arith-policy": common,
  "arith-prm": common + ("\nThe PRM inherits the policy's backbone and was trained on the policy's (mostly wrong) "
      "samples; with near-zero policy accuracy the best-of-N comparisons have almost nothing to choose from.\n"),
  "arith-policy-large": common + ("\nThe large policy was built by widening the trained small policy 3x "
      "(function preserving, `tools/grow.py`: 9x the parameters) and training it further for the minutes that "
      "were left; its `training_tokens` include the small policy's tokens before widening. For a FLOPs "
      "comparison count 6 x 0.46 M x (tokens before widening) + 6 x 4.09 M x (tokens after).\n"),
}
json.dump(m, open(p, "w"), indent=1)
