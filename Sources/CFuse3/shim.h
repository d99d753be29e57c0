// libfuse3's low-level API, version 3.14 (Debian 12's libfuse3-dev).
#define FUSE_USE_VERSION 314
#include <fuse_lowlevel.h>
#include <stdarg.h>
#include <stdio.h>

// Swift cannot set C bitfields of fuse_file_info portably, nor call the
// versioned macro names of libfuse; these small wrappers do it.

/// Open reply flags: `keep_cache` (a snapshot never changes, so the kernel may
/// keep pages across opens) or `direct_io` (bypass the page cache).
static inline void mediafs_fi_set_cache(struct fuse_file_info *fi, int keep_cache, int direct_io) {
    fi->keep_cache = keep_cache ? 1 : 0;
    fi->direct_io = direct_io ? 1 : 0;
}

static inline int mediafs_fi_flags(const struct fuse_file_info *fi) { return fi->flags; }
static inline uint64_t mediafs_fi_fh(const struct fuse_file_info *fi) { return fi->fh; }
static inline void mediafs_fi_set_fh(struct fuse_file_info *fi, uint64_t fh) { fi->fh = fh; }

/// The multi-threaded session loop (a macro over a versioned symbol in the header).
static inline int mediafs_session_loop_mt(struct fuse_session *se, struct fuse_loop_config *config) {
    return fuse_session_loop_mt(se, config);
}

/// Formats a libfuse log message (its log callback hands us a va_list).
static inline int mediafs_format_log(char *out, size_t size, const char *fmt, va_list ap) {
    return vsnprintf(out, size, fmt, ap);
}
