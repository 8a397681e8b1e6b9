/*
 * Operator log on stderr (the journal under systemd).  Every line is
 * escaped: bytes below 0x20 and 0x7f are written as \xNN so that
 * untrusted input (paths, header values) cannot forge or split records.
 */
#ifndef SG_LOG_H
#define SG_LOG_H

enum log_level { LOG_LVL_ERR, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

void	log_init(enum log_level);
void	log_set_level(enum log_level);
int	log_enabled(enum log_level);
void	log_err(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
/* Logs at error level and exits 1: only at start-up and on out-of-memory. */
void	fatal(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

#endif
