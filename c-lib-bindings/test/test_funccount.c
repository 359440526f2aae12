/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* examples/funccount against the target: the known count of SondeTarget.work appears on top. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "tests.h"

void test_funccount(struct env *e)
{
	char bin[600], pid[32], sock[640], log[600], line[512] = "";
	struct child fc;
	bool found = false, header = false;
	int rc;

	snprintf(bin, sizeof(bin), "%s/funccount", e->dir);
	snprintf(pid, sizeof(pid), "%d", (int)e->jvm.pid);
	snprintf(sock, sizeof(sock), "%s", e->sock);
	snprintf(log, sizeof(log), "%s/funccount.log", e->tmp);
	/* -d 60 only bounds it: the test ends it with SIGINT (Ctrl-C) once the calls are done. */
	char *argv[] = { bin, "-d", "60", "-n", "5", "-s", sock, pid, "SondeTarget::w*", NULL };

	rc = child_start(&fc, argv, log);
	CHECK(rc == 0, "start %s: %d", bin, rc);
	if (rc)
		return;
	rc = child_expect(&fc, "Tracing 1 methods", line, sizeof(line), 60000);
	CHECK(rc == 0, "funccount did not attach (%d): last line '%s'", rc, line);
	if (rc == 0 && jvm_do(e, NULL, 0, "work 777 11"))
		kill(fc.pid, SIGINT);
	while (child_line(&fc, line, sizeof(line), 70000) == 0) {
		if (strstr(line, "FUNC") && strstr(line, "COUNT"))
			header = true;
		if (strstr(line, "SondeTarget.work") && strstr(line, " 777"))
			found = true;
	}
	rc = child_wait(&fc, 70000);
	CHECK(rc == 0, "funccount exit %d", rc);
	CHECK(header && found, "no 'SondeTarget.work ... 777' line in funccount's output");
	if (rc || !found)
		child_dump_log(&fc);
}
