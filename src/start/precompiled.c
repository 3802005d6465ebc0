#include "precompiled.h"

/* Generated at build time from profiles/default.json by src/precompile.c. */
#include "precompiled-default.h"

bool as_precompiled_find(const struct as_host *host, struct as_program *ret)
{
	/* Compiled for a kernel that every minKernel of the profile accepts. */
	if (!host->kernel_known || host->kernel_major < precompiled_kernel_major ||
	    (host->kernel_major == precompiled_kernel_major && host->kernel_minor < precompiled_kernel_minor))
		return false;
	for (size_t i = 0; i < sizeof(precompiled) / sizeof(precompiled[0]); i++) {
		const struct precompiled *p = &precompiled[i];
		if ((host->permitted & precompiled_caps_mask) != p->caps)
			continue;
		/* precompile refuses a built-in profile whose filter has a listener. */
		*ret = (struct as_program){p->insns, p->len, p->flags, NULL, NULL, NULL};
		return true;
	}
	return false;
}
