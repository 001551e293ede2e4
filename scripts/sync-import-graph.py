#!/usr/bin/env python3
"""Import graph of the files of src/sync and its cycles (a stand-in for cargo-modules, whose
current release needs a newer rustc than the pinned toolchain). An edge a -> b is any path
`super::b`, `super::super::b` or `crate::sync::b` written in file a (comments ignored).
Prints every edge and every strongly connected component of more than one file; exits 1 on a cycle."""
import os, re, sys

root = sys.argv[1] if len(sys.argv) > 1 else "src/sync"
files = {}
for dirpath, _, names in os.walk(root):
    for n in names:
        if n.endswith(".rs"):
            p = os.path.join(dirpath, n)
            rel = os.path.relpath(p, root)[:-3]
            mod = rel[:-4] if rel.endswith("/mod") else rel
            files[mod.replace("/", "::") if mod != "mod" else "sync"] = p

def parent(m):
    return "sync" if "::" not in m else m.rsplit("::", 1)[0]

def resolve(base, name):
    cand = name if base == "sync" else f"{base}::{name}"
    return cand if cand in files else None

edges = {m: set() for m in files}
for m, p in files.items():
    src = re.sub(r"//[^\n]*", "", open(p).read())
    here = m if p.endswith("mod.rs") else m  # a mod.rs file is its module
    base_of_super = parent(m) if not p.endswith("mod.rs") or m == "sync" else parent(m)
    for sup, name in re.findall(r"\b((?:super::)+)(\w+|\*)", src):
        base = m
        for _ in range(sup.count("super::")):
            base = parent(base)
        if name == "*":
            t = base
        else:
            t = resolve(base, name) or base
        if t != m and t != "sync":
            edges[m].add(t)
    for name in re.findall(r"crate::sync::(\w+)", src):
        t = resolve("sync", name)
        if t and t != m:
            edges[m].add(t)
    # a module's own children (mod x;) are containment, not imports: not counted.

# Tarjan
index, low, onstack, stack, sccs, i = {}, {}, set(), [], [], [0]
def strong(v):
    index[v] = low[v] = i[0]; i[0] += 1; stack.append(v); onstack.add(v)
    for w in sorted(edges[v]):
        if w not in index:
            strong(w); low[v] = min(low[v], low[w])
        elif w in onstack:
            low[v] = min(low[v], index[w])
    if low[v] == index[v]:
        comp = []
        while True:
            w = stack.pop(); onstack.discard(w); comp.append(w)
            if w == v: break
        sccs.append(sorted(comp))
sys.setrecursionlimit(10000)
for v in sorted(edges):
    if v not in index:
        strong(v)
for m in sorted(edges):
    print(f"{m} -> {', '.join(sorted(edges[m])) or '(none)'}")
cycles = [c for c in sccs if len(c) > 1]
for c in cycles:
    print("CYCLE:", " <-> ".join(c))
print(f"{len(files)} files, {sum(len(e) for e in edges.values())} edges, {len(cycles)} cycle(s)")
sys.exit(1 if cycles else 0)
