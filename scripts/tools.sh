#!/usr/bin/env bash
# scripts/tools.sh — build, from the Go module proxy, the binaries the loopback
# integration tests and the linters need, pinned and cached OUTSIDE the repository.
#
#   scripts/tools.sh                  build whatever is missing (idempotent; a fully
#                                     cached run takes a couple of seconds)
#   scripts/tools.sh pulumi etcd      only these tools
#   scripts/tools.sh --print-bin-dir  print the bin directory and exit (for the Makefile)
#   scripts/tools.sh --status         print each tool's stamp (version, build seconds)
#   scripts/tools.sh --list           print the tool names
#   source scripts/tools.sh           build everything (in a child bash, so the caller's
#                                     shell options are untouched; arguments are ignored),
#                                     then prepend the bin directory to PATH
#
# Cache:   ${HEADLAMP_EKS_TOOLS:-$HOME/.cache/headlamp-eks/tools}
#            bin/<tool>             the binaries
#            stamps/<tool>.stamp    key=..., version=..., build_seconds=..., built_at=..., ...
#            logs/<tool>.log        output of the last build of <tool>
#            build/                 wrapper modules while building (removed afterwards)
# A tool is "cached" when bin/<tool> is executable and its stamp's key line equals the
# key computed below from its pinned version(s) and RECIPE_REV, so bumping one version
# rebuilds only that tool. Binaries are linked to a temporary name and renamed into
# place, and the stamp is written (also atomically) only after that, so an interrupted
# build never leaves something that looks done. Builds run one at a time (the provider's
# link step alone needs about 5 GB) and under a lock, so concurrent invocations wait.
#
# See /work/shared/TOOLCHAIN.md for why each recipe looks the way it does: the proxy
# serves exact versions only, and `go install pkg@version` is refused for modules whose
# go.mod has replace directives, hence the small generated wrapper modules.

# --- sourced? build in a child bash, then fix up PATH in the caller's shell ----------
if [[ "${BASH_SOURCE[0]}" != "$0" ]]; then
	if bash "${BASH_SOURCE[0]}"; then
		__hle_tools_bin="$(bash "${BASH_SOURCE[0]}" --print-bin-dir)"
		case ":${PATH}:" in
		*":${__hle_tools_bin}:"*) ;;
		*) export PATH="${__hle_tools_bin}:${PATH}" ;;
		esac
		unset __hle_tools_bin
		return 0
	else
		return $?
	fi
fi

set -euo pipefail

# --- pinned versions ---------------------------------------------------------------
PULUMI_VERSION=v3.277.0
CLIPBOARD_REPLACE="github.com/tgummerer/clipboard v0.0.0-20241001131231-d02d263e614e"
# Source of the Kubernetes provider: the only provider/v4 version the proxy serves
# here, a pseudo-version of 4.25-era source. Its version string and schema version
# come from the SDK version in go.mod (see k8s_sdk_version below).
K8S_PROVIDER_MODULE_VERSION=v4.0.0-20260115033456-f47bc2d6f199
K8S_SDK_MODULE=github.com/pulumi/pulumi-kubernetes/sdk/v4
K8S_SDK_FALLBACK=v4.25.0
KUBERNETES_VERSION=v1.35.4
ETCD_VERSION=v3.7.3
ACTIONLINT_VERSION=v1.7.12
GOLANGCI_LINT_VERSION=v2.15.0
# Bump to force a rebuild of every tool after changing a build recipe below.
RECIPE_REV=1

TOOLS=(pulumi pulumi-resource-kubernetes kube-apiserver kube-controller-manager etcd actionlint golangci-lint)

# --- locations -----------------------------------------------------------------------
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "${SCRIPT_DIR}/.." && pwd)"
CACHE="${HEADLAMP_EKS_TOOLS:-${HOME}/.cache/headlamp-eks/tools}"
[[ "${CACHE}" == /* ]] || CACHE="${PWD}/${CACHE}"
BIN="${CACHE}/bin"

if [[ "${1:-}" == "--print-bin-dir" ]]; then
	printf '%s\n' "${BIN}"
	exit 0
fi

# --- go environment --------------------------------------------------------------------
# GOTOOLCHAIN=local: never try to download a toolchain. GOWORK=off: a go.work above the
# cache directory must not leak in. CGO_ENABLED=0: static binaries, as upstream ships
# them. -trimpath and -s -w keep the binaries small and the builds cache-friendly.
export GOFLAGS=-buildvcs=false GOTOOLCHAIN=local GOWORK=off CGO_ENABLED=0
GO="${GO:-go}"
command -v "${GO}" >/dev/null 2>&1 || GO=/usr/local/go/bin/go
GO_VERSION="$("${GO}" env GOVERSION)" # e.g. go1.26.8

log() { printf 'tools: %s\n' "$*" >&2; }
die() {
	log "error: $*"
	exit 1
}

# k8s_sdk_version prints the pulumi-kubernetes SDK version required by the repo's
# go.mod (e.g. v4.25.0), so the provider binary reports the version the program uses
# (a mismatch makes the CLI warn). HEADLAMP_EKS_K8S_SDK_VERSION overrides it.
k8s_sdk_version() {
	if [[ -n "${HEADLAMP_EKS_K8S_SDK_VERSION:-}" ]]; then
		printf '%s\n' "${HEADLAMP_EKS_K8S_SDK_VERSION}"
		return
	fi
	local v=""
	if [[ -f "${REPO_ROOT}/go.mod" ]]; then
		# Matches both `require X vN` and a line inside a require block; skips replaces.
		v="$(awk -v m="${K8S_SDK_MODULE}" '
			/=>/ { next }
			{ for (i = 1; i < NF; i++) if ($i == m && $(i+1) ~ /^v[0-9]/) { print $(i+1); exit } }
		' "${REPO_ROOT}/go.mod")"
	fi
	if [[ -z "${v}" ]]; then
		log "warning: ${K8S_SDK_MODULE} not found in ${REPO_ROOT}/go.mod; using ${K8S_SDK_FALLBACK}"
		v="${K8S_SDK_FALLBACK}"
	fi
	printf '%s\n' "${v}"
}

# Per-tool version shown to the user, cache key, and rough first-build estimate.
K8S_SDK_VERSION="$(k8s_sdk_version)"
tool_version() {
	case "$1" in
	pulumi) echo "${PULUMI_VERSION}" ;;
	pulumi-resource-kubernetes) echo "${K8S_SDK_VERSION}" ;;
	kube-apiserver | kube-controller-manager) echo "${KUBERNETES_VERSION}" ;;
	etcd) echo "${ETCD_VERSION}" ;;
	actionlint) echo "${ACTIONLINT_VERSION}" ;;
	golangci-lint) echo "${GOLANGCI_LINT_VERSION}" ;;
	*) return 1 ;;
	esac
}
tool_key() {
	case "$1" in
	pulumi-resource-kubernetes)
		echo "$1 ${K8S_SDK_VERSION} provider=${K8S_PROVIDER_MODULE_VERSION} recipe=${RECIPE_REV}"
		;;
	*) echo "$1 $(tool_version "$1") recipe=${RECIPE_REV}" ;;
	esac
}
tool_estimate() { # minutes on 2 idle cores with a cold build cache
	case "$1" in
	pulumi) echo 3 ;;
	pulumi-resource-kubernetes) echo 6 ;;
	kube-apiserver) echo 4 ;;
	kube-controller-manager) echo 2 ;;
	etcd) echo 1 ;;
	actionlint) echo 1 ;;
	golangci-lint) echo 4 ;;
	esac
}

stamp_file() { printf '%s/stamps/%s.stamp\n' "${CACHE}" "$1"; }
stamp_get() { # stamp_get FILE FIELD
	[[ -f "$1" ]] || return 0
	sed -n "s/^$2=//p" "$1" | head -n 1
}
is_cached() {
	local tool="$1" stamp
	stamp="$(stamp_file "${tool}")"
	[[ -x "${BIN}/${tool}" && -f "${stamp}" ]] || return 1
	[[ "$(stamp_get "${stamp}" key)" == "$(tool_key "${tool}")" ]]
}

# --- build helpers ----------------------------------------------------------------------
WORKDIR="" # wrapper module of the build in progress (set in the build subshell)
cleanup() {
	if [[ -n "${WORKDIR}" && -d "${WORKDIR}" ]]; then
		chmod -R u+w "${WORKDIR}" 2>/dev/null || true
		rm -rf "${WORKDIR}"
	fi
	rm -f "${BIN}"/.*.tmp.$$ 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# new_workdir TOOL: fresh empty directory for a wrapper module.
new_workdir() {
	mkdir -p "${CACHE}/build"
	WORKDIR="$(mktemp -d "${CACHE}/build/$1.XXXXXX")"
}

# write_gomod MODULE_NAME: go.mod header for a wrapper module in WORKDIR, using the
# local toolchain's language version (dependencies must not need a newer one).
write_gomod() {
	printf 'module %s\n\ngo %s\n' "$1" "${GO_VERSION#go}" >"${WORKDIR}/go.mod"
}

# go_build OUT PKG LDFLAGS: build PKG in WORKDIR into ${BIN}/OUT via a temporary name.
# -mod=mod lets go add the requirements and go.sum lines the build needs; everything
# resolves from the module graph of the pinned versions (the proxy here refuses
# @latest, so an unpinned lookup would fail loudly rather than drift).
go_build() {
	local out="$1" pkg="$2" ldflags="$3" tmp
	tmp="${BIN}/.${out}.tmp.$$"
	(cd "${WORKDIR}" && "${GO}" build -mod=mod -trimpath -ldflags "-s -w ${ldflags}" -o "${tmp}" "${pkg}")
	mv -f "${tmp}" "${BIN}/${out}"
}

build_pulumi() {
	new_workdir pulumi
	write_gomod headlamp-eks-tools/pulumi
	(cd "${WORKDIR}" &&
		"${GO}" mod edit \
			-require="github.com/pulumi/pulumi/pkg/v3@${PULUMI_VERSION}" \
			-require="github.com/pulumi/pulumi/sdk/v3@${PULUMI_VERSION}" \
			-replace="github.com/atotto/clipboard=${CLIPBOARD_REPLACE// /@}")
	go_build pulumi github.com/pulumi/pulumi/pkg/v3/cmd/pulumi \
		"-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=${PULUMI_VERSION}"
}

build_pulumi-resource-kubernetes() {
	local provider="github.com/pulumi/pulumi-kubernetes/provider/v4"
	local src
	new_workdir pulumi-resource-kubernetes
	write_gomod headlamp-eks-tools/pulumi-resource-kubernetes
	(cd "${WORKDIR}" &&
		"${GO}" mod edit \
			-require="${provider}@${K8S_PROVIDER_MODULE_VERSION}" \
			-replace="${K8S_SDK_MODULE}=${K8S_SDK_MODULE}@${K8S_SDK_VERSION}" \
			-replace="github.com/atotto/clipboard=${CLIPBOARD_REPLACE// /@}")
	# The module zip has the provider's main package but not the generated
	# schema-embed.json / terraform-mapping-embed.json it embeds: copy the package
	# (main.go, generate.go, schema.json, terraform-mapping.json) into the wrapper
	# module and run its generator, as the provider's own Makefile does.
	src="$(cd "${WORKDIR}" && "${GO}" mod download -json "${provider}@${K8S_PROVIDER_MODULE_VERSION}" |
		sed -n 's/^[[:space:]]*"Dir": "\(.*\)",*$/\1/p')"
	[[ -n "${src}" && -d "${src}/cmd/pulumi-resource-kubernetes" ]] ||
		die "cannot find ${provider}@${K8S_PROVIDER_MODULE_VERSION} in the module cache"
	cp "${src}/cmd/pulumi-resource-kubernetes/"* "${WORKDIR}/"
	chmod u+w "${WORKDIR}"/*
	(cd "${WORKDIR}" && VERSION="${K8S_SDK_VERSION#v}" "${GO}" run -mod=mod generate.go)
	[[ -s "${WORKDIR}/schema-embed.json" && -s "${WORKDIR}/terraform-mapping-embed.json" ]] ||
		die "generate.go did not produce the embedded schema files"
	rm -f "${WORKDIR}/schema.json" "${WORKDIR}/terraform-mapping.json"
	go_build pulumi-resource-kubernetes . \
		"-X ${provider}/pkg/version.Version=${K8S_SDK_VERSION#v}"
}

# kubernetes_wrapper: wrapper module requiring k8s.io/kubernetes and replacing each
# k8s.io/<staging> module (which k8s.io/kubernetes requires at v0.0.0 and replaces with
# ./staging/... in its own go.mod, ignored for a dependency) with its published v0.Y.Z.
kubernetes_wrapper() {
	local tool="$1" kdir staging args=()
	local staging_version="v0.${KUBERNETES_VERSION#v1.}"
	new_workdir "${tool}"
	write_gomod "headlamp-eks-tools/${tool}"
	kdir="$(cd "${WORKDIR}" && "${GO}" mod download -json "k8s.io/kubernetes@${KUBERNETES_VERSION}" |
		sed -n 's/^[[:space:]]*"Dir": "\(.*\)",*$/\1/p')"
	[[ -n "${kdir}" && -f "${kdir}/go.mod" ]] ||
		die "cannot find k8s.io/kubernetes@${KUBERNETES_VERSION} in the module cache"
	args+=(-require="k8s.io/kubernetes@${KUBERNETES_VERSION}")
	while read -r staging; do
		case "${staging}" in
		k8s.io/sample-cli-plugin | k8s.io/sample-controller) continue ;;
		esac
		args+=(-replace="${staging}=${staging}@${staging_version}")
	done < <(awk '$2 == "=>" && $3 ~ /^\.\/staging\/src\// { print $1 }' "${kdir}/go.mod")
	((${#args[@]} > 10)) || die "no staging modules found in ${kdir}/go.mod"
	(cd "${WORKDIR}" && "${GO}" mod edit "${args[@]}")
}

kubernetes_ldflags() {
	local minor="${KUBERNETES_VERSION#v1.}"
	minor="${minor%%.*}"
	printf '%s' "-X k8s.io/component-base/version.gitVersion=${KUBERNETES_VERSION}" \
		" -X k8s.io/component-base/version.gitMajor=1" \
		" -X k8s.io/component-base/version.gitMinor=${minor}" \
		" -X k8s.io/component-base/version.gitTreeState=clean"
}

build_kube-apiserver() {
	kubernetes_wrapper kube-apiserver
	go_build kube-apiserver k8s.io/kubernetes/cmd/kube-apiserver "$(kubernetes_ldflags)"
}

build_kube-controller-manager() {
	kubernetes_wrapper kube-controller-manager
	go_build kube-controller-manager k8s.io/kubernetes/cmd/kube-controller-manager "$(kubernetes_ldflags)"
}

build_etcd() {
	new_workdir etcd
	write_gomod headlamp-eks-tools/etcd
	(cd "${WORKDIR}" && "${GO}" mod edit -require="go.etcd.io/etcd/server/v3@${ETCD_VERSION}")
	go_build etcd go.etcd.io/etcd/server/v3 \
		"-X go.etcd.io/etcd/api/v3/version.GitSHA=module-${ETCD_VERSION}"
}

# go_install OUT PKG@VERSION: for modules without replace directives, plain `go install`
# with GOBIN in the build directory, then a rename into ${BIN} (same filesystem) as go_build.
go_install() {
	local out="$1" pkg="$2"
	new_workdir "${out}"
	(cd "${WORKDIR}" && GOBIN="${WORKDIR}/bin" "${GO}" install -trimpath -ldflags "-s -w" "${pkg}")
	mv -f "${WORKDIR}/bin/${out}" "${BIN}/${out}"
}

build_actionlint() {
	go_install actionlint "github.com/rhysd/actionlint/cmd/actionlint@${ACTIONLINT_VERSION}"
}

build_golangci-lint() {
	go_install golangci-lint "github.com/golangci/golangci-lint/v2/cmd/golangci-lint@${GOLANGCI_LINT_VERSION}"
}

# install_tool TOOL: build TOOL unless cached; record the stamp.
install_tool() {
	local tool="$1" version key stamp reason start secs logf rc
	version="$(tool_version "${tool}")"
	key="$(tool_key "${tool}")"
	stamp="$(stamp_file "${tool}")"
	if is_cached "${tool}"; then
		log "${tool} ${version} cached"
		return 0
	fi
	if [[ -f "${stamp}" ]]; then
		reason="was $(stamp_get "${stamp}" version), rebuilding"
	else
		reason="first time"
	fi
	log "building ${tool} ${version} (${reason}, ~$(tool_estimate "${tool}") min)..."
	logf="${CACHE}/logs/${tool}.log"
	start="$(date +%s)"
	rm -f "${stamp}"
	# The build runs in a subshell with its own traps, so its wrapper module and temporary
	# binary are removed however it ends. (Not inside `if`: that would disable set -e.)
	set +e
	(
		set -euo pipefail
		trap cleanup EXIT
		trap 'exit 130' INT
		trap 'exit 143' TERM
		echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) ${key} (${GO_VERSION})"
		"build_${tool}"
	) >"${logf}" 2>&1
	rc=$?
	set -e
	if ((rc != 0)); then
		log "building ${tool} failed (exit ${rc}); last lines of ${logf}:"
		tail -n 30 "${logf}" >&2
		exit "${rc}"
	fi
	secs=$(($(date +%s) - start))
	{
		echo "key=${key}"
		echo "tool=${tool}"
		echo "version=${version}"
		echo "build_seconds=${secs}"
		echo "built_at=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
		echo "go=${GO_VERSION}"
		echo "size_bytes=$(stat -c %s "${BIN}/${tool}")"
		echo "nproc=$(nproc 2>/dev/null || echo '?')"
	} >"${stamp}.tmp.$$"
	mv -f "${stamp}.tmp.$$" "${stamp}"
	log "${tool} ${version} built in ${secs}s"
}

# --- main -----------------------------------------------------------------------------
case "${1:-}" in
--list)
	printf '%s\n' "${TOOLS[@]}"
	exit 0
	;;
--status)
	for t in "${TOOLS[@]}"; do
		if is_cached "${t}"; then s=cached; else s=missing; fi
		printf '%-28s %-8s %s\n' "${t}" "${s}" \
			"$(tr '\n' ' ' 2>/dev/null <"$(stamp_file "${t}")" || true)"
	done
	exit 0
	;;
-h | --help)
	sed -n '2,/^$/p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
	exit 0
	;;
-*) die "unknown option $1 (try --help)" ;;
esac

selected=("$@")
((${#selected[@]})) || selected=("${TOOLS[@]}")
for t in "${selected[@]}"; do
	tool_version "${t}" >/dev/null || die "unknown tool ${t} (known: ${TOOLS[*]})"
done

mkdir -p "${BIN}" "${CACHE}/stamps" "${CACHE}/logs" "${CACHE}/build"

# One builder at a time across processes: a second invocation waits, then finds the
# tools cached.
exec 9>"${CACHE}/.lock"
if ! flock -n 9; then
	log "another tools.sh is building in ${CACHE}; waiting..."
	flock 9
fi

for t in "${selected[@]}"; do
	install_tool "${t}"
done

log "binaries in ${BIN} ($(du -sh "${BIN}" 2>/dev/null | cut -f1))"
# The only line on stdout, so `eval "$(scripts/tools.sh)"` also works.
# shellcheck disable=SC2016 # a literal $PATH is the point
printf 'export PATH=%s:$PATH\n' "${BIN}"
