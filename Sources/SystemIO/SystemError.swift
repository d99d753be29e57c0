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

    public init(_ operation: String, path: String, errno: Int32) {
        self.operation = operation
        self.path = path
        self.errno = errno
    }

    /// The C library's own words for `errno` ("No such file or directory").
    public var reason: String { String(cString: strerror(errno)) }

    public var description: String { "\(path): \(operation) failed: \(reason)" }

    public static let noEntry = ENOENT
}

@inline(__always)
func currentErrno() -> Int32 { errno }
