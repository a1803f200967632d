/* SPDX-License-Identifier: MIT */
/*
 * cds.h - class-data archives (HotSpot's CDS) for the JVMs some transports start: a side's
 * embedded client (rocketmq, java-rmi) and Kafka's broker. A JVM that maps an archive of the
 * classes it loaded last time skips finding, reading, parsing and verifying them in a hundred
 * jars: a rocketmq side's open took 3.4-4.2 s without one and 1.7-2.6 s with one, Kafka's broker
 * answered in 2.7-3.6 s against 1.9-2.0 s. Only the start is shorter: the classes, and what the
 * JIT makes of them, are the same once they are loaded.
 *
 * The archive is made once per machine and kept beside the jars, in the Maven cache's cds/:
 * a JVM started where none exists writes the list of the classes it loads (into a directory
 * of the run's, removed with it); once it is done, `java -Xshare:dump` makes the archive from
 * that list. Its name holds a hash of the class path and of every jar's and the java launcher's
 * size and time, so a changed jar or JDK gets a new one, which replaces the old one of its kind
 * once it is made (one archive per kind, not one per build); HotSpot itself checks an archive
 * against the class path and the JVM that maps it, and ignores, silently, one that does not match.
 */
#ifndef IPCB_TRANSPORT_CDS_H
#define IPCB_TRANSPORT_CDS_H

#include <stdbool.h>
#include <stddef.h>

struct ipcb_cds {
	/* Paths longer than these leave a JVM without an archive (the plan fails), not broken. */
	char archive[480]; /* the archive's path in the cache */
	char list[480];	   /* where this JVM writes its class list ("": it maps the archive) */
	char opt[512];	   /* the option to give the JVM; "" when there is nothing to give */
};

/*
 * The plan for a JVM named `name` (one archive per kind of JVM: the client, the broker) with
 * class path cp, run by the JDK whose launcher is `java`: map the archive if it is there,
 * else write the class list in list_dir. Without a cache to keep it in, it does neither (opt
 * empty): a JVM starts as before. 0, or -ENAMETOOLONG.
 */
int ipcb_cds_plan(struct ipcb_cds *c, const char *name, const char *cp, const char *java,
		  const char *list_dir);

/*
 * Make the archive from the class list this plan wrote, if it wrote one and nobody made the
 * archive meanwhile (the first to start making it does; the others leave it to that one). Runs
 * the same JDK's java and waits for it: seconds, once per machine. 0 when there
 * was nothing to make or it was made; a negative errno when it could not be (the JVMs then
 * start as before).
 */
int ipcb_cds_make(const struct ipcb_cds *c, const char *cp, const char *java);

/* The java launcher of the JDK whose libjvm.so is `libjvm`, into out. 0 or -ENAMETOOLONG. */
int ipcb_cds_java(const char *libjvm, char *out, size_t n);

#endif
