/* A classic-BPF evaluator of seccomp programs: what the kernel would return
 * for one struct seccomp_data, computed from the program itself. */
#ifndef AS_EVAL_H
#define AS_EVAL_H

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdint.h>

#include "error.h"

struct as_verdict {
	uint32_t action;      /* the SECCOMP_RET_* value returned */
	unsigned int ret_pc;  /* the index of the instruction that returned it */
	unsigned int steps;   /* instructions executed */
	unsigned int first_arg_pc; /* the first instruction that loaded an argument, or LEN */
};

/* Run the LEN instructions of INSNS on DATA.  A program the kernel would not
 * accept (a jump or load out of bounds, an unknown instruction, no return) is
 * an error at the offending instruction's index. */
int as_eval(const struct sock_filter *insns, unsigned int len, const struct seccomp_data *data,
	    struct as_verdict *ret, struct as_error *err);

#endif
