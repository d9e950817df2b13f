#!/usr/bin/env bash
# Which functions of pycoro the fuzz_ops corpus reaches: runs every input of DIR (default
# corpus/fuzz_ops) once, then prints covered/total instrumented edges per pycoro function.
#   fuzz/coverage.sh [DIR] [FILTER-REGEX]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dir="${1:-$here/corpus/fuzz_ops}"
filter="${2:-pycoro::}"
"$here/run.sh" --build >/dev/null
triple="$(rustc -vV | sed -n 's/^host: //p')"
bin="$here/target/$triple/release/fuzz_ops"
out="$(mktemp)"
FUZZ_OPS_COVERAGE_OUT="$out" "$bin" -runs=0 -artifact_prefix="$(mktemp -d)/" "$dir" >/dev/null 2>&1
python3 - "$bin" "$out" "$filter" <<'PY'
import bisect, re, subprocess, sys
binary, dump, flt = sys.argv[1:4]
lines = open(dump).read().split("\n")
base = int(lines[0].split()[1], 16)
syms = []
for l in subprocess.run(["nm", "-C", "--defined-only", binary], capture_output=True, text=True).stdout.splitlines():
    parts = l.split(" ", 2)
    if len(parts) == 3 and parts[1] in "tTwW":
        syms.append((int(parts[0], 16), parts[2]))
    if len(parts) == 3 and parts[2] == "__start___sancov_pcs":
        link_pcs = int(parts[0], 16)
syms.sort()
addrs = [a for a, _ in syms]
delta = base - link_pcs
per = {}
for l in lines[1:]:
    if not l:
        continue
    pc, hit = l.split()
    pc = int(pc, 16) - delta
    i = bisect.bisect_right(addrs, pc) - 1
    name = re.sub(r"::h[0-9a-f]{16}$", "", syms[i][1]) if i >= 0 else "?"
    c, t = per.get(name, (0, 0))
    per[name] = (c + int(hit), t + 1)
tc = tt = 0
for name, (c, t) in sorted(per.items()):
    if re.search(flt, name):
        tc += c; tt += t
        print(f"{c:5d}/{t:<5d} {100*c//t:3d}%  {name}")
print(f"total {tc}/{tt} edges ({100*tc//max(tt,1)}%) in functions matching {flt!r}")
PY
rm -f "$out"
