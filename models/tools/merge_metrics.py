"""Merges the metrics JSON files of evaluate.py runs (first argument: the output)."""
import json
import sys

out = {}
for p in sys.argv[2:]:
    m = json.load(open(p))
    for k, v in m.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k].update(v)
        else:
            out[k] = v
json.dump(out, open(sys.argv[1], "w"), indent=1)
