/* YAML file plumbing shared by the configuration and rules loaders. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sandbox.h"
#include "xmalloc.h"
#include "yamlfile.h"

unsigned char *
yamlfile_read(const char *file, size_t max, size_t *len, char *err,
    size_t errlen)
{
	FILE		*fp;
	unsigned char	*buf;
	int		 saved;

	if ((fp = fopen(file, "r")) == NULL) {
		saved = errno;
		snprintf(err, errlen, "%s: %s%s", file, strerror(saved),
		    sandbox_hint(file, R_OK, saved));
		return NULL;
	}
	buf = xmalloc(max + 1);
	*len = fread(buf, 1, max + 1, fp);
	if (ferror(fp) || *len > max) {
		snprintf(err, errlen, "%s: %s", file, ferror(fp) ?
		    strerror(errno) : "larger than 1 MiB");
		fclose(fp);
		free(buf);
		return NULL;
	}
	fclose(fp);
	return buf;
}

/* Turns a byte offset into a 1-based line and column (in characters). */
static void
yamlfile_offset_pos(const unsigned char *buf, size_t len, size_t off,
    size_t *line, size_t *col)
{
	size_t	i = 0;

	*line = *col = 1;
	if (off > len)
		off = len;
	if (off >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	for (; i < off; i++) {
		if (buf[i] == '\n' || (buf[i] == '\r' &&
		    (i + 1 >= len || buf[i + 1] != '\n'))) {
			(*line)++;
			*col = 1;
		} else if (buf[i] != '\r' && (buf[i] & 0xc0) != 0x80)
			(*col)++;
	}
}

void
yamlfile_error(const char *name, yaml_parser_t *p, const unsigned char *buf,
    size_t len, char *err, size_t errlen)
{
	size_t	line, col;

	if (p->error == YAML_READER_ERROR)
		yamlfile_offset_pos(buf, len, p->problem_offset, &line, &col);
	else {
		line = (size_t)p->problem_mark.line + 1;
		col = (size_t)p->problem_mark.column + 1;
	}
	snprintf(err, errlen, "%s:%zu:%zu: %s", name, line, col,
	    p->problem != NULL ? p->problem : p->error == YAML_MEMORY_ERROR ?
	    "out of memory" : "invalid YAML");
}

int
yamlfile_one_document(const char *name, const char *what, yaml_parser_t *p,
    const unsigned char *buf, size_t len, char *err, size_t errlen)
{
	yaml_document_t	 more;
	int		 r = 0;

	if (!yaml_parser_load(p, &more)) {
		yamlfile_error(name, p, buf, len, err, errlen);
		return -1;
	}
	if (yaml_document_get_root_node(&more) != NULL) {
		snprintf(err, errlen, "%s:%zu:%zu: a second YAML document; %s "
		    "holds one", name, (size_t)more.start_mark.line + 1,
		    (size_t)more.start_mark.column + 1, what);
		r = -1;
	}
	yaml_document_delete(&more);
	return r;
}
