/* check: conditions the code believes impossible, and invariants.
 *
 *   if (NEVER(ev->state == SIM_EV_FREE)) return;   -- the branch handles it in release builds
 *   if (ALWAYS(r->refs > 0)) r->refs--;
 *   SIM_INVARIANT(in->busy <= workers);           -- checked in debug builds only
 *
 * In debug builds (NDEBUG undefined: the sanitizer build) a violated ALWAYS/NEVER/INVARIANT
 * prints the condition with its file and line and aborts, so tests find it at once. In release
 * builds ALWAYS(x) and NEVER(x) evaluate to x (hinted as the likely outcome), so the defensive branch still runs, and
 * SIM_INVARIANT costs nothing. */
#ifndef SIM_CHECK_H
#define SIM_CHECK_H

/* Branch hints for the hot path: the condition is (almost) always true / false. */
#if defined(__GNUC__) || defined(__clang__)
#define SIM_LIKELY(x) __builtin_expect(!!(x), 1)
#define SIM_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define SIM_LIKELY(x) (!!(x))
#define SIM_UNLIKELY(x) (!!(x))
#endif

#ifdef NDEBUG
#define ALWAYS(x) SIM_LIKELY(x)
#define NEVER(x) SIM_UNLIKELY(x)
#define SIM_INVARIANT(x) ((void)0)
#else
void sim_check_failed(const char *cond, const char *file, int line);
#define ALWAYS(x) ((x) ? 1 : (sim_check_failed("ALWAYS(" #x ")", __FILE__, __LINE__), 0))
#define NEVER(x) ((x) ? (sim_check_failed("NEVER(" #x ")", __FILE__, __LINE__), 1) : 0)
#define SIM_INVARIANT(x) ((x) ? (void)0 : sim_check_failed(#x, __FILE__, __LINE__))
#endif

#endif
