#!/usr/bin/env python3
"""The JSON contract across versions: result files recorded by concbench
0.1.0 before the run driver existed (tests/data/recorded/) are re-run
with the same command by the binary under test; every key the old file
has must still be there, holding the same JSON type (fields may be added,
never renamed or removed). Usage: test_contract.py CONCBENCH SOURCE_DIR"""
import json
import os
import shlex
import subprocess
import sys
import tempfile


def kind(v):
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, (int, float)):
        return "number"
    return type(v).__name__


def shape(v, path, out):
    """Every key path in v ('[]' for any array item) and the types seen."""
    out.setdefault(path, set()).add(kind(v))
    if isinstance(v, dict):
        for k, x in v.items():
            shape(x, f"{path}.{k}", out)
    elif isinstance(v, list):
        for x in v:
            shape(x, f"{path}[]", out)
    return out


def empty_array(path, after):
    """True when path lies inside an array the new file has, empty."""
    i = path.find("[]")
    while i >= 0:
        if path[:i] in after and path[:i + 2] not in after:
            return True
        i = path.find("[]", i + 2)
    return False


def rerun(binary, old, out_path):
    argv = shlex.split(old["context"]["command"])
    args = argv[1:]
    if "-o" in args:
        i = args.index("-o")
        del args[i:i + 2]
    res = subprocess.run([binary, *args, "-o", out_path], capture_output=True, text=True)
    if res.returncode != 0:
        sys.exit(f"FAIL: {' '.join(args)}: exit {res.returncode}: {res.stderr.strip()}")
    with open(out_path) as f:
        return json.load(f)


def main():
    binary, src = sys.argv[1], sys.argv[2]
    folder = os.path.join(src, "tests", "data", "recorded")
    fails = 0
    files = sorted(f for f in os.listdir(folder) if f.endswith(".json"))
    assert files, "no recorded files"
    with tempfile.TemporaryDirectory() as tmp:
        for name in files:
            with open(os.path.join(folder, name)) as f:
                old = json.load(f)
            new = rerun(binary, old, os.path.join(tmp, name))
            before, after = shape(old, "", {}), shape(new, "", {})
            for path, kinds in sorted(before.items()):
                if path not in after and empty_array(path, after):
                    continue  # e.g. warnings[]: there when the run was noisy
                if path not in after:
                    print(f"FAIL: {name}: {path} is gone")
                    fails += 1
                elif not kinds <= after[path] | {"NoneType"} and kinds != {"NoneType"}:
                    print(f"FAIL: {name}: {path} was {sorted(kinds)}, now {sorted(after[path])}")
                    fails += 1
            added = sorted(set(after) - set(before))
            print(f"ok: {name}: {len(before)} key paths kept, {len(added)} added")
    if fails:
        sys.exit(f"{fails} contract break(s)")


if __name__ == "__main__":
    main()
