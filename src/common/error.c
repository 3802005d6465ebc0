#include "error.h"

#include <stdarg.h>
#include <stdio.h>

int as_error_set(struct as_error *err, int code, size_t offset, const char *fmt, ...)
{
	va_list ap;

	err->code = code;
	err->offset = offset;
	err->source = NULL;
	err->text = NULL;
	err->text_len = 0;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return code;
}

void as_error_position(const char *text, size_t text_len, size_t offset, size_t *line, size_t *column)
{
	*line = 1;
	*column = 1;
	for (size_t i = 0; i < offset && i < text_len; i++) {
		if (text[i] == '\n') {
			++*line;
			*column = 1;
		} else {
			++*column;
		}
	}
}

void as_error_locate(struct as_error *err, const char *source, const char *text, size_t text_len)
{
	err->source = source;
	err->text = text;
	err->text_len = text_len;
}

void as_error_format(const struct as_error *err, char *buf, size_t buf_len)
{
	size_t line, column;

	if (err->source == NULL) {
		snprintf(buf, buf_len, "autoseccomp: %s", err->message);
		return;
	}
	if (err->offset == AS_NO_POSITION || err->text == NULL) {
		snprintf(buf, buf_len, "autoseccomp: %s: %s", err->source, err->message);
		return;
	}
	as_error_position(err->text, err->text_len, err->offset, &line, &column);
	snprintf(buf, buf_len, "autoseccomp: %s:%zu:%zu: %s", err->source, line, column, err->message);
}
