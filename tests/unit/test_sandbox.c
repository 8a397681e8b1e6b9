/*
 * Unit tests for sandbox.c.  Each case installs the filter or the
 * ruleset in a forked child (neither can be lifted), which checks what
 * it may and may not do and reports failures on a pipe; the parent also
 * reads the child's standard error, where the SIGSYS handler logs.
 * The seccomp cases: allowed calls work; a call outside the filter, a
 * fork, an executable mapping, a netlink socket and execve fail with
 * ENOSYS and are logged once per call, on the main thread and on a
 * thread that blocks every signal (as the TLS handshake threads do).
 * The Landlock cases: reading, appending and socket creation only where
 * granted; stat, readlink and realpath (the bind-source resolver)
 * anywhere; the hint that names the sandbox.
 */
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "policy.h"
#include "sandbox.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

static int	child_report = -1;	/* the child's end of the pipe */
static int	child_failed;

/* In the child: records a failed expectation (async-signal-unsafe is
 * fine here, the child is single-purpose). */
#define EXPECT(cond)	expect_at((cond), #cond, __LINE__)
static void
expect_at(int ok, const char *what, int line)
{
	char	buf[512];
	int	n;

	if (ok)
		return;
	child_failed = 1;
	n = snprintf(buf, sizeof(buf), "line %d: %s (errno %s)\n", line, what,
	    strerror(errno));
	if (n > 0)
		(void)!write(child_report, buf, (size_t)n);
}

/* Reads fd to the end into a string the caller frees. */
static char *
slurp(int fd)
{
	size_t	 len = 0, cap = 4096;
	char	*buf = malloc(cap);
	ssize_t	 n;

	assert_non_null(buf);
	while ((n = read(fd, buf + len, cap - len - 1)) > 0) {
		len += (size_t)n;
		if (cap - len < 2) {
			cap *= 2;
			buf = realloc(buf, cap);
			assert_non_null(buf);
		}
	}
	buf[len] = '\0';
	return buf;
}

/*
 * Runs fn in a child with its standard error on a pipe; returns the
 * child's failures in *report and its standard error in *log (both to
 * free), and its exit status.
 */
static int
run_child(void (*fn)(void *), void *arg, char **report, char **log)
{
	int	rp[2], ep[2], status;
	pid_t	pid;

	assert_int_equal(pipe(rp), 0);
	assert_int_equal(pipe(ep), 0);
	pid = fork();
	assert_true(pid != -1);
	if (pid == 0) {
		close(rp[0]);
		close(ep[0]);
		dup2(ep[1], STDERR_FILENO);
		child_report = rp[1];
		fn(arg);
		_exit(child_failed ? 1 : 0);	/* no atexit, no LSan */
	}
	close(rp[1]);
	close(ep[1]);
	*report = slurp(rp[0]);
	*log = slurp(ep[0]);
	close(rp[0]);
	close(ep[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

/* How many lines of log contain s. */
static int
count_lines(const char *log, const char *s)
{
	const char	*p = log, *nl;
	int		 n = 0;

	while (*p != '\0') {
		nl = strchr(p, '\n');
		if (nl == NULL)
			nl = p + strlen(p);
		if (memmem(p, (size_t)(nl - p), s, strlen(s)) != NULL)
			n++;
		p = *nl == '\0' ? nl : nl + 1;
	}
	return n;
}

/* ---------------------------------------------------------------- seccomp */

/* A thread with every signal but SIGSYS blocked, like a handshake
 * thread, makes a call outside the filter. */
static void *
blocked_thread(void *arg)
{
	sigset_t	all;
	long		r;

	sigfillset(&all);
	sigdelset(&all, SIGSYS);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	r = syscall(SYS_getppid);
	*(int *)arg = r == -1 && errno == ENOSYS;
	return NULL;
}

static void
seccomp_child(void *unused)
{
	char		 err[256], buf[8];
	pthread_t	 t;
	void		*p;
	int		 fd, sv[2], thread_ok = 0;
	pid_t		 pid;

	if (sandbox_seccomp(err, sizeof(err)) == -1) {
		EXPECT(!"sandbox_seccomp");
		(void)!write(child_report, err, strlen(err));
		return;
	}
	/* allowed */
	EXPECT(getpid() > 0);
	EXPECT((fd = open("/dev/null", O_RDWR | O_CLOEXEC)) != -1);
	EXPECT(write(fd, "x", 1) == 1);
	EXPECT(read(fd, buf, sizeof(buf)) == 0);
	close(fd);
	EXPECT(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	EXPECT((fd = socket(AF_INET6, SOCK_STREAM, 0)) != -1);
	close(fd);
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE |
	    MAP_ANONYMOUS, -1, 0);
	EXPECT(p != MAP_FAILED);
	/* a thread: clone3 fails with ENOSYS and glibc falls back */
	EXPECT(pthread_create(&t, NULL, blocked_thread, &thread_ok) == 0);
	EXPECT(pthread_join(t, NULL) == 0);
	EXPECT(thread_ok);
	/* refused, twice for getppid: logged once */
	errno = 0;
	EXPECT(syscall(SYS_getppid) == -1 && errno == ENOSYS);
	errno = 0;
	EXPECT(syscall(SYS_getppid) == -1 && errno == ENOSYS);
	pid = fork();
	if (pid == 0)
		_exit(0);
	EXPECT(pid == -1 && errno == ENOSYS);
	EXPECT(mprotect(p, 4096, PROT_READ | PROT_EXEC) == -1 &&
	    errno == ENOSYS);
	EXPECT(socket(AF_NETLINK, SOCK_RAW, 0) == -1 && errno == ENOSYS);
	EXPECT(execl("/bin/true", "true", (char *)NULL) == -1 &&
	    errno == ENOSYS);
	EXPECT(kill(1, 0) == -1 && errno == ENOSYS);
}

static void
test_seccomp(void **state)
{
	char	*report, *log;
	int	 status;

	status = run_child(seccomp_child, NULL, &report, &log);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail_msg("child: status %#x\n%s\nstderr:\n%s", status, report,
		    log);
	/* The main thread's getppid twice, the thread's once: one line. */
	assert_int_equal(count_lines(log, "system call getppid ("), 1);
	assert_int_equal(count_lines(log, "system call clone ("), 1);
	assert_int_equal(count_lines(log, "system call mprotect ("), 1);
	assert_int_equal(count_lines(log, "system call socket ("), 1);
	assert_int_equal(count_lines(log, "system call execve ("), 1);
	assert_int_equal(count_lines(log, "system call kill ("), 1);
	/* clone3 is refused without a word: glibc's fallback expects it */
	assert_int_equal(count_lines(log, "clone3"), 0);
	assert_int_equal(count_lines(log, "sockguard["), 6);
	free(report);
	free(log);
}

/* ---------------------------------------------------------------- Landlock */

struct ll_dirs {
	char	top[64];
	char	rd[96], ap[96], sk[96], out[96];
};

static void
path(char *buf, size_t len, const char *dir, const char *name)
{
	snprintf(buf, len, "%s/%s", dir, name);
}

static void
write_file(const char *p, const char *text)
{
	FILE	*fp = fopen(p, "w");

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static int
ll_setup(void **state)
{
	struct ll_dirs	*d = calloc(1, sizeof(*d));
	char		 p[PATH_MAX];

	if (d == NULL)
		return -1;
	snprintf(d->top, sizeof(d->top), "/tmp/sg-sbx.XXXXXX");
	if (mkdtemp(d->top) == NULL)
		return -1;
	path(d->rd, sizeof(d->rd), d->top, "read");
	path(d->ap, sizeof(d->ap), d->top, "append");
	path(d->sk, sizeof(d->sk), d->top, "sockets");
	path(d->out, sizeof(d->out), d->top, "outside");
	if (mkdir(d->rd, 0755) || mkdir(d->ap, 0755) || mkdir(d->sk, 0755) ||
	    mkdir(d->out, 0755))
		return -1;
	path(p, sizeof(p), d->rd, "conf.yaml");
	write_file(p, "x: 1\n");
	path(p, sizeof(p), d->out, "secret");
	write_file(p, "secret\n");
	path(p, sizeof(p), d->out, "real");
	if (mkdir(p, 0755))
		return -1;
	/* read/link -> ../outside/real: a symlink the resolver follows */
	path(p, sizeof(p), d->rd, "link");
	if (symlink("../outside/real", p))
		return -1;
	*state = d;
	return 0;
}

static int
ll_teardown(void **state)
{
	struct ll_dirs	*d = *state;
	char		 cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", d->top);
	if (system(cmd) != 0)
		return -1;
	free(d);
	return 0;
}

/* Binds a unix socket at p; 0 or the errno. */
static int
bind_at(const char *p)
{
	struct sockaddr_un	sun;
	int			fd, r;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", p);
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1)
		return errno;
	r = bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0 ? 0 : errno;
	close(fd);
	return r;
}

static void
landlock_child(void *arg)
{
	struct ll_dirs		*d = arg;
	struct sandbox_grant	 g[] = {
		{ d->rd, SANDBOX_READ },
		{ d->ap, SANDBOX_APPEND },
		{ d->sk, SANDBOX_SOCKETS },
		{ "/nonexistent/sockguard", SANDBOX_READ },	/* skipped */
	};
	char			 err[256], p[PATH_MAX], out[PATH_MAX];
	struct stat		 st;
	int			 fd, r;

	r = sandbox_landlock(g, nitems(g), err, sizeof(err));
	EXPECT(r == 1);
	if (r != 1) {
		(void)!write(child_report, err, strlen(err));
		return;
	}
	/* read where granted, nothing more */
	path(p, sizeof(p), d->rd, "conf.yaml");
	EXPECT((fd = open(p, O_RDONLY)) != -1);
	close(fd);
	EXPECT(open(p, O_WRONLY | O_APPEND) == -1 && errno == EACCES);
	EXPECT(sandbox_hint(p, R_OK, ENOENT)[0] == '\0');
	path(p, sizeof(p), d->out, "secret");
	EXPECT(open(p, O_RDONLY) == -1 && errno == EACCES);
	EXPECT(strstr(sandbox_hint(p, R_OK, EACCES), "sandbox") != NULL);
	/* the hint for a file yet to be made judges its directory */
	path(p, sizeof(p), d->out, "new.log");
	EXPECT(strstr(sandbox_hint(p, W_OK, EACCES), "sandbox") != NULL);
	EXPECT(open("/etc/passwd", O_RDONLY) == -1 && errno == EACCES);
	/* an audit log: created, appended, reopened; never truncated */
	path(p, sizeof(p), d->ap, "audit.log");
	EXPECT((fd = open(p, O_WRONLY | O_APPEND | O_CREAT, 0600)) != -1);
	EXPECT(write(fd, "line\nto", 7) == 7);
	EXPECT(ftruncate(fd, 5) == 0);	/* a torn line cut back */
	close(fd);
	EXPECT(open(p, O_RDONLY) == -1 && errno == EACCES);
	EXPECT(unlink(p) == -1 && errno == EACCES);
	/* elsewhere no truncation, even with write access by DAC */
	if (sandbox_landlock_abi() >= 3) {
		path(p, sizeof(p), d->rd, "conf.yaml");
		EXPECT(truncate(p, 0) == -1 && errno == EACCES);
	}
	path(p, sizeof(p), d->ap, "sub");
	EXPECT(mkdir(p, 0700) == -1 && errno == EACCES);
	/* sockets only in their directory; stale ones removed there */
	path(p, sizeof(p), d->sk, "s.sock");
	EXPECT(bind_at(p) == 0);
	EXPECT(unlink(p) == 0);
	path(p, sizeof(p), d->ap, "s.sock");
	EXPECT(bind_at(p) == EACCES);
	path(p, sizeof(p), d->sk, "file");
	EXPECT(open(p, O_WRONLY | O_CREAT, 0600) == -1 && errno == EACCES);
	/* the bind-source resolver's calls work on any path */
	path(p, sizeof(p), d->out, "secret");
	EXPECT(lstat(p, &st) == 0);
	EXPECT(stat("/etc/hostname", &st) == 0 || errno == ENOENT);
	path(p, sizeof(p), d->rd, "link/x/y");
	EXPECT(policy_resolve_host(p, out, sizeof(out)) == 0);
	path(p, sizeof(p), d->out, "real/x/y");
	EXPECT(strcmp(out, p) == 0);
	EXPECT(policy_resolve_host("/etc/passwd", out, sizeof(out)) == 0);
}

static void
test_landlock(void **state)
{
	char	*report, *log;
	int	 status;

	if (sandbox_landlock_abi() == 0)
		skip();
	status = run_child(landlock_child, *state, &report, &log);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail_msg("child: status %#x\n%s\nstderr:\n%s", status, report,
		    log);
	free(report);
	free(log);
}

/* Without Landlock in force the hint stays silent. */
static void
test_hint_off(void **state)
{
	assert_string_equal(sandbox_hint("/etc/passwd", R_OK, EACCES), "");
	assert_string_equal(sandbox_hint("/nonexistent/x", W_OK, EACCES), "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hint_off),
		cmocka_unit_test(test_seccomp),
		cmocka_unit_test_setup_teardown(test_landlock, ll_setup,
		    ll_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
