#include "cache.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <seccomp.h>
#include <stdint.h>
#include <stdio.h> /* renameat */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "fnv.h"
#include "hex.h"
#include "scratch.h"

/* An entry: a header, the program, and a checksum of both.  The checksum
 * catches damage; an entry forged by someone who can write the directory
 * would pass any checksum, which is why the directory must be this user's
 * alone. */
#define ENTRY_MAGIC "ASCACHE2"

struct entry_header {
	char magic[8];
	unsigned char key[AS_SHA256_SIZE];
	uint32_t flags, stub_len, len, reserved;
};

union entry {
	unsigned char bytes[sizeof(struct entry_header) + BPF_MAXINSNS * sizeof(struct sock_filter) + sizeof(uint64_t)];
	struct entry_header header;
};

/* In scratch memory: its loads and stores are serialised by the caller. */
static union entry *entry;

static bool have_entry(void)
{
	return entry != NULL || (entry = as_scratch(sizeof(*entry))) != NULL;
}

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

/* A directory or file is trusted only when this user owns it and no one
 * else can write it. */
static bool trusted(int fd, mode_t type)
{
	struct stat st;

	return fstat(fd, &st) == 0 && (st.st_mode & S_IFMT) == type && st.st_uid == geteuid() &&
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

static bool cache_base(char *buf, size_t len)
{
	/* secure_getenv reads nothing in secure-execution mode: no cache there. */
	const char *xdg = secure_getenv("XDG_CACHE_HOME"), *home = secure_getenv("HOME");

	if (xdg != NULL && xdg[0] == '/')
		return path_join(buf, len, xdg, "");
	if (home != NULL && home[0] == '/')
		return path_join(buf, len, home, "/.cache");
	return false;
}

int as_cache_open(void)
{
	const char *setting = secure_getenv("AUTOSECCOMP_CACHE");
	char path[PATH_MAX];
	size_t base;
	int fd;

	if ((setting != NULL && strcmp(setting, "off") == 0) || !cache_base(path, sizeof(path) - 16))
		return -1;
	base = strlen(path);
	path_join(path + base, sizeof(path) - base, "", "/autoseccomp");
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		/* The first start creates it, and its parent if need be. */
		path[base] = '\0';
		mkdir(path, 0700);
		path[base] = '/';
		mkdir(path, 0700);
		fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	}
	if (fd >= 0 && !trusted(fd, S_IFDIR)) {
		close(fd);
		return -1;
	}
	return fd;
}

static void entry_name(const struct as_cache_key *key, char name[2 * AS_SHA256_SIZE + 1])
{
	for (size_t i = 0; i < AS_SHA256_SIZE; i++)
		as_hex(key->digest[i], 2, name + 2 * i);
	name[2 * AS_SHA256_SIZE] = '\0';
}

static size_t entry_size(uint32_t len)
{
	return sizeof(struct entry_header) + len * sizeof(struct sock_filter) + sizeof(uint64_t);
}

static bool entry_valid(const struct as_cache_key *key, size_t size)
{
	const struct entry_header *h = &entry->header;
	uint64_t checksum;

	if (size < entry_size(0) || memcmp(h->magic, ENTRY_MAGIC, sizeof(h->magic)) != 0 ||
	    memcmp(h->key, key->digest, AS_SHA256_SIZE) != 0 || h->len == 0 || h->len > BPF_MAXINSNS ||
	    h->stub_len > h->len || size != entry_size(h->len))
		return false;
	memcpy(&checksum, entry->bytes + size - sizeof(checksum), sizeof(checksum));
	return checksum == as_fnv1a64(entry->bytes, size - sizeof(checksum));
}

bool as_cache_load(int dir, const struct as_cache_key *key, struct as_program *ret)
{
	char name[2 * AS_SHA256_SIZE + 1];
	_cleanup_close_ int fd = -1;
	ssize_t n;

	if (!have_entry())
		return false;
	entry_name(key, name);
	fd = openat(dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || !trusted(fd, S_IFREG))
		return false;
	n = read(fd, entry->bytes, sizeof(entry->bytes));
	if (n <= 0 || !entry_valid(key, (size_t)n))
		return false;
	*ret = (struct as_program){(const struct sock_filter *)(entry->bytes + sizeof(struct entry_header)),
				   entry->header.len, entry->header.flags};
	return true;
}

void as_cache_store(int dir, const struct as_cache_key *key, const struct as_bpf *bpf)
{
	char name[2 * AS_SHA256_SIZE + 1], temporary[sizeof(name) + 32];
	size_t size = entry_size(bpf->len);
	struct entry_header header;
	uint64_t checksum;
	int fd;

	if (bpf->len > BPF_MAXINSNS || !have_entry())
		return;
	/* Built aside and copied in: written through entry->header, GCC 12 takes
	 * the buffer for that member and refuses the checksum's copy below. */
	header = (struct entry_header){.flags = bpf->flags, .stub_len = bpf->stub_len, .len = bpf->len};
	memcpy(header.magic, ENTRY_MAGIC, sizeof(header.magic));
	memcpy(header.key, key->digest, AS_SHA256_SIZE);
	memcpy(entry->bytes, &header, sizeof(header));
	memcpy(entry->bytes + sizeof(header), bpf->insns, bpf->len * sizeof(struct sock_filter));
	checksum = as_fnv1a64(entry->bytes, size - sizeof(checksum));
	memcpy(entry->bytes + size - sizeof(checksum), &checksum, sizeof(checksum));
	entry_name(key, name);
	/* Written aside, then renamed into place: a reader sees all of an entry
	 * or none.  Named without stdio, as it is written before main. */
	temporary[0] = '.';
	memcpy(temporary + 1, name, sizeof(name) - 1);
	temporary[sizeof(name)] = '.';
	*as_hex((uint64_t)getpid(), 8, temporary + sizeof(name) + 1) = '\0';
	fd = openat(dir, temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	bool written = write(fd, entry->bytes, size) == (ssize_t)size;
	if (close(fd) < 0 || !written || renameat(dir, temporary, dir, name) < 0)
		unlinkat(dir, temporary, 0);
}
