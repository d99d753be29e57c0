# Shared by Scripts/demo, Scripts/test and Scripts/bench: install what is
# missing, build mediafs once, and a few helpers. Sourced, not run.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

# Every outside tool the scripts and tests use, by Debian package.
MEDIAFS_APT_PACKAGES=(
  libfuse3-dev fuse3 pkg-config dosfstools mtools xorriso genisoimage p7zip-full
  qemu-system-x86 ovmf grub-efi-amd64-bin grub-pc-bin grub-common
  libwim-dev wimtools openssl python3
  libssl-dev  # libcrypto: the legacy PFX ciphers (3DES, RC2) MediaCredentials reads
  man-db zsh fish   # Scripts/install's man page and completions, loaded by Tests/e2e/90-install.sh
)

# What building mediafs needs (the C libraries' headers): installed by every
# script that builds (build_mediafs, asan_fuzz_flags), so Scripts/fuzz,
# Scripts/bench and Scripts/install work on a fresh machine too.
MEDIAFS_BUILD_APT_PACKAGES=(libfuse3-dev pkg-config libwim-dev libssl-dev)

# Python modules the tests use as independent implementations (PyPI names).
MEDIAFS_PIP_PACKAGES=(cryptography)

# Installs the Debian packages that are not installed yet; `apt-get update`
# only when something is missing.
ensure_packages() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "==> installing: ${missing[*]}" >&2
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -q >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
}

# Installs the PyPI packages whose module cannot be imported yet.
ensure_python_modules() {
  local missing=()
  for p in "$@"; do
    python3 -c "import $p" 2>/dev/null || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "==> installing from PyPI: ${missing[*]}" >&2
  python3 -m pip install -q "${missing[@]}" >&2
}

# One build configuration for everything (tests included), so it is built once.
SWIFT_FLAGS=(-c release -Xswiftc -enable-testing)

# The AddressSanitizer build (debug, in .build-fuzz): the fuzzer's (Scripts/fuzz)
# and the tests' under `Scripts/test --sanitize address` -- one build for both, as
# a build of everything is long. Swift code gets ASan and libFuzzer's coverage
# (what -sanitize=fuzzer does); programs link libFuzzer's no-main runtime, which
# only mediafs-fuzz (built with -D FUZZING) calls.
asan_fuzz_flags() {
  local swiftc_dir runtime
  ensure_packages "${MEDIAFS_BUILD_APT_PACKAGES[@]}"
  swiftc_dir="$(dirname "$(readlink -f "$(command -v swiftc)")")"
  runtime="$(ls "$swiftc_dir"/../lib/clang/*/lib/linux/libclang_rt.fuzzer_no_main-x86_64.a 2>/dev/null | head -n 1)"
  [ -n "$runtime" ] || { echo "libclang_rt.fuzzer_no_main not found beside $swiftc_dir/swiftc" >&2; return 1; }
  ASAN_FUZZ_FLAGS=(-c debug --scratch-path "$ROOT/.build-fuzz"
    -Xswiftc -DFUZZING -Xswiftc -sanitize=address
    -Xswiftc -sanitize-coverage=edge,trace-cmp,inline-8bit-counters,pc-table
    -Xlinker "$runtime" -Xlinker -lstdc++)
}

# MEDIAFS_SANITIZE=address|thread (Scripts/test --sanitize): the unit and e2e
# tests under that sanitizer (thread: a debug build in .build-thread, with
# Sources/TSanMutexHooks, which makes Synchronization's Mutex visible to TSan).
case "${MEDIAFS_SANITIZE:-}" in
  "") ;;
  address) asan_fuzz_flags; SWIFT_FLAGS=("${ASAN_FUZZ_FLAGS[@]}") ;;
  thread) SWIFT_FLAGS=(-c debug --scratch-path "$ROOT/.build-thread" -Xswiftc -sanitize=thread -Xcc -DMEDIAFS_TSAN_MUTEX) ;;
  *) echo "MEDIAFS_SANITIZE: address or thread, not $MEDIAFS_SANITIZE" >&2; exit 2 ;;
esac

build_mediafs() {
  ensure_packages "${MEDIAFS_BUILD_APT_PACKAGES[@]}"
  echo "==> building mediafs" >&2
  (cd "$ROOT" && swift build "${SWIFT_FLAGS[@]}" >&2)
  MEDIAFS="$(cd "$ROOT" && swift build "${SWIFT_FLAGS[@]}" --show-bin-path)/mediafs"
  export MEDIAFS
}

source "$ROOT/Scripts/lib/daemons.sh"
