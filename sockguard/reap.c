/* sockguard reap: remove what one tenant created, asking dockerd directly. */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "dclient.h"
#include "log.h"
#include "lookup.h"
#include "owner.h"
#include "reap.h"
#include "rules.h"
#include "sdnotify.h"
#include "xmalloc.h"

#define REAP_TIMEOUT_MS		60000	/* a forced remove stops the
					   container first */
#define REAP_MAX_LIST		(64 * 1024 * 1024)
#define REAP_MAX_ANSWER		(1024 * 1024)
#define REAP_GONE_WAIT_MS	10000	/* a container removal already under
					   way (409) */

enum reap_kind { RK_CONTAINER, RK_VOLUME, RK_NETWORK, RK_N };

/* How each kind is listed, named and removed. */
static const struct reap_kind_info {
	const char	*noun;
	const char	*plural;
	const char	*list;		/* path; filters= is appended */
	const char	*items;		/* key of the array, NULL: the answer */
	const char	*ref;		/* what it is removed by */
	const char	*base;		/* its path, before the reference */
	const char	*del_query;	/* query of the removal */
	const char	*inspect;	/* after the reference: inspect path */
} reap_kinds[RK_N] = {
	{ "container", "containers", "/containers/json?all=1&", NULL, "Id",
	    "/containers/", "?force=1&v=1", "/json" },
	{ "volume", "volumes", "/volumes?", "Volumes", "Name", "/volumes/",
	    "", "" },
	{ "network", "networks", "/networks?", NULL, "Id", "/networks/", "",
	    "" },
};

/*
 * One owner's reap, for the subcommand (who NULL: objects on stdout,
 * problems on stderr) or for the daemon's reap on exit (everything to the
 * log, after who).
 */
struct reap {
	const char	*sock;		/* dockerd's */
	const char	*label;
	const char	*owner;
	const char	*who;		/* "reap_on_exit: listener NAME" */
	volatile sig_atomic_t *stop;	/* set: give up now; may be NULL */
	int		 dry;
	size_t		 removed[RK_N];	/* or, in a dry run, listed */
	size_t		 failed;
	size_t		 skipped;
	const char	*unlisted;	/* the kind that could not be listed */
	int		 interrupted;	/* *stop was set */
};

static void	reap_err(const struct reap *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static void	reap_warn(const struct reap *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

/* Prints usage (to stderr unless asked for) and returns status. */
static int
reap_usage(int status)
{
	fprintf(status ? stderr : stdout, "usage: sockguard reap [-n] [-c config] [-l label] "
	    "OWNER\n"
	    "  removes the objects labelled LABEL=OWNER, through the "
	    "configuration's\n"
	    "  upstream: containers (forced, with their anonymous volumes), "
	    "then volumes,\n"
	    "  then networks; images are left alone\n"
	    "  -c FILE   configuration (default "
	    "/etc/sockguard/sockguard.yaml)\n"
	    "  -l LABEL  ownership label (default: the one the rules' "
	    "profiles use,\n"
	    "            else " OWNER_DEFAULT_LABEL ")\n"
	    "  -n        dry run: list what would be removed, remove "
	    "nothing\n"
	    "  exit status: 0 all removed, 1 some could not be, 2 usage or "
	    "configuration\n");
	return status;
}

/* One line on stderr (the subcommand), or the log (the reap on exit). */
static void __attribute__((format(printf, 3, 0)))
reap_vsay(const struct reap *r, int warn, const char *fmt, va_list ap)
{
	char	msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (r->who == NULL)
		fprintf(stderr, "sockguard reap: %s\n", msg);
	else if (warn)
		log_warn("%s: %s", r->who, msg);
	else
		log_err("%s: %s", r->who, msg);
}

/* A problem with one object or kind: an error in the log. */
static void
reap_err(const struct reap *r, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	reap_vsay(r, 0, fmt, ap);
	va_end(ap);
}

/* Something left alone on purpose: a warning in the log. */
static void
reap_warn(const struct reap *r, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	reap_vsay(r, 1, fmt, ap);
	va_end(ap);
}

/* Whether a second signal asked the reap on exit to stop. */
static int
reap_stopped(struct reap *r)
{
	if (r->stop == NULL || !*r->stop)
		return 0;
	r->interrupted = 1;
	return 1;
}

/*
 * dclient_request() for r.  On exit under systemd each request first
 * extends the stop timeout by its own deadline and some, so that the
 * unit's TimeoutStopSec= does not kill a reap that is making progress.
 */
static int
reap_request(struct reap *r, const char *method, const char *path,
    size_t max, struct dclient_answer *a, char *err, size_t errlen)
{
	if (r->who != NULL)
		(void)sdn_extend_timeout((REAP_TIMEOUT_MS + 15000) * 1000ULL);
	return dclient_request(r->sock, method, path, REAP_TIMEOUT_MS, max, a,
	    err, errlen);
}

/* Whether profiles of rs have ownership: at all. */
static int
reap_rules_own(const struct ruleset *rs)
{
	size_t	i;

	for (i = 0; i < rs->nprofiles; i++)
		if (rs->profiles[i].ownership.label != NULL)
			return 1;
	return 0;
}

const char *
reap_rules_label(const struct ruleset *rs, char *why, size_t whylen)
{
	const struct profile	*first = NULL, *p;
	size_t			 i;

	for (i = 0; i < rs->nprofiles; i++) {
		p = &rs->profiles[i];
		if (p->ownership.label == NULL)
			continue;
		if (first == NULL)
			first = p;
		else if (strcmp(first->ownership.label,
		    p->ownership.label) != 0) {
			snprintf(why, whylen, "%s: profiles %s and %s use "
			    "different ownership labels (%s, %s)",
			    rs->file != NULL ? rs->file : "rules",
			    first->name, p->name, first->ownership.label,
			    p->ownership.label);
			return NULL;
		}
	}
	return first != NULL ? first->ownership.label : OWNER_DEFAULT_LABEL;
}

int
reap_filters(const char *label, const char *owner, char *out, size_t outlen)
{
	static const char hex[] = "0123456789ABCDEF";
	json_t		*f;
	char		*pair = NULL, *text = NULL;
	size_t		 o, i;
	int		 rc = -1;

	xasprintf(&pair, "%s=%s", label, owner);
	f = json_pack("{s:[s]}", "label", pair);
	if (f == NULL || (text = json_dumps(f, JSON_COMPACT)) == NULL)
		goto out;
	o = (size_t)snprintf(out, outlen, "filters=");
	if (o >= outlen)
		goto out;
	for (i = 0; text[i] != '\0'; i++) {
		unsigned char c = (unsigned char)text[i];
		int plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("-._~", c) != NULL;

		if (o + (plain ? 1 : 3) >= outlen)
			goto out;
		if (plain)
			out[o++] = (char)c;
		else {
			out[o++] = '%';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	out[o] = '\0';
	rc = 0;
out:
	if (rc == -1 && outlen > 0)
		out[0] = '\0';
	free(text);
	json_decref(f);
	free(pair);
	return rc;
}

int
reap_owned(json_t *obj, const char *label, const char *owner)
{
	json_t	*v = json_object_get(json_object_get(obj, "Labels"), label);

	return json_is_string(v) && strcmp(json_string_value(v), owner) == 0;
}

/* A string from dockerd, for a line of output: control bytes become '?'. */
static const char *
reap_safe(const char *s, char *buf, size_t len)
{
	size_t	i;

	for (i = 0; s[i] != '\0' && i + 1 < len; i++)
		buf[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' :
		    s[i];
	buf[i] = '\0';
	return buf;
}

/* How an object is shown: "ID NAME" for containers and networks. */
static void
reap_describe(enum reap_kind k, json_t *obj, const char *ref, char *out,
    size_t outlen)
{
	json_t		*names = json_object_get(obj, "Names");
	const char	*name = NULL;
	char		 a[128], b[256];

	if (k == RK_VOLUME) {
		snprintf(out, outlen, "%s", reap_safe(ref, a, sizeof(a)));
		return;
	}
	if (k == RK_CONTAINER && json_is_string(json_array_get(names, 0))) {
		name = json_string_value(json_array_get(names, 0));
		if (name[0] == '/')
			name++;
	} else if (k == RK_NETWORK &&
	    json_is_string(json_object_get(obj, "Name")))
		name = json_string_value(json_object_get(obj, "Name"));
	snprintf(out, outlen, "%s %s", reap_safe(ref, a, sizeof(a)),
	    name != NULL ? reap_safe(name, b, sizeof(b)) : "-");
}

/* Sleeps ms milliseconds. */
static void
reap_sleep(unsigned ms)
{
	struct timespec	ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/*
 * Whether the object is gone, asked up to wait_ms (a removal dockerd has
 * under way, e.g. of a --rm container that the forced remove stopped).
 */
static int
reap_gone(struct reap *r, enum reap_kind k, const char *eref,
    unsigned wait_ms)
{
	const struct reap_kind_info	*ki = &reap_kinds[k];
	struct dclient_answer		 a;
	char				 path[1024], err[256];
	unsigned			 waited = 0;
	int				 status;

	snprintf(path, sizeof(path), "%s%s%s", ki->base, eref, ki->inspect);
	for (;;) {
		if (reap_request(r, "GET", path, REAP_MAX_ANSWER, &a, err,
		    sizeof(err)) == -1)
			return 0;
		status = a.status;
		dclient_answer_free(&a);
		if (status == 404)
			return 1;
		if (waited >= wait_ms || reap_stopped(r))
			return 0;
		reap_sleep(200);
		waited += 200;
	}
}

/* Says that an object is gone (or, dry, would go). */
static void
reap_removed(const struct reap *r, enum reap_kind k, const char *desc,
    int already)
{
	const char	*gone = already ? " (already gone)" : "";

	if (r->who == NULL)
		printf("%s %s%s\n", reap_kinds[k].noun, desc, gone);
	else
		log_info("%s: removed %s %s%s", r->who, reap_kinds[k].noun,
		    desc, gone);
}

/* Removes (or, dry, lists) one object of the list; counts the outcome. */
static void
reap_one(struct reap *r, enum reap_kind k, json_t *obj)
{
	const struct reap_kind_info	*ki = &reap_kinds[k];
	struct dclient_answer		 a;
	json_t				*ref = json_object_get(obj, ki->ref);
	char				 desc[512], eref[768], path[1024];
	char				 err[512];
	int				 removed;

	if (!json_is_string(ref) || json_string_length(ref) == 0) {
		reap_err(r, "a %s without %s in dockerd's list; not removed",
		    ki->noun, ki->ref);
		r->failed++;
		return;
	}
	reap_describe(k, obj, json_string_value(ref), desc, sizeof(desc));
	/* dockerd filtered by the label; check it ourselves all the same. */
	if (!reap_owned(obj, r->label, r->owner)) {
		reap_warn(r, "skipping %s %s: dockerd listed it, but its label "
		    "%s is not %s", ki->noun, desc, r->label, r->owner);
		r->skipped++;
		return;
	}
	if (r->dry) {
		reap_removed(r, k, desc, 0);
		r->removed[k]++;
		return;
	}
	if (lookup_escape_segment(json_string_value(ref), eref,
	    sizeof(eref)) == -1) {
		reap_err(r, "cannot remove %s %s: its %s is too long",
		    ki->noun, desc, ki->ref);
		r->failed++;
		return;
	}
	snprintf(path, sizeof(path), "%s%s%s", ki->base, eref, ki->del_query);
	if (reap_request(r, "DELETE", path, REAP_MAX_ANSWER, &a, err,
	    sizeof(err)) == -1) {
		if (reap_stopped(r))
			return;
		reap_err(r, "cannot remove %s %s: %s", ki->noun, desc, err);
		r->failed++;
		return;
	}
	removed = a.status >= 200 && a.status < 300;
	/* e.g. 409 "removal already in progress", done meanwhile */
	if (!removed && a.status != 404 && reap_gone(r, k, eref,
	    k == RK_CONTAINER && a.status == 409 ? REAP_GONE_WAIT_MS : 0))
		removed = 1;
	if (!removed && a.status != 404 && r->interrupted) {
		dclient_answer_free(&a);
		return;
	}
	if (!removed && a.status != 404) {
		reap_err(r, "cannot remove %s %s: the Docker Engine answered "
		    "%d: %s", ki->noun, desc, a.status, a.message[0] != '\0' ?
		    a.message : "(no message)");
		r->failed++;
		dclient_answer_free(&a);
		return;
	}
	reap_removed(r, k, desc, !removed);
	r->removed[k]++;
	dclient_answer_free(&a);
}

/*
 * Lists the owner's objects of one kind and removes each.  Returns -1
 * (reason printed) when dockerd cannot list them: later kinds would only
 * fail on what this one left in use; -1 too, silently, once r->stop is
 * set.
 */
static int
reap_kind(struct reap *r, enum reap_kind k)
{
	const struct reap_kind_info	*ki = &reap_kinds[k];
	struct dclient_answer		 a;
	json_t				*items;
	char				 q[1024], path[1200], err[512];
	size_t				 i;

	if (reap_filters(r->label, r->owner, q, sizeof(q)) == -1) {
		reap_err(r, "the label filter is too long");
		return -1;
	}
	snprintf(path, sizeof(path), "%s%s", ki->list, q);
	if (reap_request(r, "GET", path, REAP_MAX_LIST, &a, err,
	    sizeof(err)) == -1) {
		if (!reap_stopped(r))
			reap_err(r, "cannot list %s: %s", ki->plural, err);
		return -1;
	}
	items = ki->items != NULL ? json_object_get(a.body, ki->items) :
	    a.body;
	if (a.status != 200) {
		reap_err(r, "cannot list %s: the Docker Engine answered %d: %s",
		    ki->plural, a.status, a.message[0] != '\0' ? a.message :
		    "(no message)");
		dclient_answer_free(&a);
		return -1;
	}
	/* No volumes: "Volumes": null (dockerd 20.10 says so). */
	if (ki->items != NULL && json_is_object(a.body) &&
	    (items == NULL || json_is_null(items)))
		items = NULL;
	else if (!json_is_array(items)) {
		reap_err(r, "cannot list %s: the Docker Engine's answer is not "
		    "a list", ki->plural);
		dclient_answer_free(&a);
		return -1;
	}
	for (i = 0; i < json_array_size(items) && !reap_stopped(r); i++)
		reap_one(r, k, json_array_get(items, i));
	dclient_answer_free(&a);
	return r->interrupted ? -1 : 0;
}

/* "2 containers, 1 volume, 0 networks" */
static void
reap_counts(const struct reap *r, char *out, size_t outlen)
{
	const struct reap_kind_info	*ki;
	size_t				 off = 0;
	int				 k;

	out[0] = '\0';
	for (k = 0; k < RK_N && off < outlen; k++) {
		ki = &reap_kinds[k];
		off += (size_t)snprintf(out + off, outlen - off, "%s%zu %s",
		    k ? ", " : "", r->removed[k], r->removed[k] == 1 ?
		    ki->noun : ki->plural);
	}
}

/*
 * Reaps r's owner, one kind after the other; stops at a kind that cannot
 * be listed (r->unlisted: what is left would only fail as in use) or when
 * r->stop is set (r->interrupted).
 */
static void
reap_run(struct reap *r)
{
	int	k;

	for (k = 0; k < RK_N; k++)
		if (reap_kind(r, (enum reap_kind)k) == -1) {
			if (!r->interrupted)
				r->unlisted = reap_kinds[k].plural;
			break;
		}
}

/* The subcommand's summary, on stdout. */
static void
reap_print_summary(const struct reap *r)
{
	char	counts[128];

	reap_counts(r, counts, sizeof(counts));
	if (r->dry)
		printf("dry run: would remove %s labelled %s=%s\n", counts,
		    r->label, r->owner);
	else
		printf("removed %s labelled %s=%s\n", counts, r->label,
		    r->owner);
	if (r->failed > 0)
		printf("failed: %zu could not be removed (see the errors "
		    "above)\n", r->failed);
	if (r->skipped > 0)
		printf("skipped %zu listed by dockerd whose label did not "
		    "match\n", r->skipped);
	if (r->unlisted != NULL)
		printf("stopped: the %s could not be listed (see the errors "
		    "above)\n", r->unlisted);
}

/* The reap on exit's summary of one listener, in the log. */
static void
reap_log_summary(const struct reap *r)
{
	char	counts[128], what[160] = "";

	reap_counts(r, counts, sizeof(counts));
	if (r->interrupted)
		log_err("%s: stopped by a second signal after removing %s "
		    "labelled %s=%s; the rest is left (`sockguard reap %s` "
		    "removes it)", r->who, counts, r->label, r->owner,
		    r->owner);
	else if (r->failed > 0 || r->unlisted != NULL) {
		if (r->failed > 0)
			snprintf(what, sizeof(what), "%zu could not be "
			    "removed%s", r->failed, r->unlisted != NULL ?
			    " and " : "");
		if (r->unlisted != NULL)
			snprintf(what + strlen(what), sizeof(what) -
			    strlen(what), "the %s could not be listed, so it "
			    "stopped there", r->unlisted);
		log_err("%s: removed %s labelled %s=%s; %s (see the errors "
		    "above)", r->who, counts, r->label, r->owner, what);
	} else
		log_info("%s: removed %s labelled %s=%s", r->who, counts,
		    r->label, r->owner);
	if (r->skipped > 0)
		log_warn("%s: skipped %zu listed by dockerd whose label did "
		    "not match", r->who, r->skipped);
}

int
reap_main(int argc, char *argv[], const char *default_config)
{
	const char	*file = default_config, *label = NULL;
	struct config	*conf = NULL;
	struct ruleset	*rules = NULL;
	struct reap	 r;
	char		 err[1024];
	int		 ch, rc = 2;

	memset(&r, 0, sizeof(r));
	optind = 1;
	while ((ch = getopt(argc, argv, "+c:hl:n")) != -1) {
		switch (ch) {
		case 'c':
			file = optarg;
			break;
		case 'l':
			label = optarg;
			break;
		case 'n':
			r.dry = 1;
			break;
		case 'h':
			return reap_usage(0);
		default:
			return reap_usage(2);
		}
	}
	if (argc - optind != 1)
		return reap_usage(2);
	r.owner = argv[optind];
	log_init(LOG_LVL_WARN);
	if (owner_value_check(r.owner, err, sizeof(err)) == -1) {
		fprintf(stderr, "sockguard reap: bad owner: %s\n", err);
		return 2;
	}
	if (label != NULL && owner_label_check(label, err, sizeof(err)) == -1) {
		fprintf(stderr, "sockguard reap: bad label: %s\n", err);
		return 2;
	}
	if (config_load(file, &conf, err, sizeof(err)) == -1) {
		fprintf(stderr, "sockguard reap: %s\n", err);
		return 2;
	}
	/* With -l the rules are not needed: reap even if they are broken. */
	if (label == NULL) {
		if (rules_load(conf->rules, &rules, err, sizeof(err)) == -1) {
			fprintf(stderr, "sockguard reap: %s\n", err);
			goto out;
		}
		if ((label = reap_rules_label(rules, err, sizeof(err))) ==
		    NULL) {
			fprintf(stderr, "sockguard reap: %s; say which with "
			    "-l\n", err);
			goto out;
		}
	}
	r.sock = conf->upstream;
	r.label = label;
	reap_run(&r);
	reap_print_summary(&r);
	rc = r.failed > 0 || r.unlisted != NULL ? 1 : 0;
out:
	rules_free(rules);
	config_free(conf);
	return rc;
}

int
reap_exit_prepare(struct config *conf, const struct ruleset *rules,
    char *err, size_t errlen)
{
	struct listen_conf	*l;
	const char		*label = NULL;
	char			 why[512];
	size_t			 i;

	for (i = 0; i < conf->nlisten; i++) {
		l = &conf->listen[i];
		if (l->reap_owner == NULL)
			continue;
		if (label == NULL && (label = reap_rules_label(rules, why,
		    sizeof(why))) == NULL) {
			snprintf(err, errlen, "%s:%zu:%zu: reap_on_exit: %s; "
			    "it needs the rules to use one", conf->file,
			    l->reap_line, l->reap_col, why);
			return -1;
		}
		if (!reap_rules_own(rules))
			log_warn("%s:%zu:%zu: reap_on_exit: no profile of %s "
			    "has ownership:, so sockguard labels nothing; on "
			    "exit it removes only what carries %s=%s already",
			    conf->file, l->reap_line, l->reap_col,
			    rules->file != NULL ? rules->file : "the rules",
			    label, l->reap_owner);
		free(l->reap_label);
		l->reap_label = xstrdup(label);
	}
	return 0;
}

int
reap_on_exit(const struct config *conf, volatile sig_atomic_t *stop)
{
	const struct listen_conf	*l;
	struct reap			 r;
	char				 who[256];
	size_t				 i;
	int				 rc = 0;

	for (i = 0; i < conf->nlisten; i++) {
		l = &conf->listen[i];
		if (l->reap_owner == NULL)
			continue;
		snprintf(who, sizeof(who), "reap_on_exit: listener %s",
		    listen_label(l));
		if (stop != NULL && *stop) {
			log_err("%s: not reaped (a second signal stopped the "
			    "reap); `sockguard reap %s` removes what is left",
			    who, l->reap_owner);
			rc = -1;
			continue;
		}
		if (l->reap_label == NULL) {
			/* reap_exit_prepare() was not called: a bug. */
			log_err("%s: no ownership label was resolved; not "
			    "reaped", who);
			rc = -1;
			continue;
		}
		memset(&r, 0, sizeof(r));
		r.sock = conf->upstream;
		r.label = l->reap_label;
		r.owner = l->reap_owner;
		r.who = who;
		r.stop = stop;
		(void)sdn_status("stopping: removing the objects labelled "
		    "%s=%s (listener %s)", r.label, r.owner, listen_label(l));
		reap_run(&r);
		reap_log_summary(&r);
		if (r.failed > 0 || r.unlisted != NULL || r.interrupted)
			rc = -1;
	}
	return rc;
}
