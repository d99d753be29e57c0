import MediaTree

extension FuzzTarget {
    /// The PE header of an EFI loader (`PEMachine`: MZ, e_lfanew, PE\0\0, machine),
    /// read from the bytes as from a file of their size.
    static let peHeader = FuzzTarget(name: "pe") { bytes in
        struct ShortRead: Error {}
        _ = try? PEMachine.machine(size: UInt64(bytes.count)) { offset, buffer in
            guard offset <= UInt64(bytes.count), UInt64(bytes.count) - offset >= UInt64(buffer.count) else { throw ShortRead() }
            let start = Int(offset)
            buffer.copyBytes(from: bytes[start..<start + buffer.count])
        }
    }
}
