/* SPDX-License-Identifier: MIT */
/* slo.c - latency bounds: parsing and the placements' defaults; see slo.h. */
#include "slo.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

double ipcb_slo_default_ns(enum ipcb_sides sides)
{
	return sides == IPCB_SIDES_TWO_CPUS ? 20e3 : sides == IPCB_SIDES_ONE_CPU ? 50e3 : 100e3;
}

bool ipcb_step_kept(double late, double messages, double achieved, double offered)
{
	/* Written so that a NAN anywhere (a count not known) keeps nothing. */
	return messages > 0 && late >= 0 && late <= IPCB_KEPT_LATE * messages &&
	       achieved >= IPCB_KEPT_ACHIEVED * offered;
}

int ipcb_slo_parse(const char *s, const char *what, struct ipcb_slo *slo, char *err, size_t errlen)
{
	static const struct {
		const char *unit;
		double ns;
	} units[] = {{"ns", 1}, {"us", 1e3}, {"ms", 1e6}, {"s", 1e9}};
	const char *eq = s ? strchr(s, '=') : NULL;
	char pct[32], *end;
	double p, v;

	if (!s || s[0] != 'p' || !eq || eq - s - 1 <= 0 || (size_t)(eq - s - 1) >= sizeof(pct)) {
		snprintf(err, errlen, "%s: '%s' is not pP=LATENCY (e.g. p99=20us, p99.9=1ms)", what,
			 s ? s : "");
		return -1;
	}
	memcpy(pct, s + 1, (size_t)(eq - s - 1));
	pct[eq - s - 1] = '\0';
	/* Plain decimals only: strtod would also take hex, exponents, "inf" and "nan". */
	if (!isdigit((unsigned char)pct[0]) || strpbrk(pct, "xXeEpPnN")) {
		snprintf(err, errlen, "%s: '%s': the percentile is not a number", what, s);
		return -1;
	}
	p = strtod(pct, &end);
	if (*end || p < 50 || p > 99.999) {
		snprintf(err, errlen, "%s: '%s': the percentile must be 50 to 99.999", what, s);
		return -1;
	}
	if (!isdigit((unsigned char)eq[1]) || strpbrk(eq + 1, "xXeEpP")) {
		snprintf(err, errlen, "%s: '%s': the latency is not a number", what, s);
		return -1;
	}
	v = strtod(eq + 1, &end);
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strcmp(end, units[i].unit) == 0 && isfinite(v) && v > 0) {
			slo->pct = p;
			slo->ns = v * units[i].ns;
			return 0;
		}
	snprintf(err, errlen,
		 "%s: '%s': the latency needs a unit, ns, us, ms or s, and must be above 0", what,
		 s);
	return -1;
}
