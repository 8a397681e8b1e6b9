/*
 * sd_notify(3) and sd_listen_fds(3) protocols, written from their
 * documentation: one AF_UNIX datagram per notification, inherited sockets
 * from descriptor 3 on.  No libsystemd.
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
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sdnotify.h"
#include "xmalloc.h"

static int	sdn_vsend(const char *, int, const char *, va_list)
		    __attribute__((format(printf, 3, 0)));
static int	sdn_sendline(const char *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

/* Parses a plain decimal (digits only, no sign or blanks) up to max. */
static int
sdn_parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t	v = 0;

	if (s == NULL || *s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		if (v > (max - (uint64_t)(*s - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return 0;
}

/* Turns $NOTIFY_SOCKET into an address: "/path" or "@abstract". */
static int
sdn_notify_addr(const char *e, struct sockaddr_un *sun, socklen_t *len)
{
	size_t	n = strlen(e);

	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (e[0] != '/' && e[0] != '@') {
		errno = EAFNOSUPPORT;
		return -1;
	}
	if (n < 2) {
		errno = EINVAL;
		return -1;
	}
	/* A path needs its NUL; an abstract name has none ('@' -> NUL). */
	if (n + (e[0] == '/') > sizeof(sun->sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(sun->sun_path, e, n);
	if (e[0] == '@')
		sun->sun_path[0] = '\0';
	*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n +
	    (e[0] == '/'));
	return 0;
}

int
sdn_notify(const char *state)
{
	const char		*e = getenv("NOTIFY_SOCKET");
	struct sockaddr_un	 sun;
	struct msghdr		 mh;
	struct iovec		 iov;
	socklen_t		 len;
	size_t			 n;
	ssize_t			 r;
	int			 fd, saved;

	if (e == NULL || *e == '\0')
		return 0;
	if (state == NULL || (n = strlen(state)) == 0) {
		errno = EINVAL;
		return -1;
	}
	if (n > SDN_NOTIFY_MAX) {
		errno = EMSGSIZE;
		return -1;
	}
	if (sdn_notify_addr(e, &sun, &len) == -1)
		return -1;
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	memset(&mh, 0, sizeof(mh));
	iov.iov_base = (void *)(uintptr_t)state;
	iov.iov_len = n;
	mh.msg_name = &sun;
	mh.msg_namelen = len;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	r = sendmsg(fd, &mh, MSG_NOSIGNAL);
	saved = errno;
	close(fd);
	if (r == -1) {
		errno = saved;
		return -1;
	}
	return 1;
}

/*
 * Formats prefix + fmt and sends it.  With one_line, newlines in the
 * formatted part become spaces: a STATUS value must not be able to add
 * assignments (a path in it could otherwise say "\nREADY=1").
 */
static int
sdn_vsend(const char *prefix, int one_line, const char *fmt, va_list ap)
{
	char	buf[SDN_NOTIFY_MAX + 1];
	size_t	plen = strlen(prefix), i;
	int	r;

	if (plen >= sizeof(buf)) {
		errno = EMSGSIZE;
		return -1;
	}
	memcpy(buf, prefix, plen);
	r = vsnprintf(buf + plen, sizeof(buf) - plen, fmt, ap);
	if (r < 0) {
		errno = EINVAL;
		return -1;
	}
	if ((size_t)r >= sizeof(buf) - plen) {
		errno = EMSGSIZE;
		return -1;
	}
	if (one_line)
		for (i = plen; buf[i] != '\0'; i++)
			if (buf[i] == '\n' || buf[i] == '\r')
				buf[i] = ' ';
	return sdn_notify(buf);
}

int
sdn_notifyf(const char *fmt, ...)
{
	va_list	ap;
	int	r;

	va_start(ap, fmt);
	r = sdn_vsend("", 0, fmt, ap);
	va_end(ap);
	return r;
}

/* prefix + one formatted line (newlines flattened); see sdn_vsend. */
static int
sdn_sendline(const char *prefix, const char *fmt, ...)
{
	va_list	ap;
	int	r;

	va_start(ap, fmt);
	r = sdn_vsend(prefix, 1, fmt, ap);
	va_end(ap);
	return r;
}

int
sdn_status(const char *fmt, ...)
{
	va_list	ap;
	int	r;

	va_start(ap, fmt);
	r = sdn_vsend("STATUS=", 1, fmt, ap);
	va_end(ap);
	return r;
}

int
sdn_ready(const char *status)
{
	if (status == NULL)
		return sdn_notify("READY=1");
	return sdn_sendline("READY=1\nSTATUS=", "%s", status);
}

int
sdn_reloading(void)
{
	struct timespec	ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		return -1;
	return sdn_notifyf("RELOADING=1\nMONOTONIC_USEC=%llu",
	    (unsigned long long)ts.tv_sec * 1000000ULL +
	    (unsigned long long)ts.tv_nsec / 1000ULL);
}

int
sdn_stopping(void)
{
	return sdn_notify("STOPPING=1");
}

int
sdn_extend_timeout(uint64_t usec)
{
	return sdn_notifyf("EXTEND_TIMEOUT_USEC=%llu",
	    (unsigned long long)usec);
}

int
sdn_watchdog(void)
{
	return sdn_notify("WATCHDOG=1");
}

int
sdn_watchdog_usec(uint64_t *usec, char *err, size_t errlen)
{
	const char	*s;
	uint64_t	 v;

	if ((s = getenv("WATCHDOG_PID")) != NULL) {
		if (sdn_parse_u64(s, INT_MAX, &v) == -1 || v == 0) {
			snprintf(err, errlen, "WATCHDOG_PID=%.32s is not a "
			    "process id", s);
			return -1;
		}
		if ((pid_t)v != getpid())
			return 0;
	}
	if ((s = getenv("WATCHDOG_USEC")) == NULL)
		return 0;
	if (sdn_parse_u64(s, UINT64_MAX, &v) == -1 || v == 0) {
		snprintf(err, errlen, "WATCHDOG_USEC=%.32s is not a positive "
		    "number of microseconds", s);
		return -1;
	}
	*usec = v;
	return 1;
}

/* Checks that descriptors 3 .. 3+n-1 are open and marks them CLOEXEC. */
static int
sdn_take_fds(int n, int *fds, char *err, size_t errlen)
{
	int	i, fd, flags;

	for (i = 0; i < n; i++) {
		fd = SDN_LISTEN_FDS_START + i;
		if ((flags = fcntl(fd, F_GETFD)) == -1) {
			snprintf(err, errlen, "LISTEN_FDS=%d, but descriptor "
			    "%d is not open: %s", n, fd, strerror(errno));
			return -1;
		}
		if (!(flags & FD_CLOEXEC) &&
		    fcntl(fd, F_SETFD, flags | FD_CLOEXEC) == -1) {
			snprintf(err, errlen, "descriptor %d: cannot set "
			    "close-on-exec: %s", fd, strerror(errno));
			return -1;
		}
		fds[i] = fd;
	}
	return 0;
}

int
sdn_listen_fds(int **fds, char *err, size_t errlen)
{
	const char	*s;
	uint64_t	 pid, n;
	int		 r = 0, *v;

	*fds = NULL;
	if ((s = getenv("LISTEN_PID")) == NULL)
		goto out;
	if (sdn_parse_u64(s, INT_MAX, &pid) == -1 || pid == 0) {
		snprintf(err, errlen, "LISTEN_PID=%.32s is not a process id",
		    s);
		r = -1;
		goto out;
	}
	if ((pid_t)pid != getpid())
		goto out;
	if ((s = getenv("LISTEN_FDS")) == NULL) {
		snprintf(err, errlen, "LISTEN_PID names this process but "
		    "LISTEN_FDS is not set");
		r = -1;
		goto out;
	}
	if (sdn_parse_u64(s, SDN_LISTEN_FDS_MAX, &n) == -1) {
		snprintf(err, errlen, "LISTEN_FDS=%.32s is not a number of "
		    "descriptors from 0 to %d", s, SDN_LISTEN_FDS_MAX);
		r = -1;
		goto out;
	}
	if (n == 0)
		goto out;
	v = xcalloc((size_t)n, sizeof(*v));
	if (sdn_take_fds((int)n, v, err, errlen) == -1) {
		free(v);
		r = -1;
		goto out;
	}
	*fds = v;
	r = (int)n;
out:
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	return r;
}

/* 1: a listening SOCK_STREAM socket; 0: anything else; -1: error. */
static int
sdn_is_listener(int fd)
{
	int		type, acc;
	socklen_t	len = sizeof(type);

	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == -1)
		return errno == ENOTSOCK ? 0 : -1;
	if (type != SOCK_STREAM)
		return 0;
	len = sizeof(acc);
	if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &acc, &len) == -1)
		return -1;
	return acc != 0;
}

/* The filesystem path of a unix address; -1 if unnamed or abstract. */
static int
sdn_sun_path(const struct sockaddr_un *sun, socklen_t len, char *out,
    size_t outlen)
{
	size_t	n, max;

	if (sun->sun_family != AF_UNIX ||
	    len <= (socklen_t)offsetof(struct sockaddr_un, sun_path) ||
	    sun->sun_path[0] == '\0')
		return -1;
	max = (size_t)len - offsetof(struct sockaddr_un, sun_path);
	if (max > sizeof(sun->sun_path))
		max = sizeof(sun->sun_path);
	for (n = 0; n < max && sun->sun_path[n] != '\0'; n++)
		;
	if (n >= outlen)
		return -1;
	memcpy(out, sun->sun_path, n);
	out[n] = '\0';
	return 0;
}

/* The path a unix socket is bound to; -1 (errno) if it has none. */
static int
sdn_bound_path(int fd, char *out, size_t outlen)
{
	struct sockaddr_un	sun;
	socklen_t		len = sizeof(sun);

	memset(&sun, 0, sizeof(sun));
	if (getsockname(fd, (struct sockaddr *)&sun, &len) == -1)
		return -1;
	if (sun.sun_family != AF_UNIX) {
		errno = ENOTSOCK;
		return -1;
	}
	if (sdn_sun_path(&sun, len, out, outlen) == -1) {
		errno = EADDRNOTAVAIL;
		return -1;
	}
	return 0;
}

int
sdn_fd_is_unix(int fd, const char *path)
{
	char		bound[sizeof(((struct sockaddr_un *)0)->sun_path) + 1];
	struct stat	a, b;
	int		r;

	if ((r = sdn_is_listener(fd)) != 1)
		return r;
	if (sdn_bound_path(fd, bound, sizeof(bound)) == -1)
		return errno == EBADF ? -1 : 0;
	if (strcmp(bound, path) == 0)
		return 1;
	/* Two spellings of one file: /var/run/x and /run/x. */
	if (stat(bound, &a) == 0 && stat(path, &b) == 0 &&
	    S_ISSOCK(a.st_mode) && S_ISSOCK(b.st_mode) &&
	    a.st_dev == b.st_dev && a.st_ino == b.st_ino)
		return 1;
	return 0;
}

/* Whether IPv6 socket fd also accepts IPv4 (IPV6_V6ONLY off). */
static int
sdn_dual_stack(int fd)
{
	int		v6only = 1;
	socklen_t	len = sizeof(v6only);

	if (getsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, &len) == -1)
		return 0;
	return v6only == 0;
}

/* Compares a bound address with a wanted one; see sdn_fd_is_tcp. */
static int
sdn_inet_match(int fd, const struct sockaddr_storage *have,
    const struct sockaddr *want)
{
	const struct sockaddr_in	*h4, *w4;
	const struct sockaddr_in6	*h6, *w6;

	if (have->ss_family == AF_INET && want->sa_family == AF_INET) {
		h4 = (const struct sockaddr_in *)have;
		w4 = (const struct sockaddr_in *)want;
		return h4->sin_port == w4->sin_port &&
		    h4->sin_addr.s_addr == w4->sin_addr.s_addr;
	}
	if (have->ss_family != AF_INET6)
		return 0;
	h6 = (const struct sockaddr_in6 *)have;
	if (want->sa_family == AF_INET6) {
		w6 = (const struct sockaddr_in6 *)want;
		return h6->sin6_port == w6->sin6_port &&
		    memcmp(&h6->sin6_addr, &w6->sin6_addr,
		    sizeof(h6->sin6_addr)) == 0 &&
		    h6->sin6_scope_id == w6->sin6_scope_id;
	}
	if (want->sa_family != AF_INET)
		return 0;
	w4 = (const struct sockaddr_in *)want;
	if (h6->sin6_port != w4->sin_port)
		return 0;
	if (IN6_IS_ADDR_UNSPECIFIED(&h6->sin6_addr))
		return w4->sin_addr.s_addr == htonl(INADDR_ANY) &&
		    sdn_dual_stack(fd);
	return IN6_IS_ADDR_V4MAPPED(&h6->sin6_addr) &&
	    memcmp(&h6->sin6_addr.s6_addr[12], &w4->sin_addr, 4) == 0;
}

int
sdn_fd_is_tcp(int fd, const struct sockaddr *sa, socklen_t salen)
{
	struct sockaddr_storage	ss;
	socklen_t		len = sizeof(ss);
	int			r;

	if (sa == NULL || (sa->sa_family == AF_INET &&
	    salen < (socklen_t)sizeof(struct sockaddr_in)) ||
	    (sa->sa_family == AF_INET6 &&
	    salen < (socklen_t)sizeof(struct sockaddr_in6)) ||
	    (sa->sa_family != AF_INET && sa->sa_family != AF_INET6)) {
		errno = EINVAL;
		return -1;
	}
	if ((r = sdn_is_listener(fd)) != 1)
		return r;
	memset(&ss, 0, sizeof(ss));
	if (getsockname(fd, (struct sockaddr *)&ss, &len) == -1)
		return -1;
	return sdn_inet_match(fd, &ss, sa);
}

int
sdn_fd_unix_file(int fd, struct sdn_sockfile *out)
{
	struct stat	st;

	memset(out, 0, sizeof(*out));
	if (sdn_bound_path(fd, out->path, sizeof(out->path)) == -1)
		return -1;
	if (stat(out->path, &st) == -1)
		return -1;
	if (!S_ISSOCK(st.st_mode)) {
		errno = ENOTSOCK;
		return -1;
	}
	out->mode = st.st_mode & 07777;
	out->uid = st.st_uid;
	out->gid = st.st_gid;
	return 0;
}

/* Appends to msg at *off, keeping it NUL-terminated and never past end. */
static void
sdn_append(char *msg, size_t msglen, size_t *off, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
sdn_append(char *msg, size_t msglen, size_t *off, const char *fmt, ...)
{
	va_list	ap;
	int	r;

	if (*off >= msglen)
		return;
	va_start(ap, fmt);
	r = vsnprintf(msg + *off, msglen - *off, fmt, ap);
	va_end(ap);
	if (r > 0)
		*off = *off + (size_t)r < msglen ? *off + (size_t)r : msglen;
}

int
sdn_sockfile_differs(const struct sdn_sockfile *f, mode_t want_mode,
    int has_uid, uid_t want_uid, int has_gid, gid_t want_gid, char *msg,
    size_t msglen)
{
	size_t		 off = 0;
	const char	*sep = "";

	if (msglen > 0)
		msg[0] = '\0';
	if (f->mode == (want_mode & 07777) &&
	    (!has_uid || f->uid == want_uid) &&
	    (!has_gid || f->gid == want_gid))
		return 0;
	sdn_append(msg, msglen, &off, "socket %s, inherited from the "
	    "service manager, differs from the configuration:", f->path);
	if (f->mode != (want_mode & 07777)) {
		sdn_append(msg, msglen, &off, " mode %04o (configuration: "
		    "%04o)", (unsigned)f->mode, (unsigned)(want_mode & 07777));
		sep = ",";
	}
	if (has_uid && f->uid != want_uid) {
		sdn_append(msg, msglen, &off, "%s owner %lu (configuration: "
		    "%lu)", sep, (unsigned long)f->uid,
		    (unsigned long)want_uid);
		sep = ",";
	}
	if (has_gid && f->gid != want_gid)
		sdn_append(msg, msglen, &off, "%s group %lu (configuration: "
		    "%lu)", sep, (unsigned long)f->gid,
		    (unsigned long)want_gid);
	sdn_append(msg, msglen, &off, "; the socket unit's settings apply "
	    "(SocketMode=, SocketUser=, SocketGroup=)");
	return 1;
}

/* "tcp 1.2.3.4:5" or "tcp [::1]:5" for an inet address. */
static void
sdn_describe_inet(const struct sockaddr_storage *ss, char *buf,
    size_t buflen)
{
	char	a[INET6_ADDRSTRLEN];

	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;

		inet_ntop(AF_INET, &s4->sin_addr, a, sizeof(a));
		snprintf(buf, buflen, "tcp %s:%u", a,
		    (unsigned)ntohs(s4->sin_port));
	} else {
		const struct sockaddr_in6 *s6 =
		    (const struct sockaddr_in6 *)ss;

		inet_ntop(AF_INET6, &s6->sin6_addr, a, sizeof(a));
		snprintf(buf, buflen, "tcp [%s]:%u", a,
		    (unsigned)ntohs(s6->sin6_port));
	}
}

void
sdn_fd_describe(int fd, char *buf, size_t buflen)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len = sizeof(ss);
	const struct sockaddr_un *sun = (const struct sockaddr_un *)&ss;
	char			 path[sizeof(sun->sun_path) + 1];
	int			 type, listening;
	size_t			 n;
	socklen_t		 tlen = sizeof(type);

	if (buflen == 0)
		return;
	memset(&ss, 0, sizeof(ss));
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tlen) == -1 ||
	    getsockname(fd, (struct sockaddr *)&ss, &len) == -1) {
		snprintf(buf, buflen, "descriptor %d: not a socket", fd);
		return;
	}
	if (ss.ss_family == AF_INET || ss.ss_family == AF_INET6)
		sdn_describe_inet(&ss, buf, buflen);
	else if (ss.ss_family == AF_UNIX &&
	    sdn_sun_path(sun, len, path, sizeof(path)) == 0)
		snprintf(buf, buflen, "unix %s", path);
	else if (ss.ss_family == AF_UNIX &&
	    len > (socklen_t)offsetof(struct sockaddr_un, sun_path) + 1)
		snprintf(buf, buflen, "unix @%.*s",
		    (int)(len - offsetof(struct sockaddr_un, sun_path) - 1),
		    sun->sun_path + 1);
	else if (ss.ss_family == AF_UNIX)
		snprintf(buf, buflen, "unix (unnamed)");
	else
		snprintf(buf, buflen, "socket of family %d",
		    (int)ss.ss_family);
	n = strlen(buf);
	listening = sdn_is_listener(fd) == 1;
	if (type != SOCK_STREAM)
		snprintf(buf + n, buflen - n, " (%s)", type == SOCK_DGRAM ?
		    "datagram" : "not a stream");
	else if (!listening)
		snprintf(buf + n, buflen - n, " (not listening)");
}
