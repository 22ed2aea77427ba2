#!/usr/bin/env python3
"""Converts the MATH-500 and GSM8K test files, as published, into Reckon's question JSONL.

Usage: import_benchmarks.py MATH500_SOURCE GSM8K_SOURCE
  MATH500_SOURCE  envs/MATH/dataset/test500.jsonl of github.com/openreasoner/openr
  GSM8K_SOURCE    grade_school_math/data/test.jsonl of github.com/openai/grade-school-math

Writes data/math500/test.jsonl and data/gsm8k/test.jsonl (relative to the repository root):
one {"id", "question", "answer", "level"?, "subject"?, "solution"} per line, in source order.
The reference solution is kept so that tests can grade it (docs/tasks.md); nothing is edited.
Origins, commits, licences and hashes are in data/SOURCES.md.
"""
import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def write(path, rows):
    with open(os.path.join(ROOT, path), "w", encoding="utf-8", newline="\n") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"{path}: {len(rows)} questions")


def math500(source):
    rows = []
    with open(source, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            r = json.loads(line)
            level = re.fullmatch(r"Level (\d)", r["level"])
            rows.append({
                "id": r["unique_id"],
                "question": r["problem"],
                "answer": r["answer"],
                "level": int(level.group(1)),
                "subject": r["subject"],
                "solution": r["solution"],
            })
    return rows


def gsm8k(source):
    rows = []
    with open(source, encoding="utf-8") as f:
        for i, line in enumerate(l for l in f if l.strip()):
            r = json.loads(line)
            answer = r["answer"].split("####")[-1].strip()
            rows.append({
                "id": f"gsm8k-test-{i:04d}",
                "question": r["question"],
                "answer": answer,
                "solution": r["answer"],
            })
    return rows


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    write("data/math500/test.jsonl", math500(sys.argv[1]))
    write("data/gsm8k/test.jsonl", gsm8k(sys.argv[2]))
