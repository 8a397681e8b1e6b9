/*
 * Self-protection once sockguard is set up: a seccomp filter that lets it
 * make only the system calls it makes, and a Landlock ruleset that lets
 * it open, create and remove files only where its configuration points.
 * Both hold for every thread and cannot be lifted, so they are sized for
 * what a SIGHUP reload and a SIGUSR1 reopen do.  See sockguard(8),
 * "Self-protection", for what is allowed and why.
 */
#ifndef SG_SANDBOX_H
#define SG_SANDBOX_H

#include <stddef.h>
#include <stdint.h>

struct config;

/* What a grant allows beneath a path (a directory, or one file). */
#define SANDBOX_READ	0x1	/* open files for reading */
#define SANDBOX_APPEND	0x2	/* open files for writing, create and
				 * truncate them */
#define SANDBOX_SOCKETS	0x4	/* create unix sockets, remove files */

struct sandbox_grant {
	const char	*path;
	unsigned	 access;	/* SANDBOX_* */
};

/*
 * Applies both parts for the configuration conf, before any thread is
 * started: the filter is installed on all threads, but Landlock binds
 * only the caller and the threads it starts later.  Returns 0 when the
 * sandbox is in force or conf says sandbox: false (the caller logs
 * nothing more), -1 with err set if it could not be installed.  Logs a
 * warning and returns 0 where the kernel has no Landlock, and in
 * sanitizer builds, where it applies nothing (LeakSanitizer's exit check
 * needs ptrace and fork).
 */
int	sandbox_apply(const struct config *conf, char *err, size_t errlen);

/*
 * The seccomp filter alone, on all threads of the process: allowed calls
 * run, the rest fail with ENOSYS and are logged once each (SIGSYS).
 * -1 with err set on failure.
 */
int	sandbox_seccomp(char *err, size_t errlen);

/*
 * The Landlock ruleset alone: the caller (and threads and children it
 * starts later) may open, create and remove files only as grants say.
 * Grants whose path does not exist are skipped.  Returns 1 when in
 * force, 0 when the kernel has no Landlock (err says why), -1 with err
 * set on failure.
 */
int	sandbox_landlock(const struct sandbox_grant *grants, size_t ngrants,
	    char *err, size_t errlen);

/* The Landlock ABI version of the running kernel, 0 without Landlock. */
int	sandbox_landlock_abi(void);

/*
 * For an error message about path: when errnum is EACCES, Landlock is in
 * force and the file permissions would have allowed the access (mode is
 * R_OK or W_OK; a path that does not exist is judged by its directory),
 * the sentence that says the sandbox refused it; "" otherwise.
 */
const char *sandbox_hint(const char *path, int mode, int errnum);

#endif
