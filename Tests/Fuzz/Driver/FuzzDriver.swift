import FuzzTargets
#if canImport(Glibc)
import Glibc
#endif

/// `mediafs-fuzz --target=NAME [libFuzzer options] [CORPUS…]`.
///
/// Built by `Scripts/fuzz` with `-D FUZZING` and the fuzzer instrumentation
/// (see there), it hands the target to libFuzzer's driver. In the ordinary
/// build (`swift build`, where it must link without libFuzzer) it replays the
/// files named on the command line through the target instead, which is also
/// how a crash input is rerun: `mediafs-fuzz --target=NAME crash-…`.
/// libFuzzer ignores options that start with `--`, so `--target=` passes through.
@main
enum FuzzDriver {
    static func main() {
        let arguments = CommandLine.arguments.dropFirst()
        let names = arguments.compactMap { $0.hasPrefix("--target=") ? String($0.dropFirst(9)) : nil }
        guard names.count == 1, let target = FuzzTarget.named(names[0]) else {
            let all = FuzzTarget.all.map(\.name).joined(separator: ", ")
            complain("usage: mediafs-fuzz --target=NAME [libFuzzer options] [CORPUS…]  (targets: \(all))")
            exit(2)
        }
        selected = target
#if FUZZING
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in
            selected?.run(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
            return 0
        })
#else
        for path in arguments where !path.hasPrefix("-") {
            guard let file = fopen(path, "rb") else {
                complain("mediafs-fuzz: \(path): cannot open")
                exit(1)
            }
            var bytes: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 65536)
            while true {
                let n = fread(&chunk, 1, chunk.count, file)
                if n <= 0 { break }
                bytes.append(contentsOf: chunk[..<n])
            }
            fclose(file)
            target.run(bytes)
            print("ran \(path) (\(bytes.count) bytes)")
        }
#endif
    }
}

/// One line on standard error.
func complain(_ message: String) {
    var line = message + "\n"
    line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
}

/// The target, for the C callback (which can capture nothing).
nonisolated(unsafe) var selected: FuzzTarget?

#if FUZZING
/// libFuzzer's entry point for programs that have their own `main`
/// (libclang_rt.fuzzer_no_main, linked by Scripts/fuzz).
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
) -> Int32
#endif
