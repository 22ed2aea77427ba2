#!/usr/bin/env python3
"""Markdown tables from a `reckon report` summary.json (what the README's findings quote).

usage: bench/summary-tables.py out/report/summary.json > tables.md

Every accuracy is printed as `value [low, high]` in percent: the report's 95 % bootstrap
interval over questions. Nothing here computes a new number; it only lays out summary.json.
"""
import json
import sys


def pct(iv, digits=1):
    if iv is None or iv.get("value") is None:
        return ""
    v, lo, hi = iv["value"], iv.get("low"), iv.get("high")
    if lo is None or hi is None:
        return f"{100 * v:.{digits}f}"
    return f"{100 * v:.{digits}f} [{100 * lo:.{digits}f}, {100 * hi:.{digits}f}]"


def pts(iv):
    """A difference already in points."""
    if iv is None or iv.get("value") is None:
        return ""
    return f"{iv['value']:+.1f} [{iv['low']:+.1f}, {iv['high']:+.1f}]"


def num(iv, digits=2):
    if iv is None or iv.get("value") is None:
        return ""
    return f"{iv['value']:.{digits}f} [{iv['low']:.{digits}f}, {iv['high']:.{digits}f}]"


def table(header, rows):
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def main(path):
    s = json.load(open(path))
    budgets = s["budgets"]
    i = s["inputs"]
    print(f"Inputs: {i['questions']} test questions, {i['configurations']} configurations, pool "
          f"{i['poolSize']}, probe {i['probeSize']}, difficulty pool {i['difficultyPool']} "
          f"({i['difficultyGenerations']:.1f} generations per question apart from the strategies), "
          f"{i['bootstrapResamples']} bootstrap resamples (seed {i['bootstrapSeed']}), models "
          f"{', '.join(i['models'])}.\n")

    print("### Accuracy (%) against generations per question, 95 % intervals\n")
    rows = []
    for name, ivs in s["accuracy"].items():
        rows.append([name] + [pct(iv) for iv in ivs])
    co = s["computeOptimal"]
    for label, b in (("compute-optimal, predicted bins (2-fold CV)", co["predictedBins"]),
                     ("compute-optimal, oracle bins (2-fold CV)", co["oracleBins"])):
        if b:
            rows.append([label] + [pct(iv) for iv in b["accuracy"]])
    print(table(["configuration"] + [str(b) for b in budgets], rows))

    d = s.get("difficulty")
    if d:
        print(f"\n### Difficulty estimator ({d['estimator']})\n")
        print(f"Spearman rho against the oracle pass@1: {num(d['spearman'])} (mean PRM score alone: "
              f"{d['spearmanMeanScore']:.2f}); hopeless: {d['hopeless']} questions, mean oracle "
              f"pass@1 {100 * (d['hopelessPassAt1'] or 0):.1f} %.\n")
        conf = d["confusion"]
        print(table(["oracle \\ predicted"] + [str(k + 1) for k in range(len(conf[0]))],
                    [[str(k + 1)] + row for k, row in enumerate(conf)]))

    pb = s.get("perBin")
    if pb:
        print("\n### Per oracle bin (thresholds " + ", ".join(f"{t:.3f}" for t in pb["oracleThresholds"])
              + ")\n")
        for b in pb["bins"]:
            print(f"Bin {b['bin']} ({b['questions']} questions):\n")
            rows = [[name] + [pct(iv) for iv in ivs] for name, ivs in b["accuracy"].items()]
            rows.append(["compute-optimal"] + [pct(iv) for iv in b["computeOptimal"]])
            if b.get("beamMinusBestOfN"):
                rows.append(["beam minus best-of-N (points)"]
                            + ["" if x is None else f"{100 * x:+.1f}" for x in b["beamMinusBestOfN"]])
            print(table(["configuration"] + [str(x) for x in budgets], rows))
            print()

    rv = s.get("revisions")
    if rv and rv.get("available"):
        print(f"### Revisions at budget {rv['budget']}: accuracy (%) by sequential:parallel ratio\n")
        ratios = list(rv["bins"][0]["accuracy"].keys())
        rows = [[b["bin"]] + [f"{100 * b['accuracy'][r]:.1f}" if b["accuracy"].get(r) is not None else ""
                              for r in ratios] + [b["bestRatio"]] for b in rv["bins"]]
        print(table(["bin"] + ratios + ["best"], rows))
        print()

    print("### Efficiency: fewest generations at which compute-optimal reaches best-of-N\n")
    rows = []
    for e in s["efficiency"]:
        rows.append([e["bestOfN"], e["bins"], pct(e["bestOfNAccuracy"]), e["generations"] or "not reached",
                     e["generationsWithProbe"] or "", num(e["ratio"]), num(e["ratioWithProbe"])])
    print(table(["best-of-N at", "bins", "its accuracy", "compute-optimal needs", "with probe",
                 "ratio", "ratio with probe"], rows))

    if s.get("runs"):
        print("\n### Compute-optimal runs\n")
        print(table(["run", "budget", "questions", "accuracy", "mean generations"],
                    [[r["kind"], r["budget"], r["questions"], pct(r["accuracy"]),
                      f"{r['meanSpent']:.1f}" if r.get("meanSpent") is not None else ""]
                     for r in s["runs"]]))
    if s.get("scheduler"):
        print("\n### Scheduler at equal total budget\n")
        print(table(["budget", "fixed", "scheduler", "gain (points)", "verdict"],
                    [[g["budget"], pct(g["fixedAccuracy"]), pct(g["schedulerAccuracy"]),
                      pts(g["gainPoints"]), g["verdict"]] for g in s["scheduler"]]))

    f = s.get("flopsMatched")
    if f and f.get("available"):
        print(f"\n### FLOPs-matched ({f['readAt']})\n")
        print("Larger model greedy per bin: " + ", ".join(pct(x) for x in f["largerGreedyAccuracy"]) + "\n")
        for r in f["ratios"]:
            k = r["matchedGenerations"]
            print(f"R = {r['r']}: matched k = {k:.1f} generations" + (" (capped)" if r["capped"] else "") + "\n")
            if all((b["testTime"] or {}).get("value") is None for b in r["bins"]):
                # The probe's generations come out of k: below probe + 1 the search gets nothing.
                print(f"Compute-optimal cannot be read here: k = {k:.2f} leaves {k - s['inputs']['probeSize']:.2f}"
                      " main generations after the probe, fewer than the smallest swept budget; "
                      "larger model greedy: " + pct(f["largerGreedyAccuracy"][-1]) + " overall.\n")
                continue
            print(table(["bin", "test-time (small + compute-optimal)", "larger greedy",
                         "difference (points)", "winner"],
                        [[b["bin"], pct(b["testTime"]), pct(b["largerGreedy"]),
                          pts(b["differencePoints"]), b["winner"]] for b in r["bins"]]))
            print()
    elif f:
        print(f"\nFLOPs-matched: not available ({f.get('reason')})")

    t = s.get("targets")
    if t:
        print("\n### Targets\n")
        for key, tg in t.items():
            if tg:
                print(f"- {tg['target']}: met={tg['met']}, gap {pts(tg['gapPoints'])} points"
                      + (f" ({tg['reason']})" if tg.get("reason") else ""))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: bench/summary-tables.py summary.json")
    main(sys.argv[1])
