# headlamp-eks: the two commands a newcomer needs are `make up` and `make test`.
STACK ?= dev
SHELL := /bin/bash
export PATH := $(shell scripts/tools.sh --print-bin-dir):$(PATH)
export PULUMI_SKIP_UPDATE_CHECK := true

.PHONY: up preview outputs destroy test unit lint rehearsal tools plan

## up: deploy the stack (default dev) with `pulumi up` on the local file backend .pulumi-state/
up:
	scripts/tools.sh pulumi >/dev/null
	go build -ldflags=-s -tags local -o bin/headlamp-eks-local .
	bin/headlamp-eks-local up -stack $(STACK)

## preview: show what `make up` would change
preview:
	scripts/tools.sh pulumi >/dev/null
	go build -ldflags=-s -tags local -o bin/headlamp-eks-local .
	bin/headlamp-eks-local preview -stack $(STACK)

## outputs: print the stack's outputs (SHOW_SECRETS=1 to include secrets)
outputs:
	scripts/tools.sh pulumi >/dev/null
	go build -ldflags=-s -tags local -o bin/headlamp-eks-local .
	bin/headlamp-eks-local outputs -stack $(STACK) $(if $(SHOW_SECRETS),-show-secrets)

## destroy: delete everything the stack created (the user pool is protected: see README)
destroy:
	scripts/tools.sh pulumi >/dev/null
	go build -ldflags=-s -tags local -o bin/headlamp-eks-local .
	bin/headlamp-eks-local destroy -stack $(STACK)

## test: every check CI runs (unit tests, lint, then the loopback rehearsal; tools built on first use)
test:
	scripts/test.sh

## unit: the fast tests only (no tools needed)
unit:
	scripts/test.sh unit

## rehearsal: the loopback sign-in rehearsal only
rehearsal:
	scripts/test.sh rehearsal

## lint: actionlint on the workflows and golangci-lint (pinned, built once by scripts/tools.sh)
lint:
	scripts/test.sh lint

## tools: build the pinned test tools into the cache
tools:
	scripts/tools.sh

## plan: regenerate tests/plan.golden.json after an intended infrastructure change
plan:
	go test . -run TestPlanSnapshot -update

.PHONY: bench
## bench: build cost, time to first sign-in and monthly cost, each beside a reference (bench/README.md; one part: bench/run.sh build|signin|cost)
bench:
	bench/run.sh
