/*
 * Allocation wrappers that never return NULL: running out of memory is
 * fatal (logged, then exit 1).  Sizes are checked for overflow.
 */
#ifndef SG_XMALLOC_H
#define SG_XMALLOC_H

#include <stddef.h>

void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xreallocarray(void *, size_t, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);
int	 xasprintf(char **, const char *, ...)
	    __attribute__((format(printf, 2, 3)));

#endif
