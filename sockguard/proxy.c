/*
 * Sessions: one client connection, its current request, and the upstream
 * connection that carries it.  The request side and the response side
 * advance independently; a new request is read only when both are done,
 * so pipelined requests are answered in order.
 */
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <errno.h>
#include <time.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

#include "audit.h"
#include "config.h"
#include "docker.h"
#include "http.h"
#include "identity.h"
#include "json.h"
#include "listen.h"
#include "log.h"
#include "lookup.h"
#include "owner.h"
#include "policy.h"
#include "proxy.h"
#include "rules.h"
#include "sdnotify.h"
#include "tenant.h"
#include "tls.h"
#include "xmalloc.h"

/* Output queued towards one side before we stop reading the other. */
#define PROXY_HIGH_WM		(512 * 1024)
#define PROXY_LOW_WM		(PROXY_HIGH_WM / 2)
/* Bytes parsed per callback, so one busy stream cannot starve others. */
#define PROXY_PUMP_MAX		(1024 * 1024)
#define PROXY_READ_MAX		(256 * 1024)
#define PROXY_FLUSH_TIMEOUT_MS	10000
/* A denied request's body is read and dropped up to this much, so the
 * client reads the denial instead of a reset; beyond it we close. */
#define PROXY_DISCARD_MAX	(16 * 1024 * 1024)
/* Out of descriptors, a listener rests this long before accept(2) again. */
#define PROXY_ACCEPT_PAUSE_MS	100
/* A client without connections is forgotten (bucket and all) after this. */
#define PROXY_TENANT_IDLE_MS	(10 * 60 * 1000)

enum sess_state {
	SS_HEAD,	/* waiting for / reading a request head */
	SS_LOOKUP,	/* asking dockerd about the target container */
	SS_BODY_BUFFER,	/* reading a JSON body whole before forwarding */
	SS_BODY_STREAM,	/* forwarding a body as it arrives */
	SS_WAIT,	/* request sent; the response is being relayed */
	SS_HIJACK,	/* raw bidirectional stream (attach, exec, ...) */
	SS_DISCARD,	/* answered; dropping the rest of the body */
	SS_CLOSING	/* flushing a last response, then close */
};

enum sess_timer { ST_NONE, ST_IDLE, ST_HEADER, ST_FLUSH, ST_UPSTREAM,
    ST_BODY };

/* An answer of sockguard's own to a HEAD request carries no body. */
#define SESS_HEAD_ONLY(s) ((s)->sess_have_req && \
	(s)->sess_req.method_id == HTTP_HEAD)

/*
 * A configuration and its rules, as they were when loaded.  A reload
 * makes a new generation; a request keeps the one it started with (its
 * profile points into those rules) until it is done.
 */
struct gen {
	int			 refs;
	struct config		*conf;
	struct ruleset		*rules;
	struct policy_ctx	 pctx;
	const char		**own;		/* our socket paths */
};

/*
 * A listening socket.  Listeners outlive their configuration: a reload
 * keeps those it still has (pointing them at the new conf), and one it
 * removes is closed but kept, retired, until the proxy is freed, for the
 * handshakes still under way on it.
 */
struct listener {
	struct proxy		*px;
	const struct listen_conf *conf;		/* NULL once retired */
	char			 label[128];
	struct evconnlistener	*evl;
	struct listen_sock	 sock;
	struct tls_server	*tls;		/* tcp: listeners */
	int			 inherited;	/* systemd's socket, not ours */
	size_t			 ifd_slot;	/* its place in px_ifds */
	int			 retired;
	struct event		*resume;	/* accept again after a pause */
	uint64_t		 accept_logged;	/* last accept error logged, ms */
	uint64_t		 accept_failed;	/* since then */
};

struct session {
	TAILQ_ENTRY(session)	 sess_entry;
	struct proxy		*sess_px;
	struct listener		*sess_ls;
	struct gen		*sess_gen;	/* of the current request */
	char			 sess_lname[128];	/* the listener's */
	uint64_t		 sess_id;
	pid_t			 sess_pid;	/* peer credentials */
	uid_t			 sess_uid;
	gid_t			 sess_gid;
	struct identity		 sess_ident;
	const struct profile	*sess_profile;	/* of the current request */
	struct policy_request	 sess_preq;	/* of the current request */
	struct lookup		*sess_lookup;	/* SS_LOOKUP */
	json_t			*sess_jbody;	/* create body, joins checked */
	struct policy_join	*sess_joins;
	size_t			 sess_njoins, sess_joini;
	const char		*sess_op;	/* "exec into", ... */
	/* ownership (profiles with ownership:), of the current request */
	char			 sess_owner[OWNER_MAX + 1];	/* "" none */
	struct owner_route	 sess_oroute;	/* what the route names */
	enum owner_kind		 sess_okind;	/* of the lookup under way */
	char			 sess_oname[256]; /* its reference */
	struct owner_ref	*sess_orefs;	/* a body's references */
	size_t			 sess_norefs, sess_orefi;
	struct evbuffer		*sess_events;	/* events: decoded body */
	char			(*sess_dests)[256]; /* image names set */
	size_t			 sess_ndests, sess_desti;
	int			 sess_dest_pull;
	enum docker_body	 sess_body_kind; /* of the current request */
	size_t			 sess_discarded; /* SS_DISCARD */
	/* the current request, for the audit log */
	char			 sess_rid[17];
	char			 sess_rid_hdr[80];	/* + Retry-After */
	struct timespec		 sess_t0;
	struct decision		 sess_dec;	/* what forwarding rests on */
	json_t			*sess_summary;
	int			 sess_forwarded; /* "complete" record owed */
	uint64_t		 sess_hj_in, sess_hj_out; /* stream bytes */
	int			 sess_depth;	/* callbacks running on it */
	int			 sess_dead;	/* freed once they return */
	char			 sess_version[16];
	struct bufferevent	*sess_cl;	/* client side */
	struct tls_conn		*sess_tls;	/* its TLS, or NULL */
	struct tls_peer		*sess_peer;	/* the certificate's identity */
	char			 sess_remote[64];
	char			 sess_who[192];	/* "uid 0 pid 1" / "CN x, addr" */
	struct tenant		*sess_tenant;	/* for the profile limits */
	unsigned		 sess_over_conns; /* limits.connections hit */
	int			 sess_cl_error;	/* no graceful TLS close */
	struct bufferevent	*sess_up;	/* upstream, may be NULL */
	int			 sess_pending;	/* in px_npending */
	struct event		*sess_timer;
	enum sess_timer		 sess_timer_kind;
	enum sess_state		 sess_state;
	size_t			 sess_scanned;	/* head scan progress */
	int			 sess_have_req;
	struct http_request	 sess_req;
	struct evbuffer		*sess_body;	/* SS_BODY_BUFFER */
	int			 sess_resp_active;
	struct http_response	 sess_resp;
	int			 sess_close_after; /* no more requests */
	int			 sess_cl_paused; /* client reads paused by us */
	int			 sess_up_answered; /* dockerd began its answer */
	int			 sess_up_paused;
	int			 sess_cl_eof;	/* hijack half-closes */
	int			 sess_up_eof;
	int			 sess_cl_shut;
	int			 sess_up_shut;
	uint64_t		 sess_nreq;
	int			 sess_heading;	/* in sess_read_head() */
	int			 sess_head_again; /* a request ended inside */
};

struct proxy {
	struct event_base	*px_base;
	const struct config	*px_conf;	/* px_gen's */
	struct gen		*px_gen;	/* the current one */
	struct audit		*px_audit;	/* may be NULL */
	struct listener		**px_ls;	/* open */
	size_t			 px_nls;
	struct listener		**px_retired;
	size_t			 px_nretired;
	TAILQ_HEAD(, session)	 px_sessions;
	size_t			 px_nsessions;
	struct tls_pool		*px_pool;	/* TLS handshake threads */
	size_t			 px_nhandshakes;	/* in the pool */
	int			 px_freeing;
	struct tenants		*px_tenants;	/* per-client usage */
	struct event		*px_sweep;	/* forgets idle clients */
	int			*px_ifds;	/* sockets from systemd */
	size_t			 px_nifds;
	uint64_t		 px_next_id;
	size_t			 px_npending;	/* waiting for dockerd */
	uint64_t		 px_pending_logged; /* when, ms */
	uint64_t		 px_pending_refused; /* since then */
	int			 px_draining;
	struct event		*px_drain_timer;
	void			(*px_drained)(void *);
	void			*px_drained_arg;
};

static void	proxy_accept_cb(struct evconnlistener *, evutil_socket_t,
		    struct sockaddr *, int, void *);
static void	cl_read_cb(struct bufferevent *, void *);
static void	cl_write_cb(struct bufferevent *, void *);
static void	cl_event_cb(struct bufferevent *, short, void *);
static void	up_read_cb(struct bufferevent *, void *);
static void	up_write_cb(struct bufferevent *, void *);
static void	up_event_cb(struct bufferevent *, short, void *);
static void	sess_timer_cb(evutil_socket_t, short, void *);
static void	sess_read_head(struct session *);
static void	sess_pump_body(struct session *);
static int	sess_pump_response(struct session *);
static void	sess_request_done(struct session *);
static void	sess_close(struct session *, const char *);
static void	sess_finish(struct session *);
static void	sess_abort(struct session *, int, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
static void	sess_hijack(struct session *);
static void	sess_upstream_gone(struct session *, int);
static void	sess_proceed(struct session *);
static void	sess_destroy(struct session *);
static void	sess_hijack_eof(struct session *);
static void	sess_enter(struct session *);
static void	sess_leave(struct session *);
static void	bev_flush(struct bufferevent *);
static void	sess_audit_complete(struct session *, int);
static void	sess_discard_body(struct session *);
static void	sess_joins_clear(struct session *);
static int	sess_over_rate(struct session *, struct decision *);

/* CLOCK_MONOTONIC in milliseconds, for the per-client limits. */
static uint64_t
proxy_now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}
static void	sess_hijack_relay(struct session *);
static void	sess_lookup_go(struct session *, const char *, size_t,
		    unsigned, lookup_cb);

/*
 * The entry point of a look-up's answer: dockerd has answered it, so the
 * session no longer waits for dockerd (limits.max_pending_upstream); run
 * handles the answer with the session held.
 */
#define SESS_LOOKUP_CB(name, run)					\
static void								\
name(void *arg, int status, json_t *inspect, const char *err)		\
{									\
	struct session	*s = arg;					\
									\
	sess_enter(s);							\
	sess_pending_end(s);						\
	run(s, status, inspect, err);					\
	sess_leave(s);							\
}
static void	proxy_check_drained(struct proxy *);

/* A generation of conf and rules; it owns both. */
static struct gen *
gen_new(struct config *conf, struct ruleset *rules)
{
	struct gen	*g;
	size_t		 i;

	g = xcalloc(1, sizeof(*g));
	g->refs = 1;
	g->conf = conf;
	g->rules = rules;
	/* Never bind-mountable: our sockets, and dockerd's wherever it is. */
	g->own = xcalloc(conf->nlisten + 2, sizeof(*g->own));
	g->own[g->pctx.nown_sockets++] = conf->upstream;
	for (i = 0; i < conf->nlisten; i++)
		if (conf->listen[i].path != NULL)
			g->own[g->pctx.nown_sockets++] = conf->listen[i].path;
	g->pctx.own_sockets = g->own;
	g->pctx.resolve = policy_resolve_host;
	return g;
}

static struct gen *
gen_ref(struct gen *g)
{
	g->refs++;
	return g;
}

static void
gen_unref(struct gen *g)
{
	if (g == NULL || --g->refs > 0)
		return;
	free(g->own);
	rules_free(g->rules);
	config_free(g->conf);
	free(g);
}

/* Writes what is queued for the client now (see bev_flush()). */
static void
sess_cl_flush(struct session *s)
{
	if (s->sess_tls != NULL)
		tls_conn_flush(s->sess_tls);
	else
		bev_flush(s->sess_cl);
}

/* Reads from the client again (after a pause). */
static void
sess_cl_read_on(struct session *s)
{
	bufferevent_enable(s->sess_cl, EV_READ);
	if (s->sess_tls != NULL)
		tls_conn_kick(s->sess_tls);
}

/* Arms the session's one timer, or stops it (kind ST_NONE). */
static void
sess_set_timer(struct session *s, enum sess_timer kind, unsigned ms)
{
	struct timeval	tv;

	s->sess_timer_kind = kind;
	if (kind == ST_NONE) {
		evtimer_del(s->sess_timer);
		return;
	}
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(s->sess_timer, &tv);
}

/*
 * Counts the session among the requests that wait for dockerd to begin
 * its answer (a forwarded request or a look-up); -1, counting nothing,
 * when limits.max_pending_upstream of them already do.
 */
static int
sess_pending_take(struct session *s)
{
	struct proxy	*px = s->sess_px;

	if (s->sess_pending)
		return 0;
	if (px->px_npending >= px->px_conf->limits.max_pending_upstream)
		return -1;
	s->sess_pending = 1;
	px->px_npending++;
	return 0;
}

/*
 * A streamed body is upstream whole: from now the session waits for
 * dockerd.  Counted even past the cap: the request is there already.
 */
static void
sess_pending_resume(struct session *s)
{
	if (s->sess_pending || s->sess_up_answered)
		return;
	s->sess_pending = 1;
	s->sess_px->px_npending++;
}

/* dockerd began to answer, or the session stopped waiting for it. */
static void
sess_pending_end(struct session *s)
{
	if (!s->sess_pending)
		return;
	s->sess_pending = 0;
	s->sess_px->px_npending--;
	if (s->sess_timer_kind == ST_UPSTREAM)
		sess_set_timer(s, ST_NONE, 0);
}

/* The request is upstream whole: dockerd has upstream_timeout to answer. */
static void
sess_await_answer(struct session *s)
{
	if (s->sess_pending && s->sess_resp_active)
		sess_set_timer(s, ST_UPSTREAM,
		    s->sess_px->px_conf->limits.upstream_timeout_ms);
}

/* Fills the fields every audit record of the current request shares. */
static void
sess_audit_fill(struct session *s, struct audit_rec *rec, const char *stage)
{
	struct http_request	*req = &s->sess_req;

	memset(rec, 0, sizeof(*rec));
	rec->stage = stage;
	rec->id = s->sess_rid;
	rec->conn = s->sess_id;
	rec->ident = &s->sess_ident;
	rec->profile = s->sess_profile != NULL ? s->sess_profile->name : "";
	rec->method = req->method != NULL ? req->method : "";
	rec->path = req->url != NULL ? req->url : "";
	rec->path_len = req->url != NULL ? req->url_len : 0;
	rec->api_version = s->sess_version;
}

/*
 * Writes the "decision" record of the current request.  Returns -1 if
 * the audit file could not be written and audit.on_failure is deny.
 */
static int
sess_audit_decision(struct session *s, const struct decision *d,
    const char *word)
{
	struct proxy	*px = s->sess_px;
	struct audit_rec rec;
	int		 saved;

	if (px->px_audit == NULL)
		return 0;
	sess_audit_fill(s, &rec, "decision");
	rec.decision = word != NULL ? word : audit_decision(d);
	rec.rule = d->rule;
	rec.reason = d->reason;
	rec.field = d->field;
	rec.value = d->value;
	rec.summary = s->sess_summary;
	if (audit_write(px->px_audit, &rec) == 0)
		return 0;
	saved = errno;
	log_err("audit: cannot write to %s: %s%s",
	    px->px_conf->audit_path ? px->px_conf->audit_path : "the log",
	    strerror(saved), px->px_conf->audit_fail_open ? " (forwarding "
	    "anyway: audit.on_failure is allow)" : "; refusing requests until "
	    "it can (audit.on_failure: deny)");
	errno = saved;
	return px->px_conf->audit_fail_open ? 0 : -1;
}

/* Writes the "complete" record of a forwarded request. */
static void
sess_audit_complete(struct session *s, int status)
{
	struct proxy	*px = s->sess_px;
	struct audit_rec rec;
	struct timespec	 now;

	s->sess_forwarded = 0;
	if (px->px_audit == NULL)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	sess_audit_fill(s, &rec, "complete");
	rec.decision = audit_decision(&s->sess_dec);
	rec.rule = s->sess_dec.rule;
	rec.reason = s->sess_dec.reason;
	rec.status = status;
	rec.bytes_in = s->sess_req.head_len + s->sess_req.body_seen +
	    s->sess_hj_in;
	rec.bytes_out = s->sess_resp.bytes + s->sess_hj_out;
	rec.duration_ms = (double)(now.tv_sec - s->sess_t0.tv_sec) * 1000.0 +
	    (double)(now.tv_nsec - s->sess_t0.tv_nsec) / 1e6;
	if (audit_write(px->px_audit, &rec) == -1)
		log_err("audit: cannot write to %s: %s; the complete record "
		    "of request %s is lost", px->px_conf->audit_path ?
		    px->px_conf->audit_path : "the log", strerror(errno),
		    s->sess_rid);
}

/* Records a request sockguard itself refused as malformed or failed. */
static void
sess_audit_error(struct session *s, int status, const char *msg)
{
	struct decision	d;

	policy_init(&d, s->sess_profile);
	d.status = status;
	snprintf(d.rule, sizeof(d.rule), "http");
	snprintf(d.reason, sizeof(d.reason), "%d %.40s: %.400s", status,
	    http_status_text(status), msg);
	(void)sess_audit_decision(s, &d, "error");
}

/*
 * Ends a session.  Inside one of its callbacks (sess_depth > 0) it is
 * only marked, and freed when the outermost callback returns, so code
 * that unwinds never touches freed memory.
 */
static void
sess_free(struct session *s)
{
	if (s->sess_depth > 0) {
		if (!s->sess_dead) {
			s->sess_dead = 1;
			bufferevent_disable(s->sess_cl, EV_READ | EV_WRITE);
			if (s->sess_up != NULL)
				bufferevent_disable(s->sess_up,
				    EV_READ | EV_WRITE);
		}
		return;
	}
	sess_destroy(s);
}

/* Frees a session and everything it owns. */
static void
sess_destroy(struct session *s)
{
	struct proxy	*px = s->sess_px;

	if (s->sess_forwarded)
		sess_audit_complete(s, s->sess_state == SS_HIJACK ?
		    s->sess_resp.status : s->sess_resp.headers_done ?
		    s->sess_resp.status : 0);
	json_decref(s->sess_summary);
	sess_pending_end(s);
	TAILQ_REMOVE(&px->px_sessions, s, sess_entry);
	px->px_nsessions--;
	lookup_cancel(s->sess_lookup);
	sess_joins_clear(s);
	if (s->sess_up != NULL)
		bufferevent_free(s->sess_up);
	if (s->sess_tls != NULL)
		tls_conn_close(s->sess_tls, !s->sess_cl_error &&
		    !px->px_freeing);
	else
		bufferevent_free(s->sess_cl);
	tls_peer_free(s->sess_peer);
	tenant_release(s->sess_tenant, proxy_now_ms());
	gen_unref(s->sess_gen);
	event_free(s->sess_timer);
	http_request_clear(&s->sess_req);
	if (s->sess_body != NULL)
		evbuffer_free(s->sess_body);
	if (s->sess_events != NULL)
		evbuffer_free(s->sess_events);
	free(s);
	proxy_check_drained(px);
}

/* Drops the upstream connection (it cannot be reused). */
static void
sess_drop_upstream(struct session *s)
{
	if (s->sess_up != NULL) {
		bufferevent_free(s->sess_up);
		s->sess_up = NULL;
	}
	sess_pending_end(s);
	s->sess_resp_active = 0;
	s->sess_up_paused = 0;
	s->sess_up_eof = 0;
}

/* Ends the session now; reason is logged at debug level. */
static void
sess_close(struct session *s, const char *reason)
{
	log_debug("conn %llu: closed: %s", (unsigned long long)s->sess_id,
	    reason);
	sess_free(s);
}

/* Stops reading from the client, flushes its output, then closes. */
static void
sess_finish(struct session *s)
{
	s->sess_state = SS_CLOSING;
	sess_drop_upstream(s);
	bufferevent_disable(s->sess_cl, EV_READ);
	sess_cl_flush(s);
	if (evbuffer_get_length(bufferevent_get_output(s->sess_cl)) == 0) {
		sess_close(s, "done");
		return;
	}
	bufferevent_setwatermark(s->sess_cl, EV_WRITE, 0, 0);
	sess_set_timer(s, ST_FLUSH, PROXY_FLUSH_TIMEOUT_MS);
}

/* Answers the client with a sockguard error and closes the connection. */
static void
sess_abort(struct session *s, int status, const char *fmt, ...)
{
	char	msg[512];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_info("conn %llu (%s): %d %s: %s", (unsigned long long)s->sess_id,
	    s->sess_who, status, http_status_text(status), msg);
	if (!s->sess_have_req) {
		/* Refused before a head parsed: a request of its own. */
		audit_new_id(s->sess_rid);
		snprintf(s->sess_rid_hdr, sizeof(s->sess_rid_hdr),
		    "X-Sockguard-Request-Id: %s\r\n", s->sess_rid);
	}
	if (!s->sess_forwarded)
		sess_audit_error(s, status, msg);
	http_write_error_hdr(bufferevent_get_output(s->sess_cl), status, 1,
	    s->sess_rid_hdr, SESS_HEAD_ONLY(s), "%s", msg);
	sess_finish(s);
}

/*
 * limits.max_pending_upstream requests already wait for dockerd: answers
 * 503 and audits it; nothing goes upstream.  The caller ends the request.
 */
static void
sess_refuse_pending(struct session *s)
{
	struct proxy	*px = s->sess_px;
	uint64_t	 now = proxy_now_ms();
	char		 msg[200];

	if (!s->sess_req.body_done || s->sess_req.upgrade)
		s->sess_close_after = 1;
	snprintf(msg, sizeof(msg), "%zu requests are already waiting for the "
	    "Docker Engine to answer (limits.max_pending_upstream); try "
	    "again later", px->px_npending);
	sess_audit_error(s, 503, msg);
	/* Once per 10 s at most: a stalled dockerd makes many of these. */
	px->px_pending_refused++;
	if (px->px_pending_logged == 0 || now - px->px_pending_logged >=
	    10000) {
		log_warn("limits.max_pending_upstream (%zu) reached: that many "
		    "requests wait for the Docker Engine at %s to answer; "
		    "%llu refused with 503 since the last such line",
		    px->px_conf->limits.max_pending_upstream,
		    px->px_conf->upstream,
		    (unsigned long long)px->px_pending_refused);
		px->px_pending_logged = now;
		px->px_pending_refused = 0;
	}
	http_write_error_hdr(bufferevent_get_output(s->sess_cl), 503,
	    s->sess_close_after, s->sess_rid_hdr, SESS_HEAD_ONLY(s), "%s",
	    msg);
}

/* Connects to the upstream socket; -1 with errno set. */
static int
sess_connect_upstream(struct session *s)
{
	struct sockaddr_un	 sun;
	struct bufferevent	*bev;
	int			 fd, saved;

	if (s->sess_up != NULL)
		return 0;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s",
	    s->sess_px->px_conf->upstream);
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 &&
	    errno != EINPROGRESS) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	bev = bufferevent_socket_new(s->sess_px->px_base, fd,
	    BEV_OPT_CLOSE_ON_FREE);
	if (bev == NULL) {
		close(fd);
		errno = ENOMEM;
		return -1;
	}
	bufferevent_setcb(bev, up_read_cb, up_write_cb, up_event_cb, s);
	bufferevent_setwatermark(bev, EV_WRITE, PROXY_LOW_WM, 0);
	bufferevent_set_max_single_read(bev, PROXY_READ_MAX);
	/* Writes go through bev_flush(); libevent enables EV_WRITE on new
	 * socket bufferevents, which would arm it for every write. */
	bufferevent_disable(bev, EV_WRITE);
	bufferevent_enable(bev, EV_READ);
	s->sess_up = bev;
	return 0;
}

/*
 * Sends the request head upstream with the given body framing and starts
 * tracking the response.  Answers 502 itself when dockerd is unreachable.
 */
static int
sess_forward_head(struct session *s, enum http_framing framing,
    uint64_t length)
{
	struct http_request	*req = &s->sess_req;
	int			 close_conn;

	if (sess_pending_take(s) == -1) {
		sess_refuse_pending(s);
		return -1;
	}
	if (!s->sess_forwarded) {
		/* Recorded before a byte goes upstream, or not forwarded. */
		if (sess_audit_decision(s, &s->sess_dec, NULL) == -1) {
			int saved = errno;

			sess_pending_end(s);

			if (!req->body_done)
				s->sess_close_after = 1;
			http_write_error_hdr(bufferevent_get_output(s->sess_cl),
			    503, s->sess_close_after, s->sess_rid_hdr, SESS_HEAD_ONLY(s), "the "
			    "audit log cannot be written (%s); requests are "
			    "refused until it can", strerror(saved));
			return -1;
		}
		s->sess_forwarded = 1;
	}
	if (sess_connect_upstream(s) == -1) {
		int saved = errno;

		sess_pending_end(s);
		log_warn("conn %llu: cannot connect to upstream %s: %s",
		    (unsigned long long)s->sess_id,
		    s->sess_px->px_conf->upstream, strerror(saved));
		if (!req->body_done)
			s->sess_close_after = 1;
		http_write_error_hdr(bufferevent_get_output(s->sess_cl), 502,
		    s->sess_close_after, s->sess_rid_hdr, SESS_HEAD_ONLY(s), "cannot connect to "
		    "the Docker Engine at %s: %s", s->sess_px->px_conf->upstream,
		    strerror(saved));
		sess_audit_complete(s, 502);
		return -1;
	}
	close_conn = !req->keep_alive || s->sess_px->px_draining;
	if (close_conn)
		s->sess_close_after = 1;
	http_request_write_head(req, bufferevent_get_output(s->sess_up),
	    framing, length, close_conn && !req->upgrade);
	http_response_init(&s->sess_resp, req->method_id == HTTP_HEAD);
	s->sess_resp.inject = s->sess_rid_hdr;
	if (s->sess_owner[0] != '\0' && s->sess_oroute.kind == OWN_EVENTS) {
		/* Each event is checked: dockerd's filter is not trusted. */
		if (s->sess_events == NULL)
			s->sess_events = evbuffer_new();
		evbuffer_drain(s->sess_events,
		    evbuffer_get_length(s->sess_events));
		s->sess_resp.body_sink = s->sess_events;
	}
	s->sess_resp_active = 1;
	s->sess_up_answered = 0;
	if (req->body_done)
		sess_await_answer(s);
	else
		/* Until the body is upstream whole the session waits for
		 * its client, not for dockerd: a stalled upload holds no
		 * slot of limits.max_pending_upstream. */
		sess_pending_end(s);
	return 0;
}

/* Pauses reading from src while dst's output is over the high mark. */
static int
sess_backpressure(struct session *s, struct bufferevent *src,
    struct bufferevent *dst)
{
	if (evbuffer_get_length(bufferevent_get_output(dst)) < PROXY_HIGH_WM)
		return 0;
	bufferevent_disable(src, EV_READ);
	if (src == s->sess_cl)
		s->sess_cl_paused = 1;
	else
		s->sess_up_paused = 1;
	return 1;
}

/*
 * Acts on a decision: an audit-only denial is logged and goes on; a
 * denial is answered (403, or 400 for a malformed request) and the
 * connection kept if the request was read whole.  Returns -1 when the
 * request was answered here (the session may be gone).
 */
static int
sess_decided(struct session *s, const struct decision *d)
{
	struct http_request	*req = &s->sess_req;

	if (d->audit_only)
		log_warn("conn %llu (%s): audit: would deny %s %.*s by "
		    "rule %s (profile %s): %s", (unsigned long long)s->sess_id,
		    s->sess_who, req->method, (int)req->path_len,
		    req->url, d->rule, d->profile, d->reason);
	if (d->allow) {
		/* The first (audit-only) denial is what the record shows. */
		if (!s->sess_dec.denied)
			s->sess_dec = *d;
		return 0;
	}
	(void)sess_audit_decision(s, d, NULL);
	log_info("conn %llu (%s): %d %s %.*s: rule %s (profile "
	    "%s): %s", (unsigned long long)s->sess_id, s->sess_who,
	    d->status, req->method, (int)req->path_len,
	    req->url, d->rule, d->profile, d->reason);
	if (!req->body_done && req->framing == HTTP_BODY_LENGTH &&
	    req->content_length > PROXY_DISCARD_MAX)
		s->sess_close_after = 1;
	/* The client may already be speaking the protocol it asked for. */
	if (req->upgrade)
		s->sess_close_after = 1;
	if (d->status == 403)
		http_write_error_hdr(bufferevent_get_output(s->sess_cl), 403,
		    s->sess_close_after, s->sess_rid_hdr, SESS_HEAD_ONLY(s), "denied by rule %s "
		    "(profile %s): %s", d->rule, d->profile, d->reason);
	else
		http_write_error_hdr(bufferevent_get_output(s->sess_cl),
		    d->status, s->sess_close_after, s->sess_rid_hdr, SESS_HEAD_ONLY(s), "%s",
		    d->reason);
	if (s->sess_close_after)
		sess_finish(s);
	else if (!req->body_done) {
		s->sess_state = SS_DISCARD;
		s->sess_discarded = 0;
		sess_set_timer(s, ST_FLUSH, s->sess_px->px_conf->limits.
		    header_timeout_ms);
		sess_discard_body(s);
	} else
		sess_request_done(s);
	return -1;
}

/* SS_DISCARD: read and drop the denied request's body, then go on. */
static void
sess_discard_body(struct session *s)
{
	struct evbuffer		*in = bufferevent_get_input(s->sess_cl);
	struct evbuffer		*sink;
	struct http_error	 err;
	int			 r;

	if ((sink = evbuffer_new()) == NULL) {
		sess_finish(s);
		return;
	}
	do {
		r = http_body_pump(&s->sess_req, in, sink, 0, PROXY_PUMP_MAX,
		    &err);
		s->sess_discarded += evbuffer_get_length(sink);
		evbuffer_drain(sink, evbuffer_get_length(sink));
	} while (r == 0 && evbuffer_get_length(in) > 0 &&
	    s->sess_discarded <= PROXY_DISCARD_MAX);
	evbuffer_free(sink);
	if (r == -1 || s->sess_discarded > PROXY_DISCARD_MAX) {
		s->sess_close_after = 1;
		sess_finish(s);
	} else if (r == 1) {
		sess_set_timer(s, ST_NONE, 0);
		sess_request_done(s);
	}
}

/* The audit summary of a create/exec/service body (no secrets). */
static void
sess_summarise(struct session *s, json_t *body)
{
	struct policy_request	*pr = &s->sess_preq;
	const char		*kind = NULL;
	char			 name[256] = "";
	size_t			 off, len;

	if (docker_route_match("/containers/create", pr->route,
	    pr->route_len)) {
		kind = "container";
		if (docker_query_get(pr->query, pr->query_len, "name", name,
		    sizeof(name)) != 1)
			name[0] = '\0';
	} else if (docker_route_match("/containers/*/exec", pr->route,
	    pr->route_len)) {
		kind = "exec";
		off = 12;
		for (len = 0; off + len < pr->route_len &&
		    pr->route[off + len] != '/'; len++)
			;
		snprintf(name, sizeof(name), "%.*s", (int)len,
		    pr->route + off);
	} else if (docker_route_match("/services/create", pr->route,
	    pr->route_len))
		kind = "service";
	else if (docker_route_match("/services/*/update", pr->route,
	    pr->route_len)) {
		kind = "service";
		for (len = 0; 10 + len < pr->route_len &&
		    pr->route[10 + len] != '/'; len++)
			;
		snprintf(name, sizeof(name), "%.*s", (int)len, pr->route + 10);
	}
	if (kind != NULL)
		s->sess_summary = audit_summary(kind, body,
		    name[0] != '\0' ? name : NULL);
}

/* Forwards the buffered body; rewrite: serialise j (what was checked). */
static void
sess_send_body(struct session *s, json_t *j, int rewrite)
{
	size_t	 len;
	char	*out;

	len = s->sess_body != NULL ? evbuffer_get_length(s->sess_body) : 0;
	if (rewrite && j != NULL) {
		if ((out = json_dumps(j, JSON_COMPACT)) == NULL) {
			json_decref(j);
			sess_abort(s, 500, "out of memory");
			return;
		}
		evbuffer_drain(s->sess_body, len);
		evbuffer_add(s->sess_body, out, strlen(out));
		len = strlen(out);
		free(out);
	}
	json_decref(j);
	if (sess_forward_head(s, len > 0 ? HTTP_BODY_LENGTH : HTTP_BODY_NONE,
	    len) == -1) {
		sess_request_done(s);
		return;
	}
	if (s->sess_body != NULL) {
		evbuffer_add_buffer(bufferevent_get_output(s->sess_up),
		    s->sess_body);
		evbuffer_free(s->sess_body);
		s->sess_body = NULL;
	}
	s->sess_state = SS_WAIT;
}

static void
sess_joins_clear(struct session *s)
{
	json_decref(s->sess_jbody);
	s->sess_jbody = NULL;
	free(s->sess_joins);
	s->sess_joins = NULL;
	s->sess_njoins = s->sess_joini = 0;
	free(s->sess_orefs);
	s->sess_orefs = NULL;
	s->sess_norefs = s->sess_orefi = 0;
	free(s->sess_dests);
	s->sess_dests = NULL;
	s->sess_ndests = s->sess_desti = 0;
}

static void	sess_join_next(struct session *);
static void	sess_ref_next(struct session *);
static int	sess_owner_deny(struct session *, int, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

/*
 * dockerd's answer about an object the request names (noun "container",
 * name as the client wrote it; verb "join", "use": a create or connect
 * refers to it, else NULL).
 * Returns 0 when dockerd described it (200), -1 once the client has been
 * answered: 502 if dockerd could not say, dockerd's own status and
 * message if it refused (400 for a missing object a create refers to:
 * on a 404 the docker CLI would pull).
 */
static int
sess_answered(struct session *s, int status, json_t *inspect,
    const char *err, const char *noun, const char *name, int namelen,
    const char *verb)
{
	struct http_request	*req = &s->sess_req;
	const char		*m;
	char			 why[400];

	if (status == 200)
		return 0;
	/* An answer of ours while the body is unread ends the connection. */
	if (!req->body_done)
		s->sess_close_after = 1;
	if (status == 0) {
		sess_abort(s, 502, "cannot ask the Docker Engine at %s about "
		    "%s %.*s: %s", s->sess_px->px_conf->upstream, noun,
		    namelen, name, err);
		return -1;
	}
	m = json_string_value(json_field(inspect, "message"));
	if (m == NULL)
		m = "the Docker Engine refused to describe it";
	if (verb != NULL)
		snprintf(why, sizeof(why), "cannot %s %s %.*s: %s", verb, noun,
		    namelen, name, m);
	else
		snprintf(why, sizeof(why), "%s", m);
	if (verb != NULL && status == 404)
		status = 400;
	sess_audit_error(s, status, why);
	http_write_error_hdr(bufferevent_get_output(s->sess_cl), status,
	    s->sess_close_after, s->sess_rid_hdr, SESS_HEAD_ONLY(s), "%s", why);
	if (s->sess_close_after)
		sess_finish(s);
	else
		sess_request_done(s);
	return -1;
}

/* sess_answered() for a container; returns its full id, or NULL. */
static const char *
sess_inspect_id(struct session *s, int status, json_t *inspect,
    const char *err, const char *name, int namelen, int join)
{
	const char	*id;

	if (sess_answered(s, status, inspect, err, "container", name,
	    namelen, join ? "join" : NULL) == -1)
		return NULL;
	if ((id = policy_inspect_id(inspect)) == NULL) {
		sess_abort(s, 502, "the Docker Engine described container "
		    "%.*s without a valid id", namelen, name);
		return NULL;
	}
	return id;
}

/* dockerd described the container of the current join. */
static void
sess_join_run(struct session *s, int status, json_t *inspect,
    const char *err)
{
	struct policy_join	*pj = &s->sess_joins[s->sess_joini];
	struct decision		 d;
	const char		*id;

	s->sess_lookup = NULL;
	if ((id = sess_inspect_id(s, status, inspect, err, pj->name,
	    (int)strlen(pj->name), 1)) == NULL) {
		sess_joins_clear(s);
		return;
	}
	policy_init(&d, s->sess_profile);
	policy_existing(s->sess_profile, &s->sess_gen->pctx, "join", inspect,
	    &d);
	if (sess_decided(s, &d) == -1) {
		sess_joins_clear(s);
		return;
	}
	if (s->sess_owner[0] != '\0') {
		const char	*oid;
		char		 why[400];

		if (owner_check(OWN_CONTAINER, inspect, pj->name,
		    s->sess_profile->ownership.label, s->sess_owner, 1, &oid,
		    why, sizeof(why)) != 1 &&
		    sess_owner_deny(s, 403, "cannot join: %s", why) == -1) {
			sess_joins_clear(s);
			return;
		}
	}
	/* Forward the full id: a name re-taken meanwhile cannot switch it. */
	if (policy_join_rewrite(pj, id) == -1) {
		sess_joins_clear(s);
		sess_abort(s, 500, "out of memory");
		return;
	}
	s->sess_joini++;
	sess_join_next(s);
}

SESS_LOOKUP_CB(sess_join_cb, sess_join_run)

/* Looks up the next container the create joins, or forwards. */
static void
sess_join_next(struct session *s)
{
	char	path[3 * POLICY_JOIN_NAME + 32], seg[3 * POLICY_JOIN_NAME + 1];

	if (s->sess_joini == s->sess_njoins) {
		sess_ref_next(s);
		return;
	}
	if (lookup_escape_segment(s->sess_joins[s->sess_joini].name, seg,
	    sizeof(seg)) == -1) {
		sess_joins_clear(s);
		sess_abort(s, 414, "a container name is too long");
		return;
	}
	snprintf(path, sizeof(path), "/containers/%s/json", seg);
	sess_lookup_go(s, path, 4 * 1024 * 1024, 15000, sess_join_cb);
}

/*
 * A container create that joins other containers (profiles with joins
 * checked): ask dockerd about each, in turn; j is the session's now.
 */
static void
sess_start_joins(struct session *s, json_t *j, size_t n)
{
	/* More only gets past policy_body() in audit mode, which recorded
	 * the denial; dockerd is asked about the first ones only. */
	if (n > POLICY_MAX_JOINS)
		n = POLICY_MAX_JOINS;
	s->sess_jbody = j;
	s->sess_joins = n > 0 ? xcalloc(n, sizeof(*s->sess_joins)) : NULL;
	s->sess_njoins = n > 0 ? policy_joins(j, s->sess_joins, n) : 0;
	if (s->sess_njoins > n)
		s->sess_njoins = n;
	s->sess_joini = 0;
	sess_join_next(s);
}

/*
 * Ownership of a body (profiles with ownership): a create gets the owner
 * label, and the objects it refers to are listed for lookup (in
 * sess_orefs).  Returns -1 when the client was answered.
 */
static int
sess_owner_body(struct session *s, json_t *j, struct decision *d)
{
	const struct ownership	*o = &s->sess_profile->ownership;
	struct policy_request	*pr = &s->sess_preq;
	enum owner_kind		 k = s->sess_oroute.kind;
	char			 why[256];
	size_t			 n;
	int			 r;

	if (s->sess_owner[0] == '\0')
		return 0;
	if (k == OWN_CREATE || k == OWN_COMMIT) {
		if (j == NULL && k == OWN_CREATE)
			return sess_owner_deny(s, 400, "a create needs a "
			    "JSON body");
		r = owner_label_body(j, o->label, s->sess_owner, why,
		    sizeof(why));
		if (r == -1)
			return sess_owner_deny(s, 403, "%s", why);
		if (owner_create_body(pr->route, pr->route_len, j) == 1)
			r = 1;
		if (r == 1)
			d->rewritten = 1;
	}
	n = owner_refs(pr->route, pr->route_len, j, NULL, 0);
	if (n > OWNER_MAX_REFS)
		return sess_owner_deny(s, 403, "the request refers to %zu "
		    "volumes, networks or containers; at most %d are looked "
		    "at", n, OWNER_MAX_REFS);
	if (n > 0) {
		s->sess_orefs = xcalloc(n, sizeof(*s->sess_orefs));
		s->sess_norefs = owner_refs(pr->route, pr->route_len, j,
		    s->sess_orefs, n);
		s->sess_orefi = 0;
	}
	return 0;
}

/*
 * A JSON body has been read whole (or there was none): parse it strictly,
 * decide, and forward exactly what the rules saw.
 */
static void
sess_body_complete(struct session *s)
{
	struct policy_request	*pr = &s->sess_preq;
	struct decision		 d;
	size_t			 len, n;
	json_t			*j = NULL;
	char			 why[256];

	len = s->sess_body != NULL ? evbuffer_get_length(s->sess_body) : 0;
	policy_init(&d, s->sess_profile);
	if (len > 0) {
		/* Any JSON value: policy_body() says which shapes a route
		 * takes ("null" from docker commit, lists for plugins). */
		j = json_body_parse((const char *)evbuffer_pullup(s->sess_body,
		    -1), len, 0, why, sizeof(why));
		if (j == NULL) {
			d.allow = 0;
			d.denied = 1;
			d.status = 400;
			snprintf(d.rule, sizeof(d.rule), "body");
			snprintf(d.reason, sizeof(d.reason), "the JSON body is "
			    "refused: %s", why);
			sess_decided(s, &d);
			return;
		}
	}
	pr->body = j;
	pr->body_present = len > 0;
	policy_body(s->sess_profile, &s->sess_gen->pctx, pr, &d);
	n = d.allow ? policy_create_joins(s->sess_profile, pr) : 0;
	pr->body = NULL;
	if (d.allow && sess_owner_body(s, j, &d) == -1) {
		json_decref(j);
		return;
	}
	if (s->sess_px->px_audit != NULL && j != NULL)
		sess_summarise(s, j);
	if (sess_decided(s, &d) == -1) {
		json_decref(j);
		return;
	}
	if (n > 0 || s->sess_norefs > 0) {
		sess_start_joins(s, j, n);
		return;
	}
	/* Bind sources resolved: forward what the rules checked. */
	sess_send_body(s, j, d.allow && d.rewritten);
}

/* The container segment of /containers/{id}/...: start and length. */
static void
sess_container_segment(const struct policy_request *pr, size_t *off,
    size_t *len)
{
	size_t	i = 12;		/* strlen("/containers/") */

	*off = i;
	while (i < pr->route_len && pr->route[i] != '/')
		i++;
	*len = i - *off;
}

/*
 * dockerd answered about the target container: decide, then forward the
 * request by the container's full id.
 */
static void
sess_lookup_run(struct session *s, int status, json_t *inspect,
    const char *err)
{
	struct http_request	*req = &s->sess_req;
	struct policy_request	*pr = &s->sess_preq;
	struct decision		 d;
	const char		*id;
	size_t			 off, len, prefix;

	s->sess_lookup = NULL;
	sess_container_segment(pr, &off, &len);
	if ((id = sess_inspect_id(s, status, inspect, err, pr->route + off,
	    (int)len, 0)) == NULL)
		return;
	policy_init(&d, s->sess_profile);
	policy_existing(s->sess_profile, &s->sess_gen->pctx, s->sess_op,
	    inspect, &d);
	if (sess_decided(s, &d) == -1)
		return;
	/* Forward by full id: a name re-taken meanwhile cannot switch it. */
	prefix = (size_t)(pr->route - req->url);
	xasprintf(&req->url_forward, "%.*s/containers/%s%.*s%.*s",
	    (int)prefix, req->url, id,
	    (int)(pr->route_len - off - len), pr->route + off + len,
	    (int)(req->url_len - req->path_len), req->url + req->path_len);
	s->sess_state = SS_HEAD;
	sess_proceed(s);
}

SESS_LOOKUP_CB(sess_lookup_cb, sess_lookup_run)

/* Asks dockerd which container the request names, and what it is. */
static void
sess_start_lookup(struct session *s)
{
	struct policy_request	*pr = &s->sess_preq;
	char			 path[512];
	size_t			 off, len;

	sess_container_segment(pr, &off, &len);
	/* The raw segment: dockerd decodes it the same way for both. */
	if (snprintf(path, sizeof(path), "/containers/%.*s/json", (int)len,
	    pr->route + off) >= (int)sizeof(path)) {
		sess_abort(s, 414, "the container name is too long");
		return;
	}
	sess_lookup_go(s, path, 4 * 1024 * 1024, 15000, sess_lookup_cb);
}

/*
 * Asks dockerd GET path (an answer of at most max bytes within ms) about
 * an object the request names, answered through cb (SESS_LOOKUP_CB).  It
 * counts toward limits.max_pending_upstream like the request itself, until
 * dockerd answers.  When it cannot start, the client has its 503 or 502
 * and the lookup state is cleared.
 */
static void
sess_lookup_go(struct session *s, const char *path, size_t max,
    unsigned ms, lookup_cb cb)
{
	if (sess_pending_take(s) == -1) {
		sess_joins_clear(s);
		sess_refuse_pending(s);
		if (s->sess_close_after)
			sess_finish(s);
		else
			sess_request_done(s);
		return;
	}
	s->sess_lookup = lookup_start(s->sess_px->px_base,
	    s->sess_px->px_conf->upstream, path, max, ms, cb, s);
	if (s->sess_lookup == NULL) {
		sess_pending_end(s);
		sess_joins_clear(s);
		sess_abort(s, 502, "cannot connect to the Docker Engine at %s: "
		    "%s", s->sess_px->px_conf->upstream, strerror(errno));
		return;
	}
	s->sess_state = SS_LOOKUP;
}


/* ------------------------------------------------------------ ownership */

/*
 * Denies the current request by rule "ownership".  Returns -1 when it was
 * answered, 0 when the profile only audits and the request goes on.
 */
static int
sess_owner_deny(struct session *s, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int
sess_owner_deny(struct session *s, int status, const char *fmt, ...)
{
	struct decision	 d;
	char		 reason[sizeof(d.reason)];
	va_list		 ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	policy_init(&d, s->sess_profile);
	policy_deny(s->sess_profile, &d, status, "ownership", "%s", reason);
	return sess_decided(s, &d);
}

/* Forwards the request with url[off, off + len) replaced by with. */
static void
sess_forward_as(struct session *s, size_t off, size_t len, const char *with)
{
	struct http_request	*req = &s->sess_req;

	free(req->url_forward);
	req->url_forward = NULL;
	xasprintf(&req->url_forward, "%.*s%s%.*s", (int)off, req->url, with,
	    (int)(req->url_len - off - len), req->url + off + len);
}

/* Forwards the request with query q instead of the client's. */
static void
sess_forward_query(struct session *s, const char *q)
{
	struct http_request	*req = &s->sess_req;

	free(req->url_forward);
	req->url_forward = NULL;
	xasprintf(&req->url_forward, "%.*s?%s", (int)req->path_len, req->url,
	    q);
}

static void	sess_owner_cb(void *, int, json_t *, const char *);

/* Asks dockerd about the object kind name names. */
static void
sess_owner_lookup(struct session *s, enum owner_kind kind, const char *name,
    size_t len)
{
	char	path[1024];

	s->sess_okind = kind;
	snprintf(s->sess_oname, sizeof(s->sess_oname), "%.*s", (int)len,
	    name);
	if (len >= sizeof(s->sess_oname) ||
	    owner_lookup_path(kind, name, len, path, sizeof(path)) == -1) {
		sess_abort(s, 414, "the %s name is too long", owner_noun(kind));
		return;
	}
	sess_lookup_go(s, path, 4 * 1024 * 1024, 15000, sess_owner_cb);
}

static void	sess_dest_next(struct session *);

/* dockerd's answer about an image name the request sets. */
static void
sess_dest_run(struct session *s, int status, json_t *inspect,
    const char *err)
{
	const struct ownership	*o = &s->sess_profile->ownership;
	const char		*name = s->sess_dests[s->sess_desti];
	const char		*id;
	char			 why[400];
	int			 r;

	s->sess_lookup = NULL;
	if (status == 404) {		/* a new name */
		s->sess_desti++;
		sess_dest_next(s);
		return;
	}
	if (sess_answered(s, status, inspect, err, "image", name,
	    (int)strlen(name), NULL) == -1) {
		sess_joins_clear(s);
		return;
	}
	r = owner_check(OWN_IMAGE, inspect, name, o->label, s->sess_owner,
	    !s->sess_dest_pull, &id, why, sizeof(why));
	if (r == -1) {
		sess_joins_clear(s);
		sess_abort(s, 502, "the Docker Engine's description of image "
		    "%s is not what sockguard reads", name);
		return;
	}
	if (r == 0 && sess_owner_deny(s, 403, "cannot set the name %s: it "
	    "names an image that is not this client's to change: %s", name,
	    why) == -1) {
		sess_joins_clear(s);
		return;
	}
	s->sess_desti++;
	sess_dest_next(s);
}

SESS_LOOKUP_CB(sess_dest_cb, sess_dest_run)

/* Asks about the next image name the request sets, or goes on. */
static void
sess_dest_next(struct session *s)
{
	char	seg[3 * 256 + 1], path[3 * 256 + 32];

	if (s->sess_desti >= s->sess_ndests) {
		sess_joins_clear(s);
		s->sess_state = SS_HEAD;
		sess_proceed(s);
		return;
	}
	if (lookup_escape_segment(s->sess_dests[s->sess_desti], seg,
	    sizeof(seg)) == -1) {
		sess_joins_clear(s);
		sess_abort(s, 414, "an image name is too long");
		return;
	}
	snprintf(path, sizeof(path), "/images/%s/json", seg);
	sess_lookup_go(s, path, 4 * 1024 * 1024, 15000, sess_dest_cb);
}

/*
 * Image names the request sets (tag, build -t, commit, import, pull)
 * must not take over another client's image (or a shared one, but by a
 * pull).  Returns 0 when there are none, -1 when answered or asking.
 */
static int
sess_owner_dests(struct session *s)
{
	struct policy_request	*pr = &s->sess_preq;
	int			 n;

	if (s->sess_owner[0] == '\0')
		return 0;
	s->sess_dests = xcalloc(OWNER_MAX_DESTS, sizeof(*s->sess_dests));
	n = owner_dest_names(s->sess_req.method, pr->route, pr->route_len,
	    pr->query, pr->query_len, s->sess_dests, OWNER_MAX_DESTS,
	    &s->sess_dest_pull);
	if (n <= 0) {
		sess_joins_clear(s);
		if (n == 0)
			return 0;
		if (n == -2)
			return sess_owner_deny(s, 403, "a pull must name one "
			    "tag: pulling every tag of a name could take over "
			    "another client's tags");
		return sess_owner_deny(s, 400, "the image names in the query "
		    "cannot be read, or there are more than %d",
		    OWNER_MAX_DESTS);
	}
	s->sess_ndests = (size_t)n;
	s->sess_desti = 0;
	sess_dest_next(s);
	return -1;
}

/*
 * dockerd described the object the request names: an exec instance
 * leads to its container; a container, volume, network or image must be
 * the client's; then the request goes on by the object's full id.
 */
static void
sess_owner_run(struct session *s, int status, json_t *inspect,
    const char *err)
{
	const struct ownership	*o = &s->sess_profile->ownership;
	struct owner_route	*or = &s->sess_oroute;
	struct policy_request	*pr = &s->sess_preq;
	struct http_request	*req = &s->sess_req;
	struct decision		 d;
	enum owner_kind		 k = s->sess_okind;
	const char		*id, *cid;
	char			 why[400], *q;
	int			 r;

	s->sess_lookup = NULL;
	if (sess_answered(s, status, inspect, err, owner_noun(k),
	    s->sess_oname, (int)strlen(s->sess_oname), NULL) == -1)
		return;
	if (k == OWN_EXEC) {
		if ((cid = owner_exec_container(inspect)) == NULL) {
			sess_abort(s, 502, "the Docker Engine described exec "
			    "instance %s without its container", s->sess_oname);
			return;
		}
		sess_owner_lookup(s, OWN_CONTAINER, cid, strlen(cid));
		return;
	}
	r = owner_check(k, inspect, s->sess_oname, o->label, s->sess_owner,
	    or->write, &id, why, sizeof(why));
	if (r == -1) {
		sess_abort(s, 502, "the Docker Engine's description of %s %s "
		    "is not what sockguard reads", owner_noun(k),
		    s->sess_oname);
		return;
	}
	if (r == 0 && sess_owner_deny(s, 403, "%s", why) == -1)
		return;
	if (or->kind == OWN_CONTAINER && s->sess_op != NULL) {
		/* exec, attach, copy in: what is inside counts too. */
		policy_init(&d, s->sess_profile);
		policy_existing(s->sess_profile, &s->sess_gen->pctx,
		    s->sess_op, inspect, &d);
		if (sess_decided(s, &d) == -1)
			return;
	}
	/* Forward by full id: a name re-taken meanwhile cannot switch it. */
	if (or->kind == OWN_COMMIT && id != NULL) {
		q = owner_query_set(pr->query, pr->query_len, "container", id);
		if (q == NULL) {
			sess_abort(s, 400, "the query has an encoded parameter "
			    "name");
			return;
		}
		sess_forward_query(s, q);
		free(q);
	} else if (or->kind == k && id != NULL)
		sess_forward_as(s, (size_t)(or->seg - req->url), or->seg_len,
		    id);
	s->sess_state = SS_HEAD;
	if (sess_owner_dests(s) == -1)
		return;
	sess_proceed(s);
}

SESS_LOOKUP_CB(sess_owner_cb, sess_owner_run)

/*
 * images/json, system/df: dockerd's answer, narrowed to what the client
 * owns (and shared images), is sent as sockguard's own response.
 */
static void
sess_owner_answer_run(struct session *s, int status, json_t *answer,
    const char *err)
{
	const struct ownership	*o = &s->sess_profile->ownership;
	struct policy_request	*pr = &s->sess_preq;
	struct evbuffer		*out = bufferevent_get_output(s->sess_cl);
	char			*body;
	size_t			 len;

	s->sess_lookup = NULL;
	if (sess_answered(s, status, answer, err, "the list", "", 0,
	    NULL) == -1)
		return;
	if (owner_filter_answer(pr->route, pr->route_len, answer, o->label,
	    s->sess_owner) == -1 ||
	    (body = json_dumps(answer, JSON_COMPACT)) == NULL) {
		sess_abort(s, 502, "the Docker Engine's answer to %.*s is not "
		    "what sockguard reads", (int)pr->route_len, pr->route);
		return;
	}
	if (sess_audit_decision(s, &s->sess_dec, NULL) == -1) {
		free(body);
		sess_abort(s, 503, "the audit log cannot be written; requests "
		    "are refused until it can");
		return;
	}
	s->sess_forwarded = 1;
	http_response_init(&s->sess_resp, 0);
	s->sess_resp.status = 200;
	len = strlen(body);
	evbuffer_add_printf(out, "HTTP/1.1 200 OK\r\n%sContent-Type: "
	    "application/json\r\nContent-Length: %zu\r\n%s\r\n",
	    s->sess_rid_hdr, len + 1, s->sess_req.keep_alive &&
	    !s->sess_close_after ? "" : "Connection: close\r\n");
	if (!SESS_HEAD_ONLY(s)) {
		evbuffer_add(out, body, len);
		evbuffer_add(out, "\n", 1);
	}
	free(body);
	sess_request_done(s);
}

static void
sess_owner_answer_cb(void *arg, int status, json_t *answer, const char *err)
{
	struct session	*s = arg;

	sess_enter(s);
	sess_owner_answer_run(s, status, answer, err);
	sess_leave(s);
}

/* Asks dockerd the client's question (images/json, system/df). */
static void
sess_owner_answer(struct session *s)
{
	struct http_request	*req = &s->sess_req;
	char			*path;

	xasprintf(&path, "%.*s", (int)req->url_len, req->url);
	sess_lookup_go(s, path, 64 * 1024 * 1024, 120000,
	    sess_owner_answer_cb);
	free(path);
}

/*
 * commit's container=, save's names=: the object named in the query must
 * be the client's (or a shared image).  One name only.
 */
static int
sess_owner_query_target(struct session *s, const char *key,
    enum owner_kind kind)
{
	struct policy_request	*pr = &s->sess_preq;
	char			 v[256], seg[3 * sizeof(v) + 1];
	int			 r;

	r = docker_query_get(pr->query, pr->query_len, key, v, sizeof(v));
	if (r == -1)
		return sess_owner_deny(s, 403, "%s= is given more than once "
		    "or cannot be read: one %s at a time is checked", key,
		    owner_noun(kind));
	if (r == 0 || v[0] == '\0')
		return sess_owner_deny(s, 400, "%s= names no %s", key,
		    owner_noun(kind));
	/* Looked up by its decoded name, escaped again for the path. */
	if (lookup_escape_segment(v, seg, sizeof(seg)) == -1)
		return sess_owner_deny(s, 400, "the %s name is too long",
		    owner_noun(kind));
	sess_owner_lookup(s, kind, seg, strlen(seg));
	return -1;
}

/*
 * push NAME?tag=T pushes NAME:T: that image must be the client's.  No
 * tag would push every tag of NAME, which sockguard cannot check.
 */
static int
sess_owner_push(struct session *s)
{
	struct owner_route	*or = &s->sess_oroute;
	struct policy_request	*pr = &s->sess_preq;
	char			 tag[256], seg[3 * sizeof(tag) + 1];
	char			 name[2 * sizeof(seg)];
	int			 r;

	r = docker_query_get(pr->query, pr->query_len, "tag", tag,
	    sizeof(tag));
	if (r == -1)
		return sess_owner_deny(s, 400, "tag= cannot be read");
	if (r == 0 || tag[0] == '\0')
		return sess_owner_deny(s, 403, "push one tag at a time "
		    "(docker push NAME:TAG): every tag of a name is not "
		    "checked");
	if (lookup_escape_segment(tag, seg, sizeof(seg)) == -1 ||
	    (size_t)snprintf(name, sizeof(name), "%.*s%s%s",
	    (int)or->seg_len, or->seg, strchr(tag, ':') != NULL ? "@" : ":",
	    seg) >= sizeof(name))
		return sess_owner_deny(s, 400, "the image name is too long");
	sess_owner_lookup(s, OWN_IMAGE, name, strlen(name));
	return -1;
}

/*
 * The head of a request from a profile with ownership: work out the
 * client's owner value and what the route names.  Returns 0 to go on
 * (maybe with a rewritten query), -1 when answered or a lookup started.
 */
static int
sess_owner_head(struct session *s)
{
	const struct ownership	*o = &s->sess_profile->ownership;
	struct owner_route	*or = &s->sess_oroute;
	struct policy_request	*pr = &s->sess_preq;
	char			 why[256], *q;

	s->sess_owner[0] = '\0';
	memset(or, 0, sizeof(*or));
	if (o->label == NULL)
		return 0;
	if (owner_expand(o->owner, &s->sess_ident, s->sess_owner,
	    sizeof(s->sess_owner), why, sizeof(why)) == -1) {
		s->sess_owner[0] = '\0';
		return sess_owner_deny(s, 403, "%s", why);
	}
	owner_route(s->sess_req.method, pr->route, pr->route_len, or);
	if ((or->kind == OWN_COMMIT || (or->kind == OWN_NONE &&
	    docker_route_match("/images/create", pr->route,
	    pr->route_len))) && owner_changes_check(pr->query, pr->query_len,
	    o->label, why, sizeof(why)) == -1)
		return sess_owner_deny(s, 403, "%s", why);
	if (or->kind == OWN_NONE && docker_route_match("/images/create",
	    pr->route, pr->route_len) && docker_query_get(pr->query,
	    pr->query_len, "fromSrc", why, sizeof(why)) == 1) {
		/* An import is labelled like a build: the client's. */
		q = owner_import_query(pr->query, pr->query_len, o->label,
		    s->sess_owner);
		sess_forward_query(s, q);
		free(q);
		return 0;
	}
	if (or->kind == OWN_IMAGE && pr->route_len > 5 &&
	    memcmp(pr->route + pr->route_len - 5, "/push", 5) == 0)
		return sess_owner_push(s);
	switch (or->kind) {
	case OWN_DENY:
		return sess_owner_deny(s, 403, "%s", or->why);
	case OWN_FILTER:
	case OWN_BUILD:
	case OWN_EVENTS:
		q = owner_query(or->kind, pr->query, pr->query_len, o->label,
		    s->sess_owner, why, sizeof(why));
		if (q == NULL)
			return sess_owner_deny(s, or->kind == OWN_BUILD &&
			    strstr(why, "may only") != NULL ? 403 : 400, "%s",
			    why);
		sess_forward_query(s, q);
		free(q);
		return 0;
	case OWN_ANSWER:
		sess_owner_answer(s);
		return -1;
	case OWN_COMMIT:
		return sess_owner_query_target(s, "container", OWN_CONTAINER);
	case OWN_SAVE:
		return sess_owner_query_target(s, "names", OWN_IMAGE);
	case OWN_CONTAINER:
	case OWN_EXEC:
	case OWN_VOLUME:
	case OWN_NETWORK:
	case OWN_IMAGE:
		sess_owner_lookup(s, or->kind, or->seg, or->seg_len);
		return -1;
	default:
		return 0;
	}
}

/* ---------------------------------------------- references in a body */

static void	sess_ref_next(struct session *);

/* dockerd described the object of the current reference. */
static void
sess_ref_run(struct session *s, int status, json_t *inspect,
    const char *err)
{
	const struct ownership	*o = &s->sess_profile->ownership;
	struct owner_ref	*ref = &s->sess_orefs[s->sess_orefi];
	enum owner_kind		 k = owner_ref_object(ref->kind);
	const char		*id;
	char			 why[400];
	int			 r;

	s->sess_lookup = NULL;
	if (status == 404 && (ref->kind == OREF_IMAGE ||
	    ref->kind == OREF_NEW_VOLUME)) {
		/* dockerd answers the create with its 404 (the CLI pulls),
		 * or makes the new volume. */
		s->sess_orefi++;
		sess_ref_next(s);
		return;
	}
	if (status == 404 && ref->kind == OREF_VOLUME) {
		if (sess_owner_deny(s, 403, "volume %s does not exist: "
		    "create it first (docker volume create %s), so that it is "
		    "labelled as this client's", ref->name, ref->name) == -1) {
			sess_joins_clear(s);
			return;
		}
		s->sess_orefi++;
		sess_ref_next(s);
		return;
	}
	if (sess_answered(s, status, inspect, err, owner_noun(k), ref->name,
	    (int)strlen(ref->name), "use") == -1) {
		sess_joins_clear(s);
		return;
	}
	r = owner_check(k, inspect, ref->name, o->label, s->sess_owner,
	    k != OWN_IMAGE, &id, why, sizeof(why));
	if (r == -1) {
		sess_joins_clear(s);
		sess_abort(s, 502, "the Docker Engine's description of %s %s "
		    "is not what sockguard reads", owner_noun(k), ref->name);
		return;
	}
	if (r == 0 && sess_owner_deny(s, 403, "%s", why) == -1) {
		sess_joins_clear(s);
		return;
	}
	/* A container named in the body goes on by its full id. */
	if (ref->kind == OREF_CONTAINER && id != NULL &&
	    json_string_set(ref->node, id) == -1) {
		sess_joins_clear(s);
		sess_abort(s, 500, "out of memory");
		return;
	}
	s->sess_orefi++;
	sess_ref_next(s);
}

SESS_LOOKUP_CB(sess_ref_cb, sess_ref_run)

/* Looks up the next reference of the body, or forwards it. */
static void
sess_ref_next(struct session *s)
{
	char	path[3 * 256 + 32], seg[3 * 256 + 1];
	json_t	*j;

	if (s->sess_orefi >= s->sess_norefs) {
		j = s->sess_jbody;
		s->sess_jbody = NULL;
		sess_joins_clear(s);
		sess_send_body(s, j, 1);
		return;
	}
	if (lookup_escape_segment(s->sess_orefs[s->sess_orefi].name, seg,
	    sizeof(seg)) == -1 || owner_lookup_path(
	    owner_ref_object(s->sess_orefs[s->sess_orefi].kind), seg,
	    strlen(seg), path,
	    sizeof(path)) == -1) {
		sess_joins_clear(s);
		sess_abort(s, 414, "a name in the body is too long");
		return;
	}
	sess_lookup_go(s, path, 4 * 1024 * 1024, 15000, sess_ref_cb);
}

/* ------------------------------------------------------------ events */

/*
 * Writes the events dockerd sent so far that the client may see, one
 * chunk each; end: the stream ended, write the last chunk.  Returns -1
 * (session closed) if an event is not one JSON object per line.
 */
static int
sess_events_relay(struct session *s, int end)
{
	const struct ownership	*o = &s->sess_profile->ownership;
	struct evbuffer		*out = bufferevent_get_output(s->sess_cl);
	json_t			*ev;
	char			*line;
	size_t			 n;

	while ((line = evbuffer_readln(s->sess_events, &n,
	    EVBUFFER_EOL_LF)) != NULL) {
		if (n == 0) {
			free(line);
			continue;
		}
		ev = json_loadb(line, n, JSON_REJECT_DUPLICATES, NULL);
		if (ev != NULL && owner_event_visible(ev, o->label,
		    s->sess_owner)) {
			evbuffer_add_printf(out, "%zx\r\n", n + 1);
			evbuffer_add(out, line, n);
			evbuffer_add(out, "\n\r\n", 3);
		}
		json_decref(ev);
		free(line);
	}
	if (evbuffer_get_length(s->sess_events) > 1024 * 1024) {
		sess_close(s, "an event from upstream is over 1 MiB");
		return -1;
	}
	if (end)
		evbuffer_add(out, "0\r\n\r\n", 5);
	return 0;
}

/* A complete head is at the front of the client's input: parse, decide. */
static void
sess_start_request(struct session *s, size_t head_len)
{
	struct evbuffer		*in = bufferevent_get_input(s->sess_cl);
	struct http_request	*req = &s->sess_req;
	struct policy_request	*pr = &s->sess_preq;
	struct proxy		*px = s->sess_px;
	const struct limits	*lim = &px->px_conf->limits;
	struct http_error	 err;
	struct decision		 d;
	unsigned char		*head;

	head = evbuffer_pullup(in, (ev_ssize_t)head_len);
	s->sess_have_req = 1;
	audit_new_id(s->sess_rid);
	snprintf(s->sess_rid_hdr, sizeof(s->sess_rid_hdr),
	    "X-Sockguard-Request-Id: %s\r\n", s->sess_rid);
	clock_gettime(CLOCK_MONOTONIC, &s->sess_t0);
	json_decref(s->sess_summary);
	s->sess_summary = NULL;
	if (http_request_parse((const char *)head, head_len, lim, req,
	    &err) == -1) {
		evbuffer_drain(in, head_len);
		sess_abort(s, err.status, "%s", err.reason);
		return;
	}
	evbuffer_drain(in, head_len);
	sess_set_timer(s, ST_NONE, 0);
	s->sess_nreq++;
	req->extra_header = s->sess_rid_hdr;
	s->sess_hj_in = s->sess_hj_out = 0;
	log_debug("conn %llu: %s %.*s", (unsigned long long)s->sess_id,
	    req->method, (int)req->url_len, req->url);
	memset(pr, 0, sizeof(*pr));
	pr->method = req->method;
	docker_split_version(req->url, req->path_len, s->sess_version,
	    sizeof(s->sess_version), &pr->route, &pr->route_len);
	pr->version = s->sess_version;
	if (req->path_len < req->url_len) {
		pr->query = req->url + req->path_len + 1;
		pr->query_len = req->url_len - req->path_len - 1;
	}
	/* A request starts with the rules current now (a reload's). */
	if (s->sess_gen != px->px_gen) {
		gen_unref(s->sess_gen);
		s->sess_gen = gen_ref(px->px_gen);
	}
	s->sess_profile = rules_profile_for(s->sess_gen->rules,
	    &s->sess_ident);
	policy_init(&s->sess_dec, s->sess_profile);
	policy_init(&d, s->sess_profile);
	if (s->sess_over_conns) {
		s->sess_close_after = 1;
		sess_abort(s, 503, "this client has %zu connections open; "
		    "profile %s allows %u (limits.connections)",
		    tenant_conns(s->sess_tenant) - 1, s->sess_profile->name,
		    s->sess_over_conns);
		return;
	}
	if (sess_over_rate(s, &d) == 0)
		policy_head(s->sess_profile, &s->sess_gen->pctx, pr, &d);
	if (sess_decided(s, &d) == -1)
		return;
	s->sess_body_kind = docker_body_kind(req->method, pr->route,
	    pr->route_len);
	if ((req->framing == HTTP_BODY_CHUNKED || req->content_length > 0) &&
	    s->sess_body_kind == DOCKER_BODY_NONE) {
		sess_abort(s, 400, "%s %.*s takes no request body", req->method,
		    (int)pr->route_len, pr->route);
		return;
	}
	s->sess_op = NULL;
	if (!policy_existing_op(req->method, pr->route, pr->route_len,
	    &s->sess_op))
		s->sess_op = NULL;
	if (sess_owner_head(s) == -1 || sess_owner_dests(s) == -1)
		return;
	if (s->sess_op != NULL && s->sess_oroute.kind != OWN_CONTAINER) {
		sess_start_lookup(s);
		return;
	}
	sess_proceed(s);
}

/* The head is decided: read a JSON body whole, or forward and stream. */
static void
sess_proceed(struct session *s)
{
	struct http_request	*req = &s->sess_req;
	const struct limits	*lim = &s->sess_px->px_conf->limits;
	int			 json = s->sess_body_kind == DOCKER_BODY_JSON;

	if (json && req->framing == HTTP_BODY_LENGTH &&
	    req->content_length > lim->max_inspect_body) {
		sess_abort(s, 413, "the request body (%llu bytes) is larger "
		    "than limits.max_inspect_body (%zu bytes)",
		    (unsigned long long)req->content_length,
		    lim->max_inspect_body);
		return;
	}
	if (req->expect_continue && !req->body_done && req->http_minor == 1)
		evbuffer_add(bufferevent_get_output(s->sess_cl),
		    "HTTP/1.1 100 Continue\r\n\r\n", 25);
	if (json) {
		if (req->body_done) {
			sess_body_complete(s);
			return;
		}
		if ((s->sess_body = evbuffer_new()) == NULL) {
			sess_abort(s, 500, "out of memory");
			return;
		}
		s->sess_state = SS_BODY_BUFFER;
		sess_pump_body(s);
		return;
	}
	if (sess_forward_head(s, req->framing, req->content_length) == -1) {
		if (s->sess_close_after)
			sess_finish(s);
		else
			sess_request_done(s);
		return;
	}
	s->sess_state = req->body_done ? SS_WAIT : SS_BODY_STREAM;
	if (s->sess_state == SS_BODY_STREAM)
		sess_pump_body(s);
}

static void	sess_read_head_once(struct session *);

/*
 * SS_HEAD: reads request heads.  A request answered at once (a denial, a
 * 502) ends inside the call and asks for the next head: that is looped
 * here, not recursed, so thousands of pipelined requests do not run the
 * stack out.
 */
static void
sess_read_head(struct session *s)
{
	if (s->sess_heading) {
		s->sess_head_again = 1;
		return;
	}
	sess_enter(s);
	s->sess_heading = 1;
	do {
		s->sess_head_again = 0;
		sess_read_head_once(s);
	} while (s->sess_head_again && !s->sess_dead &&
	    s->sess_state == SS_HEAD);
	s->sess_heading = 0;
	sess_leave(s);
}

/* One head: look for it whole, enforcing limits and timeouts. */
static void
sess_read_head_once(struct session *s)
{
	struct evbuffer		*in = bufferevent_get_input(s->sess_cl);
	const struct limits	*lim = &s->sess_px->px_conf->limits;
	struct http_error	 err;
	size_t			 head_len;
	int			 r;

	/*
	 * A client that sends requests without reading the answers must
	 * not make sockguard pile up its own answers (denials, 429s, ...):
	 * the next head waits until the output drains (cl_write_run), and
	 * meanwhile the input fills to its high mark and reading stops.
	 */
	if (evbuffer_get_length(bufferevent_get_output(s->sess_cl)) >=
	    PROXY_HIGH_WM)
		return;
	r = http_head_scan(in, lim, &s->sess_scanned, &head_len, &err);
	if (r == -1) {
		s->sess_have_req = 0;
		sess_abort(s, err.status, "%s", err.reason);
		return;
	}
	if (r == 0) {
		if (evbuffer_get_length(in) > 0 &&
		    s->sess_timer_kind != ST_HEADER)
			sess_set_timer(s, ST_HEADER, lim->header_timeout_ms);
		return;
	}
	sess_start_request(s, head_len);
}

/*
 * The body goes on when the client sends more: it has idle_timeout to
 * do so, counted from its last bytes, or the request is cut off.
 */
static void
sess_body_wait(struct session *s)
{
	sess_set_timer(s, ST_BODY, s->sess_px->px_conf->limits.idle_timeout_ms);
}

/* Moves request body bytes: into sess_body, or on to the upstream. */
static void
sess_pump_body(struct session *s)
{
	struct evbuffer		*in = bufferevent_get_input(s->sess_cl);
	struct http_request	*req = &s->sess_req;
	const struct limits	*lim = &s->sess_px->px_conf->limits;
	struct http_error	 err;
	size_t			 len;
	int			 r;

	if (s->sess_state == SS_BODY_BUFFER) {
		/*
		 * Everything already read is decoded now: a budget per call
		 * would leave bytes no later read event comes for.  The body
		 * is bounded by max_inspect_body, so this loop is too.
		 */
		do {
			r = http_body_pump(req, in, s->sess_body, 0,
			    PROXY_PUMP_MAX, &err);
			if (r == -1) {
				sess_abort(s, err.status, "%s", err.reason);
				return;
			}
			len = evbuffer_get_length(s->sess_body);
			if (len > lim->max_inspect_body) {
				sess_abort(s, 413, "the request body is larger "
				    "than limits.max_inspect_body (%zu bytes)",
				    lim->max_inspect_body);
				return;
			}
		} while (r == 0 && evbuffer_get_length(in) > 0);
		if (r == 1) {
			sess_set_timer(s, ST_NONE, 0);
			sess_body_complete(s);
		} else
			sess_body_wait(s);
		return;
	}
	if (s->sess_state != SS_BODY_STREAM || s->sess_up == NULL)
		return;
	/* Until the input is used up or the upstream's output is full: a
	 * byte left behind would wait for a read event that never comes. */
	while (!sess_backpressure(s, s->sess_cl, s->sess_up)) {
		r = http_body_pump(req, in, bufferevent_get_output(s->sess_up),
		    1, PROXY_PUMP_MAX, &err);
		if (r == -1) {
			/* dockerd must see a truncated upload, never more. */
			sess_drop_upstream(s);
			sess_abort(s, err.status, "%s", err.reason);
			return;
		}
		if (r == 1) {
			s->sess_state = SS_WAIT;
			sess_set_timer(s, ST_NONE, 0);
			if (!s->sess_resp_active) {	/* answered early */
				sess_request_done(s);
				return;
			}
			sess_pending_resume(s);
			sess_await_answer(s);
			return;
		}
		if (evbuffer_get_length(in) == 0) {
			sess_body_wait(s);
			return;
		}
	}
	/* dockerd reads slowly: the client is not the one stalling. */
	if (s->sess_timer_kind == ST_BODY)
		sess_set_timer(s, ST_NONE, 0);
}

/*
 * The request and its response are both complete: next request, or
 * close when either side asked for it.
 */
static void
sess_request_done(struct session *s)
{
	struct proxy	*px = s->sess_px;
	int		 keep;

	keep = !s->sess_close_after && s->sess_req.keep_alive &&
	    !px->px_draining;
	if (s->sess_forwarded)
		sess_audit_complete(s, s->sess_resp.status);
	json_decref(s->sess_summary);
	s->sess_summary = NULL;
	/* A body read whole and then denied was never forwarded and freed. */
	if (s->sess_body != NULL) {
		evbuffer_free(s->sess_body);
		s->sess_body = NULL;
	}
	http_request_clear(&s->sess_req);
	s->sess_have_req = 0;
	if (!keep) {
		sess_finish(s);
		return;
	}
	s->sess_state = SS_HEAD;
	s->sess_scanned = 0;
	if (s->sess_cl_paused) {
		s->sess_cl_paused = 0;
		sess_cl_read_on(s);
	}
	sess_set_timer(s, ST_IDLE, px->px_conf->limits.idle_timeout_ms);
	if (evbuffer_get_length(bufferevent_get_input(s->sess_cl)) > 0)
		sess_read_head(s);
}

/*
 * Relays and parses response bytes from the upstream to the client.
 * Returns 0 while the response goes on, -1 once it ended in a way that
 * may have freed the session (callers must not touch s after -1).
 */
static int
sess_pump_response(struct session *s)
{
	struct evbuffer		*in, *out;
	enum http_resp_event	 ev;

	if (!s->sess_resp_active || s->sess_up == NULL)
		return 0;
	in = bufferevent_get_input(s->sess_up);
	out = bufferevent_get_output(s->sess_cl);
	if (sess_backpressure(s, s->sess_up, s->sess_cl))
		return 0;
	ev = http_response_pump(&s->sess_resp, in, out, PROXY_PUMP_MAX);
	if (s->sess_resp.sinking && (ev == HTTP_RESP_MORE ||
	    ev == HTTP_RESP_DONE) &&
	    sess_events_relay(s, ev == HTTP_RESP_DONE) == -1)
		return -1;
	switch (ev) {
	case HTTP_RESP_MORE:
		sess_backpressure(s, s->sess_up, s->sess_cl);
		return 0;
	case HTTP_RESP_ERROR:
		log_warn("conn %llu: malformed response from upstream",
		    (unsigned long long)s->sess_id);
		if (s->sess_resp.bytes == 0) {
			sess_drop_upstream(s);
			sess_abort(s, 502, "the Docker Engine sent a malformed "
			    "response");
		} else
			sess_close(s, "malformed response from upstream");
		return -1;
	case HTTP_RESP_UPGRADED:
	case HTTP_RESP_HIJACKED:
		if (ev == HTTP_RESP_UPGRADED && !s->sess_req.upgrade)
			sess_close(s, "101 from upstream without an upgrade "
			    "request");
		else
			sess_hijack(s);
		return -1;
	case HTTP_RESP_DONE:
		s->sess_resp_active = 0;
		if (!s->sess_resp.keep_alive || evbuffer_get_length(in) > 0)
			sess_drop_upstream(s);
		if (s->sess_req.upgrade)	/* refused upgrade */
			s->sess_close_after = 1;
		if (s->sess_state == SS_WAIT)
			sess_request_done(s);
		else {
			/* answered before the body ended: cannot resync */
			s->sess_close_after = 1;
			sess_finish(s);
		}
		return -1;
	}
	return -1;
}

/* Switches the session to a raw bidirectional stream. */
static void
sess_hijack(struct session *s)
{
	s->sess_state = SS_HIJACK;
	s->sess_resp_active = 0;
	sess_set_timer(s, ST_NONE, 0);
	log_debug("conn %llu: stream hijacked", (unsigned long long)s->sess_id);
	bufferevent_setwatermark(s->sess_cl, EV_WRITE, 0, 0);
	bufferevent_setwatermark(s->sess_up, EV_WRITE, 0, 0);
	s->sess_cl_paused = s->sess_up_paused = 0;
	sess_cl_read_on(s);
	bufferevent_enable(s->sess_up, EV_READ);
	sess_hijack_relay(s);
}

/* Shuts down the write side of a bufferevent's socket. */
static void
bev_shutdown_write(struct bufferevent *bev)
{
	shutdown(bufferevent_getfd(bev), SHUT_WR);
}

/* The same towards the client; over TLS that is a close_notify. */
static void
sess_cl_shutdown(struct session *s)
{
	if (s->sess_tls != NULL)
		tls_conn_shutdown(s->sess_tls);
	else
		bev_shutdown_write(s->sess_cl);
}

/* SS_HIJACK: move bytes both ways, propagate half-closes. */
static void
sess_hijack_relay(struct session *s)
{
	struct evbuffer	*cl_in = bufferevent_get_input(s->sess_cl);
	struct evbuffer	*cl_out = bufferevent_get_output(s->sess_cl);
	struct evbuffer	*up_in = bufferevent_get_input(s->sess_up);
	struct evbuffer	*up_out = bufferevent_get_output(s->sess_up);

	if (evbuffer_get_length(up_in) > 0 && !s->sess_cl_shut) {
		s->sess_hj_out += evbuffer_get_length(up_in);
		evbuffer_add_buffer(cl_out, up_in);
	}
	if (evbuffer_get_length(cl_in) > 0 && !s->sess_up_shut) {
		s->sess_hj_in += evbuffer_get_length(cl_in);
		evbuffer_add_buffer(up_out, cl_in);
	}
	if (evbuffer_get_length(cl_out) >= PROXY_HIGH_WM) {
		bufferevent_disable(s->sess_up, EV_READ);
		s->sess_up_paused = 1;
	}
	if (evbuffer_get_length(up_out) >= PROXY_HIGH_WM) {
		bufferevent_disable(s->sess_cl, EV_READ);
		s->sess_cl_paused = 1;
	}
	sess_cl_flush(s);
	bev_flush(s->sess_up);
	sess_hijack_eof(s);
}

/* Half-closes, passed on once what came before them is written. */
static void
sess_hijack_eof(struct session *s)
{
	/* Client sent EOF (stdin closed): pass it on once flushed. */
	if (s->sess_cl_eof && !s->sess_up_shut && evbuffer_get_length(
	    bufferevent_get_output(s->sess_up)) == 0) {
		bev_shutdown_write(s->sess_up);
		s->sess_up_shut = 1;
	}
	if (s->sess_up_eof && !s->sess_cl_shut && evbuffer_get_length(
	    bufferevent_get_output(s->sess_cl)) == 0) {
		sess_cl_shutdown(s);
		s->sess_cl_shut = 1;
	}
	/* dockerd ended the stream and the client has all of it. */
	if (s->sess_cl_shut)
		sess_close(s, "stream ended");
}

/*
 * Writes what is queued for a peer now, instead of waiting for the event
 * loop to report the socket writable: that wait cost a loop iteration
 * and two epoll_ctl(2) calls per direction per request.  EV_WRITE is
 * armed only for what the socket would not take; the write callbacks
 * disarm it once the output is empty again.  Socket bufferevents only:
 * a TLS client's records go through tls_conn_flush().
 */
static void
bev_flush(struct bufferevent *bev)
{
	struct evbuffer	*out = bufferevent_get_output(bev);
	int		 n;

	if (evbuffer_get_length(out) == 0 ||
	    (bufferevent_get_enabled(bev) & EV_WRITE))
		return;
	/* A socket bufferevent keeps its output's front frozen between its
	 * own writes; it thaws it the same way around each one. */
	evbuffer_unfreeze(out, 1);
	n = evbuffer_write(out, bufferevent_getfd(bev));
	evbuffer_freeze(out, 1);
	if (n == -1 && errno != EAGAIN && errno != EINTR) {
		/* libevent's own write will meet the error and report it. */
		bufferevent_enable(bev, EV_WRITE);
		return;
	}
	if (evbuffer_get_length(out) > 0)
		bufferevent_enable(bev, EV_WRITE);
}

/*
 * libevent 2.1 reads at most 4096 bytes per readiness (EVBUFFER_MAX_READ):
 * a 1 GiB stream would take 262,144 reads and callbacks.  When a read
 * came back full, read on into the same input in large blocks, up to max
 * bytes, thawing the input's frozen end as libevent does around its own
 * reads.  EOF and errors are left for libevent's next read to report.
 */
static void
bev_read_more(struct bufferevent *bev, size_t max)
{
	struct evbuffer		*in = bufferevent_get_input(bev);
	struct evbuffer_iovec	 v[2];
	size_t			 total = 0, want, got, left, len, high = 0;
	ssize_t			 r;
	int			 n, i;

	len = evbuffer_get_length(in);
	if (len < 4096 || bufferevent_get_underlying(bev) != NULL)
		return;			/* a small message: nothing pending */
	/* No further than libevent itself would: the high mark bounds what
	 * a client can make sockguard hold while nothing consumes it. */
	bufferevent_getwatermark(bev, EV_READ, NULL, &high);
	if (high > 0) {
		if (len >= high)
			return;
		if (max > high - len)
			max = high - len;
	}
	evbuffer_unfreeze(in, 0);
	while (total < max) {
		want = max - total < 65536 ? max - total : 65536;
		if ((n = evbuffer_reserve_space(in, (ev_ssize_t)want, v, 2)) < 1)
			break;
		r = readv(bufferevent_getfd(bev), (struct iovec *)v, n);
		if (r <= 0) {
			evbuffer_commit_space(in, v, 0);
			break;
		}
		got = (size_t)r;
		for (i = 0, left = got; i < n; i++) {
			if (v[i].iov_len > left)
				v[i].iov_len = left;
			left -= v[i].iov_len;
		}
		evbuffer_commit_space(in, v, n);
		total += got;
		if (got < want)
			break;
	}
	evbuffer_freeze(in, 0);
}

/* A write callback: once the output is empty, go back to direct writes. */
static void
bev_write_done(struct bufferevent *bev)
{
	if (evbuffer_get_length(bufferevent_get_output(bev)) == 0 &&
	    bufferevent_get_underlying(bev) == NULL)
		bufferevent_disable(bev, EV_WRITE);
}

/* Entering one of the session's callbacks. */
static void
sess_enter(struct session *s)
{
	s->sess_depth++;
}

/*
 * Leaving it: free a session that ended meanwhile, else write what was
 * queued, and finish what waited for the output to drain.
 */
static void
sess_leave(struct session *s)
{
	if (--s->sess_depth > 0)
		return;
	if (s->sess_dead) {
		sess_destroy(s);
		return;
	}
	sess_cl_flush(s);
	if (s->sess_up != NULL)
		bev_flush(s->sess_up);
	if (s->sess_state == SS_CLOSING &&
	    evbuffer_get_length(bufferevent_get_output(s->sess_cl)) == 0)
		sess_destroy(s);
	else if (s->sess_state == SS_HIJACK)
		sess_hijack_eof(s);
}

/* Client bytes arrived. */
static void
cl_read_run(struct bufferevent *bev, void *arg)
{
	struct session	*s = arg;

	switch (s->sess_state) {
	case SS_HEAD:
		sess_read_head(s);
		break;
	case SS_BODY_BUFFER:
	case SS_BODY_STREAM:
		sess_pump_body(s);
		break;
	case SS_HIJACK:
		sess_hijack_relay(s);
		break;
	case SS_DISCARD:
		sess_discard_body(s);
		break;
	case SS_LOOKUP:
	case SS_WAIT:
	case SS_CLOSING:
		/* Pipelined bytes wait in the buffer: libevent and
		 * bev_read_more() stop reading at its high mark. */
		break;
	}
}

/* The client's output drained below the low mark (or to empty). */
static void
cl_write_run(struct bufferevent *bev, void *arg)
{
	struct session	*s = arg;

	if (s->sess_state == SS_CLOSING) {
		if (evbuffer_get_length(bufferevent_get_output(bev)) == 0)
			sess_close(s, "done");
		return;
	}
	if (s->sess_state == SS_HIJACK) {
		if (s->sess_up_paused) {
			s->sess_up_paused = 0;
			bufferevent_enable(s->sess_up, EV_READ);
		}
		sess_hijack_relay(s);
		return;
	}
	if (s->sess_up_paused && s->sess_up != NULL) {
		s->sess_up_paused = 0;
		bufferevent_enable(s->sess_up, EV_READ);
		if (sess_pump_response(s) == -1)
			return;
	}
	/* Heads that waited for the client to read its answers. */
	if (s->sess_state == SS_HEAD &&
	    evbuffer_get_length(bufferevent_get_input(bev)) > 0) {
		sess_read_head(s);
		return;
	}
	/* The upstream closed while its last bytes waited for us. */
	if (s->sess_up_eof && s->sess_resp_active && s->sess_up != NULL &&
	    evbuffer_get_length(bufferevent_get_input(s->sess_up)) == 0)
		sess_upstream_gone(s, 0);
}

/* Client EOF or error. */
static void
cl_event_run(struct bufferevent *bev, short what, void *arg)
{
	struct session	*s = arg;

	if (what & BEV_EVENT_ERROR) {
		s->sess_cl_error = 1;
		sess_close(s, "client connection error");
		return;
	}
	if (!(what & BEV_EVENT_EOF))
		return;
	if (s->sess_state == SS_HIJACK) {
		s->sess_cl_eof = 1;
		sess_hijack_relay(s);
		return;
	}
	if (s->sess_state == SS_HEAD && evbuffer_get_length(
	    bufferevent_get_input(bev)) > 0)
		sess_abort(s, 400, "the connection ended inside a request "
		    "head");
	else
		sess_close(s, s->sess_state == SS_HEAD ? "client closed" :
		    "client closed during a request");
}

/* Upstream bytes arrived. */
static void
up_read_run(struct bufferevent *bev, void *arg)
{
	struct session	*s = arg;

	if (s->sess_state == SS_HIJACK) {
		sess_hijack_relay(s);
		return;
	}
	if (!s->sess_resp_active) {
		/* Bytes nobody asked for: the connection is out of step. */
		log_warn("conn %llu: unexpected bytes from upstream",
		    (unsigned long long)s->sess_id);
		sess_drop_upstream(s);
		return;
	}
	s->sess_up_answered = 1;
	sess_pending_end(s);		/* dockerd is answering */
	sess_pump_response(s);
}

/* The upstream's output drained below the low mark. */
static void
up_write_run(struct bufferevent *bev, void *arg)
{
	struct session	*s = arg;

	if (s->sess_state == SS_HIJACK) {
		if (s->sess_cl_paused) {
			s->sess_cl_paused = 0;
			sess_cl_read_on(s);
		}
		sess_hijack_relay(s);
		return;
	}
	if (s->sess_cl_paused && s->sess_state == SS_BODY_STREAM) {
		s->sess_cl_paused = 0;
		sess_cl_read_on(s);
		sess_pump_body(s);
	}
}

/*
 * The upstream closed and every byte it sent has been relayed: a
 * read-until-close response ends here; anything else was cut short.
 */
static void
sess_upstream_gone(struct session *s, int error)
{
	enum http_resp_event	ev;

	ev = error ? HTTP_RESP_ERROR : http_response_eof(&s->sess_resp);
	if (ev == HTTP_RESP_DONE) {
		s->sess_close_after = 1;	/* read-until-close body */
		sess_drop_upstream(s);
		if (s->sess_state == SS_WAIT)
			sess_request_done(s);
		else
			sess_finish(s);
		return;
	}
	if (s->sess_resp.bytes == 0) {
		sess_drop_upstream(s);
		s->sess_close_after = 1;
		sess_abort(s, 502, "the Docker Engine at %s closed the "
		    "connection without answering",
		    s->sess_px->px_conf->upstream);
		return;
	}
	sess_close(s, "upstream closed in the middle of a response");
}

/* Upstream EOF or error. */
static void
up_event_run(struct bufferevent *bev, short what, void *arg)
{
	struct session	*s = arg;

	if (!(what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)))
		return;
	if (s->sess_state == SS_HIJACK) {
		if (what & BEV_EVENT_ERROR) {
			sess_close(s, "upstream stream error");
			return;
		}
		s->sess_up_eof = 1;
		sess_hijack_relay(s);
		return;
	}
	if (!s->sess_resp_active) {
		sess_drop_upstream(s);	/* idle keep-alive closed */
		if (s->sess_state == SS_BODY_STREAM)
			sess_abort(s, 502, "the Docker Engine closed the "
			    "connection during the upload");
		return;
	}
	if (what & BEV_EVENT_ERROR) {
		sess_upstream_gone(s, 1);
		return;
	}
	/* Relay what is left; if the client is slow, finish when it reads. */
	s->sess_up_eof = 1;
	if (sess_pump_response(s) == -1)
		return;
	if (evbuffer_get_length(bufferevent_get_input(bev)) == 0)
		sess_upstream_gone(s, 0);
}

/*
 * libevent's entry points into a session: each runs its handler with the
 * session held (sess_enter/sess_leave), so that a session ended inside is
 * freed only afterwards, and queued output is written on the way out.
 */
#define SESS_BEV_CB(name, run, write_cb)				\
static void								\
name(struct bufferevent *bev, void *arg)				\
{									\
	struct session	*s = arg;					\
									\
	sess_enter(s);							\
	if (!(write_cb) && (bufferevent_get_enabled(bev) & EV_READ))	\
		bev_read_more(bev, PROXY_READ_MAX);			\
	run(bev, arg);							\
	if ((write_cb) && !s->sess_dead)				\
		bev_write_done(bev);					\
	sess_leave(s);							\
}
SESS_BEV_CB(cl_read_cb, cl_read_run, 0)
SESS_BEV_CB(cl_write_cb, cl_write_run, 1)
SESS_BEV_CB(up_read_cb, up_read_run, 0)
SESS_BEV_CB(up_write_cb, up_write_run, 1)

/* The same for EOF and errors. */
#define SESS_EVENT_CB(name, run)					\
static void								\
name(struct bufferevent *bev, short what, void *arg)			\
{									\
	struct session	*s = arg;					\
									\
	sess_enter(s);							\
	run(bev, what, arg);						\
	sess_leave(s);							\
}
SESS_EVENT_CB(cl_event_cb, cl_event_run)
SESS_EVENT_CB(up_event_cb, up_event_run)

/*
 * The request went upstream whole and dockerd has not begun to answer
 * within limits.upstream_timeout: 504; its connection is dropped, the
 * client's kept.
 */
static void
sess_upstream_timeout(struct session *s)
{
	struct http_request	*req = &s->sess_req;
	unsigned		 ms = s->sess_px->px_conf->limits.
				    upstream_timeout_ms;
	char			 t[32];

	if (ms % 1000 == 0)
		snprintf(t, sizeof(t), "%u s", ms / 1000);
	else
		snprintf(t, sizeof(t), "%u ms", ms);
	log_warn("conn %llu (%s): %s %.*s: the Docker Engine at %s did not "
	    "answer within %s (limits.upstream_timeout); 504",
	    (unsigned long long)s->sess_id, s->sess_who, req->method,
	    (int)req->path_len, req->url, s->sess_px->px_conf->upstream, t);
	sess_drop_upstream(s);
	http_write_error_hdr(bufferevent_get_output(s->sess_cl), 504,
	    s->sess_close_after, s->sess_rid_hdr, SESS_HEAD_ONLY(s), "the "
	    "Docker Engine at %s did not answer within %s "
	    "(limits.upstream_timeout)", s->sess_px->px_conf->upstream, t);
	sess_audit_complete(s, 504);
	sess_request_done(s);
}

/* No byte of the request body for idle_timeout: 408, and close. */
static void
sess_body_stalled(struct session *s)
{
	static const char msg[] = "the request body stalled: no byte of it "
	    "arrived within limits.idle_timeout";

	if (s->sess_state != SS_BODY_STREAM) {
		sess_abort(s, 408, "%s", msg);
		return;
	}
	log_info("conn %llu (%s): 408 %s", (unsigned long long)s->sess_id,
	    s->sess_who, msg);
	/* dockerd must see a truncated upload, never more. */
	sess_drop_upstream(s);
	if (!s->sess_up_answered)	/* else its answer is under way */
		http_write_error_hdr(bufferevent_get_output(s->sess_cl), 408,
		    1, s->sess_rid_hdr, SESS_HEAD_ONLY(s), "%s", msg);
	sess_audit_complete(s, 408);
	s->sess_close_after = 1;
	sess_finish(s);
}

/* Idle, header, flush, upstream and body timeouts. */
static void
sess_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct session	*s = arg;

	sess_enter(s);
	switch (s->sess_timer_kind) {
	case ST_IDLE:
		sess_close(s, "idle timeout");
		break;
	case ST_HEADER:
		sess_abort(s, 408, "the request head did not arrive within "
		    "limits.header_timeout");
		break;
	case ST_FLUSH:
		sess_close(s, "client did not read its last response");
		break;
	case ST_UPSTREAM:
		sess_upstream_timeout(s);
		break;
	case ST_BODY:
		sess_body_stalled(s);
		break;
	case ST_NONE:
		break;
	}
	sess_leave(s);
}

/* Answers 503 on a connection we will not serve, without blocking. */
static void
proxy_refuse(evutil_socket_t fd)
{
#define REFUSE_BODY \
	"{\"message\":\"sockguard: too many connections, try again\"}\n"
#define REFUSE_STR(x)	#x
#define REFUSE_LEN(x)	REFUSE_STR(x)
	static const char msg[] = "HTTP/1.1 503 Service Unavailable\r\n"
	    "Content-Type: application/json\r\nContent-Length: "
	    REFUSE_LEN(57) "\r\nConnection: close\r\n\r\n" REFUSE_BODY;

	_Static_assert(sizeof(REFUSE_BODY) - 1 == 57, "503 body length");

	(void)!send(fd, msg, sizeof(msg) - 1, MSG_DONTWAIT | MSG_NOSIGNAL);
	close(fd);
}

/*
 * The profile's limits.requests_per_second for this client: -1 with a
 * 429 decision in d when its bucket is empty.
 */
static int
sess_over_rate(struct session *s, struct decision *d)
{
	const struct profile	*p = s->sess_profile;
	unsigned		 wait_ms = 0;
	size_t			 n;

	if (p->lim_rate == 0 || s->sess_tenant == NULL ||
	    tenant_take(s->sess_tenant, p->lim_rate, p->lim_burst,
	    proxy_now_ms(), &wait_ms))
		return 0;
	d->allow = 0;
	d->denied = 1;
	d->status = 429;
	snprintf(d->rule, sizeof(d->rule), "limits.requests_per_second");
	snprintf(d->reason, sizeof(d->reason), "this client sends more than "
	    "%u requests per second (burst %u, profile %s); retry in %u ms",
	    p->lim_rate, p->lim_burst, p->name, wait_ms);
	n = strlen(s->sess_rid_hdr);
	snprintf(s->sess_rid_hdr + n, sizeof(s->sess_rid_hdr) - n,
	    "Retry-After: %u\r\n", (wait_ms + 999) / 1000);
	return -1;
}

/*
 * Counts the new client against its profile's limits.connections; over
 * it, it is answered 503 and closed.  Returns -1 then.
 */
static int
sess_admit_client(struct session *s)
{
	struct proxy		*px = s->sess_px;
	const struct profile	*p;
	char			 key[256];

	if (s->sess_ident.is_unix)
		snprintf(key, sizeof(key), "uid:%lu@%s",
		    (unsigned long)s->sess_uid, s->sess_lname);
	else
		snprintf(key, sizeof(key), "cert:%s@%s",
		    s->sess_ident.cert_fingerprint, s->sess_lname);
	s->sess_tenant = tenant_hold(px->px_tenants, key, proxy_now_ms());
	p = rules_profile_for(px->px_gen->rules, &s->sess_ident);
	if (p->lim_connections == 0 ||
	    tenant_conns(s->sess_tenant) <= p->lim_connections)
		return 0;
	/* Answered once its first request head is read: closing at once,
	 * with that request unread, would reset the connection and could
	 * lose the answer. */
	s->sess_over_conns = p->lim_connections;
	return -1;
}

/* Forgets clients that have been idle for a while. */
static void
proxy_sweep_cb(evutil_socket_t fd, short what, void *arg)
{
	struct proxy	*px = arg;
	uint64_t	 now = proxy_now_ms();

	if (now > PROXY_TENANT_IDLE_MS)
		tenants_sweep(px->px_tenants, now - PROXY_TENANT_IDLE_MS);
}

/* A new session on a connected client bufferevent. */
static struct session *
sess_new(struct listener *ls, struct bufferevent *bev)
{
	struct proxy	*px = ls->px;
	struct session	*s;

	s = xcalloc(1, sizeof(*s));
	s->sess_px = px;
	s->sess_ls = ls;
	s->sess_id = ++px->px_next_id;
	s->sess_gen = gen_ref(px->px_gen);
	snprintf(s->sess_lname, sizeof(s->sess_lname), "%s", ls->label);
	s->sess_ident.listener = s->sess_lname;
	s->sess_cl = bev;
	s->sess_timer = evtimer_new(px->px_base, sess_timer_cb, s);
	if (s->sess_timer == NULL)
		fatal("out of memory for a new connection");
	TAILQ_INSERT_TAIL(&px->px_sessions, s, sess_entry);
	px->px_nsessions++;
	bufferevent_setcb(s->sess_cl, cl_read_cb, cl_write_cb, cl_event_cb, s);
	bufferevent_setwatermark(s->sess_cl, EV_WRITE, PROXY_LOW_WM, 0);
	bufferevent_setwatermark(s->sess_cl, EV_READ, 0, PROXY_HIGH_WM);
	bufferevent_set_max_single_read(s->sess_cl, PROXY_READ_MAX);
	s->sess_state = SS_HEAD;
	sess_set_timer(s, ST_IDLE, px->px_conf->limits.idle_timeout_ms);
	return s;
}

/* Whether one more client may connect. */
static int
proxy_admit(struct listener *ls)
{
	struct proxy	*px = ls->px;

	if (px->px_draining)
		return 0;
	if (px->px_nsessions + px->px_nhandshakes <
	    px->px_conf->limits.max_connections)
		return 1;
	log_warn("%s: limits.max_connections (%zu) reached; refusing a "
	    "client", ls->label,
	    px->px_conf->limits.max_connections);
	return 0;
}

/* A client connected to a unix listener. */
static void
proxy_accept_cb(struct evconnlistener *evl, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct listener	*ls = arg;
	struct proxy	*px = ls->px;
	struct session	*s;
	struct bufferevent *bev;
	struct ucred	 cred;
	socklen_t	 clen = sizeof(cred);

	if (!proxy_admit(ls)) {
		if (px->px_draining)
			close(fd);
		else
			proxy_refuse(fd);
		return;
	}
	bev = bufferevent_socket_new(px->px_base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (bev == NULL)
		fatal("out of memory for a new connection");
	s = sess_new(ls, bev);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) == 0) {
		s->sess_pid = cred.pid;
		s->sess_uid = cred.uid;
		s->sess_gid = cred.gid;
	} else {
		s->sess_pid = -1;
		s->sess_uid = (uid_t)-1;
		s->sess_gid = (gid_t)-1;
	}
	s->sess_ident.is_unix = 1;
	s->sess_ident.pid = s->sess_pid;
	s->sess_ident.uid = s->sess_uid;
	s->sess_ident.gid = s->sess_gid;
	snprintf(s->sess_who, sizeof(s->sess_who), "uid %ld pid %ld",
	    (long)s->sess_uid, (long)s->sess_pid);
	bufferevent_disable(s->sess_cl, EV_WRITE);	/* see bev_flush() */
	(void)sess_admit_client(s);
	sess_cl_read_on(s);
	log_debug("conn %llu: accepted on %s (uid %ld gid %ld pid %ld)",
	    (unsigned long long)s->sess_id, ls->label, (long)s->sess_uid,
	    (long)s->sess_gid, (long)s->sess_pid);
}

/*
 * A client connected to a TLS listener: its handshake runs on a pool
 * thread; the session starts in proxy_tls_done().
 */
static void
proxy_accept_tcp_cb(struct evconnlistener *evl, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct listener	*ls = arg;
	struct proxy	*px = ls->px;
	int		 one = 1, idle = 60, intvl = 10, cnt = 6;

	if (!proxy_admit(ls)) {
		close(fd);	/* a TLS client would not read a plain 503 */
		return;
	}
	/* Small requests and answers go out at once. */
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	/* Peers that vanish (host down, cable out) are found out. */
	(void)setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
	(void)setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle));
	(void)setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl,
	    sizeof(intvl));
	(void)setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof(cnt));
	px->px_nhandshakes++;
	tls_pool_submit(px->px_pool, ls->tls, fd, sa, (socklen_t)salen,
	    px->px_conf->limits.handshake_timeout_ms, ls);
}

/* Writes a record of a refused TLS client to the audit log. */
static void
proxy_audit_handshake(struct listener *ls, struct tls_conn *c)
{
	struct proxy	*px = ls->px;
	struct identity	 id;
	struct audit_rec rec;
	char		 rid[17];

	if (px->px_audit == NULL)
		return;
	memset(&id, 0, sizeof(id));
	id.listener = ls->label;
	id.remote = tls_conn_remote(c);
	memset(&rec, 0, sizeof(rec));
	audit_new_id(rid);
	rec.stage = "connect";
	rec.id = rid;
	rec.conn = ++px->px_next_id;
	rec.ident = &id;
	rec.decision = "deny";
	rec.rule = "tls";
	rec.reason = tls_conn_error(c);
	if (audit_write(px->px_audit, &rec) == -1)
		log_err("audit: cannot write to %s: %s",
		    px->px_conf->audit_path ? px->px_conf->audit_path :
		    "the log", strerror(errno));
}

/* A handshake ended: start the session, or say why not. */
static void
proxy_tls_done(struct tls_conn *c, void *arg)
{
	struct proxy	*px = arg;
	struct listener	*ls = tls_conn_ctx(c);
	struct session	*s;
	struct bufferevent *bev;
	struct tls_peer	*p;

	px->px_nhandshakes--;
	if (!tls_conn_ok(c) || px->px_draining || ls->retired) {
		if (!tls_conn_ok(c)) {
			log_warn("%s: TLS client %s refused: %s",
			    ls->label, tls_conn_remote(c),
			    tls_conn_error(c));
			proxy_audit_handshake(ls, c);
		}
		tls_conn_free(c);
		proxy_check_drained(px);
		return;
	}
	if ((bev = tls_conn_bufferevent(c, px->px_base)) == NULL)
		fatal("out of memory for a new connection");
	s = sess_new(ls, bev);
	s->sess_tls = c;
	s->sess_peer = p = tls_conn_take_peer(c);
	snprintf(s->sess_remote, sizeof(s->sess_remote), "%s",
	    tls_conn_remote(c));
	s->sess_pid = -1;
	s->sess_uid = (uid_t)-1;
	s->sess_gid = (gid_t)-1;
	s->sess_ident.is_unix = 0;
	s->sess_ident.remote = s->sess_remote;
	s->sess_ident.cert_subject = p->subject;
	s->sess_ident.cert_cn = p->cn;
	s->sess_ident.cert_issuer = p->issuer;
	s->sess_ident.cert_serial = p->serial;
	s->sess_ident.cert_fingerprint = p->fingerprint;
	s->sess_ident.cert_sans = (const char *const *)p->sans;
	s->sess_ident.cert_nsans = p->nsans;
	snprintf(s->sess_who, sizeof(s->sess_who), "CN %.100s, %s",
	    p->cn != NULL ? p->cn : p->subject, s->sess_remote);
	(void)sess_admit_client(s);
	sess_cl_read_on(s);
	log_debug("conn %llu: %s from %s, certificate \"%s\" (%s)",
	    (unsigned long long)s->sess_id, ls->label,
	    s->sess_remote, p->subject, tls_conn_describe(c));
}

/*
 * accept(2) failed.  Out of descriptors or memory it would fail again at
 * once, and libevent would call again at once while clients wait in the
 * backlog: a busy loop writing a log line per turn.  The listener rests
 * for PROXY_ACCEPT_PAUSE_MS instead; the error is logged at most once in
 * 10 s, with how often it happened.
 */
static void
proxy_accept_error_cb(struct evconnlistener *evl, void *arg)
{
	struct listener	*ls = arg;
	struct timeval	 tv = { 0, PROXY_ACCEPT_PAUSE_MS * 1000 };
	uint64_t	 now = proxy_now_ms();
	int		 err = EVUTIL_SOCKET_ERROR();

	ls->accept_failed++;
	if (ls->accept_logged == 0 || now - ls->accept_logged >= 10000) {
		log_warn("%s: accept: %s (%llu failed accepts since the last "
		    "such line)%s", ls->label, strerror(err),
		    (unsigned long long)ls->accept_failed, err == EMFILE ?
		    "; the descriptor limit is too low for the clients, see "
		    "limits.max_connections" : "");
		ls->accept_logged = now;
		ls->accept_failed = 0;
	}
	if (err != EMFILE && err != ENFILE && err != ENOBUFS &&
	    err != ENOMEM)
		return;
	evconnlistener_disable(evl);
	evtimer_add(ls->resume, &tv);
}

/* The pause after accept(2) ran out of descriptors is over. */
static void
listener_resume_cb(evutil_socket_t fd, short what, void *arg)
{
	struct listener	*ls = arg;

	if (ls->evl != NULL)
		evconnlistener_enable(ls->evl);
}

struct proxy *
proxy_new(struct event_base *base, struct config *conf,
    struct ruleset *rules)
{
	struct proxy	*px;

	px = xcalloc(1, sizeof(*px));
	px->px_base = base;
	px->px_gen = gen_new(conf, rules);
	px->px_conf = conf;
	TAILQ_INIT(&px->px_sessions);
	px->px_tenants = tenants_new();
	px->px_sweep = event_new(base, -1, EV_PERSIST, proxy_sweep_cb, px);
	if (px->px_sweep == NULL)
		fatal("out of memory");
	{
		struct timeval	tv = { 60, 0 };

		evtimer_add(px->px_sweep, &tv);
	}
	return px;
}

const struct config *
proxy_config(const struct proxy *px)
{
	return px->px_conf;
}

/* Threads for TLS handshakes: one per core, within reason. */
static unsigned
proxy_tls_threads(void)
{
	long	n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > 16 ? 16 : (unsigned)n;
}

/* The pool of handshake threads, started with the first TLS listener. */
static int
proxy_pool(struct proxy *px, char *err, size_t errlen)
{
	if (px->px_pool == NULL && (px->px_pool = tls_pool_new(px->px_base,
	    proxy_tls_threads(), proxy_tls_done, px, err, errlen)) == NULL)
		return -1;
	return 0;
}

/*
 * A socket systemd passed for this listener, matched by its address (not
 * by FileDescriptorName=, which one .socket unit gives all its fds).  It
 * is the unit's: sockguard neither binds, chmods nor removes it, and says
 * so when the configuration asks for other permissions.
 */
static void
proxy_take_inherited(struct proxy *px, struct listener *ls)
{
	const struct listen_conf *lc = ls->conf;
	struct sdn_sockfile	 f;
	char			 msg[512];
	size_t			 i;
	int			 fd, m;

	for (i = 0; i < px->px_nifds; i++) {
		if ((fd = px->px_ifds[i]) == -1)
			continue;
		m = lc->kind == LISTEN_UNIX ? sdn_fd_is_unix(fd, lc->path) :
		    sdn_fd_is_tcp(fd, (const struct sockaddr *)&lc->sa,
		    lc->salen);
		if (m != 1)
			continue;
		px->px_ifds[i] = -1;
		evutil_make_socket_nonblocking(fd);
		ls->sock.fd = fd;
		ls->inherited = 1;
		ls->ifd_slot = i;
		if (lc->kind == LISTEN_UNIX && sdn_fd_unix_file(fd, &f) == 0 &&
		    sdn_sockfile_differs(&f, lc->mode, lc->has_owner,
		    lc->owner, lc->has_group, lc->group, msg, sizeof(msg)))
			log_warn("%s", msg);
		return;
	}
}

/* An inherited socket no listener wants is an error in the setup. */
static int
proxy_check_inherited(struct proxy *px, char *err, size_t errlen)
{
	char	what[256];
	size_t	i;

	for (i = 0; i < px->px_nifds; i++) {
		if (px->px_ifds[i] == -1)
			continue;
		sdn_fd_describe(px->px_ifds[i], what, sizeof(what));
		snprintf(err, errlen, "systemd passed a socket (%s) that no "
		    "listener in the configuration has: add it to listen:, or "
		    "remove it from the socket unit", what);
		return -1;
	}
	return 0;
}

void
proxy_set_inherited(struct proxy *px, int *fds, size_t n)
{
	px->px_ifds = fds;
	px->px_nifds = n;
}

/* Closes a listener's socket (and file); it stays allocated, retired. */
static void
listener_close(struct listener *ls)
{
	if (ls->evl != NULL)
		evconnlistener_free(ls->evl);
	else if (ls->sock.fd != -1)
		close(ls->sock.fd);
	if (ls->conf != NULL && ls->conf->kind == LISTEN_UNIX &&
	    !ls->inherited && (ls->evl != NULL || ls->sock.fd != -1))
		listen_unix_remove(ls->conf, &ls->sock);
	ls->evl = NULL;
	ls->sock.fd = -1;
	if (ls->resume != NULL)
		event_free(ls->resume);
	ls->resume = NULL;
	tls_server_unref(ls->tls);
	ls->tls = NULL;
	ls->conf = NULL;
	ls->retired = 1;
}

static void
listener_log(const struct listener *ls)
{
	if (ls->conf->kind == LISTEN_TCP)
		log_info("listening on %s%s (mutual TLS, %u handshake "
		    "threads): %s", ls->conf->addr, ls->inherited ?
		    " (socket from systemd)" : "",
		    tls_pool_threads(ls->px->px_pool),
		    tls_server_describe(ls->tls));
	else if (ls->inherited)
		log_info("listening on %s (socket from systemd; its unit sets "
		    "the permissions)", ls->conf->path);
	else
		log_info("listening on %s (mode %04o)", ls->conf->path,
		    (unsigned)ls->conf->mode);
}

/*
 * Opens the listener of lc: its TLS material, its socket (systemd's or
 * a new one) and its accept event.  NULL with a reason in err.
 */
static struct listener *
listener_open(struct proxy *px, const struct listen_conf *lc, char *err,
    size_t errlen)
{
	struct listener	*ls;
	int		 tcp = lc->kind == LISTEN_TCP;

	ls = xcalloc(1, sizeof(*ls));
	ls->px = px;
	ls->conf = lc;
	ls->sock.fd = -1;
	snprintf(ls->label, sizeof(ls->label), "%s", listen_label(lc));
	proxy_take_inherited(px, ls);
	if (tcp && (tls_server_new(&lc->tls, proxy_tls_threads(), &ls->tls,
	    err, errlen) == -1 || proxy_pool(px, err, errlen) == -1))
		goto fail;
	if (ls->sock.fd == -1 && (tcp ? listen_tcp_open(lc, &ls->sock, err,
	    errlen) : listen_unix_open(lc, &ls->sock, err, errlen)) == -1)
		goto fail;
	ls->evl = evconnlistener_new(px->px_base, tcp ? proxy_accept_tcp_cb :
	    proxy_accept_cb, ls, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC,
	    -1, ls->sock.fd);
	if (ls->evl == NULL) {
		snprintf(err, errlen, "%s: cannot watch the socket", ls->label);
		goto fail;
	}
	evconnlistener_set_error_cb(ls->evl, proxy_accept_error_cb);
	if ((ls->resume = evtimer_new(px->px_base, listener_resume_cb, ls)) ==
	    NULL)
		fatal("out of memory");
	return ls;
fail:
	if (ls->inherited) {	/* (evl is not made yet on any failure) */
		/* Not ours to close: back to the unclaimed ones. */
		px->px_ifds[ls->ifd_slot] = ls->sock.fd;
		ls->sock.fd = -1;
	}
	listener_close(ls);
	free(ls);
	return NULL;
}

int
proxy_listen(struct proxy *px, char *err, size_t errlen)
{
	const struct config	*conf = px->px_conf;
	struct listener		*ls;
	size_t			 i;

	px->px_ls = xcalloc(conf->nlisten, sizeof(*px->px_ls));
	for (i = 0; i < conf->nlisten; i++) {
		if ((ls = listener_open(px, &conf->listen[i], err, errlen)) ==
		    NULL)
			return -1;
		px->px_ls[px->px_nls++] = ls;
		listener_log(ls);
	}
	return proxy_check_inherited(px, err, errlen);
}

/* Moves a listener to the retired ones. */
static void
proxy_retire(struct proxy *px, struct listener *ls)
{
	listener_close(ls);
	px->px_retired = xreallocarray(px->px_retired, px->px_nretired + 1,
	    sizeof(*px->px_retired));
	px->px_retired[px->px_nretired++] = ls;
}

/* Closes the listeners and removes their socket files. */
static void
proxy_close_listeners(struct proxy *px)
{
	size_t	i;

	for (i = 0; i < px->px_nls; i++)
		proxy_retire(px, px->px_ls[i]);
	px->px_nls = 0;
}

/* The open listener for lc's socket (same kind and address), or NULL. */
static struct listener *
proxy_find_listener(struct proxy *px, const struct listen_conf *lc)
{
	const struct listen_conf *o;
	size_t			 i;

	for (i = 0; i < px->px_nls; i++) {
		o = px->px_ls[i]->conf;
		if (o->kind != lc->kind)
			continue;
		if (lc->kind == LISTEN_UNIX ? strcmp(o->path, lc->path) == 0 :
		    o->salen == lc->salen && memcmp(&o->sa, &lc->sa,
		    lc->salen) == 0)
			return px->px_ls[i];
	}
	return NULL;
}

/* A kept unix socket takes the new mode, owner and group. */
static void
listener_reapply(struct listener *ls, const struct listen_conf *lc)
{
	if (lc->kind != LISTEN_UNIX || ls->inherited)
		return;
	if ((lc->has_owner || lc->has_group) && lchown(lc->path,
	    lc->has_owner ? lc->owner : (uid_t)-1,
	    lc->has_group ? lc->group : (gid_t)-1) == -1)
		log_warn("reload: cannot set owner/group of %s: %s; it keeps "
		    "its old ones", lc->path, strerror(errno));
	if (chmod(lc->path, lc->mode) == -1)
		log_warn("reload: chmod %s: %s", lc->path, strerror(errno));
}

/*
 * After a reload: a TLS client whose certificate the new CA bundle or CRL
 * no longer accepts is disconnected.
 */
static void
proxy_recheck_tls(struct proxy *px)
{
	struct session	*s, *next;
	char		 why[256];

	for (s = TAILQ_FIRST(&px->px_sessions); s != NULL; s = next) {
		next = TAILQ_NEXT(s, sess_entry);
		if (s->sess_tls == NULL || s->sess_ls->retired)
			continue;
		if (tls_conn_verify_again(s->sess_tls, s->sess_ls->tls, why,
		    sizeof(why)) == 0)
			continue;
		log_warn("conn %llu: %s: closed after reload: %s",
		    (unsigned long long)s->sess_id, s->sess_remote, why);
		sess_close(s, "certificate no longer accepted");
	}
}

int
proxy_reload(struct proxy *px, struct config *conf, struct ruleset *rules,
    char *err, size_t errlen)
{
	struct listener		**nls, **keep, *old;
	struct tls_server	**ntls;
	const struct listen_conf *lc;
	size_t			 i, j, n = conf->nlisten;
	struct gen		*g;

	nls = xcalloc(n, sizeof(*nls));
	keep = xcalloc(n, sizeof(*keep));
	ntls = xcalloc(n, sizeof(*ntls));
	/* A socket systemd gave us must keep its listener. */
	for (i = 0; i < px->px_nls; i++) {
		old = px->px_ls[i];
		for (j = 0; j < n && !(old->inherited && proxy_find_listener(px,
		    &conf->listen[j]) == old); j++)
			;
		if (old->inherited && j == n) {
			snprintf(err, errlen, "%s is a socket from systemd; a "
			    "configuration without it would leave its clients "
			    "hanging (change the socket unit instead)",
			    old->label);
			goto fail;
		}
	}
	/* Everything that can fail, before anything changes. */
	for (i = 0; i < n; i++) {
		lc = &conf->listen[i];
		if ((keep[i] = proxy_find_listener(px, lc)) == NULL) {
			if ((nls[i] = listener_open(px, lc, err, errlen)) ==
			    NULL)
				goto fail;
		} else if (lc->kind == LISTEN_TCP && tls_server_new(&lc->tls,
		    proxy_tls_threads(), &ntls[i], err, errlen) == -1)
			goto fail;
	}
	/* Commit. */
	for (i = 0; i < px->px_nls; i++) {
		for (j = 0; j < n && keep[j] != px->px_ls[i]; j++)
			;
		if (j == n) {
			log_info("reload: closing listener %s",
			    px->px_ls[i]->label);
			proxy_retire(px, px->px_ls[i]);
		}
	}
	px->px_ls = xreallocarray(px->px_ls, n, sizeof(*px->px_ls));
	for (i = 0; i < n; i++) {
		if (keep[i] != NULL) {
			nls[i] = keep[i];
			nls[i]->conf = &conf->listen[i];
			snprintf(nls[i]->label, sizeof(nls[i]->label), "%s",
			    listen_label(nls[i]->conf));
			listener_reapply(nls[i], nls[i]->conf);
			if (ntls[i] != NULL) {
				tls_server_unref(nls[i]->tls);
				nls[i]->tls = ntls[i];
				ntls[i] = NULL;
			}
		}
		px->px_ls[i] = nls[i];
		if (keep[i] == NULL || nls[i]->tls != NULL)
			listener_log(nls[i]);
	}
	px->px_nls = n;
	g = px->px_gen;
	px->px_gen = gen_new(conf, rules);
	px->px_conf = conf;
	gen_unref(g);
	proxy_recheck_tls(px);
	free(nls);
	free(keep);
	free(ntls);
	return 0;
fail:
	for (i = 0; i < n; i++) {
		if (nls[i] != NULL) {
			listener_close(nls[i]);
			free(nls[i]);
		}
		tls_server_unref(ntls[i]);
	}
	free(nls);
	free(keep);
	free(ntls);
	return -1;
}

/* Calls the drain callback once the last session is gone. */
static void
proxy_check_drained(struct proxy *px)
{
	void	(*done)(void *);

	if (!px->px_draining || px->px_nsessions > 0 ||
	    px->px_nhandshakes > 0 || px->px_drained == NULL)
		return;
	done = px->px_drained;
	px->px_drained = NULL;
	done(px->px_drained_arg);
}

/* Drain deadline: whatever is still open is closed now. */
static void
proxy_drain_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	struct proxy	*px = arg;
	struct session	*s;

	log_info("drain timeout: closing %zu connections", px->px_nsessions);
	while ((s = TAILQ_FIRST(&px->px_sessions)) != NULL)
		sess_close(s, "drain timeout");
}

void
proxy_drain(struct proxy *px, void (*done)(void *), void *arg)
{
	struct session	*s, *next;
	struct timeval	 tv;
	unsigned	 ms = px->px_conf->limits.drain_timeout_ms;

	px->px_draining = 1;
	px->px_drained = done;
	px->px_drained_arg = arg;
	proxy_close_listeners(px);
	/* Idle keep-alive connections go now; busy ones after their reply. */
	for (s = TAILQ_FIRST(&px->px_sessions); s != NULL; s = next) {
		next = TAILQ_NEXT(s, sess_entry);
		s->sess_close_after = 1;
		if (s->sess_state == SS_HEAD && evbuffer_get_length(
		    bufferevent_get_input(s->sess_cl)) == 0)
			sess_close(s, "shutting down");
	}
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	px->px_drain_timer = evtimer_new(px->px_base, proxy_drain_timeout_cb,
	    px);
	if (px->px_drain_timer != NULL)
		evtimer_add(px->px_drain_timer, &tv);
	proxy_check_drained(px);
}

void
proxy_set_audit(struct proxy *px, struct audit *audit)
{
	px->px_audit = audit;
}

size_t
proxy_sessions(const struct proxy *px)
{
	return px->px_nsessions;
}

void
proxy_free(struct proxy *px)
{
	struct session	*s;

	if (px == NULL)
		return;
	px->px_drained = NULL;
	px->px_freeing = 1;
	/* Handshakes first: their connections hold listener material. */
	tls_pool_free(px->px_pool);
	px->px_pool = NULL;
	proxy_close_listeners(px);
	/* sess_free() unlinks s (no callback runs here, so at once). */
	while ((s = TAILQ_FIRST(&px->px_sessions)) != NULL)
		sess_free(s);	/* NOLINT(clang-analyzer-unix.Malloc) */
	if (px->px_drain_timer != NULL)
		event_free(px->px_drain_timer);
	for (size_t i = 0; i < px->px_nifds; i++)
		if (px->px_ifds[i] != -1)
			close(px->px_ifds[i]);
	free(px->px_ifds);
	for (size_t i = 0; i < px->px_nretired; i++)
		free(px->px_retired[i]);
	event_free(px->px_sweep);
	tenants_free(px->px_tenants);
	free(px->px_retired);
	free(px->px_ls);
	gen_unref(px->px_gen);
	free(px);
}
