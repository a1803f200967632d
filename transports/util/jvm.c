/* SPDX-License-Identifier: MIT */
/* jvm.c - a JVM embedded in a side; see jvm.h. */
#include "jvm.h"

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "broker.h"
#include "cds.h"

/* The stack of the thread that makes the JVM (the java launcher gives its main thread 8 MiB). */
#define JVM_CREATE_STACK (8u << 20)
#define JVM_MAX_OPTS	 32

int ipcb_jvm_find(char *out, size_t n, char *why, size_t why_n)
{
	const char *home = getenv("JAVA_HOME"), *preload = getenv("LD_PRELOAD");
	char *java = NULL, real[PATH_MAX], *slash;

	/*
	 * Under Valgrind (its preloaded library says so) a JVM's compiled code and its own signal
	 * handling are beyond what memcheck can follow: it would run for minutes and report the
	 * JVM's doings as ours.
	 */
	if (preload && strstr(preload, "vgpreload")) {
		snprintf(why, why_n, "a JVM does not run under Valgrind");
		return -ENOTSUP;
	}
	if (home && home[0] == '/') {
		snprintf(out, n, "%s/lib/server/libjvm.so", home);
		if (access(out, R_OK) == 0)
			return 0;
	}
	/* /usr/bin/java -> /etc/alternatives/java -> JDK/bin/java: libjvm is JDK/lib/server. */
	if (ipcb_broker_java(&java) == 0 && realpath(java, real) && (slash = strrchr(real, '/'))) {
		*slash = '\0';
		if ((slash = strrchr(real, '/')))
			*slash = '\0';
		snprintf(out, n, "%s/lib/server/libjvm.so", real);
		free(java);
		if (access(out, R_OK) == 0)
			return 0;
	} else {
		free(java);
	}
	snprintf(why, why_n,
		 "no Java virtual machine (libjvm.so) here: install the Debian package "
		 "openjdk-17-jre-headless (scripts/setup does), or set JAVA_HOME");
	return -ENOENT;
}

/* This process's JVM's archive plan, and what making the archive at its end needs. */
static struct ipcb_cds jvm_cds;
static char *jvm_cp;
static char jvm_java[PATH_MAX];

typedef jint (*jvm_create_fn)(JavaVM **vm, void **env, void *args);

struct jvm_create {
	jvm_create_fn create;
	JavaVMInitArgs args;
	JavaVM *vm;
	jint rc;
};

/* On the JVM's own thread: make it, and leave it (the side's thread joins it). */
static void *jvm_create_thread(void *arg)
{
	struct jvm_create *c = arg;
	JNIEnv *env = NULL;

	c->rc = c->create(&c->vm, (void **)&env, &c->args);
	if (c->rc == JNI_OK)
		(*c->vm)->DetachCurrentThread(c->vm);
	return NULL;
}

int ipcb_jvm_start(const char *name, const char *cp, const char *const *opts, size_t n,
		   const char *dir, unsigned heap_mib, JNIEnv **env, struct ipcb_err *e)
{
	char lib[PATH_MAX], why[200], *text[JVM_MAX_OPTS] = {0};
	JavaVMOption o[JVM_MAX_OPTS];
	struct jvm_create c = {0};
	pthread_attr_t attr;
	pthread_t th;
	void *h;
	int k = 0, rc = 0;

	if (n + 12 > JVM_MAX_OPTS)
		return ipcb_err(e, -E2BIG, "JNI_CreateJavaVM");
	if (!dir)
		return ipcb_errf(e, -EINVAL, "JNI_CreateJavaVM", "no run directory for its files");
	if ((rc = ipcb_jvm_find(lib, sizeof(lib), why, sizeof(why))))
		return ipcb_errf(e, rc, "libjvm.so", "%s", why);
	h = dlopen(lib, RTLD_NOW | RTLD_GLOBAL);
	if (!h)
		return ipcb_errf(e, -ENOENT, "dlopen", "%s", dlerror());
	c.create = (jvm_create_fn)dlsym(h, "JNI_CreateJavaVM");
	if (!c.create)
		return ipcb_errf(e, -ENOENT, "dlsym", "JNI_CreateJavaVM: %s", lib);
	if (asprintf(&text[k++], "-Djava.class.path=%s", cp) < 0 ||
	    asprintf(&text[k++], "-Djava.io.tmpdir=%s", dir) < 0 ||
	    asprintf(&text[k++], "-Duser.home=%s", dir) < 0 ||
	    asprintf(&text[k++], "-XX:ErrorFile=%s/hs_err_%%p.log", dir) < 0 ||
	    asprintf(&text[k++], "-Xmx%um", heap_mib) < 0 || !(text[k++] = strdup("-Xrs")) ||
	    !(text[k++] = strdup("-XX:-UsePerfData")) ||
	    !(text[k++] = strdup("-XX:+DisableAttachMechanism")) ||
	    !(text[k++] = strdup("-XX:+UseSerialGC")) ||
	    !(text[k++] = strdup("-XX:-CreateCoredumpOnCrash"))) {
		rc = ipcb_err(e, -ENOMEM, "asprintf");
		goto free_text;
	}
	/* Without an archive plan (no cache, a path too long) it starts as it would without. */
	if (ipcb_cds_java(lib, jvm_java, sizeof(jvm_java)) == 0 &&
	    ipcb_cds_plan(&jvm_cds, name, cp, jvm_java, dir) == 0 && jvm_cds.opt[0]) {
		if (!(text[k++] = strdup(jvm_cds.opt)) ||
		    (jvm_cds.list[0] && !(jvm_cp = strdup(cp)))) {
			rc = ipcb_err(e, -ENOMEM, "strdup");
			goto free_text;
		}
	}
	for (int i = 0; i < k; i++)
		o[i] = (JavaVMOption){.optionString = text[i]};
	for (size_t i = 0; i < n; i++)
		o[k + i] = (JavaVMOption){.optionString = (char *)opts[i]};
	c.args = (JavaVMInitArgs){.version = JNI_VERSION_10,
				  .nOptions = k + (jint)n,
				  .options = o,
				  .ignoreUnrecognized = JNI_FALSE};
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, JVM_CREATE_STACK);
	rc = pthread_create(&th, &attr, jvm_create_thread, &c);
	pthread_attr_destroy(&attr);
	if (rc) {
		rc = ipcb_err(e, -rc, "pthread_create");
		goto free_text;
	}
	pthread_join(th, NULL);
	if (c.rc != JNI_OK) {
		rc = ipcb_errf(e, c.rc == JNI_ENOMEM ? -ENOMEM : -EIO, "JNI_CreateJavaVM",
			       "error %d", (int)c.rc);
		goto free_text;
	}
	if ((*c.vm)->AttachCurrentThread(c.vm, (void **)env, NULL) != JNI_OK)
		rc = ipcb_err(e, -EIO, "AttachCurrentThread");
free_text:
	for (int i = 0; i < k; i++)
		free(text[i]);
	return rc;
}

void ipcb_jvm_end(void)
{
	if (jvm_cp)
		ipcb_cds_make(&jvm_cds, jvm_cp, jvm_java);
	free(jvm_cp);
	jvm_cp = NULL;
}

int ipcb_jvm_check(JNIEnv *env, struct ipcb_err *e, const char *call)
{
	jthrowable ex;
	jclass cls;
	jmethodID str;
	jstring s;
	const char *text;

	if (!(*env)->ExceptionCheck(env))
		return 0;
	ex = (*env)->ExceptionOccurred(env);
	(*env)->ExceptionClear(env);
	cls = (*env)->FindClass(env, "java/lang/Throwable");
	str = cls ? (*env)->GetMethodID(env, cls, "toString", "()Ljava/lang/String;") : NULL;
	s = str ? (*env)->CallObjectMethod(env, ex, str) : NULL;
	(*env)->ExceptionClear(env);
	text = s ? (*env)->GetStringUTFChars(env, s, NULL) : NULL;
	ipcb_errf(e, -EIO, call, "%s", text ? text : "a Java exception");
	if (text)
		(*env)->ReleaseStringUTFChars(env, s, text);
	(*env)->DeleteLocalRef(env, ex);
	return -EIO;
}

int ipcb_jvm_own_jar(const void *addr, char *out, size_t n)
{
	Dl_info info;
	const char *slash;
	int len;

	if (!dladdr(addr, &info) || !info.dli_fname || !(slash = strrchr(info.dli_fname, '/')))
		return -ENOENT;
	len = snprintf(out, n, "%.*s/ipcb-jvm.jar", (int)(slash - info.dli_fname), info.dli_fname);
	if (len < 0 || (size_t)len >= n)
		return -ENAMETOOLONG;
	return access(out, R_OK) == 0 ? 0 : -ENOENT;
}
