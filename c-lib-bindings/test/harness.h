/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The C tests' harness: checks that count passes and failures, and a child process (the JVM
 * with the agent, or funccount) driven through its standard input and output with a deadline
 * on every wait.
 */
#ifndef SONDE_TEST_HARNESS_H
#define SONDE_TEST_HARNESS_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

extern int t_passed, t_failed;

/* One check: prints a line on failure only, with the expression and location. */
#define CHECK(cond, ...)                                                              \
	do {                                                                          \
		if (cond) {                                                           \
			t_passed++;                                                   \
		} else {                                                              \
			t_failed++;                                                   \
			fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond); \
			fprintf(stderr, __VA_ARGS__);                                 \
			fputc('\n', stderr);                                          \
		}                                                                     \
	} while (0)

/* An int result that must equal want; prints sonde_strerror on mismatch. */
#define CHECK_EQ(s, got, want)                                                         \
	do {                                                                           \
		long long _g = (long long)(got), _w = (long long)(want);               \
		CHECK(_g == _w, "got %lld, want %lld (%s)", _g, _w,                   \
		      _g < 0 ? sonde_strerror((s), (int)_g) : "");                     \
	} while (0)

struct child {
	pid_t pid;
	int in;         /* its standard input */
	int out;        /* its standard output */
	char buf[8192]; /* bytes read from out, not yet returned as lines */
	size_t len;
	char log[512];  /* where its standard error goes */
};

/* Starts argv[0] (a path) with stdin/stdout on pipes and stderr to log. */
int child_start(struct child *c, char *const argv[], const char *log);
/* Writes a line (a newline is added). */
int child_send(struct child *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Reads one line into line (without its newline) within timeout_ms: 0, or -ETIMEDOUT / -EPIPE. */
int child_line(struct child *c, char *line, size_t size, int timeout_ms);
/* Reads lines until one starts with prefix; 0 or a negative errno. */
int child_expect(struct child *c, const char *prefix, char *line, size_t size, int timeout_ms);
/* Waits up to timeout_ms for the child's exit (then kills it); returns its exit status or -1. */
int child_wait(struct child *c, int timeout_ms);
/* Prints the last lines of the child's log to stderr. */
void child_dump_log(const struct child *c);

long long now_ms(void);
/* Waits up to timeout_ms for a path to exist. */
bool wait_for_path(const char *path, int timeout_ms);

#endif
