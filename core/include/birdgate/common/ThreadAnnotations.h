// Says which mutex guards which member, next to the member (the Abseil /
// Envoy habit, STYLE.md): BIRDGATE_GUARDED_BY(_mutex) on data,
// BIRDGATE_REQUIRES(_mutex) on a function called with it held (the
// `...Locked()` ones), BIRDGATE_EXCLUDES(_mutex) on one that takes it itself.
//
// Under clang these are its thread-safety attributes, which -Wthread-safety
// checks at compile time; g++ has no such analysis and would only warn about
// unknown attributes, so there they expand to nothing. libstdc++'s std::mutex
// carries no `capability` attribute, so clang's analysis cannot yet check
// members guarded by one (-Wthread-safety-attributes says so); until the
// mutexes are wrapped in annotated types, the macros document, and compile
// cleanly under both compilers with the default warnings.
#pragma once

#if defined(__clang__)
#define BIRDGATE_GUARDED_BY(x) __attribute__((guarded_by(x)))
#define BIRDGATE_REQUIRES(...) __attribute__((requires_capability(__VA_ARGS__)))
#define BIRDGATE_EXCLUDES(...) __attribute__((locks_excluded(__VA_ARGS__)))
#else
#define BIRDGATE_GUARDED_BY(x)
#define BIRDGATE_REQUIRES(...)
#define BIRDGATE_EXCLUDES(...)
#endif
