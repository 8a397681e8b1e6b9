/*
 * The ruleset: YAML rules (man/sockguard-rules.5) loaded once into these
 * immutable structs, swapped whole on reload.  Runtime code never parses
 * rules.  Everything a profile does not explicitly allow is denied: a
 * missing key means the safe choice.
 */
#ifndef SG_RULES_H
#define SG_RULES_H

#include <sys/types.h>
#include <stddef.h>

#include "owner.h"

struct identity;

/* HTTP methods an endpoint rule covers (bit set). */
#define RULE_M_GET	0x01
#define RULE_M_HEAD	0x02
#define RULE_M_POST	0x04
#define RULE_M_PUT	0x08
#define RULE_M_DELETE	0x10
#define RULE_M_OPTIONS	0x20
#define RULE_M_PATCH	0x40
#define RULE_M_ALL	0x7f

struct strlist {
	char	**v;
	size_t	  n;
};

/*
 * One endpoint rule: "allow: GET,HEAD /containers/{*}/json" (with a
 * plain star).  The pattern matches the route after the /vX.Y prefix,
 * without the query: a segment "*" matches exactly one non-empty segment,
 * a segment "**" (anywhere) matches zero or more segments, anything else
 * matches literally.  First match wins.
 */
struct endpoint_rule {
	char		*name;		/* given, or "endpoints[N]" */
	int		 allow;		/* 1 allow, 0 deny */
	unsigned	 methods;	/* RULE_M_* */
	char		*pattern;
	size_t		 line;		/* in the rules file, for messages */
};

/*
 * What a container may be (containers/create, update, exec, start with
 * a body, service task templates).  Booleans are "allowed?": 0 = denied,
 * the default for every one of them.
 */
struct container_policy {
	int		 privileged;
	struct strlist	 cap_add;	/* allowed CapAdd names, upper-case,
					   without CAP_; "ALL" allows all */
	int		 host_namespaces; /* network/pid/ipc/uts/userns/
					   cgroupns "host" */
	int		 devices;	/* Devices, DeviceCgroupRules,
					   DeviceRequests */
	int		 unconfined;	/* seccomp/apparmor unconfined,
					   label:disable, systempaths,
					   inline seccomp profiles */
	struct strlist	 bind_deny;	/* normalised absolute paths */
	struct strlist	 bind_allow;	/* empty: any path not denied */
	int		 bind_propagation; /* shared/rshared/slave... */
	int		 resolve_symlinks; /* resolve bind sources (default 1) */
	struct strlist	 sysctls;	/* allowed Sysctls keys (globs) */
	struct strlist	 runtimes;	/* allowed; default {"runc"} */
	struct strlist	 log_drivers;	/* allowed LogConfig.Type */
	int		 volume_drivers; /* non-local volume drivers */
	int		 cgroup_parent;
	int		 joins;		/* container:<id> namespaces,
					   VolumesFrom, Links */
	int		 req_non_root_user;
	int		 req_read_only_rootfs;
	int		 req_no_new_privileges;
	int		 req_memory_limit;
	int		 req_pids_limit;
};

struct profile {
	char			*name;
	int			 audit_mode;	/* mode: audit */
	struct endpoint_rule	*endpoints;
	size_t			 nendpoints;
	struct container_policy	 containers;
	struct strlist		 registries;	/* empty: any registry */
	int			 buildkit;	/* /session and /grpc */
	int			 build_host_network;
	int			 exec_privileged;
	/* limits: per client of the profile; 0 = none */
	unsigned		 lim_connections;
	unsigned		 lim_rate;	/* requests per second */
	unsigned		 lim_burst;
	struct ownership	 ownership;	/* label NULL: none */
};

/*
 * An identity rule: every key given must match (AND).  Globs are
 * fnmatch(3) patterns.  First match wins.
 */
struct identity_rule {
	char		*cert_cn;
	char		*cert_san;	/* matched against each SAN value */
	char		*cert_fingerprint;
	char		*cert_issuer;
	char		*cert_subject;
	int		 has_uid;
	uid_t		 uid;
	int		 has_gid;
	gid_t		 gid;
	char		*listener;
	struct profile	*profile;	/* points into ruleset->profiles */
	size_t		 line;
};

struct ruleset {
	char			*file;
	struct identity_rule	*identities;
	size_t			 nidentities;
	struct profile		*profiles;
	size_t			 nprofiles;
	struct profile		*default_profile;
};

/*
 * Loads FILE.  Returns 0 with *out set (free with rules_free()), or -1
 * with "FILE:LINE:COLUMN: reason" in err.  Unknown keys are errors.
 */
int	rules_load(const char *file, struct ruleset **out, char *err,
	    size_t errlen);
int	rules_parse(const char *name, const unsigned char *buf, size_t len,
	    struct ruleset **out, char *err, size_t errlen);
void	rules_free(struct ruleset *);

/* The profile for a client: first matching identity rule, else default. */
const struct profile *rules_profile_for(const struct ruleset *,
	    const struct identity *);

/*
 * Bind sources denied when a profile's bind_mounts has no deny: key,
 * NULL-terminated.
 */
extern const char *const rules_default_bind_deny[];

/*
 * Normalises an absolute host path lexically: collapses "//" and "/./",
 * resolves "..", drops a trailing "/".  Returns 0, or -1 (out empty) if
 * not absolute or out is too small; strlen(in) + 1 bytes always suffice.
 */
int	rules_path_clean(const char *in, char *out, size_t outlen);

/* Normalises a capability name: upper-case, without "CAP_". */
void	rules_cap_norm(const char *in, char *out, size_t outlen);

#endif
