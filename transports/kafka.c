/* SPDX-License-Identifier: MIT */
/*
 * kafka - an Apache Kafka broker (org.apache.kafka:kafka_2.13 4.4.0 from Maven Central, Java 17
 * from Debian) started for the invocation, reached with librdkafka (Debian's librdkafka-dev,
 * 2.0.2) in C. The sender produces each message to partition 0 of the topic "<tag>.ab", the
 * receiver consumes it there and, in a round trip, produces the echo to "<tag>.ba", which the
 * sender consumes. Both topics have one partition and one replica, made by setup() before any
 * side starts and deleted by teardown(). A consumer is assigned its partition from the first
 * offset after setup's marker (no rebalance, nothing committed: librdkafka wants a group id
 * even so, and each consumer has one of its own that it never joins): the topic is the run's
 * own, so nothing sent after the start barrier can be missed, and every message arrives in
 * order (setup has seen each topic take a message, so no batch of the run is retried behind
 * a later one).
 * Several producers may share a topic (fan-in). With --deliver all every receiver is assigned
 * the one partition of "<tag>.ab" and reads all of it: each gets every message, in order.
 *
 * The broker: KRaft mode, one node that is both broker and controller, its storage formatted
 * (kafka-storage format, a cluster id made here) in the service's directory and its log there,
 * listeners on two ports of 127.0.0.1 the driver picked, a 256 MiB heap (Kafka's scripts start
 * it with 1 GiB), SLF4J's simple backend at level warn writing to the server's log.
 *
 * Why Kafka 4.4 with Debian's librdkafka 2.0.2: Kafka 4.0 removed old protocol versions
 * (KIP-896), and this librdkafka predates it. Tried here against 4.0.0 and 4.4.0: it reads the
 * broker's ApiVersions and picks versions both have (Metadata v4, Produce v7 among them), and
 * makes and deletes topics, produces and fetches; of the protocol features it enables, none
 * needs a removed version. What it cannot use with Kafka 4 is its old consumer-group protocol
 * (JoinGroup v0/v1 were removed), and a consumer that is assigned its partition never joins a
 * group. So the newest broker works with it, and is the one used.
 *
 * Settings (-o kafka.KEY=VALUE; --tune tries the values users tune): acks (1: the partition's
 * leader has written it, all: every in-sync replica, here the same single node; acks=0 is left
 * out: nothing is answered then, and here the broker dropped 64 KiB messages without a word,
 * which a run that checks every message can only see as a peer that stopped), linger (linger.ms:
 * how long the producer waits to fill a batch; 0 sends at once, Kafka's EndToEndLatency tool's
 * setting), batch (batch.size in bytes) and fetch-wait (fetch.wait.max.ms: how long the broker
 * holds a fetch that finds nothing; it answers as soon as one byte is there, fetch.min.bytes 1).
 * Nagle is off on every client socket.
 *
 * Cost of one message: librdkafka copies the payload into its queue, its broker thread frames a
 * record batch (CRC32C) and writes it to the broker, which appends it to the partition's log (in
 * the page cache) and answers the producer (acks), completes the consumer's waiting fetch and
 * sends the batch on; the consumer's broker thread parses it and hands it to the application
 * thread through a queue, where it is copied out: two socket hops, a log append and two thread
 * hand-offs inside the clients.
 * Limits: 8 MiB per message (the broker's message.max.bytes and the clients' limits are set to
 * carry it); larger payloads are chunked by the driver.
 *
 * Built only with librdkafka (transports/meson.build); runs only with Java and the broker's jars
 * in the Maven cache (scripts/setup fetches them: transports/maven.lock).
 */
#include "ipcb_config.h"
#include "transport.h"

#define KAFKA_SUMMARY                                                                              \
	"Apache Kafka topic per direction, a private KRaft broker for the run (librdkafka)"
#define KAFKA_CAPS                                                                                 \
	(IPCB_CAP_BOUNDARIES | IPCB_CAP_MULTI_SENDER | IPCB_CAP_DUPLEX | IPCB_CAP_BROADCAST)
#define KAFKA_MAX_MSG (8u << 20)
#define KAFKA_NOTES                                                                                \
	"a private Kafka broker (KRaft, broker and controller in one node) runs once per\n"        \
	"                 invocation in its own directory: storage formatted there, listeners on " \
	"two\n"                                                                                    \
	"                 ports of 127.0.0.1, 256 MiB heap, pinned to --server-cpu (default the\n" \
	"                 receiver's CPU); its start takes seconds. A topic per direction and "    \
	"run,\n"                                                                                   \
	"                 one partition, one replica; consumers are assigned the partition (no\n"  \
	"                 group). --deliver all: every receiver reads the one topic whole."

static const struct ipcb_option kafka_opts[] = {
    {.key = "acks",
     .type = IPCB_OPT_CHOICE,
     .def = "1",
     .choices = "1|all",
     .tune = "all",
     .help = "the producer's acks: 1 the leader wrote it, all every in-sync replica"},
    {.key = "linger",
     .type = IPCB_OPT_UINT,
     .def = "0",
     .min = 0,
     .max = 10000,
     .tune = "5",
     .help = "linger.ms: how long the producer waits to fill a batch before sending it"},
    {.key = "batch",
     .type = IPCB_OPT_UINT,
     .def = "1000000",
     .min = 1,
     .max = 2147483647,
     .tune = "16384",
     .help = "batch.size: the most bytes of messages the producer puts in one batch"},
    {.key = "fetch-wait",
     .type = IPCB_OPT_UINT,
     .def = "500",
     .min = 0,
     .max = 300000,
     .tune = "10",
     .help = "fetch.wait.max.ms: how long the broker holds a fetch that finds no message"},
    {.key = NULL}};
enum { KAFKA_OPT_ACKS, KAFKA_OPT_LINGER, KAFKA_OPT_BATCH, KAFKA_OPT_FETCH_WAIT };

#if IPCB_BUILT_KAFKA
#include <errno.h>
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "broker.h"
#include "maven.h"

/* What the broker is told to take, beyond the largest message: a record batch's own bytes. */
#define KAFKA_BROKER_MAX (KAFKA_MAX_MSG + (64u << 10))
/* How long setup and teardown wait for the broker to make or delete the run's topics. */
#define KAFKA_ADMIN_MS 15000
/* A topic's first message of the run: offset 0 holds setup's marker (kafka_mark). */
#define KAFKA_FIRST_OFFSET 1

struct kafka_ep {
	rd_kafka_t *prod, *cons;
	rd_kafka_topic_t *out;
	/* A delivery that failed (its report came back with an error): the first one's. */
	rd_kafka_resp_err_t failed;
};

/* The broker's version, from the jar the set is built on ("org.apache.kafka:kafka_2.13:V"). */
static void kafka_broker_version(char *out, size_t n)
{
	const char *p = strstr(IPCB_MAVEN_SET_KAFKA, "kafka_2.13:");

	if (p)
		snprintf(out, n, "kafka %.*s", (int)strcspn(p + 11, " :"), p + 11);
	else
		snprintf(out, n, "kafka");
}

static int kafka_probe(struct ipcb_probe *p)
{
	char *java, *cp, why[160];
	int rc = ipcb_broker_java(&java);

	free(java);
	if (rc) {
		snprintf(
		    p->reason, sizeof(p->reason),
		    "its broker needs Java, which is not installed: install the Debian package "
		    "openjdk-17-jre-headless (scripts/setup does)");
		return -ENOENT;
	}
	rc = ipcb_maven_classpath(IPCB_MAVEN_SET_KAFKA, &cp, why, sizeof(why));
	free(cp);
	if (rc) {
		snprintf(p->reason, sizeof(p->reason), "its broker: %s", why);
		return rc;
	}
	return 0;
}

/* Silence: librdkafka would print its log on stderr; a failure is reported by the call. */
static void kafka_log(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
	(void)rk, (void)level, (void)fac, (void)buf;
}

/* A client's configuration: the broker, Nagle off, no log. NULL with e filled on failure. */
static rd_kafka_conf_t *kafka_conf(const char *broker, struct ipcb_err *e)
{
	rd_kafka_conf_t *c = rd_kafka_conf_new();
	char why[256];

	if (!c) {
		ipcb_err(e, -ENOMEM, "rd_kafka_conf_new");
		return NULL;
	}
	if (rd_kafka_conf_set(c, "bootstrap.servers", broker, why, sizeof(why)) ||
	    rd_kafka_conf_set(c, "socket.nagle.disable", "true", why, sizeof(why)) ||
	    rd_kafka_conf_set(c, "log.connection.close", "false", why, sizeof(why))) {
		ipcb_errf(e, -EINVAL, "rd_kafka_conf_set", "%s", why);
		rd_kafka_conf_destroy(c);
		return NULL;
	}
	rd_kafka_conf_set_log_cb(c, kafka_log);
	return c;
}

static int kafka_set(rd_kafka_conf_t *c, const char *key, const char *value, struct ipcb_err *e)
{
	char why[256];

	if (rd_kafka_conf_set(c, key, value, why, sizeof(why)) != RD_KAFKA_CONF_OK)
		return ipcb_errf(e, -EINVAL, "rd_kafka_conf_set", "%s=%s: %s", key, value, why);
	return 0;
}

static int kafka_setu(rd_kafka_conf_t *c, const char *key, unsigned long long v, struct ipcb_err *e)
{
	char s[24];

	snprintf(s, sizeof(s), "%llu", v);
	return kafka_set(c, key, s, e);
}

/* A client of type `type` (the configuration is the client's from then on, or destroyed). */
static int kafka_client(rd_kafka_type_t type, rd_kafka_conf_t *c, rd_kafka_t **out,
			struct ipcb_err *e)
{
	char why[256];

	*out = rd_kafka_new(type, c, why, sizeof(why));
	if (!*out) {
		rd_kafka_conf_destroy(c);
		return ipcb_errf(e, -EINVAL, "rd_kafka_new", "%s", why);
	}
	return 0;
}

/* ---- the broker ------------------------------------------------------------------------------ */

static int kafka_prepare(struct ipcb_service *svc)
{
	unsigned char id[16];
	char cluster[32], *java = NULL, *cp = NULL, why[160];
	int ports[2] = {svc->port, 0}, rc;
	struct ipcb_cds cds;

	if ((rc = ipcb_broker_java(&java)))
		return ipcb_errf(&svc->err, rc, "java",
				 "not installed (Debian package openjdk-17-jre-headless)");
	if ((rc = ipcb_maven_classpath(IPCB_MAVEN_SET_KAFKA, &cp, why, sizeof(why)))) {
		rc = ipcb_errf(&svc->err, rc, "kafka_2.13", "%s", why);
		goto out;
	}
	if ((ports[1] = ipcb_broker_port_besides(ports, 1, &svc->err)) < 0) {
		rc = ports[1];
		goto out;
	}
	/*
	 * A cluster id is 16 random bytes in URL-safe base64 without padding (22 characters). Its
	 * first character must not be '-' (index 62), which kafka-storage's command line would take
	 * for an option (Kafka's own ids avoid it too): the first byte's top bit is cleared, so the
	 * first character is one of A-Z and a-f.
	 */
	if (getrandom(id, sizeof(id), 0) != (ssize_t)sizeof(id)) {
		rc = ipcb_err(&svc->err, -EIO, "getrandom");
		goto out;
	}
	id[0] &= 0x7f;
	{
		static const char b64[] =
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
		unsigned acc = 0, bits = 0, k = 0;

		for (size_t i = 0; i < sizeof(id); i++) {
			acc = (acc << 8) | id[i];
			for (bits += 8; bits >= 6; bits -= 6)
				cluster[k++] = b64[(acc >> (bits - 6)) & 63];
		}
		cluster[k++] = b64[(acc << (6 - bits)) & 63];
		cluster[k] = '\0';
	}
	/*
	 * One node, broker and controller; every internal topic with one replica and one
	 * partition; no group waits for members; message.max.bytes for the largest message.
	 */
	rc = ipcb_broker_file(
	    svc, "server.properties", 0600,
	    "process.roles=broker,controller\nnode.id=1\n"
	    "listeners=PLAINTEXT://127.0.0.1:%d,CONTROLLER://127.0.0.1:%d\n"
	    "advertised.listeners=PLAINTEXT://127.0.0.1:%d\n"
	    "controller.listener.names=CONTROLLER\ninter.broker.listener.name=PLAINTEXT\n"
	    "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT\n"
	    "controller.quorum.voters=1@127.0.0.1:%d\n"
	    "log.dirs=%s/data\nnum.partitions=1\nauto.create.topics.enable=false\n"
	    "offsets.topic.replication.factor=1\noffsets.topic.num.partitions=1\n"
	    "transaction.state.log.replication.factor=1\ntransaction.state.log.min.isr=1\n"
	    "share.coordinator.state.topic.replication.factor=1\n"
	    "share.coordinator.state.topic.min.isr=1\n"
	    "group.initial.rebalance.delay.ms=0\nmessage.max.bytes=%u\n"
	    "replica.fetch.max.bytes=%u\n",
	    svc->port, ports[1], svc->port, ports[1], svc->dir, KAFKA_BROKER_MAX, KAFKA_BROKER_MAX);
	if (rc)
		goto out;
	/*
	 * The broker's classes from the machine's archive, or listed for one (cds.h): the storage
	 * tool maps it too, but lists nothing (the broker's list is the archive's).
	 */
	if (ipcb_broker_cds(svc, "kafka-broker", IPCB_MAVEN_SET_KAFKA, false, &cds))
		cds.opt[0] = '\0';
	/*
	 * The storage is formatted, then the broker runs in the script's place (exec), so the
	 * process the driver started, pinned and watches is the broker. The JVM's temporary
	 * files and its log stay in the directory; no performance-data file (hsperfdata) is made.
	 */
	rc = ipcb_broker_file(
	    svc, "start.sh", 0700,
	    "#!/bin/sh\n"
	    "D='%s'\n"
	    "set -- -Xms64m -Xmx256m -XX:+UseSerialGC -XX:-UsePerfData -Djava.awt.headless=true "
	    "-XX:ActiveProcessorCount=%d \\\n"
	    "  \"-Djava.io.tmpdir=$D\" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \\\n"
	    "  -cp '%s'\n"
	    "'%s' \"$@\" %s kafka.tools.StorageTool format -t '%s' -c \"$D/server.properties\" "
	    ">\"$D/format.log\" || exit 1\n"
	    "exec '%s' \"$@\" %s kafka.Kafka \"$D/server.properties\"\n",
	    svc->dir, svc->cpus, cp, java, cds.list[0] ? "" : cds.opt, cluster, java, cds.opt);
	if (rc)
		goto out;
	/* Its start (5 s on one CPU, 2.6 s on two here) may use both: it is told its CPUs. */
	svc->start_unpinned = true;
	snprintf(svc->addr, sizeof(svc->addr), "127.0.0.1:%d", svc->port);
	kafka_broker_version(svc->version, sizeof(svc->version));
	if (!(rc = ipcb_service_arg(svc, "/bin/sh")))
		rc = ipcb_service_arg(svc, "%s/start.sh", svc->dir);
out:
	free(cp);
	free(java);
	return rc;
}

/* Stopped after it ran: the archive of the classes it loaded, if it was the first to list them. */
static int kafka_stopped(struct ipcb_service *svc)
{
	struct ipcb_cds cds;

	return ipcb_broker_cds(svc, "kafka-broker", IPCB_MAVEN_SET_KAFKA, true, &cds);
}

/* The broker answers a metadata request naming itself: it has started. */
static int kafka_ready(struct ipcb_service *svc)
{
	const struct rd_kafka_metadata *md = NULL;
	rd_kafka_conf_t *c;
	rd_kafka_t *rk;
	rd_kafka_resp_err_t err;
	char limit[16];
	int rc = ipcb_broker_tcp_ready(svc->port, &svc->err);

	if (rc)
		return rc;
	c = kafka_conf(svc->addr, &svc->err);
	if (!c)
		return svc->err.code;
	if ((rc = kafka_client(RD_KAFKA_PRODUCER, c, &rk, &svc->err)))
		return rc;
	err = rd_kafka_metadata(rk, 1, NULL, &md, 1000);
	if (err || !md || md->broker_cnt < 1)
		rc = ipcb_errf(&svc->err, -EAGAIN, "rd_kafka_metadata", "%s",
			       err ? rd_kafka_err2str(err) : "no broker listed yet");
	if (md)
		rd_kafka_metadata_destroy(md);
	rd_kafka_destroy(rk);
	if (rc)
		return rc;
	ipcb_broker_bytes_text(KAFKA_MAX_MSG, limit, sizeof(limit));
	snprintf(svc->limit, sizeof(svc->limit), "message.max.bytes %s and a batch's own", limit);
	return 0;
}

static const struct ipcb_service_ops kafka_service = {
    .prepare = kafka_prepare,
    .ready = kafka_ready,
    .stopped = kafka_stopped,
};

/* ---- the channel ----------------------------------------------------------------------------- */

static void kafka_topic(const struct ipcb_chan *ch, bool ab, char *out, size_t n)
{
	snprintf(out, n, "%s.%s", ch->tag, ab ? "ab" : "ba");
}

/* Wait for an admin call's result event of `type` on q. NULL with e filled on time-out. */
static rd_kafka_event_t *kafka_admin_wait(rd_kafka_queue_t *q, rd_kafka_event_type_t type,
					  struct ipcb_err *e, const char *call)
{
	for (int waited = 0; waited < KAFKA_ADMIN_MS; waited += 100) {
		rd_kafka_event_t *ev = rd_kafka_queue_poll(q, 100);

		if (ev && rd_kafka_event_type(ev) == type)
			return ev;
		if (ev)
			rd_kafka_event_destroy(ev);
	}
	ipcb_errf(e, -ETIMEDOUT, call, "no answer from the broker within %d s",
		  KAFKA_ADMIN_MS / 1000);
	return NULL;
}

/* Does every one of the run's topics have a leader for its partition yet? */
static bool kafka_topics_led(rd_kafka_t *rk, char names[2][80], int n)
{
	const struct rd_kafka_metadata *md = NULL;
	int led = 0;

	if (rd_kafka_metadata(rk, 1, NULL, &md, 1000) || !md)
		return false;
	for (int i = 0; i < md->topic_cnt; i++)
		for (int k = 0; k < n; k++)
			if (strcmp(md->topics[i].topic, names[k]) == 0 && !md->topics[i].err &&
			    md->topics[i].partition_cnt == 1 &&
			    md->topics[i].partitions[0].leader >= 0)
				led++;
	rd_kafka_metadata_destroy(md);
	return led == n;
}

/* What the broker said of setup's marker on each topic. */
struct kafka_marks {
	int delivered;
	rd_kafka_resp_err_t err;
	int64_t offset;
};

static void kafka_marked(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
	struct kafka_marks *k = opaque;

	(void)rk;
	if (m->err && !k->err)
		k->err = m->err;
	else if (!m->err && m->offset != KAFKA_FIRST_OFFSET - 1)
		k->offset = m->offset;
	k->delivered++;
}

/*
 * A topic the controller has just made is listed with a leader before that leader takes
 * produce requests: the first ones are answered "not leader for partition" and retried, and a
 * retried batch then lands behind the ones sent after it (seen here: the first 96 messages of a
 * run at 5000 msg/s arrived after the next ones). So each topic gets one marker, written and
 * answered before setup returns, and the consumers start after it.
 */
static int kafka_mark(struct ipcb_chan *ch, rd_kafka_t *rk, struct kafka_marks *k,
		      char names[2][80], int n)
{
	for (int i = 0; i < n; i++)
		if (rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(names[i]), RD_KAFKA_V_PARTITION(0),
				      RD_KAFKA_V_VALUE("", 0), RD_KAFKA_V_END))
			return ipcb_errf(&ch->err, -EIO, "rd_kafka_producev", "%s: %s", names[i],
					 rd_kafka_err2str(rd_kafka_last_error()));
	rd_kafka_flush(rk, KAFKA_ADMIN_MS);
	if (k->delivered < n && !k->err)
		return ipcb_errf(&ch->err, -ETIMEDOUT, "rd_kafka_flush",
				 "the run's topics took no message within %d s",
				 KAFKA_ADMIN_MS / 1000);
	if (k->err)
		return ipcb_errf(&ch->err, -EIO, "rd_kafka_produce", "a marker: %s",
				 rd_kafka_err2str(k->err));
	if (k->offset)
		return ipcb_errf(&ch->err, -EPROTO, "rd_kafka_produce",
				 "a new topic's first message went to offset %lld",
				 (long long)k->offset);
	return 0;
}

/*
 * The run's topics (one partition, one replica), made before any side starts, led and taking
 * messages before setup returns, so that no produce or fetch waits for them. A client of the
 * driver's own makes them, and is gone before anything forks.
 */
static int kafka_setup(struct ipcb_chan *ch)
{
	char names[2][80];
	rd_kafka_NewTopic_t *nt[2] = {0};
	rd_kafka_conf_t *c;
	rd_kafka_queue_t *q = NULL;
	rd_kafka_event_t *ev = NULL;
	rd_kafka_t *rk;
	struct kafka_marks marks = {0};
	int n = ch->cfg.bidirectional ? 2 : 1, rc = 0;

	if (!ch->cfg.service)
		return ipcb_errf(&ch->err, -EINVAL, "setup", "its broker is not running");
	for (int i = 0; i < n; i++)
		kafka_topic(ch, i == 0, names[i], sizeof(names[i]));
	c = kafka_conf(ch->cfg.service, &ch->err);
	if (!c)
		return ch->err.code;
	rd_kafka_conf_set_opaque(c, &marks);
	rd_kafka_conf_set_dr_msg_cb(c, kafka_marked);
	if ((rc = kafka_client(RD_KAFKA_PRODUCER, c, &rk, &ch->err)))
		return rc;
	q = rd_kafka_queue_new(rk);
	for (int i = 0; i < n && !rc; i++) {
		char why[256];

		nt[i] = rd_kafka_NewTopic_new(names[i], 1, 1, why, sizeof(why));
		if (!nt[i] ||
		    rd_kafka_NewTopic_set_config(nt[i], "max.message.bytes", "8454144") != 0)
			rc = ipcb_errf(&ch->err, -EINVAL, "rd_kafka_NewTopic_new", "%s", why);
	}
	if (!rc) {
		size_t cnt = 0;
		const rd_kafka_topic_result_t **res;

		rd_kafka_CreateTopics(rk, nt, (size_t)n, NULL, q);
		ev = kafka_admin_wait(q, RD_KAFKA_EVENT_CREATETOPICS_RESULT, &ch->err,
				      "CreateTopics");
		if (!ev)
			rc = ch->err.code;
		else if (rd_kafka_event_error(ev))
			rc = ipcb_errf(&ch->err, -EPROTO, "CreateTopics", "%s",
				       rd_kafka_event_error_string(ev));
		res = ev && !rc ? rd_kafka_CreateTopics_result_topics(
				      rd_kafka_event_CreateTopics_result(ev), &cnt)
				: NULL;
		for (size_t i = 0; res && i < cnt && !rc; i++)
			if (rd_kafka_topic_result_error(res[i]))
				rc = ipcb_errf(&ch->err, -EPROTO, "CreateTopics", "%s: %s",
					       rd_kafka_topic_result_name(res[i]),
					       rd_kafka_topic_result_error_string(res[i]));
	}
	for (int waited = 0; !rc && !kafka_topics_led(rk, names, n); waited += 10) {
		struct timespec ts = {0, 10000000};

		if (waited >= KAFKA_ADMIN_MS)
			rc = ipcb_errf(&ch->err, -ETIMEDOUT, "rd_kafka_metadata",
				       "the run's topics have no leader after %d s",
				       KAFKA_ADMIN_MS / 1000);
		nanosleep(&ts, NULL);
	}
	if (!rc)
		rc = kafka_mark(ch, rk, &marks, names, n);
	if (ev)
		rd_kafka_event_destroy(ev);
	for (int i = 0; i < n; i++)
		if (nt[i])
			rd_kafka_NewTopic_destroy(nt[i]);
	rd_kafka_queue_destroy(q);
	rd_kafka_destroy(rk);
	snprintf(ch->layout, sizeof(ch->layout), "%s, acks=%s linger=%llu",
		 ch->cfg.broadcast ? "Kafka topic, every receiver reads all"
		 : n == 2	   ? "Kafka topic per direction"
				   : "Kafka topic",
		 ipcb_opt(&ch->cfg, KAFKA_OPT_ACKS) == 1 ? "all" : "1",
		 (unsigned long long)ipcb_opt(&ch->cfg, KAFKA_OPT_LINGER));
	return rc;
}

/* The broker outlives the run: its topics, and what a failed run left in them, go now. */
static void kafka_teardown(struct ipcb_chan *ch)
{
	rd_kafka_DeleteTopic_t *dt[2];
	rd_kafka_queue_t *q;
	rd_kafka_event_t *ev;
	rd_kafka_conf_t *c;
	struct ipcb_err e = {0};
	rd_kafka_t *rk;
	char names[2][80];
	int n = ch->cfg.bidirectional ? 2 : 1;

	if (!ch->cfg.service || !(c = kafka_conf(ch->cfg.service, &e)) ||
	    kafka_client(RD_KAFKA_PRODUCER, c, &rk, &e))
		return;
	q = rd_kafka_queue_new(rk);
	for (int i = 0; i < n; i++) {
		kafka_topic(ch, i == 0, names[i], sizeof(names[i]));
		dt[i] = rd_kafka_DeleteTopic_new(names[i]);
	}
	rd_kafka_DeleteTopics(rk, dt, (size_t)n, NULL, q);
	ev = kafka_admin_wait(q, RD_KAFKA_EVENT_DELETETOPICS_RESULT, &e, "DeleteTopics");
	if (ev)
		rd_kafka_event_destroy(ev);
	rd_kafka_DeleteTopic_destroy_array(dt, (size_t)n);
	rd_kafka_queue_destroy(q);
	rd_kafka_destroy(rk);
}

/* A delivery report: the first failed one is kept for the next send to return. */
static void kafka_delivered(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
	struct kafka_ep *me = opaque;

	(void)rk;
	if (m->err && !me->failed)
		me->failed = m->err;
}

static int kafka_open_producer(struct ipcb_ep *ep, const char *topic)
{
	const struct ipcb_chan_cfg *cfg = &ep->chan->cfg;
	static const char *const acks[] = {"1", "-1"};
	struct kafka_ep *me = ep->priv;
	rd_kafka_conf_t *c = kafka_conf(cfg->service, &ep->err);
	int rc;

	if (!c)
		return ep->err.code;
	if ((rc = kafka_set(c, "acks", acks[ipcb_opt(cfg, KAFKA_OPT_ACKS) % 2], &ep->err)) ||
	    (rc = kafka_setu(c, "linger.ms", ipcb_opt(cfg, KAFKA_OPT_LINGER), &ep->err)) ||
	    (rc = kafka_setu(c, "batch.size", ipcb_opt(cfg, KAFKA_OPT_BATCH), &ep->err)) ||
	    (rc = kafka_setu(c, "message.max.bytes", KAFKA_BROKER_MAX, &ep->err)) ||
	    (rc = kafka_set(c, "queue.buffering.max.kbytes", "1048576", &ep->err))) {
		rd_kafka_conf_destroy(c);
		return rc;
	}
	rd_kafka_conf_set_opaque(c, me);
	rd_kafka_conf_set_dr_msg_cb(c, kafka_delivered);
	if ((rc = kafka_client(RD_KAFKA_PRODUCER, c, &me->prod, &ep->err)))
		return rc;
	me->out = rd_kafka_topic_new(me->prod, topic, NULL);
	if (!me->out)
		return ipcb_errf(&ep->err, -EINVAL, "rd_kafka_topic_new", "%s: %s", topic,
				 rd_kafka_err2str(rd_kafka_last_error()));
	return 0;
}

/* A consumer assigned partition 0 of topic from its first offset: no rebalance, no commit. */
static int kafka_open_consumer(struct ipcb_ep *ep, const char *topic)
{
	const struct ipcb_chan_cfg *cfg = &ep->chan->cfg;
	struct kafka_ep *me = ep->priv;
	rd_kafka_conf_t *c = kafka_conf(cfg->service, &ep->err);
	rd_kafka_topic_partition_list_t *l;
	rd_kafka_resp_err_t err;
	char group[96];
	int rc;

	if (!c)
		return ep->err.code;
	/*
	 * librdkafka's consumer wants a group even when it is assigned its partition: one of its
	 * own, which it never joins and in which it commits nothing.
	 */
	snprintf(group, sizeof(group), "%s.%c%u", ep->chan->tag,
		 ep->role == IPCB_SENDER ? 's' : 'r', ep->index);
	if ((rc = kafka_set(c, "group.id", group, &ep->err)) ||
	    (rc = kafka_setu(c, "fetch.wait.max.ms", ipcb_opt(cfg, KAFKA_OPT_FETCH_WAIT),
			     &ep->err)) ||
	    (rc = kafka_set(c, "fetch.min.bytes", "1", &ep->err)) ||
	    (rc = kafka_set(c, "fetch.error.backoff.ms", "10", &ep->err)) ||
	    (rc = kafka_set(c, "enable.auto.commit", "false", &ep->err)) ||
	    (rc = kafka_set(c, "enable.partition.eof", "false", &ep->err)) ||
	    (rc = kafka_setu(c, "fetch.max.bytes", 2 * KAFKA_BROKER_MAX, &ep->err)) ||
	    (rc = kafka_setu(c, "max.partition.fetch.bytes", KAFKA_BROKER_MAX, &ep->err)) ||
	    (rc = kafka_setu(c, "receive.message.max.bytes", 2 * KAFKA_BROKER_MAX + 65536,
			     &ep->err))) {
		rd_kafka_conf_destroy(c);
		return rc;
	}
	if ((rc = kafka_client(RD_KAFKA_CONSUMER, c, &me->cons, &ep->err)))
		return rc;
	l = rd_kafka_topic_partition_list_new(1);
	if (!l)
		return ipcb_err(&ep->err, -ENOMEM, "rd_kafka_topic_partition_list_new");
	/* The run's own topic: setup's marker, then the run's messages. */
	rd_kafka_topic_partition_list_add(l, topic, 0)->offset = KAFKA_FIRST_OFFSET;
	err = rd_kafka_assign(me->cons, l);
	rd_kafka_topic_partition_list_destroy(l);
	if (err)
		return ipcb_errf(&ep->err, -EPROTO, "rd_kafka_assign", "%s: %s", topic,
				 rd_kafka_err2str(err));
	return 0;
}

/*
 * A sender produces to A-to-B and, in a round trip, consumes B-to-A; a receiver the other way
 * round. A broadcast's receivers all read A-to-B.
 */
static int kafka_open(struct ipcb_ep *ep)
{
	const struct ipcb_chan_cfg *cfg = &ep->chan->cfg;
	bool sender = ep->role == IPCB_SENDER;
	char out[80], in[80];
	int rc;

	if (!cfg->service)
		return ipcb_errf(&ep->err, -EINVAL, "open", "its broker is not running");
	kafka_topic(ep->chan, sender, out, sizeof(out));
	kafka_topic(ep->chan, !sender, in, sizeof(in));
	if ((sender || cfg->bidirectional) && (rc = kafka_open_producer(ep, out)))
		return rc;
	if (!sender || cfg->bidirectional)
		return kafka_open_consumer(ep, in);
	return 0;
}

IPCB_HOT static int kafka_send(struct ipcb_ep *ep, const void *buf, size_t len)
{
	struct kafka_ep *me = ep->priv;

	while (rd_kafka_produce(me->out, 0, RD_KAFKA_MSG_F_COPY, (void *)buf, len, NULL, 0, NULL)) {
		rd_kafka_resp_err_t err = rd_kafka_last_error();

		if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL)
			return ipcb_errf(&ep->err, -EIO, "rd_kafka_produce", "%s",
					 rd_kafka_err2str(err));
		/* Its queue is full: the broker's answers free it. */
		rd_kafka_poll(me->prod, 10);
	}
	rd_kafka_poll(me->prod, 0);
	if (me->failed)
		return ipcb_errf(&ep->err, -EIO, "delivery", "%s", rd_kafka_err2str(me->failed));
	return 0;
}

IPCB_HOT static int kafka_recv(struct ipcb_ep *ep, void *buf, size_t len)
{
	struct kafka_ep *me = ep->priv;
	rd_kafka_message_t *m;
	int rc = 0;

	/* No time limit of its own: the driver ends a run whose peer stopped answering. */
	while (!(m = rd_kafka_consumer_poll(me->cons, 1000)))
		;
	if (m->err)
		rc = ipcb_errf(&ep->err, -EIO, "rd_kafka_consumer_poll", "%s",
			       rd_kafka_message_errstr(m));
	else if (m->len != len)
		rc = ipcb_errf(&ep->err, -EBADMSG, "rd_kafka_consumer_poll",
			       "a %zu-byte message where %zu were sent", m->len, len);
	else
		memcpy(buf, m->payload, len);
	rd_kafka_message_destroy(m);
	return rc;
}

static void kafka_close(struct ipcb_ep *ep)
{
	struct kafka_ep *me = ep->priv;

	if (me->out)
		rd_kafka_topic_destroy(me->out);
	if (me->prod) {
		/* What is still queued goes out (and is answered) before the client ends. */
		rd_kafka_flush(me->prod, 5000);
		rd_kafka_destroy(me->prod);
	}
	if (me->cons) {
		rd_kafka_consumer_close(me->cons);
		rd_kafka_destroy(me->cons);
	}
	me->out = NULL;
	me->prod = me->cons = NULL;
}

static void kafka_library(char *out, size_t n)
{
	snprintf(out, n, "librdkafka %s", rd_kafka_version_str());
}
#endif /* IPCB_BUILT_KAFKA */

const struct ipcb_transport ipcb_transport_kafka = {
    .name = "kafka",
    .path = IPCB_PATH_NETWORK_STACK,
    .rides_on = "tcp",
    .layer = IPCB_LAYER_BROKER,
    .summary = KAFKA_SUMMARY,
    .notes = KAFKA_NOTES,
    .caps = KAFKA_CAPS,
    .max_msg_bytes = KAFKA_MAX_MSG,
    .fixed_wait = IPCB_WAIT_BLOCK,
    .options = kafka_opts,
    .hops = "via broker",
    IPCB_IF_BUILT(IPCB_BUILT_KAFKA, IPCB_WITHOUT_KAFKA, .library = kafka_library,
		  .service = &kafka_service, .ep_priv_bytes = sizeof(struct kafka_ep),
		  .probe = kafka_probe, .setup = kafka_setup, .teardown = kafka_teardown,
		  .open = kafka_open, .close = kafka_close, .send = kafka_send, .recv = kafka_recv),
};
