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

bool as_cache_key_of(const struct as_source *source, const struct as_host *host, struct as_cache_key *ret)
{
	static const char domain[] = "autoseccomp compiled-profile cache 1";
	const unsigned int versions[] = {SCMP_VER_MAJOR, SCMP_VER_MINOR, SCMP_VER_MICRO};
	struct as_sha256 ctx;

	/* Everything the compiled program depends on besides the bytes. */
	as_sha256_init(&ctx);
	as_sha256_update(&ctx, domain, sizeof(domain));
	as_sha256_update(&ctx, AUTOSECCOMP_VERSION, sizeof(AUTOSECCOMP_VERSION));
	as_sha256_update(&ctx, AS_BUILD_ID, sizeof(AS_BUILD_ID));
	as_sha256_update(&ctx, versions, sizeof(versions));
	as_sha256_update(&ctx, host->kernel_release, sizeof(host->kernel_release));
	as_sha256_update(&ctx, &host->native_arch, sizeof(host->native_arch));
	as_sha256_update(&ctx, &host->permitted, sizeof(host->permitted));
	as_sha256_update(&ctx, &source->len, sizeof(source->len));
	if (source->text != NULL)
		as_sha256_update(&ctx, source->text, source->len);
	else if (!hash_file(&ctx, source))
		return false;
	as_sha256_final(&ctx, ret->digest);
	return true;
}

#ifndef AS_SYSTEM_CACHE_DIR
#error "AS_SYSTEM_CACHE_DIR: the Makefile sets it from CACHEDIR"
#endif

/* See cache.h for why OWNER, and no one else, must be able to write it. */
static bool trusted(int fd, mode_t type, uid_t owner)
{
	struct stat st;

	return fstat(fd, &st) == 0 && (st.st_mode & S_IFMT) == type && st.st_uid == owner &&
	       (st.st_mode & (S_IWGRP | S_IWOTH)) == 0;
}

/* BUF (LEN bytes) holding HEAD and TAIL; false when they do not fit.  Not
 * snprintf: stdio's first use faults in pages of the C library's code. */
static bool path_join(char *buf, size_t len, const char *head, const char *tail)
{
	size_t head_len = strlen(head), tail_len = strlen(tail);

	if (head_len + tail_len >= len)
		return false;
	memcpy(buf, head, head_len);
	memcpy(buf + head_len, tail, tail_len + 1);
	return true;
}

/* This user's own directory: $XDG_CACHE_HOME/autoseccomp, else, unless
 * XDG_ONLY, $HOME/.cache/autoseccomp. */
static bool user_dir(char *buf, size_t len, bool xdg_only)
{
	const char *xdg = secure_getenv("XDG_CACHE_HOME"), *home = secure_getenv("HOME");

	if (xdg != NULL && xdg[0] == '/')
		return path_join(buf, len, xdg, "/autoseccomp");
	if (!xdg_only && home != NULL && home[0] == '/')
		return path_join(buf, len, home, "/.cache/autoseccomp");
	return false;
}

/* PATH, opened and checked for OWNER; made with MODE, and its parent if need
 * be, when it is missing and MODE is not 0. */
static int open_dir(char *path, mode_t mode, uid_t owner)
{
	char *slash = strrchr(path, '/');
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	bool made = false;

	if (fd < 0 && errno == ENOENT && mode != 0 && slash != NULL && slash != path) {
		*slash = '\0';
		mkdir(path, mode);
		*slash = '/';
		made = mkdir(path, mode) == 0;
		fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	}
	if (fd >= 0 && !trusted(fd, S_IFDIR, owner)) {
		close(fd);
		return -1;
	}
	/* Root's umask must not keep users out of the system directory. */
	if (made && fd >= 0)
		fchmod(fd, mode);
	return fd;
}

/* Root's system directory, which others read.  A program tells what its
 * profile says: others may read an entry where they may read the profile. */
static struct as_cache system_cache(const struct stat *profile)
{
	char path[PATH_MAX];
	mode_t entry_mode = profile->st_mode & S_IROTH ? 0644 : 0600;

	if (!path_join(path, sizeof(path), AS_SYSTEM_CACHE_DIR, ""))
		return AS_CACHE_NONE;
	return (struct as_cache){.dir = open_dir(path, 0755, 0), .owner = 0, .entry_mode = entry_mode};
}

static struct as_cache cache_for(const struct as_source *source)
{
	const char *setting = secure_getenv("AUTOSECCOMP_CACHE");
	uid_t euid = geteuid();
	char path[PATH_MAX];
	struct stat profile;

	if (getauxval(AT_SECURE) != 0 || (setting != NULL && strcmp(setting, "off") == 0) ||
	    fstat(source->fd, &profile) < 0)
		return AS_CACHE_NONE;
	if (euid == 0 && user_dir(path, sizeof(path), true))
		return (struct as_cache){.dir = open_dir(path, 0700, 0), .owner = 0, .entry_mode = 0600};
	if (euid == 0)
		return system_cache(&profile);
	if (profile.st_uid == euid)
		return user_dir(path, sizeof(path), false)
			       ? (struct as_cache){.dir = open_dir(path, 0700, euid), .owner = euid, .entry_mode = 0600}
			       : AS_CACHE_NONE;
	if (path_join(path, sizeof(path), AS_SYSTEM_CACHE_DIR, ""))
		return (struct as_cache){.dir = open_dir(path, 0, 0), .owner = 0, .entry_mode = 0};
	return AS_CACHE_NONE;
}

struct as_cache as_cache_open(const struct as_source *source, union as_cache_entry *buffer)
{
	struct as_cache cache = cache_for(source);

	cache.entry = buffer;
	return cache;
}

struct as_cache as_cache_open_system(const struct as_source *source, union as_cache_entry *buffer)
{
	struct as_cache cache = AS_CACHE_NONE;
	struct stat profile;

	if (geteuid() == 0 && getauxval(AT_SECURE) == 0 && fstat(source->fd, &profile) == 0)
		cache = system_cache(&profile);
	cache.entry = buffer;
	return cache;
}

void as_cache_close(struct as_cache *cache)
{
	as_closep(&cache->dir);
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
static const struct as_listener *entry_listener(const union as_cache_entry *entry)
{
	const struct as_cache_entry_header *h = &entry->header;

	if (h->listener_size == 0)
		return NULL;
	return (const struct as_listener *)(entry->bytes + sizeof(*h) + h->len * sizeof(struct sock_filter));
}

static bool entry_valid(const union as_cache_entry *entry, const struct as_cache_key *key, size_t size)
{
	const struct as_cache_entry_header *h = &entry->header;
	const struct as_listener *listener;
	uint64_t checksum;

	if (size < entry_size(0, 0) || memcmp(h->magic, ENTRY_MAGIC, sizeof(h->magic)) != 0 ||
	    memcmp(h->key, key->digest, AS_SHA256_SIZE) != 0 || h->len == 0 || h->len > BPF_MAXINSNS ||
	    h->stub_len > h->len || h->listener_size > sizeof(struct as_listener) ||
	    size != entry_size(h->len, h->listener_size))
		return false;
	memcpy(&checksum, entry->bytes + size - sizeof(checksum), sizeof(checksum));
	if (checksum != as_fnv1a64(entry->bytes, size - sizeof(checksum)))
		return false;
	/* A listener exactly where the flags ask for one, and of its own size. */
	listener = entry_listener(entry);
	if (listener == NULL)
		return !(h->flags & SECCOMP_FILTER_FLAG_NEW_LISTENER);
	return (h->flags & SECCOMP_FILTER_FLAG_NEW_LISTENER) && h->listener_size >= offsetof(struct as_listener, metadata) &&
	       listener->path_len > 0 && listener->path_len <= AS_LISTENER_PATH_MAX &&
	       listener->metadata_len <= AS_LISTENER_METADATA_MAX && h->listener_size == listener_size(listener);
}

bool as_cache_load(const struct as_cache *cache, const struct as_cache_key *key, struct as_program *ret)
{
	union as_cache_entry *entry = cache->entry;
	char name[2 * AS_SHA256_SIZE + 1];
	_cleanup_close_ int fd = -1;
	ssize_t n;

	entry_name(key, name);
	fd = openat(cache->dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || !trusted(fd, S_IFREG, cache->owner))
		return false;
	n = read(fd, entry->bytes, sizeof(entry->bytes));
	if (n <= 0 || !entry_valid(entry, key, (size_t)n))
		return false;
	*ret = (struct as_program){(const struct sock_filter *)(entry->bytes + sizeof(struct as_cache_entry_header)),
				   entry->header.len, entry->header.flags, entry_listener(entry), NULL, NULL};
	return true;
}

int as_cache_store(const struct as_cache *cache, const struct as_cache_key *key, const struct as_bpf *bpf)
{
	union as_cache_entry *entry = cache->entry;
	char name[2 * AS_SHA256_SIZE + 1], temporary[sizeof(name) + 32];
	bool listens = bpf->flags & SECCOMP_FILTER_FLAG_NEW_LISTENER;
	uint32_t listener_bytes = listens ? listener_size(&bpf->listener) : 0;
	size_t size = entry_size(bpf->len, listener_bytes), program_end;
	struct as_cache_entry_header header;
	uint64_t checksum;
	int fd;

	if (cache->dir < 0 || cache->entry_mode == 0 || bpf->len > BPF_MAXINSNS)
		return -EPERM;
	/* Built aside and copied in: written through entry->header, GCC 12 takes
	 * the buffer for that member and refuses the checksum's copy below. */
	header = (struct as_cache_entry_header){
		.flags = bpf->flags, .stub_len = bpf->stub_len, .len = bpf->len, .listener_size = listener_bytes};
	memcpy(header.magic, ENTRY_MAGIC, sizeof(header.magic));
	memcpy(header.key, key->digest, AS_SHA256_SIZE);
	memcpy(entry->bytes, &header, sizeof(header));
	program_end = sizeof(header) + bpf->len * sizeof(struct sock_filter);
	memcpy(entry->bytes + sizeof(header), bpf->insns, program_end - sizeof(header));
	if (listens)
		memcpy(entry->bytes + program_end, &bpf->listener, listener_bytes);
	checksum = as_fnv1a64(entry->bytes, size - sizeof(checksum));
	memcpy(entry->bytes + size - sizeof(checksum), &checksum, sizeof(checksum));
	entry_name(key, name);
	/* Written aside, then renamed into place: a reader sees all of an entry
	 * or none.  Named without stdio, as it is written before main. */
	temporary[0] = '.';
	memcpy(temporary + 1, name, sizeof(name) - 1);
	temporary[sizeof(name)] = '.';
	*as_hex((uint64_t)getpid(), 8, temporary + sizeof(name) + 1) = '\0';
	fd = openat(cache->dir, temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	errno = 0;
	bool written = fchmod(fd, cache->entry_mode) == 0 && write(fd, entry->bytes, size) == (ssize_t)size;
	int r = written ? 0 : errno != 0 ? -errno : -EIO;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && renameat(cache->dir, temporary, cache->dir, name) < 0)
		r = -errno;
	if (r < 0)
		unlinkat(cache->dir, temporary, 0);
	return r;
}
