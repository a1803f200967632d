/* SPDX-License-Identifier: MIT */
/* csvschema.c - the CSV column table and the record writer; see csvschema.h. */
#include "csvschema.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "format.h"
#include "parse.h"

#define TEXT(nm, empty_, what_)                                                                    \
	{                                                                                          \
		.name = nm, .unit = "", .how = IPCB_CSV_TEXT, .empty = empty_, .what = what_       \
	}
#define INTEGER(nm, unit_, empty_, what_)                                                          \
	{                                                                                          \
		.name = nm, .unit = unit_, .how = IPCB_CSV_INTEGER, .empty = empty_, .what = what_ \
	}
#define DECIMAL(nm, unit_, digits_, empty_, what_)                                                 \
	{                                                                                          \
		.name = nm, .unit = unit_, .how = IPCB_CSV_DECIMAL, .digits = digits_,             \
		.empty = empty_, .what = what_                                                     \
	}

/* What an empty field says, in the words the table uses most. */
#define NOT_MEASURED "not measured"
#define NOT_KNOWN    "not known on this machine"
#define NOT_PEER     "not a two-host row, or not known there"
#define NOT_COUNTED  "a counted row (`--count`): its times are callgrind's, not the run's"
#define NO_SWITCHES  "a row of no run of its own (`host_pair`)"

/* clang-format off */
static_assert(IPCB_COL_MAX_NS == IPCB_COL_MIN_NS + 1 + IPCB_NPCT,
	      "ipcb_csv_pct_col(): the percentiles' columns lie between min_ns and max_ns");

const struct ipcb_csv_col ipcb_csv_cols[IPCB_CSV_NCOLS] = {
    [IPCB_COL_TRANSPORT] = TEXT("transport", NULL,
	"the transport measured (`ipcbench --list`), `null` or a `floor-*` row"),
    [IPCB_COL_MODE] = TEXT("mode", NULL,
	"`latency` (requests and replies), `throughput` (a one-way stream) or `bistream` (streams "
	"both ways at once)"),
    [IPCB_COL_SIZE_BYTES] = INTEGER("size_bytes", "bytes", NULL, "payload of each message"),
    [IPCB_COL_RUN] = INTEGER("run", "", NULL,
	"the round the row was measured in, as `round` (`--repeat` rounds, numbered from "
	"`--first-round`)"),
    [IPCB_COL_MESSAGES] = INTEGER("messages", "messages", NULL,
	"measured messages (round trips in latency mode; samples in the histogram for one-way "
	"rows)"),
    [IPCB_COL_LATENCY_KIND] = TEXT("latency_kind", "a stream's own row (no latencies)",
	"`rtt`, `one_way_ab`, `one_way_ba` (latency mode: one round trip per 100 us at the "
	"warm-up's pace, at most every 16th, unless `--one-way-every` says otherwise; bistream), `one_way` (a stream's every "
	"16th message; every message in an open loop; a broadcast's to every receiver, all "
	"together), `one_way_slowest` (a broadcast's to its slowest receiver: the one whose median "
	"was the highest), `one_way_last` (a broadcast's to the last receiver each sampled message "
	"reached: its latest arrival less its send time), `send_lag` (an open loop's sends against "
	"their intended times), `send_call` (an open-loop stream's send calls, with a slow "
	"consumer: `receiver_work_ns`) or `slo_rate` (a rate sweep's outcome: the highest offered rate at "
	"which its bound held, 0 when none did, as `msgs_per_s`, and for a stream `bytes_per_s`), or "
	"`count` (`--count`: the point's work signature, what each side does per message: the "
	"`*_instr_per_msg`, `*_syscalls_per_msg`, `syscalls` and `count_check` columns (callgrind), "
	"the `*_kernel_bytes_*_per_msg` columns (strace), `kernel_objects`, the "
	"`*_switches_per_msg` columns and `switches_per_run` (native runs), and `count_scope`; no "
	"time is measured in such a row), or `host_pair` (`--hosts`: a pair of hosts of its schedule, "
	"measured or failed: `host`, `peer_host`, `hosts_slot`, `error`; no value of its own)"),
    [IPCB_COL_MIN_NS] = INTEGER("min_ns", "ns", NOT_MEASURED, "smallest latency"),
#define PCT_COLUMN(id, value, label, drop, what_)                                                  \
	[IPCB_COL_P##id##_NS] = INTEGER("p" #id "_ns", "ns", NOT_MEASURED, what_),
    IPCB_PERCENTILES(PCT_COLUMN)
#undef PCT_COLUMN
    [IPCB_COL_MAX_NS] = INTEGER("max_ns", "ns", NOT_MEASURED, "largest latency"),
    [IPCB_COL_MEAN_NS] = DECIMAL("mean_ns", "ns", 1, NOT_MEASURED, "mean latency"),
    [IPCB_COL_STDDEV_NS] = DECIMAL("stddev_ns", "ns", 1, NOT_MEASURED,
	"standard deviation of the latencies"),
    [IPCB_COL_MSGS_PER_S] = DECIMAL("msgs_per_s", "1/s", 1, "not measured (one-way rows)",
	"messages per second (round trips per second in latency mode)"),
    [IPCB_COL_BYTES_PER_S] = DECIMAL("bytes_per_s", "bytes/s", 1,
	"not measured (latency rows, one-way rows, transports that move no data)",
	"payload bytes per second of a stream, timed at the receiver"),
    [IPCB_COL_SENDER_CPU] = INTEGER("sender_cpu", "", "not pinned",
	"CPU the sender was pinned to"),
    [IPCB_COL_RECEIVER_CPU] = INTEGER("receiver_cpu", "", "not pinned",
	"CPU the receiver was pinned to"),
    [IPCB_COL_PLACEMENT] = TEXT("placement", NULL,
	"`cross-core`, `same-core`, `unpinned`, or `two-host` (`--peer`: the sender on this host, "
	"the receiver on the peer; `sender_cpu` is here, `receiver_cpu` there)"),
    [IPCB_COL_WAIT] = TEXT("wait", NULL,
	"how a reader waited: `spin`, `block` or `hybrid` (`none` for the memcpy floor)"),
    [IPCB_COL_CHUNK_BYTES] = INTEGER("chunk_bytes", "bytes", NULL,
	"bytes per send or receive call (less than the size where the mechanism carries less)"),
    [IPCB_COL_SENDER_CPU_S] = DECIMAL("sender_cpu_s", "s", 6, NOT_COUNTED,
	"CPU time (user + system) of the sender over its measured phase"),
    [IPCB_COL_RECEIVER_CPU_S] = DECIMAL("receiver_cpu_s", "s", 6, NOT_COUNTED,
	"CPU time (user + system) of the receiver over its measured phase"),
    [IPCB_COL_CTX_SWITCHES_PER_MSG] = DECIMAL("ctx_switches_per_msg", "", 4, NOT_COUNTED,
	"context switches of both sides per message"),
    [IPCB_COL_SENDER_CPU_NS_PER_MSG] = DECIMAL("sender_cpu_ns_per_msg", "ns", 1, NOT_COUNTED,
	"the sender's CPU time per message"),
    [IPCB_COL_RECEIVER_CPU_NS_PER_MSG] = DECIMAL("receiver_cpu_ns_per_msg", "ns", 1, NOT_COUNTED,
	"the receiver's CPU time per message"),
    [IPCB_COL_X_FLOOR] = DECIMAL("x_floor", "", 3, "no ceiling measured for this row",
	"the row as a multiple of its ceiling, named in `ceiling`: a round trip's median over the "
	"ceiling's, a stream's ceiling over its rate (1: at the ceiling; 2: half as fast as the "
	"machine allows)"),
    [IPCB_COL_CEILING] = TEXT("ceiling", "no ceiling measured for this row (`--no-probes`, or "
	"not pinned)",
	"what the machine allows the row through this harness, measured beside it, by its parts: "
	"a stream each message copied at the rate of its placement (once at `floor-xcopy`'s on two "
	"CPUs, twice at `floor-memcpy`'s on one, where the writer's and the reader's copies take "
	"turns), on two CPUs at least the hand-over of each message (`floor-handover`: messages of "
	"a line, each announced on its own, where that takes longer than the copy, as for small "
	"messages); a round trip the cache-line round trip where its sides poll "
	"(`floor-cacheline`, else the probe's, `probe-cacheline`) or the wake-up round trip where "
	"a side sleeps (0.5 voluntary switches a message or more: `floor-futex`, else "
	"`probe-wakeup`), plus its payload's copies each way (`+floor-xcopy`); where its "
	"transport's messages take system calls (`ipcbench --list NAME`), each at the cheapest "
	"call's time (`floor-syscall`: on two CPUs a stream's reader's copy and calls, or its "
	"writer's calls, where they take longer than the hand-over; on one both sides' beside the "
	"copies; a polled round trip both sides' each way; beside a wake-up, itself a call on each "
	"side, each side's others); all plus the harness's own time per message (`+harness`, the "
	"row's `harness_ns`); a one-way row half of its round trip's"),
    [IPCB_COL_CLOCK_SKEW_BOUND_NS] = INTEGER("clock_skew_bound_ns", "ns", "not a one-way row",
	"bound on the two CPUs' clock disagreement, from the clock check (two hosts: on the error "
	"of the two clocks' measured offset over the run)"),
    [IPCB_COL_ELAPSED_S] = DECIMAL("elapsed_s", "s", 6, NOT_COUNTED, "the measured interval"),
    [IPCB_COL_WARMUP] = INTEGER("warmup", "messages", NULL,
	"unrecorded messages before measuring"),
    [IPCB_COL_WORK_NS] = INTEGER("work_ns", "ns", NULL,
	"busy work per message on each side (`--work-ns`)"),
    [IPCB_COL_SPIN_POLLS] = INTEGER("spin_polls", "", "not a hybrid wait",
	"polls of a hybrid wait before it sleeps"),
    [IPCB_COL_FSYNC] = INTEGER("fsync", "", NULL, "1 when `--fsync` applied, else 0"),
    [IPCB_COL_BUFFER_BYTES] = INTEGER("buffer_bytes", "bytes",
	"not known (the transport does not say)",
	"kernel or shared memory the channel reserved for messages in flight"),
    [IPCB_COL_CHANNEL] = TEXT("channel", "the transport does not say",
	"how the channel held messages (ring or slots, count and size)"),
    [IPCB_COL_FULL_CHECKS] = INTEGER("full_checks", "messages", NULL,
	"messages whose every byte was compared"),
    [IPCB_COL_VERIFY] = TEXT("verify", "a row that moves no message",
	"the `--verify` level: `headers`, `sampled` or `full`"),
    [IPCB_COL_SEGMENTS_PER_MSG] = DECIMAL("segments_per_msg", "", 4,
	"not counted (only TCP counts them)",
	"network segments carrying data that the sender sent per message"),
    [IPCB_COL_INFLIGHT] = INTEGER("inflight", "requests", "not a transport's latency run",
	"requests kept outstanding (`--inflight`; 1: ping-pong)"),
    [IPCB_COL_PAIRS] = INTEGER("pairs", "", "not a transport's run (floors)",
	"independent sender/receiver pairs run at once, a channel each (`--pairs`)"),
    [IPCB_COL_TOPOLOGY] = TEXT("topology", "not a transport's run (floors)",
	"senders:receivers sharing one channel (`--topology`: 1:1, 1:N fan-out, N:1 fan-in); "
	"`1:N all` when every receiver got every message (`--deliver all`, publish-subscribe)"),
    [IPCB_COL_SIDES_PER_CPU] = INTEGER("sides_per_cpu", "", "not pinned, or a floor",
	"the most sides pinned to one CPU; above 1 they take turns on it"),
    [IPCB_COL_ARRIVALS] = TEXT("arrivals", "a closed loop",
	"how an open loop spaces its sends: `fixed` or `poisson` (`--arrivals`)"),
    [IPCB_COL_OFFERED_RATE] = DECIMAL("offered_rate", "1/s", 1, "a closed loop",
	"messages per second the senders offered, all together (`--rate`); latencies count from "
	"each message's intended send time"),
    [IPCB_COL_ACHIEVED_RATE] = DECIMAL("achieved_rate", "1/s", 1, "a closed loop",
	"messages per second that got through, first to last (replies in latency mode)"),
    [IPCB_COL_LATE] = INTEGER("late", "messages", "a closed loop",
	"open-loop sends that started more than one interval after their intended time"),
    [IPCB_COL_LOSSES] = INTEGER("losses", "messages",
	"not counted (closed loops of one sender and one receiver, where a lost message fails the "
	"run's check)",
	"messages sent while measuring and never received"),
    [IPCB_COL_BYTES_PER_S_AB] = DECIMAL("bytes_per_s_ab", "bytes/s", 1, "not a bistream",
	"a bistream's sender-to-receiver direction (`bytes_per_s` is both together)"),
    [IPCB_COL_BYTES_PER_S_BA] = DECIMAL("bytes_per_s_ba", "bytes/s", 1, "not a bistream",
	"a bistream's receiver-to-sender direction"),
    [IPCB_COL_PAIR_MIN_MSGS_PER_S] = DECIMAL("pair_min_msgs_per_s", "1/s", 1,
	"one pair, or not a rate row", "the slowest pair's messages per second (`--pairs`)"),
    [IPCB_COL_PAIR_MAX_MSGS_PER_S] = DECIMAL("pair_max_msgs_per_s", "1/s", 1,
	"one pair, or not a rate row", "the fastest pair's messages per second"),
    [IPCB_COL_OPTIONS] = TEXT("options", "the transport has no options (or not a transport's row)",
	"the transport's own options with their values, defaults included (`-o NAME.KEY=VALUE`; "
	"`--list NAME`)"),
    [IPCB_COL_LIBRARY] = TEXT("library", "built on no library but the C library (or not a "
	"transport's row)",
	"the library the transport is built on and the version the run used, and its server's "
	"(`zmq 4.3.4`)"),
    [IPCB_COL_HOPS] = TEXT("hops", "not a transport's row",
	"what lies between the endpoints: `direct`, `via I/O thread` (a library thread in each "
	"process), `via daemon` (a server relays every message), `via broker`, `via ORB` and `via "
	"JVM` (an ORB's or the JVM's RMI thread receives each call and hands it to the receiver)"),
    [IPCB_COL_SERVER_CPU] = INTEGER("server_cpu", "", "no server process, or not pinned",
	"CPU the transport's server process was pinned to (`--server-cpu`; default the "
	"receiver's)"),
    [IPCB_COL_SERVER_CPU_NS_PER_MSG] = DECIMAL("server_cpu_ns_per_msg", "ns", 1,
	"no server process",
	"the server process's CPU time (all its threads) per message over the whole run, set-up "
	"and warm-up included, divided by every message of the run"),
    [IPCB_COL_NET_PATH] = TEXT("net_path", "not a two-host row",
	"two hosts (`--peer`): the network between the sides, each end's address, device, MTU and "
	"link speed, and the control connection's fastest round trip"),
    [IPCB_COL_TIMESTAMP] = TEXT("timestamp", NULL, "when the row was written, UTC (ISO 8601)"),
    [IPCB_COL_HOST] = TEXT("host", NOT_KNOWN, "host name"),
    [IPCB_COL_KERNEL] = TEXT("kernel", NOT_KNOWN, "kernel release"),
    [IPCB_COL_CPU_MODEL] = TEXT("cpu_model", NOT_KNOWN, "CPU model"),
    [IPCB_COL_GOVERNOR] = TEXT("governor", NOT_KNOWN, "cpufreq governor of the first CPU"),
    [IPCB_COL_BOOST] = TEXT("boost", NOT_KNOWN, "frequency boost: `on` or `off`"),
    [IPCB_COL_SMT] = TEXT("smt", NOT_KNOWN,
	"simultaneous multithreading: `on`, `off` or `notsupported`"),
    [IPCB_COL_THP] = TEXT("thp", NOT_KNOWN,
	"transparent huge pages: `always`, `madvise` or `never`"),
    [IPCB_COL_ISOLATED_CPUS] = TEXT("isolated_cpus", "none isolated, or not known",
	"isolated CPUs (`isolcpus`)"),
    [IPCB_COL_LOADAVG] = DECIMAL("loadavg", "", 2, NULL,
	"1-minute load average when ipcbench started"),
    [IPCB_COL_VIRTUALIZATION] = TEXT("virtualization", NOT_KNOWN, "hypervisor vendor, or `none`"),
    [IPCB_COL_BUILD_TYPE] = TEXT("build_type", NOT_KNOWN, "meson build type of ipcbench"),
    [IPCB_COL_VERSION] = TEXT("version", NOT_KNOWN, "ipcbench version (`git describe`)"),
    [IPCB_COL_PEER_HOST] = TEXT("peer_host", NOT_PEER,
	"two hosts (`--peer`): the host the receiver ran on (`host` is the sender's)"),
    [IPCB_COL_PEER_KERNEL] = TEXT("peer_kernel", NOT_PEER, "the peer's kernel release"),
    [IPCB_COL_PEER_CPU_MODEL] = TEXT("peer_cpu_model", NOT_PEER, "the peer's CPU model"),
    [IPCB_COL_PEER_GOVERNOR] = TEXT("peer_governor", NOT_PEER,
	"the peer's cpufreq governor of its first CPU"),
    [IPCB_COL_PEER_BOOST] = TEXT("peer_boost", NOT_PEER, "the peer's frequency boost"),
    [IPCB_COL_PEER_SMT] = TEXT("peer_smt", NOT_PEER, "the peer's simultaneous multithreading"),
    [IPCB_COL_PEER_THP] = TEXT("peer_thp", NOT_PEER, "the peer's transparent huge pages"),
    [IPCB_COL_PEER_ISOLATED_CPUS] = TEXT("peer_isolated_cpus", "not a two-host row, or none "
	"isolated", "the peer's isolated CPUs"),
    [IPCB_COL_PEER_LOADAVG] = DECIMAL("peer_loadavg", "", 2, NOT_PEER,
	"the peer's 1-minute load average when the driver reached it"),
    [IPCB_COL_PEER_VIRTUALIZATION] = TEXT("peer_virtualization", NOT_PEER,
	"the peer's hypervisor vendor, or `none`"),
    [IPCB_COL_PEER_BUILD_TYPE] = TEXT("peer_build_type", NOT_PEER,
	"meson build type of the peer's ipcbench"),
    [IPCB_COL_PEER_VERSION] = TEXT("peer_version", NOT_PEER,
	"the peer's ipcbench version (the same as `version`: a mismatch is refused)"),
    [IPCB_COL_ROUND] = INTEGER("round", "", NULL,
	"the round the row was measured in, from 1: a round runs every point of the plan once, in "
	"an order shuffled anew for each round (`--repeat` rounds, `--seed`)"),
    [IPCB_COL_SEED] = INTEGER("seed", "", NULL,
	"the seed of the rounds' shuffled order (`--seed`): the same seed, the same order"),
    [IPCB_COL_PROBE_CACHELINE_NS] = INTEGER("probe_cacheline_ns", "ns",
	"no probe ran (`--no-probes`, or a two-host row)",
	"the machine's state beside the row: median cache-line round trip between the row's CPUs, "
	"both sides spinning, probed just before the row's run"),
    [IPCB_COL_PROBE_WAKEUP_NS] = INTEGER("probe_wakeup_ns", "ns",
	"no probe ran (`--no-probes`, or a two-host row)",
	"the machine's state beside the row: median round trip of two blocking wake-ups (futex) "
	"between the row's CPUs, probed at most a second before the row's run"),
    [IPCB_COL_RUN_SPREAD] = DECIMAL("run_spread", "", 4, "not a latency row",
	"the spread within the run: the interquartile range of its latencies over their median"),
    [IPCB_COL_STATE] = TEXT("state", "nothing flagged",
	"what was flagged about the machine's state: `below-floor` (faster than its probe's "
	"cache-line round trip allows), `probe-jump` (a probe was half or twice the run's usual: "
	"the CPUs shared a core, or a wake-up found another state), `state-changed` (the "
	"cache-line probe after the run was half or twice the one before), `;`-separated"),
    [IPCB_COL_OFFERED_FRACTION] = DECIMAL("offered_fraction", "", 2,
	"not a rate sweep's row",
	"a rate sweep's offered rate as a fraction of its round's closed-loop maximum (0.10, "
	"0.20, ...): rows of different runs are matched by it; 1.00 with no `offered_rate`: the "
	"sweep's closed-loop maximum itself, a row of the sweep's and of no closed-loop group"),
    [IPCB_COL_PROBE_CACHELINE_AFTER_NS] = INTEGER("probe_cacheline_after_ns", "ns",
	"no probe ran (`--no-probes`, or a two-host row)",
	"the cache-line round trip probed just after the row's run, as `probe_cacheline_ns` "
	"before it: the two differ when the machine changed while the row ran"),
    [IPCB_COL_DATA_PATH] = TEXT("data_path", "not a transport's row",
	"how the run's bytes moved, as the transport declares it: `shared-memory` (memory both "
	"processes map; the mechanism only notifies), `kernel-copy` (the kernel copies them), "
	"`network-stack` (the IP stack), `page-cache` (a file's pages), `none` (null)"),
    [IPCB_COL_RIDES_ON] = TEXT("rides_on", "rides on no other transport",
	"the transport this one is measured against: the raw socket or ring a framework or "
	"broker client runs over, or a zero-copy variant's copying original (`tcp`)"),
    [IPCB_COL_RECEIVER_WORK_NS] = INTEGER("receiver_work_ns", "ns", NULL,
	"busy work per message on the receiving side alone (`--receiver-work-ns`), beyond "
	"`work_ns`: a slow consumer"),
    [IPCB_COL_TUNING] = TEXT("tuning", "the transport's defaults",
	"the transport's options away from its defaults, set by `-o` or tried by `--tune` "
	"(`write=16384`): the row measures the mechanism tuned so"),
    [IPCB_COL_CPU_TOPOLOGY] = TEXT("cpu_topology", "not pinned, or hwloc could not read the machine",
	"what the sender's and the receiver's CPUs share, from hwloc: `same` (one CPU), `smt` "
	"(two hardware threads of one core), `cache L2`/`cache L3` (cores sharing that cache), "
	"`node` (one NUMA node, no shared cache), `remote-node distance D` (two nodes), or "
	"`unknown`"),
    [IPCB_COL_DELIVERIES_PER_S] = DECIMAL("deliveries_per_s", "1/s", 1,
	"not a broadcast's rate row (`--deliver all`)",
	"a broadcast's fan-out: the messages every receiver took, all together, per second over "
	"the span `msgs_per_s` (what the sender published) is measured over; `msgs_per_s` times "
	"the receivers when none was lost"),
    [IPCB_COL_ZEROCOPY_COPIED] = DECIMAL("zerocopy_copied", "", 4,
	"not a transport that sends zero-copy, or one that cannot tell",
	"of the sends a zero-copy transport made without a copy, the share the kernel copied "
	"after all (MSG_ZEROCOPY on loopback copies every one): 0 is zero-copy that happened"),
    [IPCB_COL_SENDER_INSTR_PER_MSG] = DECIMAL("sender_instr_per_msg", "", 1, "not a counted row",
	"a counted row (`--count`): the user-space instructions the sender executed per message in "
	"its measured part, its waits left out"),
    [IPCB_COL_RECEIVER_INSTR_PER_MSG] = DECIMAL("receiver_instr_per_msg", "", 1,
	"not a counted row", "the same for the receiver"),
    [IPCB_COL_SENDER_TRANSPORT_INSTR_PER_MSG] = DECIMAL("sender_transport_instr_per_msg", "", 1,
	"not a counted row",
	"of `sender_instr_per_msg`, those executed inside the transport's hooks (its code and the "
	"libraries it calls); the rest are the harness's"),
    [IPCB_COL_RECEIVER_TRANSPORT_INSTR_PER_MSG] = DECIMAL("receiver_transport_instr_per_msg", "",
	1, "not a counted row", "the same for the receiver"),
    [IPCB_COL_SENDER_SYSCALLS_PER_MSG] = DECIMAL("sender_syscalls_per_msg", "", 4,
	"not a counted row",
	"a counted row: the system calls the sender made per message, its waits left out (clock "
	"reads, which need none outside callgrind, left out too)"),
    [IPCB_COL_RECEIVER_SYSCALLS_PER_MSG] = DECIMAL("receiver_syscalls_per_msg", "", 4,
	"not a counted row", "the same for the receiver"),
    [IPCB_COL_SYSCALLS] = TEXT("syscalls", "not a counted row",
	"a counted row: each side's system calls per message by name, \"sender: write 1; receiver: "
	"read 1\""),
    [IPCB_COL_COUNT_CHECK] = TEXT("count_check", "not a counted row",
	"a counted row: `exact` when counting the point again with each side slowed every other "
	"message gave the "
	"same counts (within 0.1%), else `timing-dependent:` and what moved: a wait its transport "
	"does not mark, whose counts are then not the work per message"),
    [IPCB_COL_SERVER_START_MS] = DECIMAL("server_start_ms", "ms", 1, "no server process",
	"how long the transport's server took to start, once per invocation: from its start until "
	"it answered (a broker's storage formatted, its JVM's classes loaded), the same on every "
	"row of the invocation"),
    [IPCB_COL_SERVER_RSS_BYTES] = INTEGER("server_rss_bytes", "bytes", "no server process",
	"the resident memory of the transport's server and every process it started (a name "
	"server beside a broker, an Erlang port program), together, read after the row's run"),
    [IPCB_COL_HOSTS_SLOT] = INTEGER("hosts_slot", "", "not a run of --hosts",
	"`--hosts`: the slot of its schedule the row's pair of hosts ran in (`host` the sender's, "
	"`peer_host` the receiver's; the same host twice: its own loopback); the rows of one slot "
	"ran at the same time, on pairs that share no host"),
    [IPCB_COL_ERROR] = TEXT("error", "no failure",
	"a `host_pair` row (`--hosts`: one for each ordered pair of hosts and each host's own "
	"loopback, whatever happened) whose pair failed: which host and what failed; its rows, "
	"where any were measured, are kept"),
    [IPCB_COL_SENDER_VOLUNTARY_SWITCHES_PER_MSG] = DECIMAL("sender_voluntary_switches_per_msg",
	"", 4, NO_SWITCHES,
	"the sender's voluntary context switches per message over its measured phase: it gave "
	"up its CPU to wait (a blocking call, a sleep), so a reader at or above 0.5 sleeps for "
	"its messages"),
    [IPCB_COL_SENDER_INVOLUNTARY_SWITCHES_PER_MSG] = DECIMAL(
	"sender_involuntary_switches_per_msg", "", 4, NO_SWITCHES,
	"the sender's involuntary context switches per message: the scheduler took its CPU "
	"(another process or side wanted it), which says more of the machine than of the code"),
    [IPCB_COL_RECEIVER_VOLUNTARY_SWITCHES_PER_MSG] = DECIMAL(
	"receiver_voluntary_switches_per_msg", "", 4, NO_SWITCHES, "the same for the receiver"),
    [IPCB_COL_RECEIVER_INVOLUNTARY_SWITCHES_PER_MSG] = DECIMAL(
	"receiver_involuntary_switches_per_msg", "", 4, NO_SWITCHES, "the same for the receiver"),
    [IPCB_COL_SWITCHES_PER_RUN] = TEXT("switches_per_run", "not a counted row, or no native run",
	"a counted row: each side's voluntary and involuntary context switches per message in each "
	"of the native runs `--count` makes of the point (\"sender: voluntary 0.74 0.52 0.99 0.61 "
	"0.8, involuntary 0 0 0.002 0 0; receiver: ...\"): the spread of runs of one build, which "
	"a comparison of two builds is judged against; the `*_switches_per_msg` columns of a counted "
	"row are their medians"),
    [IPCB_COL_SENDER_KERNEL_BYTES_OUT_PER_MSG] = DECIMAL("sender_kernel_bytes_out_per_msg", "bytes",
	1, "not a counted row, or no trace (strace)",
	"a counted row: the bytes the sender handed to the kernel per message in its measured part "
	"(what its writes, sends, queue sends and splices moved, as their results say), traced "
	"under strace; exact"),
    [IPCB_COL_SENDER_KERNEL_BYTES_IN_PER_MSG] = DECIMAL("sender_kernel_bytes_in_per_msg", "bytes",
	1, "not a counted row, or no trace (strace)",
	"a counted row: the bytes the sender took from the kernel per message (its reads, receives, "
	"queue receives): a round trip's replies"),
    [IPCB_COL_RECEIVER_KERNEL_BYTES_OUT_PER_MSG] = DECIMAL("receiver_kernel_bytes_out_per_msg",
	"bytes", 1, "not a counted row, or no trace (strace)", "the same for the receiver"),
    [IPCB_COL_RECEIVER_KERNEL_BYTES_IN_PER_MSG] = DECIMAL("receiver_kernel_bytes_in_per_msg",
	"bytes", 1, "not a counted row, or no trace (strace)", "the same for the receiver"),
    [IPCB_COL_KERNEL_OBJECTS] = TEXT("kernel_objects", "not a counted row, or no native run",
	"a counted row: each side's kernel objects as the transport set them up, read back from the "
	"kernel once the side connected (a pipe's buffer, a socket's family, buffers and options, a "
	"queue's depth, shared mappings and their sizes), and the System V queues and semaphores the "
	"run made: \"sender: pipe buffer 65536, ...; receiver: ...\"; exact"),
    [IPCB_COL_COUNT_SCOPE] = TEXT("count_scope", "not a counted row",
	"a counted row: `complete` when the signature holds every part of the point's work that "
	"ipcbench can see, else `partial:` and what is left out (a server's work in another "
	"process, no trace, io_uring's bytes): a gate times such a point"),
    [IPCB_COL_HARNESS_NS] = INTEGER("harness_ns", "ns",
	"not measured (`--no-probes`, a floor, a counted or two-host row, or a shape the null "
	"transport cannot run: several sides, requests in flight, a rate)",
	"the harness's own time per message beside the row: the null transport (which moves "
	"nothing) run just after it with the row's size, mode, payload checks (`--verify`), "
	"one-way sampling and CPUs; its p50 round trip is what both sides' loops add inside each "
	"timed round trip (the sender's clock read, the stamp, the calls around the mechanism, and "
	"the echo side's calls and turn, which the null sender runs itself; the checks come "
	"between samples), and a stream's is the sender's loop time per message (on one CPU, "
	"where the two sides take turns, the sender's and the receiver's: the null sender "
	"checks each message as the receiver would)"),
};
/* clang-format on */

const struct ipcb_csv_metric ipcb_csv_metrics[IPCB_CSV_NMETRICS] = {
    {IPCB_COL_BYTES_PER_S, false},
    {IPCB_COL_MSGS_PER_S, false},
    {IPCB_COL_P50_NS, true},
    {IPCB_COL_P99_NS, true},
};

int ipcb_csv_metric_parse(const char *name, const struct ipcb_csv_metric **out, const char *what,
			  char *err, size_t errlen)
{
	for (size_t m = 0; m < IPCB_CSV_NMETRICS; m++)
		if (strcmp(name, ipcb_csv_name(ipcb_csv_metrics[m].column)) == 0) {
			*out = &ipcb_csv_metrics[m];
			return 0;
		}
	return ipcb_parse_fail(
	    err, errlen, "%s: '%s' is not one of %s, %s, %s, %s", what, name,
	    ipcb_csv_name(ipcb_csv_metrics[0].column), ipcb_csv_name(ipcb_csv_metrics[1].column),
	    ipcb_csv_name(ipcb_csv_metrics[2].column), ipcb_csv_name(ipcb_csv_metrics[3].column));
}

/* Named from the table: a renamed column renames itself in every command's help. */
void ipcb_csv_metric_help(char *out, size_t n)
{
	snprintf(
	    out, n, "%s (default), %s (higher is better),\n%s or %s (lower is better)",
	    ipcb_csv_name(ipcb_csv_metrics[0].column), ipcb_csv_name(ipcb_csv_metrics[1].column),
	    ipcb_csv_name(ipcb_csv_metrics[2].column), ipcb_csv_name(ipcb_csv_metrics[3].column));
}

const char *ipcb_csv_name(enum ipcb_csv_column c)
{
	return (unsigned)c < IPCB_CSV_NCOLS && ipcb_csv_cols[c].name ? ipcb_csv_cols[c].name : "";
}

int ipcb_csv_find(const char *name)
{
	for (int c = 0; c < IPCB_CSV_NCOLS; c++)
		if (ipcb_csv_cols[c].name && strcmp(ipcb_csv_cols[c].name, name) == 0)
			return c;
	return -1;
}

bool ipcb_csv_is_machine(enum ipcb_csv_column c)
{
	switch (c) {
	case IPCB_COL_HOST:
	case IPCB_COL_KERNEL:
	case IPCB_COL_CPU_MODEL:
	case IPCB_COL_GOVERNOR:
	case IPCB_COL_BOOST:
	case IPCB_COL_SMT:
	case IPCB_COL_THP:
	case IPCB_COL_ISOLATED_CPUS:
	case IPCB_COL_LOADAVG:
	case IPCB_COL_VIRTUALIZATION:
	case IPCB_COL_BUILD_TYPE:
	case IPCB_COL_VERSION:
		return true;
	default:
		return false;
	}
}

const char *ipcb_csv_header(void)
{
	/* Built once, on first use; ipcbench's processes call it from one thread. */
	static char header[IPCB_CSV_HEADER_MAX + 1];
	size_t len = 0;

	if (header[0])
		return header;
	for (int c = 0; c < IPCB_CSV_NCOLS; c++) {
		const char *name = ipcb_csv_name((enum ipcb_csv_column)c);
		size_t n = strlen(name);

		/* The unit test checks the whole header fits; a cut one would be refused anyway. */
		if (len + n + 2 > sizeof(header))
			break;
		if (c)
			header[len++] = ',';
		memcpy(header + len, name, n);
		len += n;
	}
	header[len] = '\0';
	return header;
}

void ipcb_csv_record_init(struct ipcb_csv_record *rec)
{
	memset(rec, 0, sizeof(*rec));
	rec->misuse = -1;
}

/* Give column c a value of kind `how`, or remember that the table says otherwise. */
static struct ipcb_csv_value *record_slot(struct ipcb_csv_record *rec, enum ipcb_csv_column c,
					  enum ipcb_csv_how how)
{
	if ((unsigned)c >= IPCB_CSV_NCOLS || ipcb_csv_cols[c].how != how) {
		if (rec->misuse < 0)
			rec->misuse = (unsigned)c < IPCB_CSV_NCOLS ? (int)c : IPCB_CSV_NCOLS;
		return NULL;
	}
	return &rec->v[c];
}

void ipcb_csv_set_text(struct ipcb_csv_record *rec, enum ipcb_csv_column c, const char *s)
{
	struct ipcb_csv_value *v = record_slot(rec, c, IPCB_CSV_TEXT);

	if (v && s) {
		v->set = IPCB_CSV_SET_TEXT;
		v->text = s;
	}
}

void ipcb_csv_set_int(struct ipcb_csv_record *rec, enum ipcb_csv_column c, int64_t i)
{
	struct ipcb_csv_value *v = record_slot(rec, c, IPCB_CSV_INTEGER);

	if (v) {
		v->set = IPCB_CSV_SET_INT;
		v->i = i;
	}
}

void ipcb_csv_set_uint(struct ipcb_csv_record *rec, enum ipcb_csv_column c, uint64_t u)
{
	struct ipcb_csv_value *v = record_slot(rec, c, IPCB_CSV_INTEGER);

	if (v) {
		v->set = IPCB_CSV_SET_UINT;
		v->u = u;
	}
}

void ipcb_csv_set_decimal(struct ipcb_csv_record *rec, enum ipcb_csv_column c, double d)
{
	struct ipcb_csv_value *v = record_slot(rec, c, IPCB_CSV_DECIMAL);

	if (v) {
		v->set = IPCB_CSV_SET_DOUBLE;
		v->d = d;
	}
}

int ipcb_csv_record_write(FILE *f, const struct ipcb_csv_record *rec, int *bad)
{
	/* Checked before anything is written: a row goes out whole or not at all. */
	for (int c = 0; c < IPCB_CSV_NCOLS; c++) {
		bool empty = rec->v[c].set == IPCB_CSV_UNSET ||
			     (rec->v[c].set == IPCB_CSV_SET_TEXT && !rec->v[c].text[0]);

		if (rec->misuse == c || (empty && !ipcb_csv_cols[c].empty)) {
			if (bad)
				*bad = c;
			return -EINVAL;
		}
	}
	if (rec->misuse >= 0) {
		if (bad)
			*bad = rec->misuse;
		return -EINVAL;
	}
	for (int c = 0; c < IPCB_CSV_NCOLS; c++) {
		const struct ipcb_csv_value *v = &rec->v[c];

		if (c)
			fputc(',', f);
		switch (v->set) {
		case IPCB_CSV_SET_TEXT:
			ipcb_csv_text(f, v->text);
			break;
		case IPCB_CSV_SET_INT:
			fprintf(f, "%" PRId64, v->i);
			break;
		case IPCB_CSV_SET_UINT:
			fprintf(f, "%" PRIu64, v->u);
			break;
		case IPCB_CSV_SET_DOUBLE:
			fprintf(f, "%.*f", ipcb_csv_cols[c].digits, v->d);
			break;
		case IPCB_CSV_UNSET:
			break;
		}
	}
	fputc('\n', f);
	return 0;
}

void ipcb_csv_map_header(struct ipcb_csv_map *m, const struct ipcb_csvread *r)
{
	for (int c = 0; c < IPCB_CSV_NCOLS; c++)
		m->at[c] = m->again[c] = IPCB_CSV_ABSENT;
	for (size_t i = 0; i < ipcb_csvread_nfields(r); i++) {
		int c = ipcb_csv_find(ipcb_csvread_field(r, i));

		if (c < 0)
			continue;
		if (m->at[c] == IPCB_CSV_ABSENT)
			m->at[c] = i;
		else if (m->again[c] == IPCB_CSV_ABSENT)
			m->again[c] = i;
	}
}

const char *ipcb_csv_field(const struct ipcb_csvread *r, const struct ipcb_csv_map *m,
			   enum ipcb_csv_column c)
{
	size_t i = (unsigned)c < IPCB_CSV_NCOLS ? m->at[c] : IPCB_CSV_ABSENT;

	return i != IPCB_CSV_ABSENT && i < ipcb_csvread_nfields(r) ? ipcb_csvread_field(r, i) : "";
}
