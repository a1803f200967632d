/* SPDX-License-Identifier: MIT */
/*
 * test_topology.c - lib/topology.c on machines of known shape, each given to hwloc as a
 * synthetic description (its CPUs numbered as Linux numbers them) and read back through an XML
 * file hwloc wrote of it, with its NUMA distances, as HWLOC_XMLFILE gives another machine:
 *
 *   two-socket  2 sockets x 4 cores x 2 threads, one NUMA node and one L3 per socket, an L2 per
 *               core; CPU = thread * 8 + socket * 4 + core (node distance 21 between them)
 *   chiplet     16 cores / 32 threads on one node, 4 CCXs of 4 cores each with its own L3;
 *               CPU = thread * 16 + core
 *   laptop      4 cores / 8 threads, one L3, one node; CPU = thread * 4 + core
 *   vm          the 2-vCPU KVM guest the tests were written on: no SMT, L1 and L2 per vCPU, one
 *               L3, one node
 *   bare        4 CPUs and one node, nothing else said (no cores, no caches)
 *   cluster     4 cores, an L2 for each two, one L3
 *
 * The class of every ordered pair of each, the representative pairs and what each lacks, the
 * pairs a placement matrix picks, CPU lists, this machine, and the errors.
 */
#include <errno.h>
#include <hwloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../tap.h"
#include "placement.h"
#include "slo.h"
#include "topology.h"

/* What each fixture's pair must be: "same", "smt", "cache L3", "remote-node distance 21"... */
typedef void (*expect_fn)(int a, int b, char *out, size_t n);

static void expect_two_socket(int a, int b, char *out, size_t n)
{
	int sock_a = a % 8 / 4, sock_b = b % 8 / 4;

	snprintf(out, n, "%s",
		 a == b		    ? "same"
		 : a % 8 == b % 8   ? "smt"
		 : sock_a == sock_b ? "cache L3"
				    : "remote-node distance 21");
}

static void expect_chiplet(int a, int b, char *out, size_t n)
{
	snprintf(out, n, "%s",
		 a == b			    ? "same"
		 : a % 16 == b % 16	    ? "smt"
		 : a % 16 / 4 == b % 16 / 4 ? "cache L3"
					    : "node");
}

static void expect_laptop(int a, int b, char *out, size_t n)
{
	snprintf(out, n, "%s", a == b ? "same" : a % 4 == b % 4 ? "smt" : "cache L3");
}

static void expect_vm(int a, int b, char *out, size_t n)
{
	snprintf(out, n, "%s", a == b ? "same" : "cache L3");
}

static void expect_bare(int a, int b, char *out, size_t n)
{
	snprintf(out, n, "%s", a == b ? "same" : "node");
}

/* The XML file a description was written to (removed at the end), and where it is made. */
static char xml[1024];

/*
 * The machine `desc` describes, written by hwloc to an XML file with `dist` (nnodes x nnodes,
 * NULL: none) as its NUMA latencies, and read back as a topology from that file.
 */
static struct ipcb_topo *load(const char *name, const char *desc, const hwloc_uint64_t *dist)
{
	const char *tmp = getenv("TMPDIR");
	struct ipcb_topo *t = NULL;
	hwloc_topology_t h;
	char err[512] = "";
	int fd, rc = -1;

	snprintf(xml, sizeof(xml), "%s/topo-test.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	fd = mkstemp(xml);
	if (fd >= 0)
		close(fd);
	if (fd >= 0 && hwloc_topology_init(&h) == 0) {
		if (hwloc_topology_set_synthetic(h, desc) == 0 && hwloc_topology_load(h) == 0) {
			int nn = hwloc_get_nbobjs_by_type(h, HWLOC_OBJ_NUMANODE);
			hwloc_obj_t nodes[8];
			hwloc_distances_add_handle_t dh;

			for (int i = 0; i < nn && i < 8; i++)
				nodes[i] =
				    hwloc_get_obj_by_type(h, HWLOC_OBJ_NUMANODE, (unsigned)i);
			rc = 0;
			if (dist && nn >= 2 && nn <= 8) {
				dh = hwloc_distances_add_create(
				    h, "NUMALatency",
				    HWLOC_DISTANCES_KIND_FROM_OS |
					HWLOC_DISTANCES_KIND_MEANS_LATENCY,
				    0);
				rc = !dh ||
				     hwloc_distances_add_values(h, dh, (unsigned)nn, nodes,
								(hwloc_uint64_t *)dist, 0) < 0 ||
				     hwloc_distances_add_commit(h, dh, 0) < 0;
			}
			rc = rc ?: hwloc_topology_export_xml(h, xml, 0);
		}
		hwloc_topology_destroy(h);
	}
	if (!ok(rc == 0, "%s: hwloc writes \"%s\" as XML", name, desc))
		return NULL;
	rc = ipcb_topo_create(IPCB_TOPO_FROM_XML, xml, &t, err, sizeof(err));
	unlink(xml);
	if (!ok(rc == 0 && ipcb_topo_elsewhere(t), "%s: read back from its XML, another machine",
		name))
		tap_diag("%s", err);
	return t;
}

/* Every ordered pair of the fixture's online CPUs has the class expect() says. */
static void check_classes(const char *name, const struct ipcb_topo *t, size_t ncpus,
			  expect_fn expect)
{
	const int *cpus;
	size_t n = ipcb_topo_cpus(t, &cpus), bad = 0;

	ok_eq(n, ncpus, "%s: %zu CPUs online", name, ncpus);
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < n; j++) {
			struct ipcb_topo_pair p;
			char got[64], want[64];

			if (ipcb_topo_classify(t, cpus[i], cpus[j], &p)) {
				snprintf(got, sizeof(got), "an error");
			} else {
				ipcb_topo_pair_text(&p, got, sizeof(got));
			}
			expect(cpus[i], cpus[j], want, sizeof(want));
			if (strcmp(got, want) != 0 && bad++ < 5)
				tap_diag("%s: CPUs %d,%d: %s, want %s", name, cpus[i], cpus[j], got,
					 want);
		}
	ok(bad == 0, "%s: each of the %zu ordered pairs has its class (%zu do not)", name, n * n,
	   bad);
}

/* The representatives: a pair per placement ("0,8"), or what the lacking text must say. */
static void check_reps(const char *name, const struct ipcb_topo *t, const int *cpus, size_t n,
		       const char *const want[IPCB_TOPO_PLACES], const char *lacking)
{
	struct ipcb_topo_reps r;
	char got[64], lacks[512];
	int rc = ipcb_topo_reps_pick(t, cpus, n, &r);

	ok_eq(rc, 0, "%s: representatives picked", name);
	for (int p = 0; p < IPCB_TOPO_PLACES; p++) {
		if (r.has[p])
			snprintf(got, sizeof(got), "%d,%d", r.cpu[p][0], r.cpu[p][1]);
		else
			snprintf(got, sizeof(got), "-");
		if (!ok(strcmp(got, want[p]) == 0, "%s: %s pair %s", name,
			ipcb_topo_place_name((enum ipcb_topo_place)p), want[p]))
			tap_diag("got %s", got);
	}
	ipcb_topo_reps_lacking(&r, lacks, sizeof(lacks));
	if (!ok(strcmp(lacks, lacking) == 0, "%s: lacks \"%s\"", name, lacking))
		tap_diag("got \"%s\"", lacks);
}

/* Count the picked pairs of each class text; check order, repeats and determinism. */
static void check_pick(const char *name, const struct ipcb_topo *t, size_t limit,
		       const char *want_counts)
{
	struct ipcb_cpu_pair *a = calloc(limit, sizeof(*a)), *b = calloc(limit, sizeof(*b));
	size_t na = 0, nb = 0;
	char counts[2048] = "";
	int rc1 = ipcb_topo_pairs_pick(t, NULL, 0, limit, a, &na);
	int rc2 = ipcb_topo_pairs_pick(t, NULL, 0, limit, b, &nb);
	bool sorted = true;
	const int *cpus;
	size_t ncpus = ipcb_topo_cpus(t, &cpus);
	size_t kinds = 0;
	struct {
		char text[64];
		size_t n;
	} tally[16];

	ok(rc1 == 0 && rc2 == 0 && na == nb && memcmp(a, b, na * sizeof(*a)) == 0,
	   "%s, limit %zu: the same %zu pairs each time", name, limit, na);
	for (size_t i = 0; i < na; i++) {
		struct ipcb_topo_pair p;
		char text[64];
		size_t k;

		if (i && (a[i].a < a[i - 1].a || (a[i].a == a[i - 1].a && a[i].b <= a[i - 1].b)))
			sorted = false;
		ipcb_topo_classify(t, a[i].a, a[i].b, &p);
		ipcb_topo_pair_text(&p, text, sizeof(text));
		for (k = 0; k < kinds && strcmp(tally[k].text, text) != 0; k++)
			;
		if (k == kinds && kinds < 16) {
			snprintf(tally[kinds].text, sizeof(tally[0].text), "%s", text);
			tally[kinds++].n = 0;
		}
		if (k < kinds)
			tally[k].n++;
	}
	/* Tallies in the order the kinds first appear would depend on the pairs: by name. */
	for (size_t i = 0; i < kinds; i++)
		for (size_t j = i + 1; j < kinds; j++)
			if (strcmp(tally[j].text, tally[i].text) < 0) {
				char tmp[64];
				size_t tn = tally[i].n;

				memcpy(tmp, tally[i].text, sizeof(tmp));
				memcpy(tally[i].text, tally[j].text, sizeof(tmp));
				memcpy(tally[j].text, tmp, sizeof(tmp));
				tally[i].n = tally[j].n;
				tally[j].n = tn;
			}
	for (size_t i = 0; i < kinds; i++)
		snprintf(counts + strlen(counts), sizeof(counts) - strlen(counts), "%s%s: %zu",
			 i ? ", " : "", tally[i].text, tally[i].n);
	ok(sorted, "%s, limit %zu: in CPU order, no pair twice", name, limit);
	if (!ok(strcmp(counts, want_counts) == 0, "%s, limit %zu of %zu: %s", name, limit,
		ncpus * ncpus, want_counts))
		tap_diag("got %s", counts);
	free(a);
	free(b);
}

/* s with its newlines as \\n, for a TAP line. */
static const char *shown(const char *s, char *out, size_t n)
{
	size_t used = 0;

	for (; *s && used + 3 < n; s++) {
		if (*s == '\n') {
			out[used++] = '\\';
			out[used++] = 'n';
		} else {
			out[used++] = *s;
		}
	}
	out[used] = '\0';
	return out;
}

static void check_cpulists(void)
{
	static const struct {
		const char *s;
		int rc;
		const char *want; /* the CPUs, comma-separated */
	} cases[] = {
	    {"0-3,8-11\n", 0, "0,1,2,3,8,9,10,11"},
	    {"5", 0, "5"},
	    {"", 0, ""},
	    {"\n", 0, ""},
	    {"0,2-3 \n", 0, "0,2,3"},
	    {"4-7,0-5", 0, "0,1,2,3,4,5,6,7"},
	    {"8191", 0, "8191"},
	    {"8192", -ERANGE, ""},
	    {"99999999999999999999", -ERANGE, ""},
	    {"3-1", -EINVAL, ""},
	    {"a", -EINVAL, ""},
	    {"0,,1", -EINVAL, ""},
	    {"0,", -EINVAL, ""},
	    {"1-", -EINVAL, ""},
	    {"-1", -EINVAL, ""},
	    {" 0", -EINVAL, ""},
	    {"0-3:2", -EINVAL, ""},
	};
	int cpus[16];
	size_t n;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char got[128] = "", text[64];
		int rc = ipcb_cpulist_parse(cases[i].s, cpus, 16, &n);

		for (size_t j = 0; rc == 0 && j < n; j++)
			snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%d", j ? "," : "",
				 cpus[j]);
		if (!ok(rc == cases[i].rc && strcmp(got, cases[i].want) == 0,
			"cpu list \"%s\": %s%s", shown(cases[i].s, text, sizeof(text)),
			cases[i].rc ? strerror(-cases[i].rc) : "", cases[i].want))
			tap_diag("got %d (%s) %s", rc, rc ? strerror(-rc) : "ok", got);
	}
	ok_eq(ipcb_cpulist_parse("0-16", cpus, 16, &n), -ENOSPC, "17 CPUs do not fit in 16");
}

/* A description or a file hwloc cannot read fails with code, and the message has `says`. */
static void check_error(enum ipcb_topo_from from, const char *what, int code, const char *says)
{
	struct ipcb_topo *t = (struct ipcb_topo *)1;
	char err[512] = "";
	int rc = ipcb_topo_create(from, what, &t, err, sizeof(err));

	if (!ok(rc == code && t == NULL && strstr(err, says), "'%s': %s, \"...%s\"", what,
		strerror(-code), says))
		tap_diag("got %d: %s", rc, err);
}

static void check_errors(void)
{
	char path[1024];
	const char *tmp = getenv("TMPDIR");
	FILE *f;

	check_error(IPCB_TOPO_FROM_SYNTHETIC, "pack:2 foo:3", -EINVAL,
		    "HWLOC_SYNTHETIC 'pack:2 foo:3': not a synthetic description hwloc reads");
	check_error(IPCB_TOPO_FROM_XML, "/nonexistent/machine.xml", -ENOENT,
		    "HWLOC_XMLFILE '/nonexistent/machine.xml': hwloc cannot read it");
	snprintf(path, sizeof(path), "%s/topo-bad-%d.xml", tmp && *tmp ? tmp : "/tmp",
		 (int)getpid());
	f = fopen(path, "w");
	if (f) {
		fputs("<topology>not a machine</topology>\n", f);
		fclose(f);
	}
	check_error(IPCB_TOPO_FROM_XML, path, -EINVAL, "hwloc_topology_load");
	unlink(path);
}

/*
 * A cluster machine: 4 cores, no SMT, an L2 for each two, one L3. The llc pair shares the L3
 * alone (0,2), not the L2 under it; one node, so the node placements say why they are missing.
 */
static void check_cluster(void)
{
	static const char *const want[IPCB_TOPO_PLACES] = {"-", "0,2", "-", "-"};
	struct ipcb_topo *t = NULL;
	struct ipcb_topo_pair p;
	char err[512] = "", text[64];
	int rc = ipcb_topo_create(IPCB_TOPO_FROM_SYNTHETIC, "pack:1 l3:1 l2:2 core:2 pu:1", &t, err,
				  sizeof(err));

	if (!ok(rc == 0 && ipcb_topo_elsewhere(t), "cluster: the description reads"))
		tap_diag("%s", err);
	if (rc == 0) {
		ipcb_topo_classify(t, 0, 1, &p);
		ipcb_topo_pair_text(&p, text, sizeof(text));
		ok(strcmp(text, "cache L2") == 0, "cluster: 0,1 share the L2 (%s)", text);
		ipcb_topo_classify(t, 1, 2, &p);
		ipcb_topo_pair_text(&p, text, sizeof(text));
		ok(strcmp(text, "cache L3") == 0, "cluster: 1,2 share the L3 (%s)", text);
		ipcb_topo_classify(t, 2, 3, &p);
		ipcb_topo_pair_text(&p, text, sizeof(text));
		ok(strcmp(text, "cache L2") == 0, "cluster: 2,3 share the L2 (%s)", text);
		ok_eq(ipcb_topo_llc_level(t), 3, "cluster: the last level is L3");
		check_reps("cluster", t, NULL, 0, want,
			   "smt (no two of these CPUs are SMT siblings), node (no two of these "
			   "CPUs share a NUMA node but no cache), remote-node (these CPUs are on "
			   "one NUMA node)");
	}
	ipcb_topo_destroy(t);
}

/*
 * This machine, as hwloc finds it: every online CPU, a class for every pair, this machine's
 * own (pinning by it is allowed).
 */
static void check_machine(void)
{
	struct ipcb_topo *t = NULL;
	char err[512] = "";
	int rc = ipcb_topo_create(IPCB_TOPO_FROM_MACHINE, NULL, &t, err, sizeof(err));
	long online = sysconf(_SC_NPROCESSORS_ONLN);
	const int *cpus;
	size_t n = 0, bad = 0;

	if (!ok(rc == 0 && !ipcb_topo_elsewhere(t), "this machine reads, as this machine's"))
		tap_diag("%s", err);
	if (rc)
		return;
	n = ipcb_topo_cpus(t, &cpus);
	ok(online > 0 && n == (size_t)online, "this machine: %zu CPUs, as many as are online (%ld)",
	   n, online);
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < n; j++) {
			struct ipcb_topo_pair p;

			bad += ipcb_topo_classify(t, cpus[i], cpus[j], &p) != 0 ||
			       (i == j) != (p.cls == IPCB_TOPO_SAME);
		}
	ok(bad == 0, "this machine: every ordered pair has a class, same only for one CPU");
	ipcb_topo_destroy(t);
}

int main(int argc, char **argv)
{
	static const char *const reps_two_socket[IPCB_TOPO_PLACES] = {"0,8", "0,1", "-", "0,4"};
	static const char *const reps_chiplet[IPCB_TOPO_PLACES] = {"0,16", "0,1", "0,4", "-"};
	static const char *const reps_laptop[IPCB_TOPO_PLACES] = {"0,4", "0,1", "-", "-"};
	static const char *const reps_vm[IPCB_TOPO_PLACES] = {"-", "0,1", "-", "-"};
	static const char *const reps_bare[IPCB_TOPO_PLACES] = {"-", "-", "0,1", "-"};
	static const char *const reps_socket1[IPCB_TOPO_PLACES] = {"12,4", "12,5", "-", "-"};
	static const int socket1[] = {12, 4, 5};
	static const int not_online[] = {0, 16};
	static const int twice[] = {1, 2, 1};
	struct ipcb_topo *t;
	struct ipcb_topo_reps r;
	struct ipcb_topo_pair p;
	struct ipcb_cpu_pair four[4];
	size_t n;
	char text[64];

	static const hwloc_uint64_t two_nodes[] = {10, 21, 21, 10};

	(void)argc;
	(void)argv;
	check_cpulists();

	t = load("two-socket",
		 "pack:2 numa:1 l3:1 l2:4 core:1 "
		 "pu:2(indexes=0,8,1,9,2,10,3,11,4,12,5,13,6,14,7,15)",
		 two_nodes);
	if (t) {
		check_classes("two-socket", t, 16, expect_two_socket);
		ok_eq(ipcb_topo_llc_level(t), 3, "two-socket: the last level is L3");
		check_reps("two-socket", t, NULL, 0, reps_two_socket,
			   "node (no two of these CPUs share a NUMA node but no cache)");
		/* Socket 1's CPUs only, in the caller's order: one node, so no remote pair. */
		check_reps("two-socket CPUs 12,4,5", t, socket1, 3, reps_socket1,
			   "node (no two of these CPUs share a NUMA node but no cache), "
			   "remote-node (these CPUs are on one NUMA node)");
		ok_eq(ipcb_topo_reps_pick(t, not_online, 2, &r), -EINVAL,
		      "two-socket: CPU 16 is not online");
		ok_eq(ipcb_topo_reps_pick(t, twice, 3, &r), -EINVAL,
		      "two-socket: a CPU named twice");
		ok_eq(ipcb_topo_classify(t, 0, 16, &p), -EINVAL, "two-socket: no class for CPU 16");
		check_pick("two-socket", t, 256,
			   "cache L3: 96, remote-node distance 21: 128, same: 16, smt: 16");
		check_pick("two-socket", t, 20,
			   "cache L3: 5, remote-node distance 21: 5, same: 5, smt: 5");
		check_pick("two-socket", t, 3, "cache L3: 1, same: 1, smt: 1");
		check_pick("two-socket", t, 1, "same: 1");
		/*
		 * One of each kind, exactly: the middle one of each kind in CPU order (the 8th of
		 * 16 same and smt pairs, the 48th of 96 sharing L3, the 64th of 128 remote ones).
		 */
		ipcb_topo_pairs_pick(t, NULL, 0, 4, four, &n);
		ok(n == 4 && four[0].a == 8 && four[0].b == 0 && four[1].a == 8 && four[1].b == 1 &&
		       four[2].a == 8 && four[2].b == 4 && four[3].a == 8 && four[3].b == 8,
		   "two-socket, limit 4: 8,0 8,1 8,4 8,8");
		ok_eq(ipcb_topo_pairs_pick(t, NULL, 0, 0, four, &n), -EINVAL,
		      "two-socket: limit 0 is refused");
		ipcb_topo_classify(t, 4, 0, &p);
		ipcb_topo_pair_text(&p, text, sizeof(text));
		ok(p.cls == IPCB_TOPO_REMOTE_NODE && p.distance == 21 &&
		       strcmp(ipcb_topo_class_name(p.cls), "remote-node") == 0,
		   "two-socket: 4,0 is %s", text);
	}
	ipcb_topo_destroy(t);

	t = load("chiplet",
		 "pack:1 numa:1 l3:4 l2:4 core:1 pu:2(indexes=0,16,1,17,2,18,3,19,4,20,5,21,6,22,"
		 "7,23,8,24,9,25,10,26,11,27,12,28,13,29,14,30,15,31)",
		 NULL);
	if (t) {
		check_classes("chiplet", t, 32, expect_chiplet);
		check_reps("chiplet", t, NULL, 0, reps_chiplet,
			   "remote-node (these CPUs are on one NUMA node)");
		check_pick("chiplet", t, 100, "cache L3: 25, node: 25, same: 25, smt: 25");
		/* 130 = 4 x 32 + 2: same and smt have 32 each, the rest goes to L3 and node. */
		check_pick("chiplet", t, 130, "cache L3: 33, node: 33, same: 32, smt: 32");
		check_pick("chiplet", t, 1024, "cache L3: 192, node: 768, same: 32, smt: 32");
		ipcb_topo_classify(t, 0, 4, &p);
		ok(p.cls == IPCB_TOPO_NODE && p.distance == 0,
		   "chiplet: 0,4 on one node, no distance given");
	}
	ipcb_topo_destroy(t);

	t = load("laptop", "pack:1 l3:1 l2:4 core:1 pu:2(indexes=0,4,1,5,2,6,3,7)", NULL);
	if (t) {
		check_classes("laptop", t, 8, expect_laptop);
		check_reps("laptop", t, NULL, 0, reps_laptop,
			   "node (no two of these CPUs share a NUMA node but no cache), "
			   "remote-node (these CPUs are on one NUMA node)");
		check_pick("laptop", t, 64, "cache L3: 48, same: 8, smt: 8");
	}
	ipcb_topo_destroy(t);

	t = load("vm", "pack:1 l3:1 l2:2 l1d:1 core:1 pu:1", NULL);
	if (t) {
		check_classes("vm", t, 2, expect_vm);
		check_reps(
		    "vm", t, NULL, 0, reps_vm,
		    "smt (no two of these CPUs are SMT siblings), node (no two of these CPUs "
		    "share a NUMA node but no cache), remote-node (these CPUs are on one "
		    "NUMA node)");
		check_pick("vm", t, 100, "cache L3: 2, same: 2");
	}
	ipcb_topo_destroy(t);

	t = load("bare", "pu:4", NULL);
	if (t) {
		check_classes("bare", t, 4, expect_bare);
		ok_eq(ipcb_topo_llc_level(t), 0, "bare: no cache said");
		check_reps("bare", t, NULL, 0, reps_bare,
			   "smt (the topology does not say which CPUs are SMT siblings), llc (the "
			   "topology does not describe the caches), remote-node (these CPUs are on "
			   "one NUMA node)");
		check_pick("bare", t, 8, "node: 4, same: 4");
	}
	ipcb_topo_destroy(t);

	check_cluster();
	check_machine();
	check_errors();
	ipcb_topo_destroy(NULL);
	/* One table of the placements' names: each found by its name, in the reports' order. */
	{
		char list[200];
		bool round = true;

		for (int q = 0; q <= IPCB_PLACE_TWO_HOST; q++)
			round &=
			    ipcb_placement_find(ipcb_placement_name((enum ipcb_placement)q)) == q;
		ok(round, "every placement is found by its name, two-host too");
		ok(ipcb_placement_find("cross") == -1 && ipcb_placement_find("") == -1,
		   "a name that is none of them is found as none");
		ok(ipcb_placement_rank("cross-core") < ipcb_placement_rank("same-core") &&
		       ipcb_placement_rank("remote-node") < ipcb_placement_rank("two-host") &&
		       ipcb_placement_rank("two-host") < ipcb_placement_rank("cpus-3"),
		   "ranked as the table lists them, an unknown name last");
		ipcb_placement_list(list, sizeof(list));
		ok(!strcmp(list,
			   "cross-core, same-core, unpinned, smt, llc, node, remote-node, matrix"),
		   "--placement's names: %s", list);
		ok(!strcmp(ipcb_topo_place_name(IPCB_TOPO_PLACE_LLC), "llc") &&
		       !strcmp(ipcb_topo_place_name(IPCB_TOPO_PLACE_REMOTE_NODE), "remote-node"),
		   "the topology's places by the same names");
	}
	/*
	 * Two CPUs or one: a pair the topology chose is as cross-core or same-core is by its CPUs,
	 * so that its floors, ceilings and default bound are those of two CPUs where they differ.
	 */
	{
		static const struct {
			const char *name;
			int a, b;
			enum ipcb_sides want;
		} cases[] = {
		    {"cross-core", 0, 1, IPCB_SIDES_TWO_CPUS},
		    {"same-core", 3, 3, IPCB_SIDES_ONE_CPU},
		    {"unpinned", -1, -1, IPCB_SIDES_UNKNOWN},
		    {"llc", 0, 1, IPCB_SIDES_TWO_CPUS},
		    {"smt", 0, 8, IPCB_SIDES_TWO_CPUS},
		    {"node", 2, 5, IPCB_SIDES_TWO_CPUS},
		    {"remote-node", 0, 16, IPCB_SIDES_TWO_CPUS},
		    {"matrix", 1, 0, IPCB_SIDES_TWO_CPUS},
		    {"matrix", 1, 1, IPCB_SIDES_ONE_CPU},
		    {"matrix", -1, 1, IPCB_SIDES_UNKNOWN},
		    {"two-host", 0, 1, IPCB_SIDES_UNKNOWN},
		    {"cpus-3", 0, 1, IPCB_SIDES_UNKNOWN},
		};

		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			enum ipcb_sides got = ipcb_placement_sides(
			    ipcb_placement_find(cases[i].name), cases[i].a, cases[i].b);

			ok(got == cases[i].want, "%s on CPUs %d,%d: sides %d (want %d)",
			   cases[i].name, cases[i].a, cases[i].b, (int)got, (int)cases[i].want);
		}
		ok(ipcb_slo_default_ns(ipcb_placement_sides(IPCB_PLACE_LLC, 0, 1)) ==
			   ipcb_slo_default_ns(ipcb_placement_sides(IPCB_PLACE_CROSS_CORE, 0, 1)) &&
		       ipcb_slo_default_ns(IPCB_SIDES_TWO_CPUS) == 20e3 &&
		       ipcb_slo_default_ns(IPCB_SIDES_ONE_CPU) == 50e3 &&
		       ipcb_slo_default_ns(IPCB_SIDES_UNKNOWN) == 100e3,
		   "the default latency bound: 20 us on two CPUs (llc as cross-core), 50 us on "
		   "one, "
		   "100 us not known");
	}
	return tap_done();
}
