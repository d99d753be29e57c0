// Nothing to import: TSanMutexHooks.c only defines symbols for the linker
// (under ThreadSanitizer builds; see there).
