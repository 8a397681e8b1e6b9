/*
 * Unit tests for the blocking dockerd client (dclient.c): the response
 * reader fed whole and byte by byte (lengths, chunked, read to EOF, 1xx,
 * truncation, caps), and whole requests against a forked fake server on a
 * unix socket (answers, plain-text errors, no server, a silent one), and
 * a second signal interrupting a request (the daemon's reap on exit).
 */
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "dclient.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

struct resp_case {
	const char	*in;
	int		 eof;		/* then feed EOF */
	int		 want;		/* last feed's result */
	int		 status;
	const char	*body;		/* when want is 1 */
	const char	*err;		/* part of dr_err when want is -1 */
};

static const struct resp_case resp_cases[] = {
	{ "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n[]", 0, 1, 200, "[]",
	    NULL },
	{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	  "3;ext=1\r\n[{\"\r\n6\r\nId\":1}\r\n1\r\n]\r\n0\r\n\r\n", 0, 1, 200,
	  "[{\"Id\":1}]", NULL },
	/* trailers after the last chunk */
	{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	  "2\r\n{}\r\n0\r\nX-T: 1\r\n\r\n", 0, 1, 200, "{}", NULL },
	{ "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n[1,2]", 1, 1, 200,
	  "[1,2]", NULL },
	{ "HTTP/1.1 204 No Content\r\n\r\n", 0, 1, 204, "", NULL },
	{ "HTTP/1.1 404 Not Found\r\nContent-Length: 10\r\n\r\n"
	  "not found\n", 0, 1, 404, "not found\n", NULL },
	/* an interim answer is not the answer */
	{ "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 409 Conflict\r\n"
	  "Content-Length: 2\r\n\r\n{}", 0, 1, 409, "{}", NULL },
	/* what follows a complete answer is ignored */
	{ "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n1garbage", 0, 1, 200,
	  "1", NULL },
	{ "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n[1]", 1, -1, 0, NULL,
	  "cut short" },
	{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n[]\r\n",
	  1, -1, 0, NULL, "cut short" },
	{ "HTTP/1.1 200 OK\r\nContent-Le", 1, -1, 0, NULL, "cut short" },
	{ "", 1, -1, 0, NULL, "cut short" },
	{ "HTTP/1.1 2x0 OK\r\n\r\n", 0, -1, 0, NULL, "not well-formed" },
	{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 0,
	  -1, 0, NULL, "not well-formed" },
	/* the cap is 16 bytes of body */
	{ "HTTP/1.1 200 OK\r\nContent-Length: 17\r\n\r\n12345678901234567",
	  0, -1, 0, NULL, "too large" },
	{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	  "10\r\n1234567890123456\r\n1\r\nx\r\n0\r\n\r\n", 0, -1, 0, NULL,
	  "too large" },
	{ "HTTP/1.1 200 OK\r\nContent-Length: 16\r\n\r\n1234567890123456",
	  0, 1, 200, "1234567890123456", NULL },
};

/* Feeds a case in steps of step bytes (0: all at once); checks it. */
static void
resp_run(const struct resp_case *c, size_t step, size_t idx)
{
	struct dclient_resp	r;
	size_t			len = strlen(c->in), off = 0, n;
	int			rc = 0;

	dclient_resp_init(&r, 16);
	while (off < len && rc == 0) {
		n = step == 0 || len - off < step ? len - off : step;
		rc = dclient_resp_feed(&r, c->in + off, n);
		off += n;
	}
	if (rc == 0 && c->eof)
		rc = dclient_resp_feed(&r, NULL, 0);
	if (rc != c->want)
		fail_msg("case %zu step %zu: %d, want %d", idx, step, rc,
		    c->want);
	if (c->want == 1) {
		assert_int_equal(r.dr_parser.status_code, c->status);
		assert_int_equal(r.dr_len, strlen(c->body));
		assert_string_equal(r.dr_body, c->body);
		/* more bytes, or EOF, change nothing */
		assert_int_equal(dclient_resp_feed(&r, "x", 1), 1);
		assert_int_equal(dclient_resp_feed(&r, NULL, 0), 1);
	} else if (c->want == -1) {
		assert_non_null(r.dr_err);
		if (strstr(r.dr_err, c->err) == NULL)
			fail_msg("case %zu step %zu: \"%s\", want \"%s\"", idx,
			    step, r.dr_err, c->err);
	}
	dclient_resp_free(&r);
	dclient_resp_free(&r);		/* twice is fine */
}

static void
test_resp_whole(void **state)
{
	size_t	i;

	for (i = 0; i < nitems(resp_cases); i++)
		resp_run(&resp_cases[i], 0, i);
}

/* The same answers split at every byte, then in threes. */
static void
test_resp_split(void **state)
{
	size_t	i;

	for (i = 0; i < nitems(resp_cases); i++) {
		resp_run(&resp_cases[i], 1, i);
		resp_run(&resp_cases[i], 3, i);
	}
}

/*
 * A server, in a child, that answers one connection with answer (NULL:
 * never); it exits 0 if the request was "DELETE /x?y=1" with Host and
 * Connection: close.
 */
struct server {
	char	dir[64];
	char	path[96];
	pid_t	pid;
};

static void
server_start(struct server *s, const char *answer)
{
	struct sockaddr_un	sun;
	char			buf[4096];
	int			lfd, fd;
	size_t			got = 0;
	ssize_t			n;

	snprintf(s->dir, sizeof(s->dir), "/tmp/sg-dclient.XXXXXX");
	assert_non_null(mkdtemp(s->dir));
	snprintf(s->path, sizeof(s->path), "%s/d.sock", s->dir);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", s->path);
	lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(lfd != -1);
	assert_int_equal(bind(lfd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	assert_int_equal(listen(lfd, 4), 0);
	if ((s->pid = fork()) != 0) {
		assert_true(s->pid != -1);
		close(lfd);
		return;
	}
	alarm(10);	/* never outlive a failed test */
	if ((fd = accept(lfd, NULL, NULL)) == -1)
		_exit(1);
	/* the request head, then the answer */
	while (got < sizeof(buf) - 1 &&
	    (n = read(fd, buf + got, sizeof(buf) - 1 - got)) > 0) {
		got += (size_t)n;
		buf[got] = '\0';
		if (strstr(buf, "\r\n\r\n") != NULL)
			break;
	}
	if (answer == NULL)
		pause();
	if (write(fd, answer, strlen(answer)) != (ssize_t)strlen(answer))
		_exit(1);
	_exit(strncmp(buf, "DELETE /x?y=1 HTTP/1.1\r\n", 24) == 0 &&
	    strstr(buf, "\r\nConnection: close\r\n") != NULL &&
	    strstr(buf, "\r\nHost: ") != NULL ? 0 : 2);
}

/*
 * Waits for the server to exit (it does once it has answered) or, for one
 * that never answers, stops it; returns its exit status (-1 if killed).
 */
static int
server_stop(struct server *s, int silent)
{
	int	st;

	if (silent)
		kill(s->pid, SIGTERM);
	waitpid(s->pid, &st, 0);
	unlink(s->path);
	rmdir(s->dir);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void
test_request(void **state)
{
	struct server		s;
	struct dclient_answer	a;
	char			err[256];
	int			st;

	/* JSON, chunked: the body and dockerd's message */
	server_start(&s, "HTTP/1.1 409 Conflict\r\nTransfer-Encoding: chunked"
	    "\r\n\r\n1b\r\n{\"message\":\"volume in use\"}\r\n0\r\n\r\n");
	assert_int_equal(dclient_request(s.path, "DELETE", "/x?y=1", 5000,
	    1024, &a, err, sizeof(err)), 0);
	assert_int_equal(a.status, 409);
	assert_true(json_is_object(a.body));
	assert_string_equal(a.message, "volume in use");
	dclient_answer_free(&a);
	dclient_answer_free(&a);
	st = server_stop(&s, 0);
	assert_int_equal(st, 0);

	/* plain text: its first line is the message, control bytes '?' */
	server_start(&s, "HTTP/1.1 404 Not Found\r\nContent-Length: 23\r\n\r\n"
	    "404 page\x01not found\nmore");
	assert_int_equal(dclient_request(s.path, "DELETE", "/x?y=1", 5000,
	    1024, &a, err, sizeof(err)), 0);
	assert_int_equal(a.status, 404);
	assert_null(a.body);
	assert_string_equal(a.message, "404 page?not found");
	dclient_answer_free(&a);
	assert_int_equal(server_stop(&s, 0), 0);

	/* 204: no body, no message */
	server_start(&s, "HTTP/1.1 204 No Content\r\n\r\n");
	assert_int_equal(dclient_request(s.path, "DELETE", "/x?y=1", 5000,
	    1024, &a, err, sizeof(err)), 0);
	assert_int_equal(a.status, 204);
	assert_null(a.body);
	assert_string_equal(a.message, "");
	dclient_answer_free(&a);
	assert_int_equal(server_stop(&s, 0), 0);

	/* an answer cut short by the server's close */
	server_start(&s, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n[1");
	assert_int_equal(dclient_request(s.path, "DELETE", "/x?y=1", 5000,
	    1024, &a, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cut short"));
	assert_int_equal(server_stop(&s, 0), 0);

	/* a server that never answers: the deadline */
	server_start(&s, NULL);
	assert_int_equal(dclient_request(s.path, "GET", "/x", 300, 1024, &a,
	    err, sizeof(err)), -1);
	assert_non_null(strstr(err, "timed out"));
	(void)server_stop(&s, 1);

	/* nobody there */
	assert_int_equal(dclient_request("/nonexistent/d.sock", "GET", "/x",
	    300, 1024, &a, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot connect to /nonexistent/d.sock"));
}

static volatile sig_atomic_t	stop_flag;

static void
on_usr1(int sig)
{
	stop_flag = sig;
}

/* Sends SIGUSR1 to this process after ms, from a child; its pid. */
static pid_t
signal_later(unsigned ms)
{
	pid_t	pid, parent = getpid();

	if ((pid = fork()) == 0) {
		usleep(ms * 1000);
		kill(parent, SIGUSR1);
		_exit(0);
	}
	assert_true(pid != -1);
	return pid;
}

/* Milliseconds since t0. */
static long
ms_since(const struct timespec *t0)
{
	struct timespec	t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (long)(t1.tv_sec - t0->tv_sec) * 1000 +
	    (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

/*
 * Interruptible requests: SIGUSR1 is blocked but while a request waits,
 * and its handler sets the flag.  A request to a silent server with 10 s
 * gives up at the signal, also when the signal came before the wait;
 * with the flag set none starts; made uninterruptible again, the flag is
 * ignored.
 */
static void
test_interrupt(void **state)
{
	struct server		s;
	struct dclient_answer	a;
	struct sigaction	sa;
	struct timespec		t0;
	sigset_t		usr1, old, waitmask;
	char			err[256];
	pid_t			killer;
	int			st;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sigemptyset(&sa.sa_mask);
	assert_int_equal(sigaction(SIGUSR1, &sa, NULL), 0);
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	assert_int_equal(sigprocmask(SIG_BLOCK, &usr1, &old), 0);
	waitmask = old;
	sigdelset(&waitmask, SIGUSR1);
	dclient_interruptible(&stop_flag, &waitmask);

	/* the signal during the wait */
	stop_flag = 0;
	server_start(&s, NULL);
	killer = signal_later(300);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(dclient_request(s.path, "GET", "/x", 10000, 1024, &a,
	    err, sizeof(err)), -1);
	assert_string_equal(err, "interrupted");
	assert_true(ms_since(&t0) < 5000);
	assert_int_equal(stop_flag, SIGUSR1);
	waitpid(killer, &st, 0);
	(void)server_stop(&s, 1);

	/* the signal before the request, held blocked: not lost */
	stop_flag = 0;
	server_start(&s, NULL);
	assert_int_equal(kill(getpid(), SIGUSR1), 0);
	assert_int_equal(stop_flag, 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(dclient_request(s.path, "GET", "/x", 10000, 1024, &a,
	    err, sizeof(err)), -1);
	assert_string_equal(err, "interrupted");
	assert_true(ms_since(&t0) < 5000);
	(void)server_stop(&s, 1);

	/* the flag already set: nothing is tried */
	assert_int_equal(dclient_request("/nonexistent/d.sock", "GET", "/x",
	    300, 1024, &a, err, sizeof(err)), -1);
	assert_string_equal(err, "interrupted");

	/* uninterruptible again: the flag means nothing */
	dclient_interruptible(NULL, NULL);
	assert_int_equal(dclient_request("/nonexistent/d.sock", "GET", "/x",
	    300, 1024, &a, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot connect to /nonexistent/d.sock"));
	assert_int_equal(sigprocmask(SIG_SETMASK, &old, NULL), 0);
	signal(SIGUSR1, SIG_DFL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_resp_whole),
		cmocka_unit_test(test_resp_split),
		cmocka_unit_test(test_request),
		cmocka_unit_test(test_interrupt),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
