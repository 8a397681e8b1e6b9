/*
 * libFuzzer target for the configuration loader: arbitrary bytes go to
 * config_parse(), and the same bytes, as a string, to config_parse_size()
 * and config_parse_duration().  Whatever is accepted must satisfy what
 * the rest of sockguard relies on; every error must name its file.
 */
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

#define NAME		"/etc/sockguard/fuzz.yaml"
#define FUZZ_MAX_INPUT	(1024 * 1024)	/* config_load() reads no more */

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Aborts unless an accepted config holds what the daemon assumes. */
static void
check_config(const struct config *cf)
{
	const struct limits	*lim = &cf->limits;
	size_t			 i;

	if (cf->file == NULL || strcmp(cf->file, NAME) != 0)
		abort();
	if (cf->upstream == NULL || cf->upstream[0] != '/' ||
	    strlen(cf->upstream) >= 108)
		abort();
	if (cf->nlisten == 0 || cf->listen == NULL)
		abort();
	/* required, and made absolute from the file's directory */
	if (cf->rules == NULL || cf->rules[0] != '/')
		abort();
	if (cf->audit_path != NULL && cf->audit_path[0] == '\0')
		abort();
	for (i = 0; i < cf->nlisten; i++) {
		const struct listen_conf *l = &cf->listen[i];

		if (l->kind != LISTEN_UNIX || l->addr != NULL)
			abort();
		if (l->path == NULL || l->path[0] != '/' ||
		    strlen(l->path) >= 108)
			abort();
		if (l->name != NULL && l->name[0] == '\0')
			abort();
		if ((l->mode & ~(mode_t)0777) != 0 || (l->mode & 0113) != 0)
			abort();
	}
	if (lim->max_connections == 0 || lim->max_connections > 1000000 ||
	    lim->max_request_line == 0 ||
	    lim->max_request_line > lim->max_header_bytes ||
	    lim->max_header_bytes > 1024 * 1024 ||
	    lim->max_headers == 0 || lim->max_headers > 10000 ||
	    lim->max_inspect_body == 0 ||
	    lim->max_inspect_body > 256 * 1024 * 1024 ||
	    lim->header_timeout_ms == 0 || lim->idle_timeout_ms == 0 ||
	    lim->drain_timeout_ms == 0)
		abort();
}

/* The number parsers on a short NUL-terminated copy of the input. */
static void
fuzz_numbers(const uint8_t *data, size_t size)
{
	char		 s[64];
	size_t		 v, max;
	unsigned	 ms;

	if (size >= sizeof(s))
		size = sizeof(s) - 1;
	memcpy(s, data, size);
	s[size] = '\0';
	max = size > 0 ? (size_t)1 << (data[0] % 64) : SIZE_MAX;
	v = 7;
	if (config_parse_size(s, max, &v) == 0) {
		if (v > max)
			abort();
	} else if (v != 7)
		abort();
	ms = 7;
	if (config_parse_duration(s, &ms) == -1 && ms != 7)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config	*cf = (struct config *)&cf;
	char		 err[256];
	int		 r;

	if (size > FUZZ_MAX_INPUT)
		return 0;
	fuzz_numbers(data, size);
	memset(err, 'X', sizeof(err));
	r = config_parse(NAME, data, size, &cf, err, sizeof(err));
	if (r == 0) {
		if (cf == NULL)
			abort();
		check_config(cf);
		config_free(cf);
	} else {
		if (r != -1 || cf != NULL)
			abort();
		if (memchr(err, '\0', sizeof(err)) == NULL ||
		    strncmp(err, NAME ":", strlen(NAME ":")) != 0)
			abort();
	}
	return 0;
}
