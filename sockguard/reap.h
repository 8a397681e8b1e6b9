/*
 * `sockguard reap OWNER`: removes what a tenant created through sockguard
 * (see owner.h) by asking dockerd directly: its containers (forced, with
 * their anonymous volumes), then its volumes, then its networks, each
 * found by the ownership label and checked again before it is removed.
 * Images are left alone.  The daemon does the same for its listeners'
 * reap_on_exit when it stops.  The pure parts are exported for tests.
 */
#ifndef SG_REAP_H
#define SG_REAP_H

#include <signal.h>
#include <stddef.h>
#include <jansson.h>

struct config;
struct ruleset;

/* argv[0] is "reap".  Exit status: 0 all removed, 1 some not, 2 usage. */
int	reap_main(int argc, char *argv[], const char *default_config);

/*
 * reap_on_exit (sockguard.yaml(5)): after a configuration and its rules
 * are loaded (start, -t, SIGHUP), gives every listener that has one the
 * label its owner is reaped by, the one `sockguard reap` without -l
 * takes.  Returns -1 with "FILE:LINE:COL: reason" in err when the rules'
 * profiles use different labels; warns when none has ownership.
 */
int	reap_exit_prepare(struct config *, const struct ruleset *,
	    char *err, size_t errlen);

/*
 * The reap on exit, once a graceful stop has drained: each listener of
 * conf with reap_on_exit, in order, reaped as `sockguard reap` does it,
 * through conf->upstream, every object removed and a summary per listener
 * in the log.  Gives up at once when *stop is set (a second SIGTERM; see
 * dclient_interruptible()).  Returns 0 when everything was removed, -1
 * when something could not be removed or listed or the reap was stopped.
 */
int	reap_on_exit(const struct config *conf, volatile sig_atomic_t *stop);


/*
 * The label to reap by when none is given: the one label of the rules'
 * profiles with ownership, or OWNER_DEFAULT_LABEL when none has it.
 * Returns NULL with why (naming the profiles and their labels) when
 * profiles use different labels.
 */
const char *reap_rules_label(const struct ruleset *, char *why,
	    size_t whylen);

/*
 * Writes the query parameter filters={"label":["LABEL=OWNER"]}, percent-
 * encoded, to out.  0, or -1 if out is too small.
 */
int	reap_filters(const char *label, const char *owner, char *out,
	    size_t outlen);

/*
 * Whether an object of a list dockerd gave (a container, volume or
 * network: its "Labels") carries label with exactly the value owner.
 */
int	reap_owned(json_t *obj, const char *label, const char *owner);

#endif
