/// Calendar arithmetic for UTC seconds since 1970 (proleptic Gregorian),
/// shared by the media tree's timestamps and the spec's dates. Here because
/// SystemIO is the one module both depend on; it makes no system call.
public enum CivilTime {
    public struct Fields: Sendable, Equatable {
        public let year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int
    }

    /// Broken down in UTC: Howard Hinnant's days-to-civil algorithm.
    public static func utc(_ seconds: Int64) -> Fields {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = Int(seconds - days * 86_400)
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = Int(doy - (153 * mp + 2) / 5 + 1)
        let month = Int(mp < 10 ? mp + 3 : mp - 9)
        let year = Int(yoe + era * 400) + (month <= 2 ? 1 : 0)
        return Fields(year: year, month: month, day: day,
                      hour: secondOfDay / 3600, minute: secondOfDay % 3600 / 60, second: secondOfDay % 60)
    }

    /// `2026-11-21T02:41:00Z`, with fractional seconds when `nanoseconds` is not
    /// 0 (`…:00.5Z`). The one timestamp formatter: `mediafs tree` prints one
    /// per file, so it is written byte by byte.
    public static func iso8601(_ seconds: Int64, nanoseconds: Int = 0) -> String {
        let t = utc(seconds)
        var out: [UInt8] = []
        out.reserveCapacity(32)
        /// `v` in decimal (with its sign), zeros in front up to `width` characters.
        func pad(_ v: Int, _ width: Int) {
            var count = 0
            var rest = v.magnitude
            repeat { count += 1; rest /= 10 } while rest > 0
            for _ in 0..<max(0, width - count - (v < 0 ? 1 : 0)) { out.append(UInt8(ascii: "0")) }
            if v < 0 { out.append(UInt8(ascii: "-")) }
            let start = out.count
            out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: count))
            rest = v.magnitude
            for i in stride(from: start + count - 1, through: start, by: -1) {
                out[i] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
            }
        }
        pad(t.year, 4); out.append(UInt8(ascii: "-"))
        pad(t.month, 2); out.append(UInt8(ascii: "-"))
        pad(t.day, 2); out.append(UInt8(ascii: "T"))
        pad(t.hour, 2); out.append(UInt8(ascii: ":"))
        pad(t.minute, 2); out.append(UInt8(ascii: ":"))
        pad(t.second, 2)
        if nanoseconds != 0 {
            out.append(UInt8(ascii: "."))
            pad(nanoseconds, 9)
            while out.last == UInt8(ascii: "0") { out.removeLast() }
        }
        out.append(UInt8(ascii: "Z"))
        return String(decoding: out, as: UTF8.self)
    }
}
