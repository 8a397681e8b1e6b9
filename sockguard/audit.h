/*
 * Audit log: one JSON object per line (JSON Lines) for every request,
 * written when it is decided and again when it completes.
 *
 * Sinks: a file (audit.path), and optionally syslog(3) (LOG_AUTHPRIV |
 * LOG_INFO, ident "sockguard-audit") and stderr.  Only the file counts:
 * audit_write() fails when the file write fails, so that the proxy can
 * apply audit.on_failure; syslog and stderr are best effort.
 *
 * The file is opened O_WRONLY|O_APPEND|O_CREAT|O_CLOEXEC|O_NOFOLLOW with
 * mode 0640 (less the umask; an existing file keeps its mode) and must
 * be a regular file.  Each line goes out with a single write(2): readers
 * (tail -F) never see half a line, and writers appending to the same
 * file on a local file system never interleave (not so on NFS).  A short
 * write (disk full, file size limit) is cut back with ftruncate(2), so
 * the file never ends in a torn line.  The daemon must ignore SIGXFSZ,
 * or a file size limit (RLIMIT_FSIZE) kills it instead of failing the
 * write with EFBIG.
 *
 * Record fields, in this order (see audit_format()):
 *   time         "2026-11-23T07:43:23.123Z" (RFC 3339, UTC, milliseconds)
 *   stage        "decision" (before forwarding or answering a denial)
 *                or "complete" (response, stream or download ended),
 *                or "connect" (a TLS client refused in its handshake:
 *                identity {remote} only, rule "tls", the reason)
 *   id           request id (audit_new_id())
 *   conn         connection number
 *   listener     listener name or path
 *   identity     unix: {uid, gid, pid[, user][, group]};
 *                TLS: {remote, subject, cn, issuer, serial, fingerprint,
 *                sans: [...]}
 *                (members left out when NULL); null without identity
 *   profile, method, path (raw target with query), api_version,
 *   decision     "allow", "deny", "audit-deny" or "error"
 *   rule, reason
 *   field, value only when set (non-empty)
 *   status, bytes_in, bytes_out, duration_ms   complete stage only
 *                (counters stop at INT64_MAX, durations at 1e12 ms)
 *   summary      when given (audit_summary())
 * String fields passed as NULL are written as "".
 *
 * Escaping: '"' and '\' are escaped, bytes below 0x20 and DEL as
 * \u00XX, and so are the C1 controls U+0080..U+009F, U+2028 and U+2029
 * (terminals and JavaScript readers treat them as controls or line
 * ends): a line holds no raw control byte but its final newline.  Each
 * byte that does not begin a valid UTF-8 sequence (overlong forms,
 * surrogates, code points above U+10FFFF, truncated sequences, stray
 * continuation bytes) becomes \ufffd, as Go's encoding/json does; valid
 * multi-byte characters are kept as they are.
 *
 * Truncation: a string keeps at most AUDIT_CAP_PATH input bytes of the
 * path, AUDIT_CAP_REASON of the reason, AUDIT_CAP_VALUE of the value and
 * AUDIT_CAP_OTHER of any other string (summary strings and keys
 * included), never cutting a character in two; a cut string ends with
 * AUDIT_TRUNCATED.  A whole line (newline included) is always shorter
 * than AUDIT_LINE_MAX: should the escaped fields not fit (only strings
 * dense with escapes can get there), later strings are cut harder,
 * marked the same way, and a summary too large for what is left loses
 * its tail members, with an element "…(truncated)" in arrays or a member
 * "…(truncated)": true in objects; summary values nested more than
 * eight deep become "…(truncated)" too.  Every record keeps its fields.
 *
 * Secrets: X-Registry-Auth headers and the bodies of /auth (and of any
 * request carrying credentials, such as swarm join or plugin set) must
 * never be passed to this module.  Request bodies reach the log only
 * through audit_summary(), which keeps no environment value, no command,
 * no mount driver option and no inline seccomp profile.
 *
 * Not thread-safe: one struct audit belongs to the event loop, and
 * audit_reopen() runs from a libevent signal event, never from a signal
 * handler.
 */
#ifndef SG_AUDIT_H
#define SG_AUDIT_H

#include <stddef.h>
#include <time.h>

#include <jansson.h>

#include "identity.h"

#define AUDIT_LINE_MAX		65536	/* every line is shorter */
#define AUDIT_CAP_PATH		4096	/* input bytes kept per string */
#define AUDIT_CAP_REASON	1024
#define AUDIT_CAP_VALUE		512
#define AUDIT_CAP_OTHER		256
#define AUDIT_TRUNCATED		"\xe2\x80\xa6(truncated)"	/* "…(truncated)" */
#define AUDIT_NAMES_CACHE	64	/* cached user and group names, each */

struct audit;

struct audit_conf {
	const char	*path;		/* NULL: syslog and/or stderr only */
	int		 syslog;
	int		 to_stderr;
	/*
	 * Add "user" and "group" names to unix identities.  The lookups go
	 * through NSS (getpwuid_r, getgrgid_r) and are cached, but a miss
	 * against LDAP or another network source blocks the event loop:
	 * turn this off where NSS is not local files.
	 */
	int		 resolve_names;
};

/*
 * Opens the sinks.  Returns 0 and *out (to release with audit_close()),
 * or -1 with errno set and a reason, "audit: open PATH: ...", in err.
 */
int	audit_open(const struct audit_conf *, struct audit **out, char *err,
	    size_t errlen);
/*
 * Opens the path again (SIGUSR1, after logrotate moved the file), swaps
 * the descriptors and closes the old one; also forgets cached user and
 * group names.  If the new open fails the old file stays in use and -1
 * is returned with errno set.  Without a path, does nothing.
 */
int	audit_reopen(struct audit *);
void	audit_close(struct audit *);		/* NULL is fine */
/*
 * 1 if the file is writable as far as sockguard knows: no file, or the
 * last write to it succeeded (or the file was reopened since it failed);
 * 0 if the proxy should report that the audit log is not writable.
 */
int	audit_healthy(const struct audit *);

/* One record.  Everything is borrowed for the duration of the call. */
struct audit_rec {
	const struct timespec	*when;	/* NULL: now */
	const char		*stage;	/* "decision" or "complete" */
	const char		*id;
	unsigned long long	 conn;
	const char		*listener;	/* NULL: ident->listener */
	const struct identity	*ident;		/* NULL: "identity": null */
	const char		*profile;
	const char		*method;
	const char		*path;		/* raw target, with query */
	size_t			 path_len;	/* 0: strlen(path) */
	const char		*api_version;
	const char		*decision;
	const char		*rule, *reason;	/* NULL or "" */
	const char		*field, *value;	/* NULL or "": left out */
	json_t			*summary;	/* may be NULL */
	/* Written for stage "complete" only. */
	int			 status;
	unsigned long long	 bytes_in, bytes_out;
	double			 duration_ms;
};

/*
 * Writes the record to every sink.  Returns 0 if the file write
 * succeeded (or there is no file, or a is NULL); -1 with errno set if it
 * failed (a short write is cut back and reported as ENOSPC).
 */
int	audit_write(struct audit *a, const struct audit_rec *);

/*
 * Formats the record as one line, newline included, NUL-terminated, in
 * buf[0..len); returns its length (newline included, NUL not), or 0 if
 * len is under AUDIT_MIN_BUF.  A len of AUDIT_LINE_MAX always holds the
 * whole record; a smaller one cuts strings harder.  names: whose cache
 * resolves user and group names (when its resolve_names is set); NULL
 * writes no names.
 */
#define AUDIT_MIN_BUF		8192
size_t	audit_format(const struct audit_rec *, char *buf, size_t len,
	    struct audit *names);

/*
 * The decision member for a policy decision: "audit-deny" (denied, but
 * the profile audits), "allow" or "deny".  "error" (sockguard or dockerd
 * failed) is the caller's to choose.
 */
struct decision;
const char *audit_decision(const struct decision *);

/*
 * A new request id: 16 lower-case hex digits, a random per-process
 * prefix (drawn again after fork and when the counter wraps) and a
 * counter.  Unique within a process, unlikely to repeat across them.
 */
void	audit_new_id(char out[17]);

/*
 * What a create request asks of dockerd, minus its secrets, for the
 * record's summary.  route_kind: "container" (POST /containers/create),
 * "exec" (POST /containers/{id}/exec) or "service" (services create and
 * update); name, written as "name", "container" or "service" by kind:
 * the ?name= of a create, the container of an exec, the service being
 * updated; may be NULL, need not be valid UTF-8 (audit_format() escapes
 * it).  Fields are found with json_field(), as dockerd finds
 * them; those absent, null or at their zero value (false, "", []) are
 * left out.  Environment variables keep their names only
 * ("KEY=<redacted>"); mounts keep Type, Source and Target; devices
 * their PathOnHost; an inline seccomp profile becomes "seccomp=<profile>";
 * commands are left out.  Returns a new reference, or NULL if body is
 * not an object or the kind is unknown.
 */
json_t	*audit_summary(const char *route_kind, json_t *body,
	    const char *name);

#endif
