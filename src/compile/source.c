#include "source.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "cleanup.h"

static int refuse_kind(const struct stat *st, struct as_error *err)
{
	if (S_ISDIR(st->st_mode))
		return as_error_set(err, -EISDIR, AS_NO_POSITION, "profile is a directory");
	if (!S_ISREG(st->st_mode))
		return as_error_set(err, -EINVAL, AS_NO_POSITION, "profile is not a regular file");
	return 0;
}

static int refuse_size(const struct stat *st, struct as_error *err)
{
	if (st->st_size == 0)
		return as_error_set(err, -EINVAL, AS_NO_POSITION, "profile is empty");
	if (st->st_size > AS_SOURCE_MAX_BYTES)
		return as_error_set(err, -EFBIG, AS_NO_POSITION, "profile is too large (%lld bytes, at most %d)",
				    (long long)st->st_size, AS_SOURCE_MAX_BYTES);
	return 0;
}

/* PATH's status, asked of the filesystem itself: a network filesystem's
 * client may answer stat from attributes it fetched a minute ago, where open
 * asks the server again, and a start that finds its program by the status
 * opens nothing.  *SYNCED is false where statx fails (an outer filter, an
 * old kernel) and plain stat answers instead, or where the filesystem
 * leaves out a field the cache's key needs. */
static int status_of(const char *path, struct stat *ret, bool *synced)
{
	const unsigned int needed = STATX_TYPE | STATX_MODE | STATX_UID | STATX_INO | STATX_SIZE | STATX_MTIME | STATX_CTIME;
	struct statx x;

	/* Whatever statx's error, stat answers: an inherited filter may deny
	 * statx alone, with any errno. */
	if (statx(AT_FDCWD, path, AT_STATX_FORCE_SYNC, STATX_BASIC_STATS, &x) < 0) {
		*synced = false;
		return stat(path, ret);
	}
	*synced = (x.stx_mask & needed) == needed;
	*ret = (struct stat){.st_dev = makedev(x.stx_dev_major, x.stx_dev_minor),
			     .st_ino = x.stx_ino,
			     .st_mode = x.stx_mode,
			     .st_nlink = x.stx_nlink,
			     .st_uid = x.stx_uid,
			     .st_gid = x.stx_gid,
			     .st_size = (off_t)x.stx_size,
			     .st_mtim = {x.stx_mtime.tv_sec, x.stx_mtime.tv_nsec},
			     .st_ctim = {x.stx_ctime.tv_sec, x.stx_ctime.tv_nsec}};
	return 0;
}

/* Opening a FIFO, a tty or a tape has effects of its own (a writer sees a
 * reader, a tape rewinds), so the path is first only looked at, and only a
 * regular file is ever opened for reading (as_source_read_open). */
static int locate_file(const char *path, struct as_source *ret, struct as_error *err)
{
	struct stat st;
	bool synced;
	int r;

	if (status_of(path, &st, &synced) < 0)
		return as_error_set(err, -errno, AS_NO_POSITION, "cannot open profile: %s", strerror(errno));
	if ((r = refuse_kind(&st, err)) < 0 || (r = refuse_size(&st, err)) < 0)
		return r;
	*ret = (struct as_source){
		.kind = AS_SOURCE_FILE, .name = path, .len = (size_t)st.st_size, .fd = -1, .st = st, .st_synced = synced};
	return 0;
}

/* The open may reach another file if the path is swapped after it was
 * looked at: that is refused, and whoever can swap it could already have
 * named any file there.  Reopening an O_PATH descriptor through
 * /proc/self/fd would close that gap, but /proc may be absent where a
 * profile is applied. */
int as_source_read_open(struct as_source *source, struct as_error *err)
{
	_cleanup_close_ int fd = -1;
	struct stat st;
	int r;

	if (source->kind != AS_SOURCE_FILE || source->fd >= 0 || source->text != NULL)
		return 0;
	clock_gettime(CLOCK_REALTIME, &source->opened_at);
	fd = open(source->name, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return as_error_set(err, -errno, AS_NO_POSITION, "cannot open profile: %s", strerror(errno));
	if (fstat(fd, &st) < 0)
		return as_error_set(err, -errno, AS_NO_POSITION, "cannot stat profile: %s", strerror(errno));
	if (st.st_dev != source->st.st_dev || st.st_ino != source->st.st_ino)
		return as_error_set(err, -EAGAIN, AS_NO_POSITION, "profile was replaced while it was opened");
	if ((r = refuse_size(&st, err)) < 0)
		return r;
	source->st = st;
	source->len = (size_t)st.st_size;
	source->fd = TAKE_FD(fd);
	return 0;
}

int as_source_open(const char *spec, const struct as_builtin *builtin, struct as_source *ret,
		   struct as_error *err)
{
	/* An absolute path is neither word, and a start from one compares
	 * nothing with them: their bytes lie on a page of the library that only
	 * that would fault in. */
	if (spec != NULL && spec[0] == '/')
		return locate_file(spec, ret, err);
	if (spec != NULL && strcmp(spec, "unconfined") == 0) {
		*ret = (struct as_source){.kind = AS_SOURCE_UNCONFINED, .name = "unconfined", .fd = -1};
		return 0;
	}
	if (spec == NULL || spec[0] == '\0' || strcmp(spec, "builtin") == 0) {
		*ret = (struct as_source){
			.kind = AS_SOURCE_BUILTIN, .name = "builtin", .text = builtin->text, .len = builtin->len, .fd = -1};
		return 0;
	}
	return locate_file(spec, ret, err);
}

/* Read, not mapped: a file cut short after it was opened would make a
 * mapping fault (SIGBUS) where a read only comes back short. */
int as_source_pread(const struct as_source *source, void *buf, size_t len, size_t offset)
{
	for (size_t done = 0; done < len;) {
		ssize_t n = pread(source->fd, (char *)buf + done, len - done, (off_t)(offset + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
		done += (size_t)n;
	}
	return 0;
}

int as_source_text(struct as_source *source, char buf[AS_SOURCE_MAX_BYTES], struct as_error *err)
{
	int r;

	if (source->text != NULL || source->kind != AS_SOURCE_FILE)
		return 0;
	if ((r = as_source_read_open(source, err)) < 0)
		return r;
	r = as_source_pread(source, buf, source->len, 0);
	if (r == -EIO)
		return as_error_set(err, r, AS_NO_POSITION, "cannot read profile: it was cut short");
	if (r < 0)
		return as_error_set(err, r, AS_NO_POSITION, "cannot read profile: %s", strerror(-r));
	source->text = buf;
	return 0;
}

int as_source_read(int fd, const char *name, char *buf, size_t capacity, struct as_source *ret,
		   struct as_error *err)
{
	size_t len = 0;

	for (;;) {
		ssize_t n = read(fd, buf + len, capacity - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return as_error_set(err, -errno, AS_NO_POSITION, "cannot read profile: %s", strerror(errno));
		if (n == 0)
			break;
		len += (size_t)n;
		if (len == capacity)
			return as_error_set(err, -EFBIG, AS_NO_POSITION, "profile is too large (more than %zu bytes)",
					    capacity - 1);
	}
	if (len == 0)
		return as_error_set(err, -EINVAL, AS_NO_POSITION, "profile is empty");
	*ret = (struct as_source){.kind = AS_SOURCE_FILE, .name = name, .text = buf, .len = len, .fd = -1};
	return 0;
}

void as_source_close(struct as_source *source)
{
	if (source->fd >= 0)
		close(source->fd);
	source->text = NULL;
	source->fd = -1;
}
