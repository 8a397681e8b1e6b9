/*
 * What the YAML loaders (config.c, rules.c) share: reading a file with
 * a size cap, libyaml's errors as "NAME:LINE:COLUMN: reason", and the
 * rule that a file holds one YAML document.
 */
#ifndef SG_YAMLFILE_H
#define SG_YAMLFILE_H

#include <stddef.h>
#include <yaml.h>

/*
 * Reads FILE whole (at most max bytes) into a new buffer the caller
 * frees; NULL with "FILE: reason" in err.
 */
unsigned char	*yamlfile_read(const char *file, size_t max, size_t *len,
		    char *err, size_t errlen);
/* Writes libyaml's complaint with its line and column (in characters;
 * reader errors carry only a byte offset, which is counted out). */
void		 yamlfile_error(const char *name, yaml_parser_t *,
		    const unsigned char *buf, size_t len, char *err,
		    size_t errlen);
/*
 * After the first document: -1 with a reason in err if the stream holds
 * anything else (what names the file kind, e.g. "a rules file").
 */
int		 yamlfile_one_document(const char *name, const char *what,
		    yaml_parser_t *, const unsigned char *buf, size_t len,
		    char *err, size_t errlen);

#endif
