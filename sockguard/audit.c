/* Audit log: JSON Lines records, one write(2) each, to a file and more. */
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <grp.h>
#include <math.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "audit.h"
#include "identity.h"
#include "json.h"
#include "policy.h"
#include "sandbox.h"
#include "xmalloc.h"

/*
 * Room kept past the point where strings stop (ob.soft) for what the
 * record still has to write once they have: its keys, numbers, closing
 * brackets and a truncation marker per remaining string or container.
 * About 2 KiB at worst; the hard limit catches a mistake.
 */
#define AUDIT_RESERVE		4096
#define AUDIT_SUMMARY_DEPTH	8	/* deeper values become a marker */
#define AUDIT_MAX_SANS		64	/* certificate SANs written */
#define AUDIT_PW_BUF_MAX	(1024 * 1024)

/* A cached uid or gid and its name (NULL: none, or the lookup failed). */
struct audit_name {
	unsigned long	 id;
	char		*name;
};

/* The names cache of one kind: filled in order, then replaced in turn. */
struct audit_names {
	struct audit_name	 ent[AUDIT_NAMES_CACHE];
	size_t			 n;
	size_t			 next;
};

struct audit {
	char			*path;		/* NULL: no file */
	int			 fd;
	int			 use_syslog;
	int			 to_stderr;
	int			 resolve_names;
	int			 healthy;	/* last file write succeeded */
	int			 torn;		/* the file may end mid-line */
	char			*buf;		/* '\n' + one line */
	struct audit_names	 users;
	struct audit_names	 groups;
};

/* Open logs using syslog: the last to close calls closelog(). */
static int	audit_syslog_users;

/* An output buffer that strings fill up to soft and nothing past hard. */
struct ob {
	char	*p;
	size_t	 n;
	size_t	 soft;
	size_t	 hard;
	int	 over;		/* something did not fit: a bug */
};

static int	 audit_open_file(const char *, char *, size_t);
static int	 audit_file_write(struct audit *, const char *, size_t);
static void	 audit_fd_write(int, const char *, size_t);
static const char *audit_name(struct audit *, int, unsigned long);
static char	*audit_lookup(int, unsigned long);
static void	 audit_names_clear(struct audit_names *);
static size_t	 utf8_len(const unsigned char *, size_t, unsigned *);
static size_t	 esc_unit(const unsigned char *, size_t, char *, size_t *);
static void	 ob_raw(struct ob *, const char *, size_t);
static void	 ob_lit(struct ob *, const char *);
static void	 ob_key(struct ob *, const char *);
static void	 ob_str(struct ob *, const char *, size_t, size_t);
static void	 ob_cstr(struct ob *, const char *, size_t);
static void	 ob_fmt(struct ob *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static void	 ob_marker(struct ob *);
static void	 ob_count(struct ob *, unsigned long long);
static void	 ob_json(struct ob *, json_t *, int);
static void	 ob_time(struct ob *, const struct timespec *);
static void	 ob_identity(struct ob *, const struct identity *,
		    struct audit *);
static void	 sum_string(json_t *, const char *, const json_t *,
		    const char *);
static void	 sum_bool(json_t *, const char *, const json_t *,
		    const char *);
static void	 sum_strings(json_t *, const char *, const json_t *,
		    const char *);
static void	 sum_env(json_t *, const json_t *);
static void	 sum_mounts(json_t *, const char *, const json_t *,
		    const char *);
static void	 sum_devices(json_t *, const json_t *);
static void	 sum_security_opt(json_t *, const json_t *);
static void	 sum_labels(json_t *, const json_t *);
static void	 sum_set(json_t *, const char *, json_t *);

/* Opens the audit file the one way this module allows. */
static int
audit_open_file(const char *path, char *err, size_t errlen)
{
	struct stat	 st;
	int		 fd, flags, saved;

	/* O_NONBLOCK: a FIFO planted at the path must not hang start-up. */
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC |
	    O_NOFOLLOW | O_NOCTTY | O_NONBLOCK, 0640);
	if (fd == -1) {
		saved = errno;
		/* ENXIO: a FIFO without a reader, or a socket. */
		snprintf(err, errlen, "audit: open %s: %s%s", path,
		    saved == ELOOP ? "is a symbolic link" :
		    saved == ENXIO ? "not a regular file" : strerror(saved),
		    sandbox_hint(path, W_OK, saved));
		errno = saved;
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		saved = errno;
		snprintf(err, errlen, "audit: %s: %s", path, strerror(saved));
		close(fd);
		errno = saved;
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "audit: %s: not a regular file", path);
		close(fd);
		errno = EINVAL;
		return -1;
	}
	if ((flags = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) == -1) {
		saved = errno;
		snprintf(err, errlen, "audit: %s: fcntl: %s", path,
		    strerror(saved));
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

/* Opens the file (if any) and syslog; see audit.h. */
int
audit_open(const struct audit_conf *conf, struct audit **out, char *err,
    size_t errlen)
{
	struct audit	*a;
	int		 fd = -1;

	*out = NULL;
	if (conf->path != NULL &&
	    (fd = audit_open_file(conf->path, err, errlen)) == -1)
		return -1;
	a = xcalloc(1, sizeof(*a));
	a->fd = fd;
	a->path = conf->path != NULL ? xstrdup(conf->path) : NULL;
	a->use_syslog = conf->syslog != 0;
	a->to_stderr = conf->to_stderr != 0;
	a->resolve_names = conf->resolve_names != 0;
	a->healthy = 1;
	a->buf = xmalloc(AUDIT_LINE_MAX + 1);
	/* LOG_NDELAY: connect to /dev/log now, before any chroot. */
	if (a->use_syslog) {
		openlog("sockguard-audit", LOG_PID | LOG_NDELAY, LOG_AUTHPRIV);
		audit_syslog_users++;
	}
	*out = a;
	return 0;
}

/* Reopens the path for logrotate; the old file stays if that fails. */
int
audit_reopen(struct audit *a)
{
	char	err[256];
	int	fd;

	if (a == NULL || a->path == NULL)
		return 0;
	if ((fd = audit_open_file(a->path, err, sizeof(err))) == -1)
		return -1;
	close(a->fd);
	a->fd = fd;
	a->healthy = 1;
	a->torn = 0;
	/* Renamed users and groups show up after the next rotation. */
	audit_names_clear(&a->users);
	audit_names_clear(&a->groups);
	return 0;
}

/* Closes every sink and frees the cache. */
void
audit_close(struct audit *a)
{
	if (a == NULL)
		return;
	if (a->fd != -1)
		close(a->fd);
	/* openlog() is per process: a reload may overlap two logs. */
	if (a->use_syslog && --audit_syslog_users == 0)
		closelog();
	audit_names_clear(&a->users);
	audit_names_clear(&a->groups);
	free(a->buf);
	free(a->path);
	free(a);
}

/* Tells whether the last file write (or reopen) succeeded. */
int
audit_healthy(const struct audit *a)
{
	return a == NULL || a->fd == -1 || a->healthy;
}

/* Formats once, then writes the line to each sink; only the file counts. */
int
audit_write(struct audit *a, const struct audit_rec *r)
{
	char	*line;
	size_t	 n;
	int	 rv = 0, saved = errno;

	if (a == NULL)
		return 0;
	line = a->buf + 1;
	if ((n = audit_format(r, line, AUDIT_LINE_MAX, a)) == 0) {
		errno = EMSGSIZE;	/* a formatter bug: fail closed */
		return -1;
	}
	if (a->fd != -1) {
		/* After a failed cut-back, start on a line of our own. */
		a->buf[0] = '\n';
		rv = a->torn ? audit_file_write(a, a->buf, n + 1) :
		    audit_file_write(a, line, n);
		saved = errno;
	}
	if (a->use_syslog)
		syslog(LOG_AUTHPRIV | LOG_INFO, "%.*s", (int)(n - 1), line);
	if (a->to_stderr)
		audit_fd_write(STDERR_FILENO, line, n);
	errno = saved;			/* the file's, for the caller */
	return rv;
}

/*
 * Appends p[0..len) with one write(2).  A short write is cut back to
 * where it began, so the file never ends in a torn line.  With O_APPEND
 * the kernel placed our bytes at the end and left the offset after them,
 * so the start is offset - written (no fstat(2) on the way: a record
 * costs one write(2) when it succeeds).  Race: a writer that
 * appended between our short write and the ftruncate() loses its line
 * too; that takes two processes sharing a file that just ran out of
 * room, and their line was written whole or not at all, never torn.
 */
static int
audit_file_write(struct audit *a, const char *p, size_t len)
{
	off_t		 end, start;
	ssize_t		 w;

	do
		w = write(a->fd, p, len);
	while (w == -1 && errno == EINTR);
	if (w >= 0 && (size_t)w == len) {
		a->healthy = 1;
		a->torn = 0;
		return 0;
	}
	a->healthy = 0;
	if (w == -1)
		return -1;
	end = lseek(a->fd, 0, SEEK_CUR);
	start = end != -1 && end >= (off_t)w ? end - (off_t)w : -1;
	if (start < 0 || ftruncate(a->fd, start) == -1)
		a->torn = 1;
	/* The kernel tells why only on the next write; disk full is usual. */
	errno = ENOSPC;
	return -1;
}

/* Best-effort single write(2) to a non-file sink. */
static void
audit_fd_write(int fd, const char *p, size_t len)
{
	ssize_t	w;

	do
		w = write(fd, p, len);
	while (w == -1 && errno == EINTR);
}

/* The cached name of uid (group 0) or gid (group 1), or NULL. */
static const char *
audit_name(struct audit *a, int group, unsigned long id)
{
	struct audit_names	*c = group ? &a->groups : &a->users;
	struct audit_name	*e;
	size_t			 i;

	for (i = 0; i < c->n; i++)
		if (c->ent[i].id == id)
			return c->ent[i].name;
	if (c->n < AUDIT_NAMES_CACHE)
		e = &c->ent[c->n++];
	else {
		e = &c->ent[c->next];
		c->next = (c->next + 1) % AUDIT_NAMES_CACHE;
		free(e->name);
	}
	e->id = id;
	/* Failures are cached too: a dead directory is asked once. */
	e->name = audit_lookup(group, id);
	return e->name;
}

/* Asks NSS for the name of a uid or gid; NULL if none. */
static char *
audit_lookup(int group, unsigned long id)
{
	struct passwd	 pw, *pwp = NULL;
	struct group	 gr, *grp = NULL;
	char		*buf, *name = NULL;
	size_t		 size = 1024;
	int		 r;

	for (;;) {
		buf = xmalloc(size);
		if (group)
			r = getgrgid_r((gid_t)id, &gr, buf, size, &grp);
		else
			r = getpwuid_r((uid_t)id, &pw, buf, size, &pwp);
		if (r != ERANGE || size >= AUDIT_PW_BUF_MAX)
			break;
		free(buf);
		size *= 2;
	}
	if (r == 0 && group && grp != NULL && grp->gr_name != NULL)
		name = xstrdup(grp->gr_name);
	else if (r == 0 && !group && pwp != NULL && pwp->pw_name != NULL)
		name = xstrdup(pwp->pw_name);
	free(buf);
	return name;
}

/* Forgets every cached name. */
static void
audit_names_clear(struct audit_names *c)
{
	size_t	i;

	for (i = 0; i < c->n; i++)
		free(c->ent[i].name);
	c->n = c->next = 0;
}

/*
 * Length of the valid UTF-8 sequence at s[0..n) (RFC 3629: no overlong
 * forms, no surrogates, nothing above U+10FFFF) and its code point in
 * *cp; 0 if s does not begin one.  s[0] must be 0x80 or more.
 */
static size_t
utf8_len(const unsigned char *s, size_t n, unsigned *cp)
{
	unsigned	c = s[0], lo = 0x80, hi = 0xbf;
	size_t		k, i;

	if (c >= 0xc2 && c <= 0xdf) {
		k = 2;
		c &= 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		k = 3;
		if (c == 0xe0)
			lo = 0xa0;	/* overlong */
		else if (c == 0xed)
			hi = 0x9f;	/* surrogates */
		c &= 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		k = 4;
		if (c == 0xf0)
			lo = 0x90;	/* overlong */
		else if (c == 0xf4)
			hi = 0x8f;	/* above U+10FFFF */
		c &= 0x07;
	} else
		return 0;
	if (n < k)
		return 0;
	for (i = 1; i < k; i++) {
		if (s[i] < lo || s[i] > hi)
			return 0;
		lo = 0x80;
		hi = 0xbf;
		c = (c << 6) | (s[i] & 0x3f);
	}
	*cp = c;
	return k;
}

/*
 * Escapes the character at s[0..n) into out (6 bytes at most, length in
 * *olen); returns the input bytes it stands for.
 */
static size_t
esc_unit(const unsigned char *s, size_t n, char *out, size_t *olen)
{
	static const char	 hex[] = "0123456789abcdef";
	unsigned		 cp = s[0];
	size_t			 k = 1;

	if (cp == '"' || cp == '\\') {
		out[0] = '\\';
		out[1] = (char)cp;
		*olen = 2;
		return 1;
	}
	if (cp >= 0x20 && cp < 0x7f) {
		out[0] = (char)cp;
		*olen = 1;
		return 1;
	}
	if (cp >= 0x80 && (k = utf8_len(s, n, &cp)) == 0) {
		/* NOLINTNEXTLINE(bugprone-not-null-terminated-result) */
		memcpy(out, "\\ufffd", 6);	/* a piece, not a string */
		*olen = 6;
		return 1;
	}
	if (cp < 0xa0 || cp == 0x2028 || cp == 0x2029) {
		/* C0, DEL, C1 and the two Unicode line breaks. */
		out[0] = '\\';
		out[1] = 'u';
		out[2] = hex[(cp >> 12) & 0xf];
		out[3] = hex[(cp >> 8) & 0xf];
		out[4] = hex[(cp >> 4) & 0xf];
		out[5] = hex[cp & 0xf];
		*olen = 6;
		return k;
	}
	memcpy(out, s, k);
	*olen = k;
	return k;
}

/* Appends bytes unless they would pass the hard limit. */
static void
ob_raw(struct ob *o, const char *s, size_t len)
{
	if (o->over || len > o->hard - o->n) {
		o->over = 1;
		return;
	}
	memcpy(o->p + o->n, s, len);
	o->n += len;
}

/* Appends a C string literal. */
static void
ob_lit(struct ob *o, const char *s)
{
	ob_raw(o, s, strlen(s));
}

/* Starts a member "name": (a comma first unless it opens an object). */
static void
ob_key(struct ob *o, const char *name)
{
	if (o->n > 0 && o->p[o->n - 1] != '{')
		ob_raw(o, ",", 1);
	ob_raw(o, "\"", 1);
	ob_lit(o, name);
	ob_raw(o, "\":", 2);
}

/*
 * Appends s[0..len) as a JSON string, keeping at most cap input bytes
 * and stopping at the soft limit; a cut string ends with the marker.
 */
static void
ob_str(struct ob *o, const char *s, size_t len, size_t cap)
{
	const unsigned char	*u = (const unsigned char *)s;
	char			 e[6];
	size_t			 i, k, elen;
	int			 cut = 0;

	ob_raw(o, "\"", 1);
	for (i = 0; i < len; i += k) {
		k = esc_unit(u + i, len - i, e, &elen);
		if (k > cap - i || o->n >= o->soft ||
		    elen > o->soft - o->n) {
			cut = 1;
			break;
		}
		ob_raw(o, e, elen);
	}
	if (cut)
		ob_lit(o, AUDIT_TRUNCATED);
	ob_raw(o, "\"", 1);
}

/* A NUL-terminated string; NULL is "". */
static void
ob_cstr(struct ob *o, const char *s, size_t cap)
{
	if (s == NULL)
		s = "";
	ob_str(o, s, strlen(s), cap);
}

/* Appends a short formatted token (numbers). */
static void
ob_fmt(struct ob *o, const char *fmt, ...)
{
	char	tmp[64];
	va_list	ap;
	int	w;

	va_start(ap, fmt);
	w = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (w < 0 || (size_t)w >= sizeof(tmp)) {
		o->over = 1;
		return;
	}
	ob_raw(o, tmp, (size_t)w);
}

/* A counter, at most INT64_MAX so that int64 readers (jansson, Go) cope. */
static void
ob_count(struct ob *o, unsigned long long v)
{
	ob_fmt(o, "%llu", v > INT64_MAX ? (unsigned long long)INT64_MAX : v);
}

/* The marker as a JSON string. */
static void
ob_marker(struct ob *o)
{
	ob_lit(o, "\"" AUDIT_TRUNCATED "\"");
}

/*
 * Appends a caller's JSON value (the summary) with the same string rules;
 * past the soft limit or AUDIT_SUMMARY_DEPTH, what is left becomes a
 * marker.
 */
static void
ob_json(struct ob *o, json_t *v, int depth)
{
	const char	*k;
	json_t		*e;
	size_t		 i, klen;
	double		 d;

	switch (json_typeof(v)) {
	case JSON_OBJECT:
		if (depth >= AUDIT_SUMMARY_DEPTH || o->n >= o->soft) {
			ob_marker(o);
			break;
		}
		ob_raw(o, "{", 1);
		json_object_keylen_foreach(v, k, klen, e) {
			if (o->n > 1 && o->p[o->n - 1] != '{')
				ob_raw(o, ",", 1);
			if (o->n >= o->soft) {
				ob_marker(o);
				ob_lit(o, ":true");
				break;
			}
			ob_str(o, k, klen, AUDIT_CAP_OTHER);
			ob_raw(o, ":", 1);
			ob_json(o, e, depth + 1);
		}
		ob_raw(o, "}", 1);
		break;
	case JSON_ARRAY:
		if (depth >= AUDIT_SUMMARY_DEPTH || o->n >= o->soft) {
			ob_marker(o);
			break;
		}
		ob_raw(o, "[", 1);
		json_array_foreach(v, i, e) {
			if (i > 0)
				ob_raw(o, ",", 1);
			if (o->n >= o->soft) {
				ob_marker(o);
				break;
			}
			ob_json(o, e, depth + 1);
		}
		ob_raw(o, "]", 1);
		break;
	case JSON_STRING:
		ob_str(o, json_string_value(v), json_string_length(v),
		    AUDIT_CAP_OTHER);
		break;
	case JSON_INTEGER:
		ob_fmt(o, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		break;
	case JSON_REAL:
		d = json_real_value(v);
		if (isfinite(d))
			ob_fmt(o, "%.17g", d);
		else
			ob_lit(o, "null");
		break;
	case JSON_TRUE:
		ob_lit(o, "true");
		break;
	case JSON_FALSE:
		ob_lit(o, "false");
		break;
	default:
		ob_lit(o, "null");
		break;
	}
}

/* RFC 3339 UTC with milliseconds, as a JSON string. */
static void
ob_time(struct ob *o, const struct timespec *when)
{
	struct timespec	 now;
	struct tm	 tm;
	long		 ms;

	if (when == NULL) {
		clock_gettime(CLOCK_REALTIME, &now);
		when = &now;
	}
	ms = when->tv_nsec >= 0 && when->tv_nsec < 1000000000L ?
	    when->tv_nsec / 1000000L : 0;
	if (gmtime_r(&when->tv_sec, &tm) == NULL ||
	    tm.tm_year < -1900 || tm.tm_year > 9999 - 1900) {
		ob_lit(o, "\"1970-01-01T00:00:00.000Z\"");
		return;
	}
	ob_fmt(o, "\"%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ\"",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, ms);
}

/* A string member, left out when value is NULL. */
static void
ob_opt_member(struct ob *o, const char *key, const char *value)
{
	if (value == NULL)
		return;
	ob_key(o, key);
	ob_cstr(o, value, AUDIT_CAP_OTHER);
}

/* The identity object (null without one). */
static void
ob_identity(struct ob *o, const struct identity *id, struct audit *names)
{
	size_t		 i;

	if (id == NULL) {
		ob_lit(o, "null");
		return;
	}
	ob_raw(o, "{", 1);
	if (id->is_unix) {
		ob_key(o, "uid");
		ob_fmt(o, "%lu", (unsigned long)id->uid);
		ob_key(o, "gid");
		ob_fmt(o, "%lu", (unsigned long)id->gid);
		ob_key(o, "pid");
		ob_fmt(o, "%ld", (long)id->pid);
		if (names != NULL && names->resolve_names) {
			ob_opt_member(o, "user", audit_name(names, 0, id->uid));
			ob_opt_member(o, "group", audit_name(names, 1, id->gid));
		}
	} else {
		ob_opt_member(o, "remote", id->remote);
		ob_opt_member(o, "subject", id->cert_subject);
		ob_opt_member(o, "cn", id->cert_cn);
		ob_opt_member(o, "issuer", id->cert_issuer);
		ob_opt_member(o, "serial", id->cert_serial);
		ob_opt_member(o, "fingerprint", id->cert_fingerprint);
		if (id->cert_sans != NULL) {
			ob_key(o, "sans");
			ob_raw(o, "[", 1);
			for (i = 0; i < id->cert_nsans; i++) {
				if (i > 0)
					ob_raw(o, ",", 1);
				if (i == AUDIT_MAX_SANS || o->n >= o->soft) {
					ob_marker(o);
					break;
				}
				ob_cstr(o, id->cert_sans[i], AUDIT_CAP_OTHER);
			}
			ob_raw(o, "]", 1);
		}
	}
	ob_raw(o, "}", 1);
}

/* The decision member's value for a policy decision. */
const char *
audit_decision(const struct decision *d)
{
	if (d->audit_only)
		return "audit-deny";
	return d->allow ? "allow" : "deny";
}

/* Builds one record line in documented field order; see audit.h. */
size_t
audit_format(const struct audit_rec *r, char *buf, size_t len,
    struct audit *names)
{
	struct ob	 o;
	const char	*listener = r->listener;
	double		 ms = r->duration_ms;

	if (len < AUDIT_MIN_BUF)
		return 0;
	if (len > AUDIT_LINE_MAX)
		len = AUDIT_LINE_MAX;
	o.p = buf;
	o.n = 0;
	o.hard = len - 2;		/* the newline and the NUL */
	o.soft = o.hard - AUDIT_RESERVE;
	o.over = 0;
	if (listener == NULL && r->ident != NULL)
		listener = r->ident->listener;

	ob_raw(&o, "{", 1);
	ob_key(&o, "time");
	ob_time(&o, r->when);
	ob_key(&o, "stage");
	ob_cstr(&o, r->stage, AUDIT_CAP_OTHER);
	ob_key(&o, "id");
	ob_cstr(&o, r->id, AUDIT_CAP_OTHER);
	ob_key(&o, "conn");
	ob_count(&o, r->conn);
	ob_key(&o, "listener");
	ob_cstr(&o, listener, AUDIT_CAP_OTHER);
	ob_key(&o, "identity");
	ob_identity(&o, r->ident, names);
	ob_key(&o, "profile");
	ob_cstr(&o, r->profile, AUDIT_CAP_OTHER);
	ob_key(&o, "method");
	ob_cstr(&o, r->method, AUDIT_CAP_OTHER);
	ob_key(&o, "path");
	if (r->path != NULL)
		ob_str(&o, r->path, r->path_len != 0 ? r->path_len :
		    strlen(r->path), AUDIT_CAP_PATH);
	else
		ob_cstr(&o, NULL, 0);
	ob_key(&o, "api_version");
	ob_cstr(&o, r->api_version, AUDIT_CAP_OTHER);
	ob_key(&o, "decision");
	ob_cstr(&o, r->decision, AUDIT_CAP_OTHER);
	ob_key(&o, "rule");
	ob_cstr(&o, r->rule, AUDIT_CAP_OTHER);
	ob_key(&o, "reason");
	ob_cstr(&o, r->reason, AUDIT_CAP_REASON);
	if (r->field != NULL && r->field[0] != '\0') {
		ob_key(&o, "field");
		ob_cstr(&o, r->field, AUDIT_CAP_OTHER);
	}
	if (r->value != NULL && r->value[0] != '\0') {
		ob_key(&o, "value");
		ob_cstr(&o, r->value, AUDIT_CAP_VALUE);
	}
	if (r->stage != NULL && strcmp(r->stage, "complete") == 0) {
		ob_key(&o, "status");
		ob_fmt(&o, "%d", r->status);
		ob_key(&o, "bytes_in");
		ob_count(&o, r->bytes_in);
		ob_key(&o, "bytes_out");
		ob_count(&o, r->bytes_out);
		if (!(ms >= 0))		/* negative or NaN */
			ms = 0;
		if (ms > 1e12)
			ms = 1e12;
		ob_key(&o, "duration_ms");
		ob_fmt(&o, "%.3f", ms);
	}
	if (r->summary != NULL) {
		ob_key(&o, "summary");
		ob_json(&o, r->summary, 0);
	}
	ob_raw(&o, "}", 1);
	if (o.over)
		return 0;
	buf[o.n++] = '\n';
	buf[o.n] = '\0';
	return o.n;
}

static int	audit_id_ready;

/* In a forked child: draw a new prefix before the next id. */
static void
audit_id_forked(void)
{
	audit_id_ready = 0;
}

/*
 * Random per-process prefix, then a counter: 16 hex digits.  A fork is
 * noticed through pthread_atfork(), not a getpid(2) per request.
 */
void
audit_new_id(char out[17])
{
	static const char hex[] = "0123456789abcdef";
	static uint32_t	 prefix, counter;
	static int	 registered;
	struct timespec	 ts;
	uint64_t	 v;
	int		 i;

	if (!registered) {
		pthread_atfork(NULL, NULL, audit_id_forked);
		registered = 1;
	}
	if (!audit_id_ready || counter == UINT32_MAX) {
		if (getrandom(&prefix, sizeof(prefix), GRND_NONBLOCK) !=
		    (ssize_t)sizeof(prefix)) {
			/* Early boot: unique enough per process. */
			clock_gettime(CLOCK_REALTIME, &ts);
			prefix = (uint32_t)ts.tv_nsec ^
			    ((uint32_t)ts.tv_sec << 11) ^
			    ((uint32_t)getpid() * 2654435761u);
		}
		counter = 0;
		audit_id_ready = 1;
	}
	counter++;
	v = ((uint64_t)prefix << 32) | counter;
	for (i = 15; i >= 0; i--, v >>= 4)
		out[i] = hex[v & 15];
	out[16] = '\0';
}

/* Sets dst[key] to v (a new reference) unless v is NULL. */
static void
sum_set(json_t *dst, const char *key, json_t *v)
{
	if (v != NULL)
		json_object_set_new(dst, key, v);
}

/* Copies a non-empty string field. */
static void
sum_string(json_t *dst, const char *key, const json_t *src,
    const char *field)
{
	json_t	*v = json_field(src, field);

	if (json_is_string(v) && json_string_length(v) > 0)
		sum_set(dst, key, json_copy(v));
}

/* Copies a true boolean field. */
static void
sum_bool(json_t *dst, const char *key, const json_t *src, const char *field)
{
	if (json_is_true(json_field(src, field)))
		sum_set(dst, key, json_true());
}

/* Copies the strings of a non-empty array of strings. */
static void
sum_strings(json_t *dst, const char *key, const json_t *src,
    const char *field)
{
	json_t	*v = json_field(src, field), *a, *e;
	size_t	 i;

	if (!json_is_array(v) || json_array_size(v) == 0)
		return;
	a = json_array();
	json_array_foreach(v, i, e)
		if (json_is_string(e))
			json_array_append_new(a, json_copy(e));
	sum_set(dst, key, a);
}

/* Env as names only: "KEY=<redacted>", or "KEY" for a bare name. */
static void
sum_env(json_t *dst, const json_t *src)
{
	json_t		*v = json_field(src, "Env"), *a, *e;
	const char	*s, *eq;
	char		*r;
	size_t		 i;

	if (!json_is_array(v) || json_array_size(v) == 0)
		return;
	a = json_array();
	json_array_foreach(v, i, e) {
		if (!json_is_string(e))
			continue;
		s = json_string_value(e);
		if ((eq = memchr(s, '=', json_string_length(e))) == NULL) {
			json_array_append_new(a, json_copy(e));
			continue;
		}
		if (xasprintf(&r, "%.*s=<redacted>", (int)(eq - s), s) == -1)
			continue;
		json_array_append_new(a, json_string(r));
		free(r);
	}
	sum_set(dst, "Env", a);
}

/* Mounts as Type, Source and Target (never driver options). */
static void
sum_mounts(json_t *dst, const char *key, const json_t *src,
    const char *field)
{
	json_t	*v = json_field(src, field), *a, *e, *m;
	size_t	 i;

	if (!json_is_array(v) || json_array_size(v) == 0)
		return;
	a = json_array();
	json_array_foreach(v, i, e) {
		if (!json_is_object(e))
			continue;
		m = json_object();
		sum_string(m, "Type", e, "Type");
		sum_string(m, "Source", e, "Source");
		sum_string(m, "Target", e, "Target");
		json_array_append_new(a, m);
	}
	sum_set(dst, key, a);
}

/* Devices as their host paths. */
static void
sum_devices(json_t *dst, const json_t *src)
{
	json_t	*v = json_field(src, "Devices"), *a, *e, *p;
	size_t	 i;

	if (!json_is_array(v) || json_array_size(v) == 0)
		return;
	a = json_array();
	json_array_foreach(v, i, e) {
		p = json_field(e, "PathOnHost");
		if (json_is_string(p))
			json_array_append_new(a, json_copy(p));
	}
	sum_set(dst, "Devices", a);
}

/*
 * SecurityOpt, with an inline seccomp profile shown as "seccomp=<profile>".
 * dockerd splits each option at '=' (or the old ':') and takes any
 * seccomp value but "unconfined" and "builtin" as a JSON profile.
 */
static void
sum_security_opt(json_t *dst, const json_t *src)
{
	json_t		*v = json_field(src, "SecurityOpt"), *a, *e;
	const char	*s;
	size_t		 i, len;

	if (!json_is_array(v) || json_array_size(v) == 0)
		return;
	a = json_array();
	json_array_foreach(v, i, e) {
		if (!json_is_string(e))
			continue;
		s = json_string_value(e);
		len = json_string_length(e);	/* NULs included */
		if (len >= 8 && memcmp(s, "seccomp", 7) == 0 &&
		    (s[7] == '=' || s[7] == ':')) {
			if (!(len == 18 && memcmp(s + 8, "unconfined", 10) == 0) &&
			    !(len == 15 && memcmp(s + 8, "builtin", 7) == 0)) {
				json_array_append_new(a,
				    json_string("seccomp=<profile>"));
				continue;
			}
		}
		json_array_append_new(a, json_copy(e));
	}
	sum_set(dst, "SecurityOpt", a);
}

/* Labels, kept whole (string values only). */
static void
sum_labels(json_t *dst, const json_t *src)
{
	json_t		*v = json_field(src, "Labels"), *o, *e;
	const char	*k;
	size_t		 klen;

	if (!json_is_object(v) || json_object_size(v) == 0)
		return;
	o = json_object();
	json_object_keylen_foreach(v, k, klen, e)
		if (json_is_string(e))
			json_object_setn_new(o, k, klen, json_copy(e));
	sum_set(dst, "Labels", o);
}

/* The secret-free summary of a create body; see audit.h. */
json_t *
audit_summary(const char *route_kind, json_t *body, const char *name)
{
	json_t	*s, *hc, *hs, *cs, *tt;

	if (route_kind == NULL || !json_is_object(body))
		return NULL;
	s = json_object();
	if (strcmp(route_kind, "container") == 0) {
		sum_string(s, "Image", body, "Image");
		if (name != NULL && name[0] != '\0')
			sum_set(s, "name", json_string_nocheck(name));
		sum_string(s, "User", body, "User");
		sum_env(s, body);
		sum_labels(s, body);
		hc = json_field(body, "HostConfig");
		hs = json_object();
		sum_bool(hs, "Privileged", hc, "Privileged");
		sum_strings(hs, "CapAdd", hc, "CapAdd");
		sum_strings(hs, "Binds", hc, "Binds");
		sum_mounts(hs, "Mounts", hc, "Mounts");
		sum_string(hs, "NetworkMode", hc, "NetworkMode");
		sum_string(hs, "PidMode", hc, "PidMode");
		sum_string(hs, "IpcMode", hc, "IpcMode");
		sum_string(hs, "UTSMode", hc, "UTSMode");
		sum_string(hs, "UsernsMode", hc, "UsernsMode");
		sum_string(hs, "CgroupnsMode", hc, "CgroupnsMode");
		sum_devices(hs, hc);
		sum_security_opt(hs, hc);
		sum_string(hs, "Runtime", hc, "Runtime");
		sum_strings(hs, "VolumesFrom", hc, "VolumesFrom");
		if (json_object_size(hs) > 0)
			json_object_set_new(s, "HostConfig", hs);
		else
			json_decref(hs);
	} else if (strcmp(route_kind, "exec") == 0) {
		/* Not Cmd: command lines carry passwords. */
		if (name != NULL && name[0] != '\0')
			sum_set(s, "container", json_string_nocheck(name));
		sum_bool(s, "Privileged", body, "Privileged");
		sum_string(s, "User", body, "User");
		sum_bool(s, "Tty", body, "Tty");
		sum_env(s, body);
	} else if (strcmp(route_kind, "service") == 0) {
		if (name != NULL && name[0] != '\0')
			sum_set(s, "service", json_string_nocheck(name));
		sum_string(s, "Name", body, "Name");
		tt = json_field(body, "TaskTemplate");
		cs = json_object();
		hc = json_field(tt, "ContainerSpec");
		sum_string(cs, "Image", hc, "Image");
		sum_string(cs, "User", hc, "User");
		sum_env(cs, hc);
		sum_mounts(cs, "Mounts", hc, "Mounts");
		sum_strings(cs, "CapabilityAdd", hc, "CapabilityAdd");
		if (json_object_size(cs) > 0)
			json_object_set_new(s, "ContainerSpec", cs);
		else
			json_decref(cs);
	} else {
		json_decref(s);
		return NULL;
	}
	return s;
}
