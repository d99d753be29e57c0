// The one place where mediafs makes system calls. Everything above this module
// sees typed, throwing Swift: an error always names the path it concerns.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A failed system call, with the path (or other subject) it was made on.
public struct SystemError: Error, CustomStringConvertible, Sendable, Equatable {
    public let operation: String
    public let path: String
    public let errno: Int32
    /// mediafs's own words when the C library's would mislead (a path refused
    /// because it leads outside its root is ELOOP or EXDEV to the kernel).
    public let detail: String?

    public init(_ operation: String, path: String, errno: Int32, detail: String? = nil) {
        self.operation = operation
        self.path = path
        self.errno = errno
        self.detail = detail
    }

    /// The C library's own words for `errno` ("No such file or directory"), or `detail`.
    public var reason: String { detail ?? String(cString: strerror(errno)) }

    public var description: String {
        if let detail { return "\(path): \(detail)" }
        return "\(path): \(operation) failed: \(reason)"
    }

    public static let noEntry = ENOENT

    /// Nothing is at the path (ENOENT), or a folder on the way is a file (ENOTDIR).
    public var isNotFound: Bool { errno == ENOENT || errno == ENOTDIR }
}

@inline(__always)
func currentErrno() -> Int32 { errno }
