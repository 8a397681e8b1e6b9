/*
 * systemd integration without libsystemd: the sd_notify(3) datagram
 * protocol (readiness, reload, stop, status) and the sd_listen_fds(3)
 * socket-activation protocol, both implemented here from the documented
 * wire formats.
 *
 * Notifications are best effort by design: outside systemd (NOTIFY_SOCKET
 * unset) every sdn_notify*() call does nothing and returns 0, so callers
 * need no "am I under systemd" test.  A failure returns -1 with errno set
 * and sends nothing; the caller decides whether to log it (once).
 *
 * Inherited sockets belong to the service manager: this module only finds
 * and describes them.  It never binds, chmods, chowns or unlinks anything.
 */
#ifndef SG_SDNOTIFY_H
#define SG_SDNOTIFY_H

#include <sys/types.h>
#include <sys/socket.h>
#include <stddef.h>
#include <stdint.h>

/* The first inherited descriptor (SD_LISTEN_FDS_START). */
#define SDN_LISTEN_FDS_START	3
/* More inherited sockets than this is treated as a corrupt environment. */
#define SDN_LISTEN_FDS_MAX	1024
/* Longest notification sent; systemd reads at most one pipe buffer. */
#define SDN_NOTIFY_MAX		4096

/*
 * Sends state ("READY=1", "STATUS=...", several assignments separated by
 * '\n') as one datagram to $NOTIFY_SOCKET (a path, or "@name" for the
 * abstract namespace).  Returns 1 when sent, 0 when NOTIFY_SOCKET is unset
 * or empty, -1 with errno set otherwise (EAFNOSUPPORT: a NOTIFY_SOCKET
 * form other than a path or "@name", such as vsock; EMSGSIZE: longer than
 * SDN_NOTIFY_MAX; ENAMETOOLONG: the socket address does not fit).
 */
int	sdn_notify(const char *state);
/* The same with a printf(3)-style format; the result is capped as above. */
int	sdn_notifyf(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));

/* "READY=1", with "STATUS=status" when status is not NULL. */
int	sdn_ready(const char *status);
/*
 * "RELOADING=1" with "MONOTONIC_USEC=" the current CLOCK_MONOTONIC time,
 * which systemd 253 and later use to match the reload to the request;
 * earlier versions ignore it.  Follow it with sdn_ready() once the reload
 * has finished, whether or not it succeeded.
 */
int	sdn_reloading(void);
/* "STOPPING=1": the service is shutting down (draining). */
int	sdn_stopping(void);
/* "STATUS=..." from a format: one line for `systemctl status`. */
int	sdn_status(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));
/*
 * "EXTEND_TIMEOUT_USEC=usec": the current state (a stop, for the reap on
 * exit) may last usec more from now, beyond TimeoutStopSec=, as long as
 * another such message comes before it runs out (systemd 236 and later).
 */
int	sdn_extend_timeout(uint64_t usec);
/* "WATCHDOG=1": keep-alive ping for WatchdogSec=. */
int	sdn_watchdog(void);

/*
 * The keep-alive interval asked for by WatchdogSec=: when WATCHDOG_USEC is
 * set (and WATCHDOG_PID, if set, is our pid) returns 1 and stores the
 * interval in microseconds; ping at half of it.  Returns 0 when there is
 * no watchdog for this process, -1 with the reason in err when the
 * variables are malformed.  The variables are left in place.
 */
int	sdn_watchdog_usec(uint64_t *usec, char *err, size_t errlen);

/*
 * Takes the sockets passed by socket activation.  When LISTEN_PID is our
 * pid, reads LISTEN_FDS, checks that each of the descriptors 3 ..
 * 3+LISTEN_FDS-1 is open, sets FD_CLOEXEC on them and returns their
 * number, with *fds a new array of them that the caller frees with
 * free(3).  Returns 0 with *fds = NULL when LISTEN_PID is unset or names
 * another process (the sockets are not ours).  Returns -1 with the
 * reason in err (and *fds = NULL) when LISTEN_PID or LISTEN_FDS is
 * malformed, LISTEN_FDS is above SDN_LISTEN_FDS_MAX, or a descriptor is
 * not open.  In every case LISTEN_PID, LISTEN_FDS and LISTEN_FDNAMES are
 * removed from the environment, so that no child inherits them.  Call it
 * once, early; names (FileDescriptorName=) are not used.
 */
int	sdn_listen_fds(int **fds, char *err, size_t errlen);

/*
 * Matchers for inherited sockets.  Each returns 1 when fd is a listening
 * (SO_ACCEPTCONN) SOCK_STREAM socket bound to the given address, 0 when
 * it is anything else (including not a socket), -1 with errno set when
 * the descriptor cannot be examined (EBADF).
 *
 * sdn_fd_is_unix: bound to path; equal strings match, and so do two paths
 * that name the same socket file (for /var/run/x against /run/x).
 */
int	sdn_fd_is_unix(int fd, const char *path);
/*
 * sdn_fd_is_tcp: bound to sa (AF_INET or AF_INET6, address and port; the
 * scope id too for IPv6).  An IPv6 socket also matches the IPv4 address
 * it serves: [::] without IPV6_V6ONLY matches 0.0.0.0 on the same port
 * (systemd's ListenStream=PORT), and ::ffff:a.b.c.d matches a.b.c.d.
 */
int	sdn_fd_is_tcp(int fd, const struct sockaddr *sa, socklen_t len);

/* The socket file a unix listener is bound to, as stat(2) sees it. */
struct sdn_sockfile {
	char	path[108];	/* sun_path, NUL-terminated */
	mode_t	mode;		/* permission bits only (07777) */
	uid_t	uid;
	gid_t	gid;
};

/*
 * Describes the file of unix socket fd.  Returns 0, or -1 with errno set:
 * ENOTSOCK (not a unix socket), EADDRNOTAVAIL (unbound or abstract),
 * ENOENT (the file is gone), ENOTSOCK too when the path now holds
 * something that is not a socket.
 */
int	sdn_fd_unix_file(int fd, struct sdn_sockfile *out);

/*
 * Compares an inherited socket's file with what a configuration asks for
 * (the mode always; the owner and group only when has_uid / has_gid).
 * Returns 0 when they agree, 1 when not, with an operator-readable
 * sentence in msg naming both sides ("socket /run/x: the socket unit made
 * it mode 0660, group 990; the configuration says mode 0600; the socket
 * unit's settings apply").  Pure: no I/O.
 */
int	sdn_sockfile_differs(const struct sdn_sockfile *,
	    mode_t want_mode, int has_uid, uid_t want_uid, int has_gid,
	    gid_t want_gid, char *msg, size_t msglen);

/*
 * Writes a short description of socket fd for log messages: "unix
 * /run/x", "unix @name", "tcp 127.0.0.1:2376", "tcp [::]:2376", plus
 * " (not listening)" or " (datagram)" where that applies, or "not a
 * socket".  Always NUL-terminates buf (if buflen > 0).
 */
void	sdn_fd_describe(int fd, char *buf, size_t buflen);

#endif
