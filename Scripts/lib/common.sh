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

build_mediafs() {
  echo "==> building mediafs" >&2
  (cd "$ROOT" && swift build "${SWIFT_FLAGS[@]}" >&2)
  MEDIAFS="$(cd "$ROOT" && swift build "${SWIFT_FLAGS[@]}" --show-bin-path)/mediafs"
  export MEDIAFS
}
