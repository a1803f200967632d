/* SPDX-License-Identifier: MIT */
/*
 * rocketmq - an Apache RocketMQ 5.5 name server and broker (org.apache.rocketmq:rocketmq-namesrv
 * and rocketmq-broker from Maven Central, Java 17 from Debian) started for the invocation, reached
 * with RocketMQ's Java client (org.apache.rocketmq:rocketmq-client 5.5.0) in a JVM embedded in
 * each side through JNI (transports/util/jvm.h: made in open(), after fork, on a thread with a
 * stack of its own). The sender sends each message to queue 0 of the topic "<tag>_ab"
 * (DefaultMQProducer.send to that queue, synchronous: it returns once the broker has stored the
 * message), the receiver pulls it from there and, in a round trip, sends the echo to "<tag>_ba",
 * which the sender pulls. Each topic has one queue, made by the side that reads it (createTopic,
 * before its consumer starts); a consumer (DefaultLitePullConsumer) is assigned the queue and
 * starts at its first offset, so nothing sent after the start barrier can be missed, and every
 * message arrives in order. With --deliver all the receivers are one consumer group in RocketMQ's
 * broadcasting model (MessageModel.BROADCASTING: every consumer of the group gets every message,
 * each keeping its own offset), each assigned the one queue of "<tag>_ab". Several producers may
 * share a topic (fan-in).
 *
 * Why the Java client, embedded: it is the client the project itself ships and documents (the
 * OpenMessaging Benchmark's RocketMQ driver uses it too), and it talks to the name server and the
 * broker directly. RocketMQ's C++ client is not packaged; its Go clients are the gRPC one (which
 * needs RocketMQ's proxy, another JVM server, between client and broker) and the remoting one
 * (rocketmq-client-go v2), which the Go module proxy serves only as a pseudo-version of a branch
 * and which needs a newer Go than Debian 12's, so that CI would build a Go toolchain's worth of
 * modules; and a JVM per side is what java-rmi embeds already.
 *
 * The servers: the name server and the broker, two JVMs started by one script in the service's
 * directory (the broker in its place, the name server its child), small heaps (RocketMQ's
 * scripts start them with 4 and 8 GiB), the store, logs (user.home) and temporary files there,
 * ports of 127.0.0.1 the driver picked (the broker's listener and, RocketMQ's rule, its fast
 * channel two below and its HA port one above), asynchronous flushing, 64 MiB commit-log files,
 * topics made on request (what the client's createTopic needs). Ready when the name server
 * listens and the broker's log says it has registered with it.
 *
 * The clients keep to the run: VIP channel off (the fast port), bodies never compressed
 * (RocketMQ compresses those over 4 KiB by default: every transport here moves the payload as
 * it is), logs and a broadcast's local offsets in the run's directory.
 *
 * Cost of one message: the payload copied into a Java byte[] (JNI), framed by the client's
 * remoting protocol (a JSON header) and written to the broker, which appends it to its commit
 * log (page cache), answers the producer, and dispatches it to the queue (a thread that looks
 * every millisecond), completing the consumer's held pull; the consumer's pull thread puts it
 * in a cache the receiver's poll takes it from, and it is copied out (JNI): two socket hops, a
 * log append and two thread hand-offs inside the client.
 * Limits: 16 MiB per message (the broker's and the producer's maxMessageSize, raised from 4
 * MiB); larger payloads are chunked by the driver.
 *
 * Built only with the JDK's jni.h (transports/meson.build); runs only with Java and the
 * servers' and the client's jars in the Maven cache (scripts/setup fetches them).
 */
#include "ipcb_config.h"
#include "transport.h"

#define RMQ_SUMMARY                                                                                \
	"Apache RocketMQ topic per direction, a private name server and broker (Java client, JNI)"
#define RMQ_CAPS                                                                                   \
	(IPCB_CAP_BOUNDARIES | IPCB_CAP_MULTI_SENDER | IPCB_CAP_BROADCAST | IPCB_CAP_USES_DIR)
#define RMQ_MAX_MSG (16u << 20)
#define RMQ_NOTES                                                                                  \
	"a private RocketMQ name server and broker run once per invocation in their own\n"         \
	"                 directory (store and logs there), on ports of 127.0.0.1, small heaps,\n" \
	"                 pinned to --server-cpu (default the receiver's CPU); their start "       \
	"takes\n"                                                                                  \
	"                 seconds. Each side embeds a JVM with RocketMQ's Java client: "           \
	"synchronous\n"                                                                            \
	"                 sends to queue 0 of a topic per direction and run, a pull consumer\n"    \
	"                 assigned that queue from its first offset. --deliver all: one "          \
	"consumer\n"                                                                               \
	"                 group in the broadcasting model."

#if IPCB_BUILT_ROCKETMQ
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "broker.h"
#include "jvm.h"
#include "maven.h"

#define RMQ_BROKER  "ipcb"   /* the broker's name, in its configuration */
#define RMQ_KEY	    "TBW102" /* the topic new topics are made by (RocketMQ's) */
#define RMQ_HEAP    256	     /* a side's JVM heap, MiB */
#define RMQ_TIMEOUT 10000    /* ms a send or an admin call may take */
/* The broker's own log (in user.home, the service's directory), and what it writes there once
 * it has registered with the name server. */
#define RMQ_LOG	   "logs/rocketmqlogs/broker.log"
#define RMQ_BOOTED "Registering current broker to name server completed"

struct rmq_ep {
	JNIEnv *env;
	jobject producer, consumer; /* global references */
	jobject mq_out;		    /* the queue this side sends to */
	jobject batch;		    /* the last poll's List<MessageExt>, read from `next` on */
	jint batch_size, next;
	jbyteArray body; /* the byte[] a message is sent from, reused while sizes match */
	jsize body_len;
	jstring topic_out;
	jclass message_cls;
	jmethodID message_new, send, poll, list_size, list_get, get_body, send_status;
};

static void rmq_version(char *out, size_t n)
{
	const char *p = strstr(IPCB_MAVEN_SET_ROCKETMQ, "rocketmq-broker:");

	if (p)
		snprintf(out, n, "rocketmq %.*s", (int)strcspn(p + 16, " :"), p + 16);
	else
		snprintf(out, n, "rocketmq");
}

static int rmq_probe(struct ipcb_probe *p)
{
	char path[PATH_MAX], why[160], *cp;
	int rc = ipcb_jvm_find(path, sizeof(path), p->reason, sizeof(p->reason));

	if (rc)
		return rc;
	if ((rc = ipcb_maven_classpath(IPCB_MAVEN_SET_ROCKETMQ, &cp, why, sizeof(why))) == 0) {
		free(cp);
		rc = ipcb_maven_classpath(IPCB_MAVEN_SET_ROCKETMQ_CLIENT, &cp, why, sizeof(why));
		free(cp);
		if (rc)
			snprintf(p->reason, sizeof(p->reason), "its client: %s", why);
	} else {
		snprintf(p->reason, sizeof(p->reason), "its servers: %s", why);
	}
	return rc;
}

/* ---- the servers ----------------------------------------------------------------------------- */

/*
 * Is a TCP port of 127.0.0.1 free to listen on now? Bound, not connected to: a port nobody
 * listens on may still be the local end of a connection (ports next to a kernel-chosen one
 * often are), and the broker's bind would then fail and end it.
 */
static bool rmq_port_free(int port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	int one = 1, fd, rc;

	if (port <= 0 || port >= 65536)
		return false;
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	/* As the broker's server sockets do: a port left in TIME_WAIT is free to it. */
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	a.sin_port = htons((uint16_t)port);
	rc = bind(fd, (struct sockaddr *)&a, sizeof(a));
	close(fd);
	return rc == 0;
}

static int rmq_prepare(struct ipcb_service *svc)
{
	char *java = NULL, *cp = NULL, why[160];
	int taken[4] = {svc->port}, port = -1, rc;

	if ((rc = ipcb_broker_java(&java)))
		return ipcb_errf(&svc->err, rc, "java",
				 "not installed (Debian package openjdk-17-jre-headless)");
	if ((rc = ipcb_maven_classpath(IPCB_MAVEN_SET_ROCKETMQ, &cp, why, sizeof(why)))) {
		rc = ipcb_errf(&svc->err, rc, "rocketmq-broker", "%s", why);
		goto out;
	}
	/* The broker listens on port, its fast channel on port - 2 and HA on port + 1. */
	for (int tries = 0; tries < 50 && port < 0; tries++) {
		int p = ipcb_broker_port_besides(taken, 1, &svc->err);

		if (p < 0) {
			rc = p;
			goto out;
		}
		if (p - 2 != svc->port && p + 1 != svc->port && rmq_port_free(p - 2) &&
		    rmq_port_free(p + 1))
			port = p;
	}
	if (port < 0) {
		rc =
		    ipcb_errf(&svc->err, -EADDRINUSE, "bind", "no three free ports for the broker");
		goto out;
	}
	rc = ipcb_broker_file(svc, "namesrv.conf", 0600, "listenPort=%d\n", svc->port);
	if (!rc)
		rc = ipcb_broker_file(
		    svc, "broker.conf", 0600,
		    "brokerClusterName=ipcbench\nbrokerName=%s\nbrokerId=0\nbrokerIP1=127.0.0.1\n"
		    "listenPort=%d\nnamesrvAddr=127.0.0.1:%d\nstorePathRootDir=%s/store\n"
		    "storePathCommitLog=%s/store/commitlog\nmappedFileSizeCommitLog=67108864\n"
		    "flushDiskType=ASYNC_FLUSH\nautoCreateTopicEnable=true\n"
		    "autoCreateSubscriptionGroup=true\nmaxMessageSize=%u\n",
		    RMQ_BROKER, port, svc->port, svc->dir, svc->dir, RMQ_MAX_MSG + 65536);
	if (rc)
		goto out;
	/*
	 * Java 17 closes the JDK's internals that RocketMQ's servers reach into (its scripts open
	 * them the same way). The name server starts first, in the background; the broker takes
	 * the script's place (exec), so the process the driver watches is the broker. They map no
	 * class-data archive (cds.h), as the clients and Kafka's broker do: with one, the broker
	 * missed its first registration with the name server in most starts here, and answered
	 * at its second, 10 s later (14 s against 5 s), also when started after the name server.
	 */
	rc = ipcb_broker_file(
	    svc, "start.sh", 0700,
	    "#!/bin/sh\n"
	    "D='%s'\n"
	    "set -- -Xms32m -XX:+UseSerialGC -XX:-UsePerfData -Djava.awt.headless=true \\\n"
	    "  -XX:ActiveProcessorCount=%d \\\n"
	    "  \"-Djava.io.tmpdir=$D\" \"-Duser.home=$D\" \"-Drocketmq.home.dir=$D\" \\\n"
	    "  --add-opens=java.base/java.nio=ALL-UNNAMED \\\n"
	    "  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED \\\n"
	    "  --add-exports=java.base/sun.nio.ch=ALL-UNNAMED \\\n"
	    "  --add-opens=java.base/java.lang=ALL-UNNAMED -cp '%s'\n"
	    "'%s' \"$@\" -Xmx96m org.apache.rocketmq.namesrv.NamesrvStartup "
	    "-c \"$D/namesrv.conf\" &\n"
	    "exec '%s' \"$@\" -Xmx256m org.apache.rocketmq.broker.BrokerStartup "
	    "-c \"$D/broker.conf\"\n",
	    svc->dir, svc->cpus, cp, java, java);
	if (rc)
		goto out;
	/*
	 * Its two JVMs' start (10 s on one CPU, under 5 s on two here) may use both CPUs: they
	 * are told how many they will have.
	 */
	svc->start_unpinned = true;
	snprintf(svc->addr, sizeof(svc->addr), "127.0.0.1:%d", svc->port);
	rmq_version(svc->version, sizeof(svc->version));
	if (!(rc = ipcb_service_arg(svc, "/bin/sh")))
		rc = ipcb_service_arg(svc, "%s/start.sh", svc->dir);
out:
	free(cp);
	free(java);
	return rc;
}

/*
 * The name server listens, and the broker's log says it registered with it: clients find it
 * from then on (there is no C client here to ask them).
 */
static int rmq_ready(struct ipcb_service *svc)
{
	char *path, *text = NULL;
	size_t cap = 0;
	FILE *f;
	int rc = ipcb_broker_tcp_ready(svc->port, &svc->err);
	bool booted = false;

	if (rc)
		return rc;
	if (asprintf(&path, "%s/%s", svc->dir, RMQ_LOG) < 0)
		return ipcb_err(&svc->err, -ENOMEM, "asprintf");
	f = fopen(path, "re");
	free(path);
	while (f && getline(&text, &cap, f) > 0 && !booted)
		booted = strstr(text, RMQ_BOOTED) != NULL;
	free(text);
	if (f)
		fclose(f);
	if (!booted)
		return ipcb_errf(&svc->err, -EAGAIN, "broker", "has not booted yet");
	snprintf(svc->limit, sizeof(svc->limit), "maxMessageSize 16M and a header");
	return 0;
}

static const struct ipcb_service_ops rmq_service = {
    .prepare = rmq_prepare,
    .ready = rmq_ready,
};

/* ---- JNI ------------------------------------------------------------------------------------- */

/* A method of a class by name, or NULL with e filled. */
static jmethodID rmq_method(JNIEnv *env, const char *cls, const char *name, const char *sig,
			    bool stat, struct ipcb_err *e)
{
	jclass c = (*env)->FindClass(env, cls);
	jmethodID m = NULL;

	if (c)
		m = stat ? (*env)->GetStaticMethodID(env, c, name, sig)
			 : (*env)->GetMethodID(env, c, name, sig);
	if (!m)
		ipcb_jvm_check(env, e, name);
	if (c)
		(*env)->DeleteLocalRef(env, c);
	return m;
}

/* new CLS(String s): a global reference, or NULL with e filled. */
static jobject rmq_new(JNIEnv *env, const char *cls, const char *s, struct ipcb_err *e)
{
	jclass c = (*env)->FindClass(env, cls);
	jmethodID ctor = c ? (*env)->GetMethodID(env, c, "<init>", "(Ljava/lang/String;)V") : NULL;
	jstring js = ctor ? (*env)->NewStringUTF(env, s) : NULL;
	jobject o = js ? (*env)->NewObject(env, c, ctor, js) : NULL, g = NULL;

	if (o)
		g = (*env)->NewGlobalRef(env, o);
	else
		ipcb_jvm_check(env, e, cls);
	if (o)
		(*env)->DeleteLocalRef(env, o);
	if (js)
		(*env)->DeleteLocalRef(env, js);
	if (c)
		(*env)->DeleteLocalRef(env, c);
	return g;
}

/* obj.name(String s) (a setter, or start with s NULL and sig "()V"). 0 or -errno. */
static int rmq_call_str(JNIEnv *env, jobject obj, const char *cls, const char *name, const char *s,
			struct ipcb_err *e)
{
	jmethodID m = rmq_method(env, cls, name, s ? "(Ljava/lang/String;)V" : "()V", false, e);
	jstring js = NULL;

	if (!m)
		return e->code ? e->code : -EIO;
	if (s && !(js = (*env)->NewStringUTF(env, s)))
		return ipcb_jvm_check(env, e, name);
	if (js)
		(*env)->CallVoidMethod(env, obj, m, js);
	else
		(*env)->CallVoidMethod(env, obj, m);
	if (js)
		(*env)->DeleteLocalRef(env, js);
	return ipcb_jvm_check(env, e, name);
}

#define RMQ_CLIENT_CONFIG "org/apache/rocketmq/client/ClientConfig"
#define RMQ_PRODUCER	  "org/apache/rocketmq/client/producer/DefaultMQProducer"
#define RMQ_CONSUMER	  "org/apache/rocketmq/client/consumer/DefaultLitePullConsumer"
#define RMQ_MQ		  "org/apache/rocketmq/common/message/MessageQueue"

/* What every client of a side shares: the name server, one client instance, no VIP channel. */
static int rmq_client_config(JNIEnv *env, jobject c, const struct ipcb_ep *ep, struct ipcb_err *e)
{
	char inst[96];
	jmethodID vip =
	    rmq_method(env, RMQ_CLIENT_CONFIG, "setVipChannelEnabled", "(Z)V", false, e);
	int rc;

	snprintf(inst, sizeof(inst), "%s_%c%u", ep->chan->tag, ep->role == IPCB_SENDER ? 's' : 'r',
		 ep->index);
	if ((rc = rmq_call_str(env, c, RMQ_CLIENT_CONFIG, "setNamesrvAddr", ep->chan->cfg.service,
			       e)) ||
	    (rc = rmq_call_str(env, c, RMQ_CLIENT_CONFIG, "setInstanceName", inst, e)))
		return rc;
	if (!vip)
		return e->code ? e->code : -EIO;
	(*env)->CallVoidMethod(env, c, vip, JNI_FALSE);
	return ipcb_jvm_check(env, e, "setVipChannelEnabled");
}

/* new MessageQueue(topic, broker, 0): a global reference. */
static jobject rmq_queue(JNIEnv *env, const char *topic, struct ipcb_err *e)
{
	jclass c = (*env)->FindClass(env, RMQ_MQ);
	jmethodID ctor =
	    c ? (*env)->GetMethodID(env, c, "<init>", "(Ljava/lang/String;Ljava/lang/String;I)V")
	      : NULL;
	jstring t = ctor ? (*env)->NewStringUTF(env, topic) : NULL;
	jstring b = t ? (*env)->NewStringUTF(env, RMQ_BROKER) : NULL;
	jobject q = b ? (*env)->NewObject(env, c, ctor, t, b, 0) : NULL, g = NULL;

	if (q)
		g = (*env)->NewGlobalRef(env, q);
	else
		ipcb_jvm_check(env, e, "new MessageQueue");
	(*env)->DeleteLocalRef(env, q);
	(*env)->DeleteLocalRef(env, b);
	(*env)->DeleteLocalRef(env, t);
	(*env)->DeleteLocalRef(env, c);
	return g;
}

/* ---- the channel ----------------------------------------------------------------------------- */

static void rmq_topic(const struct ipcb_chan *ch, bool ab, char *out, size_t n)
{
	snprintf(out, n, "%s_%s", ch->tag, ab ? "ab" : "ba");
}

/* The producer every side has: what it sends with, and what makes the topic it reads. */
static int rmq_open_producer(struct ipcb_ep *ep)
{
	struct rmq_ep *me = ep->priv;
	JNIEnv *env = me->env;
	char group[96];
	jmethodID set_int;
	jobject impl, factory;
	jmethodID m;
	jstring key;
	int rc;

	snprintf(group, sizeof(group), "%s_p%c%u", ep->chan->tag,
		 ep->role == IPCB_SENDER ? 's' : 'r', ep->index);
	if (!(me->producer = rmq_new(env, RMQ_PRODUCER, group, &ep->err)))
		return ep->err.code ? ep->err.code : -EIO;
	if ((rc = rmq_client_config(env, me->producer, ep, &ep->err)))
		return rc;
	/* No compression, messages up to the broker's limit, a patient send. */
	if (!(set_int = rmq_method(env, RMQ_PRODUCER, "setCompressMsgBodyOverHowmuch", "(I)V",
				   false, &ep->err)))
		return ep->err.code;
	(*env)->CallVoidMethod(env, me->producer, set_int, (jint)INT_MAX);
	if (!(set_int =
		  rmq_method(env, RMQ_PRODUCER, "setMaxMessageSize", "(I)V", false, &ep->err)))
		return ep->err.code;
	(*env)->CallVoidMethod(env, me->producer, set_int, (jint)(RMQ_MAX_MSG + 65536));
	if (!(set_int =
		  rmq_method(env, RMQ_PRODUCER, "setSendMsgTimeout", "(I)V", false, &ep->err)))
		return ep->err.code;
	(*env)->CallVoidMethod(env, me->producer, set_int, (jint)RMQ_TIMEOUT);
	if ((rc = ipcb_jvm_check(env, &ep->err, "DefaultMQProducer")) ||
	    (rc = rmq_call_str(env, me->producer, RMQ_PRODUCER, "start", NULL, &ep->err)))
		return rc;
	/* The broker's address, from the route of RocketMQ's own topic: pulls need it. */
	m = rmq_method(env, RMQ_PRODUCER, "getDefaultMQProducerImpl",
		       "()Lorg/apache/rocketmq/client/impl/producer/DefaultMQProducerImpl;", false,
		       &ep->err);
	impl = m ? (*env)->CallObjectMethod(env, me->producer, m) : NULL;
	m = impl ? rmq_method(env, "org/apache/rocketmq/client/impl/producer/DefaultMQProducerImpl",
			      "getMqClientFactory",
			      "()Lorg/apache/rocketmq/client/impl/factory/MQClientInstance;", false,
			      &ep->err)
		 : NULL;
	factory = m ? (*env)->CallObjectMethod(env, impl, m) : NULL;
	m = factory ? rmq_method(env, "org/apache/rocketmq/client/impl/factory/MQClientInstance",
				 "updateTopicRouteInfoFromNameServer", "(Ljava/lang/String;)Z",
				 false, &ep->err)
		    : NULL;
	key = m ? (*env)->NewStringUTF(env, RMQ_KEY) : NULL;
	if (!key)
		return ipcb_jvm_check(env, &ep->err, "MQClientInstance") ?: -EIO;
	if (!(*env)->CallBooleanMethod(env, factory, m, key))
		return ipcb_jvm_check(env, &ep->err, "updateTopicRouteInfoFromNameServer")
			   ?: ipcb_errf(&ep->err, -ENOENT, "updateTopicRouteInfoFromNameServer",
					"the name server knows no route to %s", RMQ_KEY);
	return ipcb_jvm_check(env, &ep->err, "updateTopicRouteInfoFromNameServer");
}

/*
 * The topic this side reads (made here, one queue: the first reader to make it wins, the others
 * find it made), and a pull consumer assigned its queue from offset 0.
 */
static int rmq_open_consumer(struct ipcb_ep *ep, const char *topic)
{
	const struct ipcb_chan_cfg *cfg = &ep->chan->cfg;
	struct rmq_ep *me = ep->priv;
	JNIEnv *env = me->env;
	char group[96];
	jmethodID m;
	jstring key, t;
	jobject mq, list, enumv;
	jclass cls;
	int rc;

	m = rmq_method(env, RMQ_PRODUCER, "createTopic",
		       "(Ljava/lang/String;Ljava/lang/String;ILjava/util/Map;)V", false, &ep->err);
	key = m ? (*env)->NewStringUTF(env, RMQ_KEY) : NULL;
	t = key ? (*env)->NewStringUTF(env, topic) : NULL;
	if (!t)
		return ipcb_jvm_check(env, &ep->err, "createTopic") ?: -EIO;
	(*env)->CallVoidMethod(env, me->producer, m, key, t, (jint)1, NULL);
	if ((rc = ipcb_jvm_check(env, &ep->err, "createTopic")))
		return rc;
	if (cfg->broadcast)
		snprintf(group, sizeof(group), "%s_bcast", ep->chan->tag);
	else
		snprintf(group, sizeof(group), "%s_c%c%u", ep->chan->tag,
			 ep->role == IPCB_SENDER ? 's' : 'r', ep->index);
	if (!(me->consumer = rmq_new(env, RMQ_CONSUMER, group, &ep->err)))
		return ep->err.code ? ep->err.code : -EIO;
	if ((rc = rmq_client_config(env, me->consumer, ep, &ep->err)))
		return rc;
	if (!(m = rmq_method(env, RMQ_CONSUMER, "setAutoCommit", "(Z)V", false, &ep->err)))
		return ep->err.code;
	(*env)->CallVoidMethod(env, me->consumer, m, JNI_FALSE);
	/* From the first offset, whatever the model says for a new group. */
	cls = (*env)->FindClass(env, "org/apache/rocketmq/common/consumer/ConsumeFromWhere");
	enumv = cls ? (*env)->GetStaticObjectField(
			  env, cls,
			  (*env)->GetStaticFieldID(env, cls, "CONSUME_FROM_FIRST_OFFSET",
						   "Lorg/apache/rocketmq/common/consumer/"
						   "ConsumeFromWhere;"))
		    : NULL;
	m = enumv ? rmq_method(env, RMQ_CONSUMER, "setConsumeFromWhere",
			       "(Lorg/apache/rocketmq/common/consumer/ConsumeFromWhere;)V", false,
			       &ep->err)
		  : NULL;
	if (!m)
		return ipcb_jvm_check(env, &ep->err, "ConsumeFromWhere") ?: -EIO;
	(*env)->CallVoidMethod(env, me->consumer, m, enumv);
	if (cfg->broadcast) {
		cls = (*env)->FindClass(env, "org/apache/rocketmq/remoting/protocol/heartbeat/"
					     "MessageModel");
		enumv = cls ? (*env)->GetStaticObjectField(
				  env, cls,
				  (*env)->GetStaticFieldID(env, cls, "BROADCASTING",
							   "Lorg/apache/rocketmq/remoting/protocol/"
							   "heartbeat/MessageModel;"))
			    : NULL;
		m = enumv ? rmq_method(env, RMQ_CONSUMER, "setMessageModel",
				       "(Lorg/apache/rocketmq/remoting/protocol/heartbeat/"
				       "MessageModel;)V",
				       false, &ep->err)
			  : NULL;
		if (!m)
			return ipcb_jvm_check(env, &ep->err, "MessageModel") ?: -EIO;
		(*env)->CallVoidMethod(env, me->consumer, m, enumv);
	}
	if ((rc = ipcb_jvm_check(env, &ep->err, "DefaultLitePullConsumer")) ||
	    (rc = rmq_call_str(env, me->consumer, RMQ_CONSUMER, "start", NULL, &ep->err)))
		return rc;
	if (!(mq = rmq_queue(env, topic, &ep->err)))
		return ep->err.code ? ep->err.code : -EIO;
	m = rmq_method(env, "java/util/Collections", "singletonList",
		       "(Ljava/lang/Object;)Ljava/util/List;", true, &ep->err);
	cls = m ? (*env)->FindClass(env, "java/util/Collections") : NULL;
	list = cls ? (*env)->CallStaticObjectMethod(env, cls, m, mq) : NULL;
	m = list ? rmq_method(env, RMQ_CONSUMER, "assign", "(Ljava/util/Collection;)V", false,
			      &ep->err)
		 : NULL;
	if (m)
		(*env)->CallVoidMethod(env, me->consumer, m, list);
	if (!m || (rc = ipcb_jvm_check(env, &ep->err, "assign")))
		goto free_mq;
	m = rmq_method(env, RMQ_CONSUMER, "seek", "(L" RMQ_MQ ";J)V", false, &ep->err);
	if (m)
		(*env)->CallVoidMethod(env, me->consumer, m, mq, (jlong)0);
	rc = m ? ipcb_jvm_check(env, &ep->err, "seek") : ep->err.code;
free_mq:
	(*env)->DeleteGlobalRef(env, mq);
	return rc ? rc : ep->err.code;
}

static int rmq_open(struct ipcb_ep *ep)
{
	/* Java 17 closes the JDK's internals the client's libraries reach into. */
	static const char *const opts[] = {
	    "--add-opens=java.base/java.nio=ALL-UNNAMED",
	    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
	    "--add-opens=java.base/java.lang=ALL-UNNAMED",
	    "-Drocketmq.client.logLevel=ERROR",
	};
	const struct ipcb_chan_cfg *cfg = &ep->chan->cfg;
	struct rmq_ep *me = ep->priv;
	bool sender = ep->role == IPCB_SENDER;
	char out[96], in[96], why[160], *cp = NULL;
	JNIEnv *env;
	int rc;

	if (!cfg->service)
		return ipcb_errf(&ep->err, -EINVAL, "open", "its broker is not running");
	if ((rc = ipcb_maven_classpath(IPCB_MAVEN_SET_ROCKETMQ_CLIENT, &cp, why, sizeof(why))))
		return ipcb_errf(&ep->err, rc, "rocketmq-client", "%s", why);
	rc = ipcb_jvm_start("rocketmq-client", cp, opts, sizeof(opts) / sizeof(opts[0]),
			    cfg->run_dir, RMQ_HEAP, &me->env, &ep->err);
	free(cp);
	if (rc)
		return rc;
	env = me->env;
	rmq_topic(ep->chan, sender, out, sizeof(out));
	rmq_topic(ep->chan, !sender, in, sizeof(in));
	me->message_cls = (*env)->FindClass(env, "org/apache/rocketmq/common/message/Message");
	if (!me->message_cls)
		return ipcb_jvm_check(env, &ep->err, "FindClass");
	me->message_cls = (*env)->NewGlobalRef(env, me->message_cls);
	me->message_new =
	    (*env)->GetMethodID(env, me->message_cls, "<init>", "(Ljava/lang/String;[B)V");
	me->send = rmq_method(env, RMQ_PRODUCER, "send",
			      "(Lorg/apache/rocketmq/common/message/Message;L" RMQ_MQ
			      ";)Lorg/apache/rocketmq/client/producer/SendResult;",
			      false, &ep->err);
	me->send_status =
	    rmq_method(env, "org/apache/rocketmq/client/producer/SendResult", "getSendStatus",
		       "()Lorg/apache/rocketmq/client/producer/SendStatus;", false, &ep->err);
	me->poll = rmq_method(env, RMQ_CONSUMER, "poll", "(J)Ljava/util/List;", false, &ep->err);
	me->list_size = rmq_method(env, "java/util/List", "size", "()I", false, &ep->err);
	me->list_get =
	    rmq_method(env, "java/util/List", "get", "(I)Ljava/lang/Object;", false, &ep->err);
	me->get_body = rmq_method(env, "org/apache/rocketmq/common/message/Message", "getBody",
				  "()[B", false, &ep->err);
	if (!me->message_new || !me->send || !me->send_status || !me->poll || !me->list_size ||
	    !me->list_get || !me->get_body)
		return ipcb_jvm_check(env, &ep->err, "GetMethodID") ?: (ep->err.code ?: -EIO);
	if ((rc = rmq_open_producer(ep)))
		return rc;
	if (sender || cfg->bidirectional) {
		jstring t = (*env)->NewStringUTF(env, out);

		me->topic_out = t ? (*env)->NewGlobalRef(env, t) : NULL;
		me->mq_out = rmq_queue(env, out, &ep->err);
		if (!me->topic_out || !me->mq_out)
			return ipcb_jvm_check(env, &ep->err, "MessageQueue") ?: -EIO;
	}
	if (!sender || cfg->bidirectional)
		return rmq_open_consumer(ep, in);
	return 0;
}

IPCB_HOT static int rmq_send(struct ipcb_ep *ep, const void *buf, size_t len)
{
	struct rmq_ep *me = ep->priv;
	JNIEnv *env = me->env;
	jobject msg, res, status;
	jstring name;
	int rc = 0;

	/* The body: sent synchronously, so the same array serves the next message. */
	if (!me->body || me->body_len != (jsize)len) {
		jbyteArray a = (*env)->NewByteArray(env, (jsize)len);

		if (!a)
			return ipcb_jvm_check(env, &ep->err, "NewByteArray") ?: -ENOMEM;
		if (me->body)
			(*env)->DeleteGlobalRef(env, me->body);
		me->body = (*env)->NewGlobalRef(env, a);
		(*env)->DeleteLocalRef(env, a);
		me->body_len = (jsize)len;
	}
	(*env)->SetByteArrayRegion(env, me->body, 0, (jsize)len, buf);
	msg = (*env)->NewObject(env, me->message_cls, me->message_new, me->topic_out, me->body);
	if (!msg)
		return ipcb_jvm_check(env, &ep->err, "new Message") ?: -ENOMEM;
	res = (*env)->CallObjectMethod(env, me->producer, me->send, msg, me->mq_out);
	(*env)->DeleteLocalRef(env, msg);
	if ((rc = ipcb_jvm_check(env, &ep->err, "DefaultMQProducer.send")))
		return rc;
	status = res ? (*env)->CallObjectMethod(env, res, me->send_status) : NULL;
	/* SEND_OK, or a status that says the broker kept it but something else did not. */
	if (status) {
		jclass e = (*env)->GetObjectClass(env, status);
		jmethodID nm = (*env)->GetMethodID(env, e, "name", "()Ljava/lang/String;");
		const char *s;

		name = (*env)->CallObjectMethod(env, status, nm);
		s = name ? (*env)->GetStringUTFChars(env, name, NULL) : NULL;
		if (s && strcmp(s, "SEND_OK") != 0)
			rc = ipcb_errf(&ep->err, -EIO, "DefaultMQProducer.send", "%s", s);
		if (s)
			(*env)->ReleaseStringUTFChars(env, name, s);
		(*env)->DeleteLocalRef(env, name);
		(*env)->DeleteLocalRef(env, e);
		(*env)->DeleteLocalRef(env, status);
	} else {
		rc = ipcb_errf(&ep->err, -EPROTO, "DefaultMQProducer.send", "no result");
	}
	(*env)->DeleteLocalRef(env, res);
	return rc;
}

IPCB_HOT static int rmq_recv(struct ipcb_ep *ep, void *buf, size_t len)
{
	struct rmq_ep *me = ep->priv;
	JNIEnv *env = me->env;
	jobject m;
	jbyteArray body;
	jsize got;
	int rc = 0;

	/* No time limit of its own: the driver ends a run whose peer stopped. */
	while (!me->batch || me->next >= me->batch_size) {
		jobject l = (*env)->CallObjectMethod(env, me->consumer, me->poll, (jlong)1000);

		if ((rc = ipcb_jvm_check(env, &ep->err, "DefaultLitePullConsumer.poll")))
			return rc;
		if (me->batch)
			(*env)->DeleteGlobalRef(env, me->batch);
		me->batch = l ? (*env)->NewGlobalRef(env, l) : NULL;
		me->batch_size = l ? (*env)->CallIntMethod(env, l, me->list_size) : 0;
		me->next = 0;
		(*env)->DeleteLocalRef(env, l);
	}
	m = (*env)->CallObjectMethod(env, me->batch, me->list_get, me->next++);
	body = m ? (*env)->CallObjectMethod(env, m, me->get_body) : NULL;
	if (!body) {
		(*env)->DeleteLocalRef(env, m);
		return ipcb_jvm_check(env, &ep->err, "Message.getBody")
			   ?: ipcb_errf(&ep->err, -EPROTO, "Message.getBody", "no body");
	}
	got = (*env)->GetArrayLength(env, body);
	if ((size_t)got != len)
		rc = ipcb_errf(&ep->err, -EBADMSG, "DefaultLitePullConsumer.poll",
			       "a %d-byte message where %zu were sent", (int)got, len);
	else
		(*env)->GetByteArrayRegion(env, body, 0, got, buf);
	(*env)->DeleteLocalRef(env, body);
	(*env)->DeleteLocalRef(env, m);
	return rc;
}

/*
 * The side ends with its JVM (_exit): what the clients hold goes with it; the broker forgets
 * them when their connections close. The first side on a machine leaves its classes' archive.
 */
static void rmq_close(struct ipcb_ep *ep)
{
	(void)ep;
	ipcb_jvm_end();
}

static int rmq_setup(struct ipcb_chan *ch)
{
	if (!ch->cfg.service)
		return ipcb_errf(&ch->err, -EINVAL, "setup", "its broker is not running");
	snprintf(ch->layout, sizeof(ch->layout), "%s, 1 queue, sync send, pull",
		 ch->cfg.broadcast	 ? "RocketMQ topic, broadcast group"
		 : ch->cfg.bidirectional ? "RocketMQ topic per direction"
					 : "RocketMQ topic");
	return 0;
}

static void rmq_teardown(struct ipcb_chan *ch)
{
	(void)ch; /* the topics stay in the broker's store, which goes with its directory */
}

static void rmq_library(char *out, size_t n)
{
	const char *p = strstr(IPCB_MAVEN_SET_ROCKETMQ_CLIENT, "rocketmq-client:");

	snprintf(out, n, "rocketmq-client %.*s (Java, JNI)", p ? (int)strcspn(p + 16, " :") : 0,
		 p ? p + 16 : "");
}
#endif /* IPCB_BUILT_ROCKETMQ */

const struct ipcb_transport ipcb_transport_rocketmq = {
    .name = "rocketmq",
    .path = IPCB_PATH_NETWORK_STACK,
    .rides_on = "tcp",
    .layer = IPCB_LAYER_BROKER,
    .summary = RMQ_SUMMARY,
    .notes = RMQ_NOTES,
    .caps = RMQ_CAPS,
    .max_msg_bytes = RMQ_MAX_MSG,
    .fixed_wait = IPCB_WAIT_BLOCK,
    .hops = "via broker",
    IPCB_IF_BUILT(IPCB_BUILT_ROCKETMQ, IPCB_WITHOUT_ROCKETMQ, .library = rmq_library,
		  .service = &rmq_service, .ep_priv_bytes = sizeof(struct rmq_ep),
		  .probe = rmq_probe, .setup = rmq_setup, .teardown = rmq_teardown,
		  .open = rmq_open, .close = rmq_close, .send = rmq_send, .recv = rmq_recv),
};
