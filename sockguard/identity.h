/*
 * Who is asking: what the listener learned about a client when it
 * connected.  Filled by the proxy, read by rules matching and the audit
 * log.  Strings are owned by whoever fills the struct (the session).
 */
#ifndef SG_IDENTITY_H
#define SG_IDENTITY_H

#include <sys/types.h>
#include <stddef.h>

struct identity {
	const char	*listener;	/* listener name, or its path/address */
	int		 is_unix;
	const char	*remote;	/* TCP: peer "addr:port"; else NULL */
	pid_t		 pid;		/* unix peer credentials */
	uid_t		 uid;
	gid_t		 gid;
	/* Verified client certificate (TLS listeners); NULL otherwise. */
	const char	*cert_subject;
	const char	*cert_cn;
	const char	*cert_issuer;
	const char	*cert_serial;		/* lower-case hex, no DER 00 pad */
	const char	*cert_fingerprint;	/* sha256, lower-case hex */
	const char *const *cert_sans;		/* "DNS:x", "email:y", "URI:z" */
	size_t		 cert_nsans;
};

#endif
