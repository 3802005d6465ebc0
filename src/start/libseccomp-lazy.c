/* libseccomp, loaded only when a profile must be compiled: linked into the
 * shared object instead of libseccomp itself, so that the common start-up
 * (the built-in profile, precompiled) does not pay for loading it.
 *
 * Each function here has libseccomp's name and prototype, and is hidden, so
 * it binds only the library's own calls; a host program's libseccomp is
 * untouched.  The archive links libseccomp directly and has none of this. */
#include <dlfcn.h>
#include <errno.h>
#include <seccomp.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "libseccomp.h"

#define LIBSECCOMP_SONAME "libseccomp.so.2"
/* Where the build found it (the Makefile's LIBSECCOMP_DIR); by the soname,
 * through the loader's search, where it was not told or is not there, and
 * then the file is not known, and no cache serves. */
#ifdef AS_LIBSECCOMP_PATH
#define LIBSECCOMP_FILE AS_LIBSECCOMP_PATH
#else
#define LIBSECCOMP_FILE LIBSECCOMP_SONAME
#endif

static struct {
	bool loaded;
	scmp_filter_ctx (*init)(uint32_t);
	void (*release)(scmp_filter_ctx);
	int (*attr_set)(scmp_filter_ctx, enum scmp_filter_attr, uint32_t);
	int (*arch_add)(scmp_filter_ctx, uint32_t);
	int (*rule_add_array)(scmp_filter_ctx, uint32_t, int, unsigned int, const struct scmp_arg_cmp *);
	int (*export_bpf)(const scmp_filter_ctx, int);
	int (*resolve_name)(const char *);
	int (*resolve_name_arch)(uint32_t, const char *);
	char *(*resolve_num_arch)(uint32_t, int);
	unsigned int (*api_get)(void);
} lib;

static const struct {
	const char *name;
	size_t offset;
} symbols[] = {
	{"seccomp_init", offsetof(__typeof__(lib), init)},
	{"seccomp_release", offsetof(__typeof__(lib), release)},
	{"seccomp_attr_set", offsetof(__typeof__(lib), attr_set)},
	{"seccomp_arch_add", offsetof(__typeof__(lib), arch_add)},
	{"seccomp_rule_add_array", offsetof(__typeof__(lib), rule_add_array)},
	{"seccomp_export_bpf", offsetof(__typeof__(lib), export_bpf)},
	{"seccomp_syscall_resolve_name", offsetof(__typeof__(lib), resolve_name)},
	{"seccomp_syscall_resolve_name_arch", offsetof(__typeof__(lib), resolve_name_arch)},
	{"seccomp_syscall_resolve_num_arch", offsetof(__typeof__(lib), resolve_num_arch)},
	{"seccomp_api_get", offsetof(__typeof__(lib), api_get)},
};

int as_libseccomp_load(struct as_error *err)
{
	void *handle;

	if (lib.loaded)
		return 0;
	handle = dlopen(LIBSECCOMP_FILE, RTLD_NOW | RTLD_LOCAL);
	if (handle == NULL)
		handle = dlopen(LIBSECCOMP_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (handle == NULL)
		return as_error_set(err, -ENOSYS, AS_NO_POSITION, "cannot load %s: %s", LIBSECCOMP_FILE, dlerror());
	for (size_t i = 0; i < sizeof(symbols) / sizeof(symbols[0]); i++) {
		void *address = dlsym(handle, symbols[i].name);
		if (address == NULL)
			return as_error_set(err, -ENOSYS, AS_NO_POSITION, "%s has no %s", LIBSECCOMP_FILE,
					    symbols[i].name);
		memcpy((char *)&lib + symbols[i].offset, &address, sizeof(address));
	}
	lib.loaded = true;
	return 0;
}

bool as_libseccomp_file(struct stat *ret)
{
	return LIBSECCOMP_FILE[0] == '/' && stat(LIBSECCOMP_FILE, ret) == 0;
}

/* Callers load first (as_bpf_compile does); these only forward. */
scmp_filter_ctx seccomp_init(uint32_t def_action)
{
	return lib.init(def_action);
}

void seccomp_release(scmp_filter_ctx ctx)
{
	lib.release(ctx);
}

int seccomp_attr_set(scmp_filter_ctx ctx, enum scmp_filter_attr attr, uint32_t value)
{
	return lib.attr_set(ctx, attr, value);
}

int seccomp_arch_add(scmp_filter_ctx ctx, uint32_t arch_token)
{
	return lib.arch_add(ctx, arch_token);
}

int seccomp_rule_add_array(scmp_filter_ctx ctx, uint32_t action, int syscall, unsigned int arg_cnt,
			   const struct scmp_arg_cmp *arg_array)
{
	return lib.rule_add_array(ctx, action, syscall, arg_cnt, arg_array);
}

int seccomp_export_bpf(const scmp_filter_ctx ctx, int fd)
{
	return lib.export_bpf(ctx, fd);
}

int seccomp_syscall_resolve_name(const char *name)
{
	return lib.resolve_name(name);
}

int seccomp_syscall_resolve_name_arch(uint32_t arch_token, const char *name)
{
	return lib.resolve_name_arch(arch_token, name);
}

char *seccomp_syscall_resolve_num_arch(uint32_t arch_token, int num)
{
	return lib.resolve_num_arch(arch_token, num);
}

unsigned int seccomp_api_get(void)
{
	return lib.api_get();
}
