/* SPDX-License-Identifier: MIT */
/*
 * test_expkey.c - lib/expkey.c: what names an experiment in one file (the report's groups) and
 * across runs (compare's groups, the history's series, which take it from there), and the index
 * that finds a key's group.
 */
#include <stdio.h>
#include <string.h>

#include "expkey.h"
#include "series.h"
#include "tapout.h"

#define KEY_BYTES 512

/* A round trip of shm's at 64 B across two CPUs, on host a: every column of a key filled. */
static void row_base(const char *v[IPCB_EXP_NCOLS])
{
	for (int k = 0; k < IPCB_EXP_NCOLS; k++)
		v[k] = "";
	v[IPCB_EXP_TRANSPORT] = "shm";
	v[IPCB_EXP_MODE] = "latency";
	v[IPCB_EXP_SIZE_BYTES] = "64";
	v[IPCB_EXP_PLACEMENT] = "cross-core";
	v[IPCB_EXP_SENDER_CPU] = "0";
	v[IPCB_EXP_RECEIVER_CPU] = "1";
	v[IPCB_EXP_WAIT] = "spin";
	v[IPCB_EXP_HOST] = "a";
	v[IPCB_EXP_KIND] = "rtt";
}

static void key(const char *const v[IPCB_EXP_NCOLS], enum ipcb_exp_scope scope, char *out)
{
	ipcb_exp_key(v, scope, out, KEY_BYTES);
}

int main(void)
{
	const char *v[IPCB_EXP_NCOLS], *w[IPCB_EXP_NCOLS];
	char a[KEY_BYTES], b[KEY_BYTES], h[KEY_BYTES];
	const char *ua, *ub;
	size_t whole;

	row_base(v);
	row_base(w);
	w[IPCB_EXP_KIND] = "one_way_ab";
	key(v, IPCB_EXP_ONE_FILE, a);
	key(w, IPCB_EXP_ONE_FILE, b);
	ok(strcmp(a, b) == 0, "one file: a round trip and its one way are one experiment");
	key(v, IPCB_EXP_RUNS, a);
	key(w, IPCB_EXP_RUNS, b);
	ok(strcmp(a, b) != 0, "across runs: each latency kind is a group of its own");

	/* compare shows a counted group through its timed twin: their keys differ only last. */
	w[IPCB_EXP_KIND] = "count";
	key(w, IPCB_EXP_RUNS, b);
	ua = strrchr(a, '\x1f');
	ub = strrchr(b, '\x1f');
	ok(ua && ub && ua - a == ub - b && strncmp(a, b, (size_t)(ua - a)) == 0 &&
	       strcmp(ub + 1, "count") == 0,
	   "a counted row's key is its timed twin's but for the kind, named last");

	row_base(w);
	w[IPCB_EXP_HOST] = "b";
	key(v, IPCB_EXP_ONE_FILE, a);
	key(w, IPCB_EXP_ONE_FILE, b);
	ok(strcmp(a, b) != 0, "one file: two hosts' rows are two groups");
	key(v, IPCB_EXP_RUNS, a);
	key(w, IPCB_EXP_RUNS, b);
	ok(strcmp(a, b) == 0, "across runs: the host's name is left out");
	v[IPCB_EXP_HOSTS_SLOT] = w[IPCB_EXP_HOSTS_SLOT] = "1";
	w[IPCB_EXP_PEER_HOST] = "c";
	key(v, IPCB_EXP_RUNS, a);
	key(w, IPCB_EXP_RUNS, b);
	ok(strcmp(a, b) != 0 && strstr(a, "a->a") && strstr(b, "b->c"),
	   "but a --hosts row's pair is kept");

	row_base(v);
	row_base(w);
	v[IPCB_EXP_FRACTION] = "0.5";
	w[IPCB_EXP_FRACTION] = "0.50";
	v[IPCB_EXP_RATE] = "1000.0";
	w[IPCB_EXP_RATE] = "2000.0";
	key(v, IPCB_EXP_RUNS, a);
	key(w, IPCB_EXP_RUNS, b);
	ok(strcmp(a, b) == 0, "a sweep's step by its share, however written, not by its rate");
	w[IPCB_EXP_LIBRARY] = "module /x/y.so build-id 12";
	v[IPCB_EXP_LIBRARY] = "module /x/y.so build-id 34";
	key(v, IPCB_EXP_RUNS, a);
	key(w, IPCB_EXP_RUNS, b);
	ok(strcmp(a, b) == 0, "a module by its path, not its build");

	/* The history's series are named by the same key. */
	row_base(v);
	key(v, IPCB_EXP_RUNS, a);
	ok(ipcb_hseries_key(v, h, sizeof(h)) == (int)strlen(a) && strcmp(a, h) == 0,
	   "the history's series key is the experiment's across runs");
	ok(ipcb_hseries_key(v, h, 8) == -1, "and says when it does not fit");
	whole = ipcb_exp_key(v, IPCB_EXP_RUNS, h, 8);
	ok(whole == strlen(a) && strlen(h) < 8, "a short buffer: the whole length, what fits");

	/*
	 * The key is made from the column list: every column it marks KEY is read, once, and two
	 * rows apart in it alone are two experiments; no other column is read but the key's own.
	 */
	{
		int keyed = 0, read_once = 0, parts = 0, others = 0;

		for (int c = 0; c < IPCB_CSV_NCOLS; c++) {
			int found = 0, at = -1;

			for (int k = 0; k < IPCB_EXP_NCOLS; k++)
				if (ipcb_exp_cols[k] == (enum ipcb_csv_column)c) {
					found++;
					at = k;
				}
			if (ipcb_csv_cols[c].role != IPCB_CSV_KEY) {
				others += found && at < IPCB_EXP_LIBRARY;
				continue;
			}
			keyed++;
			read_once += found == 1;
			if (at < 0)
				continue;
			row_base(v);
			row_base(w);
			w[at] = "7";
			key(v, IPCB_EXP_RUNS, a);
			key(w, IPCB_EXP_RUNS, b);
			parts += strcmp(a, b) != 0;
		}
		ok(keyed >= 18 && read_once == keyed,
		   "every KEY column is read into the key once (%d)", keyed);
		ok(parts == keyed,
		   "rows apart in one KEY column alone are two experiments (%d of %d)", parts,
		   keyed);
		ok(others == 0 && IPCB_EXP_LIBRARY == keyed,
		   "the key reads no other column as a plain field");
		ok(ipcb_exp_cols[IPCB_EXP_WORK_NS] == IPCB_COL_WORK_NS &&
		       ipcb_exp_cols[IPCB_EXP_KIND] == IPCB_COL_LATENCY_KIND,
		   "a key field's name is its column's");
	}

	/* The index of keys met: each key's index in order of first meeting, past its growth. */
	{
		struct ipcb_exp_index idx = {0};
		size_t at, wrong = 0, fresh_n = 0;
		bool fresh;
		char k[32];

		for (int round = 0; round < 2; round++)
			for (size_t i = 0; i < 3000; i++) {
				snprintf(k, sizeof(k), "key\x1f%zu", i);
				if (ipcb_exp_index_find(&idx, k, &at, &fresh) < 0 || at != i)
					wrong++;
				fresh_n += fresh;
			}
		ok(wrong == 0 && fresh_n == 3000 && idx.n == 3000 && idx.nslots >= 6000,
		   "an index of 3000 keys: each its first meeting's place, new once (%zu wrong)",
		   wrong);
		snprintf(k, sizeof(k), "key\x1f%d", 2999);
		ok(strcmp(idx.key[2999], k) == 0, "and it keeps each key");
		ipcb_exp_index_free(&idx);
		ok(idx.n == 0 && !idx.key && !idx.slot, "freed, it is empty again");
	}
	return tap_done();
}
