# Sourced by Scripts/lib/common.sh (the benchmarks) and Tests/e2e/lib.sh.

# daemon_of MOUNTPOINT: the pid of the mount daemon serving it (the daemon's
# command line, --foreground-child …, names the mount point).
daemon_of() { pgrep -f -- "--foreground-child" | while read -r p; do tr '\0' ' ' </proc/$p/cmdline | grep -qF " $1 " && echo "$p"; done | head -1; }
