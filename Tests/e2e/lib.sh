# Sourced by every end-to-end test. MEDIAFS is the binary under test.
set -euo pipefail
: "${MEDIAFS:?run through Scripts/test}"
WORK="$(mktemp -d /tmp/mediafs-e2e.XXXXXX)"

fail() { echo "FAIL: $*" >&2; exit 1; }

source "$(dirname "${BASH_SOURCE[0]}")/../../Scripts/lib/daemons.sh"   # daemon_of

# require_tools TOOL...: a missing tool fails the test, never skips it (CI installs every one).
require_tools() {
  local tool
  for tool in "$@"; do command -v "$tool" >/dev/null || fail "$tool is not installed (a missing tool fails, never skips)"; done
}

# blob_path LIB SHA256: where a content library keeps the blob of that SHA-256 (FileLib/XXXX/HASH, upper case).
blob_path() { local h="${2^^}"; echo "$1/FileLib/${h:0:4}/$h"; }

# mounted DIR: DIR is a mount point now.
mounted() { awk -v m="$1" '$5 == m {found=1} END {exit !found}' /proc/self/mountinfo; }

# MOUNTS: the mount points a test made (it appends them). On exit they are
# unmounted lazily — through fusermount3, or umount for a mount made by mount(8) —
# and WORK removed. A test with more to clean defines its own cleanup that calls
# unmount_all, and sets its own trap.
MOUNTS=()
unmount_all() {
  local m
  for m in "${MOUNTS[@]}"; do
    mounted "$m" && { fusermount3 -u -z "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true; }
  done
  return 0
}
cleanup() { unmount_all; rm -rf "$WORK"; }
trap cleanup EXIT

# expect_failure "what" EXPECTED-TEXT command...: the command must exit non-zero
# and print EXPECTED-TEXT (a fixed string) on stderr.
expect_failure() {
  local what="$1" text="$2"; shift 2
  local out
  if out="$("$@" 2>&1 >/dev/null)"; then fail "$what: exited 0"; fi
  grep -qF -- "$text" <<<"$out" || fail "$what: expected '$text' in: $out"
  echo "ok: $what"
}
