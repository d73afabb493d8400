# benchtable.awk turns `go test -bench` output into one table: a row per
# benchmark, a column per unit that any benchmark reported (ns/op, B/op,
# allocs/op, and custom metrics such as p95-ms or requests/op).
/^pkg: / { pkg = $2; sub(".*/internal/", "", pkg) }
/^Benchmark/ {
	name = pkg "." $1
	sub(/-[0-9]+$/, "", name)
	rows[++n] = name
	for (i = 3; i < NF; i += 2) {
		unit = $(i + 1)
		if (!(unit in seen)) { seen[unit] = 1; units[++u] = unit }
		val[name, unit] = $i
	}
	next
}
/^(FAIL|ok|PASS|---)/ { print > "/dev/stderr" }
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
