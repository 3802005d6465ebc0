#include <errno.h>

#include "autoseccomp.h"
#include "source.h"

/* Generated from profiles/default.json by profiles/embed.sh. */
#include "../../profiles/default.h"

/* Defined only by a program that embeds its own profile. */
extern const struct autoseccomp_embedded_profile autoseccomp_embedded_profile __attribute__((weak));

int as_builtin_profile(struct as_builtin *ret, bool *locked, struct as_error *err)
{
	const struct autoseccomp_embedded_profile *embedded = &autoseccomp_embedded_profile;

	if (embedded == NULL) {
		*ret = (struct as_builtin){as_default_profile_json, sizeof(as_default_profile_json), true};
		if (locked != NULL)
			*locked = false;
		return 0;
	}
	if (embedded->abi != AUTOSECCOMP_EMBED_ABI) {
		as_error_set(err, -EINVAL, AS_NO_POSITION, "the embedded profile has layout %u, this library reads %u",
			     embedded->abi, AUTOSECCOMP_EMBED_ABI);
		as_error_locate(err, "builtin", NULL, 0);
		return err->code;
	}
	*ret = (struct as_builtin){embedded->json, embedded->len, false};
	if (locked != NULL)
		*locked = embedded->flags & AUTOSECCOMP_EMBED_LOCKED;
	return 0;
}
