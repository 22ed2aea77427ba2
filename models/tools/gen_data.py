"""Writes data/arith/{validation,test,train_sample}.jsonl with fixed seeds.
Training questions are drawn on the fly by the trainers (seeded), rejecting every
validation/test question, so the splits are disjoint by construction (check.py verifies)."""
import os
import random
import sys

sys.path.insert(0, os.path.dirname(__file__))
import arith  # noqa: E402

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..", "data", "arith")


def make_split(name, per_level, seed, taken, table=None):
    rng = random.Random(seed)
    rows = []
    for level in range(1, 7):
        n = tries = 0
        while n < per_level:
            tries += 1
            if tries > 200000:
                raise RuntimeError(f"level {level}: not enough fresh questions")
            q = arith.gen_question(rng, level, table)
            if q in taken:
                continue
            taken.add(q)
            n += 1
            rows.append({"id": f"{name}-L{level}-{n:04d}", "question": q,
                         "answer": str(arith.answer_of(q)), "level": level})
    return rows


def train_stream(seed, exclude, level_weights=None, table=None):
    """Infinite seeded stream of (question, level) for training, disjoint from `exclude`."""
    rng = random.Random(seed)
    while True:
        level = rng.randint(1, 6) if level_weights is None else rng.choices(range(1, 7), weights=level_weights)[0]
        q = arith.gen_question(rng, level, table)
        if q not in exclude:
            yield q, level


# Training stages 1-2 drew from the V0 level table, excluding that table's held-out splits;
# (seed, level weights, questions drawn at most) of those streams:
V0_STREAMS = [(1 * 7919, None, 40000), (11 * 7919, None, 80000), (12 * 7919, [3, 3, 2, 1.5, 1, 1], 80000)]


def v0_training_questions():
    taken = set()
    make_split("val", 100, 1001, taken, arith.LEVELS_V0)
    make_split("test", 200, 2002, taken, arith.LEVELS_V0)
    seen = set()
    for seed, w, n in V0_STREAMS:
        st = train_stream(seed, set(taken), w, arith.LEVELS_V0)
        seen.update(next(st)[0] for _ in range(n))
    return seen


def main():
    os.makedirs(OUT, exist_ok=True)
    taken = v0_training_questions()  # never put a question stages 1-2 trained on into a split
    v0 = len(taken)
    val = make_split("val", 100, 1001, taken)
    test = make_split("test", 200, 2002, taken)
    arith.write_jsonl(os.path.join(OUT, "validation.jsonl"), val)
    arith.write_jsonl(os.path.join(OUT, "test.jsonl"), test)
    # a small sample of what the trainers draw (the training set itself is an endless seeded
    # stream and is not shipped)
    sample, seen = [], set()
    for q, lvl in train_stream(3003, taken):
        if len(sample) >= 1200:
            break
        if q in seen:
            continue
        seen.add(q)
        sample.append({"id": f"train-{len(sample):05d}", "question": q, "answer": str(arith.answer_of(q)), "level": lvl})
    arith.write_jsonl(os.path.join(OUT, "train_sample.jsonl"), sample)
    print(f"(excluded {v0} stage-1/2 training questions) validation {len(val)}  test {len(test)}  train_sample {len(sample)} -> {OUT}")


if __name__ == "__main__":
    main()
