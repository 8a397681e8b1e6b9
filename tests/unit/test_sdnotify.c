/*
 * Unit tests for sdnotify.c: notifications received on a datagram socket
 * of our own (a path and an abstract name), the environment of socket
 * activation (good, foreign and garbage values), and the matchers and
 * descriptions of inherited sockets (unix, TCP on 127.0.0.1 and ::1,
 * sockets that are not listening or not streams).
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "sdnotify.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

/* A temporary directory per test, removed by teardown. */
struct fixture {
	char	dir[64];
	int	rx;		/* the receiving notification socket */
};

static int
setup(void **state)
{
	struct fixture	*f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/sg-sdn.XXXXXX");
	if (mkdtemp(f->dir) == NULL) {
		free(f);
		return -1;
	}
	f->rx = -1;
	unsetenv("NOTIFY_SOCKET");
	*state = f;
	return 0;
}

/* Removes every file in the directory (one level, plus "real/"). */
static int
teardown(void **state)
{
	struct fixture	*f = *state;
	char		 cmd[128];

	if (f->rx != -1)
		close(f->rx);
	unsetenv("NOTIFY_SOCKET");
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

/* Binds a datagram receiver at a path or (name[0] == '@') abstract name. */
static int
receiver(const char *name)
{
	struct sockaddr_un	sun;
	socklen_t		len;
	size_t			n = strlen(name);
	int			fd;

	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, name, n);
	if (name[0] == '@')
		sun.sun_path[0] = '\0';
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, len), 0);
	return fd;
}

/* Reads one pending datagram (never blocks) as a string. */
static void
receive(int fd, char *buf, size_t buflen)
{
	ssize_t	n = recv(fd, buf, buflen - 1, MSG_DONTWAIT);

	assert_true(n >= 0);
	buf[n] = '\0';
}

/* Asserts that nothing is pending on fd. */
static void
assert_nothing(int fd)
{
	char	c;

	assert_int_equal(recv(fd, &c, 1, MSG_DONTWAIT), -1);
	assert_int_equal(errno, EAGAIN);
}

/* The lowest free descriptor: equal before and after means no leak. */
static int
lowest_free_fd(void)
{
	int	fd = dup(0), r = fd;

	assert_true(fd >= 0);
	close(fd);
	return r;
}

/* --- notifications ------------------------------------------------------ */

static void
test_notify_unset(void **state)
{
	assert_int_equal(sdn_notify("READY=1"), 0);
	assert_int_equal(sdn_ready("up"), 0);
	setenv("NOTIFY_SOCKET", "", 1);
	assert_int_equal(sdn_stopping(), 0);
	assert_int_equal(sdn_extend_timeout(1), 0);
	assert_int_equal(sdn_status("%d", 1), 0);
}

/* Every sender, checked on one receiver; used for both address kinds. */
static void
check_messages(int rx)
{
	char	buf[SDN_NOTIFY_MAX + 16];
	int	before = lowest_free_fd();

	assert_int_equal(sdn_notify("READY=1"), 1);
	receive(rx, buf, sizeof(buf));
	assert_string_equal(buf, "READY=1");
	assert_int_equal(sdn_ready(NULL), 1);
	receive(rx, buf, sizeof(buf));
	assert_string_equal(buf, "READY=1");
	assert_int_equal(sdn_ready("listening on 2 sockets"), 1);
	receive(rx, buf, sizeof(buf));
	assert_string_equal(buf, "READY=1\nSTATUS=listening on 2 sockets");
	assert_int_equal(sdn_stopping(), 1);
	receive(rx, buf, sizeof(buf));
	assert_string_equal(buf, "STOPPING=1");
	assert_int_equal(sdn_watchdog(), 1);
	receive(rx, buf, sizeof(buf));
	assert_string_equal(buf, "WATCHDOG=1");
	assert_int_equal(sdn_extend_timeout(70000000ULL), 1);
	receive(rx, buf, sizeof(buf));
	assert_string_equal(buf, "EXTEND_TIMEOUT_USEC=70000000");
	assert_int_equal(sdn_status("%zu connections, %s", (size_t)3, "ok"),
	    1);
	receive(rx, buf, sizeof(buf));
	assert_string_equal(buf, "STATUS=3 connections, ok");
	assert_int_equal(sdn_notifyf("STATUS=%s\nERRNO=%d", "x", 5), 1);
	receive(rx, buf, sizeof(buf));
	assert_string_equal(buf, "STATUS=x\nERRNO=5");
	assert_nothing(rx);
	assert_int_equal(lowest_free_fd(), before);
}

static void
test_notify_path(void **state)
{
	struct fixture	*f = *state;
	char		 path[128];

	snprintf(path, sizeof(path), "%s/notify", f->dir);
	f->rx = receiver(path);
	setenv("NOTIFY_SOCKET", path, 1);
	check_messages(f->rx);
}

static void
test_notify_abstract(void **state)
{
	struct fixture	*f = *state;
	char		 name[64];

	snprintf(name, sizeof(name), "@sg-sdn-test-%ld-%ld", (long)getpid(),
	    (long)time(NULL));
	f->rx = receiver(name);
	setenv("NOTIFY_SOCKET", name, 1);
	check_messages(f->rx);
}

/* A status cannot add assignments: newlines in it become spaces. */
static void
test_notify_status_one_line(void **state)
{
	struct fixture	*f = *state;
	char		 path[128], buf[256];

	snprintf(path, sizeof(path), "%s/notify", f->dir);
	f->rx = receiver(path);
	setenv("NOTIFY_SOCKET", path, 1);
	assert_int_equal(sdn_status("bad\nREADY=1\r\nX"), 1);
	receive(f->rx, buf, sizeof(buf));
	assert_string_equal(buf, "STATUS=bad READY=1  X");
	assert_int_equal(sdn_ready("a\nb"), 1);
	receive(f->rx, buf, sizeof(buf));
	assert_string_equal(buf, "READY=1\nSTATUS=a b");
}

/* RELOADING=1 carries CLOCK_MONOTONIC in microseconds, as systemd wants. */
static void
test_notify_reloading(void **state)
{
	struct fixture		*f = *state;
	struct timespec		 ts;
	char			 path[128], buf[256], *end;
	unsigned long long	 before, after, v;

	snprintf(path, sizeof(path), "%s/notify", f->dir);
	f->rx = receiver(path);
	setenv("NOTIFY_SOCKET", path, 1);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	before = (unsigned long long)ts.tv_sec * 1000000ULL +
	    (unsigned long long)ts.tv_nsec / 1000ULL;
	assert_int_equal(sdn_reloading(), 1);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	after = (unsigned long long)ts.tv_sec * 1000000ULL +
	    (unsigned long long)ts.tv_nsec / 1000ULL;
	receive(f->rx, buf, sizeof(buf));
	assert_true(strncmp(buf, "RELOADING=1\nMONOTONIC_USEC=", 27) == 0);
	errno = 0;
	v = strtoull(buf + 27, &end, 10);
	assert_int_equal(errno, 0);
	assert_true(*end == '\0' && end != buf + 27);
	assert_true(v >= before && v <= after);
}

/* Refused before anything is sent, with the documented errno. */
static void
test_notify_errors(void **state)
{
	struct fixture	*f = *state;
	static const struct {
		const char	*env;
		int		 err;
	} cases[] = {
		{ "vsock:2:9999",	EAFNOSUPPORT },
		{ "relative/path",	EAFNOSUPPORT },
		{ "@",			EINVAL },
		{ "/",			EINVAL },
	};
	char	 longp[200], big[SDN_NOTIFY_MAX + 2], path[128];
	size_t	 i;
	int	 before = lowest_free_fd();

	for (i = 0; i < nitems(cases); i++) {
		setenv("NOTIFY_SOCKET", cases[i].env, 1);
		errno = 0;
		assert_int_equal(sdn_notify("READY=1"), -1);
		if (errno != cases[i].err)
			fail_msg("NOTIFY_SOCKET=%s: errno %d, want %d",
			    cases[i].env, errno, cases[i].err);
	}
	/* A path that does not fit sun_path (with its NUL). */
	memset(longp, 'a', sizeof(longp) - 1);
	longp[0] = '/';
	longp[108] = '\0';
	setenv("NOTIFY_SOCKET", longp, 1);
	assert_int_equal(sdn_notify("READY=1"), -1);
	assert_int_equal(errno, ENAMETOOLONG);
	longp[0] = '@';			/* 108 bytes fit an abstract name */
	setenv("NOTIFY_SOCKET", longp, 1);
	assert_int_equal(sdn_notify("READY=1"), -1);
	assert_int_equal(errno, ECONNREFUSED);
	/* Nobody listens at this path. */
	snprintf(path, sizeof(path), "%s/nobody", f->dir);
	setenv("NOTIFY_SOCKET", path, 1);
	assert_int_equal(sdn_notify("READY=1"), -1);
	assert_int_equal(errno, ENOENT);
	/* Too long a message, formatted or not; an empty one. */
	snprintf(path, sizeof(path), "%s/notify", f->dir);
	f->rx = receiver(path);
	setenv("NOTIFY_SOCKET", path, 1);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(sdn_notify(big), -1);
	assert_int_equal(errno, EMSGSIZE);
	assert_int_equal(sdn_status("%s", big), -1);
	assert_int_equal(errno, EMSGSIZE);
	assert_int_equal(sdn_notify(""), -1);
	assert_int_equal(errno, EINVAL);
	big[SDN_NOTIFY_MAX] = '\0';		/* exactly the maximum */
	memcpy(big, "STATUS=", 7);
	assert_int_equal(sdn_notify(big), 1);
	receive(f->rx, big, sizeof(big));
	assert_int_equal(strlen(big), SDN_NOTIFY_MAX);
	assert_nothing(f->rx);
	close(f->rx);
	f->rx = -1;
	assert_int_equal(lowest_free_fd(), before);
}

/* --- watchdog ------------------------------------------------------------ */

static void
test_watchdog_usec(void **state)
{
	char		pid[32], other[32], err[256];
	uint64_t	usec = 0;
	static const char *bad[] = { "", "0", "x", "-5", "5s", " 5",
	    "99999999999999999999999" };
	size_t		i;

	snprintf(pid, sizeof(pid), "%ld", (long)getpid());
	snprintf(other, sizeof(other), "%ld", (long)getpid() + 1);
	unsetenv("WATCHDOG_PID");
	unsetenv("WATCHDOG_USEC");
	assert_int_equal(sdn_watchdog_usec(&usec, err, sizeof(err)), 0);
	setenv("WATCHDOG_USEC", "30000000", 1);
	assert_int_equal(sdn_watchdog_usec(&usec, err, sizeof(err)), 1);
	assert_true(usec == 30000000);
	setenv("WATCHDOG_PID", pid, 1);
	assert_int_equal(sdn_watchdog_usec(&usec, err, sizeof(err)), 1);
	setenv("WATCHDOG_PID", other, 1);
	assert_int_equal(sdn_watchdog_usec(&usec, err, sizeof(err)), 0);
	setenv("WATCHDOG_PID", "abc", 1);
	assert_int_equal(sdn_watchdog_usec(&usec, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "WATCHDOG_PID"));
	setenv("WATCHDOG_PID", pid, 1);
	for (i = 0; i < nitems(bad); i++) {
		setenv("WATCHDOG_USEC", bad[i], 1);
		err[0] = '\0';
		if (sdn_watchdog_usec(&usec, err, sizeof(err)) != -1)
			fail_msg("WATCHDOG_USEC=\"%s\" accepted", bad[i]);
		assert_non_null(strstr(err, "WATCHDOG_USEC"));
	}
	unsetenv("WATCHDOG_PID");
	unsetenv("WATCHDOG_USEC");
}

/* --- socket activation ----------------------------------------------------- */

/* Sets or unsets (NULL) the three variables. */
static void
set_listen_env(const char *pid, const char *fds, const char *names)
{
	if (pid != NULL)
		setenv("LISTEN_PID", pid, 1);
	else
		unsetenv("LISTEN_PID");
	if (fds != NULL)
		setenv("LISTEN_FDS", fds, 1);
	else
		unsetenv("LISTEN_FDS");
	if (names != NULL)
		setenv("LISTEN_FDNAMES", names, 1);
	else
		unsetenv("LISTEN_FDNAMES");
}

static void
assert_listen_env_gone(void)
{
	assert_null(getenv("LISTEN_PID"));
	assert_null(getenv("LISTEN_FDS"));
	assert_null(getenv("LISTEN_FDNAMES"));
}

/* "self" in a case stands for our pid, "other" for another one. */
static const char *
pid_of(const char *spec, char *buf, size_t buflen)
{
	if (spec != NULL && strcmp(spec, "self") == 0)
		snprintf(buf, buflen, "%ld", (long)getpid());
	else if (spec != NULL && strcmp(spec, "other") == 0)
		snprintf(buf, buflen, "%ld", (long)getpid() + 1);
	else
		return spec;
	return buf;
}

/* Environments with no descriptors for us, or broken ones. */
static void
test_listen_fds_env(void **state)
{
	static const struct {
		const char	*pid, *fds;
		int		 want;		/* 0 or -1 */
		const char	*msg;		/* part of err when -1 */
	} cases[] = {
		{ NULL,		NULL,		0,  NULL },
		{ NULL,		"2",		0,  NULL },
		{ "other",	"2",		0,  NULL },
		{ "other",	"garbage",	0,  NULL },	/* not ours */
		{ "self",	"0",		0,  NULL },
		{ "self",	NULL,		-1, "LISTEN_FDS is not set" },
		{ "self",	"",		-1, "LISTEN_FDS=" },
		{ "self",	"x",		-1, "LISTEN_FDS=x" },
		{ "self",	"-1",		-1, "LISTEN_FDS=-1" },
		{ "self",	"+1",		-1, "LISTEN_FDS=+1" },
		{ "self",	"1 ",		-1, "LISTEN_FDS=1 " },
		{ "self",	" 1",		-1, "LISTEN_FDS= 1" },
		{ "self",	"0x1",		-1, "LISTEN_FDS=0x1" },
		{ "self",	"1025",		-1, "from 0 to 1024" },
		{ "self",	"18446744073709551617", -1, "LISTEN_FDS=" },
		{ "",		"1",		-1, "LISTEN_PID=" },
		{ "0",		"1",		-1, "LISTEN_PID=0" },
		{ "abc",	"1",		-1, "LISTEN_PID=abc" },
		{ "-1",		"1",		-1, "LISTEN_PID=-1" },
		{ "12x",	"1",		-1, "LISTEN_PID=12x" },
		{ "99999999999", "1",		-1, "LISTEN_PID=99999999999" },
	};
	char	 pbuf[32], err[256];
	int	*fds, r;
	size_t	 i;

	for (i = 0; i < nitems(cases); i++) {
		set_listen_env(pid_of(cases[i].pid, pbuf, sizeof(pbuf)),
		    cases[i].fds, "a:b");
		err[0] = '\0';
		fds = (int *)&r;	/* must be reset to NULL */
		r = sdn_listen_fds(&fds, err, sizeof(err));
		if (r != cases[i].want)
			fail_msg("case %zu (LISTEN_PID=%s LISTEN_FDS=%s): %d, "
			    "want %d (%s)", i, cases[i].pid ? cases[i].pid :
			    "(unset)", cases[i].fds ? cases[i].fds : "(unset)",
			    r, cases[i].want, err);
		assert_null(fds);
		if (cases[i].msg != NULL && strstr(err, cases[i].msg) == NULL)
			fail_msg("case %zu: \"%s\" lacks \"%s\"", i, err,
			    cases[i].msg);
		assert_listen_env_gone();
	}
}

/* Moves whatever is at fd out of the way; returns its copy or -1. */
static int
save_fd(int fd)
{
	if (fcntl(fd, F_GETFD) == -1)
		return -1;
	return fcntl(fd, F_DUPFD_CLOEXEC, 100);
}

/* Puts back what save_fd() moved (or closes fd if there was nothing). */
static void
restore_fd(int fd, int saved)
{
	if (saved == -1) {
		close(fd);
		return;
	}
	assert_int_equal(dup2(saved, fd), fd);
	close(saved);
}

/* A listening unix socket at path. */
static int
unix_listener(const char *path, int type, int do_listen)
{
	struct sockaddr_un	sun;
	int			fd;

	fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	if (do_listen)
		assert_int_equal(listen(fd, 8), 0);
	return fd;
}

/* Two sockets at descriptors 3 and 4, as systemd passes them. */
static void
test_listen_fds_passed(void **state)
{
	struct fixture	*f = *state;
	char		 pbuf[32], err[256], path[128];
	int		 saved[3], s, t, *fds = NULL, i, r;

	for (i = 0; i < 3; i++)
		saved[i] = save_fd(3 + i);
	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/s%d", f->dir, i);
		t = unix_listener(path, SOCK_STREAM, 1);
		s = fcntl(t, F_DUPFD_CLOEXEC, 100);	/* t may be 3 itself */
		close(t);
		assert_int_equal(dup2(s, 3 + i), 3 + i);	/* no CLOEXEC */
		close(s);
		assert_int_equal(fcntl(3 + i, F_GETFD) & FD_CLOEXEC, 0);
	}
	close(5);
	set_listen_env(pid_of("self", pbuf, sizeof(pbuf)), "2", "unix:tls");
	r = sdn_listen_fds(&fds, err, sizeof(err));
	assert_int_equal(r, 2);
	assert_non_null(fds);
	for (i = 0; i < 2; i++) {
		assert_int_equal(fds[i], 3 + i);
		assert_true(fcntl(3 + i, F_GETFD) & FD_CLOEXEC);
		snprintf(path, sizeof(path), "%s/s%d", f->dir, i);
		assert_int_equal(sdn_fd_is_unix(fds[i], path), 1);
	}
	free(fds);
	assert_listen_env_gone();

	/* One more than there are: descriptor 5 is not open. */
	set_listen_env(pbuf, "3", NULL);
	r = sdn_listen_fds(&fds, err, sizeof(err));
	assert_int_equal(r, -1);
	assert_null(fds);
	assert_non_null(strstr(err, "descriptor 5 is not open"));
	assert_listen_env_gone();
	for (i = 0; i < 3; i++)
		restore_fd(3 + i, saved[i]);
}

/* --- matching inherited sockets -------------------------------------- */

/* A TCP socket bound to addr:0 (listening or not); -1 if no such address. */
static int
tcp_socket(int family, const char *addr, int do_listen, int v6only,
    struct sockaddr_storage *bound)
{
	struct sockaddr_storage	ss;
	socklen_t		len;
	int			fd, one = 1;

	memset(&ss, 0, sizeof(ss));
	if (family == AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		assert_int_equal(inet_pton(AF_INET, addr, &s4->sin_addr), 1);
		len = sizeof(*s4);
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		assert_int_equal(inet_pton(AF_INET6, addr, &s6->sin6_addr),
		    1);
		len = sizeof(*s6);
	}
	if ((fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (family == AF_INET6)
		assert_int_equal(setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY,
		    &v6only, sizeof(v6only)), 0);
	if (bind(fd, (struct sockaddr *)&ss, len) == -1) {
		close(fd);
		return -1;
	}
	if (do_listen)
		assert_int_equal(listen(fd, 8), 0);
	len = sizeof(*bound);
	assert_int_equal(getsockname(fd, (struct sockaddr *)bound, &len), 0);
	return fd;
}

/* addr:port as a sockaddr for the matcher. */
static socklen_t
inet_addr_port(const char *addr, unsigned port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (strchr(addr, ':') == NULL) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		assert_int_equal(inet_pton(AF_INET, addr, &s4->sin_addr), 1);
		return sizeof(*s4);
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		assert_int_equal(inet_pton(AF_INET6, addr, &s6->sin6_addr),
		    1);
		return sizeof(*s6);
	}
}

static unsigned
port_of(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)ss)->sin_port);
	return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
}

/* One TCP socket against a table of wanted addresses. */
struct tcp_case {
	const char	*want;		/* address; port: the socket's + dport */
	int		 dport;
	int		 match;
};

static void
check_tcp(int fd, const struct sockaddr_storage *bound,
    const struct tcp_case *cases, size_t n, const char *what)
{
	struct sockaddr_storage	ss;
	socklen_t		len;
	size_t			i;
	int			r;

	for (i = 0; i < n; i++) {
		len = inet_addr_port(cases[i].want,
		    port_of(bound) + (unsigned)cases[i].dport, &ss);
		r = sdn_fd_is_tcp(fd, (struct sockaddr *)&ss, len);
		if (r != cases[i].match)
			fail_msg("%s against %s port%+d: %d, want %d", what,
			    cases[i].want, cases[i].dport, r, cases[i].match);
	}
}

static void
test_match_tcp4(void **state)
{
	static const struct tcp_case listening[] = {
		{ "127.0.0.1",	0, 1 },
		{ "127.0.0.1",	1, 0 },
		{ "127.0.0.2",	0, 0 },
		{ "0.0.0.0",	0, 0 },
		{ "::1",	0, 0 },
		{ "::ffff:127.0.0.1", 0, 0 },
	};
	static const struct tcp_case idle[] = {
		{ "127.0.0.1",	0, 0 },
	};
	struct sockaddr_storage	bound;
	int			fd;

	fd = tcp_socket(AF_INET, "127.0.0.1", 1, 0, &bound);
	assert_true(fd >= 0);
	check_tcp(fd, &bound, listening, nitems(listening),
	    "listening 127.0.0.1");
	close(fd);
	fd = tcp_socket(AF_INET, "127.0.0.1", 0, 0, &bound);
	assert_true(fd >= 0);
	check_tcp(fd, &bound, idle, nitems(idle), "bound, not listening");
	close(fd);
}

static void
test_match_tcp6(void **state)
{
	static const struct tcp_case loop6[] = {
		{ "::1",	0, 1 },
		{ "::1",	1, 0 },
		{ "::",		0, 0 },
		{ "127.0.0.1",	0, 0 },
		{ "0.0.0.0",	0, 0 },
	};
	static const struct tcp_case any_dual[] = {	/* ListenStream=PORT */
		{ "::",		0, 1 },
		{ "0.0.0.0",	0, 1 },
		{ "0.0.0.0",	1, 0 },
		{ "127.0.0.1",	0, 0 },
		{ "::1",	0, 0 },
	};
	static const struct tcp_case any_v6only[] = {
		{ "::",		0, 1 },
		{ "0.0.0.0",	0, 0 },
	};
	static const struct tcp_case mapped[] = {
		{ "::ffff:127.0.0.1", 0, 1 },
		{ "127.0.0.1",	0, 1 },
		{ "127.0.0.2",	0, 0 },
		{ "0.0.0.0",	0, 0 },
	};
	struct sockaddr_storage	bound;
	int			fd;

	if ((fd = tcp_socket(AF_INET6, "::1", 1, 1, &bound)) == -1)
		skip();		/* no IPv6 here */
	check_tcp(fd, &bound, loop6, nitems(loop6), "listening [::1]");
	close(fd);
	assert_true((fd = tcp_socket(AF_INET6, "::", 1, 0, &bound)) >= 0);
	check_tcp(fd, &bound, any_dual, nitems(any_dual), "dual-stack [::]");
	close(fd);
	assert_true((fd = tcp_socket(AF_INET6, "::", 1, 1, &bound)) >= 0);
	check_tcp(fd, &bound, any_v6only, nitems(any_v6only),
	    "IPv6-only [::]");
	close(fd);
	fd = tcp_socket(AF_INET6, "::ffff:127.0.0.1", 1, 0, &bound);
	assert_true(fd >= 0);
	check_tcp(fd, &bound, mapped, nitems(mapped), "[::ffff:127.0.0.1]");
	close(fd);
}

/* Arguments the matcher cannot compare, and descriptors it cannot read. */
static void
test_match_tcp_bad(void **state)
{
	struct sockaddr_storage	bound, ss;
	struct sockaddr_un	sun;
	socklen_t		len;
	int			fd, dg;

	fd = tcp_socket(AF_INET, "127.0.0.1", 1, 0, &bound);
	assert_true(fd >= 0);
	len = inet_addr_port("127.0.0.1", port_of(&bound), &ss);
	assert_int_equal(sdn_fd_is_tcp(fd, NULL, len), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(sdn_fd_is_tcp(fd, (struct sockaddr *)&ss, len - 1),
	    -1);
	assert_int_equal(errno, EINVAL);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	assert_int_equal(sdn_fd_is_tcp(fd, (struct sockaddr *)&sun,
	    sizeof(sun)), -1);
	assert_int_equal(errno, EINVAL);
	close(fd);
	/* A closed descriptor, a regular file, a UDP socket on the port. */
	assert_int_equal(sdn_fd_is_tcp(fd, (struct sockaddr *)&ss, len), -1);
	assert_int_equal(errno, EBADF);
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	assert_int_equal(sdn_fd_is_tcp(fd, (struct sockaddr *)&ss, len), 0);
	close(fd);
	dg = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_int_equal(bind(dg, (struct sockaddr *)&ss, len), 0);
	assert_int_equal(sdn_fd_is_tcp(dg, (struct sockaddr *)&ss, len), 0);
	close(dg);
}

static void
test_match_unix(void **state)
{
	struct fixture		*f = *state;
	struct sockaddr_storage	 bound;
	char			 path[128], other[128], alias[128], real[128];
	int			 fd, fd2, tcp;

	snprintf(path, sizeof(path), "%s/sg.sock", f->dir);
	snprintf(other, sizeof(other), "%s/other.sock", f->dir);
	fd = unix_listener(path, SOCK_STREAM, 1);
	assert_int_equal(sdn_fd_is_unix(fd, path), 1);
	assert_int_equal(sdn_fd_is_unix(fd, other), 0);
	assert_int_equal(sdn_fd_is_unix(fd, "relative/sg.sock"), 0);
	/* Another spelling of the same file through a symlinked directory. */
	snprintf(real, sizeof(real), "%s/real", f->dir);
	snprintf(alias, sizeof(alias), "%s/alias", f->dir);
	assert_int_equal(mkdir(real, 0700), 0);
	assert_int_equal(symlink("real", alias), 0);
	close(fd);
	unlink(path);
	snprintf(path, sizeof(path), "%s/real/sg.sock", f->dir);
	fd = unix_listener(path, SOCK_STREAM, 1);
	snprintf(alias, sizeof(alias), "%s/alias/sg.sock", f->dir);
	assert_int_equal(sdn_fd_is_unix(fd, alias), 1);
	/* Another socket file, not listening, datagram, TCP, closed. */
	fd2 = unix_listener(other, SOCK_STREAM, 0);
	assert_int_equal(sdn_fd_is_unix(fd2, other), 0);
	assert_int_equal(sdn_fd_is_unix(fd, other), 0);
	close(fd2);
	unlink(other);
	fd2 = unix_listener(other, SOCK_DGRAM, 0);
	assert_int_equal(sdn_fd_is_unix(fd2, other), 0);
	close(fd2);
	tcp = tcp_socket(AF_INET, "127.0.0.1", 1, 0, &bound);
	assert_int_equal(sdn_fd_is_unix(tcp, path), 0);
	close(tcp);
	close(fd);
	assert_int_equal(sdn_fd_is_unix(fd, path), -1);
	assert_int_equal(errno, EBADF);
}

/* An abstract or unnamed socket never matches a path. */
static void
test_match_unix_abstract(void **state)
{
	struct sockaddr_un	sun;
	socklen_t		len;
	char			name[64];
	int			fd, pair[2];

	snprintf(name, sizeof(name), "@sg-sdn-abs-%ld", (long)getpid());
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path + 1, name + 1, strlen(name) - 1);
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
	    strlen(name));
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, len), 0);
	assert_int_equal(listen(fd, 1), 0);
	assert_int_equal(sdn_fd_is_unix(fd, name), 0);
	assert_int_equal(sdn_fd_is_unix(fd, name + 1), 0);
	close(fd);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, pair), 0);
	assert_int_equal(sdn_fd_is_unix(pair[0], "/"), 0);
	close(pair[0]);
	close(pair[1]);
}

/* --- the socket file and the configuration ---------------------------- */

static void
test_unix_file(void **state)
{
	struct fixture		*f = *state;
	struct sdn_sockfile	 sf;
	struct sockaddr_storage	 bound;
	char			 path[128];
	int			 fd, tcp;

	snprintf(path, sizeof(path), "%s/sg.sock", f->dir);
	fd = unix_listener(path, SOCK_STREAM, 1);
	assert_int_equal(chmod(path, 0660), 0);
	assert_int_equal(sdn_fd_unix_file(fd, &sf), 0);
	assert_string_equal(sf.path, path);
	assert_int_equal(sf.mode, 0660);
	assert_int_equal(sf.uid, geteuid());
	assert_int_equal(sf.gid, getegid());
	/* The file is gone, or something else is there now. */
	assert_int_equal(unlink(path), 0);
	assert_int_equal(sdn_fd_unix_file(fd, &sf), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(sdn_fd_unix_file(fd, &sf), -1);
	assert_int_equal(errno, ENOTSOCK);
	close(fd);
	tcp = tcp_socket(AF_INET, "127.0.0.1", 1, 0, &bound);
	assert_int_equal(sdn_fd_unix_file(tcp, &sf), -1);
	assert_int_equal(errno, ENOTSOCK);
	close(tcp);
}

static void
test_sockfile_differs(void **state)
{
	static const struct {
		mode_t		 mode;
		int		 has_uid;
		uid_t		 uid;
		int		 has_gid;
		gid_t		 gid;
		int		 differs;
		const char	*msg;		/* a part of it */
	} cases[] = {
		{ 0660, 0, 0,   0, 0,   0, "" },
		{ 0660, 1, 0,   1, 990, 0, "" },
		{ 0100660, 0, 0, 0, 0,  0, "" },	/* type bits ignored */
		{ 0600, 0, 0,   0, 0,   1, ": mode 0660 (configuration: 0600);" },
		{ 0660, 1, 5,   0, 0,   1, ": owner 0 (configuration: 5);" },
		{ 0660, 0, 5,   0, 0,   0, "" },	/* owner not asked */
		{ 0660, 0, 0,   1, 991, 1, ": group 990 (configuration: 991);" },
		{ 0600, 1, 5,   1, 991, 1, ": mode 0660 (configuration: 0600), "
		    "owner 0 (configuration: 5), group 990 (configuration: "
		    "991); the socket unit's settings apply" },
	};
	struct sdn_sockfile	sf;
	char			msg[512], tiny[16];
	size_t			i;
	int			r;

	memset(&sf, 0, sizeof(sf));
	snprintf(sf.path, sizeof(sf.path), "/run/sockguard/docker.sock");
	sf.mode = 0660;
	sf.uid = 0;
	sf.gid = 990;
	for (i = 0; i < nitems(cases); i++) {
		r = sdn_sockfile_differs(&sf, cases[i].mode, cases[i].has_uid,
		    cases[i].uid, cases[i].has_gid, cases[i].gid, msg,
		    sizeof(msg));
		if (r != cases[i].differs)
			fail_msg("case %zu: %d, want %d", i, r,
			    cases[i].differs);
		if (strstr(msg, cases[i].msg) == NULL)
			fail_msg("case %zu: \"%s\" lacks \"%s\"", i, msg,
			    cases[i].msg);
		if (r == 1 && strstr(msg, "/run/sockguard/docker.sock") ==
		    NULL)
			fail_msg("case %zu: no path in \"%s\"", i, msg);
	}
	/* A short buffer is cut, never overrun. */
	r = sdn_sockfile_differs(&sf, 0600, 0, 0, 0, 0, tiny, sizeof(tiny));
	assert_int_equal(r, 1);
	assert_int_equal(strlen(tiny), sizeof(tiny) - 1);
}

static void
test_describe(void **state)
{
	struct fixture		*f = *state;
	struct sockaddr_storage	 bound;
	struct sockaddr_un	 sun;
	char			 path[128], buf[256], want[256];
	int			 fd;

	snprintf(path, sizeof(path), "%s/d.sock", f->dir);
	fd = unix_listener(path, SOCK_STREAM, 1);
	sdn_fd_describe(fd, buf, sizeof(buf));
	snprintf(want, sizeof(want), "unix %s", path);
	assert_string_equal(buf, want);
	close(fd);
	unlink(path);
	fd = unix_listener(path, SOCK_STREAM, 0);
	sdn_fd_describe(fd, buf, sizeof(buf));
	snprintf(want, sizeof(want), "unix %s (not listening)", path);
	assert_string_equal(buf, want);
	close(fd);
	unlink(path);
	fd = unix_listener(path, SOCK_DGRAM, 0);
	sdn_fd_describe(fd, buf, sizeof(buf));
	snprintf(want, sizeof(want), "unix %s (datagram)", path);
	assert_string_equal(buf, want);
	close(fd);

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path + 1, "sg-abs", 6);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun,
	    (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 7)), 0);
	assert_int_equal(listen(fd, 1), 0);
	sdn_fd_describe(fd, buf, sizeof(buf));
	assert_string_equal(buf, "unix @sg-abs");
	close(fd);

	fd = tcp_socket(AF_INET, "127.0.0.1", 1, 0, &bound);
	sdn_fd_describe(fd, buf, sizeof(buf));
	snprintf(want, sizeof(want), "tcp 127.0.0.1:%u", port_of(&bound));
	assert_string_equal(buf, want);
	close(fd);
	if ((fd = tcp_socket(AF_INET6, "::1", 1, 1, &bound)) != -1) {
		sdn_fd_describe(fd, buf, sizeof(buf));
		snprintf(want, sizeof(want), "tcp [::1]:%u", port_of(&bound));
		assert_string_equal(buf, want);
		close(fd);
	}
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	sdn_fd_describe(fd, buf, sizeof(buf));
	assert_non_null(strstr(buf, "not a socket"));
	close(fd);
	sdn_fd_describe(fd, buf, 4);
	assert_int_equal(strlen(buf), 3);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f)	cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_notify_unset),
		T(test_notify_path),
		T(test_notify_abstract),
		T(test_notify_status_one_line),
		T(test_notify_reloading),
		T(test_notify_errors),
		T(test_watchdog_usec),
		T(test_listen_fds_env),
		T(test_listen_fds_passed),
		T(test_match_tcp4),
		T(test_match_tcp6),
		T(test_match_tcp_bad),
		T(test_match_unix),
		T(test_match_unix_abstract),
		T(test_unix_file),
		T(test_sockfile_differs),
		T(test_describe),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
