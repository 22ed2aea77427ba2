#!/usr/bin/env python3
"""Turns recorded LLM samples from public repositories into Reckon's compact replay files.

Rerun (python3 only, no extra packages), from the repository root:

  python3 data/recorded/convert.py date  PREDICTIONS.jsonl GOLD.jsonl > data/recorded/date.jsonl
  python3 data/recorded/convert.py math  math_cot_100.jsonl            > data/recorded/math.jsonl

where the inputs are, byte for byte, the upstream files named in data/SOURCES.md (their SHA-256
is checked here, so a different input is refused instead of silently giving other numbers).

A replay file is also a question file (Reckon's Dataset reads id, question, answer, level and
ignores the rest). Per question it holds the recorded samples in upstream order:

  {"id", "question", "answer", "level"?, "samples": [{"final", "tokens", "score"?, "rm_logit"?,
   "upstream_correct"?, "text"?}, ...]}

final   the sample's answer-bearing tail, untouched: for the date set the text from the last
        "So the answer is" to the end of its line; for MATH the line that holds the last \\boxed
        (plus following lines until its braces close). Reckon's task extracts the answer from it;
        nothing here normalises or compares answers.
tokens  ESTIMATED generated tokens of the whole sample (no upstream file records them): the number
        of pieces of a GPT-2-style pre-tokenizer (a word with its leading space, a run of
        punctuation, a run of whitespace; code-davinci-002's p50k and Qwen2's tokenizers merge
        less than that only for rare words, so this slightly under-counts). For the Qwen samples
        every digit counts as one token, as Qwen2's tokenizer splits digits.
score   MATH only: the recorded reward-model score mapped to (0, 1) by the logistic function, so
        that it can stand where Reckon expects a verifier's probability (the order, and so RM-best,
        is unchanged); rm_logit is the recorded raw value.
upstream_correct  MATH only: the upstream evaluation's own verdict on the sample (its `score`),
        kept to cross-check Reckon's math task, never used for grading.
text    the full sample text, kept for one sample per question (for extraction tests and so that
        the replay serves real text where it has it).
"""

import hashlib
import json
import math
import re
import sys

UPSTREAM_SHA256 = {
    "date-predictions": "3be92fe1d1ad93301a61f163029dc1743aca0d0997e9330ec6c810da2731b193",
    "date-gold": "55098fe0373ab2bd4be922385c45e383fb24e127d2e86ceef89234f69f9a2f88",
    "math": "5b9128525733336c4b5bf5d3222f72b18655a305258dc09c301b546e9365ba5e",
}

DATE_MARKER = "So the answer is"
# GPT-2's pre-tokenizer, with \p{L} spelled for Python's re ([^\W\d_]); digits as one run or singly.
_PIECES_RUN = re.compile(r"'(?:[sdmt]|ll|ve|re)| ?[^\W\d_]+| ?\d+| ?[^\s\w]+|\s+(?!\S)|\s+")
_PIECES_DIGIT = re.compile(r"'(?:[sdmt]|ll|ve|re)| ?[^\W\d_]+|\d| ?[^\s\w]+|\s+(?!\S)|\s+")


def tokens(text, split_digits):
    return len((_PIECES_DIGIT if split_digits else _PIECES_RUN).findall(text))


def read_checked(path, key):
    data = open(path, "rb").read()
    digest = hashlib.sha256(data).hexdigest()
    if digest != UPSTREAM_SHA256[key]:
        sys.exit(f"{path}: SHA-256 {digest} is not the upstream file's {UPSTREAM_SHA256[key]} "
                 f"(see data/SOURCES.md)")
    return [json.loads(line) for line in data.decode("utf-8").splitlines() if line.strip()]


def date_final(text):
    i = text.rfind(DATE_MARKER)
    if i < 0:
        lines = [l for l in text.split("\n") if l.strip()]
        return lines[-1].strip() if lines else ""
    end = text.find("\n", i)
    return text[i:] if end < 0 else text[i:end]


def boxed_final(text):
    i = text.rfind("\\boxed")
    if i < 0:
        lines = [l for l in text.split("\n") if l.strip()]
        return lines[-1].strip() if lines else ""
    start = text.rfind("\n", 0, i) + 1
    # Follow the braces of the last \boxed so that a group that spans lines is kept whole.
    depth, j, opened = 0, i, False
    while j < len(text):
        ch = text[j]
        if ch == "{":
            depth += 1
            opened = True
        elif ch == "}":
            depth -= 1
            if opened and depth == 0:
                break
        j += 1
    end = text.find("\n", j)
    end = len(text) if end < 0 else end
    # Degenerate samples run on after the answer: keep at most 200 characters past the group.
    return text[start:min(end, j + 201)]


def convert_date(pred_path, gold_path):
    preds = read_checked(pred_path, "date-predictions")
    gold = read_checked(gold_path, "date-gold")
    if [p["id"] for p in preds] != [g["id"] for g in gold]:
        sys.exit("predictions and gold answers are not in the same order")
    for q, (p, g) in enumerate(zip(preds, gold)):
        answer = g["answer"].split("####", 1)[1].strip()
        keep = (q * 7) % len(p["completions"])
        samples = []
        for k, text in enumerate(p["completions"]):
            s = {"final": date_final(text), "tokens": tokens(text, split_digits=False)}
            if k == keep:
                s["text"] = text
            samples.append(s)
        yield {"id": f"date-{g['id']}", "question": g["question"], "answer": answer,
               "samples": samples}


def convert_math(path):
    rows = read_checked(path, "math")
    for q, r in enumerate(rows):
        level = int(r["level"].split()[-1]) if r.get("level", "").startswith("Level") else None
        keep = (q * 3) % len(r["response"])
        samples = []
        for k, text in enumerate(r["response"]):
            logit = r["pred_score"][k][0]
            s = {"final": boxed_final(text), "tokens": tokens(text, split_digits=True),
                 "score": round(1 / (1 + math.exp(-logit)), 6), "rm_logit": logit,
                 "upstream_correct": bool(r["score"][k])}
            if k == keep:
                s["text"] = text
            samples.append(s)
        out = {"id": f"math-{r['idx']}", "question": r["question"], "answer": r["gt"]}
        if level is not None:
            out["level"] = level
        out["samples"] = samples
        yield out


def main(argv):
    if len(argv) >= 4 and argv[1] == "date":
        rows = convert_date(argv[2], argv[3])
    elif len(argv) >= 3 and argv[1] == "math":
        rows = convert_math(argv[2])
    else:
        sys.exit(__doc__.split("\n\n")[1])
    for row in rows:
        sys.stdout.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main(sys.argv)
