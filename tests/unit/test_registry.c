/* SPDX-License-Identifier: MIT */
/* test_registry.c - every registered transport keeps the contract, and lookups find each. */
#include <errno.h>
#include <string.h>

#include "../tap.h"
#include "transport.h"

/* A transport that loses messages only when it broadcasts (a publisher dropping at a mark). */
static bool drops_when_broadcasting(const struct ipcb_chan_cfg *cfg)
{
	return cfg->broadcast;
}

int main(void)
{
	size_t n = ipcb_transport_count();
	char why[200];

	ok(n >= 2, "the registry lists %zu transports", n);
	for (size_t i = 0; i < n; i++) {
		const struct ipcb_transport *listed = ipcb_transport_at(i);
		const char *set = ipcb_transport_module_set(listed);
		const struct ipcb_transport *t = ipcb_transport_full(listed);

		/* A module's transport: listed without opening it, opened from this build's tree.
		 */
		if (set)
			ok(!t->unsupported && strcmp(t->name, listed->name) == 0 &&
			       ipcb_transport_at(i) == t && ipcb_transport_module_set(t) &&
			       strcmp(ipcb_transport_module_set(t), set) == 0,
			   "%s: its module ipcb-%s.so opens%s%s", listed->name, set,
			   t->unsupported ? ": " : "", t->unsupported ? t->unsupported : "");
		why[0] = '\0';
		ok(ipcb_transport_check(t, why, sizeof(why)) == 0, "%s keeps the contract%s%s",
		   t->name, why[0] ? ": " : "", why);
		ok(ipcb_transport_find(t->name) == t, "%s is found by its name", t->name);
		if (t->rides_on)
			ok(ipcb_transport_find(t->rides_on) != NULL,
			   "%s rides on %s, a transport of the registry", t->name, t->rides_on);
		for (size_t j = 0; j < i; j++)
			if (strcmp(ipcb_transport_at(j)->name, t->name) == 0)
				ok(0, "%s is registered twice", t->name);
	}
	ok(ipcb_transport_at(n) == NULL, "past the end is NULL");

	/* Options: parsed against the table, every bad key or value named, defaults applied. */
	{
		static const struct ipcb_option opts[] = {
		    {.key = "hwm",
		     .type = IPCB_OPT_UINT,
		     .def = "1000",
		     .min = 1,
		     .max = 100000,
		     .help = "queue depth"},
		    {.key = "tcp", .type = IPCB_OPT_BOOL, .def = "0", .help = "use TCP"},
		    {.key = "btl",
		     .type = IPCB_OPT_CHOICE,
		     .def = "vader",
		     .choices = "vader|tcp",
		     .help = "transport layer"},
		    {.key = NULL}};
		static const struct ipcb_transport with = {.name = "with-opts",
							   .summary = "x",
							   .unsupported = "not here",
							   .options = opts};
		static const struct ipcb_option bad_def[] = {{.key = "n",
							      .type = IPCB_OPT_UINT,
							      .def = "0",
							      .min = 1,
							      .max = 9,
							      .help = "h"},
							     {.key = NULL}};
		static const struct ipcb_transport broken = {
		    .name = "broken-opts", .summary = "x", .unsupported = "no", .options = bad_def};
		static const struct ipcb_option bad_tune_opts[] = {{.key = "n",
								    .type = IPCB_OPT_UINT,
								    .def = "1",
								    .min = 1,
								    .max = 9,
								    .tune = "4|10",
								    .help = "h"},
								   {.key = NULL}};
		static const struct ipcb_transport bad_tune = {.name = "bad-tune",
							       .summary = "x",
							       .unsupported = "no",
							       .options = bad_tune_opts};
		uint64_t vals[IPCB_MAX_OPTIONS], v = 0;
		unsigned idx = 9;
		char text[128];

		ok(ipcb_transport_check(&with, why, sizeof(why)) == 0,
		   "a good options table passes");
		ok(ipcb_transport_check(&broken, why, sizeof(why)) == -EINVAL &&
		       strstr(why, "default"),
		   "a default outside its range is refused (%s)", why);
		ok(ipcb_transport_check(&bad_tune, why, sizeof(why)) == -EINVAL &&
		       strstr(why, "a value to tune: '10'"),
		   "a value --tune would try outside its range is refused (%s)", why);
		ok(ipcb_opt_parse(&with, "hwm", "50", &idx, &v, why, sizeof(why)) == 0 &&
		       idx == 0 && v == 50,
		   "a whole number in range");
		ok(ipcb_opt_parse(&with, "hwm", "0", &idx, &v, why, sizeof(why)) == -EINVAL &&
		       strstr(why, "'0'") && strstr(why, "1 to 100000"),
		   "below the range: named, with the range (%s)", why);
		ok(ipcb_opt_parse(&with, "hwm", "1k", &idx, &v, why, sizeof(why)) == -EINVAL,
		   "not a number (%s)", why);
		ok(ipcb_opt_parse(&with, "tcp", "2", &idx, &v, why, sizeof(why)) == -EINVAL &&
		       strstr(why, "0 or 1"),
		   "a switch takes 0 or 1 (%s)", why);
		ok(ipcb_opt_parse(&with, "btl", "tcp", &idx, &v, why, sizeof(why)) == 0 &&
		       idx == 2 && v == 1,
		   "a choice is its index");
		ok(ipcb_opt_parse(&with, "btl", "openib", &idx, &v, why, sizeof(why)) == -EINVAL &&
		       strstr(why, "vader|tcp"),
		   "a choice not offered lists the choices (%s)", why);
		ok(ipcb_opt_parse(&with, "depth", "1", &idx, &v, why, sizeof(why)) == -EINVAL &&
		       strstr(why, "hwm, tcp, btl"),
		   "an unknown key lists the keys (%s)", why);
		ipcb_opt_defaults(&with, vals);
		vals[1] = 1;
		ipcb_opt_text(&with, vals, text, sizeof(text));
		ok(strcmp(text, "hwm=1000 tcp=1 btl=vader") == 0,
		   "the row's text: every option with its value (%s)", text);
	}
	ok(ipcb_transport_find("no-such-transport") == NULL, "an unknown name is not found");
	{
		struct ipcb_err e = {0};

		ok(ipcb_errf(&e, -EIO, "createTopic", "create new topic failed\r\nFor more: %s",
			     "see\nthe log") == -EIO &&
		       strcmp(e.detail, "create new topic failed  For more: see the log") == 0,
		   "an error's detail is one line: its line breaks are spaces (%s)", e.detail);
	}

	/* The checker itself catches broken entries. */
	{
		static const struct ipcb_transport bad_name = {.name = "Bad_Name", .summary = "x"};
		static const struct ipcb_transport no_hooks = {
		    .name = "no-hooks", .summary = "x", .fixed_wait = IPCB_WAIT_BLOCK};
		static const struct ipcb_transport leaky = {
		    .name = "leaky",
		    .summary = "x",
		    .fixed_wait = IPCB_WAIT_BLOCK,
		    .setup = (int (*)(struct ipcb_chan *))1,
		    .open = (int (*)(struct ipcb_ep *))1,
		    .send = (int (*)(struct ipcb_ep *, const void *, size_t))1,
		    .recv = (int (*)(struct ipcb_ep *, void *, size_t))1,
		};
		static const struct ipcb_transport not_built = {
		    .name = "not-built", .summary = "x", .unsupported = "no such header here"};

		ok(ipcb_transport_check(&bad_name, why, sizeof(why)) == -EINVAL &&
		       strstr(why, "kebab-case"),
		   "a name that is not kebab-case is refused (%s)", why);
		ok(ipcb_transport_check(&no_hooks, why, sizeof(why)) == -EINVAL &&
		       strstr(why, "required"),
		   "missing hooks are refused (%s)", why);
		ok(ipcb_transport_check(&leaky, why, sizeof(why)) == -EINVAL &&
		       strstr(why, "teardown"),
		   "setup without teardown is refused (%s)", why);
		ok(ipcb_transport_check(&not_built, why, sizeof(why)) == 0,
		   "an entry that could not be built needs no hooks, only its reason");
	}

	/*
	 * One rule per capability: each broken entry below differs from a good one by exactly
	 * the fault its rule exists for, and the reason names it.
	 */
	{
#define HOOK(type) ((type)1)
#define HOOKS                                                                                      \
	.summary = "x", .fixed_wait = IPCB_WAIT_BLOCK, .open = HOOK(int (*)(struct ipcb_ep *)),    \
	.send = HOOK(int (*)(struct ipcb_ep *, const void *, size_t)),                             \
	.recv = HOOK(int (*)(struct ipcb_ep *, void *, size_t))
#define GOOD HOOKS, .path = IPCB_PATH_KERNEL_COPY
		static const struct ipcb_loan_ops all_loans = {
		    .acquire = HOOK(int (*)(struct ipcb_ep *, size_t, void **)),
		    .commit = HOOK(int (*)(struct ipcb_ep *, size_t)),
		    .peek = HOOK(int (*)(struct ipcb_ep *, void **, size_t *)),
		    .release = HOOK(int (*)(struct ipcb_ep *))};
		static const struct ipcb_loan_ops no_release = {
		    .acquire = HOOK(int (*)(struct ipcb_ep *, size_t, void **)),
		    .commit = HOOK(int (*)(struct ipcb_ep *, size_t)),
		    .peek = HOOK(int (*)(struct ipcb_ep *, void **, size_t *))};
		static const struct ipcb_loan_ops peek_only = {
		    .peek = HOOK(int (*)(struct ipcb_ep *, void **, size_t *))};
		static const struct ipcb_launch_ops runtime = {
		    .command = HOOK(int (*)(const struct ipcb_chan *, struct ipcb_launch_cmd *)),
		    .rank = HOOK(int (*)(void))};
		static const struct ipcb_launch_ops no_rank = {
		    .command = HOOK(int (*)(const struct ipcb_chan *, struct ipcb_launch_cmd *))};
#define LOANS	 .loans = &all_loans
#define LAUNCHED .launch = &runtime
		static const struct {
			struct ipcb_transport t;
			const char *why; /* NULL: the entry keeps the contract */
		} cases[] = {
		    {{.name = "good", GOOD}, NULL},
		    {{.name = "zc-good", GOOD, .caps = IPCB_CAP_ZEROCOPY, LOANS}, NULL},
		    {{.name = "zc-no-hooks", GOOD, .caps = IPCB_CAP_ZEROCOPY}, "acquire, commit"},
		    {{.name = "zc-no-release",
		      GOOD,
		      .caps = IPCB_CAP_ZEROCOPY,
		      .loans = &no_release},
		     "acquire, commit, peek and release"},
		    {{.name = "loans-no-cap", GOOD, LOANS}, "without the zerocopy capability"},
		    {{.name = "peek-only", GOOD, .loans = &peek_only},
		     "without the zerocopy capability"},
		    {{.name = "zc-no-send",
		      .summary = "x",
		      .fixed_wait = IPCB_WAIT_BLOCK,
		      .caps = IPCB_CAP_ZEROCOPY,
		      .open = HOOK(int (*)(struct ipcb_ep *)),
		      .recv = HOOK(int (*)(struct ipcb_ep *, void *, size_t)),
		      LOANS},
		     "open, send and recv are required"},
		    {{.name = "choice-and-fixed", GOOD, .caps = IPCB_CAP_WAIT_CHOICE},
		     "a wait choice and a fixed wait"},
		    {{.name = "no-wait",
		      .summary = "x",
		      .open = HOOK(int (*)(struct ipcb_ep *)),
		      .send = HOOK(int (*)(struct ipcb_ep *, const void *, size_t)),
		      .recv = HOOK(int (*)(struct ipcb_ep *, void *, size_t))},
		     "fixed_wait must say"},
		    {{.name = "state-no-setup", GOOD, .chan_priv_bytes = 8}, "no setup"},
		    {{.name = "null-zc", GOOD, .caps = IPCB_CAP_NO_DATA | IPCB_CAP_ZEROCOPY, LOANS},
		     "moves no data"},
		    {{.name = "no-path", HOOKS}, "no data path"},
		    {{.name = "null-path", GOOD, .caps = IPCB_CAP_NO_DATA}, "data path none"},
		    {{.name = "null-good", HOOKS, .caps = IPCB_CAP_NO_DATA, .path = IPCB_PATH_NONE},
		     NULL},
		    {{.name = "moves-none", HOOKS, .path = IPCB_PATH_NONE}, "data path none"},
		    {{.name = "self-twin", GOOD, .rides_on = "self-twin"}, "rides on itself"},
		    {{.name = "net-good",
		      GOOD,
		      .caps = IPCB_CAP_NETWORK,
		      .connect = HOOK(int (*)(struct ipcb_ep *, const struct ipcb_peers *))},
		     NULL},
		    {{.name = "net-no-connect", GOOD, .caps = IPCB_CAP_NETWORK},
		     "find each other in connect()"},
		    {{.name = "net-shared",
		      GOOD,
		      .caps = IPCB_CAP_NETWORK | IPCB_CAP_SHARED_BUFFER,
		      .connect = HOOK(int (*)(struct ipcb_ep *, const struct ipcb_peers *))},
		     "cannot share memory"},
		    {{.name = "net-dir",
		      GOOD,
		      .caps = IPCB_CAP_NETWORK | IPCB_CAP_USES_DIR,
		      .connect = HOOK(int (*)(struct ipcb_ep *, const struct ipcb_peers *))},
		     NULL},
		    {{.name = "launched-good", GOOD, .caps = IPCB_CAP_USES_DIR, LAUNCHED}, NULL},
		    {{.name = "launch-no-rank",
		      GOOD,
		      .caps = IPCB_CAP_USES_DIR,
		      .launch = &no_rank},
		     "command and rank hooks go together"},
		    {{.name = "launched-state",
		      GOOD,
		      .caps = IPCB_CAP_USES_DIR,
		      LAUNCHED,
		      .setup = HOOK(int (*)(struct ipcb_chan *)),
		      .teardown = HOOK(void (*)(struct ipcb_chan *)),
		      .chan_priv_bytes = 8},
		     "cannot share channel state"},
		    {{.name = "launched-no-dir", GOOD, LAUNCHED}, "uses-dir"},
		    {{.name = "launched-hosts",
		      GOOD,
		      .caps = IPCB_CAP_USES_DIR | IPCB_CAP_LAUNCH_HOSTS,
		      LAUNCHED},
		     NULL},
		    {{.name = "forked-hosts", GOOD, .caps = IPCB_CAP_LAUNCH_HOSTS},
		     "launch-hosts is a runtime's"},
		    {{.name = "bcast-good", GOOD, .caps = IPCB_CAP_BROADCAST}, NULL},
		    {{.name = "bcast-lossy-good",
		      GOOD,
		      .caps = IPCB_CAP_BROADCAST | IPCB_CAP_LOSSY,
		      .lossy = HOOK(bool (*)(const struct ipcb_chan_cfg *))},
		     NULL},
		    {{.name = "bcast-launched",
		      GOOD,
		      .caps = IPCB_CAP_USES_DIR | IPCB_CAP_BROADCAST,
		      LAUNCHED},
		     "a runtime starts one sender and one receiver"},
		    {{.name = "bcast-null",
		      HOOKS,
		      .caps = IPCB_CAP_NO_DATA | IPCB_CAP_BROADCAST,
		      .path = IPCB_PATH_NONE},
		     "moves no data"},
		    {{.name = "lossy-hook-no-cap",
		      GOOD,
		      .caps = IPCB_CAP_BROADCAST,
		      .lossy = HOOK(bool (*)(const struct ipcb_chan_cfg *))},
		     "it needs the lossy capability"},
		};
#undef HOOK
#undef GOOD
#undef HOOKS
#undef LOANS
#undef LAUNCHED

		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			int rc;

			why[0] = '\0';
			rc = ipcb_transport_check(&cases[i].t, why, sizeof(why));
			if (!cases[i].why)
				ok(rc == 0, "%s keeps the contract%s%s", cases[i].t.name,
				   why[0] ? ": " : "", why);
			else
				ok(rc == -EINVAL && strstr(why, cases[i].why) &&
				       strstr(why, cases[i].t.name),
				   "%s is refused: %s", cases[i].t.name, why);
		}
	}

	/* Which runs may lose a message: the capability, narrowed by its hook where it has one. */
	{
		static const struct ipcb_transport strict = {.name = "strict",
							     .caps = IPCB_CAP_BROADCAST},
						   lossy = {.name = "lossy",
							    .caps = IPCB_CAP_LOSSY},
						   narrowed = {.name = "narrowed",
							       .caps = IPCB_CAP_LOSSY |
								       IPCB_CAP_BROADCAST,
							       .lossy = drops_when_broadcasting};
		struct ipcb_chan_cfg pair = {.receivers = 1},
				     all = {.receivers = 3, .broadcast = true};

		ok(!ipcb_transport_lossy(&strict, &pair) && !ipcb_transport_lossy(&strict, &all),
		   "without the lossy capability no run may lose a message");
		ok(ipcb_transport_lossy(&lossy, &pair) && ipcb_transport_lossy(&lossy, &all),
		   "with it and no hook, every run may");
		ok(!ipcb_transport_lossy(&narrowed, &pair) && ipcb_transport_lossy(&narrowed, &all),
		   "with a hook, the runs it names (a broadcast) may, the others stay strict");
	}
	return tap_done();
}
