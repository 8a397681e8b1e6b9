/* Self-protection: the seccomp filter and the Landlock ruleset. */
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>
#include <linux/landlock.h>
#include <seccomp.h>

#include "config.h"
#include "log.h"
#include "sandbox.h"
#include "xmalloc.h"

/*
 * Sanitizer builds apply nothing: LeakSanitizer stops the world at exit
 * with ptrace from a forked tracer, and error reports fork a symbolizer;
 * a filter that allowed that would be no filter.
 */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SB_SANITIZED	1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
    __has_feature(memory_sanitizer)
#define SB_SANITIZED	1
#endif
#endif

/* Landlock rights and fields newer than Debian 12's linux/landlock.h. */
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE	(1ULL << 14)
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV	(1ULL << 15)
#endif
#ifndef LANDLOCK_ACCESS_NET_CONNECT_TCP
#define LANDLOCK_ACCESS_NET_CONNECT_TCP	(1ULL << 1)
#endif
#ifndef LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET
#define LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET	(1ULL << 0)
#define LANDLOCK_SCOPE_SIGNAL			(1ULL << 1)
#endif

/* struct landlock_ruleset_attr as of ABI 6; older kernels take the
 * leading fields as long as the others are zero. */
struct sb_ruleset_attr {
	uint64_t	handled_access_fs;
	uint64_t	handled_access_net;
	uint64_t	scoped;
};

/* The rights a rule on a file (not a directory) may carry. */
#define SB_FILE_RIGHTS	(LANDLOCK_ACCESS_FS_EXECUTE | \
	LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_READ_FILE | \
	LANDLOCK_ACCESS_FS_TRUNCATE | LANDLOCK_ACCESS_FS_IOCTL_DEV)

#define SB_HINT	" (refused by sockguard's sandbox: Landlock lets it open and " \
	"create files only beneath the directories its configuration " \
	"named at start; restart sockguard to use this path, or set " \
	"sandbox: false)"

static int	sb_landlock_on;		/* the ABI in force, 0 if none */

/*
 * System calls allowed without conditions.  Names this architecture does
 * not have are skipped; both the old and the *at forms are listed, since
 * glibc versions pick differently.  Nothing here executes, forks, traces,
 * mounts, changes credentials or loads anything into the kernel.
 */
static const char *const sb_allowed[] = {
	/* files and descriptors */
	"read", "write", "readv", "writev", "pread64", "close", "open",
	"openat", "lseek", "fstat", "stat", "lstat", "newfstatat", "statx",
	"fcntl", "dup", "dup3", "readlink", "readlinkat", "access",
	"faccessat", "faccessat2", "getcwd", "getdents64", "unlink",
	"unlinkat", "chmod", "fchmod", "fchmodat", "chown", "lchown",
	"fchown", "fchownat", "umask", "fsync", "fdatasync", "ftruncate",
	/* memory (mmap and mprotect are below: never executable) */
	"brk", "munmap", "mremap", "madvise",
	/* events */
	"epoll_create", "epoll_create1", "epoll_ctl", "epoll_wait",
	"epoll_pwait", "epoll_pwait2", "poll", "ppoll", "eventfd", "eventfd2",
	"pipe", "pipe2", "timerfd_create", "timerfd_settime",
	"timerfd_gettime",
	/* sockets (socket itself is below: by family) */
	"socketpair", "bind", "listen", "accept", "accept4", "connect",
	"getsockname", "getpeername", "getsockopt", "setsockopt", "shutdown",
	"sendto", "recvfrom", "sendmsg", "recvmsg",
	/* signals */
	"rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "sigaltstack",
	"restart_syscall", "getpid", "gettid",
	/* time */
	"clock_gettime", "clock_getres", "gettimeofday", "time", "nanosleep",
	"clock_nanosleep",
	/* threads (clone is below: threads only) */
	"futex", "set_robust_list", "rseq", "set_tid_address", "sched_yield",
	"sched_getaffinity", "exit", "exit_group",
	/* identity and limits, read only */
	"getuid", "geteuid", "getgid", "getegid", "getgroups", "getrlimit",
	"uname", "sysinfo", "getrandom",
};

/* The ioctls: libevent's FIONREAD before a read, non-blocking mode,
 * close-on-exec, and isatty(). */
static const unsigned long sb_ioctls[] = {
	FIONREAD, FIONBIO, FIOCLEX, FIONCLEX, TCGETS,
};

static const int sb_prctls[] = {
	PR_GET_NAME, PR_SET_NAME, PR_GET_DUMPABLE,
};

static const int sb_families[] = { AF_UNIX, AF_INET, AF_INET6 };

/* ---------------------------------------------------------------- SIGSYS */

/*
 * A call outside the filter does not kill sockguard (every Docker client
 * would lose its connection for what may be a harmless new glibc habit):
 * it fails with ENOSYS, which glibc's fallbacks expect, and is logged
 * once per system call from the SIGSYS handler.
 */
#if defined(__x86_64__) || defined(__aarch64__)
#define SB_TRAP		1
#define SB_NR_MAX	512

static const char	*sb_names[SB_NR_MAX];
static volatile sig_atomic_t sb_seen[SB_NR_MAX];

/* Appends s to buf at *off, async-signal-safely. */
static void
sb_cat(char *buf, size_t size, size_t *off, const char *s)
{
	while (*s != '\0' && *off + 1 < size)
		buf[(*off)++] = *s++;
}

/* Appends v in decimal, at least width digits. */
static void
sb_num(char *buf, size_t size, size_t *off, long v, int width)
{
	char	d[24];
	int	n = 0;

	if (v < 0) {
		sb_cat(buf, size, off, "-");
		v = -v;
	}
	do {
		d[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0 && n < (int)sizeof(d));
	while (n < width && n < (int)sizeof(d))
		d[n++] = '0';
	while (n > 0 && *off + 1 < size)
		buf[(*off)++] = d[--n];
}

/* log.c's time stamp, without gmtime_r (it takes a lock). */
static void
sb_stamp(char *buf, size_t size, size_t *off)
{
	struct timespec	ts;
	long		days, secs, y, era, doe, yoe, doy, mp, mon, day;

	clock_gettime(CLOCK_REALTIME, &ts);
	days = (long)(ts.tv_sec / 86400);
	secs = (long)(ts.tv_sec % 86400);
	/* Days since 1970-01-01 to a civil date (proleptic Gregorian). */
	days += 719468;
	era = days / 146097;
	doe = days - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	day = doy - (153 * mp + 2) / 5 + 1;
	mon = mp < 10 ? mp + 3 : mp - 9;
	y += mon <= 2;
	sb_num(buf, size, off, y, 4);
	sb_cat(buf, size, off, "-");
	sb_num(buf, size, off, mon, 2);
	sb_cat(buf, size, off, "-");
	sb_num(buf, size, off, day, 2);
	sb_cat(buf, size, off, "T");
	sb_num(buf, size, off, secs / 3600, 2);
	sb_cat(buf, size, off, ":");
	sb_num(buf, size, off, secs / 60 % 60, 2);
	sb_cat(buf, size, off, ":");
	sb_num(buf, size, off, secs % 60, 2);
	sb_cat(buf, size, off, ".");
	sb_num(buf, size, off, ts.tv_nsec / 1000000L, 3);
	sb_cat(buf, size, off, "Z");
}

/* SIGSYS from the filter: log the call once, make it return ENOSYS. */
static void
sb_sigsys(int sig, siginfo_t *si, void *uctx)
{
	ucontext_t	*uc = uctx;
	char		 line[512];
	size_t		 off = 0;
	int		 nr, saved = errno;

	if (si->si_code != 1 /* SYS_SECCOMP */)
		return;
	nr = si->si_syscall;
#if defined(__x86_64__)
	uc->uc_mcontext.gregs[REG_RAX] = -ENOSYS;
#else
	uc->uc_mcontext.regs[0] = (unsigned long long)-ENOSYS;
#endif
	if (nr >= 0 && nr < SB_NR_MAX) {
		if (sb_seen[nr])
			goto out;
		sb_seen[nr] = 1;
	}
	sb_stamp(line, sizeof(line), &off);
	sb_cat(line, sizeof(line), &off, " sockguard[");
	sb_num(line, sizeof(line), &off, (long)getpid(), 1);
	sb_cat(line, sizeof(line), &off, "]: error: sandbox: system call ");
	if (nr >= 0 && nr < SB_NR_MAX && sb_names[nr] != NULL)
		sb_cat(line, sizeof(line), &off, sb_names[nr]);
	sb_cat(line, sizeof(line), &off, " (");
	sb_num(line, sizeof(line), &off, nr, 1);
	sb_cat(line, sizeof(line), &off, ") is outside the seccomp filter; it "
	    "failed with ENOSYS (logged once per call; please report it; "
	    "sandbox: false turns the filter off)\n");
	(void)!write(STDERR_FILENO, line, off);
out:
	errno = saved;
}

/* The handler, and the names it prints (resolved now, not in it). */
static int
sb_trap_init(void)
{
	struct sigaction	sa;
	int			nr;

	for (nr = 0; nr < SB_NR_MAX; nr++)
		if (sb_names[nr] == NULL)
			sb_names[nr] = seccomp_syscall_resolve_num_arch(
			    SCMP_ARCH_NATIVE, nr);
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = sb_sigsys;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	return sigaction(SIGSYS, &sa, NULL);
}
#define SB_DEFAULT	SCMP_ACT_TRAP
#else
#define SB_DEFAULT	SCMP_ACT_ERRNO(ENOSYS)
#endif

/* ---------------------------------------------------------------- seccomp */

/* One allow rule with up to two argument conditions; -1 on failure. */
static int
sb_rule(scmp_filter_ctx ctx, const char *name, unsigned n,
    struct scmp_arg_cmp a, struct scmp_arg_cmp b)
{
	int	nr = seccomp_syscall_resolve_name(name);

	if (nr == __NR_SCMP_ERROR)
		return 0;	/* not a call of this architecture */
	if (n == 0)
		return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
	if (n == 1)
		return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1, a);
	return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 2, a, b);
}

/* The rules with conditions on arguments. */
static int
sb_rules_args(scmp_filter_ctx ctx)
{
	struct scmp_arg_cmp	none = SCMP_A0(SCMP_CMP_EQ, 0, 0);
	size_t			i;
	int			r = 0;

	/* Threads only: no fork.  clone3's flags are out of the filter's
	 * reach, so it fails and glibc falls back to clone. */
	r |= sb_rule(ctx, "clone", 1, SCMP_A0(SCMP_CMP_MASKED_EQ,
	    CLONE_THREAD, CLONE_THREAD), none);
	r |= seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS),
	    SCMP_SYS(clone3), 0);
	/* Memory that is never writable and executable by our doing. */
	r |= sb_rule(ctx, "mmap", 1, SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC,
	    0), none);
	r |= sb_rule(ctx, "mprotect", 1, SCMP_A2(SCMP_CMP_MASKED_EQ,
	    PROT_EXEC, 0), none);
	/* abort() and raise() signal this process only. */
	r |= sb_rule(ctx, "tgkill", 1, SCMP_A0(SCMP_CMP_EQ,
	    (scmp_datum_t)getpid(), 0), none);
	/* getrlimit() through prlimit64: our own limits, read only. */
	r |= sb_rule(ctx, "prlimit64", 2, SCMP_A0(SCMP_CMP_EQ, 0, 0),
	    SCMP_A2(SCMP_CMP_EQ, 0, 0));
	for (i = 0; i < sizeof(sb_families) / sizeof(sb_families[0]); i++)
		r |= sb_rule(ctx, "socket", 1, SCMP_A0(SCMP_CMP_EQ,
		    (scmp_datum_t)sb_families[i], 0), none);
	for (i = 0; i < sizeof(sb_ioctls) / sizeof(sb_ioctls[0]); i++)
		r |= sb_rule(ctx, "ioctl", 1, SCMP_A1(SCMP_CMP_MASKED_EQ,
		    0xffffffffULL, sb_ioctls[i]), none);
	for (i = 0; i < sizeof(sb_prctls) / sizeof(sb_prctls[0]); i++)
		r |= sb_rule(ctx, "prctl", 1, SCMP_A0(SCMP_CMP_EQ,
		    (scmp_datum_t)sb_prctls[i], 0), none);
	return r != 0 ? -1 : 0;
}

int
sandbox_seccomp(char *err, size_t errlen)
{
	scmp_filter_ctx	 ctx;
	struct scmp_arg_cmp none = SCMP_A0(SCMP_CMP_EQ, 0, 0);
	size_t		 i;
	int		 r;

#ifdef SB_TRAP
	if (sb_trap_init() == -1) {
		snprintf(err, errlen, "sandbox: SIGSYS handler: %s",
		    strerror(errno));
		return -1;
	}
#endif
	if ((ctx = seccomp_init(SB_DEFAULT)) == NULL) {
		snprintf(err, errlen, "sandbox: seccomp_init failed");
		return -1;
	}
	/* Every thread, the handshake threads included. */
	r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
	for (i = 0; r == 0 && i < sizeof(sb_allowed) / sizeof(sb_allowed[0]);
	    i++)
		r = sb_rule(ctx, sb_allowed[i], 0, none, none);
	if (r == 0)
		r = sb_rules_args(ctx);
	if (r == 0)
		r = seccomp_load(ctx);
	seccomp_release(ctx);
	if (r != 0) {
		snprintf(err, errlen, "sandbox: cannot install the seccomp "
		    "filter: %s", strerror(r < 0 ? -r : EINVAL));
		return -1;
	}
	return 0;
}

/* ---------------------------------------------------------------- Landlock */

int
sandbox_landlock_abi(void)
{
	long	abi;

	abi = syscall(SYS_landlock_create_ruleset, NULL, 0,
	    LANDLOCK_CREATE_RULESET_VERSION);
	return abi > 0 ? (int)abi : 0;
}

/* The Landlock rights of SANDBOX_* access bits. */
static uint64_t
sb_rights(unsigned access)
{
	uint64_t	r = 0;

	if (access & SANDBOX_READ)
		r |= LANDLOCK_ACCESS_FS_READ_FILE;
	/* Truncation: audit.c cuts a short write's torn line back. */
	if (access & SANDBOX_APPEND)
		r |= LANDLOCK_ACCESS_FS_WRITE_FILE |
		    LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_TRUNCATE;
	if (access & SANDBOX_SOCKETS)
		r |= LANDLOCK_ACCESS_FS_MAKE_SOCK |
		    LANDLOCK_ACCESS_FS_REMOVE_FILE;
	return r;
}

/* Adds one grant to ruleset rs; 0 also when its path does not exist. */
static int
sb_add(int rs, const struct sandbox_grant *g, uint64_t handled, char *err,
    size_t errlen)
{
	struct landlock_path_beneath_attr pb;
	struct stat	st;
	int		fd, saved;

	if ((fd = open(g->path, O_PATH | O_CLOEXEC)) == -1) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		snprintf(err, errlen, "sandbox: %s: %s", g->path,
		    strerror(errno));
		return -1;
	}
	memset(&pb, 0, sizeof(pb));
	pb.parent_fd = fd;
	pb.allowed_access = sb_rights(g->access) & handled;
	if (fstat(fd, &st) == 0 && !S_ISDIR(st.st_mode))
		pb.allowed_access &= SB_FILE_RIGHTS;
	if (pb.allowed_access != 0 && syscall(SYS_landlock_add_rule, rs,
	    LANDLOCK_RULE_PATH_BENEATH, &pb, 0) == -1) {
		saved = errno;
		close(fd);
		snprintf(err, errlen, "sandbox: Landlock rule for %s: %s",
		    g->path, strerror(saved));
		return -1;
	}
	close(fd);
	return 0;
}

int
sandbox_landlock(const struct sandbox_grant *grants, size_t ngrants,
    char *err, size_t errlen)
{
	struct sb_ruleset_attr	 ra;
	const char		*ns;
	size_t			 i;
	int			 abi, rs;

	if ((abi = sandbox_landlock_abi()) == 0) {
		snprintf(err, errlen, "the kernel has no Landlock (%s)",
		    strerror(errno));
		return 0;
	}
	memset(&ra, 0, sizeof(ra));
	/* Every right the kernel knows is handled: what no grant gives is
	 * refused. */
	ra.handled_access_fs = LANDLOCK_ACCESS_FS_EXECUTE |
	    LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_READ_FILE |
	    LANDLOCK_ACCESS_FS_READ_DIR | LANDLOCK_ACCESS_FS_REMOVE_DIR |
	    LANDLOCK_ACCESS_FS_REMOVE_FILE | LANDLOCK_ACCESS_FS_MAKE_CHAR |
	    LANDLOCK_ACCESS_FS_MAKE_DIR | LANDLOCK_ACCESS_FS_MAKE_REG |
	    LANDLOCK_ACCESS_FS_MAKE_SOCK | LANDLOCK_ACCESS_FS_MAKE_FIFO |
	    LANDLOCK_ACCESS_FS_MAKE_BLOCK | LANDLOCK_ACCESS_FS_MAKE_SYM;
	if (abi >= 2)
		ra.handled_access_fs |= LANDLOCK_ACCESS_FS_REFER;
	if (abi >= 3)
		ra.handled_access_fs |= LANDLOCK_ACCESS_FS_TRUNCATE;
	if (abi >= 5)
		ra.handled_access_fs |= LANDLOCK_ACCESS_FS_IOCTL_DEV;
	/* dockerd is a unix socket: no outgoing TCP at all.  Binding stays
	 * open, a reload may add a TLS listener on any port. */
	if (abi >= 4)
		ra.handled_access_net = LANDLOCK_ACCESS_NET_CONNECT_TCP;
	/* No signals to processes outside the sandbox; no abstract unix
	 * sockets, unless systemd's notification socket is one. */
	if (abi >= 6) {
		ra.scoped = LANDLOCK_SCOPE_SIGNAL;
		ns = getenv("NOTIFY_SOCKET");
		if (ns == NULL || ns[0] != '@')
			ra.scoped |= LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET;
	}
	rs = (int)syscall(SYS_landlock_create_ruleset, &ra,
	    abi >= 6 ? sizeof(ra) : abi >= 4 ?
	    offsetof(struct sb_ruleset_attr, scoped) :
	    offsetof(struct sb_ruleset_attr, handled_access_net), 0);
	if (rs == -1) {
		snprintf(err, errlen, "sandbox: Landlock ruleset: %s",
		    strerror(errno));
		return -1;
	}
	for (i = 0; i < ngrants; i++)
		if (sb_add(rs, &grants[i], ra.handled_access_fs, err,
		    errlen) == -1) {
			close(rs);
			return -1;
		}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1 ||
	    syscall(SYS_landlock_restrict_self, rs, 0) == -1) {
		snprintf(err, errlen, "sandbox: Landlock: %s", strerror(errno));
		close(rs);
		return -1;
	}
	close(rs);
	sb_landlock_on = abi;
	return 1;
}

const char *
sandbox_hint(const char *path, int mode, int errnum)
{
	char	dir[4096], *slash;

	if (errnum != EACCES || !sb_landlock_on || path == NULL)
		return "";
	if (faccessat(AT_FDCWD, path, mode, AT_EACCESS) == 0)
		return SB_HINT;
	if (errno != ENOENT)
		return "";
	snprintf(dir, sizeof(dir), "%s", path);
	if ((slash = strrchr(dir, '/')) == NULL)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	return faccessat(AT_FDCWD, dir, W_OK | X_OK, AT_EACCESS) == 0 ?
	    SB_HINT : "";
}

/* ---------------------------------------------------------------- both */

/* The directory of path, as written (a new string). */
static char *
sb_dirname(const char *path)
{
	const char	*slash = strrchr(path, '/');

	if (slash == NULL)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

/* Adds a grant for the directory of path (owned by the list). */
static void
sb_grant_dir(struct sandbox_grant *g, size_t *n, const char *path,
    unsigned access)
{
	if (path == NULL)
		return;
	g[*n].path = sb_dirname(path);
	g[*n].access = access;
	(*n)++;
}

/*
 * Work that would need files or code the sandbox will refuse, done now:
 * name service modules are loaded on their first use (a name no module
 * knows walks them all), and the time zone is read once.
 */
static void
sb_preload(void)
{
	(void)getpwnam("sockguard-sandbox-nss-preload");
	(void)getgrnam("sockguard-sandbox-nss-preload");
	tzset();
}

int
sandbox_apply(const struct config *conf, char *err, size_t errlen)
{
	struct sandbox_grant	*g;
	const struct tls_conf	*tc;
	char			 why[256];
	size_t			 i, n = 0, max;
	int			 r;

	if (!conf->sandbox) {
		log_warn("sandbox: off (sandbox: false): no seccomp filter, no "
		    "Landlock");
		return 0;
	}
#ifdef SB_SANITIZED
	log_warn("sandbox: NOT APPLIED: this is a sanitizer build, whose "
	    "run-time needs ptrace and fork; production builds apply it");
	return 0;
#endif
	sb_preload();
	max = 8 + conf->nlisten * 5;
	g = xcalloc(max, sizeof(*g));
	/*
	 * Read beneath the directories of the configuration, the rules and
	 * the TLS material (a reload reads them again, maybe replaced by a
	 * rename), and /etc, where user and group names are looked up; an
	 * audit log's directory takes new files (logrotate); a unix
	 * listener's takes new sockets and loses old ones.  Directories,
	 * never files: Landlock holds to inodes, and a rename replaces one.
	 */
	sb_grant_dir(g, &n, conf->file, SANDBOX_READ);
	sb_grant_dir(g, &n, conf->rules, SANDBOX_READ);
	sb_grant_dir(g, &n, conf->audit_path, SANDBOX_APPEND);
	for (i = 0; i < conf->nlisten; i++) {
		if (conf->listen[i].kind == LISTEN_UNIX) {
			sb_grant_dir(g, &n, conf->listen[i].path,
			    SANDBOX_SOCKETS);
			continue;
		}
		tc = &conf->listen[i].tls;
		sb_grant_dir(g, &n, tc->cert, SANDBOX_READ);
		sb_grant_dir(g, &n, tc->key, SANDBOX_READ);
		sb_grant_dir(g, &n, tc->client_ca, SANDBOX_READ);
		sb_grant_dir(g, &n, tc->crl, SANDBOX_READ);
	}
	g[n].path = xstrdup("/etc");
	g[n++].access = SANDBOX_READ;
	/* mbedTLS's entropy where getrandom(2) is missing. */
	g[n].path = xstrdup("/dev/urandom");
	g[n++].access = SANDBOX_READ;
	r = sandbox_landlock(g, n, why, sizeof(why));
	for (i = 0; i < n; i++)
		free((char *)(uintptr_t)g[i].path);
	free(g);
	if (r == -1) {
		snprintf(err, errlen, "%s", why);
		return -1;
	}
	if (r == 0)
		log_warn("sandbox: %s: file access is not confined; the "
		    "seccomp filter still applies", why);
	if (sandbox_seccomp(err, errlen) == -1)
		return -1;
	if (r == 1)
		log_info("sandbox: seccomp filter and Landlock (ABI %d) in "
		    "force", sb_landlock_on);
	else
		log_info("sandbox: seccomp filter in force");
	return 0;
}
