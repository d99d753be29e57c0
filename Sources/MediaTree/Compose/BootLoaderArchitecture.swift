import MediaSpec
import SystemIO

/// Reads the `Machine` field of a PE/COFF executable (an EFI loader): the DOS
/// header's `e_lfanew` at 0x3C points at `PE\0\0`, followed by the 16-bit machine.
enum PEMachine {
    enum Problem: Error, CustomStringConvertible {
        case notPE(String)
        var description: String { if case .notPE(let why) = self { return why } else { return "" } }
    }

    static func read(path: String, size: UInt64) throws -> UInt16 {
        let file = try OpenFile(path: path)
        var header = [UInt8](repeating: 0, count: 64)
        guard size >= 64 else { throw Problem.notPE("it is \(size) bytes, too short for a PE header") }
        try header.withUnsafeMutableBytes { try file.readExactly(into: $0, at: 0) }
        guard header[0] == 0x4D, header[1] == 0x5A else { throw Problem.notPE("it does not start with MZ") }
        let peOffset = UInt64(header[0x3C]) | UInt64(header[0x3D]) << 8 | UInt64(header[0x3E]) << 16 | UInt64(header[0x3F]) << 24
        guard peOffset + 6 <= size else { throw Problem.notPE("its PE header offset \(peOffset) is past the end") }
        var pe = [UInt8](repeating: 0, count: 6)
        try pe.withUnsafeMutableBytes { try file.readExactly(into: $0, at: peOffset) }
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

func hex4(_ v: UInt16) -> String {
    let s = String(v, radix: 16, uppercase: true)
    return "0x" + String(repeating: "0", count: max(0, 4 - s.count)) + s
}
