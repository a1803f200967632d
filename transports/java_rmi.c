/* SPDX-License-Identifier: MIT */
/*
 * java-rmi - Java RMI calls between two JVMs, one embedded in each side through JNI (Debian's
 * OpenJDK 17; transports/util/jvm.h: made in open(), after fork, on a thread with a stack of its


 * exports an Rmi.Side on 127.0.0.1 (java.rmi.server.hostname 127.0.0.1, a server socket bound to
 * the loopback) and writes its stub, serialized, to a file in the run's directory; the sender
 * reads it in connect(): no registry. A round trip is one call of echo(byte[]) returning byte[]:
 * the sender's send() hands the request over and its recv() makes the call; a stream is one
 * call of push(byte[]) per message, answered empty (RMI has no one-way call).
 *
 * On the receiving side RMI reads each call in a thread of its own (one per connection) and
 * calls the object there (hops: via JVM); the object hands the message to the receiver's thread,
 * which recv() runs on, and waits for send()'s reply (an echo) or for the message to be taken (a
 * push): two thread switches per call that an object answering by itself would not have, which
 * is what letting the driver's receiver verify and answer each message costs.
 *
 * Warm-up: a JVM starts interpreting, and HotSpot compiles a method with C2 once it has been
 * called about 5000 times (Tier4InvocationThreshold), in a compiler thread that here shares the
 * side's CPU: a fixed count is too few for some paths and wasted time for others (tried here:
 * after 10000 echo calls dozens of RMI's methods were still compiled in the timed part, after
 * 20000 none). So before connect() returns, the sides make calls of the run's kind (echo or
 * push) through the same code (JNI, RMI, the hand-off), with messages of the run's size up to
 * 4 KiB (the compiled path is the same for larger arrays, whose copies are intrinsics), until
 * neither JVM's compilers have worked (CompilationMXBean's total compilation time) over the
 * last 2000 calls, at least 6000 and at most -o java-rmi.warmup (default 100000) calls; every
 * 1000th call is an echo of one byte more than the warm-up's messages, answered by whether the
 * receiver's compilers worked since the last one, and an empty echo ends the warm-up. The row's
 * channel says how many calls it took. The driver's own warm-up follows.
 *
 * Cost of one message: the payload copied into a Java byte[] (JNI), serialized by RMI into its
 * stream (a copy) and written to the socket, read and deserialized into a new byte[] on the other
 * side (a copy), handed to the receiver's thread and copied out (JNI), the reply the same way
 * back: the socket's cost plus Java serialization, JNI copies and the hand-off.
 * Limits: 16 MiB per message (the JVMs' heaps are sized for it); larger payloads are chunked.
 *
 * Built only with the JDK's jni.h and javac (transports/meson.build); runs only with a JVM.
 */
#include "ipcb_config.h"
#include "transport.h"

#define RMI_SUMMARY "Java RMI echo call, byte[] over TCP, a JVM embedded in each side (JNI)"
#define RMI_CAPS    (IPCB_CAP_BIDIR | IPCB_CAP_BOUNDARIES | IPCB_CAP_USES_DIR)
#define RMI_MAX_MSG (16u << 20)
#define RMI_NOTES                                                                                  \
	"a JVM in each side (JNI_CreateJavaVM after fork, on a thread of its own); the receiver "  \
	"exports a remote object on 127.0.0.1 and writes its stub to a file in the run's "         \
	"directory (no registry); a stream is calls answered empty. RMI's connection thread "      \
	"hands each call to the receiver's thread (via JVM). Before the run, calls until HotSpot " \
	"has compiled the path (its compilers idle over 2000 calls; -o java-rmi.warmup caps "      \
	"them): the row's channel says how many."

static const struct ipcb_option rmi_opts[] = {
    {.key = "warmup",
     .type = IPCB_OPT_UINT,
     .def = "100000",
     .min = 0,
     .max = 10000000,
     .help = "the most calls made before the run until HotSpot has compiled the path (until "
	     "its compilers stay idle over 2000 calls; at least 6000); 0: none"},
    {.key = NULL}};
enum { RMI_OPT_WARMUP };

#if IPCB_BUILT_JAVA_RMI
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "jvm.h"

/* The warm-up's messages: the run's size, up to this. */
#define RMI_WARMUP_MAX_BYTES 4096
/* Its calls between two looks at the compilers, how many looks must find them idle, the least. */
#define RMI_WARMUP_EVERY 1000
#define RMI_WARMUP_QUIET 2
#define RMI_WARMUP_MIN	 6000

/* Shared by the run's sides (mapped by setup): how many calls warmed them, for the row. */
struct rmi_chan {
	uint64_t *warmed;
};
/* The JVM's heap: room for a few messages of the largest size in flight. */
#define RMI_HEAP_MIB 192

struct rmi_ep {
	JNIEnv *env;
	jobject side;	/* the receiver's Rmi.Side (a global reference) */
	jobject stub;	/* the sender's Echo stub */
	jbyteArray arr; /* the array a message is copied into, reused while sizes match */
	jsize arr_len;
	jmethodID take, answer, close, echo, push, compiled;
	jclass rmi;	     /* ipcbench.Rmi, for compiledMs */
	jlong compiled_ms;   /* the compilers' total when last looked at */
	const void *pending; /* the sender's request, from send() to recv() */
	size_t pending_len;
	bool stream;
};

static int rmi_own_jar(char *out, size_t n)
{
	return ipcb_jvm_own_jar((const void *)rmi_own_jar, out, n);
}

static int rmi_probe(struct ipcb_probe *p)
{
	char path[PATH_MAX];
	int rc = ipcb_jvm_find(path, sizeof(path), p->reason, sizeof(p->reason));

	if (rc)
		return rc;
	if (rmi_own_jar(path, sizeof(path))) {
		snprintf(p->reason, sizeof(p->reason),
			 "its Java classes (ipcb-jvm.jar) are not beside its module: build or "
			 "install ipcbench again");
		return -ENOENT;
	}
	return 0;
}

/* A byte[] of len bytes holding buf: the endpoint's, made again only when len changes. */
IPCB_HOT static jbyteArray rmi_array(struct ipcb_ep *ep, const void *buf, size_t len)
{
	struct rmi_ep *me = ep->priv;
	JNIEnv *env = me->env;

	if (!me->arr || me->arr_len != (jsize)len) {
		jbyteArray a = (*env)->NewByteArray(env, (jsize)len);

		if (!a) {
			ipcb_jvm_check(env, &ep->err, "NewByteArray");
			return NULL;
		}
		if (me->arr)
			(*env)->DeleteGlobalRef(env, me->arr);
		me->arr = (*env)->NewGlobalRef(env, a);
		(*env)->DeleteLocalRef(env, a);
		me->arr_len = (jsize)len;
	}
	(*env)->SetByteArrayRegion(env, me->arr, 0, (jsize)len, buf);
	return me->arr;
}

/* Copy a byte[] that must hold len bytes into buf. */
IPCB_HOT static int rmi_copy_out(struct ipcb_ep *ep, jbyteArray a, void *buf, size_t len,
				 const char *call)
{
	JNIEnv *env = ((struct rmi_ep *)ep->priv)->env;
	jsize got = (*env)->GetArrayLength(env, a);
	int rc = 0;

	if ((size_t)got != len)
		rc = ipcb_errf(&ep->err, -EBADMSG, call, "%d bytes where %zu were sent", (int)got,
			       len);
	else
		(*env)->GetByteArrayRegion(env, a, 0, got, buf);
	(*env)->DeleteLocalRef(env, a);
	return rc;
}

static int rmi_open(struct ipcb_ep *ep)
{
	static const char *const opts[] = {"-Djava.rmi.server.hostname=127.0.0.1"};
	const struct ipcb_chan_cfg *cfg = &ep->chan->cfg;
	struct rmi_ep *me = ep->priv;
	char jar[PATH_MAX], stub[PATH_MAX];
	jclass side, echo;
	JNIEnv *env;
	int rc;

	me->stream = !cfg->bidirectional;
	if (rmi_own_jar(jar, sizeof(jar)))
		return ipcb_errf(&ep->err, -ENOENT, "ipcb-jvm.jar", "not beside the module");
	rc = ipcb_jvm_start("java-rmi", jar, opts, 1, cfg->run_dir, RMI_HEAP_MIB, &me->env,
			    &ep->err);
	if (rc)
		return rc;
	env = me->env;
	me->rmi = (*env)->FindClass(env, "ipcbench/Rmi");
	if (!me->rmi)
		return ipcb_jvm_check(env, &ep->err, "FindClass");
	me->compiled = (*env)->GetStaticMethodID(env, me->rmi, "compiledMs", "()J");
	me->rmi = (*env)->NewGlobalRef(env, me->rmi);
	side = (*env)->FindClass(env, "ipcbench/Rmi$Side");
	echo = side ? (*env)->FindClass(env, "ipcbench/Rmi$Echo") : NULL;
	if (!echo)
		return ipcb_jvm_check(env, &ep->err, "FindClass");
	me->take = (*env)->GetMethodID(env, side, "take", "()[B");
	me->answer = (*env)->GetMethodID(env, side, "answer", "([B)Z");
	me->close = (*env)->GetMethodID(env, side, "close", "()V");
	me->echo = (*env)->GetMethodID(env, echo, "echo", "([B)[B");
	me->push = (*env)->GetMethodID(env, echo, "push", "([B)V");
	if (!me->take || !me->answer || !me->close || !me->echo || !me->push || !me->compiled)
		return ipcb_jvm_check(env, &ep->err, "GetMethodID");
	snprintf(stub, sizeof(stub), "%s/rmi.stub", cfg->run_dir);
	if (ep->role == IPCB_RECEIVER) {
		jmethodID serve = (*env)->GetStaticMethodID(
		    env, side, "serve", "(Ljava/lang/String;)Lipcbench/Rmi$Side;");
		jstring path = serve ? (*env)->NewStringUTF(env, stub) : NULL;
		jobject s = path ? (*env)->CallStaticObjectMethod(env, side, serve, path) : NULL;

		if (!s)
			return ipcb_jvm_check(env, &ep->err, "Rmi.Side.serve") ?: -EIO;
		me->side = (*env)->NewGlobalRef(env, s);
	}
	return 0;
}

/*
 * The sender's call: echo (its reply copied into rx when rx is given, else its first byte into
 * *flag when flag is given) or, in a stream, push unless echo is asked for.
 */
IPCB_HOT static int rmi_call_as(struct ipcb_ep *ep, const void *buf, size_t len, void *rx,
				bool echo, unsigned char *flag)
{
	struct rmi_ep *me = ep->priv;
	JNIEnv *env = me->env;
	jbyteArray a = rmi_array(ep, buf, len), r;

	if (!a)
		return ep->err.code ? ep->err.code : -ENOMEM;
	if (me->stream && !echo) {
		(*env)->CallVoidMethod(env, me->stub, me->push, a);
		return ipcb_jvm_check(env, &ep->err, "Rmi.Echo.push");
	}
	r = (*env)->CallObjectMethod(env, me->stub, me->echo, a);
	if (ipcb_jvm_check(env, &ep->err, "Rmi.Echo.echo"))
		return ep->err.code;
	if (!r)
		return ipcb_errf(&ep->err, -EPROTO, "Rmi.Echo.echo", "no reply");
	if (rx)
		return rmi_copy_out(ep, r, rx, len, "Rmi.Echo.echo");
	if (flag) {
		jbyte b = 0;

		if ((*env)->GetArrayLength(env, r) > 0)
			(*env)->GetByteArrayRegion(env, r, 0, 1, &b);
		*flag = (unsigned char)b;
	}
	(*env)->DeleteLocalRef(env, r);
	return 0;
}

IPCB_HOT static int rmi_call(struct ipcb_ep *ep, const void *buf, size_t len, void *rx)
{
	return rmi_call_as(ep, buf, len, rx, false, NULL);
}

/* Have this JVM's compilers worked since the last look? */
static bool rmi_compiling(struct ipcb_ep *ep)
{
	struct rmi_ep *me = ep->priv;
	JNIEnv *env = me->env;
	jlong ms = (*env)->CallStaticLongMethod(env, me->rmi, me->compiled);
	bool changed = ms != me->compiled_ms;

	(*env)->ExceptionClear(env);
	me->compiled_ms = ms;
	return changed;
}

/* The receiver takes the next call's message (into buf when given; else its length in *got). */
IPCB_HOT static int rmi_take(struct ipcb_ep *ep, void *buf, size_t len, size_t *got)
{
	struct rmi_ep *me = ep->priv;
	JNIEnv *env = me->env;
	jbyteArray a = (*env)->CallObjectMethod(env, me->side, me->take);

	if (ipcb_jvm_check(env, &ep->err, "Rmi.Side.take"))
		return ep->err.code;
	if (!a)
		return ipcb_errf(&ep->err, -EPIPE, "Rmi.Side.take", "closed");
	if (!buf) {
		*got = (size_t)(*env)->GetArrayLength(env, a);
		(*env)->DeleteLocalRef(env, a);
		return 0;
	}
	return rmi_copy_out(ep, a, buf, len, me->stream ? "Rmi.Echo.push" : "Rmi.Echo.echo");
}

IPCB_HOT static int rmi_answer(struct ipcb_ep *ep, const void *buf, size_t len)
{
	struct rmi_ep *me = ep->priv;
	JNIEnv *env = me->env;
	jbyteArray a = rmi_array(ep, buf, len);
	jboolean ok;

	if (!a)
		return ep->err.code ? ep->err.code : -ENOMEM;
	ok = (*env)->CallBooleanMethod(env, me->side, me->answer, a);
	if (ipcb_jvm_check(env, &ep->err, "Rmi.Side.answer"))
		return ep->err.code;
	return ok ? 0 : ipcb_errf(&ep->err, -EPROTO, "Rmi.Side.answer", "no call to answer");
}

/*
 * The sender's warm-up: calls of wlen bytes; every RMI_WARMUP_EVERY an echo of wlen + 1 bytes
 * that the receiver answers with 1 when its compilers worked since the last one; done when
 * neither side's compilers worked over RMI_WARMUP_QUIET looks (and RMI_WARMUP_MIN calls), or
 * after `most` calls; then an empty echo tells the receiver.
 */
static int rmi_warm_sender(struct ipcb_ep *ep, char *w, size_t wlen, uint64_t most)
{
	struct rmi_chan *c = ep->chan->priv;
	unsigned quiet = 0;
	uint64_t i = 0;
	int rc = 0;

	rmi_compiling(ep);
	while (i < most && !rc && (quiet < RMI_WARMUP_QUIET || i < RMI_WARMUP_MIN)) {
		rc = rmi_call(ep, w, wlen, NULL);
		if (!rc && ++i % RMI_WARMUP_EVERY == 0) {
			unsigned char busy = 0;

			rc = rmi_call_as(ep, w, wlen + 1, NULL, true, &busy);
			quiet = rmi_compiling(ep) || busy ? 0 : quiet + 1;
		}
	}
	if (most && !rc)
		rc = rmi_call_as(ep, w, 0, NULL, true, NULL);
	if (c && c->warmed)
		*c->warmed = i;
	return rc;
}

/* The receiver's: take the calls, answer echoes, until the empty one. */
static int rmi_warm_receiver(struct ipcb_ep *ep, char *w, size_t wlen)
{
	struct rmi_ep *me = ep->priv;
	size_t got = 0;
	int rc = 0;

	if (!ipcb_opt(&ep->chan->cfg, RMI_OPT_WARMUP))
		return 0;
	rmi_compiling(ep);
	for (;;) {
		if ((rc = rmi_take(ep, NULL, 0, &got)))
			return rc;
		if (got == 0)
			return rmi_answer(ep, w, 0);
		if (got == wlen + 1) {
			w[wlen] = rmi_compiling(ep);
			rc = rmi_answer(ep, w + wlen, 1);
		} else if (!me->stream) {
			rc = rmi_answer(ep, w, wlen);
		}
		if (rc)
			return rc;
	}
}

/*
 * The sender reads the stub; then both sides make the warm-up's calls, through the very path
 * the run takes, until HotSpot has compiled it.
 */
static int rmi_connect(struct ipcb_ep *ep, const struct ipcb_peers *peers)
{
	const struct ipcb_chan_cfg *cfg = &ep->chan->cfg;
	struct rmi_ep *me = ep->priv;
	JNIEnv *env = me->env;
	uint64_t calls = ipcb_opt(cfg, RMI_OPT_WARMUP);
	size_t wlen = cfg->msg_bytes < RMI_WARMUP_MAX_BYTES ? cfg->msg_bytes : RMI_WARMUP_MAX_BYTES;
	char *w;
	int rc;

	(void)peers;
	if (!wlen)
		wlen = 1;
	if (ep->role == IPCB_SENDER) {
		char stub[PATH_MAX];
		jclass side = (*env)->FindClass(env, "ipcbench/Rmi$Side");
		jmethodID client =
		    side ? (*env)->GetStaticMethodID(env, side, "client",
						     "(Ljava/lang/String;)Lipcbench/Rmi$Echo;")
			 : NULL;
		jstring path;
		jobject s;

		snprintf(stub, sizeof(stub), "%s/rmi.stub", cfg->run_dir);
		path = client ? (*env)->NewStringUTF(env, stub) : NULL;
		s = path ? (*env)->CallStaticObjectMethod(env, side, client, path) : NULL;
		if (!s)
			return ipcb_jvm_check(env, &ep->err, "Rmi.Side.client") ?: -EIO;
		me->stub = (*env)->NewGlobalRef(env, s);
	}
	w = calloc(1, wlen + 1);
	if (!w)
		return ipcb_err(&ep->err, -ENOMEM, "calloc(warm-up message)");
	rc = ep->role == IPCB_SENDER ? rmi_warm_sender(ep, w, wlen, calls)
				     : rmi_warm_receiver(ep, w, wlen);
	free(w);
	return rc;
}

IPCB_HOT static int rmi_send(struct ipcb_ep *ep, const void *buf, size_t len)
{
	struct rmi_ep *me = ep->priv;

	if (ep->role == IPCB_RECEIVER)
		return rmi_answer(ep, buf, len);
	if (me->stream)
		return rmi_call(ep, buf, len, NULL);
	/* The call is made by recv(), which waits for its result. */
	me->pending = buf;
	me->pending_len = len;
	return 0;
}

IPCB_HOT static int rmi_recv(struct ipcb_ep *ep, void *buf, size_t len)
{
	struct rmi_ep *me = ep->priv;
	const void *req = me->pending;

	if (ep->role == IPCB_RECEIVER)
		return rmi_take(ep, buf, len, NULL);
	if (!req || me->pending_len != len)
		return ipcb_errf(&ep->err, -EPROTO, "Rmi.Echo.echo", "no request to make");
	me->pending = NULL;
	return rmi_call(ep, req, len, buf);
}

static void rmi_close(struct ipcb_ep *ep)
{
	struct rmi_ep *me = ep->priv;
	JNIEnv *env = me->env;

	if (!env)
		return;
	/* A call still waiting for the receiver's thread returns; the side then ends, its JVM
	 * with it. */
	if (me->side) {
		(*env)->CallVoidMethod(env, me->side, me->close);
		(*env)->ExceptionClear(env);
		(*env)->DeleteGlobalRef(env, me->side);
	}
	if (me->stub)
		(*env)->DeleteGlobalRef(env, me->stub);
	if (me->arr)
		(*env)->DeleteGlobalRef(env, me->arr);
	if (me->rmi)
		(*env)->DeleteGlobalRef(env, me->rmi);
	me->side = me->stub = me->arr = NULL;
	me->rmi = NULL;
	ipcb_jvm_end();
}

static int rmi_setup(struct ipcb_chan *ch)
{
	struct rmi_chan *c = ch->priv;

	c->warmed = mmap(NULL, sizeof(*c->warmed), PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (c->warmed == MAP_FAILED) {
		c->warmed = NULL;
		return ipcb_err(&ch->err, -errno, "mmap");
	}
	snprintf(ch->layout, sizeof(ch->layout), "RMI over TCP, %s",
		 ch->cfg.bidirectional ? "echo calls" : "push calls");
	return 0;
}

/* The stub's file is in the run's directory, removed with it; the row says the warm-up. */
static void rmi_teardown(struct ipcb_chan *ch)
{
	struct rmi_chan *c = ch->priv;

	if (!c->warmed)
		return;
	if (*c->warmed)
		snprintf(ch->layout, sizeof(ch->layout),
			 "RMI over TCP, %s; JIT warmed by %llu calls",
			 ch->cfg.bidirectional ? "echo" : "push", (unsigned long long)*c->warmed);
	munmap(c->warmed, sizeof(*c->warmed));
	c->warmed = NULL;
}

static void rmi_library(char *out, size_t n)
{
	/* The JDK it was built with ("jni 17.0.15"): the one the sides run, unless JAVA_HOME
	 * names another. */
	snprintf(out, n, "Java RMI, OpenJDK %s",
		 strncmp(IPCB_LIBS_JAVA_RMI, "jni ", 4) ? IPCB_LIBS_JAVA_RMI
							: IPCB_LIBS_JAVA_RMI + 4);
}
#endif /* IPCB_BUILT_JAVA_RMI */

const struct ipcb_transport ipcb_transport_java_rmi = {
    .name = "java-rmi",
    .path = IPCB_PATH_NETWORK_STACK,
    .rides_on = "tcp",
    .layer = IPCB_LAYER_MIDDLEWARE,
    .summary = RMI_SUMMARY,
    .notes = RMI_NOTES,
    .caps = RMI_CAPS,
    .max_msg_bytes = RMI_MAX_MSG,
    .fixed_wait = IPCB_WAIT_BLOCK,
    .options = rmi_opts,
    .hops = "via JVM",
    IPCB_IF_BUILT(IPCB_BUILT_JAVA_RMI, IPCB_WITHOUT_JAVA_RMI, .library = rmi_library,
		  .chan_priv_bytes = sizeof(struct rmi_chan),
		  .ep_priv_bytes = sizeof(struct rmi_ep), .probe = rmi_probe, .setup = rmi_setup,
		  .teardown = rmi_teardown, .open = rmi_open, .connect = rmi_connect,
		  .close = rmi_close, .send = rmi_send, .recv = rmi_recv),
};
