/* SPDX-License-Identifier: MIT */
/*
 * jvm.h - a Java virtual machine embedded in a side (JNI), for the transports whose library is
 * Java (java-rmi, rocketmq): one per process, made in open(), after fork (a JVM starts threads,
 * which fork does not copy), on a thread with a stack of its own (HotSpot guards the stack of
 * the thread that creates it, and the process's first thread has whatever the stack limit
 * left), and then joined by the side's own thread, which makes every call.
 *
 * libjvm.so is opened at run time (dlopen), from $JAVA_HOME, else from the JDK or JRE the
 * `java` on $PATH belongs to: the module links no JVM, and a machine without Java says so.
 *
 * The JVM is told to keep to the run: its temporary files, its home (where Java libraries put
 * logs and state) and a crash's error file in the run's directory, no performance-data file
 * (hsperfdata) nor attach listener in /tmp, no handlers for the signals that stop a process
 * (-Xrs: the driver's signals stay the driver's), a small heap, the serial collector. The side
 * ends with _exit, the JVM with it: nothing of it outlives the side.
 */
#ifndef IPCB_TRANSPORT_JVM_H
#define IPCB_TRANSPORT_JVM_H

#include <jni.h>
#include <stddef.h>

#include "transport.h"

/*
 * libjvm.so's path into out (for probe): 0, or -ENOENT with why saying what to install (or
 * -ENOTSUP: under Valgrind, where a JVM does not run).
 */
int ipcb_jvm_find(char *out, size_t n, char *why, size_t why_n);

/*
 * Make this process's JVM with class path `cp` and the extra -D/-X options in opts (n of them),
 * files in dir, heap at most heap_mib, and attach the calling thread: its JNIEnv in *env. 0, or
 * a negative errno recorded in e (with the JVM's complaint where it made one). It maps the
 * class-data archive `name` (cds.h) when the machine has one, else lists what it loads for
 * ipcb_jvm_end to make one from.
 */
int ipcb_jvm_start(const char *name, const char *cp, const char *const *opts, size_t n,
		   const char *dir, unsigned heap_mib, JNIEnv **env, struct ipcb_err *e);

/*
 * At the side's close, after its timed part: the class-data archive made from the classes this
 * JVM loaded, when it is the first of its kind on this machine (seconds, once); else nothing.
 */
void ipcb_jvm_end(void);

/*
 * A Java exception pending in env: recorded in e as call plus the exception's text, cleared, and
 * its errno returned (-EIO); 0 when none is pending.
 */
int ipcb_jvm_check(JNIEnv *env, struct ipcb_err *e, const char *call);

/* The jar of ipcbench's own Java classes, beside the module that holds `addr` (a function). */
int ipcb_jvm_own_jar(const void *addr, char *out, size_t n);

#endif
