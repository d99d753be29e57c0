// System calls Swift cannot make by itself: glibc has no wrapper for
// openat2(2), and Swift cannot call the variadic syscall(2).
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

/// openat2(2): opens `path` relative to `dirfd` with `flags` and the RESOLVE_* rules
/// in `resolve`. Returns the descriptor, or -1 with errno set (ENOSYS: the kernel,
/// older than 5.6, has no openat2).
static inline int mediafs_openat2(int dirfd, const char *path, unsigned long long flags, unsigned long long resolve) {
#ifdef SYS_openat2
    struct open_how how = { .flags = flags, .mode = 0, .resolve = resolve };
    return (int)syscall(SYS_openat2, dirfd, path, &how, sizeof how);
#else
    errno = ENOSYS;
    return -1;
#endif
}

static const unsigned long long mediafs_resolve_beneath = RESOLVE_BENEATH;
static const unsigned long long mediafs_resolve_no_symlinks = RESOLVE_NO_SYMLINKS;
static const unsigned long long mediafs_resolve_no_magiclinks = RESOLVE_NO_MAGICLINKS;

// O_PATH (a descriptor that only names a file: for lookups beneath a folder and
// fstat) is a GNU extension Swift's Glibc module does not show.
#ifdef O_PATH
static const int mediafs_o_path = O_PATH;
#else
static const int mediafs_o_path = 010000000;  // Linux's value (asm-generic/fcntl.h)
#endif
