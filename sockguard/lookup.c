/* One GET to dockerd on a private connection, read to EOF, parsed. */
#include <sys/socket.h>
#include <sys/un.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <http_parser.h>

#include "json.h"
#include "lookup.h"
#include "xmalloc.h"

struct lookup {
	struct bufferevent	*lk_bev;
	struct event		*lk_timer;
	size_t			 lk_max;
	lookup_cb		 lk_cb;
	void			*lk_arg;
};

struct lookup_parse {
	struct evbuffer	*body;
	int		 done;
};

static void	lookup_read_cb(struct bufferevent *, void *);
static void	lookup_event_cb(struct bufferevent *, short, void *);
static void	lookup_timeout_cb(evutil_socket_t, short, void *);

/* Frees a lookup's resources. */
static void
lookup_free(struct lookup *lk)
{
	if (lk->lk_bev != NULL)
		bufferevent_free(lk->lk_bev);
	if (lk->lk_timer != NULL)
		event_free(lk->lk_timer);
	free(lk);
}

/* Reports the outcome once and frees the lookup. */
static void
lookup_finish(struct lookup *lk, int status, json_t *body, const char *err)
{
	lookup_cb	 cb = lk->lk_cb;
	void		*arg = lk->lk_arg;

	lookup_free(lk);
	cb(arg, status, body, err);
}

/* http-parser: collect the (de-chunked) body. */
static int
lookup_on_body(http_parser *p, const char *at, size_t len)
{
	struct lookup_parse *lp = p->data;

	evbuffer_add(lp->body, at, len);
	return 0;
}

/* http-parser: the response ended. */
static int
lookup_on_complete(http_parser *p)
{
	struct lookup_parse *lp = p->data;

	lp->done = 1;
	return 0;
}

/* The whole answer is in: parse the response and its JSON body. */
static void
lookup_answer(struct lookup *lk)
{
	static const http_parser_settings settings = {
		.on_body = lookup_on_body,
		.on_message_complete = lookup_on_complete,
	};
	struct evbuffer		*in = bufferevent_get_input(lk->lk_bev);
	struct lookup_parse	 lp;
	http_parser		 p;
	size_t			 len = evbuffer_get_length(in);
	json_t			*j;
	char			 why[128];
	int			 status;

	memset(&lp, 0, sizeof(lp));
	if ((lp.body = evbuffer_new()) == NULL) {
		lookup_finish(lk, 0, NULL, "out of memory");
		return;
	}
	http_parser_init(&p, HTTP_RESPONSE);
	p.data = &lp;
	http_parser_execute(&p, &settings,
	    (const char *)evbuffer_pullup(in, -1), len);
	if (!lp.done)
		http_parser_execute(&p, &settings, NULL, 0);
	if (!lp.done || HTTP_PARSER_ERRNO(&p) != HPE_OK) {
		evbuffer_free(lp.body);
		lookup_finish(lk, 0, NULL, "malformed answer from the Docker "
		    "Engine");
		return;
	}
	status = p.status_code;
	len = evbuffer_get_length(lp.body);
	j = len == 0 ? NULL : json_body_parse((const char *)evbuffer_pullup(
	    lp.body, -1), len, 0, why, sizeof(why));
	evbuffer_free(lp.body);
	if (len > 0 && j == NULL) {
		lookup_finish(lk, 0, NULL, "the Docker Engine's answer is not "
		    "JSON sockguard can read");
		return;
	}
	lookup_finish(lk, status, j, NULL);
	json_decref(j);
}

/* Bytes arrived: only enforce the size cap; the answer ends at EOF. */
static void
lookup_read_cb(struct bufferevent *bev, void *arg)
{
	struct lookup	*lk = arg;

	if (evbuffer_get_length(bufferevent_get_input(bev)) > lk->lk_max)
		lookup_finish(lk, 0, NULL, "the Docker Engine's answer is too "
		    "large");
}

/* EOF: the answer is complete (we asked for Connection: close). */
static void
lookup_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct lookup	*lk = arg;

	if (what & BEV_EVENT_EOF)
		lookup_answer(lk);
	else if (what & BEV_EVENT_ERROR)
		lookup_finish(lk, 0, NULL, strerror(EVUTIL_SOCKET_ERROR()));
}

/* dockerd did not answer in time. */
static void
lookup_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	lookup_finish(arg, 0, NULL, "the Docker Engine did not answer in time");
}

struct lookup *
lookup_start(struct event_base *base, const char *upstream, const char *path,
    size_t max_body, unsigned timeout_ms, lookup_cb cb, void *arg)
{
	struct sockaddr_un	 sun;
	struct lookup		*lk;
	struct timeval		 tv;
	int			 fd;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return NULL;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", upstream);
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 &&
	    errno != EINPROGRESS) {
		close(fd);
		return NULL;
	}
	lk = xcalloc(1, sizeof(*lk));
	lk->lk_max = max_body;
	lk->lk_cb = cb;
	lk->lk_arg = arg;
	lk->lk_bev = bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE);
	lk->lk_timer = evtimer_new(base, lookup_timeout_cb, lk);
	if (lk->lk_bev == NULL || lk->lk_timer == NULL) {
		if (lk->lk_bev == NULL)
			close(fd);
		lookup_free(lk);
		return NULL;
	}
	bufferevent_setcb(lk->lk_bev, lookup_read_cb, NULL, lookup_event_cb,
	    lk);
	evbuffer_add_printf(bufferevent_get_output(lk->lk_bev), "GET %s "
	    "HTTP/1.1\r\nHost: docker\r\nUser-Agent: sockguard\r\n"
	    "Connection: close\r\n\r\n", path);
	bufferevent_enable(lk->lk_bev, EV_READ | EV_WRITE);
	tv.tv_sec = timeout_ms / 1000;
	tv.tv_usec = (timeout_ms % 1000) * 1000;
	evtimer_add(lk->lk_timer, &tv);
	return lk;
}

void
lookup_cancel(struct lookup *lk)
{
	if (lk != NULL)
		lookup_free(lk);
}

int
lookup_escape_segment(const char *s, char *out, size_t outlen)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t	o = 0;

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;
		int plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';

		if (o + (plain ? 1 : 3) >= outlen)
			return -1;
		if (plain)
			out[o++] = (char)c;
		else {
			out[o++] = '%';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	out[o] = '\0';
	return 0;
}
