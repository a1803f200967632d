/* SPDX-License-Identifier: MIT */
/*
 * maven.h - the Maven cache, where the jars of the Java programs some transports run (a broker,
 * a client library) lie: scripts/setup fetches each set named in transports/maven.lock there,
 * pinned and checked, and a transport builds its class path from it at run time.
 *
 * The user's cache is $IPCB_MAVEN_CACHE, else $XDG_CACHE_HOME/ipcbench/maven, else
 * $HOME/.cache/ipcbench/maven: a Maven local repository
 * (GROUP/ARTIFACT/VERSION/ARTIFACT-VERSION[-CLASSIFIER].jar). scripts/setup run as root fills
 * the machine's cache instead, IPCB_MAVEN_MACHINE_CACHE, readable by every user: without
 * $IPCB_MAVEN_CACHE, a set's jars are taken from the user's cache where it has them all, else
 * from the machine's, so that another user of a machine set up by root runs the brokers too.
 */
#ifndef IPCB_TRANSPORT_MAVEN_H
#define IPCB_TRANSPORT_MAVEN_H

#include <stddef.h>

/* Where scripts/setup run as root puts the jars, for every user of the machine. */
#define IPCB_MAVEN_MACHINE_CACHE "/var/cache/ipcbench/maven"

/*
 * The user's cache directory into out (the class-data archives are made there too). 0, or
 * -ENAMETOOLONG / -ENOENT (no $HOME either).
 */
int ipcb_maven_cache(char *out, size_t n);

/*
 * The class path of a set (its IPCB_MAVEN_SET_<SET>: coordinates separated by spaces), every
 * jar's path joined by ':', in *out (allocated; the caller frees it): in the user's cache where
 * it holds all of them, else in the machine's (not with $IPCB_MAVEN_CACHE, which is the one
 * place). 0; -ENOENT with `why` naming the first jar that is missing, how many are, where it
 * looked, and the fix; -ENOMEM.
 */
int ipcb_maven_classpath(const char *coords, char **out, char *why, size_t n);

#endif
