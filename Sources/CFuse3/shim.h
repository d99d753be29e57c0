// libfuse3's low-level API, version 3.14 (Debian 12's libfuse3-dev).
#define FUSE_USE_VERSION 314
#include <fuse_lowlevel.h>
