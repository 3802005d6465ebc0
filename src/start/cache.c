#include "cache.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <seccomp.h>
#include <stdint.h>
#include <stdio.h> /* renameat */
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <unistd.h>

/* A build may say what it is called; else the Makefile's digest of the sources. */
#ifndef AS_BUILD_ID
#include "build-id.h"
#endif

#include "cleanup.h"
#include "fnv.h"
#include "hex.h"
#include "libseccomp.h"

/* The checksum catches damage; an entry forged by someone who can write
 * the directory would pass any checksum, which is why only some writers are
 * trusted (cache.h).  Version 3: programs answer the probe (probe.h); an
 * older entry's would make every child install its filter again.  Version
 * 4: where the listener goes follows the program. */
#define ENTRY_MAGIC "ASCACHE4"

/* Through a buffer on the stack: a start whose program is cached needs the
 * bytes only for this, and mapping them (a page fault, and the munmap after
 * it) made such a start with Docker's 13 KB profile 40 us slower (median of
 * 3,000); reading them all into fresh memory faults in a page per 4 KB. */
static bool hash_file(struct as_sha256 *ctx, const struct as_source *source)
{
	unsigned char buf[4096];

	for (size_t done = 0; done < source->len; done += sizeof(buf)) {
		size_t len = source->len - done < sizeof(buf) ? source->len - done : sizeof(buf);
		if (as_source_pread(source, buf, len, done) < 0)
			return false;
		as_sha256_update(ctx, buf, len);
	}
	return true;
}

/* Everything a program depends on besides its profile, after a DOMAIN that
 * keeps the two kinds of key apart. */
static void hash_host(struct as_sha256 *ctx, const char *domain, size_t domain_size, const struct as_host *host,
		      const struct stat *library)
{
	const unsigned int versions[] = {SCMP_VER_MAJOR, SCMP_VER_MINOR, SCMP_VER_MICRO};
	const unsigned int kernel[] = {host->kernel_known, host->kernel_major, host->kernel_minor};
	/* libseccomp as loaded, not as built against (libseccomp.h). */
	const int64_t library_status[] = {(int64_t)library->st_dev,	    (int64_t)library->st_ino,
					  (int64_t)library->st_size,	    (int64_t)library->st_mtim.tv_sec,
					  (int64_t)library->st_mtim.tv_nsec, (int64_t)library->st_ctim.tv_sec,
					  (int64_t)library->st_ctim.tv_nsec};

	as_sha256_init(ctx);
	as_sha256_update(ctx, domain, domain_size);
	as_sha256_update(ctx, AUTOSECCOMP_VERSION, sizeof(AUTOSECCOMP_VERSION));
	as_sha256_update(ctx, AS_BUILD_ID, sizeof(AS_BUILD_ID));
	as_sha256_update(ctx, versions, sizeof(versions));
	as_sha256_update(ctx, library_status, sizeof(library_status));
	as_sha256_update(ctx, host->kernel_release, sizeof(host->kernel_release));
	/* The version the rules' minKernel was judged against, which a command
	 * may set apart from the release. */
	as_sha256_update(ctx, kernel, sizeof(kernel));
	as_sha256_update(ctx, &host->native_arch, sizeof(host->native_arch));
	as_sha256_update(ctx, &host->permitted, sizeof(host->permitted));
}

/* The key of SOURCE's bytes, open or in memory. */
static bool bytes_key(const struct as_cache *cache, const struct as_source *source, const struct as_host *host,
		      struct as_cache_key *ret)
{
	static const char domain[] = "autoseccomp compiled-profile cache 1";
	struct as_sha256 ctx;

	hash_host(&ctx, domain, sizeof(domain), host, &cache->library);
	as_sha256_update(&ctx, &source->len, sizeof(source->len));
	if (source->text != NULL)
		as_sha256_update(&ctx, source->text, source->len);
	else if (source->fd < 0 || !hash_file(&ctx, source))
		return false;
	as_sha256_final(&ctx, ret->digest);
	return true;
}

/* A file's status names its bytes only where any change to them changes
 * it: the kernel sets the change time (ctime) at every write, and no one
 * can set it back.  Two writes within one tick of the clock, or of a
 * filesystem's coarse times, may leave it as it was; so a time without
 * digits below the millisecond (FAT, ext4 with small inodes: whole seconds)
 * names nothing. */
static bool status_names_bytes(const struct stat *st)
{
	return S_ISREG(st->st_mode) && st->st_ctim.tv_nsec % 1000000 != 0;
}

/* The key of the file SOURCE names, from its status alone: which file, its
 * size, and when it last changed. */
static bool status_key(const struct as_cache *cache, const struct as_source *source, const struct as_host *host,
		       struct as_cache_key *ret)
{
	static const char domain[] = "autoseccomp compiled-profile cache, by file status 1";
	const struct stat *st = &source->st;
	const int64_t status[] = {(int64_t)st->st_dev,        (int64_t)st->st_ino,         (int64_t)st->st_size,
				  (int64_t)st->st_mtim.tv_sec, (int64_t)st->st_mtim.tv_nsec, (int64_t)st->st_ctim.tv_sec,
				  (int64_t)st->st_ctim.tv_nsec};
	struct as_sha256 ctx;

	if (source->kind != AS_SOURCE_FILE || !source->st_synced || !status_names_bytes(st))
		return false;
	hash_host(&ctx, domain, sizeof(domain), host, &cache->library);
	as_sha256_update(&ctx, status, sizeof(status));
	as_sha256_final(&ctx, ret->digest);
	return true;
}

/* Whether a program compiled from the bytes read from SOURCE may be stored
 * under its status: only where the file last changed well before it was
 * opened.  A write after that open gets a later ctime, so another status;
 * a write within the same tick as the last one, when that tick is recent,
 * might not. */
static bool status_settled(const struct as_source *source)
{
	const struct timespec *changed = &source->st.st_ctim, *opened = &source->opened_at;

	return source->fd >= 0 && status_names_bytes(&source->st) && opened->tv_sec - changed->tv_sec > 2;
}

#ifndef AS_SYSTEM_CACHE_DIR
#error "AS_SYSTEM_CACHE_DIR: the Makefile sets it from CACHEDIR"
#endif

/* See cache.h for why OWNER, and no one else, must be able to write it. */
static bool trusted(const struct stat *st, mode_t type, uid_t owner)
{
	return (st->st_mode & S_IFMT) == type && st->st_uid == owner && (st->st_mode & (S_IWGRP | S_IWOTH)) == 0;
}

/* FD's status in *ST, and whether it is trusted.  fstat with an empty path
 * of this library's: glibc's fstat passes its own, which the kernel reads
 * from a page of the C library that a start would otherwise fault in for it
 * alone. */
static bool trusted_fd(int fd, mode_t type, uid_t owner, struct stat *st)
{
	return fstatat(fd, "", st, AT_EMPTY_PATH) == 0 && trusted(st, type, owner);
}

/* This user's own directory: $XDG_CACHE_HOME/autoseccomp, else, unless
 * XDG_ONLY, $HOME/.cache/autoseccomp. */
static bool user_dir(struct as_cache *cache, bool xdg_only)
{
	const char *xdg = secure_getenv("XDG_CACHE_HOME"), *home = secure_getenv("HOME");

	if (xdg != NULL && xdg[0] == '/')
		cache->base = xdg, cache->tail = "/autoseccomp";
	else if (!xdg_only && home != NULL && home[0] == '/')
		cache->base = home, cache->tail = "/.cache/autoseccomp";
	return cache->base != NULL;
}

/* The size of a buffer for the directory's path and an entry's name in it:
 * sized to the path, not to PATH_MAX, which would take a page of stack a
 * start does not otherwise touch, and on a virtual machine a page fault
 * costs as much as several system calls. */
static size_t path_size(const struct as_cache *cache)
{
	return strlen(cache->base) + strlen(cache->tail) + 1 + 2 * AS_SHA256_SIZE + 1;
}

/* BUF, of path_size, holding the directory's path, then "/NAME" where NAME
 * is not NULL. */
static char *path_of(const struct as_cache *cache, const char *name, char *buf)
{
	size_t base_len = strlen(cache->base), tail_len = strlen(cache->tail);
	char *end = buf + base_len + tail_len;

	/* memcpy, not stpcpy: every start has memcpy's page of the C library
	 * mapped already, and only this would fault stpcpy's in. */
	memcpy(buf, cache->base, base_len);
	memcpy(buf + base_len, cache->tail, tail_len + 1);
	if (name != NULL) {
		*end++ = '/';
		memcpy(end, name, strlen(name) + 1);
	}
	return buf;
}

/* The cache's directory, opened for a store and checked; made with the
 * cache's mode, and its parent if need be, when it is missing. */
static int open_dir(const struct as_cache *cache)
{
	char path[path_size(cache)];
	struct stat st;
	char *slash;
	int fd;
	bool made = false;

	path_of(cache, NULL, path);
	slash = strrchr(path, '/');
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && cache->dir_mode != 0 && slash != NULL && slash != path) {
		*slash = '\0';
		mkdir(path, cache->dir_mode);
		*slash = '/';
		made = mkdir(path, cache->dir_mode) == 0;
		fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	}
	if (fd >= 0 && !trusted_fd(fd, S_IFDIR, cache->owner, &st)) {
		close(fd);
		return -1;
	}
	/* Root's umask must not keep users out of the system directory. */
	if (made && fd >= 0)
		fchmod(fd, cache->dir_mode);
	return fd;
}

/* Whether loads may read the directory: looked at once, without following a
 * link.  It is not held open: a start whose program is cached opens only
 * the entry.  Whoever could swap the directory between this look and that
 * open owns its parent, and an entry must pass its own checks anyway. */
static bool dir_trusted(struct as_cache *cache)
{
	char path[path_size(cache)];
	struct stat st;

	if (cache->dir_checked == 0)
		cache->dir_checked =
			lstat(path_of(cache, NULL, path), &st) == 0 && trusted(&st, S_IFDIR, cache->owner) ? 1 : -1;
	return cache->dir_checked > 0;
}

static void use_dir(struct as_cache *cache, uid_t owner, mode_t dir_mode, mode_t entry_mode)
{
	cache->owner = owner;
	cache->dir_mode = dir_mode;
	cache->entry_mode = entry_mode;
}

/* Root's system directory, which others read; WRITES where this process
 * stores in it.  A program tells what its profile says: others may read an
 * entry where they may read the profile. */
static void system_cache(struct as_cache *cache, const struct stat *profile, bool writes)
{
	cache->base = AS_SYSTEM_CACHE_DIR;
	cache->tail = "";
	if (writes)
		use_dir(cache, 0, 0755, profile->st_mode & S_IROTH ? 0644 : 0600);
	else
		use_dir(cache, 0, 0, 0);
}

/* Whether this process could rewrite SOURCE's file, as the kernel judges:
 * owning it is not enough where the file is immutable or on a read-only
 * mount, nor being root where that is root of a user namespace, to which
 * the real owner of a file may show as the overflow uid, or as root. */
static bool may_rewrite(const struct as_source *source)
{
	return faccessat(AT_FDCWD, source->name, W_OK, AT_EACCESS) == 0;
}

static void cache_for(struct as_cache *cache, const struct as_source *source)
{
	const char *setting = secure_getenv("AUTOSECCOMP_CACHE");
	const struct stat *profile = &source->st;
	uid_t euid;

	if (source->kind != AS_SOURCE_FILE || !S_ISREG(profile->st_mode) || getauxval(AT_SECURE) != 0 ||
	    (setting != NULL && strcmp(setting, "off") == 0))
		return;
	if (!as_libseccomp_file(&cache->library))
		return;
	euid = geteuid();
	cache->profile_owner = profile->st_uid;
	if (euid == 0 && user_dir(cache, true) && may_rewrite(source))
		use_dir(cache, 0, 0700, 0600);
	else if (euid == 0)
		system_cache(cache, profile, true);
	else if (profile->st_uid == euid && user_dir(cache, false) && may_rewrite(source))
		use_dir(cache, euid, 0700, 0600);
	else
		system_cache(cache, profile, false);
	/* A path longer than any a system call takes is no cache. */
	if (cache->base != NULL && path_size(cache) > PATH_MAX)
		cache->base = NULL;
}

void as_cache_open(struct as_cache *cache, const struct as_source *source, union as_cache_near_entry *near,
		   union as_cache_entry *buffer)
{
	*cache = (struct as_cache){.near = near, .entry = buffer};
	cache_for(cache, source);
}

void as_cache_open_system(struct as_cache *cache, const struct as_source *source, union as_cache_entry *buffer)
{
	*cache = (struct as_cache){.entry = buffer};
	if (geteuid() == 0 && getauxval(AT_SECURE) == 0 && S_ISREG(source->st.st_mode) &&
	    as_libseccomp_file(&cache->library)) {
		cache->profile_owner = source->st.st_uid;
		system_cache(cache, &source->st, true);
	}
}

static void entry_name(const struct as_cache_key *key, char name[2 * AS_SHA256_SIZE + 1])
{
	for (size_t i = 0; i < AS_SHA256_SIZE; i++)
		as_hex(key->digest[i], 2, name + 2 * i);
	name[2 * AS_SHA256_SIZE] = '\0';
}

static size_t entry_size(uint32_t len, uint32_t listener_size)
{
	return sizeof(struct as_cache_entry_header) + len * sizeof(struct sock_filter) + listener_size +
	       sizeof(uint64_t);
}

/* The listener's bytes: its lengths, its path and the metadata in use. */
static uint32_t listener_size(const struct as_listener *listener)
{
	return (uint32_t)(offsetof(struct as_listener, metadata) + listener->metadata_len);
}

/* The listener stored after the program, checked as any other field. */
static const struct as_listener *entry_listener(const unsigned char *bytes)
{
	const struct as_cache_entry_header *h = (const struct as_cache_entry_header *)bytes;

	if (h->listener_size == 0)
		return NULL;
	return (const struct as_listener *)(bytes + sizeof(*h) + h->len * sizeof(struct sock_filter));
}

/* BYTES, SIZE of them in a buffer aligned as an entry, an entry stored
 * under KEY. */
static bool entry_valid(const unsigned char *bytes, const struct as_cache_key *key, size_t size)
{
	const struct as_cache_entry_header *h = (const struct as_cache_entry_header *)bytes;
	const struct as_listener *listener;
	uint64_t checksum;

	if (size < entry_size(0, 0) || memcmp(h->magic, ENTRY_MAGIC, sizeof(h->magic)) != 0 ||
	    memcmp(h->key, key->digest, AS_SHA256_SIZE) != 0 || h->len == 0 || h->len > BPF_MAXINSNS ||
	    h->stub_len > h->len || h->listener_size > sizeof(struct as_listener) ||
	    size != entry_size(h->len, h->listener_size))
		return false;
	memcpy(&checksum, bytes + size - sizeof(checksum), sizeof(checksum));
	if (checksum != as_fnv1a64(bytes, size - sizeof(checksum)))
		return false;
	/* A listener exactly where the flags ask for one, and of its own size. */
	listener = entry_listener(bytes);
	if (listener == NULL)
		return !(h->flags & SECCOMP_FILTER_FLAG_NEW_LISTENER);
	return (h->flags & SECCOMP_FILTER_FLAG_NEW_LISTENER) && h->listener_size >= offsetof(struct as_listener, metadata) &&
	       listener->path_len > 0 && listener->path_len <= AS_LISTENER_PATH_MAX &&
	       listener->metadata_len <= AS_LISTENER_METADATA_MAX && h->listener_size == listener_size(listener);
}

/* The entry stored under KEY, where one passes every check: read into the
 * caller's room near the stack top where it fits, else into the large
 * buffer; *BYTES says which. */
static bool load_entry(struct as_cache *cache, const struct as_cache_key *key, struct as_program *ret,
		       unsigned char **bytes)
{
	char path[path_size(cache)], name[2 * AS_SHA256_SIZE + 1];
	_cleanup_close_ int fd = -1;
	struct stat st;
	size_t room;
	ssize_t n;

	entry_name(key, name);
	path_of(cache, name, path);
	/* Not blocking: only a regular file passes, and a FIFO must not hold
	 * the start before it is looked at. */
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 || !trusted_fd(fd, S_IFREG, cache->owner, &st))
		return false;
	if (cache->near != NULL && st.st_size <= (off_t)sizeof(cache->near->bytes))
		*bytes = cache->near->bytes, room = sizeof(cache->near->bytes);
	else if (cache->entry != NULL)
		*bytes = cache->entry->bytes, room = sizeof(cache->entry->bytes);
	else {
		cache->too_large = true;
		return false;
	}
	n = read(fd, *bytes, room);
	if (n <= 0 || !entry_valid(*bytes, key, (size_t)n))
		return false;
	const struct as_cache_entry_header *h = (const struct as_cache_entry_header *)*bytes;
	*ret = (struct as_program){(const struct sock_filter *)(*bytes + sizeof(*h)), h->len, h->flags,
				   entry_listener(*bytes), NULL, NULL};
	return true;
}

/* The entry in BYTES, stored under KEY in DIR, atomically. */
static int store_entry(const struct as_cache *cache, int dir, const struct as_cache_key *key, unsigned char *bytes)
{
	const struct as_cache_entry_header *h = (const struct as_cache_entry_header *)bytes;
	size_t size = entry_size(h->len, h->listener_size);
	char name[2 * AS_SHA256_SIZE + 1], temporary[sizeof(name) + 32];
	uint64_t checksum;
	int fd;

	memcpy(bytes + offsetof(struct as_cache_entry_header, key), key->digest, AS_SHA256_SIZE);
	checksum = as_fnv1a64(bytes, size - sizeof(checksum));
	memcpy(bytes + size - sizeof(checksum), &checksum, sizeof(checksum));
	entry_name(key, name);
	/* Written aside, then renamed into place: a reader sees all of an entry
	 * or none.  Named without stdio, as it is written before main. */
	temporary[0] = '.';
	memcpy(temporary + 1, name, sizeof(name) - 1);
	temporary[sizeof(name)] = '.';
	*as_hex((uint64_t)getpid(), 8, temporary + sizeof(name) + 1) = '\0';
	fd = openat(dir, temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	errno = 0;
	bool written = fchmod(fd, cache->entry_mode) == 0 && write(fd, bytes, size) == (ssize_t)size;
	int r = written ? 0 : errno != 0 ? -errno : -EIO;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && renameat(dir, temporary, dir, name) < 0)
		r = -errno;
	if (r < 0)
		unlinkat(dir, temporary, 0);
	return r;
}

/* The entry in BYTES stored under SOURCE's status too, where that names the
 * bytes it was compiled from: 0 where it does not, else store_entry's. */
static int store_by_status(const struct as_cache *cache, int dir, const struct as_source *source,
			   const struct as_host *host, unsigned char *bytes)
{
	struct as_cache_key key;

	if (!status_settled(source) || !status_key(cache, source, host, &key))
		return 0;
	return store_entry(cache, dir, &key, bytes);
}

/* The owner the cache was chosen for must still be the file's once it is
 * open: else another user's cache could serve it. */
static bool same_owner(const struct as_cache *cache, const struct as_source *source)
{
	return source->st.st_uid == cache->profile_owner;
}

/* The lookup by the bytes, which opens the file.  Not inlined: what it
 * needs on the stack, a start that finds its program by the status does
 * not, and its install would go deeper for it. */
__attribute__((noinline)) static bool load_by_bytes(struct as_cache *cache, struct as_source *source,
						    const struct as_host *host, struct as_program *ret)
{
	struct as_cache_key key;
	struct as_error ignored;
	unsigned char *bytes;

	if (as_source_read_open(source, &ignored) < 0 || !same_owner(cache, source) || !bytes_key(cache, source, host, &key) ||
	    !load_entry(cache, &key, ret, &bytes))
		return false;
	/* Stored by its status too, so that the next start reads none of the
	 * file; the directory is opened only where that is allowed. */
	if (cache->entry_mode != 0 && status_settled(source)) {
		_cleanup_close_ int dir = open_dir(cache);
		if (dir >= 0)
			store_by_status(cache, dir, source, host, bytes);
	}
	return true;
}

bool as_cache_load(struct as_cache *cache, struct as_source *source, const struct as_host *host,
		   struct as_program *ret)
{
	struct as_cache_key key;
	unsigned char *bytes;

	cache->too_large = false;
	if (cache->base == NULL || !dir_trusted(cache))
		return false;
	if (status_key(cache, source, host, &key) && load_entry(cache, &key, ret, &bytes))
		return true;
	/* Found, but larger than the room given: the caller loads again with
	 * the large buffer, and the file need not be read for it now. */
	if (cache->too_large)
		return false;
	return load_by_bytes(cache, source, host, ret);
}

int as_cache_store(const struct as_cache *cache, const struct as_source *source, const struct as_host *host,
		   const struct as_bpf *bpf)
{
	union as_cache_entry *entry = cache->entry;
	bool listens = bpf->flags & SECCOMP_FILTER_FLAG_NEW_LISTENER;
	uint32_t listener_bytes = listens ? listener_size(&bpf->listener) : 0;
	struct as_cache_entry_header header;
	struct as_cache_key key;
	_cleanup_close_ int dir = -1;
	size_t program_end;
	int r;

	if (cache->base == NULL || cache->entry_mode == 0 || bpf->len > BPF_MAXINSNS || !same_owner(cache, source))
		return -EPERM;
	if (!bytes_key(cache, source, host, &key))
		return -EIO;
	if ((dir = open_dir(cache)) < 0)
		return -EPERM;
	/* Built aside and copied in: written through entry->header, GCC 12 takes
	 * the buffer for that member and refuses the checksum's copy below. */
	header = (struct as_cache_entry_header){
		.flags = bpf->flags, .stub_len = bpf->stub_len, .len = bpf->len, .listener_size = listener_bytes};
	memcpy(header.magic, ENTRY_MAGIC, sizeof(header.magic));
	memcpy(entry->bytes, &header, sizeof(header));
	program_end = sizeof(header) + bpf->len * sizeof(struct sock_filter);
	memcpy(entry->bytes + sizeof(header), bpf->insns, program_end - sizeof(header));
	if (listens)
		memcpy(entry->bytes + program_end, &bpf->listener, listener_bytes);
	r = store_entry(cache, dir, &key, entry->bytes);
	if (r == 0)
		r = store_by_status(cache, dir, source, host, entry->bytes);
	return r;
}
