#!/usr/bin/python3
"""The tree's rules, checked on the source and the built objects:

1. Layers: each folder includes only from the folders below it
   (shm < lib/base < lib/fix, lib/algo < lib/conf < engine, tools; client apart).
   Inside the engine: runtime < md < orders < algo, venue < engine/*.c.
2. No import circle between files: from the release build's objects (nm),
   which object calls which; the graph must have no cycle.
3. No source file over 700 lines outside tests.
4. The GitHub workflow runs .ci/run on Debian 12, one step for each of
   tests/run_all.sh's suites (and the build), so no stage is left out.

Usage: check_tree.py [BUILD_DIR]. Prints each breach; exits 1 if any.
"""
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build")
MAX_LINES = 700

# Folder -> folders it may include from (besides itself).
ALLOWED = {
    "shm": [],
    "lib/base": ["shm"],
    "lib/fix": ["shm", "lib/base"],
    "lib/conf": ["shm", "lib/base", "lib/fix"],
    "lib/algo": ["shm", "lib/base"],
    "engine/runtime": ["shm", "lib", "include"],
    "engine/md": ["shm", "lib", "include", "engine/runtime"],
    "engine/orders": ["shm", "lib", "include", "engine/runtime", "engine/md"],
    "engine/algo": ["shm", "lib", "include", "engine/runtime", "engine/md", "engine/orders"],
    "engine/venue": ["shm", "lib", "include", "engine/runtime", "engine/md", "engine/orders"],
    "engine": ["shm", "lib", "include", "engine/runtime", "engine/md", "engine/orders", "engine/algo",
               "engine/venue"],
    "client": ["shm", "include"],
    "plugins": ["shm", "include"],
    "include": ["shm"],
    "tools": ["shm", "lib", "include", "tools/oob"],
}
SOURCE_DIRS = ["shm", "lib", "engine", "client", "plugins", "include", "tools"]


def layer_of(path):
    """The most specific ALLOWED key a path lies in."""
    best = None
    for key in ALLOWED:
        if path == key or path.startswith(key + "/"):
            if best is None or len(key) > len(best):
                best = key
    return best


def may_include(src, dst):
    lay = layer_of(src)
    if lay is None:
        return True
    if dst.startswith(os.path.dirname(src) + "/") and "/" not in dst[len(os.path.dirname(src)) + 1:]:
        return True  # same folder
    if lay == "tools":  # a tool's own folder and the tools' library
        own = "/".join(src.split("/")[:2])
        if dst.startswith(own + "/"):
            return True
    if lay.startswith("lib/") and dst.startswith(lay + "/"):
        return True
    for allowed in ALLOWED[lay] + ([] if lay == "tools" else [lay]):
        if dst == allowed or dst.startswith(allowed + "/"):
            if lay == "engine" and allowed == "engine" and "/" in dst[len("engine/"):]:
                continue
            return True
    return False


def sources():
    for top in SOURCE_DIRS:
        for dirpath, _, files in os.walk(os.path.join(ROOT, top)):
            for f in files:
                if f.endswith((".c", ".h")):
                    yield os.path.relpath(os.path.join(dirpath, f), ROOT)


def check_layers(breaches):
    inc = re.compile(r'^\s*#\s*include\s+"([^"]+)"')
    for src in sources():
        with open(os.path.join(ROOT, src), encoding="utf-8", errors="replace") as fh:
            for n, line in enumerate(fh, 1):
                m = inc.match(line)
                if m and not may_include(src, m.group(1)):
                    breaches.append(f"{src}:{n}: includes {m.group(1)} (above its layer {layer_of(src)})")


def check_sizes(breaches):
    for src in sources():
        if src.endswith(".c"):
            with open(os.path.join(ROOT, src), encoding="utf-8", errors="replace") as fh:
                n = sum(1 for _ in fh)
            if n > MAX_LINES:
                breaches.append(f"{src}: {n} lines (more than {MAX_LINES})")


def symbols(obj):
    out = subprocess.run(["nm", "--defined-only", obj], capture_output=True, text=True, check=True).stdout
    defined = {l.split()[-1] for l in out.splitlines() if len(l.split()) == 3 and l.split()[1] in "TDBR"}
    out = subprocess.run(["nm", "--undefined-only", obj], capture_output=True, text=True, check=True).stdout
    undefined = {l.split()[-1] for l in out.splitlines() if l.split()}
    return defined, undefined


def check_cycles(breaches):
    objdir = os.path.join(BUILD, "obj")
    if not os.path.isdir(objdir):
        breaches.append(f"{objdir}: no objects (build first)")
        return
    objs = {}
    for top in SOURCE_DIRS:
        for dirpath, _, files in os.walk(os.path.join(objdir, top)):
            for f in files:
                if f.endswith(".o"):
                    p = os.path.join(dirpath, f)
                    objs[os.path.relpath(p, objdir)[:-2] + ".c"] = symbols(p)
    owner = {}
    for name, (defined, _) in objs.items():
        for s in defined:
            owner.setdefault(s, name)
    graph = {name: sorted({owner[s] for s in undef if s in owner and owner[s] != name})
             for name, (_, undef) in objs.items()}
    # Tarjan's strongly connected components: any with two or more files is a circle.
    index, low, on, stack, out = {}, {}, set(), [], []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    for comp in out:
        calls = [f"{a} -> {b}" for a in comp for b in graph[a] if b in comp]
        breaches.append("import circle: " + ", ".join(calls))


def check_ci(breaches):
    import yaml  # python3-yaml (make deps)
    path = os.path.join(ROOT, ".github", "workflows", "ci.yml")
    with open(path) as f:
        job = next(iter(yaml.safe_load(f)["jobs"].values()))
    if job.get("container", {}).get("image") != "debian:12":
        breaches.append(f"{path}: not run on debian:12")
    runs = [st.get("run", "") for st in job.get("steps", [])]
    with open(os.path.join(ROOT, "tests", "run_all.sh")) as f:
        suites = re.findall(r"^suite (\S+) ", f.read(), re.M)
    for stage in ["build"] + suites:
        if f".ci/run {stage}" not in runs:
            breaches.append(f"{path}: no step runs '.ci/run {stage}'")


def main():
    breaches = []
    check_layers(breaches)
    check_sizes(breaches)
    check_cycles(breaches)
    check_ci(breaches)
    for b in breaches:
        print("FAIL " + b)
    print(f"tree: {0 if breaches else 1} passed, {1 if breaches else 0} failed "
          f"({len(breaches)} breaches)")
    return 1 if breaches else 0


if __name__ == "__main__":
    sys.exit(main())
