import CFuse3
import Glibc
import RegionMap
import SystemIO

// Free functions, not static members: a C callback may not capture context.
private func fileSystem(_ req: fuse_req_t?) -> MediaFileSystem {
    Unmanaged<MediaFileSystem>.fromOpaque(fuse_req_userdata(req)!).takeUnretainedValue()
}

private func handle<T: AnyObject>(_ fi: UnsafeMutablePointer<fuse_file_info>?, as: T.Type) -> T? {
    guard let fi, let raw = UnsafeRawPointer(bitPattern: UInt(mediafs_fi_fh(fi))) else { return nil }
    return Unmanaged<T>.fromOpaque(raw).takeUnretainedValue()
}

private func store(_ object: AnyObject, in fi: UnsafeMutablePointer<fuse_file_info>) {
    mediafs_fi_set_fh(fi, UInt64(UInt(bitPattern: Unmanaged.passRetained(object).toOpaque())))
}

private func releaseHandle(_ fi: UnsafeMutablePointer<fuse_file_info>?) {
    guard let fi, let raw = UnsafeRawPointer(bitPattern: UInt(mediafs_fi_fh(fi))) else { return }
    Unmanaged<AnyObject>.fromOpaque(raw).release()
}

/// libfuse's low-level operation table. Each C callback finds the
/// `MediaFileSystem` through the request's user data and answers at once
/// (a read-only snapshot never waits on anything but the blob it reads).
enum Operations {
    static func table() -> fuse_lowlevel_ops {
        var ops = fuse_lowlevel_ops()
        ops.`init` = { userdata, conn in
            guard let userdata, let conn else { return }
            Unmanaged<MediaFileSystem>.fromOpaque(userdata).takeUnretainedValue().negotiate(conn)
        }

        ops.lookup = { req, parent, name in
            let fs = fileSystem(req)
            guard let name, let dir = fs.node(parent), case .directory(let listing) = dir.kind else {
                fuse_reply_err(req, ENOENT); return
            }
            let view = fs.currentView
            guard let inode = listing.inode(named: String(cString: name)),
                  let child = view.nodes[inode] ?? fs.node(inode) else {
                fuse_reply_err(req, ENOENT); return
            }
            var e = fs.entry(for: child)
            fs.remember(child)
            if fuse_reply_entry(req, &e) != 0 { fs.forget(child.inode, count: 1) }
        }

        ops.forget = { req, inode, count in
            fileSystem(req).forget(inode, count: count)
            fuse_reply_none(req)
        }
        ops.forget_multi = { req, count, forgets in
            let fs = fileSystem(req)
            if let forgets {
                for i in 0..<count { fs.forget(forgets[i].ino, count: forgets[i].nlookup) }
            }
            fuse_reply_none(req)
        }

        ops.getattr = { req, inode, _ in
            let fs = fileSystem(req)
            guard let node = fs.node(inode) else { fuse_reply_err(req, ENOENT); return }
            var st = fs.attributes(of: node)
            fuse_reply_attr(req, &st, MediaFileSystem.cacheSeconds)
        }

        ops.open = { req, inode, fi in
            let fs = fileSystem(req)
            guard let fi else { fuse_reply_err(req, EINVAL); return }
            guard let node = fs.node(inode) else { fuse_reply_err(req, ENOENT); return }
            guard case .file(let content) = node.kind else { fuse_reply_err(req, EISDIR); return }
            let flags = mediafs_fi_flags(fi)
            if flags & O_ACCMODE != O_RDONLY || flags & O_TRUNC != 0 { fuse_reply_err(req, EROFS); return }
            let pinned: PinnedBlob?
            do { pinned = try fs.openForReader(content, name: node.name) } catch { fuse_reply_err(req, EIO); return }
            let direct = MediaFileSystem.readsDirectly(size: content.size)
            mediafs_fi_set_cache(fi, direct ? 0 : 1, direct ? 1 : 0)
            store(OpenHandle(content: content, name: node.name, pinned: pinned), in: fi)
            if fuse_reply_open(req, fi) != 0 { releaseHandle(fi) }
        }

        ops.read = { req, _, size, offset, fi in
            let fs = fileSystem(req)
            guard let handle = handle(fi, as: OpenHandle.self) else { fuse_reply_err(req, EBADF); return }
            fs.replyRead(req!, handle: handle, offset: UInt64(max(0, offset)), size: size)
        }

        ops.release = { req, _, fi in
            releaseHandle(fi)
            fuse_reply_err(req, 0)
        }
        ops.flush = { req, _, _ in fuse_reply_err(req, 0) }

        ops.opendir = { req, inode, fi in
            let fs = fileSystem(req)
            guard let fi else { fuse_reply_err(req, EINVAL); return }
            guard let node = fs.node(inode) else { fuse_reply_err(req, ENOENT); return }
            guard case .directory(let listing) = node.kind else { fuse_reply_err(req, ENOTDIR); return }
            store(DirectoryHandle(node: node, listing: listing, view: fs.currentView), in: fi)
            if fuse_reply_open(req, fi) != 0 { releaseHandle(fi) }
        }
        ops.readdir = { req, _, size, offset, fi in
            fileSystem(req).replyDirectory(req!, handle: handle(fi, as: DirectoryHandle.self), size: size, offset: offset, plus: false)
        }
        ops.readdirplus = { req, _, size, offset, fi in
            fileSystem(req).replyDirectory(req!, handle: handle(fi, as: DirectoryHandle.self), size: size, offset: offset, plus: true)
        }
        ops.releasedir = { req, _, fi in
            releaseHandle(fi)
            fuse_reply_err(req, 0)
        }

        ops.statfs = { req, _ in
            let view = fileSystem(req).currentView
            var st = statvfs()
            st.f_bsize = 4096
            st.f_frsize = 4096
            st.f_blocks = fsblkcnt_t((view.totalBytes + 4095) / 4096)
            st.f_bfree = 0
            st.f_bavail = 0
            st.f_files = fsfilcnt_t(view.nodes.count)
            st.f_ffree = 0
            st.f_favail = 0
            st.f_namemax = 255
            st.f_flag = UInt(ST_RDONLY)
            fuse_reply_statfs(req, &st)
        }

        ops.getxattr = { req, _, _, _ in fuse_reply_err(req, ENODATA) }
        ops.listxattr = { req, _, size in
            if size == 0 { fuse_reply_xattr(req, 0) } else { fuse_reply_buf(req, nil, 0) }
        }
        ops.access = { req, _, mask in fuse_reply_err(req, mask & W_OK != 0 ? EROFS : 0) }

        // A snapshot is read-only: every operation that would change it.
        ops.setattr = { req, _, _, _, _ in fuse_reply_err(req, EROFS) }
        ops.mknod = { req, _, _, _, _ in fuse_reply_err(req, EROFS) }
        ops.mkdir = { req, _, _, _ in fuse_reply_err(req, EROFS) }
        ops.unlink = { req, _, _ in fuse_reply_err(req, EROFS) }
        ops.rmdir = { req, _, _ in fuse_reply_err(req, EROFS) }
        ops.symlink = { req, _, _, _ in fuse_reply_err(req, EROFS) }
        ops.rename = { req, _, _, _, _, _ in fuse_reply_err(req, EROFS) }
        ops.link = { req, _, _, _ in fuse_reply_err(req, EROFS) }
        ops.write = { req, _, _, _, _, _ in fuse_reply_err(req, EROFS) }
        ops.create = { req, _, _, _, _ in fuse_reply_err(req, EROFS) }
        ops.setxattr = { req, _, _, _, _, _ in fuse_reply_err(req, EROFS) }
        ops.removexattr = { req, _, _ in fuse_reply_err(req, EROFS) }
        ops.fallocate = { req, _, _, _, _, _ in fuse_reply_err(req, EROFS) }
        ops.copy_file_range = { req, _, _, _, _, _, _, _, _ in fuse_reply_err(req, EROFS) }
        return ops
    }
}

extension MediaFileSystem {
    /// readdir and readdirplus over the listing taken at opendir. Offsets:
    /// 0 is the start, entry n (0 ".", 1 "..", then the children) has next offset n+1.
    func replyDirectory(_ req: fuse_req_t, handle: DirectoryHandle?, size: Int, offset: off_t, plus: Bool) {
        guard let handle else { fuse_reply_err(req, EBADF); return }
        let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: max(size, 1))
        defer { buffer.deallocate() }
        var used = 0
        var index = Int(max(0, offset))
        let listing = handle.listing
        let total = listing.names.count + 2
        while index < total {
            let name: String
            let node: Node?
            switch index {
            case 0: name = "."; node = handle.node
            case 1: name = ".."; node = handle.view.nodes[handle.node.parent] ?? handle.node
            default:
                name = listing.names[index - 2]
                node = handle.view.nodes[listing.inodes[index - 2]] ?? self.node(listing.inodes[index - 2])
            }
            guard let node else { index += 1; continue }
            let remaining = size - used
            let added: Int
            if plus {
                var e = fuse_entry_param()
                if index < 2 {
                    // "." and "..": the kernel takes no reference for them (inode 0 = no entry).
                    e.attr = attributes(of: node)
                } else {
                    e = entry(for: node)
                }
                added = fuse_add_direntry_plus(req, buffer + used, remaining, name, &e, off_t(index + 1))
                if added <= remaining && index >= 2 { remember(node) }
            } else {
                var st = attributes(of: node)
                added = fuse_add_direntry(req, buffer + used, remaining, name, &st, off_t(index + 1))
            }
            if added > remaining { break }
            used += added
            index += 1
        }
        fuse_reply_buf(req, buffer, used)
    }
}
