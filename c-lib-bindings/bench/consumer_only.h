/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef SONDE_BENCH_CONSUMER_ONLY_H
#define SONDE_BENCH_CONSUMER_ONLY_H
/* libsonde's shared-memory consumer fed by a C producer thread through a fake agent (no JVM). */
int consumer_only(const char *dir, long records);
#endif
