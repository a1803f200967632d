/* SPDX-License-Identifier: MIT */
/* format.c - numbers and fields as ipcbench writes them; see format.h. */
#include "format.h"

#include <string.h>

void ipcb_format_size(size_t bytes, char *out, size_t n)
{
	if (bytes >= (1u << 30) && bytes % (1u << 30) == 0)
		snprintf(out, n, "%zuG", bytes >> 30);
	else if (bytes >= (1u << 20) && bytes % (1u << 20) == 0)
		snprintf(out, n, "%zuM", bytes >> 20);
	else if (bytes >= (1u << 10) && bytes % (1u << 10) == 0)
		snprintf(out, n, "%zuK", bytes >> 10);
	else
		snprintf(out, n, "%zu", bytes);
}

void ipcb_format_ns(double ns, char *out, size_t n)
{
	if (ns < 1e3)
		snprintf(out, n, "%.0f ns", ns);
	else if (ns < 1e6)
		snprintf(out, n, "%.*f us", ns < 1e4 ? 2 : ns < 1e5 ? 1 : 0, ns / 1e3);
	else if (ns < 1e9)
		snprintf(out, n, "%.*f ms", ns < 1e7 ? 2 : ns < 1e8 ? 1 : 0, ns / 1e6);
	else
		snprintf(out, n, "%.2f s", ns / 1e9);
}

void ipcb_format_rate(double v, char *out, size_t n)
{
	static const char units[] = " kMG";
	int u = 0;

	while (u < 3 && v >= 1e3) {
		v /= 1e3;
		u++;
	}
	if (u == 0)
		snprintf(out, n, "%.0f", v);
	else
		snprintf(out, n, "%.*f%c", v < 10 ? 2 : v < 100 ? 1 : 0, v, units[u]);
}

void ipcb_csv_text(FILE *f, const char *s)
{
	if (!strpbrk(s, ",\"\n\r")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

void ipcb_format_visible(const char *in, char *out, size_t n)
{
	size_t len = 0;

	for (; *in && len + 5 < n; in++) {
		unsigned char ch = (unsigned char)*in;

		if (ch < 0x20 || ch == 0x7f)
			len += (size_t)snprintf(out + len, n - len, "\\x%02x", ch);
		else
			out[len++] = (char)ch;
	}
	out[len] = '\0';
}
