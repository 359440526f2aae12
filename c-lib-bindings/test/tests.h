/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef SONDE_TEST_TESTS_H
#define SONDE_TEST_TESTS_H

#include "harness.h"

/* Where the runner finds things (argv of sonde-test). */
struct env {
	const char *agent_jar;
	const char *dir;       /* the build's output: bpf/, classes/, funccount */
	const char *tmp;       /* a fresh directory for sockets and logs */
	char java[512];
	bool unsafe_flag;      /* JDK 24+: --sun-misc-unsafe-memory-access=allow */
	char sock[600];
	struct child jvm;
};

void test_offline(const char *tmp);
void test_agent(struct env *e);
void test_funccount(struct env *e);
/* Starts the target JVM with the agent on e->sock; false if it did not come up. */
bool jvm_start(struct env *e);
void jvm_stop(struct env *e);
/* Sends a command to the target and waits for its "ok" line (into reply if not NULL). */
bool jvm_do(struct env *e, char *reply, size_t size, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif
