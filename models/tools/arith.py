"""Shared code of the Reckon arithmetic recipe: questions, step semantics, text format,
tokenizer, the transformer (policy and PRM) and a batched KV-cache sampler.

Step semantics (documented in models/README.md):
  * every question is a chain of positive integers joined by + - * (no parentheses);
  * first every product term is evaluated, left to right (terms have at most two factors),
    one line `a*b=c` per product;
  * then the resulting additive chain is folded left to right, one line `x+y=z` / `x-y=z`
    per operation, where x is the running value (may be negative) and y the next term value;
  * the answer line `A: v` closes the solution.
"""
import json
import math
import random

import torch
import torch.nn as nn
import torch.nn.functional as F

# ----------------------------------------------------------------------------- format
PROMPT_TEMPLATE = "Q: {question}\n"
ATTEMPT_TEMPLATE = "P: {attempt}\n"
ATTEMPT_JOINER = "; "
STEP_DELIM = "\n"
ANSWER_MARKER = "A: "
MAX_ATTEMPTS = 4

SPECIALS = ["<pad>", "<eos>", "<unk>"]
PAD, EOS, UNK = 0, 1, 2
CHARS = ["\n", " ", "*", "+", "-", ";", ":", "="] + [str(d) for d in range(10)] + ["A", "P", "Q"]
VOCAB = SPECIALS + CHARS
STOI = {c: i for i, c in enumerate(VOCAB)}
VOCAB_SIZE = len(VOCAB)


def encode(text):
    return [STOI.get(c, UNK) for c in text]


def decode(ids):
    out = []
    for i in ids:
        if i == EOS:
            break
        if i >= len(SPECIALS):
            out.append(VOCAB[i])
    return "".join(out)


def tokenizer_json():
    vocab = {tok: i for i, tok in enumerate(VOCAB)}
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [
            {"id": i, "content": s, "single_word": False, "lstrip": False, "rstrip": False,
             "normalized": False, "special": True} for i, s in enumerate(SPECIALS)
        ],
        "normalizer": None,
        "pre_tokenizer": None,
        "post_processor": None,
        "decoder": {"type": "Fuse"},
        "model": {
            "type": "BPE",
            "dropout": None,
            "unk_token": "<unk>",
            "continuing_subword_prefix": None,
            "end_of_word_suffix": None,
            "fuse_unk": False,
            "byte_fallback": False,
            "vocab": vocab,
            "merges": [],
        },
    }


def prompt(question, attempts=()):
    s = PROMPT_TEMPLATE.format(question=question)
    for a in list(attempts)[-MAX_ATTEMPTS:]:
        s += ATTEMPT_TEMPLATE.format(attempt=ATTEMPT_JOINER.join(a.strip("\n").split("\n")))
    return s


# ----------------------------------------------------------------------------- questions
LEVELS = {
    # ops, max +/- operand, product factor ranges (a, b), probability an op is '*'
    1: dict(ops=1, addmax=30, pa=(2, 15), pb=(2, 12), pmul=0.34),
    2: dict(ops=2, addmax=20, pa=(2, 12), pb=(2, 9), pmul=0.34),
    3: dict(ops=3, addmax=50, pa=(2, 20), pb=(2, 9), pmul=0.34),
    4: dict(ops=4, addmax=99, pa=(2, 50), pb=(2, 9), pmul=0.34),
    5: dict(ops=5, addmax=999, pa=(10, 99), pb=(2, 9), pmul=0.34),
    6: dict(ops=6, addmax=999, pa=(10, 99), pb=(10, 99), pmul=0.34),
}


# The level table of the first two training stages (harder low levels, see README): the
# question sets exclude every question those stages drew, replayed by gen_data.py.
LEVELS_V0 = {
    1: dict(ops=1, addmax=99, pa=(2, 30), pb=(2, 9), pmul=0.34),
    2: dict(ops=2, addmax=99, pa=(2, 99), pb=(2, 9), pmul=0.34),
    3: dict(ops=3, addmax=999, pa=(2, 99), pb=(2, 9), pmul=0.34),
    4: dict(ops=4, addmax=999, pa=(10, 99), pb=(2, 19), pmul=0.34),
    5: dict(ops=5, addmax=999, pa=(10, 99), pb=(2, 39), pmul=0.34),
    6: dict(ops=6, addmax=999, pa=(10, 99), pb=(10, 99), pmul=0.34),
}


def gen_question(rng, level, table=None):
    cfg = (table or LEVELS)[level]
    n = cfg["ops"]
    while True:
        ops = []
        for i in range(n):
            # no chained products (a*b*c): a '*' never follows a '*'
            if (not ops or ops[-1] != "*") and rng.random() < cfg["pmul"]:
                ops.append("*")
            else:
                ops.append(rng.choice("+-"))
        nums = []
        for i in range(n + 1):
            left_mul = i > 0 and ops[i - 1] == "*"
            right_mul = i < n and ops[i] == "*"
            if right_mul:
                nums.append(rng.randint(*cfg["pa"]))
            elif left_mul:
                nums.append(rng.randint(*cfg["pb"]))
            else:
                nums.append(rng.randint(1, cfg["addmax"]))
        q = str(nums[0]) + "".join(o + str(x) for o, x in zip(ops, nums[1:]))
        if level == 1 or "*" in q or rng.random() < 0.5:  # keep products frequent
            return q


def parse(question):
    nums, ops, cur = [], [], ""
    for ch in question:
        if ch.isdigit():
            cur += ch
        else:
            nums.append(int(cur))
            ops.append(ch)
            cur = ""
    nums.append(int(cur))
    return nums, ops


def solve_steps(question):
    """Returns (steps, answer): steps as (a, op, b, c) tuples in the documented order."""
    nums, ops = parse(question)
    steps = []
    terms, signs = [nums[0]], []
    for op, x in zip(ops, nums[1:]):
        if op == "*":
            a = terms[-1]
            c = a * x
            steps.append((a, "*", x, c))
            terms[-1] = c
        else:
            terms.append(x)
            signs.append(op)
    acc = terms[0]
    for op, t in zip(signs, terms[1:]):
        c = acc + t if op == "+" else acc - t
        steps.append((acc, op, t, c))
        acc = c
    return steps, acc


def answer_of(question):
    return solve_steps(question)[1]


def step_line(s):
    a, op, b, c = s
    return f"{a}{op}{b}={c}"


def solution_text(steps, answer):
    return "".join(step_line(s) + "\n" for s in steps) + f"{ANSWER_MARKER}{answer}\n"


def gold_solution(question):
    steps, ans = solve_steps(question)
    return solution_text(steps, ans)


def wrong_value(rng, c):
    """A plausible wrong result for c (a slip of one digit, a carry, an off-by-small)."""
    for _ in range(20):
        r = rng.random()
        s = str(abs(c))
        if r < 0.4 and len(s) >= 1:
            i = rng.randrange(len(s))
            d = rng.choice([x for x in "0123456789" if x != s[i]])
            if i == 0 and d == "0" and len(s) > 1:
                continue
            v = int(s[:i] + d + s[i + 1:])
            v = -v if c < 0 else v
        elif r < 0.7:
            v = c + rng.choice([-1, 1]) * 10 ** rng.randrange(max(1, len(s)))
        else:
            v = c + rng.choice([-1, 1]) * rng.randint(1, 9)
        if v != c:
            return v
    return c + 1


def corrupt_solution(rng, question):
    """A wrong solution: a slip in one step (later steps consistent with it), sometimes a
    wrong final answer line only, sometimes ignoring precedence. Returns (text, answer)."""
    steps, ans = solve_steps(question)
    r = rng.random()
    nums, ops = parse(question)
    if r < 0.12 and "*" in ops and any(o != "*" for o in ops):
        # left-to-right evaluation, ignoring precedence
        acc, out = nums[0], []
        for op, x in zip(ops, nums[1:]):
            c = acc * x if op == "*" else (acc + x if op == "+" else acc - x)
            out.append((acc, op, x, c))
            acc = c
        if acc != ans:
            return solution_text(out, acc), acc
    if r < 0.22:
        bad = wrong_value(rng, ans)
        return solution_text(steps, bad), bad
    k = rng.randrange(len(steps))
    new = list(steps[:k])
    a, op, b, c = steps[k]
    new.append((a, op, b, wrong_value(rng, c)))
    # recompute the rest from the slipped value (the rest is "consistent" with the slip)
    prod_vals = {}
    # re-run the evaluation with the substituted value
    terms, signs = [nums[0]], []
    idx = 0
    out = []
    for opx, x in zip(ops, nums[1:]):
        if opx == "*":
            a2 = terms[-1]
            c2 = a2 * x
            if idx == k:
                c2 = new[k][3]
            out.append((a2, "*", x, c2))
            terms[-1] = c2
            idx += 1
        else:
            terms.append(x)
            signs.append(opx)
    acc = terms[0]
    for opx, t in zip(signs, terms[1:]):
        c2 = acc + t if opx == "+" else acc - t
        if idx == k:
            c2 = new[k][3]
        out.append((acc, opx, t, c2))
        acc = c2
        idx += 1
    if acc == ans:
        acc = wrong_value(rng, ans)
    return solution_text(out, acc), acc


def edit_distance(a, b):
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def closeness(attempt, gold):
    """Larger = closer to the right solution: a longer right prefix, then a nearer answer."""
    n = 0
    while n < min(len(attempt), len(gold)) and attempt[n] == gold[n]:
        n += 1
    try:
        a = int(attempt.strip().split("\n")[-1][len(ANSWER_MARKER):])
        g = int(gold.strip().split("\n")[-1][len(ANSWER_MARKER):])
        d = abs(a - g)
    except ValueError:
        d = 10 ** 9
    return (n, -d)


def revision_example(rng, question, n_attempts):
    """Prompt with n wrong attempts (the last one the closest to the right solution, as in
    the paper) followed by the right solution."""
    gold = gold_solution(question)
    atts = []
    seen = set()
    for _ in range(n_attempts * 3):
        t, _ = corrupt_solution(rng, question)
        if t not in seen:
            seen.add(t)
            atts.append(t)
        if len(atts) == n_attempts:
            break
    atts.sort(key=lambda t: closeness(t, gold))
    return prompt(question, atts), gold


def policy_example(rng, question, revision_frac):
    """One policy training example: (token ids of prompt + solution + <eos>, prompt length). A
    revision prompt (1-4 wrong attempts) with probability revision_frac, else a fresh prompt."""
    if rng.random() < revision_frac:
        p, s = revision_example(rng, question, rng.randint(1, MAX_ATTEMPTS))
    else:
        p, s = prompt(question), gold_solution(question)
    pi, si = encode(p), encode(s) + [EOS]
    return pi + si, len(pi)


# ----------------------------------------------------------------------------- model
def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat([-x[..., h:], x[..., :h]], dim=-1)


class Block(nn.Module):
    def __init__(self, d, h):
        super().__init__()
        self.h, self.hd = h, d // h
        self.ln1 = nn.LayerNorm(d)
        self.qkv = nn.Linear(d, 3 * d)
        self.proj = nn.Linear(d, d)
        self.ln2 = nn.LayerNorm(d)
        self.fc1 = nn.Linear(d, 4 * d)
        self.fc2 = nn.Linear(4 * d, d)

    def forward(self, x, bias, past_k=None, past_v=None, rope=None, cache=None, cache_at=0):
        B, T, D = x.shape
        q, k, v = self.qkv(self.ln1(x)).split(D, dim=2)
        q = q.view(B, T, self.h, self.hd).transpose(1, 2)
        k = k.view(B, T, self.h, self.hd).transpose(1, 2)
        v = v.view(B, T, self.h, self.hd).transpose(1, 2)
        if rope is not None:
            cos, sin = rope
            q = q * cos + rotate_half(q) * sin
            k = k * cos + rotate_half(k) * sin
        if cache is not None:  # preallocated KV buffers (fast sampling in PyTorch)
            cache[0][:, :, cache_at:cache_at + T] = k
            cache[1][:, :, cache_at:cache_at + T] = v
            k = cache[0][:, :, :cache_at + T]
            v = cache[1][:, :, :cache_at + T]
        elif past_k is not None:
            k = torch.cat([past_k, k], dim=2)
            v = torch.cat([past_v, v], dim=2)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(self.hd)) + bias
        att = torch.softmax(att, dim=-1)
        y = (att @ v).transpose(1, 2).reshape(B, T, D)
        x = x + self.proj(y)
        x = x + self.fc2(F.gelu(self.fc1(self.ln2(x))))
        return x, k, v


class GPT(nn.Module):
    def __init__(self, layers, heads, hidden, max_positions, vocab=VOCAB_SIZE, prm=False, rope=True, prm_feature=None):
        super().__init__()
        self.cfg = dict(layers=layers, heads=heads, hidden=hidden, max_positions=max_positions,
                        vocab=vocab, prm=prm, rope=rope)
        if prm_feature:
            if prm_feature != PRM_FEATURE or not prm:
                raise ValueError(f"prm_feature must be None or {PRM_FEATURE!r} (and only for a PRM), got {prm_feature!r}")
            self.cfg["prm_feature"] = prm_feature
        self.tok = nn.Embedding(vocab, hidden)
        self.pos = None if rope else nn.Embedding(max_positions, hidden)
        hd = hidden // heads
        self.register_buffer("inv_freq", 1.0 / (10000.0 ** (torch.arange(0, hd, 2).float() / hd)), persistent=False)
        self.blocks = nn.ModuleList([Block(hidden, heads) for _ in range(layers)])
        self.lnf = nn.LayerNorm(hidden)
        self.head = nn.Linear(hidden, vocab, bias=False)
        self.score = nn.Linear(hidden, 1) if prm else None
        # v3 PRM: a linear read-out of the model's own LM surprise over the solution so far (see
        # surprise_features), added to the score head's logit
        self.feat = nn.Linear(N_SURPRISE_FEATURES, 1, bias=False) if prm_feature else None
        self.apply(self._init)
        if self.feat is not None:
            with torch.no_grad():  # start as "a surprising token so far makes the step unlikely right"
                self.feat.weight.copy_(torch.tensor([[-1.0, -0.5, -0.5, -0.5]]))

    @staticmethod
    def _init(m):
        if isinstance(m, (nn.Linear, nn.Embedding)):
            nn.init.normal_(m.weight, std=0.02)
        if isinstance(m, nn.Linear) and m.bias is not None:
            nn.init.zeros_(m.bias)

    def n_params(self):
        return sum(p.numel() for p in self.parameters())

    def body(self, input_ids, attention_mask, position_ids, past=None, caches=None, cache_at=0):
        """attention_mask: [B, past+T]; past: list of (k, v) or None. Returns hidden, presents."""
        B, T = input_ids.shape
        P = 0 if past is None else past[0][0].shape[2]
        total = attention_mask.shape[1]
        x = self.tok(input_ids)
        rope = None
        if self.pos is not None:
            x = x + self.pos(position_ids.clamp(min=0, max=self.cfg["max_positions"] - 1))
        else:
            ang = position_ids.clamp(min=0).unsqueeze(-1).float() * self.inv_freq  # [B, T, hd/2]
            ang = torch.cat([ang, ang], dim=-1).unsqueeze(1)  # [B, 1, T, hd]
            rope = (torch.cos(ang), torch.sin(ang))
        qpos = torch.arange(T, device=input_ids.device).unsqueeze(1) + (total - T)
        kpos = torch.arange(total, device=input_ids.device).unsqueeze(0)
        allowed = (kpos <= qpos).unsqueeze(0).unsqueeze(0) & (attention_mask > 0).unsqueeze(1).unsqueeze(2)
        bias = torch.zeros(allowed.shape, dtype=x.dtype, device=x.device).masked_fill(~allowed, -1e9)
        presents = []
        for i, blk in enumerate(self.blocks):
            pk, pv = (past[i] if past is not None else (None, None))
            x, k, v = blk(x, bias, pk, pv, rope, caches[i] if caches is not None else None, cache_at)
            presents.append((k, v))
        return self.lnf(x), presents

    def forward(self, input_ids, attention_mask, position_ids, past=None, caches=None, cache_at=0):
        h, presents = self.body(input_ids, attention_mask, position_ids, past, caches, cache_at)
        return self.head(h), presents

    def prm_scores(self, input_ids, attention_mask):
        return torch.sigmoid(self.prm_logits(input_ids, attention_mask))

    def prm_logits(self, input_ids, attention_mask, with_lm=False):
        """Per-position score logits; with_lm also returns the LM logits (joint training)."""
        B, T = input_ids.shape
        pos = torch.arange(T, device=input_ids.device).unsqueeze(0).expand(B, T)
        h, _ = self.body(input_ids, attention_mask, pos)
        s = self.score(h).squeeze(-1)
        lm = None
        if self.feat is not None or with_lm:
            lm = self.head(h)
        if self.feat is not None:
            # detached: the step labels must not teach the LM to be surprised by the right tokens
            # before a wrong step (the sum features would spread that gradient over the whole
            # prefix, and the LM got worse in a first try); the LM learns from the LM loss only
            s = s + self.feat(surprise_features(lm.detach(), input_ids, attention_mask)).squeeze(-1)
        return (s, lm) if with_lm else s

    def prm_with_past(self, input_ids, attention_mask, position_ids, past, past_state):
        """The PRM in the decoder-with-past layout: scores the new tokens `input_ids` [B, T]
        against the KV of the tokens before them, so that scoring step t of a solution feeds only
        step t's tokens. attention_mask [B, P+T] (0 on padding, which may sit left of the past
        and left of the new tokens); position_ids [B, T]; past as in `body`; past_state [B, 1, P,
        PRM_STATE + vocab], the per-position state this method returned for the past tokens.
        Returns (scores [B, T], presents, present_state [B, 1, P+T, S]).

        The state of a position carries what the surprise features (surprise_features) need from
        everything before it: the score there, the running max g, max u, sum u, sum g, the number
        of newlines so far, and the next-token log-probabilities at the last real position. With
        an empty past this computes exactly prm_scores over the whole text."""
        B, T = input_ids.shape
        V = self.head.weight.shape[0]
        h, presents = self.body(input_ids, attention_mask, position_ids, past)
        s = self.score(h).squeeze(-1)
        lp_new = torch.log_softmax(self.head(h), dim=-1)  # [B, T, V]
        # zeros [B, 1, 1, S] built from the batch (zeros_like of an empty past would be empty)
        zero = (h[:, :1, :1] * 0).unsqueeze(1).expand(-1, -1, -1, past_state.shape[3])
        last = torch.cat([zero, past_state], dim=2)[:, 0, -1, :]  # [B, S]: zeros when P = 0
        m = attention_mask[:, -T:].to(lp_new.dtype)  # the new positions' mask
        ar = torch.arange(T, device=input_ids.device)
        strict = (ar.unsqueeze(0) < ar.unsqueeze(1)).to(lp_new.dtype)  # [t, s]: s < t
        incl = (ar.unsqueeze(0) <= ar.unsqueeze(1)).to(lp_new.dtype)  # [t, s]: s <= t
        step = ((ar + 1).to(lp_new.dtype).unsqueeze(0) * m).unsqueeze(1)  # [B, 1, s]: s + 1 where real
        # index into [past's last, new 0, new 1, ...] of the last real position before (at) t
        before = (step * strict.unsqueeze(0)).max(dim=-1).values.long()
        upto = (step * incl.unsqueeze(0)).max(dim=-1).values.long()
        lp_ext = torch.cat([last[:, PRM_STATE:].unsqueeze(1), lp_new], dim=1)  # [B, T+1, V]
        lp_prev = lp_ext.gather(1, before.unsqueeze(-1).expand(B, T, V))
        u = -lp_prev.gather(-1, input_ids.unsqueeze(-1)).squeeze(-1)
        g = lp_prev.max(dim=-1).values + u
        nl = (input_ids == NEWLINE).to(u.dtype) * m
        nls = last[:, 5:6] + torch.cumsum(nl, dim=1)
        sol = ((nls - nl) > 0.5).to(u.dtype) * m
        u = u * sol
        g = g * sol
        gmax = torch.maximum((g.unsqueeze(1) * incl).max(dim=-1).values, last[:, 1:2])
        umax = torch.maximum((u.unsqueeze(1) * incl).max(dim=-1).values, last[:, 2:3])
        su = last[:, 3:4] + torch.cumsum(u, dim=1)
        sg = last[:, 4:5] + torch.cumsum(g, dim=1)
        feats = torch.stack([gmax, umax, torch.log1p(su), torch.log1p(sg)], dim=-1)
        scores = torch.sigmoid(s if self.feat is None else s + self.feat(feats).squeeze(-1))
        lp_last = lp_ext.gather(1, upto.unsqueeze(-1).expand(B, T, V))
        state = torch.cat([torch.stack([scores, gmax, umax, su, sg, nls], dim=-1), lp_last], dim=-1)
        return scores, presents, torch.cat([past_state, state.unsqueeze(1)], dim=2)


# Per-position PRM state (prm_with_past): score, max g, max u, sum u, sum g, newlines so far,
# then the vocabulary's next-token log-probabilities.
PRM_STATE = 6
PRM_FEATURE = "lm-surprise"
N_SURPRISE_FEATURES = 4
NEWLINE = STOI["\n"]


def surprise_features(lm_logits, input_ids, attention_mask):
    """[B, T, 4] features of the solution tokens up to each position t, from the model's own
    next-token distribution: u_s = -log p(token_s | tokens < s) (surprise) and g_s = max_v log
    p(v) - log p(token_s) (how far the token is from the model's own first choice, 0 when it is
    the argmax). Only solution tokens count (after the prompt's first '\n'). Features: max g,
    max u, log1p(sum u), log1p(sum g) over s <= t. On this task the canonical solution is unique,
    so a perfect LM has u = g = 0 on every right prefix and a large surprise at the first wrong
    token; the PRM learns how far to trust its own LM. Exportable to ONNX opset 14 (LogSoftmax,
    GatherElements, CumSum, ReduceMax)."""
    B, T = input_ids.shape
    lp = torch.log_softmax(lm_logits[:, :-1], dim=-1)
    u = -lp.gather(-1, input_ids[:, 1:].unsqueeze(-1)).squeeze(-1)
    g = lp.max(dim=-1).values + u
    zero = torch.zeros_like(u[:, :1])
    u = torch.cat([zero, u], dim=1)
    g = torch.cat([zero, g], dim=1)
    nl = (input_ids == NEWLINE).to(u.dtype)
    sol = ((torch.cumsum(nl, dim=1) - nl) > 0.5).to(u.dtype) * attention_mask.to(u.dtype)
    u = u * sol
    g = g * sol
    ar = torch.arange(T, device=input_ids.device)
    tri = (ar.unsqueeze(0) <= ar.unsqueeze(1)).to(u.dtype)  # [t, s]: s <= t
    gmax = (g.unsqueeze(1) * tri).max(dim=-1).values
    umax = (u.unsqueeze(1) * tri).max(dim=-1).values
    return torch.stack([gmax, umax, torch.log1p(torch.cumsum(u, dim=1)), torch.log1p(torch.cumsum(g, dim=1))], dim=-1)


@torch.no_grad()
def prm_scores_padded(prm, token_lists):
    """PRM scores [B, L] for token lists right-padded to the longest (the Java side's layout)."""
    L = max(len(e) for e in token_lists)
    ids = torch.full((len(token_lists), L), PAD, dtype=torch.long)
    for b, e in enumerate(token_lists):
        ids[b, :len(e)] = torch.tensor(e)
    return prm.prm_scores(ids, (ids != PAD).long())


def init_data_parallel():
    """(world, rank) from WORLD_SIZE / RANK (MASTER_ADDR / MASTER_PORT set by train.sh); joins the
    gloo process group when world > 1. On 2 cores two 1-thread processes train ~1.6x faster than
    one 2-thread process; each rank draws its own seeded data, gradients are averaged."""
    import os
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    if world > 1:
        import torch.distributed as dist
        dist.init_process_group("gloo", rank=rank, world_size=world)
    return world, rank


def save_ckpt(path, model, extra=None):
    torch.save({"cfg": model.cfg, "state": model.state_dict(), "extra": extra or {}}, path)


def load_ckpt(path):
    ck = torch.load(path, map_location="cpu")
    c = ck["cfg"]
    m = GPT(c["layers"], c["heads"], c["hidden"], c["max_positions"], c["vocab"], c["prm"], c.get("rope", False),
            c.get("prm_feature"))
    m.load_state_dict(ck["state"])
    m.eval()
    return m, ck.get("extra", {})


# ----------------------------------------------------------------------------- sampling
@torch.no_grad()
def generate(model, prompts, temperature=0.8, max_new=160, seed=0, greedy=False):
    """Batched sampling with a KV cache and left padding (the layout the Java side uses).
    Returns the completions as text (up to <eos>, eos excluded)."""
    dev = next(model.parameters()).device
    g = torch.Generator(device=dev).manual_seed(seed)
    enc = [encode(p) for p in prompts]
    B = len(enc)
    L = max(len(e) for e in enc)
    maxpos = model.cfg["max_positions"]
    max_new = max(1, min(max_new, maxpos - L))
    ids = torch.full((B, L), PAD, dtype=torch.long, device=dev)
    mask = torch.zeros((B, L + max_new), dtype=torch.long, device=dev)
    for i, e in enumerate(enc):
        ids[i, L - len(e):] = torch.tensor(e, device=dev)
        mask[i, L - len(e):L] = 1
    c = model.cfg
    hd = c["hidden"] // c["heads"]
    dt = next(model.parameters()).dtype
    caches = [(torch.zeros(B, c["heads"], L + max_new, hd, device=dev, dtype=dt),
               torch.zeros(B, c["heads"], L + max_new, hd, device=dev, dtype=dt))
              for _ in range(c["layers"])]
    pos = (mask[:, :L].cumsum(1) - 1).clamp(min=0)
    logits, _ = model(ids, mask[:, :L], pos, caches=caches, cache_at=0)
    nxt_logits = logits[:, -1, :]
    out = torch.full((B, max_new), EOS, dtype=torch.long, device=dev)
    done = torch.zeros(B, dtype=torch.bool, device=dev)
    last_pos = pos[:, -1]
    for t in range(max_new):
        if greedy or temperature <= 0:
            nxt = nxt_logits.argmax(-1)
        else:
            probs = torch.softmax(nxt_logits.float() / temperature, dim=-1)
            nxt = torch.multinomial(probs, 1, generator=g).squeeze(1)
        nxt = torch.where(done, torch.full_like(nxt, EOS), nxt)
        out[:, t] = nxt
        done = done | (nxt == EOS)
        if bool(done.all()) or t == max_new - 1:
            break
        mask[:, L + t] = 1
        last_pos = last_pos + 1
        logits, _ = model(nxt.unsqueeze(1), mask[:, :L + t + 1], last_pos.unsqueeze(1), caches=caches, cache_at=L + t)
        nxt_logits = logits[:, -1, :]
    return [decode(o.tolist()) for o in out.cpu()]


def extract_answer(completion):
    for line in completion.split("\n"):
        if line.startswith(ANSWER_MARKER):
            v = line[len(ANSWER_MARKER):].strip()
            try:
                return str(int(v))
            except ValueError:
                return None
    return None


def read_jsonl(path):
    with open(path) as f:
        return [json.loads(l) for l in f if l.strip()]


def write_jsonl(path, rows):
    with open(path, "w") as f:
        for r in rows:
            f.write(json.dumps(r) + "\n")


def auc(pos_scores, neg_scores):
    """ROC AUC by the rank sum (ties averaged)."""
    allv = sorted([(s, 1) for s in pos_scores] + [(s, 0) for s in neg_scores])
    # rank-sum with ties averaged
    ranks = {}
    i = 0
    rsum = 0.0
    while i < len(allv):
        j = i
        while j < len(allv) and allv[j][0] == allv[i][0]:
            j += 1
        r = (i + j + 1) / 2.0
        rsum += r * sum(1 for k in range(i, j) if allv[k][1] == 1)
        i = j
    P, N = len(pos_scores), len(neg_scores)
    if P == 0 or N == 0:
        return float("nan")
    return (rsum - P * (P + 1) / 2.0) / (P * N)


# ----------------------------------------------------------------------------- PRM labels
def step_labels(question, completion):
    """Splits a completion into lines and labels the '\\n' that ends each line.
    A step line is right iff it and every line before it equal the canonical solution's
    lines (every step arithmetically right and the right answer still reachable); the answer
    line is right iff its answer equals the ground truth. Returns [(char_end, label)] where
    char_end indexes the '\\n' inside the completion; lines without a terminating '\\n' are
    ignored."""
    steps, ans = solve_steps(question)
    gold = [step_line(s) for s in steps]
    out = []
    ok = True
    pos = 0
    k = 0
    while True:
        nl = completion.find("\n", pos)
        if nl < 0:
            break
        line = completion[pos:nl]
        if line.startswith(ANSWER_MARKER):
            out.append((nl, line[len(ANSWER_MARKER):].strip() == str(ans)))
            break
        ok = ok and k < len(gold) and line == gold[k]
        out.append((nl, ok))
        k += 1
        pos = nl + 1
    return out


# ----------------------------------------------------------------------------- PRM v3 contrastive steps
SLIP_KINDS = ("digit", "operand", "operator", "answer")


def slip_digit(rng, v):
    """v with exactly one digit changed (same sign and length, no leading zero)."""
    s = str(abs(v))
    for _ in range(50):
        i = rng.randrange(len(s))
        d = rng.choice([x for x in "0123456789" if x != s[i]])
        if i == 0 and d == "0" and len(s) > 1:
            continue
        w = int(s[:i] + d + s[i + 1:])
        return -w if v < 0 else w
    return v + 1 if v >= 0 else v - 1


def apply_op(a, op, b):
    return a * b if op == "*" else (a + b if op == "+" else a - b)


def slipped_line(rng, step, kind):
    """A wrong version of the step line (a, op, b, c) of the given kind: 'digit' one digit of the
    result; 'operand' one digit of an operand (the result kept, or recomputed from the slipped
    operand so the line is arithmetically right but does not follow from the question); 'operator'
    the operator swapped (result recomputed or kept). Never equal to the right line."""
    a, op, b, c = step
    right = step_line(step)
    for _ in range(20):
        if kind == "digit":
            line = step_line((a, op, b, slip_digit(rng, c)))
        elif kind == "operand":
            if rng.random() < 0.5 or a < 0:
                b2, a2 = slip_digit(rng, b), a
            else:
                a2, b2 = slip_digit(rng, a), b
            line = step_line((a2, op, b2, apply_op(a2, op, b2) if rng.random() < 0.5 else c))
        elif kind == "operator":
            op2 = rng.choice([o for o in "+-*" if o != op])
            line = step_line((a, op2, b, apply_op(a, op2, b) if rng.random() < 0.5 else c))
        else:
            raise ValueError(kind)
        if line != right:
            return line
    return step_line((a, op, b, c + 1))


def contrastive_pair(rng, question, kind=None):
    """(right_text, wrong_text, kind): the same canonical prefix followed by the right next line
    and by a slipped one ('answer': the answer line with one digit of the answer changed). Texts
    are completions (after the prompt), each line ending in '\\n'."""
    steps, ans = solve_steps(question)
    kind = kind or rng.choice(SLIP_KINDS)
    k = rng.randrange(len(steps) + 1) if kind != "answer" else len(steps)
    if k == len(steps) and kind != "answer":
        k = len(steps) - 1
    prefix = "".join(step_line(s) + "\n" for s in steps[:k])
    if kind == "answer":
        return prefix + f"{ANSWER_MARKER}{ans}\n", prefix + f"{ANSWER_MARKER}{slip_digit(rng, ans)}\n", kind
    return prefix + step_line(steps[k]) + "\n", prefix + slipped_line(rng, steps[k], kind) + "\n", kind
