/* Unix listening sockets with their permissions set before listen(2). */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "listen.h"
#include "sandbox.h"

/* Fills a sockaddr_un; the config checked the length. */
static socklen_t
listen_addr(const char *path, struct sockaddr_un *sun)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	snprintf(sun->sun_path, sizeof(sun->sun_path), "%s", path);
	return (socklen_t)sizeof(*sun);
}

/* Removes a stale socket at path; refuses a live one or a non-socket. */
static int
listen_clear_stale(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un	 sun;
	struct stat		 st;
	int			 fd, r, saved;

	if (lstat(path, &st) == -1) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen, "%s exists and is not a socket; "
		    "refusing to replace it", path);
		return -1;
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	r = connect(fd, (struct sockaddr *)&sun, listen_addr(path, &sun));
	saved = errno;
	close(fd);
	if (r == 0 || saved == EAGAIN) {
		snprintf(err, errlen, "%s is in use by another process "
		    "(it accepts connections); is sockguard already running?",
		    path);
		return -1;
	}
	if (saved != ECONNREFUSED) {
		snprintf(err, errlen, "%s: cannot tell whether it is in use: "
		    "%s", path, strerror(saved));
		return -1;
	}
	if (unlink(path) == -1 && errno != ENOENT) {
		saved = errno;
		snprintf(err, errlen, "cannot remove stale socket %s: %s%s",
		    path, strerror(saved), sandbox_hint(path, W_OK, saved));
		return -1;
	}
	return 0;
}

int
listen_unix_open(const struct listen_conf *lc, struct listen_sock *ls,
    char *err, size_t errlen)
{
	struct sockaddr_un	 sun;
	struct stat		 st;
	mode_t			 old;
	int			 fd, r;

	ls->fd = -1;
	if (listen_clear_stale(lc->path, err, errlen) == -1)
		return -1;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	old = umask(0177);
	r = bind(fd, (struct sockaddr *)&sun, listen_addr(lc->path, &sun));
	umask(old);
	if (r == -1) {
		r = errno;
		snprintf(err, errlen, "bind %s: %s%s", lc->path, strerror(r),
		    sandbox_hint(lc->path, W_OK, r));
		goto fail_close;
	}
	if (lstat(lc->path, &st) == -1 || !S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen, "%s changed under us after bind",
		    lc->path);
		goto fail_close;
	}
	ls->dev = st.st_dev;
	ls->ino = st.st_ino;
	/* Nothing to change (a setgid directory gave the group): no chown,
	 * which a service without CAP_CHOWN may not even call. */
	if ((lc->has_owner || lc->has_group) &&
	    !((!lc->has_owner || st.st_uid == lc->owner) &&
	    (!lc->has_group || st.st_gid == lc->group)) &&
	    lchown(lc->path, lc->has_owner ? lc->owner : (uid_t)-1,
	    lc->has_group ? lc->group : (gid_t)-1) == -1) {
		snprintf(err, errlen, "cannot set owner/group of %s: %s%s",
		    lc->path, strerror(errno), errno == EPERM ?
		    " (setting another owner needs root or CAP_CHOWN; a group "
		    "needs membership in it)" : "");
		goto fail_unlink;
	}
	if (chmod(lc->path, lc->mode) == -1) {
		snprintf(err, errlen, "chmod %s: %s", lc->path,
		    strerror(errno));
		goto fail_unlink;
	}
	if (listen(fd, SOMAXCONN) == -1) {
		snprintf(err, errlen, "listen %s: %s", lc->path,
		    strerror(errno));
		goto fail_unlink;
	}
	ls->fd = fd;
	return 0;
fail_unlink:
	unlink(lc->path);
fail_close:
	close(fd);
	return -1;
}

void
listen_unix_remove(const struct listen_conf *lc, const struct listen_sock *ls)
{
	struct stat	st;

	if (lstat(lc->path, &st) == 0 && S_ISSOCK(st.st_mode) &&
	    st.st_dev == ls->dev && st.st_ino == ls->ino)
		unlink(lc->path);
}

int
listen_tcp_open(const struct listen_conf *lc, struct listen_sock *ls,
    char *err, size_t errlen)
{
	int	fd, one = 1;

	ls->fd = -1;
	fd = socket(lc->sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (fd == -1) {
		snprintf(err, errlen, "%s: socket: %s", lc->addr,
		    strerror(errno));
		return -1;
	}
	/* A restart must not wait for old connections' TIME_WAIT. */
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (const struct sockaddr *)&lc->sa, lc->salen) == -1) {
		snprintf(err, errlen, "bind %s: %s%s", lc->addr,
		    strerror(errno), errno == EADDRINUSE ? " (is another "
		    "sockguard, or dockerd's own TLS port, on it?)" :
		    errno == EACCES ? " (ports below 1024 need privilege)" :
		    "");
		close(fd);
		return -1;
	}
	if (listen(fd, SOMAXCONN) == -1) {
		snprintf(err, errlen, "listen %s: %s", lc->addr,
		    strerror(errno));
		close(fd);
		return -1;
	}
	ls->fd = fd;
	return 0;
}
