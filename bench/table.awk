# Joins `RESULT key value` lines of bench_pycoro (first file) and bench_cpython (second file)
# into one Markdown table with ratios, then checks the targets of the speed issue.
FNR == NR && $1 == "RESULT" { p[$2] = $3; next }
$1 == "RESULT" { c[$2] = $3 }
function cell(v) { return v == "" ? "-" : v }
function ratio(a, b) { return (a == "" || b == "" || b == 0) ? "-" : sprintf("%.2f", a / b) }
function row(label, key, floor) {
    printf "| %s | %s | %s | %s | %s | %s |\n", label, cell(floor), cell(p[key]), cell(c[key]),
        ratio(p[key], floor), ratio(c[key], p[key])
}
function verdict(ok) { return ok ? "met" : "MISSED" }
END {
    f = p["floor_resume"]
    print "| operation (ns/op, median of 11) | plain-C floor | pycoro | CPython 3.10 | pycoro / floor | CPython / pycoro |"
    print "|---|---|---|---|---|---|"
    row("resume: coroutine, PyIter_Send", "resume_pyiter_send", f)
    row("resume: coroutine, am_send", "resume_am_send", f)
    row("resume: generator, tp_iternext", "resume_gen_iternext", f)
    row("create + run to return + free", "lifecycle", "")
    row("await chain of 1: one send", "chain_1", "")
    row("await chain of 10: one send", "chain_10", "")
    row("await chain of 100: one send", "chain_100", "")
    row("throw into a suspended coroutine (caught)", "throw", "")
    row("close a suspended coroutine", "close", "")
    print ""
    print "| memory (bytes, allocator's view) | pycoro | CPython 3.10 |"
    print "|---|---|---|"
    printf "| suspended coroutine, frame included | %s | %s |\n", cell(p["bytes_suspended_coroutine"]), cell(c["bytes_suspended_coroutine"])
    printf "| unstarted coroutine, frame included | %s | %s |\n", cell(p["bytes_unstarted_coroutine"]), cell(c["bytes_unstarted_coroutine"])
    printf "| suspended generator, frame included | %s | %s |\n", cell(p["bytes_suspended_generator"]), cell(c["bytes_suspended_generator"])
    print ""
    print "targets:"
    r = p["resume_pyiter_send"]
    printf "- resume <= 3x floor: %.2fx: %s\n", r / f, verdict(r <= 3 * f)
    if ("resume_pyiter_send" in c) {
        printf "- resume >= 4x faster than CPython: %.2fx: %s\n", c["resume_pyiter_send"] / r, verdict(c["resume_pyiter_send"] >= 4 * r)
        printf "- create+run+free >= 4x faster than CPython: %.2fx: %s\n", c["lifecycle"] / p["lifecycle"], verdict(c["lifecycle"] >= 4 * p["lifecycle"])
        printf "- suspended coroutine bytes <= CPython's: %d vs %d: %s\n", p["bytes_suspended_coroutine"], c["bytes_suspended_coroutine"], verdict(p["bytes_suspended_coroutine"] <= c["bytes_suspended_coroutine"])
    } else {
        print "- the CPython targets cannot be checked: CPython 3.10 is absent"
    }
    printf "- await chain of 100 <= 2x chain of 1: %.2fx: %s\n", p["chain_100"] / p["chain_1"], verdict(p["chain_100"] <= 2 * p["chain_1"])
}
