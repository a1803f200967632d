/* SPDX-License-Identifier: MIT */
/* rule.c - like with like; see rule.h. */
#include "rule.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "format.h"

static void reader_text(const struct group *g, char *out, size_t n)
{
	if (g->reader == R_UNCLEAR)
		snprintf(out, n,
			 "%s's reader polled in %zu of its rounds and slept in %zu (%.2g %scontext "
			 "switches per message, the median): its class is unclear",
			 g->label, g->ctx_polled, g->ctx_slept, g->ctx,
			 g->ctx_voluntary ? "voluntary " : "");
	else
		snprintf(out, n, "%s's reader %s (%.2g %scontext switches per message)", g->label,
			 model_reader_name(g->reader), g->ctx,
			 g->ctx_voluntary ? "voluntary " : "");
}

/* The setting a group was tuned with, without its value ("size" of "size=1048576"). */
static size_t rule_setting_key(const char *tuning, char *out, size_t n)
{
	size_t k = strcspn(tuning, "= ");

	snprintf(out, n, "%.*s", (int)k, tuning);
	return k;
}

/* Does the options column list the setting key ("size" in "size=0 write=0")? */
static bool has_setting(const char *options, const char *key)
{
	size_t k = strlen(key);

	for (const char *p = options; (p = strstr(p, key)); p += k)
		if ((p == options || p[-1] == ' ' || p[-1] == ',') && p[k] == '=')
			return true;
	return false;
}

/* Was transport t measured with the setting key tuned, at this placement and size? */
static bool tried(const struct model *m, const struct group *like, const char *key)
{
	char k[32];

	for (size_t i = 0; i < m->nindex; i++) {
		const struct group *g = &m->groups[m->index[i]];

		if (*g->tuning && !strcmp(g->transport, like->transport) && g->size == like->size &&
		    !strcmp(g->placement, like->placement) &&
		    rule_setting_key(g->tuning, k, sizeof(k)) && !strcmp(k, key))
			return true;
	}
	return false;
}

/* Is the group one transport's own original: what a rides on, by name? */
static bool original_of(const struct group *a, const struct group *b)
{
	return *a->rides_on && !strcmp(a->rides_on, b->transport);
}

void rule_label(const struct group *g, char *out, size_t n)
{
	out[0] = '\0';
	if (g->page_cache)
		snprintf(out, n, " [page cache: its pages never had to reach the disk]");
	else if (g->loan && !isnan(g->full_share))
		snprintf(out, n, " [a loan: read in place, %.1f%% of the messages in full]",
			 g->full_share * 100);
	else if (g->loan)
		snprintf(out, n, " [a loan: read in place]");
	else if (g->zerocopy && g->zc_copied >= 0.5)
		snprintf(out, n, " [zero-copy sends copied after all: %.0f%%]", g->zc_copied * 100);
}

/* The differences of a comparable pair worth naming, into notes. */
static void differences(const struct group *a, const struct group *b, enum measure ms, char *notes,
			size_t nn)
{
	const struct group *g[2] = {a, b};
	size_t len = 0;
	char x[32], y[32];

	notes[0] = '\0';
	if (a->buffer > 0 && b->buffer > 0 &&
	    (a->buffer >= 2 * b->buffer || b->buffer >= 2 * a->buffer)) {
		measure_format(M_BUFFER, a->buffer, x, sizeof(x));
		measure_format(M_BUFFER, b->buffer, y, sizeof(y));
		len +=
		    (size_t)snprintf(notes + len, nn - len, "%sbuffers differ: %s holds %s, %s %s",
				     len ? "; " : "", a->label, x, b->label, y);
	}
	for (int k = 0; k < 2 && len < nn; k++) {
		if (ms == M_BPS && g[k]->segs > 0 && g[k]->segs < 0.8)
			len +=
			    (size_t)snprintf(notes + len, nn - len,
					     "%s%s coalesced small messages: %.2f network segments "
					     "per message",
					     len ? "; " : "", g[k]->label, g[k]->segs);
		else if (ms == M_BPS && !strcmp(g[k]->hops, "via I/O thread") &&
			 strcmp(g[!k]->hops, "via I/O thread"))
			len +=
			    (size_t)snprintf(notes + len, nn - len,
					     "%s%s's library thread may write several messages at "
					     "once",
					     len ? "; " : "", g[k]->label);
		if (g[k]->page_cache && len < nn)
			len += (size_t)snprintf(notes + len, nn - len,
						"%s%s's pages never had to reach the disk",
						len ? "; " : "", g[k]->label);
	}
}

bool rule_comparable(const struct model *m, const struct group *a, const struct group *b,
		     enum measure ms, unsigned flags, char *why, size_t n, char *notes, size_t nn)
{
	const struct group *g[2] = {a, b};
	char key[32];

	why[0] = notes[0] = '\0';
	if (!a || !b || !a->sum[ms].n || !b->sum[ms].n) {
		snprintf(why, n, "not both measured");
		return false;
	}
	if (a->size != b->size ||
	    (strcmp(a->placement, b->placement) && !(flags & RULE_PLACEMENT))) {
		snprintf(why, n, "measured at different placements or sizes");
		return false;
	}
	if (a->state >= 0 && b->state >= 0 && a->state != b->state) {
		snprintf(why, n,
			 "measured in different states of the machine (%s in its %s one, %s "
			 "in its %s one)",
			 a->label, model_state_word(a, a->state), b->label,
			 model_state_word(b, b->state));
		return false;
	}
	/* A reader that did both stands against nobody: which of them it is, no run says. */
	for (int k = 0; k < 2; k++)
		if (g[k]->reader == R_UNCLEAR) {
			char x[400];

			reader_text(g[k], x, sizeof(x));
			snprintf(why, n, "%s", x);
			return false;
		}
	if (a->reader != b->reader && a->reader != R_UNKNOWN && b->reader != R_UNKNOWN) {
		char x[400], y[400];

		reader_text(a, x, sizeof(x));
		reader_text(b, y, sizeof(y));
		snprintf(why, n, "%s, %s: a polling reader pays no wake-up", x, y);
		return false;
	}
	for (int k = 0; k < 2; k++) {
		/* Named by the side that is the loan; its original is the other's, either way. */
		if (g[k]->loan && !g[!k]->loan &&
		    !((flags & RULE_ORIGINAL) &&
		      (original_of(g[k], g[!k]) || original_of(g[!k], g[k])))) {
			snprintf(why, n,
				 "%s is a loan (its receiver read %.1f%% of the payloads in full, "
				 "the rest in place): it stands only against its copying original",
				 g[k]->label, isnan(g[k]->full_share) ? 0 : g[k]->full_share * 100);
			return false;
		}
		/* A setting tried on one is tried on the other where it has it. */
		if (!(flags & RULE_SETTINGS) && *g[k]->tuning && !*g[!k]->tuning &&
		    rule_setting_key(g[k]->tuning, key, sizeof(key)) &&
		    has_setting(g[!k]->options, key) && !tried(m, g[!k], key)) {
			snprintf(why, n, "%s is tuned (%s) and %s was not tried with %s",
				 g[k]->label, g[k]->tuning, g[!k]->label, key);
			return false;
		}
	}
	if ((flags & RULE_ZEROCOPY) && a->zerocopy && a->zc_copied >= 0.5) {
		snprintf(why, n, "%s's zero-copy sends were copied after all (%.0f%% of them)",
			 a->label, a->zc_copied * 100);
		return false;
	}
	differences(a, b, ms, notes, nn);
	return true;
}
