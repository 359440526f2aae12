/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * libsonde's test runner: sonde-test <sonde-agent.jar> <build dir>
 * Starts a real JVM with the agent and SondeTarget, drives it, and prints "N passed, N failed";
 * exits 1 on any failure. JAVA_HOME picks the JVM (else java on PATH).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sonde/sonde.h>
#include "tests.h"

#define JVM_START_MS 60000
#define JVM_CMD_MS 60000

static void find_java(struct env *e)
{
	const char *home = getenv("JAVA_HOME");
	char rel[600], line[256];
	FILE *f;

	if (home && *home) {
		snprintf(e->java, sizeof(e->java), "%s/bin/java", home);
		snprintf(rel, sizeof(rel), "%s/release", home);
	} else {
		snprintf(e->java, sizeof(e->java), "/usr/bin/java");
		rel[0] = 0;
	}
	/* As bin/sonde: JDK 24+ needs the flag to keep the agent's stderr clean. */
	f = rel[0] ? fopen(rel, "r") : NULL;
	while (f && fgets(line, sizeof(line), f)) {
		int major;

		if (sscanf(line, "JAVA_VERSION=\"%d", &major) == 1)
			e->unsafe_flag = major >= 24;
	}
	if (f)
		fclose(f);
}

bool jvm_start(struct env *e)
{
	char agent[1400], cp[600], log[600], line[256];
	char *argv[8];
	int n = 0;

	snprintf(e->sock, sizeof(e->sock), "%s/s.sock", e->tmp);
	snprintf(agent, sizeof(agent), "-javaagent:%s=socket=%s", e->agent_jar, e->sock);
	snprintf(cp, sizeof(cp), "%s/classes", e->dir);
	snprintf(log, sizeof(log), "%s/jvm.log", e->tmp);
	unlink(e->sock);
	argv[n++] = e->java;
	argv[n++] = agent;
	if (e->unsafe_flag)
		argv[n++] = "--sun-misc-unsafe-memory-access=allow";
	argv[n++] = "-cp";
	argv[n++] = cp;
	argv[n++] = "SondeTarget";
	argv[n] = NULL;
	if (child_start(&e->jvm, argv, log)) {
		fprintf(stderr, "cannot start %s\n", e->java);
		return false;
	}
	if (child_expect(&e->jvm, "ready", line, sizeof(line), JVM_START_MS) ||
	    !wait_for_path(e->sock, JVM_START_MS)) {
		fprintf(stderr, "the JVM did not come up with its socket at %s\n", e->sock);
		child_dump_log(&e->jvm);
		return false;
	}
	return true;
}

void jvm_stop(struct env *e)
{
	char line[128];

	if (e->jvm.pid <= 0)
		return;
	child_send(&e->jvm, "quit");
	child_expect(&e->jvm, "ok quit", line, sizeof(line), 10000);
	if (child_wait(&e->jvm, 20000) != 0)
		child_dump_log(&e->jvm);
}

bool jvm_do(struct env *e, char *reply, size_t size, const char *fmt, ...)
{
	char cmd[256], line[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (child_send(&e->jvm, "%s", cmd) || child_expect(&e->jvm, "ok", line, sizeof(line), JVM_CMD_MS)) {
		fprintf(stderr, "the target did not answer '%s'\n", cmd);
		child_dump_log(&e->jvm);
		return false;
	}
	if (reply)
		snprintf(reply, size, "%s", line);
	return true;
}

int main(int argc, char **argv)
{
	struct env e = { 0 };
	char tmp[] = "/tmp/sonde-test-XXXXXX";
	char cmd[600];

	if (argc != 3) {
		fprintf(stderr, "usage: sonde-test <sonde-agent.jar> <build dir>\n");
		return 2;
	}
	e.agent_jar = argv[1];
	e.dir = argv[2];
	if (access(e.agent_jar, R_OK)) {
		fprintf(stderr, "sonde-test: %s: %s (build the agent module first)\n", e.agent_jar, strerror(errno));
		return 2;
	}
	if (!mkdtemp(tmp)) {
		perror("mkdtemp");
		return 2;
	}
	e.tmp = tmp;
	find_java(&e);

	test_offline(e.tmp);
	if (jvm_start(&e)) {
		test_agent(&e);
		test_funccount(&e);
	} else {
		t_failed++;
	}
	jvm_stop(&e);

	if (!t_failed) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", tmp);
	} else {
		fprintf(stderr, "logs kept in %s\n", tmp);
	}
	printf("%d passed, %d failed\n", t_passed, t_failed);
	return t_failed ? 1 : 0;
}
