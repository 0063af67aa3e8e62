#!/usr/bin/env bash
# Runs every test of headlamp-eks: `scripts/test.sh` (all), `scripts/test.sh unit`,
# `scripts/test.sh lint` or `scripts/test.sh rehearsal`. This is the README's test command
# (`make test`) and what CI runs.
set -euo pipefail
cd "$(dirname "$0")/.."
export GOFLAGS="${GOFLAGS:--buildvcs=false}" GOTOOLCHAIN=local PULUMI_SKIP_UPDATE_CHECK=true
what="${1:-all}"

step() { printf '\n== %s\n' "$*"; }

if [[ $what == all || $what == unit ]]; then
	step "go build and go vet"
	go build ./...
	go vet ./...
	go vet -tags local .
	step "unit tests (components under mocks, validation, whole program, plan snapshot)"
	go test -count=1 ./...
fi

if [[ $what == all || $what == lint ]]; then
	step "lint: actionlint (workflows), golangci-lint (.golangci.yml); pinned, built once by scripts/tools.sh"
	scripts/tools.sh actionlint golangci-lint >/dev/null
	lintbin="$(scripts/tools.sh --print-bin-dir)"
	"${lintbin}/actionlint"
	"${lintbin}/golangci-lint" run --build-tags=local,rehearsal ./...
fi

if [[ $what == all || $what == rehearsal ]]; then
	step "tools for the rehearsal (built once from the Go module proxy, then cached)"
	scripts/tools.sh pulumi pulumi-resource-kubernetes kube-apiserver kube-controller-manager etcd
	PATH="$(scripts/tools.sh --print-bin-dir):$PATH"
	export PATH
	step "loopback rehearsal: real Pulumi engine, kube-apiserver, Cognito-shaped tokens"
	go test -count=1 -tags rehearsal -timeout 30m -v ./tests/rehearsal/
fi

step "done: ${what} checks passed"
