/* SPDX-License-Identifier: MIT */
/*
 * fuzz_cpus.c - libFuzzer target for --cpus A,B (ipcb_parse_cpus).
 *
 * The parser also asks the kernel which CPUs this process may use, so the model below does the
 * same once: an input is accepted exactly when it is two decimal numbers joined by one comma and
 * both CPUs are in the affinity mask. An accepted pair printed back as "A,B" must parse to itself,
 * since error messages and the CSV print CPUs that way.
 */
#include <ctype.h>
#include <errno.h>
#include <sched.h>
#include <stdbool.h>

#include "fuzz.h"
#include "options.h"

static cpu_set_t allowed;
static bool have_allowed;

/* Digits as a CPU number; -1 when too large for any CPU set (the parser must reject those). */
static long model_cpu(const char *s, const char **end)
{
	long v = 0;

	for (; isdigit((unsigned char)*s); s++)
		if (v >= 0)
			v = v * 10 + (*s - '0') >= CPU_SETSIZE ? -1 : v * 10 + (*s - '0');
	*end = s;
	return v;
}

static bool model_cpus(const char *s, int want[2])
{
	const char *p = s, *end;

	for (int i = 0; i < 2; i++) {
		long v;

		if (!isdigit((unsigned char)*p))
			return false;
		v = model_cpu(p, &end);
		if (v < 0)
			return false;
		/* The parser skips the mask check only when the kernel cannot say. */
		if (have_allowed && !CPU_ISSET(v, &allowed))
			return false;
		want[i] = (int)v;
		p = end;
		if (i == 0 && *p++ != ',')
			return false;
	}
	return *p == '\0';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[IPCB_ERR_BYTES], again[32];
	int want[2] = {-1, -1}, out[2] = {-7, -7}, out2[2] = {-7, -7};
	char *s;
	bool ok;
	int rc;

	if (!have_allowed) {
		CPU_ZERO(&allowed);
		have_allowed = sched_getaffinity(0, sizeof(allowed), &allowed) == 0;
	}
	s = fuzz_cstr(data, size);
	if (!s)
		return 0;
	ok = model_cpus(s, want);
	rc = ipcb_parse_cpus(s, out, err, sizeof(err));
	FUZZ_CHECK(rc == 0 || rc == -EINVAL, "rc %d", rc);
	FUZZ_CHECK((rc == 0) == ok, "'%s': parser says %d, model says %d", s, rc, ok);
	if (rc) {
		FUZZ_CHECK(out[0] == -7 && out[1] == -7, "'%s': CPUs written on failure", s);
		fuzz_check_err(err, sizeof(err), "--cpus");
	} else {
		FUZZ_CHECK(out[0] == want[0] && out[1] == want[1], "'%s' parsed as %d,%d", s,
			   out[0], out[1]);
		snprintf(again, sizeof(again), "%d,%d", out[0], out[1]);
		rc = ipcb_parse_cpus(again, out2, err, sizeof(err));
		FUZZ_CHECK(rc == 0 && out2[0] == out[0] && out2[1] == out[1],
			   "'%s' parses as %d,%d (rc %d)", again, out2[0], out2[1], rc);
	}
	free(s);
	return 0;
}
