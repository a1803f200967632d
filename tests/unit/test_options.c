/* SPDX-License-Identifier: MIT */
/* test_options.c - command-line parsing: what is accepted, and that every bad value is named. */
#include <errno.h>
#include <string.h>

#include "../tap.h"
#include "csvschema.h"
#include "options.h"

static char err[IPCB_ERR_BYTES];

static const struct {
	const char *in;
	size_t want;
} good_sizes[] = {
    {"1", 1},	     {"64", 64},      {"4K", 4096},	     {"4k", 4096},   {"64K", 65536},
    {"1M", 1048576}, {"1m", 1048576}, {"1G", 1073741824},    {"4KiB", 4096}, {"4KB", 4096},
    {"100B", 100},   {"1536", 1536},  {"1024M", 1073741824},
};

static const char *const bad_sizes[] = {
    "",	    "0",   "-1", "K",  "4Q",  "4 K", "1.5K", "2G", "1025M", "99999999999999999999",
    "0x10", "4KK", " 4", "+4", "4iB",
};

/* Parse a whole command line; returns the parser's result. */
static int parse(struct ipcb_opts *o, const char *a1, const char *a2, const char *a3)
{
	char *argv[5] = {"ipcbench", (char *)a1, (char *)a2, (char *)a3, NULL};
	int argc = 1 + (a1 != NULL) + (a2 != NULL) + (a3 != NULL);

	ipcb_opts_init(o);
	err[0] = '\0';
	return ipcb_opts_parse(o, argc, argv, err, sizeof(err));
}

/*
 * The table itself: every row's default parses and gives the defaults the driver always had;
 * every row is documented; a setting the peer needs has a place in the run's spec, of a type the
 * run's message to the peer carries; a CHOICE's words and values agree.
 */
static void rows_check(void)
{
	const struct ipcb_clirow *rows = ipcb_opts_rows();
	struct ipcb_opts o;
	size_t n = 0, peers = 0, recorded = 0;
	bool documented = true, placed = true, choices = true, columns = true;

	memset(&o, 0, sizeof(o));
	ok(ipcb_cli_defaults(rows, &o, err, sizeof(err)) == 0, "every row's default parses (%s)",
	   err);
	ipcb_opts_init(&o);
	ok(o.transports_all && o.nsizes == 4 && o.sizes[0] == 64 && o.sizes[3] == 1048576 &&
	       o.latency && o.throughput && !o.bistream && o.messages == 0 && o.duration_s == 0.5 &&
	       o.min_messages == 1 && o.warmup == IPCB_WARMUP_DEFAULT && !o.warmup_given &&
	       o.repeat == 1 && o.seed == IPCB_SEED_DEFAULT && o.first_round == 1 && o.probes &&
	       o.cpus[0] == -1 && o.spin_polls == 2000 &&
	       o.matrix_pairs == IPCB_MATRIX_PAIRS_DEFAULT && o.timeout_s == 60 &&
	       o.run.verify == IPCB_VERIFY_SAMPLED && o.wait == IPCB_WAIT_DEFAULT &&
	       o.ninflight == 1 && o.inflight[0] == 1 && o.npairs == 1 && o.pairs[0] == 1 &&
	       o.ntopos == 1 && o.topos[0].senders == 1 && o.topos[0].receivers == 1 &&
	       o.slo.pct == 99 && o.server_cpu == -1 && !o.dir,
	   "the rows' defaults are the driver's defaults");
	for (const struct ipcb_clirow *r = rows; r->opt.name; r++) {
		n++;
		documented = documented && r->help && *r->help;
		if (r->peer) {
			peers++;
			placed = placed && r->spec && r->type != IPCB_CLI_TEXT &&
				 r->type != IPCB_CLI_CALL;
		}
		if (r->column != IPCB_COL_TRANSPORT) {
			/* Written from a spec (bench/cli/output.c), as the column's kind holds it.
			 */
			enum ipcb_csv_how how = ipcb_csv_cols[r->column].how;

			recorded++;
			columns = columns && r->spec &&
				  (r->type == IPCB_CLI_SECONDS ? how == IPCB_CSV_DECIMAL
				   : r->type == IPCB_CLI_FLAG || r->type == IPCB_CLI_CLEAR ||
					   r->type == IPCB_CLI_U64 || r->type == IPCB_CLI_UINT
				       ? how == IPCB_CSV_INTEGER
				       : false);
			if (!columns)
				tap_diag("option --%s: column %s cannot record it", r->opt.name,
					 ipcb_csv_name(r->column));
		}
		if (r->type == IPCB_CLI_CHOICE) {
			size_t words = 1;

			for (const char *c = r->choices; *c; c++)
				words += *c == '|';
			for (size_t i = 0; r->values && i < words; i++)
				choices = choices && (uint64_t)r->values[i] <= r->max;
			choices = choices && (r->values || words - 1 <= r->max);
		}
	}
	ok(n >= 50 && documented, "%zu options, each with its --help text", n);
	ok(peers == ipcb_cli_peer_count(rows) && peers >= 10 && placed,
	   "the %zu settings the peer needs each have their place in a run's spec", peers);
	ok(choices, "each choice stores a value no larger than its row's largest");
	ok(recorded >= 2 && columns,
	   "the %zu options a row records each name a column of the CSV that holds their kind",
	   recorded);
}

int main(void)
{
	struct ipcb_opts o;
	size_t v, list[IPCB_MAX_LIST], n;
	uint64_t u;
	double secs;
	int cpus[2];

	for (size_t i = 0; i < sizeof(good_sizes) / sizeof(good_sizes[0]); i++) {
		v = 0;
		ok(ipcb_parse_size(good_sizes[i].in, &v, "--size", err, sizeof(err)) == 0 &&
		       v == good_sizes[i].want,
		   "size '%s' is %zu bytes (got %zu)", good_sizes[i].in, good_sizes[i].want, v);
	}
	for (size_t i = 0; i < sizeof(bad_sizes) / sizeof(bad_sizes[0]); i++) {
		err[0] = '\0';
		ok(ipcb_parse_size(bad_sizes[i], &v, "--size", err, sizeof(err)) == -EINVAL &&
		       strstr(err, "--size") && (!*bad_sizes[i] || strstr(err, bad_sizes[i])),
		   "size '%s' is refused with a message naming it (%s)", bad_sizes[i], err);
	}

	ok(ipcb_parse_size_list("64,4K,64K,1M", list, IPCB_MAX_LIST, &n, err, sizeof(err)) == 0 &&
	       n == 4 && list[0] == 64 && list[3] == 1048576,
	   "size list 64,4K,64K,1M");
	ok(ipcb_parse_size_list("64,,1M", list, IPCB_MAX_LIST, &n, err, sizeof(err)) == -EINVAL,
	   "size list with an empty item is refused (%s)", err);
	ok(ipcb_parse_size_list("64,", list, IPCB_MAX_LIST, &n, err, sizeof(err)) == -EINVAL,
	   "size list with a trailing comma is refused");
	ok(ipcb_parse_size_list("4K,4096", list, IPCB_MAX_LIST, &n, err, sizeof(err)) == -EINVAL,
	   "the same size twice is refused (%s)", err);

	ok(ipcb_parse_u64("10", 1, 100, &u, "-n", err, sizeof(err)) == 0 && u == 10, "u64 10");
	ok(ipcb_parse_u64("0", 1, 100, &u, "-n", err, sizeof(err)) == -EINVAL, "u64 below minimum");
	ok(ipcb_parse_u64("101", 1, 100, &u, "-n", err, sizeof(err)) == -EINVAL &&
	       strstr(err, "101"),
	   "u64 above maximum names the value (%s)", err);
	ok(ipcb_parse_u64("-5", 0, 100, &u, "-n", err, sizeof(err)) == -EINVAL, "u64 negative");
	ok(ipcb_parse_u64("5x", 0, 100, &u, "-n", err, sizeof(err)) == -EINVAL,
	   "u64 trailing junk");
	ok(ipcb_parse_u64("99999999999999999999999", 0, UINT64_MAX, &u, "-n", err, sizeof(err)) ==
	       -EINVAL,
	   "u64 overflow");

	ok(ipcb_parse_seconds("0.5", 0, 10, &secs, "-d", err, sizeof(err)) == 0 && secs == 0.5,
	   "seconds 0.5");
	ok(ipcb_parse_seconds("2s", 0, 10, &secs, "-d", err, sizeof(err)) == 0 && secs == 2,
	   "seconds 2s");
	ok(ipcb_parse_seconds("-1", 0, 10, &secs, "-d", err, sizeof(err)) == -EINVAL,
	   "negative seconds refused");
	ok(ipcb_parse_seconds("nan", 0, 10, &secs, "-d", err, sizeof(err)) == -EINVAL,
	   "nan refused");
	ok(ipcb_parse_seconds("inf", 0, 1e9, &secs, "-d", err, sizeof(err)) == -EINVAL,
	   "inf refused");
	ok(ipcb_parse_seconds("1e400", 0, 1e9, &secs, "-d", err, sizeof(err)) == -EINVAL,
	   "overflowing seconds refused");
	ok(ipcb_parse_seconds("11", 0, 10, &secs, "-d", err, sizeof(err)) == -EINVAL,
	   "seconds above maximum refused");
	/* strtod() takes all of these; a number of seconds is a plain decimal. */
	for (size_t i = 0; i < 6; i++) {
		static const char *const odd[] = {"0x10", "0x1p1", "1e1", "infinity", "1.5.2", "s"};

		ok(ipcb_parse_seconds(odd[i], 0, 1e9, &secs, "-d", err, sizeof(err)) == -EINVAL &&
		       strstr(err, odd[i]),
		   "seconds '%s' refused (%s)", odd[i], err);
	}
	ok(ipcb_parse_seconds(".25", 0, 10, &secs, "-d", err, sizeof(err)) == 0 && secs == 0.25,
	   "seconds .25");

	/* A share (compare's and history's --threshold), a probability (their --alpha). */
	ok(ipcb_parse_share("5%", 0, 0.9, &secs, "--threshold", err, sizeof(err)) == 0 &&
	       secs == 0.05,
	   "share 5%%");
	ok(ipcb_parse_share("0.05", 0, 0.9, &secs, "--threshold", err, sizeof(err)) == 0 &&
	       secs == 0.05,
	   "share 0.05");
	ok(ipcb_parse_share("5", 0, 0.9, &secs, "--threshold", err, sizeof(err)) == -EINVAL &&
	       strstr(err, "ambiguous"),
	   "share 5 refused as ambiguous (%s)", err);
	ok(ipcb_parse_share("95%", 0, 0.9, &secs, "--threshold", err, sizeof(err)) == -EINVAL &&
	       strstr(err, "out of range"),
	   "share above its largest refused (%s)", err);
	ok(ipcb_parse_share("0%", 0, 0.9, &secs, "--threshold", err, sizeof(err)) == -EINVAL,
	   "share 0%% refused (more than the least, not equal)");
	for (size_t i = 0; i < 4; i++) {
		static const char *const odd[] = {"", "5%%", "nan", "5 %"};

		ok(ipcb_parse_share(odd[i], 0, 0.9, &secs, "--threshold", err, sizeof(err)) ==
			   -EINVAL &&
		       strstr(err, "not a number"),
		   "share '%s' refused (%s)", odd[i], err);
	}
	ok(ipcb_parse_probability("0.05", 0.5, &secs, "--alpha", err, sizeof(err)) == 0 &&
	       secs == 0.05,
	   "probability 0.05");
	for (size_t i = 0; i < 4; i++) {
		static const char *const odd[] = {"0", "0.6", "nan", "0.05x"};

		ok(ipcb_parse_probability(odd[i], 0.5, &secs, "--alpha", err, sizeof(err)) ==
			   -EINVAL &&
		       strstr(err, "--alpha") && strstr(err, odd[i]),
		   "probability '%s' refused (%s)", odd[i], err);
	}

	ok(ipcb_parse_cpus("0,0", cpus, err, sizeof(err)) == 0 && cpus[0] == 0 && cpus[1] == 0,
	   "cpus 0,0 (one CPU for both)");
	ok(ipcb_parse_cpus("0", cpus, err, sizeof(err)) == -EINVAL, "cpus needs two numbers");
	ok(ipcb_parse_cpus("0,1,2", cpus, err, sizeof(err)) == -EINVAL, "cpus takes only two");
	ok(ipcb_parse_cpus("a,b", cpus, err, sizeof(err)) == -EINVAL, "cpus must be numbers");
	ok(ipcb_parse_cpus("-1,0", cpus, err, sizeof(err)) == -EINVAL, "cpus cannot be negative");
	ok(ipcb_parse_cpus("0,4000", cpus, err, sizeof(err)) == -EINVAL && strstr(err, "4000"),
	   "a CPU that does not exist is named (%s)", err);
	ok(ipcb_parse_cpus("0,99999999999", cpus, err, sizeof(err)) == -EINVAL, "huge CPU number");

	ok(parse(&o, "--transport", "nosuch", NULL) == -EINVAL && strstr(err, "nosuch") &&
	       strstr(err, "shm") && strstr(err, "pipe"),
	   "unknown transport lists the valid names (%s)", err);
	ok(parse(&o, "-t", "pipe,shm", NULL) == 0 && o.ntransports == 2 && !o.transports_all,
	   "two transports");
	ok(parse(&o, "-t", "pipe,pipe", NULL) == -EINVAL, "a transport twice is refused");
	ok(parse(&o, "-t", "all", NULL) == 0 && o.transports_all, "all");
	{
		bool fam_ok = parse(&o, "-t", "kernel,zmq-ipc,pipe", NULL) == 0 &&
			      !o.transports_all && o.ntransports > 2;
		size_t pipes = 0, other = 0;

		/* The kernel's own, then zmq-ipc; pipe (in the family) measured once. */
		for (size_t i = 0; fam_ok && i < o.ntransports; i++) {
			pipes += o.transports[i] == ipcb_transport_find("pipe");
			if (o.transports[i]->layer != IPCB_LAYER_KERNEL)
				other +=
				    o.transports[i] == ipcb_transport_find("zmq-ipc") ? 1 : 100;
			if (o.transports[i]->caps & IPCB_CAP_NO_DATA)
				other += 100;
		}
		ok(fam_ok && pipes == 1 && other == 1 &&
		       o.transports[o.ntransports - 1] == ipcb_transport_find("zmq-ipc"),
		   "a family stands for its own transports (not null); one named beside it once");
	}
	ok(parse(&o, "-t", "brokers", NULL) == 0 && o.ntransports == 5 &&
	       o.transports[0]->layer == IPCB_LAYER_BROKER &&
	       o.transports[4]->layer == IPCB_LAYER_BROKER,
	   "brokers: five (amqp, mqtt, redis, kafka, rocketmq)");
	ok(parse(&o, "-t", "middleware,middleware", NULL) == 0, "a family twice adds nothing");
	ok(parse(&o, "-t", "rpc,middleware,rpc", NULL) == -EINVAL && strstr(err, "'rpc'"),
	   "a transport named twice is refused, families or not (%s)", err);
	ok(parse(&o, "-t", "kernels", NULL) == -EINVAL && strstr(err, "brokers"),
	   "the families are among the valid names (%s)", err);
	ok(parse(&o, "-s", "64,1M", NULL) == 0 && ipcb_opts_warmup(&o, 64) == 100 &&
	       ipcb_opts_warmup(&o, 1048576) == 8 && ipcb_opts_warmup(&o, 65536) == 100 &&
	       ipcb_opts_warmup(&o, 1u << 30) == 8,
	   "default warm-up: 100, as many as carry 8 MiB above that, at least 8");
	{
		char *argv[] = {"ipcbench", "-w", "50", "-s", "1M", NULL};

		ipcb_opts_init(&o);
		ok(ipcb_opts_parse(&o, 5, argv, err, sizeof(err)) == 0 &&
		       ipcb_opts_warmup(&o, 1048576) == 50 && ipcb_opts_warmup(&o, 64) == 50,
		   "-w N: exactly N at every size");
	}
	ok(parse(&o, NULL, NULL, NULL) == 0 && o.transports_all && o.nsizes == 4 && o.latency &&
	       o.throughput && o.duration_s == 0.5 && o.warmup > 0 && o.repeat == 1,
	   "defaults: all transports, four sizes, both modes, half a second, warm-up on");
	ok(parse(&o, "-m", "latency", NULL) == 0 && o.latency && !o.throughput, "mode latency");
	ok(parse(&o, "-m", "fast", NULL) == -EINVAL && strstr(err, "fast"), "bad mode named");
	ok(parse(&o, "--wait", "spin", NULL) == 0 && o.wait == IPCB_WAIT_SPIN, "wait spin");
	ok(parse(&o, "--wait", "yield", NULL) == 0 && o.wait == IPCB_WAIT_YIELD, "wait yield");
	ok(parse(&o, "--wait", "nap", NULL) == -EINVAL && strstr(err, "nap"), "bad wait named");
	ok(parse(&o, "-r", "0", NULL) == -EINVAL, "repeat 0 refused");
	ok(parse(&o, "-n", "0", NULL) == -EINVAL, "messages 0 refused");
	ok(parse(&o, "-d", "0", NULL) == -EINVAL && strstr(err, "--messages"),
	   "duration 0 without messages is refused (%s)", err);
	ok(parse(&o, "-d", "0", "-n10") == 0 && o.messages == 10, "duration 0 with -n 10");
	ok(parse(&o, "--size", NULL, NULL) == -EINVAL && strstr(err, "missing"),
	   "missing value is named (%s)", err);
	ok(parse(&o, "--bogus", NULL, NULL) == -EINVAL && strstr(err, "--bogus"),
	   "unknown option is named (%s)", err);
	ok(parse(&o, "--list=1", NULL, NULL) == -EINVAL && strstr(err, "'--list=1'") &&
	       strstr(err, "takes no value"),
	   "a value given to a flag is named (%s)", err);
	ok(parse(&o, "--fsync=yes", NULL, NULL) == -EINVAL && strstr(err, "'--fsync=yes'"),
	   "a value given to a long-only flag is named, not garbled (%s)", err);
	ok(parse(&o, "-Z", NULL, NULL) == -EINVAL && strstr(err, "'-Z'"),
	   "an unknown short option is named (%s)", err);
	ok(parse(&o, "stray", NULL, NULL) == -EINVAL && strstr(err, "stray"),
	   "stray argument is named");
	ok(parse(&o, "-o", "pipe", NULL) == -EINVAL && strstr(err, "NAME.KEY=VALUE"),
	   "-o without NAME.KEY=VALUE is refused (%s)", err);
	ok(parse(&o, "-o", "nosuch.key=1", NULL) == -EINVAL && strstr(err, "'nosuch'"),
	   "-o for an unknown transport names it (%s)", err);
	ok(parse(&o, "-o", "eventfd.depth=1", NULL) == -EINVAL && strstr(err, "'depth'") &&
	       strstr(err, "takes none"),
	   "-o for a key the transport does not have names it (%s)", err);
	ok(parse(&o, "-o", "pipe.depth=1", NULL) == -EINVAL && strstr(err, "'depth'") &&
	       strstr(err, "its options: size, write"),
	   "-o for a key another transport does not have lists its keys (%s)", err);
	ok(parse(&o, "-t", "zmq-tcp", "-ozmq-tcp.hwm=5") == 0 && o.ntopts == 1 &&
	       o.topts[0].val == 5,
	   "-o zmq-tcp.hwm=5 (a transport's option, listed even where it cannot be built)");
	ok(parse(&o, "-t", "pipe", "-ozmq-tcp.hwm=5") == -EINVAL && strstr(err, "not among"),
	   "-o for a transport not measured is refused (%s)", err);
	ok(parse(&o, "-ozmq-tcp.hwm=5", "-ozmq-tcp.hwm=6", NULL) == -EINVAL &&
	       strstr(err, "already set"),
	   "the same option twice is refused (%s)", err);
	ok(parse(&o, "-ozmq-tcp.hwm=-1", NULL, NULL) == -EINVAL && strstr(err, "'-1'"),
	   "a bad value is named with its range (%s)", err);
	ok(parse(&o, "--list", "pipe", "shm") == 0 && ipcb_opts_mode(&o, &ipcb_mode_list) &&
	       o.nlist_only == 2 && o.list_only[1] == ipcb_transport_find("shm"),
	   "--list NAME NAME: the transports to describe");
	ok(parse(&o, "--list", "nosuch", NULL) == -EINVAL && strstr(err, "'nosuch'"),
	   "--list names an unknown transport (%s)", err);
	ok(parse(&o, "--server-cpu", "0", NULL) == 0 && o.server_cpu == 0, "--server-cpu 0");
	ok(parse(&o, "--server-cpu", "x", NULL) == -EINVAL && strstr(err, "'x'"),
	   "--server-cpu names a bad value (%s)", err);
	ok(parse(&o, "--server-cpu", "4000", NULL) == -EINVAL && strstr(err, "4000"),
	   "--server-cpu names a CPU that is not there (%s)", err);
	ok(parse(&o, "--csv", "", NULL) == -EINVAL, "empty CSV name refused");
	ok(parse(&o, "--timeout", "0", NULL) == -EINVAL, "timeout 0 refused");
	ok(parse(&o, "-d", "2", "--timeout=0.5") == -EINVAL && strstr(err, "--timeout 0.5") &&
	       strstr(err, "--duration 2"),
	   "a timeout shorter than the duration is refused (%s)", err);
	ok(parse(&o, "-d", "2", "--timeout=3.5") == 0, "a timeout above duration plus margin");
	ok(parse(&o, "--cleanup", "-n", "5") == -EINVAL && strstr(err, "-n"),
	   "--cleanup with a run option is refused (%s)", err);
	ok(parse(&o, "--cleanup", "--dir", "/tmp") == 0 && ipcb_opts_mode(&o, &ipcb_mode_cleanup),
	   "--cleanup --dir");
	ok(parse(&o, "-tnull", "--inject", "dup") == -EINVAL && strstr(err, "null"),
	   "--inject on a transport that moves nothing is refused (%s)", err);
	ok(parse(&o, "-n5", "-w0", "--inject=crash") == -EINVAL && strstr(err, "message 5"),
	   "--inject that cannot happen within -n is refused (%s)", err);
	ok(parse(&o, "-n6", "-w0", "--inject=crash") == 0, "--inject crash with six messages");

	/* --topology is a list; --deliver all makes a 1:N channel publish-subscribe. */
	ok(parse(&o, NULL, NULL, NULL) == 0 && o.ntopos == 1 && o.topos[0].senders == 1 &&
	       o.topos[0].receivers == 1 && !o.deliver_all,
	   "by default one 1:1 channel, each message to one receiver");
	ok(parse(&o, "-mthroughput", "--topology=1:1,1:2,4:1", NULL) == 0 && o.ntopos == 3 &&
	       o.topos[1].receivers == 2 && o.topos[2].senders == 4 && ipcb_opts_shared(&o),
	   "--topology 1:1,1:2,4:1: three topologies, in order");
	ok(parse(&o, "-mthroughput", "--topology=1:2,1:2", NULL) == -EINVAL &&
	       strstr(err, "listed twice"),
	   "a topology listed twice is refused (%s)", err);
	ok(parse(&o, "-mthroughput", "--deliver=all", "--topology=1:1,1:2,1:3") == 0 &&
	       o.deliver_all && o.ntopos == 3,
	   "--deliver all --topology 1:1,1:2,1:3: publish-subscribe to one, two and three");
	ok(parse(&o, "-mthroughput", "--deliver=all", "--deliver=one") == 0 && !o.deliver_all,
	   "--deliver one: the last one given counts");
	ok(parse(&o, "-mthroughput", "--deliver=every", NULL) == -EINVAL &&
	       strstr(err, "'every'") && strstr(err, "valid: one"),
	   "an unknown delivery is named, with the valid ones (%s)", err);
	ok(parse(&o, "--deliver=all", NULL, NULL) == -EINVAL && strstr(err, "-m throughput"),
	   "--deliver all with latency mode (the default both) is refused (%s)", err);
	ok(parse(&o, "-mthroughput", "--deliver=all", "--topology=1:3,2:1") == -EINVAL &&
	       strstr(err, "2:1 has 2 senders"),
	   "--deliver all with several senders is refused, naming the topology (%s)", err);
	ok(parse(&o, "-mthroughput", "--deliver=all", "--pairs=2") == -EINVAL &&
	       strstr(err, "--pairs"),
	   "--deliver all with pairs is refused (%s)", err);
	ok(parse(&o, "-mthroughput", "--deliver=all", "--rate=1000") == -EINVAL &&
	       strstr(err, "--rate"),
	   "--deliver all with an open loop is refused (%s)", err);
	ok(parse(&o, "-mthroughput", "--deliver=all", "-s8") == -EINVAL && strstr(err, "--size 8"),
	   "--deliver all below 16 bytes is refused (%s)", err);
	rows_check();
	return tap_done();
}
