/*
 * A blocking client of dockerd's unix socket for the control subcommands
 * (`sockguard reap`): one request per connection, the answer read whole
 * (Content-Length, chunked, or up to EOF) within a deadline and parsed as
 * JSON.  The daemon uses it only once its event loop is over, for
 * reap_on_exit (see reap.h): it must not block the loop.
 */
#ifndef SG_DCLIENT_H
#define SG_DCLIENT_H

#include <signal.h>
#include <stddef.h>
#include <http_parser.h>
#include <jansson.h>

/* What dockerd answered. */
struct dclient_answer {
	int	 status;	/* HTTP status */
	json_t	*body;		/* owned; NULL if empty or not JSON */
	char	 message[256];	/* dockerd's "message", or the start of a
				   body that is not JSON; may be empty */
};

/*
 * Sends METHOD path (already escaped, query included, no body) to the
 * unix socket sock and reads the answer, at most max_body bytes of body,
 * within timeout_ms.  Returns 0 with *a filled (any status; free it with
 * dclient_answer_free()), or -1 with the reason in err when there is no
 * usable answer (connect failed, timeout, malformed or oversized answer).
 */
int	dclient_request(const char *sock, const char *method, const char *path,
	    unsigned timeout_ms, size_t max_body, struct dclient_answer *a,
	    char *err, size_t errlen);
/*
 * Makes the requests from now on interruptible (the daemon's reap on
 * exit, where a second SIGTERM must stop at once): while a request waits
 * for dockerd the signal mask is *waitmask (ppoll(2)), so that signals the
 * caller keeps blocked otherwise are delivered there and nowhere else, and
 * a request gives up, -1 with "interrupted", as soon as *stop is nonzero,
 * which their handler sets.  Both are kept, not copied.  NULL, NULL: not
 * interruptible (the default).
 */
void	dclient_interruptible(volatile sig_atomic_t *stop,
	    const sigset_t *waitmask);
/* Releases an answer's body; NULL is fine. */
void	dclient_answer_free(struct dclient_answer *);

/*
 * The response reader dclient_request() feeds, exposed for tests: it
 * collects the de-chunked body of one response.  Init cannot fail; free
 * it with dclient_resp_free().
 */
struct dclient_resp {
	http_parser	 dr_parser;
	char		*dr_body;	/* owned, NUL-terminated once done */
	size_t		 dr_len;
	size_t		 dr_cap;
	size_t		 dr_max;
	int		 dr_done;
	int		 dr_too_large;
	const char	*dr_err;	/* why feed returned -1 */
};

void	dclient_resp_init(struct dclient_resp *, size_t max_body);
/*
 * Feeds len bytes of the answer; len 0 means EOF.  Returns 1 once the
 * response is complete (its status in dr_parser.status_code, its body in
 * dr_body/dr_len; further bytes are ignored), 0 if more is needed, -1 if
 * it is malformed, truncated by EOF or larger than max_body (dr_err says
 * which).
 */
int	dclient_resp_feed(struct dclient_resp *, const char *buf, size_t len);
void	dclient_resp_free(struct dclient_resp *);

#endif
