/* The BPF toolbox's disassembler: a program printed one instruction a
 * line, with the words it loads and the syscall numbers it compares named,
 * for autoseccomp dump. */
#ifndef AS_DISASM_H
#define AS_DISASM_H

#include <stdio.h>

#include "program.h"

/* Print BPF to OUT: the stub and libseccomp's part marked, each jump's
 * target as an absolute position. */
void as_disassemble(FILE *out, const struct as_bpf *bpf);

#endif
