#!/usr/bin/env bash
# deploy/deployments-settings.sh — apply deploy/deployments-settings.json to the Pulumi
# Deployments settings of the CI stack, through the Pulumi Cloud REST API.
#
#   PULUMI_ACCESS_TOKEN=pul-... deploy/deployments-settings.sh --org my-org [options]
#
#   --org ORG        Pulumi organization (or PULUMI_ORG)                     required
#   --stack STACK    stack name (or PULUMI_STACK)                             default: ci
#   --repo OWNER/R   GitHub repository Deployments builds from (or GITHUB_REPOSITORY)
#                                                       default: this clone's github.com origin
#   --dry-run        print the request, send nothing (no token needed)
#   -h, --help       this text
#
# What it sends: POST {PULUMI_API}/api/stacks/{org}/{project}/{stack}/deployments/settings
# ("Patch settings": merged into what the stack already has; it creates the settings if the
# stack has none), with the JSON file's "@GITHUB_REPOSITORY@" replaced by --repo, then reads
# the stored settings back and prints them. The project is Pulumi.yaml's name.
#
# Environment: PULUMI_ACCESS_TOKEN (never printed, never on a command line), PULUMI_API
# (default https://api.pulumi.com; plain http is accepted for loopback only, which is what the
# tests use). Prerequisites and what each setting does: docs/ci.md, "Pulumi Deployments".
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "${here}/.." && pwd)"
settings_file="${here}/deployments-settings.json"

say() { printf 'deployments-settings: %s\n' "$*" >&2; }
die() {
	say "error: $*"
	exit 1
}
usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; }

org="${PULUMI_ORG:-}"
stack="${PULUMI_STACK:-ci}"
repo="${GITHUB_REPOSITORY:-}"
dry_run=false
while (($#)); do
	case "$1" in
	--org) org="${2:?--org needs a value}" && shift ;;
	--stack) stack="${2:?--stack needs a value}" && shift ;;
	--repo) repo="${2:?--repo needs a value}" && shift ;;
	--dry-run) dry_run=true ;;
	-h | --help)
		usage
		exit 0
		;;
	*) die "unknown argument $1 (try --help)" ;;
	esac
	shift
done

[[ -n "${org}" ]] || die "no organization: pass --org ORG or set PULUMI_ORG"
project="$(sed -n 's/^name:[[:space:]]*//p' "${root}/Pulumi.yaml" | head -n 1)"
[[ -n "${project}" ]] || die "cannot read the project name from ${root}/Pulumi.yaml"
if [[ -z "${repo}" ]]; then
	origin="$(git -C "${root}" remote get-url origin 2>/dev/null || true)"
	if [[ "${origin}" =~ github\.com[:/]([^/]+/[^/]+)$ ]]; then
		repo="${BASH_REMATCH[1]%.git}"
	fi
fi
[[ "${repo}" =~ ^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$ ]] ||
	die "no GitHub repository (OWNER/NAME): pass --repo or set GITHUB_REPOSITORY (got '${repo}')"
for part in "${org}" "${stack}"; do
	[[ "${part}" =~ ^[A-Za-z0-9_.-]+$ ]] || die "invalid organization or stack name '${part}'"
done

api="${PULUMI_API:-https://api.pulumi.com}"
api="${api%/}"
case "${api}" in
https://*) ;;
http://127.0.0.1:* | http://localhost:* | http://\[::1\]:*) ;;
*) die "PULUMI_API must be https:// (plain http only for loopback): ${api}" ;;
esac
url="${api}/api/stacks/${org}/${project}/${stack}/deployments/settings"

body="$(sed "s|@GITHUB_REPOSITORY@|${repo}|g" "${settings_file}")"
if command -v jq >/dev/null 2>&1; then
	jq -e . >/dev/null <<<"${body}" || die "${settings_file} is not valid JSON"
elif command -v python3 >/dev/null 2>&1; then
	python3 -m json.tool >/dev/null <<<"${body}" || die "${settings_file} is not valid JSON"
fi

say "stack ${org}/${project}/${stack}, source github.com/${repo}"
say "POST ${url}"
printf '%s\n' "${body}"
if "${dry_run}"; then
	say "dry run: nothing sent"
	exit 0
fi
[[ -n "${PULUMI_ACCESS_TOKEN:-}" ]] ||
	die "PULUMI_ACCESS_TOKEN is not set (a token that may administer the stack; see docs/ci.md)"

# The token reaches curl through a here-string, so it never appears in a process list.
call() { # call METHOD [curl args...]
	local method="$1"
	shift
	curl --silent --show-error --fail-with-body --max-time 60 -X "${method}" \
		-H "Accept: application/vnd.pulumi+8" \
		-H "Content-Type: application/json" \
		-H @- "$@" "${url}" <<<"Authorization: token ${PULUMI_ACCESS_TOKEN}"
}

response="$(call POST --data-binary "${body}")" || die "Pulumi Cloud refused the settings: ${response:-no answer}"
say "settings applied; Pulumi Cloud now has:"
call GET
printf '\n'
