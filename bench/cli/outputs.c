/* SPDX-License-Identifier: MIT */
/*
 * outputs.c - where rows go besides the table: the CSV, the JSON, the HDR log, the .hgrm files
 * and the results history, checked before anything runs, opened before the sweep, closed after
 * it, never replacing what is there before they have something to put in its place.
 */
#include "drv.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "hdrlog.h"
#include "format.h"

/*
 * "cross-core/shm/latency/1M/rtt/run1", with the shape where it is not the default
 * ("cross-core/shm/latency/64/pairs2/inflight8/rate100000/rtt/run1"), and the settings away from
 * the transport's defaults ("cross-core/pipe+write=16384/..."): names a row's histogram in the
 * log and .hgrm files.
 */
void ipcb_outputs_tag(const struct ipcb_row *row, char *out, size_t n, char sep)
{
	char sz[16], shape[96] = "", name[160];
	size_t len = 0;

	ipcb_format_size(row->size_bytes, sz, sizeof(sz));
	if (row->pairs > 1)
		len += (size_t)snprintf(shape + len, sizeof(shape) - len, "pairs%u%c", row->pairs,
					sep);
	if (row->senders > 1 || row->receivers > 1 || row->broadcast)
		len += (size_t)snprintf(shape + len, sizeof(shape) - len, "topology%ux%u%s%c",
					row->senders, row->receivers, row->broadcast ? "all" : "",
					sep);
	if (row->inflight > 1)
		len += (size_t)snprintf(shape + len, sizeof(shape) - len, "inflight%u%c",
					row->inflight, sep);
	if (row->res && row->res->offered_rate > 0)
		snprintf(shape + len, sizeof(shape) - len, "rate%.0f%c", row->res->offered_rate,
			 sep);
	/* A tuned setting is another experiment: "pipe+write=16384". */
	snprintf(name, sizeof(name), "%s%s%s", row->transport,
		 row->tuning && *row->tuning ? "+" : "", row->tuning ? row->tuning : "");
	for (char *c = name; *c; c++)
		if (*c == ' ')
			*c = '+';
	snprintf(out, n, "%s%c%s%c%s%c%s%c%s%s%crun%u", row->placement, sep, name, sep, row->mode,
		 sep, sz, sep, shape, row->latency_kind, sep, row->run);
}

/*
 * One row's percentile distribution as DIR/<tag>.hgrm: written whole to a temporary file, then
 * given its name, never replacing a file (the directory held no .hgrm files when the sweep began,
 * see hgrm_check): a full disk leaves no empty or cut-off .hgrm file, only the message.
 */
static int hgrm_write(struct driver *d, const struct ipcb_row *row)
{
	char tag[256], *path = d->out->hgrm_path, *err = d->out->hgrm_err;
	struct ipcb_outfile *out = &d->out->hgrm_file;
	char *buf = NULL;
	size_t len = 0;
	FILE *mem;
	int rc, rc2;

	ipcb_outputs_tag(row, tag, sizeof(tag), '-');
	snprintf(path, sizeof(d->out->hgrm_path), "%s/%s.hgrm", d->o.hgrm_dir, tag);
	mem = open_memstream(&buf, &len);
	if (!mem)
		return -ENOMEM;
	/* Microseconds: the unit latency distributions are usually read in. */
	rc = ipcb_hgrm_write(mem, row->hist, 1000.0, 5);
	if (fclose(mem) != 0 && rc == 0)
		rc = -ENOMEM;
	if (rc == 0) {
		rc = ipcb_outfile_open(out, path, "--hgrm", err, sizeof(d->out->hgrm_err));
		if (rc == 0) {
			rc = ipcb_write_whole(out->fd, buf, len);
			if (rc == 0)
				rc = ipcb_outfile_place(out, false);
			rc2 = ipcb_outfile_close(out);
			if (rc == 0)
				rc = rc2;
		}
	}
	free(buf);
	if (rc)
		fprintf(stderr, "%s: --hgrm %s: %s%s\n", prog, path, strerror(-rc),
			rc == -EEXIST ? " (made since the run began); not replaced" : "");
	return rc;
}

/* The HDR log stops at its first failed write: the file keeps the whole lines before it. */
static void hdrlog_stop(struct driver *d)
{
	ipcb_hdrlog_close(d->out->hdrlog);
	d->out->hdrlog = NULL;
}

/* The row's histogram into the HDR log and the .hgrm directory, when asked for. */
int ipcb_outputs_histogram(struct driver *d, const struct ipcb_row *row)
{
	char tag[256];
	int rc = 0;

	if (d->out->hdrlog) {
		ipcb_outputs_tag(row, tag, sizeof(tag), '/');
		rc = ipcb_hdrlog_write(d->out->hdrlog, tag,
				       (double)(d->now->start_ns - d->out->log_start_ns) / 1e9,
				       row->res->elapsed_s, row->hist);
		/*
		 * Only now, with an interval in it, does the log take its name: a file of that
		 * name stays as it was while the sweep has nothing to replace it with.
		 */
		if (rc == 0)
			rc = ipcb_outfile_place(&d->out->hdr_file, true);
		if (rc) {
			/* Said once: the log stops here, and the rows go on without it. */
			fprintf(stderr, "%s: --hdr-log %s: %s; no more histograms are logged\n",
				prog, d->o.hdr_log_path, strerror(-rc));
			hdrlog_stop(d);
			return rc;
		}
		d->out->hdr_intervals++;
	}
	if (d->o.hgrm_dir)
		rc = hgrm_write(d, row);
	return rc;
}

/* Does DIR hold a file named *.hgrm? Its name in `found`. */
static bool holds_hgrm(const char *dir, char *found, size_t n)
{
	DIR *dh = opendir(dir);
	struct dirent *e;
	bool any = false;

	if (!dh)
		return false;
	while (!any && (e = readdir(dh))) {
		size_t len = strlen(e->d_name);

		if (len > 5 && strcmp(e->d_name + len - 5, ".hgrm") == 0) {
			snprintf(found, n, "%s", e->d_name);
			any = true;
		}
	}
	closedir(dh);
	return any;
}

/*
 * --hgrm DIR: a directory ipcbench creates, or an existing one that is this user's own and that
 * not every user may write to, so that nobody else can have put a link or a file where a .hgrm
 * file goes. And one without .hgrm files: an earlier run's would be overwritten.
 */
static int hgrm_check(const char *dir, char *err, size_t errlen)
{
	char *parent, found[256];
	struct stat st;
	size_t len;
	int rc;

	if (lstat(dir, &st) < 0) {
		if (errno != ENOENT) {
			snprintf(err, errlen, "--hgrm %s: %s", dir, strerror(errno));
			return -errno;
		}
		/* It is made when the sweep begins: its parent must take it. */
		parent = strdup(dir);
		if (!parent) {
			snprintf(err, errlen, "--hgrm %s: strdup: %s", dir, strerror(ENOMEM));
			return -ENOMEM;
		}
		len = strlen(parent);
		while (len > 1 && parent[len - 1] == '/')
			parent[--len] = '\0';
		rc = ipcb_outfile_check(parent, "--hgrm", err, errlen);
		free(parent);
		return rc;
	}
	if (S_ISLNK(st.st_mode)) {
		snprintf(err, errlen,
			 "--hgrm %s: a symbolic link; name the directory itself (outputs are not "
			 "written through links)",
			 dir);
		return -ELOOP;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "--hgrm %s: exists and is not a directory", dir);
		return -ENOTDIR;
	}
	if (st.st_uid != geteuid()) {
		snprintf(err, errlen,
			 "--hgrm %s: the directory belongs to another user (uid %u); use one of "
			 "your own, or a new one",
			 dir, (unsigned)st.st_uid);
		return -EPERM;
	}
	if (st.st_mode & S_IWOTH) {
		snprintf(err, errlen,
			 "--hgrm %s: every user may write to this directory; use one only you can "
			 "write to, or a new one",
			 dir);
		return -EPERM;
	}
	if (access(dir, W_OK | X_OK) < 0) {
		snprintf(err, errlen, "--hgrm %s: %s", dir, strerror(errno));
		return -errno;
	}
	if (holds_hgrm(dir, found, sizeof(found))) {
		snprintf(err, errlen,
			 "--hgrm %s: already holds .hgrm files (%s, ...) that this run would "
			 "overwrite; use a new or empty directory",
			 dir, found);
		return -EEXIST;
	}
	return 0;
}

/*
 * Every output named on the command line, checked before anything is run or created: a usage
 * error leaves no file or directory behind, and an output that cannot be written is refused now
 * rather than after the sweep. One file named for two outputs would have one destroy the other.
 */
int ipcb_outputs_check(const struct driver *d, char *err, size_t errlen)
{
	const struct {
		const char *option, *path;
	} outs[] = {
	    {"--csv", d->o.csv_path},	{"--hdr-log", d->o.hdr_log_path}, {"--hgrm", d->o.hgrm_dir},
	    {"--json", d->o.json_path}, {"--db", d->o.db_path},
	};
	const size_t n = sizeof(outs) / sizeof(outs[0]);
	int rc = 0;

	/* A directory of files, or a database, is no stream: `-` is a file's name there. */
	for (size_t i = 0; i < n; i++)
		if ((outs[i].path == d->o.hgrm_dir || outs[i].path == d->o.db_path) &&
		    ipcb_outfile_is_stdout(outs[i].path)) {
			snprintf(err, errlen,
				 "%s -: standard output takes one stream of data (--csv, --json, "
				 "--hdr-log), not %s",
				 outs[i].option,
				 outs[i].path == d->o.db_path ? "a database"
							      : "a directory of files");
			return -EINVAL;
		}
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			if (outs[i].path && outs[j].path && ipcb_outfile_is_stdout(outs[i].path) &&
			    ipcb_outfile_is_stdout(outs[j].path)) {
				snprintf(err, errlen,
					 "%s - and %s -: standard output takes one of them (name a "
					 "file for the other)",
					 outs[i].option, outs[j].option);
				return -EINVAL;
			} else if (outs[i].path && outs[j].path &&
				   ipcb_same_file(outs[i].path, outs[j].path)) {
				snprintf(err, errlen,
					 "%s %s and %s %s name the same file: one output would "
					 "destroy the other",
					 outs[i].option, outs[i].path, outs[j].option,
					 outs[j].path);
				return -EINVAL;
			}
	if (d->o.csv_path)
		rc = ipcb_outfile_check(d->o.csv_path, "--csv", err, errlen);
	if (!rc && d->o.hdr_log_path)
		rc = ipcb_outfile_check(d->o.hdr_log_path, "--hdr-log", err, errlen);
	if (!rc && d->o.hgrm_dir)
		rc = hgrm_check(d->o.hgrm_dir, err, errlen);
	if (!rc && d->o.json_path)
		rc = ipcb_outfile_check(d->o.json_path, "--json", err, errlen);
	return rc;
}

/* Undo ipcb_outputs_open(), when the sweep does not begin after all. */
void ipcb_outputs_abandon(struct driver *d)
{
	if (d->out->hdrlog)
		hdrlog_stop(d);
	if (d->out->hdr_opened)
		ipcb_outfile_close(&d->out->hdr_file); /* removes the temporary file */
	d->out->hdr_opened = false;
	ipcb_csv_close(&d->out->csv);
	ipcb_jsonout_abandon(&d->out->json);
	ipcb_history_run_abandon(d->out->hist);
	d->out->hist = NULL;
	if (d->out->hgrm_made)
		rmdir(d->o.hgrm_dir);
}

/*
 * Make the outputs. What each does to a file that is already there:
 *  - the CSV is appended to in place (whole rows under a lock); only a torn last line is cut;
 *  - the HDR log is written under a temporary name that replaces the old file only once it
 *    holds an interval (a sweep that measures nothing leaves an existing log as it was);
 *  - .hgrm files are never replaced: the directory must hold none (hgrm_check).
 * So nothing existing is truncated before the run has something to put in its place.
 */
int ipcb_outputs_open(struct driver *d, char *err, size_t errlen)
{
	int rc = 0;

	if (d->o.hgrm_dir && access(d->o.hgrm_dir, F_OK) < 0) {
		if (mkdir(d->o.hgrm_dir, 0777) < 0) {
			rc = -errno;
			snprintf(err, errlen, "--hgrm %s: %s", d->o.hgrm_dir, strerror(-rc));
			goto abandon;
		}
		d->out->hgrm_made = true;
	}
	if (d->o.hdr_log_path) {
		rc = ipcb_outfile_open(&d->out->hdr_file, d->o.hdr_log_path, "--hdr-log", err,
				       errlen);
		if (rc < 0)
			goto abandon;
		d->out->hdr_opened = true;
		d->out->log_start_ns = ipcb_now_ns();
		rc = ipcb_hdrlog_open_fd(d->out->hdr_file.fd, (double)time(NULL), &d->out->hdrlog);
		if (rc < 0) {
			snprintf(err, errlen, "--hdr-log %s: %s", d->o.hdr_log_path, strerror(-rc));
			goto abandon;
		}
	}
	if (d->o.json_path) {
		rc = ipcb_jsonout_open(&d->out->json, d->o.json_path, err, errlen);
		if (rc < 0)
			goto abandon;
	}
	if (d->o.db_path) {
		rc = ipcb_history_run_begin(&d->out->hist, d->o.db_path, "--db", d->o.commit,
					    d->argc, d->argv, err, errlen);
		if (rc < 0)
			goto abandon;
	}
	/* Last, so that no later start-up error leaves a new CSV holding just a header. */
	if (d->o.csv_path) {
		rc = ipcb_csv_open(&d->out->csv, d->o.csv_path, err, errlen);
		if (d->out->csv.note[0])
			fprintf(stderr, "%s: warning: --csv %s: %s\n", prog, d->o.csv_path,
				d->out->csv.note);
		if (rc < 0)
			goto abandon;
	}
	return 0;
abandon:
	ipcb_outputs_abandon(d);
	return rc;
}

/* Close every output; false when one of them failed (the message is printed). */
bool ipcb_outputs_close(struct driver *d)
{
	char err[IPCB_ERR_BYTES];
	bool ok = true;
	int rc;

	if (d->out->hdrlog) {
		rc = ipcb_hdrlog_close(d->out->hdrlog);
		d->out->hdrlog = NULL;
		/*
		 * A log without intervals is only a header: it takes a free name, but does not
		 * replace an earlier log, which has more to say.
		 */
		if (rc == 0 && d->out->hdr_intervals == 0) {
			rc = ipcb_outfile_place(&d->out->hdr_file, false);
			if (rc == -EEXIST) {
				fprintf(stderr,
					"%s: --hdr-log %s: no histogram was logged; the existing "
					"file is left as it was\n",
					prog, d->o.hdr_log_path);
				rc = 0;
			}
		}
		if (rc < 0) {
			fprintf(stderr, "%s: --hdr-log %s: %s\n", prog, d->o.hdr_log_path,
				strerror(-rc));
			ok = false;
		}
	}
	if (d->out->hdr_opened) {
		rc = ipcb_outfile_close(&d->out->hdr_file);
		d->out->hdr_opened = false;
		if (rc < 0) {
			fprintf(stderr, "%s: --hdr-log %s: %s\n", prog, d->o.hdr_log_path,
				strerror(-rc));
			ok = false;
		}
	}
	rc = ipcb_csv_close(&d->out->csv);
	if (rc < 0) {
		fprintf(stderr, "%s: --csv %s: %s\n", prog, d->o.csv_path, strerror(-rc));
		ok = false;
	}
	if (d->out->hist &&
	    ipcb_history_run_end(d->out->hist, d->interrupted, d->failures || d->out->failed, err,
				 sizeof(err)) < 0) {
		fprintf(stderr, "%s: --db %s\n", prog, err);
		ok = false;
	}
	d->out->hist = NULL;
	if (d->out->json.open) {
		rc = ipcb_jsonout_close(&d->out->json, &d->si, err, sizeof(err));
		if (rc == -EEXIST) {
			fprintf(stderr,
				"%s: --json %s: no row was measured; the existing file is left as "
				"it was\n",
				prog, d->o.json_path);
		} else if (rc < 0) {
			fprintf(stderr, "%s: %s\n", prog, err);
			ok = false;
		}
	}
	return ok;
}
