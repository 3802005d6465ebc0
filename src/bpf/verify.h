/* Proof by evaluation: the points where two seccomp programs are compared,
 * and the comparison.  A point is an (architecture, syscall number, argument
 * vector): every architecture either program tests (and x32 with x86_64,
 * whose audit value it shares); numbers 0..1023, -1 and 0x3fffffff; and
 * argument vectors built from every constant either program compares an
 * argument with, its neighbours, and their combinations across arguments.
 * The probe's numbers (probe.h) are not among them, on purpose: there each
 * program answers with a hash of itself, and two shapes of one profile
 * differ. */
#ifndef AS_VERIFY_H
#define AS_VERIFY_H

#include <linux/filter.h>
#include <stdint.h>

#include "program.h"

#define AS_VERIFY_MAX_VALUES 48
#define AS_VERIFY_MAX_VECTORS 4096
#define AS_VERIFY_MAX_ARCHES 16

struct as_point {
	uint32_t arch; /* AUDIT_ARCH_* */
	int nr;
	uint64_t args[6];
};

/* Working memory of as_points_build: the halves of compared constants. */
struct as_halves {
	uint32_t lows[6][AS_VERIFY_MAX_VALUES], highs[6][AS_VERIFY_MAX_VALUES];
	unsigned int nlow[6], nhigh[6];
};

struct as_points {
	uint32_t arches[AS_VERIFY_MAX_ARCHES]; /* AUDIT_ARCH_* values compared, in order met */
	unsigned int arch_count;
	uint64_t values[6][AS_VERIFY_MAX_VALUES]; /* candidate values per argument */
	unsigned int count[6];
	uint64_t vectors[AS_VERIFY_MAX_VECTORS][6];
	unsigned int vector_count;
	struct as_halves halves;
};

/* The points for A, and B when not NULL. */
void as_points_build(const struct as_bpf *a, const struct as_bpf *b, struct as_points *ret);

/* Call FN for every point, in a fixed order; stop at its first non-zero return. */
int as_points_for_each(const struct as_points *points, int (*fn)(const struct as_point *, void *), void *ctx);

/* Evaluate A and B at every point of POINTS: the number of points where
 * their actions differ, or a negative errno when a program cannot run. */
long as_verify_equal(const struct as_bpf *a, const struct as_bpf *b, const struct as_points *points,
		     unsigned long *ret_points);

#endif
