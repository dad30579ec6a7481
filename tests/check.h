/* check.h - minimal assertions for libpk's tests: each failed check prints
 * what was compared and where, and test_finish() turns the count into the
 * exit code that ctest reads. */
#ifndef PK_TEST_CHECK_H
#define PK_TEST_CHECK_H

#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdio.h>

static int check_failures = 0, check_count = 0;

#define CHECK(cond, ...)                                                                      \
  do {                                                                                        \
    check_count++;                                                                            \
    if (!(cond)) {                                                                            \
      check_failures++;                                                                       \
      fprintf(stderr, "%s:%d: check failed: %s: ", __FILE__, __LINE__, #cond);                \
      fprintf(stderr, __VA_ARGS__);                                                           \
      fputc('\n', stderr);                                                                    \
    }                                                                                         \
  } while (0)

/* |actual - expected| <= rel * |expected| + abs_floor */
#define CHECK_CLOSE(actual, expected, rel, abs_floor, what)                                   \
  do {                                                                                        \
    double a_ = (actual), e_ = (expected);                                                    \
    double tol_ = (rel) * fabs(e_) + (abs_floor);                                             \
    CHECK(isfinite(a_) && fabs(a_ - e_) <= tol_,                                              \
          "%s: got %.15g, expected %.15g (difference %.3g, allowed %.3g)", what, a_, e_,      \
          fabs(a_ - e_), tol_);                                                               \
  } while (0)

/* Prints a summary and returns the exit status for main(). */
static inline int test_finish(const char *name) {
  printf("%s: %d checks, %d failed\n", name, check_count, check_failures);
  return check_failures ? 1 : 0;
}

/* GSL must not abort a test process. */
static inline void test_init(void) { gsl_set_error_handler_off(); }

#endif
