#if canImport(Glibc)
import Glibc
#endif

/// Work spread over threads that all finish before the call returns: the
/// content library reads a package's 100,000 small per-file INI files on every
/// core (the time is mostly system calls, which run in parallel). The threads
/// are `startJoinableThread`'s.
public enum ParallelWork {
    /// Processors online (at least 1).
    public static var processorCount: Int {
        max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
    }

    /// Lets a thread that waits for another's work give up its processor a
    /// moment (0.1 ms): waits here are short (the next slice of a listing),
    /// and a sleeping thread costs the others nothing.
    public static func pause() {
        var request = timespec(tv_sec: 0, tv_nsec: 100_000)
        _ = nanosleep(&request, nil)
    }

    /// Runs `body(worker)` for `worker` in `0..<workers`: worker 0 on the calling
    /// thread, the others on threads of their own, and returns once every one
    /// has returned. A thread that cannot be started leaves its share to the
    /// calling thread (`body` runs for every worker number either way), so the
    /// result never depends on how many threads there were.
    public static func run(workers: Int, _ body: @Sendable (Int) -> Void) {
        guard workers > 1 else {
            if workers == 1 { body(0) }
            return
        }
        withoutActuallyEscaping(body) { body in
            var started: [StartedThread] = []
            var leftOver: [Int] = []
            for worker in 1..<workers {
                do {
                    started.append(try startJoinableThread { body(worker) })
                } catch {
                    leftOver.append(worker)
                }
            }
            body(0)
            for worker in leftOver { body(worker) }
            // Joined before returning: `body` must not outlive this call.
            for thread in started { thread.join() }
        }
    }
}
