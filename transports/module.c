/* SPDX-License-Identifier: MIT */
/*
 * module.c - transports from users' shared objects (`-t external:/path/module.so`), loaded in
 * the driver before any run forks, checked like the built-in ones (contract.c) and then found by
 * name like them (registry.c, the one caller of this file; module.h). A module exports
 * `ipcb_module` (IPCB_MODULE in <ipcbench/transport.h>): the ABI it was built for, the size its
 * struct ipcb_transport had, and the entry.
 *
 * Also the built-in modules, one per library set (ipcb-zmq.so: zmq-ipc and zmq-tcp), which the
 * registry opens when one of their transports is first asked for in full.
 */
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "child.h"
#include "module.h"
#include "sha256.h"

#define MAX_MODULES 16

struct module {
	struct ipcb_transport t; /* the module's entry, zero-extended to this ABI's size */
	char path[4096];	 /* as given (absolute) */
	char id[80];		 /* "build-id 1a2b..." or "sha256 1a2b..." */
	void *handle;
};

static struct module *modules[MAX_MODULES];
static size_t nmodules;

/* "external:PATH: WHAT" in why, and code back. */
static int fail(char *why, size_t n, int code, const char *path, const char *what)
{
	snprintf(why, n, "external:%s: %s", path, what);
	return code;
}

/* The GNU build ID of the loaded object whose base address is `base`, in hex. */
struct find_id {
	ElfW(Addr) base;
	char *out;
	size_t n;
	bool found;
};

static int build_id_of(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct find_id *f = arg;

	(void)size;
	if (info->dlpi_addr != f->base)
		return 0;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		const char *p = (const char *)(info->dlpi_addr + ph->p_vaddr),
			   *end = p + ph->p_memsz;

		if (ph->p_type != PT_NOTE)
			continue;
		while (p + sizeof(ElfW(Nhdr)) <= end) {
			const ElfW(Nhdr) *nh = (const ElfW(Nhdr) *)p;
			const char *name = p + sizeof(*nh);
			const unsigned char *desc =
			    (const unsigned char *)name + ((nh->n_namesz + 3) & ~3u);

			if (nh->n_type == NT_GNU_BUILD_ID && nh->n_namesz == 4 &&
			    memcmp(name, "GNU", 4) == 0 &&
			    (const char *)desc + nh->n_descsz <= end) {
				size_t used = (size_t)snprintf(f->out, f->n, "build-id ");

				for (unsigned k = 0; k < nh->n_descsz && used + 3 <= f->n; k++)
					used += (size_t)snprintf(f->out + used, f->n - used, "%02x",
								 desc[k]);
				f->found = true;
				return 1;
			}
			p = (const char *)desc + ((nh->n_descsz + 3) & ~3u);
		}
	}
	return 1;
}

/*
 * Without a build ID (a module linked with --build-id=none): the file's own hash. The read
 * buffer is on the heap: the driver may run on a small stack (ulimit -s). 0, or -errno with the
 * failing call in why.
 */
static int file_hash(const char *path, char *out, size_t n, char *why, size_t why_n)
{
	enum { HASH_CHUNK_BYTES = 65536 };
	unsigned char *buf, sum[IPCB_SHA256_BYTES];
	struct ipcb_sha256 s;
	ssize_t got;
	int fd;

	snprintf(out, n, "unidentified");
	buf = malloc(HASH_CHUNK_BYTES);
	if (!buf) {
		snprintf(why, why_n, "external:%s: malloc: %s", path, strerror(ENOMEM));
		return -ENOMEM;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		goto free_buf;
	ipcb_sha256_init(&s);
	while ((got = read(fd, buf, HASH_CHUNK_BYTES)) > 0)
		ipcb_sha256_update(&s, buf, (size_t)got);
	close(fd);
	if (got < 0)
		goto free_buf;
	ipcb_sha256_final(&s, sum);
	snprintf(out, n, "sha256 ");
	for (int k = 0; k < 8; k++)
		snprintf(out + strlen(out), n - strlen(out), "%02x", sum[k]);
free_buf:
	free(buf);
	return 0;
}

static int module_id(struct module *m, char *why, size_t n)
{
	struct link_map *lm = NULL;
	struct find_id f = {.out = m->id, .n = sizeof(m->id)};

	if (dlinfo(m->handle, RTLD_DI_LINKMAP, &lm) == 0 && lm) {
		f.base = lm->l_addr;
		dl_iterate_phdr(build_id_of, &f);
	}
	if (!f.found)
		return file_hash(m->path, m->id, sizeof(m->id), why, n);
	return 0;
}

/*
 * The module's entry as this ABI reads it: refused when built for another ABI, or when it is
 * longer than this ipcbench's struct and uses the fields it does not know; zero-extended when
 * shorter (the fields added since read as absent).
 */
static int take_entry(struct module *m, const struct ipcb_module *mod, char *why, size_t n)
{
	const unsigned char *raw;

	if (mod->abi != IPCB_TRANSPORT_ABI) {
		snprintf(why, n,
			 "%s: built for transport ABI %u, this ipcbench speaks ABI %u: rebuild it "
			 "against this ipcbench's <ipcbench/transport.h>",
			 m->path, mod->abi, IPCB_TRANSPORT_ABI);
		return -ENOEXEC;
	}
	if (!mod->transport ||
	    mod->transport_size < offsetof(struct ipcb_transport, recv) + sizeof(m->t.recv)) {
		snprintf(why, n,
			 "%s: its ipcb_module names no transport, or one of %u bytes, too short "
			 "for any ABI %u entry",
			 m->path, mod->transport_size, IPCB_TRANSPORT_ABI);
		return -ENOEXEC;
	}
	raw = (const unsigned char *)mod->transport;
	for (size_t k = sizeof(m->t); k < mod->transport_size; k++)
		if (raw[k]) {
			snprintf(why, n,
				 "%s: built with a newer <ipcbench/transport.h> (its entry is %u "
				 "bytes, this ipcbench's %zu) and sets fields this ipcbench does "
				 "not know",
				 m->path, mod->transport_size, sizeof(m->t));
			return -ENOEXEC;
		}
	memset(&m->t, 0, sizeof(m->t));
	memcpy(&m->t, raw, mod->transport_size < sizeof(m->t) ? mod->transport_size : sizeof(m->t));
	return 0;
}

static int check_entry(struct module *m, bool (*taken)(const char *name), char *why, size_t n)
{
	char rule[240];

	if (!m->t.name) {
		snprintf(why, n, "%s: its transport has no name", m->path);
		return -EINVAL;
	}
	if (taken(m->t.name)) {
		snprintf(why, n,
			 "%s: its transport is named '%s', which ipcbench already has: name it "
			 "something of its own",
			 m->path, m->t.name);
		return -EEXIST;
	}
	/* A server or a runtime is the driver's to run: their ops are private to it. */
	if (m->t.service || m->t.launch) {
		snprintf(why, n,
			 "%s: '%s' declares a service or a launcher, which only built-in "
			 "transports can have",
			 m->path, m->t.name);
		return -EINVAL;
	}
	if (m->t.unsupported) {
		snprintf(why, n, "%s: '%s' says it is unsupported: %s", m->path, m->t.name,
			 m->t.unsupported);
		return -ENOTSUP;
	}
	if (ipcb_transport_check(&m->t, rule, sizeof(rule)) < 0) {
		snprintf(why, n, "%s: %s", m->path, rule);
		return -EINVAL;
	}
	return 0;
}

int ipcb_module_load(const char *path, bool (*taken)(const char *name),
		     const struct ipcb_transport **out, char *why, size_t n)
{
	const struct ipcb_module *mod;
	struct module *m;
	struct stat st;
	int rc;

	*out = NULL;
	for (size_t i = 0; i < nmodules; i++)
		if (strcmp(modules[i]->path, path) == 0) {
			*out = &modules[i]->t;
			return 0;
		}
	if (path[0] != '/')
		return fail(why, n, -EINVAL, path,
			    "a module is named by its absolute path (external:/path/to/module.so)");
	if (strlen(path) >= sizeof(m->path))
		return fail(why, n, -ENAMETOOLONG, path, "path too long");
	if (stat(path, &st) < 0)
		return fail(why, n, -errno, path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return fail(why, n, -EINVAL, path, "not a regular file");
	if (nmodules == MAX_MODULES)
		return fail(why, n, -E2BIG, path, "more than 16 modules");
	m = calloc(1, sizeof(*m));
	if (!m)
		return fail(why, n, -ENOMEM, path, strerror(ENOMEM));
	snprintf(m->path, sizeof(m->path), "%s", path);
	/* RTLD_NOW: an unresolved symbol is an error here, not a crash in a side mid-run. */
	m->handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!m->handle) {
		snprintf(why, n, "external:%s: dlopen: %s", path, dlerror());
		free(m);
		return -ENOEXEC;
	}
	mod = dlsym(m->handle, IPCB_MODULE_SYMBOL);
	if (!mod) {
		snprintf(why, n, "%s: no symbol '%s': end the module with IPCB_MODULE(its entry)",
			 path, IPCB_MODULE_SYMBOL);
		rc = -ENOEXEC;
	} else {
		rc = take_entry(m, mod, why, n);
		if (!rc)
			rc = check_entry(m, taken, why, n);
		if (!rc)
			rc = module_id(m, why, n);
	}
	if (rc) {
		dlclose(m->handle);
		free(m);
		return rc;
	}
	modules[nmodules++] = m;
	*out = &m->t;
	return 0;
}

const struct ipcb_transport *ipcb_module_find(const char *name)
{
	for (size_t i = 0; i < nmodules; i++)
		if (strcmp(modules[i]->t.name, name) == 0)
			return &modules[i]->t;
	return NULL;
}

static const struct module *module_of(const struct ipcb_transport *t)
{
	for (size_t i = 0; i < nmodules; i++)
		if (&modules[i]->t == t)
			return modules[i];
	return NULL;
}

bool ipcb_transport_external(const struct ipcb_transport *t)
{
	return module_of(t) != NULL;
}

void ipcb_transport_library(const struct ipcb_transport *t, char *out, size_t n)
{
	const struct module *m = module_of(t);
	char own[160] = "";

	out[0] = '\0';
	if (t->unsupported)
		return;
	if (t->library)
		t->library(own, sizeof(own));
	if (!m) {
		snprintf(out, n, "%s", own);
		return;
	}
	/* Which module, and which build of it: two builds are two settings of one experiment. */
	snprintf(out, n, "module %s %s%s%s", m->path, m->id, own[0] ? "; " : "", own);
}

/* ---- built-in modules ---------------------------------------------------------------------- */

struct set_handle {
	char set[32];
	void *handle;
	const struct ipcb_module_set *ms;
};

static struct set_handle sets[32];
static size_t nsets;

/*
 * What open_set looks through: some 25 KiB of paths, kept on the heap, since the driver may run
 * on a small stack (ulimit -s).
 */
struct set_paths {
	char dirs[4][4096];
	char exe[4096];
	char path[4200];
	char tried[1024];
};

/* The directories a built-in module is looked for in, in order, in p->dirs; returns how many. */
static size_t module_dirs(struct set_paths *p)
{
	const size_t max = sizeof(p->dirs) / sizeof(p->dirs[0]);
	const char *env = getenv("IPCBENCH_MODULE_DIR");
	char *exe = p->exe;
	bool known = ipcb_self_path(exe, sizeof(p->exe)) == 0;
	size_t n = 0;

	/* Named by the user: that directory alone. */
	if (env && *env) {
		snprintf(p->dirs[n++], sizeof(p->dirs[0]), "%s", env);
		return n;
	}
	if (known) {
		/* A program of the build tree takes that build's modules, never an installed one.
		 */
		if (strncmp(exe, IPCB_BUILD_ROOT "/", strlen(IPCB_BUILD_ROOT) + 1) == 0 && n < max)
			snprintf(p->dirs[n++], sizeof(p->dirs[0]), "%s", IPCB_BUILD_MODULE_DIR);
		else if (IPCB_MODULE_DIR_FROM_BIN[0] != '/' && strrchr(exe, '/') && n < max) {
			*strrchr(exe, '/') = '\0';
			if (snprintf(p->dirs[n], sizeof(p->dirs[0]), "%s/%s", exe,
				     IPCB_MODULE_DIR_FROM_BIN) < (int)sizeof(p->dirs[0]))
				n++;
		}
	}
	if (n < max)
		snprintf(p->dirs[n++], sizeof(p->dirs[0]), "%s", IPCB_MODULE_DIR);
	return n;
}

static int open_set(const char *set, const struct ipcb_module_set **out, char *why, size_t n)
{
	struct set_paths *p;
	struct set_handle *h;
	size_t nd;
	int rc;

	for (size_t i = 0; i < nsets; i++)
		if (strcmp(sets[i].set, set) == 0) {
			*out = sets[i].ms;
			return 0;
		}
	if (nsets == sizeof(sets) / sizeof(sets[0]) || strlen(set) >= sizeof(sets[0].set))
		return -E2BIG;
	p = calloc(1, sizeof(*p));
	if (!p) {
		snprintf(why, n, "module ipcb-%s.so: calloc: %s", set, strerror(ENOMEM));
		return -ENOMEM;
	}
	h = &sets[nsets];
	nd = module_dirs(p);
	for (size_t d = 0; d < nd; d++) {
		size_t used = strlen(p->tried);

		if (snprintf(p->path, sizeof(p->path), "%s/ipcb-%s.so", p->dirs[d], set) >=
		    (int)sizeof(p->path))
			continue;
		if (access(p->path, F_OK) < 0) {
			if (snprintf(p->tried + used, sizeof(p->tried) - used, "%s%.200s",
				     used ? ", " : "", p->dirs[d]) < 0)
				p->tried[used] = '\0';
			continue;
		}
		/* RTLD_LOCAL: its libraries and its copy of the shared code stay its own. */
		h->handle = dlopen(p->path, RTLD_NOW | RTLD_LOCAL);
		if (!h->handle) {
			snprintf(why, n,
				 "module ipcb-%s.so cannot be opened: %s (scripts/setup "
				 "installs the libraries it needs)",
				 set, dlerror());
			rc = -ENOEXEC;
			goto free_paths;
		}
		h->ms = dlsym(h->handle, IPCB_MODULE_SET_SYMBOL);
		if (!h->ms || h->ms->abi != IPCB_TRANSPORT_ABI ||
		    h->ms->transport_size != sizeof(struct ipcb_transport)) {
			snprintf(why, n,
				 "%s is not this ipcbench's module (another build: ABI %u, "
				 "entries of %u bytes): reinstall ipcbench",
				 p->path, h->ms ? h->ms->abi : 0,
				 h->ms ? h->ms->transport_size : 0);
			dlclose(h->handle);
			rc = -ENOEXEC;
			goto free_paths;
		}
		snprintf(h->set, sizeof(h->set), "%s", set);
		nsets++;
		*out = h->ms;
		rc = 0;
		goto free_paths;
	}
	snprintf(why, n,
		 "module ipcb-%s.so is not installed (looked in %s; meson install puts it "
		 "there)",
		 set, p->tried);
	rc = -ENOENT;
free_paths:
	free(p);
	return rc;
}

int ipcb_module_set_load(const char *set, const char *name, const struct ipcb_transport **out,
			 char *why, size_t n)
{
	const struct ipcb_module_set *ms;
	char rule[240];
	int rc = open_set(set, &ms, why, n);

	*out = NULL;
	if (rc < 0)
		return rc;
	for (const struct ipcb_transport *const *t = ms->transports; *t; t++) {
		if (strcmp((*t)->name, name) != 0)
			continue;
		if (!(*t)->unsupported && ipcb_transport_check(*t, rule, sizeof(rule)) < 0) {
			snprintf(why, n, "module ipcb-%s.so: %s", set, rule);
			return -EINVAL;
		}
		*out = *t;
		return 0;
	}
	snprintf(why, n, "module ipcb-%s.so has no transport '%s': reinstall ipcbench", set, name);
	return -ENOENT;
}
