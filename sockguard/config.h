/*
 * Configuration: the YAML file is read once into these plain structs;
 * runtime code never parses configuration.  See man/sockguard.yaml.5.
 */
#ifndef SG_CONFIG_H
#define SG_CONFIG_H

#include <sys/types.h>
#include <sys/socket.h>
#include <stddef.h>
#include <stdint.h>

enum listen_kind { LISTEN_UNIX, LISTEN_TCP };

/* Mutual TLS of a tcp: listener; paths made absolute by the loader. */
struct tls_conf {
	char		*cert;		/* server certificate (chain), PEM */
	char		*key;		/* its private key, PEM */
	char		*client_ca;	/* CA bundle clients must chain to */
	char		*crl;		/* optional revocation list */
};

struct listen_conf {
	char		*name;		/* optional, for rules and audit */
	enum listen_kind kind;
	char		*path;		/* LISTEN_UNIX: socket path */
	mode_t		 mode;		/* default 0600 */
	int		 has_owner;
	uid_t		 owner;
	int		 has_group;
	gid_t		 group;
	char		*addr;		/* LISTEN_TCP: "host:port" as written */
	struct sockaddr_storage sa;	/* LISTEN_TCP: parsed address */
	socklen_t	 salen;
	struct tls_conf	 tls;		/* LISTEN_TCP: always set */
	/*
	 * reap_on_exit: the owner value to reap on a graceful stop, already
	 * expanded and checked (NULL: none), where the key is (for messages)
	 * and its label, which the rules decide: reap_exit_prepare() (reap.h)
	 * sets it once the rules are loaded.
	 */
	char		*reap_owner;
	size_t		 reap_line;
	size_t		 reap_col;
	char		*reap_label;
};

struct limits {
	size_t		 max_connections;	/* concurrent clients */
	size_t		 max_request_line;	/* bytes, else 414 */
	size_t		 max_header_bytes;	/* whole head, else 431 */
	size_t		 max_headers;		/* header count, else 431 */
	size_t		 max_inspect_body;	/* buffered JSON body, else 413 */
	size_t		 max_pending_upstream;	/* waiting on dockerd, else 503 */
	unsigned	 header_timeout_ms;	/* first byte to end of head */
	unsigned	 idle_timeout_ms;	/* keep-alive idle */
	unsigned	 drain_timeout_ms;	/* graceful stop */
	unsigned	 handshake_timeout_ms;	/* TLS: connect to handshake end */
	unsigned	 upstream_timeout_ms;	/* request sent to first answer
						   byte, else 504 */
};

struct config {
	char			*file;		/* the path it was read from */
	char			*upstream;	/* dockerd's unix socket */
	struct listen_conf	*listen;
	size_t			 nlisten;
	char			*rules;		/* rules file, may be NULL */
	char			*audit_path;	/* may be NULL */
	int			 audit_syslog;
	int			 audit_stderr;
	int			 audit_resolve_names;	/* default 1 */
	int			 audit_fail_open;	/* on_failure: allow */
	struct limits		 limits;
	int			 sandbox;	/* default 1; see sandbox.h */
};

/*
 * Reads and validates FILE.  On success returns 0 and *out owns a config
 * to release with config_free().  On failure returns -1 and writes
 * "FILE:LINE:COLUMN: reason" to err.
 */
int	config_load(const char *file, struct config **out, char *err,
	    size_t errlen);
/* Same, from a buffer; name is used in messages. */
int	config_parse(const char *name, const unsigned char *buf, size_t len,
	    struct config **out, char *err, size_t errlen);
void	config_free(struct config *);

/* A listener's name for logs: its name, else its path or address. */
const char *listen_label(const struct listen_conf *);
/* "0.0.0.0:2376", "[::1]:2376" -> sockaddr; -1 if malformed. */
int	config_parse_addr(const char *, struct sockaddr_storage *,
	    socklen_t *);

/* "64KiB", "1MiB", "4096" -> bytes; -1 if malformed or out of range. */
int	config_parse_size(const char *, size_t max, size_t *out);
/* "15s", "500ms", "2m", "1h", "30" (seconds) -> ms; -1 if malformed. */
int	config_parse_duration(const char *, unsigned *out_ms);

#endif
