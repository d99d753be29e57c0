// ThreadSanitizer builds only (`Scripts/test --sanitize thread` defines
// MEDIAFS_TSAN_MUTEX); in every other build this file is empty.
//
// Why: Synchronization's `Mutex` on Linux takes and releases the lock with an
// atomic compare-exchange inlined into our code, which TSan sees, but when the
// lock is contended it goes through `_lockSlow`/`_unlockSlow` in
// libswiftSynchronization.so: a spin and a priority-inheritance futex in a
// library built without TSan. TSan then sees no acquire/release, and reports
// every access made under a contended Mutex (and every value handed from one
// thread to another through one) as a race: a correct 4-thread counter under a
// Mutex gives such reports (Swift 6.3.1). Suppressing those would hide real
// races in our code, so instead the slow paths are wrapped here: the program's
// own definitions of the two symbols come first for its calls, call the
// library's (dlsym RTLD_NEXT), and tell TSan of the acquire/release on the
// lock word, as the inlined fast paths do. A real race beside a Mutex is
// still reported (checked with an unprotected counter next to a Mutex).
#if defined(MEDIAFS_TSAN_MUTEX)
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

void __tsan_acquire(void *addr);
void __tsan_release(void *addr);

// Synchronization._MutexHandle._lockSlow(UInt32), _tryLockSlow() -> Bool, _unlockSlow():
// Swift calling convention, `self` (the address of the lock word) in the swiftself register.
#define LOCK_SLOW "$s15Synchronization12_MutexHandleV9_lockSlowyys6UInt32VF"
#define TRY_LOCK_SLOW "$s15Synchronization12_MutexHandleV12_tryLockSlowSbyF"
#define UNLOCK_SLOW "$s15Synchronization12_MutexHandleV11_unlockSlowyyF"

typedef __attribute__((swiftcall)) void (*LockSlow)(uint32_t, void *__attribute__((swift_context)));
typedef __attribute__((swiftcall)) bool (*TryLockSlow)(void *__attribute__((swift_context)));
typedef __attribute__((swiftcall)) void (*UnlockSlow)(void *__attribute__((swift_context)));

static void *library_function(const char *name) {
    void *f = dlsym(RTLD_NEXT, name);
    if (!f) {
        fprintf(stderr, "mediafs (TSan build): %s not found in libswiftSynchronization\n", name);
        abort();
    }
    return f;
}

__attribute__((swiftcall)) void mediafs_lock_slow(uint32_t self_id, void *__attribute__((swift_context)) word) __asm__(LOCK_SLOW);
__attribute__((swiftcall)) void mediafs_lock_slow(uint32_t self_id, void *__attribute__((swift_context)) word) {
    static LockSlow real;
    if (!__atomic_load_n(&real, __ATOMIC_ACQUIRE)) __atomic_store_n(&real, (LockSlow)library_function(LOCK_SLOW), __ATOMIC_RELEASE);
    real(self_id, word);
    __tsan_acquire(word);
}

__attribute__((swiftcall)) bool mediafs_try_lock_slow(void *__attribute__((swift_context)) word) __asm__(TRY_LOCK_SLOW);
__attribute__((swiftcall)) bool mediafs_try_lock_slow(void *__attribute__((swift_context)) word) {
    static TryLockSlow real;
    if (!__atomic_load_n(&real, __ATOMIC_ACQUIRE)) __atomic_store_n(&real, (TryLockSlow)library_function(TRY_LOCK_SLOW), __ATOMIC_RELEASE);
    bool locked = real(word);
    if (locked) __tsan_acquire(word);
    return locked;
}

__attribute__((swiftcall)) void mediafs_unlock_slow(void *__attribute__((swift_context)) word) __asm__(UNLOCK_SLOW);
__attribute__((swiftcall)) void mediafs_unlock_slow(void *__attribute__((swift_context)) word) {
    static UnlockSlow real;
    if (!__atomic_load_n(&real, __ATOMIC_ACQUIRE)) __atomic_store_n(&real, (UnlockSlow)library_function(UNLOCK_SLOW), __ATOMIC_RELEASE);
    __tsan_release(word);
    real(word);
}
#endif
