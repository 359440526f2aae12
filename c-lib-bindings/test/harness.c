/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "harness.h"

int t_passed, t_failed;

long long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

bool wait_for_path(const char *path, int timeout_ms)
{
	long long end = now_ms() + timeout_ms;
	struct stat st;

	while (stat(path, &st) != 0) {
		if (now_ms() >= end)
			return false;
		sleep_ms(20);
	}
	return true;
}

int child_start(struct child *c, char *const argv[], const char *log)
{
	int in[2], out[2];

	memset(c, 0, sizeof(*c));
	snprintf(c->log, sizeof(c->log), "%s", log);
	if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC))
		return -errno;
	c->pid = fork();
	if (c->pid < 0)
		return -errno;
	if (c->pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		dup2(in[0], 0);
		dup2(out[1], 1);
		if (fd >= 0)
			dup2(fd, 2);
		execv(argv[0], argv);
		fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	c->in = in[1];
	c->out = out[0];
	return 0;
}

int child_send(struct child *c, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0 || n >= (int)sizeof(line) - 1)
		return -EINVAL;
	line[n++] = '\n';
	/* The child may have died: no SIGPIPE for the runner. */
	signal(SIGPIPE, SIG_IGN);
	return write(c->in, line, (size_t)n) == n ? 0 : -EPIPE;
}

int child_line(struct child *c, char *line, size_t size, int timeout_ms)
{
	long long end = now_ms() + timeout_ms;

	for (;;) {
		char *nl = memchr(c->buf, '\n', c->len);

		if (nl) {
			size_t n = (size_t)(nl - c->buf);

			snprintf(line, size, "%.*s", (int)n, c->buf);
			memmove(c->buf, nl + 1, c->len - n - 1);
			c->len -= n + 1;
			return 0;
		}
		if (c->len == sizeof(c->buf))
			c->len = 0; /* an absurdly long line: dropped */
		long long left = end - now_ms();

		if (left <= 0)
			return -ETIMEDOUT;
		struct pollfd p = { .fd = c->out, .events = POLLIN };
		int rc = poll(&p, 1, (int)left);

		if (rc < 0 && errno == EINTR)
			continue;
		if (rc <= 0)
			continue;
		ssize_t got = read(c->out, c->buf + c->len, sizeof(c->buf) - c->len);

		if (got <= 0)
			return -EPIPE;
		c->len += (size_t)got;
	}
}

int child_expect(struct child *c, const char *prefix, char *line, size_t size, int timeout_ms)
{
	long long end = now_ms() + timeout_ms;

	for (;;) {
		long long left = end - now_ms();
		int rc = left > 0 ? child_line(c, line, size, (int)left) : -ETIMEDOUT;

		if (rc)
			return rc;
		if (!strncmp(line, prefix, strlen(prefix)))
			return 0;
	}
}

int child_wait(struct child *c, int timeout_ms)
{
	long long end = now_ms() + timeout_ms;
	int status;

	if (c->pid <= 0)
		return -1;
	if (c->in >= 0)
		close(c->in);
	c->in = -1;
	for (;;) {
		pid_t w = waitpid(c->pid, &status, WNOHANG);

		if (w == c->pid)
			break;
		if (now_ms() >= end) {
			kill(c->pid, SIGKILL);
			waitpid(c->pid, &status, 0);
			status = -1;
			break;
		}
		sleep_ms(10);
	}
	close(c->out);
	c->pid = 0;
	if (status == -1)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void child_dump_log(const struct child *c)
{
	char line[1024];
	FILE *f = fopen(c->log, "r");
	int n = 0;

	if (!f)
		return;
	fprintf(stderr, "---- %s ----\n", c->log);
	while (fgets(line, sizeof(line), f) && n++ < 60)
		fputs(line, stderr);
	fclose(f);
}
