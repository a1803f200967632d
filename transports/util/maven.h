/* SPDX-License-Identifier: MIT */
/*
 * maven.h - the Maven cache, where the jars of the Java programs some transports run (a broker,
 * a client library) lie: scripts/setup fetches each set named in transports/maven.lock there,
 * pinned and checked, and a transport builds its class path from it at run time.
 *
 * The cache is $IPCB_MAVEN_CACHE, else $XDG_CACHE_HOME/ipcbench/maven, else
 * $HOME/.cache/ipcbench/maven: a Maven local repository
 * (GROUP/ARTIFACT/VERSION/ARTIFACT-VERSION[-CLASSIFIER].jar).
 */
#ifndef IPCB_TRANSPORT_MAVEN_H
#define IPCB_TRANSPORT_MAVEN_H

#include <stddef.h>

/* The cache's directory into out. 0, or -ENAMETOOLONG / -ENOENT (no $HOME either). */
int ipcb_maven_cache(char *out, size_t n);

/*
 * The class path of a set (its IPCB_MAVEN_SET_<SET>: coordinates separated by spaces), every
 * jar's path in the cache joined by ':', in *out (allocated; the caller frees it). 0; -ENOENT
 * with `why` naming the first jar that is missing, how many are, and the fix; -ENOMEM.
 */
int ipcb_maven_classpath(const char *coords, char **out, char *why, size_t n);

#endif
