/* sockguard: options, signals and the event loop. */
#include <sys/prctl.h>
#include <sys/resource.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <event2/event.h>

#include "audit.h"
#include "cert.h"
#include "config.h"
#include "dclient.h"
#include "explain.h"
#include "log.h"
#include "proxy.h"
#include "reap.h"
#include "rules.h"
#include "sandbox.h"
#include "sdnotify.h"

#define DEFAULT_CONFIG	"/etc/sockguard/sockguard.yaml"

struct mainctx {
	const char		*file;
	struct event_base	*base;
	struct proxy		*px;		/* owns conf and rules */
	const struct config	*conf;		/* the ones in force */
	const struct ruleset	*rules;
	struct audit		*audit;
	int			 stopping;	/* SIGTERM/SIGINT received */
	int			 drained;	/* the last session is gone */
};

/* A SIGTERM or SIGINT during the reap on exit: stop it. */
static volatile sig_atomic_t main_stop_reap;

/* Prints usage and exits with status. */
static void __attribute__((noreturn))
usage(int status)
{
	fprintf(status ? stderr : stdout,
	    "usage: sockguard [-dtV] [-c config]\n"
	    "       sockguard explain [-c config] [--as IDENTITY] METHOD PATH "
	    "[BODY-FILE]\n"
	    "       sockguard cert ca|server|client [options] (see sockguard "
	    "cert --help)\n"
	    "       sockguard reap [-n] [-c config] [-l label] OWNER\n"
	    "  -c FILE  configuration (default " DEFAULT_CONFIG ")\n"
	    "  -t       check the configuration and exit (0 valid, 1 not)\n"
	    "  -d       debug logging\n"
	    "  -V       print the version and exit\n");
	exit(status);
}

/* Tells systemd (Type=notify) that we serve, and what. */
static void
main_ready(const struct config *conf, const struct ruleset *rules)
{
	char	status[512];
	size_t	i, off = 0;

	for (i = 0; i < conf->nlisten && off < sizeof(status); i++)
		off += (size_t)snprintf(status + off, sizeof(status) - off,
		    "%s%s", i ? ", " : "listening on ",
		    conf->listen[i].kind == LISTEN_UNIX ?
		    conf->listen[i].path : conf->listen[i].addr);
	if (off < sizeof(status))
		snprintf(status + off, sizeof(status) - off, "; rules %s: %zu "
		    "profiles, %zu identity rules", conf->rules,
		    rules->nprofiles, rules->nidentities);
	if (sdn_ready(status) == -1)
		log_warn("cannot notify systemd ($NOTIFY_SOCKET): %s",
		    strerror(errno));
}

/* The last session is gone after SIGTERM: leave the loop. */
static void
main_drained(void *arg)
{
	struct mainctx	*m = arg;

	m->drained = 1;
	event_base_loopexit(m->base, NULL);
}

/* SIGTERM/SIGINT: graceful stop; a second signal stops at once. */
static void
main_sigterm(evutil_socket_t sig, short what, void *arg)
{
	struct mainctx	*m = arg;

	if (m->stopping++) {
		log_info("second signal %d: stopping now", (int)sig);
		event_base_loopexit(m->base, NULL);
		return;
	}
	log_info("signal %d: no longer accepting; finishing %zu connections",
	    (int)sig, proxy_sessions(m->px));
	(void)sdn_stopping();
	proxy_drain(m->px, main_drained, m);
}

/* SIGUSR1: reopen the audit log (logrotate moved it). */
static void
main_sigusr1(evutil_socket_t sig, short what, void *arg)
{
	struct mainctx	*m = arg;

	if (m->audit == NULL)
		return;
	if (audit_reopen(m->audit) == -1)
		log_err("SIGUSR1: cannot reopen the audit log: %s; still "
		    "writing to the old file", strerror(errno));
	else
		log_info("SIGUSR1: audit log reopened");
}

/* SIGTERM/SIGINT once the loop is over: ends the reap on exit. */
static void
main_sigstop(int sig)
{
	main_stop_reap = sig;
}

/* How many listeners of conf have reap_on_exit. */
static size_t
main_reaps(const struct config *conf)
{
	size_t	i, n = 0;

	for (i = 0; i < conf->nlisten; i++)
		if (conf->listen[i].reap_owner != NULL)
			n++;
	return n;
}

/*
 * After a graceful stop has drained: reap_on_exit (reap.h), under the
 * configuration in force.  The caller blocked SIGTERM, SIGINT, SIGHUP and
 * SIGUSR1 before the loop's signal events went (their default action
 * would kill us now); mask is the signal mask from before.  A second
 * SIGTERM or SIGINT stops the reap at once: they stay blocked but while
 * dclient waits for dockerd, where their handler sets the flag that both
 * dclient and the reap check.  SIGHUP and SIGUSR1 are ignored.  Returns
 * the exit status.
 */
static int
main_reap(struct mainctx *m, const sigset_t *mask)
{
	struct sigaction	sa;
	sigset_t		waitmask = *mask;
	size_t			n = main_reaps(m->conf);

	if (n == 0 || m->stopping == 0)
		return 0;
	if (!m->drained || m->stopping > 1) {
		log_err("reap_on_exit: not done: a second signal stopped "
		    "sockguard before the drain ended; everything of the "
		    "listeners' owners is left (`sockguard reap OWNER` "
		    "removes it)");
		return 1;
	}
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = SIG_IGN;
	(void)sigaction(SIGHUP, &sa, NULL);
	(void)sigaction(SIGUSR1, &sa, NULL);
	sa.sa_handler = main_sigstop;
	if (sigaction(SIGTERM, &sa, NULL) == -1 ||
	    sigaction(SIGINT, &sa, NULL) == -1)
		fatal("reap_on_exit: sigaction: %s", strerror(errno));
	sigdelset(&waitmask, SIGTERM);
	sigdelset(&waitmask, SIGINT);
	dclient_interruptible(&main_stop_reap, &waitmask);
	log_info("reap_on_exit: removing what the owners of %zu listener%s "
	    "created, through %s (a second signal stops this)", n,
	    n == 1 ? "" : "s", m->conf->upstream);
	if (reap_on_exit(m->conf, &main_stop_reap) == 0)
		return 0;
	if (main_stop_reap)
		log_info("signal %d: reap_on_exit stopped",
		    (int)main_stop_reap);
	return 1;
}

/*
 * Process hardening that costs nothing: no core dumps (they would hold
 * TLS keys and request bodies; PR_SET_DUMPABLE 0 also keeps other
 * processes of our user from ptrace), and as many descriptors as the
 * hard limit allows, since every client may need two.
 */
static void
main_harden(size_t max_connections)
{
	struct rlimit	rl = { 0, 0 };

	(void)setrlimit(RLIMIT_CORE, &rl);
	(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
		(void)getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur < 2 * max_connections + 64)
		log_warn("the descriptor limit (%llu) is below what "
		    "limits.max_connections (%zu) needs (2 per client and a "
		    "few more): raise LimitNOFILE= or ulimit -n",
		    (unsigned long long)rl.rlim_cur, max_connections);
}

/* The audit sinks a configuration asks for. */
static void
main_audit_conf(const struct config *conf, struct audit_conf *ac)
{
	memset(ac, 0, sizeof(*ac));
	ac->path = conf->audit_path;
	ac->syslog = conf->audit_syslog;
	ac->to_stderr = conf->audit_stderr;
	ac->resolve_names = conf->audit_resolve_names;
}

static int
main_audit_wanted(const struct audit_conf *ac)
{
	return ac->path != NULL || ac->syslog || ac->to_stderr;
}

static int
main_audit_same(const struct config *a, const struct config *b)
{
	return (a->audit_path == NULL) == (b->audit_path == NULL) &&
	    (a->audit_path == NULL || strcmp(a->audit_path,
	    b->audit_path) == 0) && a->audit_syslog == b->audit_syslog &&
	    a->audit_stderr == b->audit_stderr &&
	    a->audit_resolve_names == b->audit_resolve_names;
}

/*
 * SIGHUP: read the configuration and rules again and apply them, or, if
 * anything is wrong with them, keep everything as it was.
 */
static void
main_sighup(evutil_socket_t sig, short what, void *arg)
{
	struct mainctx	*m = arg;
	struct config	*conf;
	struct ruleset	*rules = NULL;
	struct audit	*audit = NULL;
	struct audit_conf ac;
	char		 err[1024];
	int		 new_audit;

	if (m->stopping)
		return;
	(void)sdn_reloading();
	if (config_load(m->file, &conf, err, sizeof(err)) == -1 ||
	    rules_load(conf->rules, &rules, err, sizeof(err)) == -1 ||
	    reap_exit_prepare(conf, rules, err, sizeof(err)) == -1)
		goto fail;
	main_audit_conf(conf, &ac);
	new_audit = !main_audit_same(m->conf, conf);
	if (new_audit && main_audit_wanted(&ac) &&
	    audit_open(&ac, &audit, err, sizeof(err)) == -1)
		goto fail;
	if (proxy_reload(m->px, conf, rules, err, sizeof(err)) == -1)
		goto fail;
	if (conf->sandbox != m->conf->sandbox)
		log_warn("SIGHUP: sandbox: %s takes effect at the next start",
		    conf->sandbox ? "true" : "false");
	if (new_audit) {
		proxy_set_audit(m->px, audit);
		audit_close(m->audit);
		m->audit = audit;
	}
	m->conf = conf;
	m->rules = rules;
	log_info("SIGHUP: reloaded %s; rules %s (%zu profiles, %zu identity "
	    "rules)", m->file, conf->rules, rules->nprofiles,
	    rules->nidentities);
	main_ready(m->conf, m->rules);
	return;
fail:
	log_err("SIGHUP: %s; still running with the previous configuration",
	    err);
	audit_close(audit);
	rules_free(rules);
	config_free(conf);
	main_ready(m->conf, m->rules);
}

int
main(int argc, char *argv[])
{
	const char	*file = DEFAULT_CONFIG;
	struct config	*conf;
	struct ruleset	*rules;
	struct mainctx	 m;
	struct event	*ev_term, *ev_int, *ev_hup, *ev_usr1;
	struct audit_conf ac;
	sigset_t	 late, mask;
	char		 err[1024];
	int		 ch, check = 0, debug = 0, *ifds;
	int		 nifds, status;

	if (argc > 1 && strcmp(argv[1], "explain") == 0)
		return explain_main(argc - 1, argv + 1, DEFAULT_CONFIG);
	if (argc > 1 && strcmp(argv[1], "cert") == 0)
		return cert_main(argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "reap") == 0)
		return reap_main(argc - 1, argv + 1, DEFAULT_CONFIG);
	while ((ch = getopt(argc, argv, "c:dhtV")) != -1) {
		switch (ch) {
		case 'c':
			file = optarg;
			break;
		case 'd':
			debug = 1;
			break;
		case 't':
			check = 1;
			break;
		case 'V':
			printf("sockguard %s\n", SOCKGUARD_VERSION);
			return 0;
		case 'h':
			usage(0);
		default:
			usage(1);
		}
	}
	if (optind != argc)
		usage(1);
	log_init(debug ? LOG_LVL_DEBUG : LOG_LVL_INFO);
	if (config_load(file, &conf, err, sizeof(err)) == -1) {
		log_err("%s", err);
		return 1;
	}
	if (rules_load(conf->rules, &rules, err, sizeof(err)) == -1 ||
	    reap_exit_prepare(conf, rules, err, sizeof(err)) == -1) {
		log_err("%s", err);
		rules_free(rules);
		config_free(conf);
		return 1;
	}
	if (check) {
		printf("%s: configuration OK; rules %s: %zu profiles, %zu "
		    "identity rules\n", file, conf->rules, rules->nprofiles,
		    rules->nidentities);
		rules_free(rules);
		config_free(conf);
		return 0;
	}
	/* Sockets from systemd's socket activation, if any. */
	if ((nifds = sdn_listen_fds(&ifds, err, sizeof(err))) == -1) {
		log_err("socket activation: %s", err);
		rules_free(rules);
		config_free(conf);
		return 1;
	}
	main_harden(conf->limits.max_connections);
	signal(SIGPIPE, SIG_IGN);
	/* A file size limit must fail an audit write, not kill us. */
	signal(SIGXFSZ, SIG_IGN);
	memset(&m, 0, sizeof(m));
	m.file = file;
	main_audit_conf(conf, &ac);
	if (main_audit_wanted(&ac) &&
	    audit_open(&ac, &m.audit, err, sizeof(err)) == -1) {
		log_err("%s", err);
		rules_free(rules);
		config_free(conf);
		return 1;
	}
	if ((m.base = event_base_new()) == NULL)
		fatal("cannot create the event loop");
	/*
	 * The sandbox goes on before the listeners open: Landlock binds only
	 * the threads started after it (the TLS handshake threads start with
	 * the first TLS listener), and binding the sockets and reading the
	 * TLS material under it is what every reload will do.
	 */
	if (sandbox_apply(conf, err, sizeof(err)) == -1) {
		log_err("%s (sandbox: false in the configuration runs without "
		    "it)", err);
		audit_close(m.audit);
		event_base_free(m.base);
		rules_free(rules);
		config_free(conf);
		return 1;
	}
	m.px = proxy_new(m.base, conf, rules);	/* it owns them now */
	m.conf = conf;
	m.rules = rules;
	proxy_set_audit(m.px, m.audit);
	proxy_set_inherited(m.px, ifds, (size_t)nifds);
	if (proxy_listen(m.px, err, sizeof(err)) == -1) {
		log_err("%s", err);
		proxy_free(m.px);
		audit_close(m.audit);
		event_base_free(m.base);
		return 1;
	}
	ev_term = evsignal_new(m.base, SIGTERM, main_sigterm, &m);
	ev_int = evsignal_new(m.base, SIGINT, main_sigterm, &m);
	ev_hup = evsignal_new(m.base, SIGHUP, main_sighup, &m);
	ev_usr1 = evsignal_new(m.base, SIGUSR1, main_sigusr1, &m);
	if (ev_term == NULL || ev_int == NULL || ev_hup == NULL ||
	    ev_usr1 == NULL || evsignal_add(ev_term, NULL) == -1 ||
	    evsignal_add(ev_int, NULL) == -1 ||
	    evsignal_add(ev_hup, NULL) == -1 ||
	    evsignal_add(ev_usr1, NULL) == -1)
		fatal("cannot install signal handlers");
	log_info("sockguard %s ready; upstream %s; rules %s (%zu profiles)",
	    SOCKGUARD_VERSION, conf->upstream, conf->rules, rules->nprofiles);
	main_ready(m.conf, m.rules);
	event_base_dispatch(m.base);
	/*
	 * Freeing the signal events restores the default actions, which
	 * would kill us: the signals wait, blocked, for main_reap().
	 */
	sigemptyset(&late);
	sigaddset(&late, SIGTERM);
	sigaddset(&late, SIGINT);
	sigaddset(&late, SIGHUP);
	sigaddset(&late, SIGUSR1);
	if (sigprocmask(SIG_BLOCK, &late, &mask) == -1)
		fatal("sigprocmask: %s", strerror(errno));
	event_free(ev_term);
	event_free(ev_int);
	event_free(ev_hup);
	event_free(ev_usr1);
	status = main_reap(&m, &mask);
	if (status == 0)
		log_info("stopped");
	else
		log_err("stopped, exit status %d: reap_on_exit left objects "
		    "behind (see above)", status);
	proxy_free(m.px);
	audit_close(m.audit);
	event_base_free(m.base);
	return status;
}
