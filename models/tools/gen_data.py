"""Writes data/arith/{validation,test,train_sample}.jsonl with fixed seeds.
Training questions are drawn on the fly by the trainers (seeded), rejecting every
validation/test question, so the splits are disjoint by construction (check.py verifies)."""
import os
import random
import sys

sys.path.insert(0, os.path.dirname(__file__))
import arith  # noqa: E402

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..", "data", "arith")


def make_split(name, per_level, seed, taken):
    rng = random.Random(seed)
    rows = []
    for level in range(1, 7):
        n = 0
        while n < per_level:
            q = arith.gen_question(rng, level)
            if q in taken:
                continue
            taken.add(q)
            n += 1
            rows.append({"id": f"{name}-L{level}-{n:04d}", "question": q,
                         "answer": str(arith.answer_of(q)), "level": level})
    return rows


def train_stream(seed, exclude):
    """Infinite seeded stream of (question, level) for training, disjoint from `exclude`."""
    rng = random.Random(seed)
    while True:
        level = rng.randint(1, 6)
        q = arith.gen_question(rng, level)
        if q not in exclude:
            yield q, level


def main():
    os.makedirs(OUT, exist_ok=True)
    taken = set()
    val = make_split("val", 100, 1001, taken)
    test = make_split("test", 200, 2002, taken)
    arith.write_jsonl(os.path.join(OUT, "validation.jsonl"), val)
    arith.write_jsonl(os.path.join(OUT, "test.jsonl"), test)
    sample = []
    for i, (q, lvl) in enumerate(train_stream(3003, taken)):
        if i >= 1200:
            break
        sample.append({"id": f"train-{i:05d}", "question": q, "answer": str(arith.answer_of(q)), "level": lvl})
    arith.write_jsonl(os.path.join(OUT, "train_sample.jsonl"), sample)
    print(f"validation {len(val)}  test {len(test)}  train_sample {len(sample)} -> {OUT}")


if __name__ == "__main__":
    main()
