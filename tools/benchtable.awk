# benchtable.awk turns `go test -bench` output into one table: a row per
# benchmark, a column per unit that any benchmark reported (ns/op, B/op,
# allocs/op, and custom metrics such as p95-ms, requests/op or apply-s).
#
# NOTE: go test prints a benchmark's name before it runs and its figures
# after, and whatever the benchmark writes meanwhile (a test cluster's
# progress lines on stderr, say) lands in between: the name then ends a
# line of its own and the figures start another. A name without figures is
# kept until the figures come.
/^pkg: / { pkg = $2; sub(".*/internal/", "", pkg) }
/^Benchmark/ { pending = $1 }
/ ns\/op/ {
	first = 0
	for (i = 1; i <= NF; i++) if ($i == "ns/op") { first = i - 2; break }
	if (first < 1 || $first !~ /^[0-9]+$/) next
	if ($1 ~ /^Benchmark/) pending = $1
	if (pending == "") next
	name = pkg "." pending
	sub(/-[0-9]+$/, "", name)
	pending = ""
	if (!(name in seenrow)) { seenrow[name] = 1; rows[++n] = name }
	for (i = first + 1; i < NF; i += 2) {
		unit = $(i + 1)
		if (!(unit in seen)) { seen[unit] = 1; units[++u] = unit }
		val[name, unit] = $i
	}
	next
}
# SKIP lines are a benchmark's own: what it left out and why (go test
# prints nothing of a skipped benchmark without -v).
/^(FAIL|ok|PASS|---|SKIP )/ { print > "/dev/stderr" }
END {
	if (n == 0) { print "no benchmarks ran"; exit 1 }
	w = 10
	for (r = 1; r <= n; r++) if (length(rows[r]) > w) w = length(rows[r])
	printf "%-" w "s", "benchmark"
	for (c = 1; c <= u; c++) printf " | %14s", units[c]
	printf "\n"
	line = sprintf("%" w "s", ""); gsub(/ /, "-", line); printf "%s", line
	for (c = 1; c <= u; c++) printf "-|---------------"
	printf "\n"
	for (r = 1; r <= n; r++) {
		printf "%-" w "s", rows[r]
		for (c = 1; c <= u; c++) printf " | %14s", ((rows[r], units[c]) in val) ? val[rows[r], units[c]] : "-"
		printf "\n"
	}
}
