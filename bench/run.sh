#!/usr/bin/env bash
# Benchmarks of issue #5, each side by side with a reference, printed as tables:
#
#   bench/run.sh          all three (what `make bench` runs)
#   bench/run.sh build    build cost: cold build, rebuild after an edit, unit-test suite
#   bench/run.sh signin   time to first sign-in: critical path of the deploy graph
#   bench/run.sh cost     monthly cost of the default stack
#
# Nothing here changes the working tree: builds run on copies in a temporary directory. Results
# (the printed tables) are also written to bench/results/<part>.txt. See bench/README.md.
#
# Environment knobs (all optional):
#   BENCH_REBUILDS=3       rebuilds after an edit per side (the median is reported)
#   BENCH_VARIANTS=1       also measure what we control: -ldflags=-s, -p=1, and the program before
#                          the build-cost change (BENCH_BEFORE=<commit>, default f95ddfe); or a
#                          list of some of them: BENCH_VARIANTS="ldflags p1 before"
#   BENCH_TESTS=1          measure the unit tests even when BENCH_SIDES leaves out ours
#   BENCH_PROFILE=1        also time every compile of a cold build (which packages cost what)
#   BENCH_SIDES="ours reference"  which sides the build part measures ("none": variants only)
#   BENCH_APPEND=1         add to bench/results/build-timings.tsv instead of starting afresh
#   BENCH_TMP=/tmp         where the temporary copies and build caches go (needs ~8 GB)
#   BENCH_KEEP=1           keep the temporary directory
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)
BENCH=$ROOT/bench
RESULTS=$BENCH/results
export GOFLAGS="${GOFLAGS:--buildvcs=false}" GOTOOLCHAIN=local PULUMI_SKIP_UPDATE_CHECK=true
mkdir -p "$RESULTS"

CLEANUP=()
cleanup() { local d; for d in "${CLEANUP[@]}"; do chmod -R u+w "$d" 2>/dev/null; rm -rf "$d"; done; }
trap cleanup EXIT

load() { cut -d' ' -f1-3 /proc/loadavg; }
note() { printf '%s\n' "$*" >&2; }

machine() {
	printf 'date: %s\n' "$(date -u '+%Y-%m-%d %H:%M UTC')"
	printf 'machine: %s cores, %s GiB RAM, %s, %s\n' "$(nproc)" "$(free -g | awk '/^Mem:/{print $2}')" "$(go version | cut -d' ' -f3-)" "$(uname -sr)"
	printf 'commit: %s%s\n' "$(git rev-parse --short HEAD)" "$(git diff --quiet HEAD -- . ':!bench' 2>/dev/null || echo ' (working tree has uncommitted changes outside bench/)')"
}

# ---------------------------------------------------------------------------------------------
# 1. Build cost

# peak_tree_rss PID OUTFILE: until PID exits, sample the summed RSS (KiB) of PID and all its
# descendants every 0.2 s and write the highest sum. This is the memory a runner must have at
# once (compile processes run in parallel); shared pages are counted once per process, so it
# slightly overstates.
peak_tree_rss() {
	local root=$1 out=$2 peak=0 cur
	while kill -0 "$root" 2>/dev/null; do
		cur=$(ps -e -o pid=,ppid=,rss= | awk -v r="$root" '
			{ pp[$1] = $2; rss[$1] = $3 }
			END {
				in_[r] = 1; changed = 1
				while (changed) { changed = 0; for (p in pp) if (!(p in in_) && (pp[p] in in_)) { in_[p] = 1; changed = 1 } }
				s = 0; for (p in in_) s += rss[p]; print s + 0
			}')
		((cur > peak)) && peak=$cur
		sleep 0.2
	done
	echo "$peak" >"$out"
}

# timed LABEL DIR GOCACHE CMD...: run CMD in DIR with GOCACHE, under /usr/bin/time -v and the
# tree-RSS poller; append one TSV row to $TIMINGS:
# label wall_s cpu_s max_single_rss_MiB peak_tree_rss_MiB load_before load_after exit
timed() {
	local label=$1 dir=$2 cache=$3
	shift 3
	local tf pf before after rc=0
	tf=$(mktemp) pf=$(mktemp)
	before=$(load)
	(cd "$dir" && GOCACHE=$cache exec /usr/bin/time -v -o "$tf" "$@") >"$tf.log" 2>&1 &
	local pid=$!
	peak_tree_rss "$pid" "$pf" &
	local poller=$!
	wait "$pid" || rc=$?
	wait "$poller" || true
	after=$(load)
	if ((rc != 0)); then
		note "!! $label failed (exit $rc):"
		tail -20 "$tf.log" >&2
	fi
	awk -v label="$label" -v before="$before" -v after="$after" -v rc="$rc" -v tree="$(cat "$pf")" -F': ' '
		/Elapsed \(wall clock\)/ { n = split($2, t, ":"); wall = (n == 3) ? t[1]*3600 + t[2]*60 + t[3] : t[1]*60 + t[2] }
		/User time/ { u = $2 } /System time/ { s = $2 }
		/Maximum resident set size/ { m = $2 }
		END { printf "%s\t%.1f\t%.1f\t%.0f\t%.0f\t%s\t%s\t%s\n", label, wall, u + s, m / 1024, tree / 1024, before, after, rc }
	' "$tf" >>"$TIMINGS"
	rm -f "$tf" "$tf.log" "$pf"
	return "$rc"
}

# copy_ours DEST: the root module's files (tracked and untracked, not ignored), without bench/.
copy_ours() {
	mkdir -p "$1"
	git ls-files -co --exclude-standard -z -- . ':!bench' | tar --null -T - -cf - | tar -C "$1" -xf -
}

# edit_string DIR FILE N: a real one-line edit of a string literal in the main package.
edit_string() {
	local f=$1/$2 n=$3 before
	before=$(md5sum <"$f")
	# ours: a string of the sign-in output; reference and floor: their benchMarker constant.
	sed -i -E "0,/(sign-in works once it is ACTIVE)( \(edit [0-9]+\))?/s//\1 (edit $n)/" "$f"
	if [[ $(md5sum <"$f") == "$before" ]]; then
		sed -i -E "0,/(const benchMarker = \"headlamp-[a-z]+)(-[0-9]+)?\"/s//\1-$n\"/" "$f"
	fi
	if [[ $(md5sum <"$f") == "$before" ]]; then
		# The string moved: fall back to a new one-line string declaration.
		echo "var benchEdit$n = \"edit $n\"" >>"$f"
	fi
}

median() { sort -n | awk '{a[NR] = $1} END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

build() {
	local tmp sides=${BENCH_SIDES:-ours reference} rebuilds=${BENCH_REBUILDS:-3}
	tmp=$(mktemp -d "${BENCH_TMP:-/tmp}/headlamp-eks-bench.XXXXXX")
	[[ -n ${BENCH_KEEP:-} ]] || CLEANUP+=("$tmp")
	# Figures accumulate in bench/results/ so separate runs (BENCH_APPEND=1) share one report.
	TIMINGS=$RESULTS/build-timings.tsv
	if [[ -z ${BENCH_APPEND:-} ]]; then
		: >"$TIMINGS"
		: >"$RESULTS/build-sizes.txt"
		: >"$RESULTS/build-profile.txt"
	fi

	# The product must not see the reference: its go.mod stops the root module at bench/reference.
	if [[ $(go list ./...) == *"/bench/reference"* ]]; then
		note "!! the root module includes bench/reference: it needs its own go.mod"
		return 1
	fi

	note "== build: go mod download (module cache shared and warm; not timed)"
	go mod download
	(cd "$BENCH/reference" && go mod download)

	copy_ours "$tmp/src/ours"
	mkdir -p "$tmp/src/reference"
	cp "$BENCH/reference/"{go.mod,go.sum,main.go} "$tmp/src/reference/"

	local side file
	for side in $sides; do
		[[ $side == none ]] && continue
		file=main.go
		note "== build: $side: cold build (fresh GOCACHE), load $(load)"
		timed "$side cold" "$tmp/src/$side" "$tmp/cache-$side" go build -o "$tmp/bin/$side" . || true
		for i in $(seq 1 "$rebuilds"); do
			edit_string "$tmp/src/$side" "$file" "$i"
			note "== build: $side: rebuild $i after a one-line edit of $file"
			timed "$side rebuild" "$tmp/src/$side" "$tmp/cache-$side" go build -o "$tmp/bin/$side" . || true
		done
		ls -l "$tmp/bin/$side" 2>/dev/null | awk -v s="$side" '{printf "%s binary: %.0f MiB\n", s, $5 / 1048576}' >>"$RESULTS/build-sizes.txt" || true
		# The cache is 1-3 GB; the next side starts cold anyway.
		[[ -n ${BENCH_KEEP:-} ]] || { chmod -R u+w "$tmp/cache-$side"; rm -rf "$tmp/cache-$side"; }
	done

	if [[ -n ${BENCH_VARIANTS:-} ]]; then
		variants "$tmp"
	fi
	if [[ -n ${BENCH_PROFILE:-} ]]; then
		profile "$tmp"
	fi

	if [[ " $sides " == *" ours "* || -n ${BENCH_TESTS:-} ]]; then
		note "== build: unit tests at the root, warm (go test -count=1 ./... twice, the second counts)"
		timed "tests warm-up" "$ROOT" "$(go env GOCACHE)" go test -count=1 ./... || true
		timed "tests warm" "$ROOT" "$(go env GOCACHE)" go test -count=1 ./... || true
	fi

	report_build | tee "$RESULTS/build.txt"
}

# variants: what the product controls, measured on copies of ours (cold = fresh GOCACHE), plus
# the program as it was before the build-cost change (BENCH_BEFORE, a commit), for before/after.
want() { [[ ${BENCH_VARIANTS:-} == 1 || " ${BENCH_VARIANTS:-} " == *" $1 "* ]]; }

variants() {
	local tmp=$1 before=$tmp/src/before
	if want ldflags; then
		note "== build: variant: ours with -ldflags=-s (no symbol table, no DWARF), load $(load)"
		timed "ours cold -ldflags=-s" "$tmp/src/ours" "$tmp/cache-v1" go build -ldflags=-s -o "$tmp/bin/v1" . || true
		for i in 1 2 3; do
			edit_string "$tmp/src/ours" main.go "9$i"
			timed "ours rebuild -ldflags=-s" "$tmp/src/ours" "$tmp/cache-v1" go build -ldflags=-s -o "$tmp/bin/v1" . || true
		done
		rm -rf "$tmp/cache-v1"
	fi

	if want p1; then
		note "== build: variant: ours with -p=1 (one compile at a time), load $(load)"
		timed "ours cold -p=1" "$tmp/src/ours" "$tmp/cache-v2" go build -p=1 -o "$tmp/bin/v2" . || true
		rm -rf "$tmp/cache-v2"
	fi

	# Before: typed SDKs (pulumi-eks's Go SDK; kubernetes core/v1, rbac/v1, meta/v1).
	local rev=${BENCH_BEFORE:-f95ddfe}
	if want before && git cat-file -e "$rev^{commit}" 2>/dev/null; then
		mkdir -p "$before"
		git archive "$rev" | tar -C "$before" -xf -
		(cd "$before" && go mod download)
		note "== build: variant: before the build-cost change ($rev), load $(load)"
		timed "before ($rev) cold" "$before" "$tmp/cache-v3" go build -o "$tmp/bin/v3" . || true
		for i in 1 2 3; do
			edit_string "$before" main.go "7$i"
			timed "before ($rev) rebuild" "$before" "$tmp/cache-v3" go build -o "$tmp/bin/v3" . || true
		done
		rm -rf "$tmp/cache-v3"
	fi
	ls -l "$tmp/bin/v1" "$tmp/bin/v3" 2>/dev/null | awk '{printf "%s: %.0f MiB\n", $NF, $5 / 1048576}' | sed "s#$tmp/bin/v1#ours -ldflags=-s binary#; s#$tmp/bin/v3#before binary#" >>"$RESULTS/build-sizes.txt" || true
}

# profile: one cold build of ours (and, if present, of the "before" variant) with every
# compile and link timed, to show which packages cost the time and the memory.
profile() {
	local tmp=$1 dir label log
	for label in ours before; do
		dir=$tmp/src/$label
		[[ -d $dir ]] || continue
		log=$tmp/profile-$label.tsv
		: >"$log"
		note "== build: profile: $label, cold, every compile timed, load $(load)"
		(cd "$dir" && BENCH_TOOLEXEC_LOG=$log GOCACHE=$tmp/cache-profile go build -toolexec "$BENCH/tools/toolexec-time.sh" -o "$tmp/bin/profile" .) || true
		rm -rf "$tmp/cache-profile"
		{
			echo "### $label: packages by compile CPU time (user s) — all: $(awk -F'\t' '{s += $4} END {printf "%.0f", s}' "$log") s over $(wc -l <"$log") actions"
			printf '%-78s %8s %8s %10s\n' "tool package" "wall s" "user s" "max RSS"
			sort -t$'\t' -k4,4nr "$log" | awk -F'\t' 'NR <= 12 {printf "%-78s %8.1f %8.1f %7.0f MiB\n", $1 " " $2, $3, $4, $5 / 1024}'
			echo "### $label: by max RSS"
			sort -t$'\t' -k5,5nr "$log" | awk -F'\t' 'NR <= 6 {printf "%-78s %8.1f %8.1f %7.0f MiB\n", $1 " " $2, $3, $4, $5 / 1024}'
			echo
		} >>"$RESULTS/build-profile.txt"
	done
}

report_build() {
	awk -F'\t' '
		{ label = $1; n[label]++; wall[label, n[label]] = $2; cpu[label, n[label]] = $3; single[label, n[label]] = $4; tree[label, n[label]] = $5; lb[label, n[label]] = $6; la[label, n[label]] = $7; rc[label, n[label]] = $8; order[++k] = label }
		END {
			printf "%-40s %9s %9s %12s %12s  %-16s %-16s %s\n", "measurement", "wall s", "cpu s", "max 1 proc", "peak tree", "load before", "load after", "exit"
			for (i = 1; i <= k; i++) {
				l = order[i]; seen[l]++; j = seen[l]
				printf "%-40s %9.1f %9.1f %9d MiB %9d MiB  %-16s %-16s %s\n", l (n[l] > 1 ? " #" j : ""), wall[l, j], cpu[l, j], single[l, j], tree[l, j], lb[l, j], la[l, j], rc[l, j]
			}
		}' "$TIMINGS"
	echo
	cat "$RESULTS/build-sizes.txt" 2>/dev/null || true
	echo
	cat "$RESULTS/build-profile.txt" 2>/dev/null || true
	# Ratios and targets, from the median of each measurement. Wall time depends on the machine's
	# load; CPU time (user + system) much less, so both are shown.
	awk -F'\t' '
		function med(l, c,   n, i, j, t, a) {
			n = 0
			for (i = 1; i <= k; i++) if (lab[i] == l) a[++n] = val[i, c]
			if (n == 0) return ""
			for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
			return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
		}
		function ratio(a, b) { return (a != "" && b != "" && b > 0) ? sprintf("%.2f", a / b) : "n/a" }
		function verdict(v, max) { return (v == "n/a" || v == "") ? "not measured" : (v + 0 <= max ? "met" : "MISSED") }
		function gb(mib) { return mib == "" ? "n/a" : sprintf("%.2f", mib * 1.048576 / 1000) }
		function row(a, b, c, d, e, f) { printf "%-44s %-14s %-14s %-7s %-12s %s\n", a, b, c, d, e, f }
		{ k++; lab[k] = $1; for (c = 2; c <= 5; c++) val[k, c] = $c; seen[$1] = 1 }
		END {
			rc = med("reference cold", 2); rcc = med("reference cold", 3); rr = med("reference rebuild", 2); rrc = med("reference rebuild", 3)
			row("target", "ours", "reference", "ratio", "target", "verdict")
			oc = med("ours cold", 2); occ = med("ours cold", 3)
			row("cold build, wall", oc " s", rc " s", ratio(oc, rc), "<= 0.35x", verdict(ratio(oc, rc), 0.35))
			row("cold build, CPU (user+sys)", occ " s", rcc " s", ratio(occ, rcc), "(<= 0.35x)", verdict(ratio(occ, rcc), 0.35))
			ot = med("ours cold", 5); os1 = med("ours cold", 4); rt = med("reference cold", 5); rs1 = med("reference cold", 4)
			row("cold build, peak RSS, process tree", gb(ot) " GB", gb(rt) " GB", ratio(ot, rt), "<= 2 GB", verdict(gb(ot), 2))
			row("cold build, peak RSS, largest process", gb(os1) " GB", gb(rs1) " GB", ratio(os1, rs1), "(<= 2 GB)", verdict(gb(os1), 2))
			orb = med("ours rebuild", 2); orc = med("ours rebuild", 3)
			row("rebuild after a one-line edit, wall", orb " s", rr " s", ratio(orb, rr), "<= 0.5x", verdict(ratio(orb, rr), 0.5))
			row("rebuild after a one-line edit, CPU", orc " s", rrc " s", ratio(orc, rrc), "(<= 0.5x)", verdict(ratio(orc, rrc), 0.5))
			tw = med("tests warm", 2)
			row("unit tests, warm (go test -count=1 ./...)", (tw == "" ? "n/a" : tw " s"), "", "", "<= 30 s", verdict(tw, 30))
			nv = 0
			for (l in seen) if (l !~ /^(ours|reference) (cold|rebuild)$/ && l !~ /^tests/) nv++
			if (nv == 0) exit
			print ""
			print "what we control (each against the reference; cold = fresh GOCACHE):"
			row("variant", "wall", "CPU", "wall x", "CPU x", "peak tree / largest")
			for (i = 1; i <= k; i++) {
				l = lab[i]
				if (l ~ /^tests/ || l ~ /^reference/ || done[l]++) continue
				w = med(l, 2); c = med(l, 3)
				if (l ~ /rebuild/) { rw = rr; rcp = rrc } else { rw = rc; rcp = rcc }
				row(l, w " s", c " s", ratio(w, rw), ratio(c, rcp), gb(med(l, 5)) " / " gb(med(l, 4)) " GB")
			}
		}' "$TIMINGS"
	echo
	echo "wall/cpu: /usr/bin/time -v; 'max 1 proc' = its maximum resident set size, the largest single"
	echo "process of the build (the compiler or linker); 'peak tree' = highest sum of RSS over the go"
	echo "command and all its children, sampled every 0.2 s (what a runner must hold at once)."
	echo "Rebuild figures are medians. Load averages (1/5/15 min) show how busy the machine was."
}

# ---------------------------------------------------------------------------------------------
# 2 and 3 read the program's resource graph, written by its own test (no wiring is repeated here).

GRAPH=""
graph_json() {
	[[ -n $GRAPH ]] && return 0
	GRAPH=$(mktemp "${BENCH_TMP:-/tmp}/headlamp-eks-graph.XXXXXX.json")
	CLEANUP+=("$GRAPH")
	note "== graph: HEADLAMP_EKS_GRAPH_OUT=... go test . -run TestDevStackUpdate"
	if ! HEADLAMP_EKS_GRAPH_OUT=$GRAPH go test . -run '^TestDevStackUpdate$' -count=1 >/dev/null || [[ ! -s $GRAPH ]]; then
		note "!! TestDevStackUpdate did not write the graph (it must honour HEADLAMP_EKS_GRAPH_OUT)"
		return 1
	fi
}

# 2. Time to first sign-in
signin() {
	graph_json
	go run ./bench/signin "$GRAPH" | tee "$RESULTS/signin.txt"
}

# 3. Monthly cost
cost() {
	graph_json
	go run ./bench/cost "$GRAPH" | tee "$RESULTS/cost.txt"
}

# Sourcing this file (for tests of the report) defines the functions only.
if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
	case "${1:-all}" in
	build) machine | tee "$RESULTS/machine.txt"; build ;;
	signin) signin ;;
	cost) cost ;;
	all) machine | tee "$RESULTS/machine.txt"; build; signin; cost ;;
	*) note "usage: bench/run.sh [all|build|signin|cost]"; exit 2 ;;
	esac
fi
