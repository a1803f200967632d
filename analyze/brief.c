/* SPDX-License-Identifier: MIT */
/*
 * brief.c - what the report's model says to the other commands: the driver's answers in brief
 * at the end of a sweep, and the rows of a stored run that the history leaves out for the
 * machine's state (report.h). Each loads a model of the rows it is given and asks it what the
 * report would say; nothing of the report calls back here.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "book.h"
#include "report.h"
#include "sections.h"
#include "sizes.h"

/* ---- the answers for a terminal, at the end of a sweep ------------------------------------ */

/* A line of the answers' Markdown for a terminal: "# " first, its marks (** and `) left out. */
static void answers_line(FILE *out, const char *line, size_t n)
{
	const char *indent = "#   ";

	if (n >= 4 && !strncmp(line, "### ", 4)) {
		line += 4, n -= 4;
		indent = "# ";
	} else if (n >= 2 && !strncmp(line, "- ", 2)) {
		line += 2, n -= 2;
		indent = "#     ";
	}
	fputs(indent, out);
	for (size_t i = 0; i < n; i++) {
		if (line[i] == '`' || (line[i] == '*' && i + 1 < n && line[i + 1] == '*')) {
			i += line[i] == '*';
			continue;
		}
		fputc(line[i], out);
	}
	fputc('\n', out);
}

/* Whether the model holds a mechanism measured as the answers take it: a pair, not a floor. */
static bool pairs_measured(const struct model *m)
{
	for (size_t gi = 0; gi < m->ngroups; gi++)
		if (m->groups[gi].shape == S_PAIR && !m->groups[gi].floor)
			return true;
	return false;
}

int ipcb_report_answers(const char *csv, size_t len, FILE *out)
{
	/* Static: the model and the report are large, and this is one thread, once a sweep. */
	static struct model m;
	static struct report r;
	char err[IPCB_ERR_BYTES], *md = NULL;
	size_t md_len = 0;
	struct ipcb_doc d;
	FILE *mem;
	int rc = model_load_buffer(&m, "the sweep's rows", csv, len, err, sizeof(err));

	if (rc < 0) {
		model_free(&m);
		return rc;
	}
	/*
	 * The answers are of one sender and one receiver, one message at a time: a sweep of other
	 * loads alone (a rate sweep, requests in flight, pairs, fan-in and out) or of floors alone
	 * has none of them, and "not measured" under every question would say it measured nothing
	 * at the sizes it did measure; its own lines above it are what it answers.
	 */
	if (!pairs_measured(&m)) {
		fprintf(out,
			"# the answers in brief compare one sender and one receiver moving a "
			"message at a time, which this sweep did not measure (its rows are other "
			"loads or floors); ipcbench report of its CSV shows them\n");
		model_free(&m);
		return 0;
	}
	/*
	 * Rounds the model sets aside for the machine's state would make its medians other than
	 * the ones the sweep's summary just printed over every round: a quantity printed twice
	 * would have two values. The report, which says what it set aside, answers then.
	 */
	if (m.flagged) {
		fprintf(out,
			"# the answers in brief: %zu run%s of this sweep %s measured in another "
			"state of the machine; ipcbench report of its CSV sets %s aside, and "
			"answers\n",
			m.flagged, m.flagged == 1 ? "" : "s", m.flagged == 1 ? "was" : "were",
			m.flagged == 1 ? "it" : "them");
		model_free(&m);
		return 0;
	}
	mem = open_memstream(&md, &md_len);
	if (!mem) {
		model_free(&m);
		return -ENOMEM;
	}
	memset(&r, 0, sizeof(r));
	r.m = &m;
	r.csv = "the sweep's rows";
	r.small = model_size_near(&m, 64);
	r.mib = model_size_near(&m, 1048576);
	r.small_exact = r.small == 64 ? 64 : 0;
	r.mib_exact = r.mib == 1048576 ? 1048576 : 0;
	ipcb_doc_init(&d, mem, IPCB_DOC_MARKDOWN);
	r.d = &d;
	/* The verdicts the report of the same rows gives: the same families, the claims' too. */
	if (report_book_fill(&r, false) == 0) {
		answers_questions(&r);
		/* The rows far below what the machine allows them: the report's same list. */
		answers_ceilings(&r);
	}
	m.book = NULL;
	book_fini(&r.book);
	ipcb_doc_fini(&d);
	rc = fclose(mem) == 0 && md ? 0 : -ENOMEM;
	if (rc == 0) {
		fprintf(out,
			"# the answers in brief (ipcbench report of the CSV gives them with the "
			"claims, the tables and how each was decided):\n");
		for (const char *p = md; *p;) {
			size_t n = strcspn(p, "\n");

			if (n)
				answers_line(out, p, n);
			p += n + (p[n] == '\n');
		}
	}
	free(md);
	model_free(&m);
	return rc;
}

int ipcb_report_set_aside(const char *csv, size_t len, unsigned char *aside, size_t n)
{
	/* On the heap: the model is large, and the history's reader may run on a small stack. */
	struct model *m = calloc(1, sizeof(*m));
	char err[IPCB_ERR_BYTES];
	int rc;

	if (!m)
		return -ENOMEM;
	/* Partial, as compare reads a file: a run with some columns empty is still judged. */
	rc = model_open(m, "a stored run", csv, len, true, err, sizeof(err));
	if (rc == 0 && m->rows.n != n)
		rc = -EINVAL;
	for (size_t i = 0; rc == 0 && i < n; i++)
		aside[i] = m->row_run[i] && m->runs[m->row_run[i] - 1].aside;
	model_free(m);
	free(m);
	return rc;
}
