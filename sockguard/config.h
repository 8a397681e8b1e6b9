/*
 * Configuration: the YAML file is read once into these plain structs;
 * runtime code never parses configuration.  See man/sockguard.yaml.5.
 */
#ifndef SG_CONFIG_H
#define SG_CONFIG_H

#include <sys/types.h>
#include <stddef.h>
#include <stdint.h>

enum listen_kind { LISTEN_UNIX, LISTEN_TCP };

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
};

struct limits {
	size_t		 max_connections;	/* concurrent clients */
	size_t		 max_request_line;	/* bytes, else 414 */
	size_t		 max_header_bytes;	/* whole head, else 431 */
	size_t		 max_headers;		/* header count, else 431 */
	size_t		 max_inspect_body;	/* buffered JSON body, else 413 */
	unsigned	 header_timeout_ms;	/* first byte to end of head */
	unsigned	 idle_timeout_ms;	/* keep-alive idle */
	unsigned	 drain_timeout_ms;	/* graceful stop */
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

/* "64KiB", "1MiB", "4096" -> bytes; -1 if malformed or out of range. */
int	config_parse_size(const char *, size_t max, size_t *out);
/* "15s", "500ms", "2m", "1h", "30" (seconds) -> ms; -1 if malformed. */
int	config_parse_duration(const char *, unsigned *out_ms);

#endif
