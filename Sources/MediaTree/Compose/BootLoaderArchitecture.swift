import MediaSpec
import SystemIO

/// Reads the `Machine` field of a PE/COFF executable (an EFI loader): the DOS
/// header's `e_lfanew` at 0x3C points at `PE\0\0`, followed by the 16-bit machine.
package enum PEMachine {
    package enum Problem: Error, CustomStringConvertible {
        case notPE(String)
        package var description: String { if case .notPE(let why) = self { return why } else { return "" } }
    }

    /// `library`: the content library the file is a blob of (opened beneath it).
    static func read(path: String, size: UInt64, library: String) throws -> UInt16 {
        let file = try OpenFile(path: path, beneath: library)
        return try machine(size: size) { offset, buffer in try file.readExactly(into: buffer, at: offset) }
    }

    /// The machine of a PE file of `size` bytes whose bytes `read(offset, buffer)`
    /// fills (the format logic apart from the I/O: the fuzzer feeds it bytes).
    package static func machine(size: UInt64, reading read: (UInt64, UnsafeMutableRawBufferPointer) throws -> Void) throws -> UInt16 {
        var header = [UInt8](repeating: 0, count: 64)
        guard size >= 64 else { throw Problem.notPE("it is \(size) bytes, too short for a PE header") }
        try header.withUnsafeMutableBytes { try read(0, $0) }
        guard header[0] == 0x4D, header[1] == 0x5A else { throw Problem.notPE("it does not start with MZ") }
        let peOffset = UInt64(header[0x3C]) | UInt64(header[0x3D]) << 8 | UInt64(header[0x3E]) << 16 | UInt64(header[0x3F]) << 24
        guard peOffset + 6 <= size else { throw Problem.notPE("its PE header offset \(peOffset) is past the end") }
        var pe = [UInt8](repeating: 0, count: 6)
        try pe.withUnsafeMutableBytes { try read(peOffset, $0) }
        guard pe[0] == 0x50, pe[1] == 0x45, pe[2] == 0, pe[3] == 0 else { throw Problem.notPE("there is no PE signature at offset \(peOffset)") }
        return UInt16(pe[4]) | UInt16(pe[5]) << 8
    }

    /// The same, from a loader held in memory (one read out of a boot image's WIM).
    static func read(bytes: [UInt8]) throws -> UInt16 {
        guard bytes.count >= 64 else { throw Problem.notPE("it is \(bytes.count) bytes, too short for a PE header") }
        guard bytes[0] == 0x4D, bytes[1] == 0x5A else { throw Problem.notPE("it does not start with MZ") }
        let peOffset = Int(bytes[0x3C]) | Int(bytes[0x3D]) << 8 | Int(bytes[0x3E]) << 16 | Int(bytes[0x3F]) << 24
        guard peOffset + 6 <= bytes.count else { throw Problem.notPE("its PE header offset \(peOffset) is past the end") }
        guard bytes[peOffset] == 0x50, bytes[peOffset + 1] == 0x45, bytes[peOffset + 2] == 0, bytes[peOffset + 3] == 0 else {
            throw Problem.notPE("there is no PE signature at offset \(peOffset)")
        }
        return UInt16(bytes[peOffset + 4]) | UInt16(bytes[peOffset + 5]) << 8
    }
}

func hex4(_ v: UInt16) -> String { "0x" + Hex.upper(v, digits: 4) }

/// Reads the image count of a WIM's header (offset 44), after checking its magic
/// `MSWIM\0\0\0` and header size 208: prestaged media checks its OS image index.
enum WIMHeaderFacts {
    /// `library`: the content library the WIM is a blob of (opened beneath it).
    static func imageCount(path: String, size: UInt64, library: String) throws -> UInt32 {
        guard size >= 208 else { throw PEMachine.Problem.notPE("it is \(size) bytes, shorter than a WIM header (208)") }
        let file = try OpenFile(path: path, beneath: library)
        var header = [UInt8](repeating: 0, count: 48)
        try header.withUnsafeMutableBytes { try file.readExactly(into: $0, at: 0) }
        guard header[0..<8].elementsEqual([0x4D, 0x53, 0x57, 0x49, 0x4D, 0, 0, 0]) else {
            throw PEMachine.Problem.notPE("it does not start with MSWIM")
        }
        func u32(_ at: Int) -> UInt32 {
            UInt32(header[at]) | UInt32(header[at + 1]) << 8 | UInt32(header[at + 2]) << 16 | UInt32(header[at + 3]) << 24
        }
        guard u32(8) == 208 else { throw PEMachine.Problem.notPE("its header size is \(u32(8)), not 208") }
        return u32(44)
    }
}
