/* Operator log: escaped, one write(2) per line, to stderr. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static enum log_level log_max = LOG_LVL_INFO;

static void	log_vwrite(enum log_level, const char *, va_list)
		    __attribute__((format(printf, 2, 0)));

/* Sets the most verbose level that is written. */
void
log_init(enum log_level level)
{
	log_max = level;
}

/* Changes the level at run time (e.g. after a reload). */
void
log_set_level(enum log_level level)
{
	log_max = level;
}

/* Tells whether a message at this level would be written. */
int
log_enabled(enum log_level level)
{
	return level <= log_max;
}

/* Formats, escapes and writes one line with a single write(2). */
static void
log_vwrite(enum log_level level, const char *fmt, va_list ap)
{
	static const char *names[] = { "error", "warning", "info", "debug" };
	char		 msg[2048], line[8192];
	size_t		 n = 0, i;
	struct timespec	 ts;
	struct tm	 tm;
	int		 w;

	if (level > log_max)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	w = snprintf(line, sizeof(line),
	    "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ sockguard[%ld]: %s: ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000L, (long)getpid(),
	    names[level]);
	n = w > 0 ? (size_t)w : 0;
	for (i = 0; msg[i] != '\0' && n + 5 < sizeof(line); i++) {
		unsigned char c = (unsigned char)msg[i];

		if (c < 0x20 || c == 0x7f || c == '\\') {
			if (c == '\\')
				n += (size_t)snprintf(line + n, 3, "\\\\");
			else
				n += (size_t)snprintf(line + n, 5, "\\x%02x", c);
		} else
			line[n++] = (char)c;
	}
	line[n++] = '\n';
	(void)!write(STDERR_FILENO, line, n);
}

#define LOG_FN(name, level)				\
void							\
name(const char *fmt, ...)				\
{							\
	va_list	ap;					\
							\
	va_start(ap, fmt);				\
	log_vwrite(level, fmt, ap);			\
	va_end(ap);					\
}

LOG_FN(log_err, LOG_LVL_ERR)
LOG_FN(log_warn, LOG_LVL_WARN)
LOG_FN(log_info, LOG_LVL_INFO)
LOG_FN(log_debug, LOG_LVL_DEBUG)

/* Logs the error and exits 1. */
void
fatal(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vwrite(LOG_LVL_ERR, fmt, ap);
	va_end(ap);
	exit(1);
}
