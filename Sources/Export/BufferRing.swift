import Dispatch
import Synchronization
import SystemIO

/// A fixed ring of buffers between one producer (the thread that walks the
/// layout and fills them) and one or two consumers (write the output; hash the
/// image, when asked), each consumer on a thread of its own.
///
/// Every consumer sees every buffer, in the order they were published, and
/// goes at its own pace; a buffer is filled again only once every consumer is
/// done with it. So the slowest activity sets the speed, not the slowest step
/// of each buffer (which is what a barrier per buffer costs), and memory is
/// `count × capacity` whatever the image size.
///
/// Buffers are released in publication order (each consumer takes them in
/// order, so the last one to finish a buffer has finished the ones before),
/// which is why the free one is always the next in the ring.
final class BufferRing: @unchecked Sendable {
    typealias Consumer = @Sendable (RingSlot) throws -> Void

    private let slots: [RingSlot]
    private let consumers: [Consumer]
    /// Counts free slots; the producer takes one per buffer it fills.
    private let free: DispatchSemaphore
    /// One per consumer: counts the slots published and not yet taken by it.
    private let ready: [DispatchSemaphore]
    private let threads = DispatchGroup()
    /// Published slots; only the producer touches it.
    private var published = 0
    private var held: RingSlot?
    private var running = false
    private let failure = Mutex<(any Error)?>(nil)
    /// Set on the first consumer error or by `cancel`: consumers skip the work
    /// of what is still queued and only hand the slots back.
    private let stopping = Atomic<Bool>(false)
    private let completed = Atomic<UInt64>(0)

    init(count: Int, capacity: Int, consumers: [Consumer]) {
        precondition(count >= 2 && !consumers.isEmpty)
        slots = (0 ..< count).map { _ in RingSlot(capacity: capacity) }
        self.consumers = consumers
        free = DispatchSemaphore(value: count)
        ready = consumers.map { _ in DispatchSemaphore(value: 0) }
    }

    /// Image bytes every consumer is done with (written and hashed): for progress.
    var completedOffset: UInt64 { completed.load(ordering: .relaxed) }

    /// Starts one thread per consumer. Serial queues get a thread of their own
    /// (they target the overcommitting root queue), unlike a concurrent queue's
    /// blocks, which share a pool the size of the core count.
    func start() {
        guard !running else { return }
        running = true
        for (index, consume) in consumers.enumerated() {
            let queue = DispatchQueue(label: "mediafs.export.consumer\(index)")
            queue.async(group: threads) { [self] in run(consume, ready: ready[index]) }
        }
    }

    private func run(_ consume: Consumer, ready: DispatchSemaphore) {
        var next = 0
        while true {
            ready.wait()
            let slot = slots[next % slots.count]
            next += 1
            if !slot.isEnd && !stopping.load(ordering: .acquiring) {
                do { try consume(slot) } catch {
                    failure.withLock { if $0 == nil { $0 = error } }
                    stopping.store(true, ordering: .releasing)
                }
            }
            let isEnd = slot.isEnd
            if slot.pending.subtract(1, ordering: .acquiringAndReleasing).newValue == 0 {
                if !isEnd { completed.store(slot.end, ordering: .relaxed) }
                self.free.signal()
            }
            if isEnd { return }
        }
    }

    /// The slot to fill next, empty and starting at `offset`, once every
    /// consumer is done with its previous use. Throws the first consumer
    /// error (a write that failed), so the producer stops.
    /// The producer publishes each slot before it acquires the next.
    func acquire(at offset: UInt64) throws -> RingSlot {
        precondition(held == nil, "a slot is acquired only after the previous one is published")
        free.wait()
        let slot = slots[published % slots.count]
        held = slot
        if let error = failure.withLock({ $0 }) { throw error }
        slot.reset(at: offset)
        return slot
    }

    /// Hands the held slot, filled (never empty), to every consumer.
    func publish() {
        guard let slot = held else { preconditionFailure("publish without an acquired slot") }
        held = nil
        slot.pending.store(consumers.count, ordering: .relaxed)
        published += 1
        // The semaphore orders the slot's contents before the consumer reads them.
        for semaphore in ready { semaphore.signal() }
    }

    /// Waits until every consumer is done with every published slot (before
    /// the producer writes to the output itself); throws the first consumer error.
    func drain() throws {
        for _ in slots { free.wait() }
        for _ in slots { free.signal() }
        if let error = failure.withLock({ $0 }) { throw error }
    }

    /// The end of the stream: waits for the consumers to finish everything,
    /// stops their threads, throws the first consumer error.
    func finish() throws {
        endThreads()
        if let error = failure.withLock({ $0 }) { throw error }
    }

    /// Stops after an error: what is queued is dropped, the threads end.
    func cancel() {
        stopping.store(true, ordering: .releasing)
        endThreads()
    }

    private func endThreads() {
        guard running else { return }
        running = false
        let slot: RingSlot
        if let held { slot = held } else {
            free.wait()
            slot = slots[published % slots.count]
            held = slot
        }
        slot.reset(at: slot.offset)
        slot.isEnd = true
        publish()
        threads.wait()
    }
}

/// One buffer of the ring: image bytes from `offset`, or a run of zeros
/// (`zeroRun` bytes, nothing in memory). Written by the producer only while
/// no consumer holds it, read by the consumers after it is published, hence
/// unchecked Sendable.
final class RingSlot: @unchecked Sendable {
    let memory: UnsafeMutableRawBufferPointer
    /// Where in `memory` the first byte goes: the image offset's place in its
    /// page, so that page-aligned image offsets sit at page-aligned addresses
    /// (what a direct write needs) and a slot ends on a page boundary.
    private(set) var start = 0
    var count = 0
    var offset: UInt64 = 0
    var zeroRun: UInt64 = 0
    var isEnd = false
    /// Consumers still to finish with this slot.
    let pending = Atomic<Int>(0)

    init(capacity: Int) {
        // Page-aligned, so a write from it can be as direct as the kernel allows.
        memory = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 4096)
    }
    deinit { memory.deallocate() }

    var free: Int { zeroRun > 0 ? 0 : memory.count - start - count }
    var end: UInt64 { offset + (zeroRun > 0 ? zeroRun : UInt64(count)) }
    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: memory[start ..< start + count]) }
    /// The free space, where the next bytes go.
    func unfilled(_ n: Int) -> UnsafeMutableRawBufferPointer {
        UnsafeMutableRawBufferPointer(rebasing: memory[start + count ..< start + count + n])
    }

    func reset(at offset: UInt64) {
        start = Int(offset % UInt64(OpenFile.directIOAlignment))
        count = 0
        zeroRun = 0
        isEnd = false
        self.offset = offset
    }
}
