#include "filter.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "cleanup.h"
#include "emit.h"
#include "probe.h"

static void seccomp_releasep(scmp_filter_ctx *ctx)
{
	if (*ctx != NULL)
		seccomp_release(*ctx);
}
#define _cleanup_seccomp_ __attribute__((cleanup(seccomp_releasep)))

/* runc asks libseccomp for its binary tree above this many rules. */
#define TREE_THRESHOLD 32

#define X32_SYSCALL_BIT 0x40000000u

/* runc refuses an index out of range only where it adds a rule: a rule
 * for the default action, or for names this libseccomp does not know,
 * passes whatever its indexes. */
static int check_indexes(const struct as_resolved *resolved, const struct as_resolved_rule *rule,
			 struct as_error *err)
{
	for (unsigned int s = 0; s < rule->set_count; s++) {
		const struct as_resolved_set *set = &resolved->sets[rule->first_set + s];
		for (unsigned int i = 0; i < set->count; i++) {
			const struct as_resolved_condition *cond = &resolved->conditions[set->first + i];
			if (cond->index > 5)
				return as_error_set(
					err, -EINVAL, cond->index_pos,
					"argument index %llu is out of range (syscalls only have up to 6 arguments)",
					(unsigned long long)cond->index);
		}
	}
	return 0;
}

/* One libseccomp rule per set of RULE's conditions, for syscall NR (NAME). */
static int add_sets(scmp_filter_ctx ctx, const struct as_resolved *resolved, const struct as_resolved_rule *rule,
		    int nr, const struct as_resolved_name *name, struct as_error *err)
{
	int r = check_indexes(resolved, rule, err);

	for (unsigned int s = 0; r == 0 && s < rule->set_count; s++) {
		const struct as_resolved_set *set = &resolved->sets[rule->first_set + s];
		/* Its indexes in range, a set compares each argument once at most. */
		struct scmp_arg_cmp cmps[6];
		for (unsigned int i = 0; i < set->count; i++) {
			const struct as_resolved_condition *cond = &resolved->conditions[set->first + i];
			cmps[i] = (struct scmp_arg_cmp){(unsigned int)cond->index, (enum scmp_compare)cond->op, cond->value,
							cond->value_two};
		}
		r = seccomp_rule_add_array(ctx, rule->action, nr, set->count, cmps);
		if (r < 0)
			return as_error_set(err, r, name->pos, "cannot add rule for \"%s\": %s", name->cstr, strerror(-r));
	}
	return r;
}

/* NAME's number; __NR_SCMP_ERROR for a name this libseccomp does not know,
 * which runc skips. */
static int resolve_name(const struct as_resolved_name *name)
{
	return name->cstr != NULL ? seccomp_syscall_resolve_name(name->cstr) : __NR_SCMP_ERROR;
}

/* One rule per name, skipping what runc skips: rules that repeat the default
 * action and names this libseccomp does not know. */
static int add_rule(scmp_filter_ctx ctx, const struct as_resolved *resolved, const struct as_resolved_rule *rule,
		    struct as_error *err)
{
	for (unsigned int k = 0; k < rule->name_count; k++) {
		const struct as_resolved_name *name = &resolved->names[rule->first_name + k];
		int nr, r;
		if (name->len == 0)
			return as_error_set(err, -EINVAL, name->pos, "empty string is not a valid syscall");
		if (rule->action == resolved->default_action)
			continue;
		nr = resolve_name(name);
		if (nr == __NR_SCMP_ERROR)
			continue;
		r = add_sets(ctx, resolved, rule, nr, name, err);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Bounds on what a profile expands to in libseccomp, counted per architecture
 * of the filter.  Its time grows faster than the square of either: 370 names
 * by 300 conditions on one argument, a 20 KB profile, took 42 s and 110 MB;
 * 16000 names, within the token limit, on ten architectures took 26 s.  At
 * these bounds the slowest shapes measured compile in a quarter of a second.
 * Docker's and Podman's profiles, on x86_64 with its x86 and x32 sections,
 * come to 1290 and 1437 rules and 30 and 36 conditions.  A rule for another
 * syscall costs an instruction at least, an argument condition two to five
 * (512 different ones made 1700 to 2700), so profiles much over either bound
 * no longer fit in BPF_MAXINSNS unless they repeat themselves. */
#define MAX_RULES BPF_MAXINSNS
#define MAX_CONDITIONS 512

/* The architectures of libseccomp's filter: the native one and the profile's. */
static unsigned int count_arches(const struct as_resolved *resolved, const struct as_host *host)
{
	unsigned int n = 1;

	for (unsigned int i = 0; i < resolved->arch_count; i++) {
		bool seen = resolved->arches[i] == host->native_arch;
		for (unsigned int j = 0; j < i; j++)
			seen |= resolved->arches[j] == resolved->arches[i];
		n += !seen;
	}
	return n;
}

/* The names of RULE that add_rule adds rules for. */
static unsigned int count_added_names(const struct as_resolved *resolved, const struct as_resolved_rule *rule)
{
	unsigned int n = 0;

	if (rule->action == resolved->default_action)
		return 0;
	for (unsigned int k = 0; k < rule->name_count; k++)
		n += resolve_name(&resolved->names[rule->first_name + k]) != __NR_SCMP_ERROR;
	return n;
}

static const char *plural(unsigned int n)
{
	return n == 1 ? "" : "s";
}

/* What runc has libseccomp add for the kept rules so far. */
struct expansion {
	unsigned int arches;
	uint64_t rules, conditions;
};

/* Counts RULE into EXP; refuses it if that takes EXP over a bound. */
static int expand_rule(const struct as_resolved_rule *rule, unsigned int names, struct expansion *exp,
		       struct as_error *err)
{
	unsigned int conditions = rule->condition_count;
	bool ored = rule->set_count > 1;
	char per_name[40] = "";

	exp->rules += (uint64_t)names * rule->set_count * exp->arches;
	exp->conditions += (uint64_t)names * conditions * exp->arches;
	if (exp->conditions > MAX_CONDITIONS)
		return as_error_set(err, -E2BIG, rule->pos,
				    "profile expands to more than %d argument conditions (%llu up to this rule: "
				    "%u name%s x %u condition%s x %u architecture%s)",
				    MAX_CONDITIONS, (unsigned long long)exp->conditions, names, plural(names), conditions,
				    plural(conditions), exp->arches, plural(exp->arches));
	if (exp->rules <= MAX_RULES)
		return 0;
	if (ored)
		snprintf(per_name, sizeof(per_name), " x %u condition%s", conditions, plural(conditions));
	return as_error_set(err, -E2BIG, rule->pos,
			    "profile expands to more than %d libseccomp rules (%llu up to this rule: %u name%s%s x %u "
			    "architecture%s)",
			    MAX_RULES, (unsigned long long)exp->rules, names, plural(names), per_name, exp->arches,
			    plural(exp->arches));
}

/* Refuses a profile over the bounds, at the rule that crosses one, before
 * libseccomp is given any of it. */
static int check_expansion(const struct as_resolved *resolved, const struct as_host *host, struct as_error *err)
{
	struct expansion exp = {.arches = count_arches(resolved, host)};

	for (unsigned int i = 0; i < resolved->rule_count; i++) {
		const struct as_resolved_rule *rule = &resolved->rules[i];
		int r = expand_rule(rule, count_added_names(resolved, rule), &exp, err);
		if (r < 0)
			return r;
	}
	return 0;
}

bool as_bpf_shapes_differ(const struct as_resolved *resolved)
{
	return resolved->name_count > TREE_THRESHOLD;
}

static int build_filter(const struct as_resolved *resolved, scmp_filter_ctx ctx, struct as_error *err)
{
	/* no_new_privs is the install stage's decision, not libseccomp's. */
	int r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);

	if (r < 0)
		return as_error_set(err, r, AS_NO_POSITION, "cannot set filter attributes: %s", strerror(-r));
	for (unsigned int i = 0; i < resolved->arch_count; i++) {
		r = seccomp_arch_add(ctx, resolved->arches[i]);
		if (r < 0 && r != -EEXIST)
			return as_error_set(err, r, AS_NO_POSITION, "cannot add architecture: %s", strerror(-r));
	}
	for (unsigned int i = 0; i < resolved->rule_count; i++) {
		r = add_rule(ctx, resolved, &resolved->rules[i], err);
		if (r < 0)
			return r;
	}
	return 0;
}

/* libseccomp 2.5 exports only to a file descriptor; an anonymous memory
 * file keeps the program off the disk and off the heap. */
static int export_program(scmp_filter_ctx ctx, struct sock_filter *insns, unsigned int capacity, unsigned int *ret_len,
			  struct as_error *err)
{
	_cleanup_close_ int fd = memfd_create("autoseccomp-bpf", MFD_CLOEXEC);
	struct stat st;
	ssize_t n;
	int r;

	if (fd < 0)
		return as_error_set(err, -errno, AS_NO_POSITION, "cannot create memory file: %s", strerror(errno));
	r = seccomp_export_bpf(ctx, fd);
	if (r < 0)
		return as_error_set(err, r, AS_NO_POSITION, "cannot generate the filter: %s", strerror(-r));
	if (fstat(fd, &st) < 0)
		return as_error_set(err, -errno, AS_NO_POSITION, "cannot size the filter: %s", strerror(errno));
	if ((size_t)st.st_size > (size_t)capacity * sizeof(*insns))
		return as_error_set(err, -E2BIG, AS_NO_POSITION, "filter is too large (%lld instructions, at most %d)",
				    (long long)st.st_size / (long long)sizeof(*insns), BPF_MAXINSNS);
	n = pread(fd, insns, (size_t)st.st_size, 0);
	if (n != st.st_size)
		return as_error_set(err, n < 0 ? -errno : -EIO, AS_NO_POSITION, "cannot read the filter back");
	*ret_len = (unsigned int)(n / (ssize_t)sizeof(*insns));
	return 0;
}

/* runc's ENOSYS stub.  A syscall numbered above every syscall the profile
 * names is taken to be newer than the profile and gets ENOSYS, so that libc
 * falls back to an older call instead of failing on the default errno.
 *
 * The probe (probe.h) rides in it, for the host's own architecture: there
 * only numbers above the profile's maximum reach it, where the stub already
 * tests, so no other call pays for it.  With no ENOSYS to return (an
 * allowing default, or no name this libseccomp knows), the stub is the
 * probe's alone. */

enum { MAX_SECTIONS = AS_RESOLVED_MAX_ARCHES, STUB_MAX = 8 + 8 * MAX_SECTIONS + 4 + 2 * AS_PROBE_COUNT };

/* Jump targets: the next instruction and the one after it by offset, the
 * rest by label; TO_FILTER is the first instruction after the stub. */
enum { NEXT = 0, SKIP_ONE = 1 };
enum { TO_ENOSYS, TO_FILTER, TO_PROBE, TO_ANSWER, TO_SECTION = TO_ANSWER + AS_PROBE_COUNT,
       LABEL_COUNT = TO_SECTION + MAX_SECTIONS };
#define TO(label) AS_EMIT_TO(label)

struct section {
	uint32_t audit_arch;
	bool has_max, has_x32_max;
	bool probe; /* the host's own: numbers of its ABI above the maximum go to the probe */
	uint32_t max, x32_max; /* largest syscall number named, for the ABI and for x32 */
};

static void emit(struct as_emitter *e, uint16_t code, uint32_t k, unsigned int jt, unsigned int jf)
{
	if (BPF_CLASS(code) == BPF_JMP)
		as_emit_jump(e, code, k, jt, jf);
	else
		as_emit(e, (struct sock_filter)BPF_STMT(code, k));
}

static uint32_t audit_arch_of(uint32_t arch)
{
	/* x32 shares x86_64's audit architecture; bit 30 of the number tells them apart. */
	return arch == SCMP_ARCH_X32 ? AUDIT_ARCH_X86_64 : arch;
}

static struct section *section_for(struct section *sections, unsigned int *count, uint32_t audit_arch)
{
	for (unsigned int i = 0; i < *count; i++)
		if (sections[i].audit_arch == audit_arch)
			return &sections[i];
	sections[*count] = (struct section){.audit_arch = audit_arch};
	return &sections[(*count)++];
}

/* The largest number of any name of any kept rule, per architecture, as runc
 * computes it: whatever the rule's action, arguments or redundancy. */
static void find_maxima(const struct as_resolved *resolved, uint32_t arch, struct section *section)
{
	for (unsigned int i = 0; i < resolved->name_count; i++) {
		const char *name = resolved->names[i].cstr;
		int nr = name != NULL ? seccomp_syscall_resolve_name_arch(arch, name) : -1;
		if (nr < 0)
			continue;
		if (arch == SCMP_ARCH_X32 && (!section->has_x32_max || (uint32_t)nr > section->x32_max))
			section->x32_max = (uint32_t)nr, section->has_x32_max = true;
		if (arch != SCMP_ARCH_X32 && (!section->has_max || (uint32_t)nr > section->max))
			section->max = (uint32_t)nr, section->has_max = true;
	}
}

static bool emitted(const struct section *s)
{
	return s->has_max || s->has_x32_max || s->probe;
}

static void emit_section(struct as_emitter *stub, const struct section *s, unsigned int label)
{
	bool x86_64 = s->audit_arch == AUDIT_ARCH_X86_64;
	unsigned int above_max = s->probe ? TO(TO_PROBE) : TO(TO_ENOSYS);

	as_emit_bind(stub, label);
	emit(stub, BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr), 0, 0);
	if (!s->has_max && !s->has_x32_max) {
		emit(stub, BPF_JMP | BPF_JGE | BPF_K, AS_PROBE_FIRST_NR, TO(TO_PROBE), TO(TO_FILTER));
		return;
	}
	if (s->audit_arch == AUDIT_ARCH_S390 || s->audit_arch == AUDIT_ARCH_S390X)
		emit(stub, BPF_JMP | BPF_JEQ | BPF_K, 0, TO(TO_ENOSYS), NEXT);
	if (x86_64 && s->has_max && s->has_x32_max) {
		emit(stub, BPF_JMP | BPF_JSET | BPF_K, X32_SYSCALL_BIT, SKIP_ONE, NEXT);
		emit(stub, BPF_JMP | BPF_JGT | BPF_K, s->max, above_max, TO(TO_FILTER));
		emit(stub, BPF_JMP | BPF_JGT | BPF_K, s->x32_max, TO(TO_ENOSYS), TO(TO_FILTER));
		return;
	}
	/* With one of the two x86_64 ABIs only, calls through the other go on to
	 * libseccomp, whose bad-architecture action applies. */
	if (x86_64 && s->has_x32_max)
		emit(stub, BPF_JMP | BPF_JSET | BPF_K, X32_SYSCALL_BIT, NEXT, TO(TO_FILTER));
	else if (x86_64)
		emit(stub, BPF_JMP | BPF_JSET | BPF_K, X32_SYSCALL_BIT, TO(TO_FILTER), NEXT);
	emit(stub, BPF_JMP | BPF_JGT | BPF_K, s->has_max ? s->max : s->x32_max,
	     s->has_max ? above_max : TO(TO_ENOSYS), TO(TO_FILTER));
}

/* One JEQ per probe number, each to its answer; other numbers go on to
 * MISS: ENOSYS above the maximum, the filter where there is none. */
static void emit_probe(struct as_emitter *stub, unsigned int miss)
{
	as_emit_bind(stub, TO_PROBE);
	for (unsigned int i = 0; i < AS_PROBE_COUNT; i++)
		emit(stub, BPF_JMP | BPF_JEQ | BPF_K, AS_PROBE_FIRST_NR + i, TO(TO_ANSWER + i),
		     i + 1 < AS_PROBE_COUNT ? NEXT : TO(miss));
}

static bool allows_by_default(uint32_t action)
{
	uint32_t kind = action & SECCOMP_RET_ACTION_FULL;

	return kind == SECCOMP_RET_ALLOW || kind == SECCOMP_RET_LOG || kind == SECCOMP_RET_TRACE;
}

/* The sections: the host's own first, then the profile's architectures,
 * with their maxima where the stub returns ENOSYS. */
static unsigned int find_sections(const struct as_resolved *resolved, const struct as_host *host,
				  struct section sections[MAX_SECTIONS + 1])
{
	struct section *native;
	unsigned int count = 0;

	native = section_for(sections, &count, audit_arch_of(host->native_arch));
	if (!allows_by_default(resolved->default_action)) {
		find_maxima(resolved, host->native_arch, native);
		for (unsigned int i = 0; i < resolved->arch_count && count < MAX_SECTIONS; i++)
			find_maxima(resolved, resolved->arches[i],
				    section_for(sections, &count, audit_arch_of(resolved->arches[i])));
	}
	/* An x32 host's own calls carry bit 30, and a section with only an
	 * x32 maximum sends the others to libseccomp: neither has a probe. */
	native->probe = host->native_arch != SCMP_ARCH_X32 && (native->has_max || !native->has_x32_max);
	return count;
}

/* The stub into INSNS, in front of where libseccomp's program will go;
 * *RET_LEN is its length, 0 when it has no section to test. */
static int build_stub(const struct as_resolved *resolved, const struct as_host *host, struct sock_filter *insns,
		      unsigned int *ret_len, struct as_error *err)
{
	unsigned int labels[LABEL_COUNT];
	struct as_emit_ref refs[2 * STUB_MAX];
	struct as_emitter stub = AS_EMITTER(insns, STUB_MAX, labels, refs);
	struct section sections[MAX_SECTIONS + 1];
	unsigned int count = find_sections(resolved, host, sections), used = 0;
	bool enosys = false;

	for (unsigned int i = 0; i < count; i++)
		used += emitted(&sections[i]);
	*ret_len = 0;
	if (used == 0)
		return 0;
	as_emit_labels(&stub, LABEL_COUNT);
	emit(&stub, BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch), 0, 0);
	for (unsigned int i = 0, label = TO_SECTION; i < count; i++) {
		if (emitted(&sections[i]))
			emit(&stub, BPF_JMP | BPF_JEQ | BPF_K, sections[i].audit_arch, TO(label++), NEXT);
		enosys |= sections[i].has_max || sections[i].has_x32_max;
	}
	emit(&stub, BPF_JMP | BPF_JA, 0, TO(TO_FILTER), NEXT);
	for (unsigned int i = 0, label = TO_SECTION; i < count; i++)
		if (emitted(&sections[i]))
			emit_section(&stub, &sections[i], label++);
	if (sections[0].probe)
		emit_probe(&stub, sections[0].has_max ? TO_ENOSYS : TO_FILTER);
	as_emit_bind(&stub, TO_ENOSYS);
	if (enosys)
		emit(&stub, BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS, 0, 0);
	for (unsigned int i = 0; i < AS_PROBE_COUNT && sections[0].probe; i++) {
		as_emit_bind(&stub, TO_ANSWER + i);
		emit(&stub, BPF_RET | BPF_K, AS_PROBE_TAG + i, 0, 0);
	}
	as_emit_bind(&stub, TO_FILTER);
	if (as_emit_resolve(&stub) < 0)
		return as_error_set(err, -E2BIG, AS_NO_POSITION, "ENOSYS stub is too large");
	*ret_len = stub.len;
	return 0;
}

int as_bpf_filter_open(const struct as_resolved *resolved, const struct as_host *host, struct as_bpf_filter *ret,
		       struct as_error *err)
{
	_cleanup_seccomp_ scmp_filter_ctx ctx = NULL;
	int r = check_expansion(resolved, host, err);

	if (r < 0)
		return r;
	ctx = seccomp_init(resolved->default_action);
	if (ctx == NULL)
		return as_error_set(err, -EINVAL, resolved->default_pos,
				    "libseccomp refused the default action");
	r = build_filter(resolved, ctx, err);
	if (r < 0)
		return r;
	*ret = (struct as_bpf_filter){resolved, host, ctx};
	ctx = NULL;
	return 0;
}

/* Resolve bounded both lengths by the listener's (resolve.h). */
static void set_listener(const struct as_resolved *resolved, struct as_listener *ret)
{
	ret->path_len = resolved->listener_path_len;
	ret->metadata_len = resolved->listener_metadata_len;
	memset(ret->path, 0, sizeof(ret->path));
	if (ret->path_len > 0)
		memcpy(ret->path, resolved->listener_path, ret->path_len);
	if (ret->metadata_len > 0)
		memcpy(ret->metadata, resolved->listener_metadata, ret->metadata_len);
}

int as_bpf_export(const struct as_bpf_filter *filter, enum as_bpf_shape shape, struct as_bpf *ret,
		  struct as_error *err)
{
	bool tree = shape == AS_BPF_AS_RUNC && as_bpf_shapes_differ(filter->resolved);
	unsigned int stub_len = 0, len = 0;
	int r;

	r = build_stub(filter->resolved, filter->host, ret->insns, &stub_len, err);
	if (r < 0)
		return r;
	/* libseccomp reads the shape when it generates the program. */
	r = seccomp_attr_set(filter->ctx, SCMP_FLTATR_CTL_OPTIMIZE, tree ? 2 : 1);
	if (r < 0)
		return as_error_set(err, r, AS_NO_POSITION, "cannot set filter attributes: %s", strerror(-r));
	r = export_program(filter->ctx, ret->insns + stub_len, BPF_MAXINSNS - stub_len, &len, err);
	if (r < 0)
		return r;
	ret->len = stub_len + len;
	ret->stub_len = stub_len;
	ret->flags = filter->resolved->flags;
	set_listener(filter->resolved, &ret->listener);
	return 0;
}

void as_bpf_filter_close(struct as_bpf_filter *filter)
{
	seccomp_releasep(&filter->ctx);
	filter->ctx = NULL;
}

int as_bpf_compile(const struct as_resolved *resolved, const struct as_host *host, enum as_bpf_shape shape,
		   struct as_bpf *ret, struct as_error *err)
{
	_cleanup_bpf_filter_ struct as_bpf_filter filter = {0};
	int r = as_bpf_filter_open(resolved, host, &filter, err);

	return r < 0 ? r : as_bpf_export(&filter, shape, ret, err);
}
