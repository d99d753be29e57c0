// wimlib (Debian's libwim-dev, wimlib 1.13) for the WIMArchive module.
#include <wimlib.h>

// A dentry's streams are a C flexible array member, which Swift does not import:
// this gives the i-th one (0 is the unnamed data stream, the file's content).
static inline const struct wimlib_stream_entry *
cwim_dir_entry_stream(const struct wimlib_dir_entry *dentry, size_t index)
{
	return &dentry->streams[index];
}
