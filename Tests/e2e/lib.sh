# Sourced by every end-to-end test. MEDIAFS is the binary under test.
set -euo pipefail
: "${MEDIAFS:?run through Scripts/test}"
WORK="$(mktemp -d /tmp/mediafs-e2e.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

# expect_failure "what" EXPECTED-TEXT command...: the command must exit non-zero
# and print EXPECTED-TEXT (a fixed string) on stderr.
expect_failure() {
  local what="$1" text="$2"; shift 2
  local out
  if out="$("$@" 2>&1 >/dev/null)"; then fail "$what: exited 0"; fi
  grep -qF -- "$text" <<<"$out" || fail "$what: expected '$text' in: $out"
  echo "ok: $what"
}
