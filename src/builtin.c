#include <errno.h>
#include <stdio.h>

#include "apply.h"
#include "autoseccomp.h"

/* Generated from profiles/default.json by profiles/embed.sh. */
#include "../profiles/default.h"

/* Defined only by a program that embeds its own profile. */
extern const struct autoseccomp_embedded_profile autoseccomp_embedded_profile __attribute__((weak));

int as_builtin_profile(struct as_builtin *ret, bool *locked, char *message, size_t message_len)
{
	const struct autoseccomp_embedded_profile *embedded = &autoseccomp_embedded_profile;

	if (embedded == NULL) {
		*ret = (struct as_builtin){as_default_profile_json, sizeof(as_default_profile_json), true};
		if (locked != NULL)
			*locked = false;
		return 0;
	}
	if (embedded->abi != AUTOSECCOMP_EMBED_ABI) {
		snprintf(message, message_len,
			 "autoseccomp: builtin: the embedded profile has layout %u, this library reads %u",
			 embedded->abi, AUTOSECCOMP_EMBED_ABI);
		return -EINVAL;
	}
	*ret = (struct as_builtin){embedded->json, embedded->len, false};
	if (locked != NULL)
		*locked = embedded->flags & AUTOSECCOMP_EMBED_LOCKED;
	return 0;
}
