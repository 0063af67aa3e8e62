#!/usr/bin/env bash
# go build -toolexec helper (bench/run.sh build with BENCH_PROFILE=1): runs each compile and link
# under /usr/bin/time and appends "tool<TAB>package<TAB>wall s<TAB>user s<TAB>max RSS KiB" to
# $BENCH_TOOLEXEC_LOG. Other tools (asm, cgo, -V=full queries) run untouched.
tool=$1
shift
name=${tool##*/}
if [[ $name != compile && $name != link ]] || [[ " $* " == *" -V=full "* ]]; then
	exec "$tool" "$@"
fi
pkg=link
if [[ $name == compile ]]; then
	args=("$@")
	for ((i = 0; i < ${#args[@]}; i++)); do
		[[ ${args[i]} == -p ]] && pkg=${args[i + 1]}
	done
fi
exec /usr/bin/time -a -o "$BENCH_TOOLEXEC_LOG" -f "$name	$pkg	%e	%U	%M" "$tool" "$@"
