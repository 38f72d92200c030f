/* ktrace-testprog: one program, many small scenarios, each making a known and
 * deterministic sequence of system calls so the integration tests can assert the exact
 * records ktrace writes. Usage: ktrace-testprog <scenario> [args]; run it without
 * arguments for the list.
 *
 * Scenarios call the kernel through syscall(SYS_xxx, ...) wherever libc might choose a
 * different system call (or add hidden ones), and print nothing unless their usage line
 * says so. Output that must appear goes out with one write(2) per line, never stdio,
 * so no buffering adds or moves system calls. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>

#include "utrace.h"

/* The program also builds as i386 (gcc -m32) so the tracer can be tested on 32-bit
 * processes; these are the only calls whose names differ between the two tables. */
#if defined(__x86_64__)
#define SYS_FSTATAT SYS_newfstatat
#define INT80_CLOBBERS "memory", "r8", "r9", "r10", "r11"   /* the kernel may zero these */
#else
#define SYS_FSTATAT SYS_fstatat64
#define INT80_CLOBBERS "memory"
#endif

/* ---- small helpers shared by the scenarios ---- */

static long sys_write(int fd, const void *buf, size_t len) { return syscall(SYS_write, fd, buf, len); }
static long sys_read(int fd, void *buf, size_t len) { return syscall(SYS_read, fd, buf, len); }
static long sys_close(int fd) { return syscall(SYS_close, fd); }
static long sys_getppid(void) { return syscall(SYS_getppid); }
static long sys_kill_self(int sig) { return syscall(SYS_kill, (pid_t)syscall(SYS_getpid), sig); }
__attribute__((noreturn)) static void sys_exit(int code) { syscall(SYS_exit_group, code); __builtin_unreachable(); }

static long open_dev_null(void) { return syscall(SYS_openat, AT_FDCWD, "/dev/null", O_WRONLY); }

/* Writes one formatted line to fd with a single write(2). */
__attribute__((format(printf, 2, 3)))
static void say(int fd, const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n > (int)sizeof line - 1) n = sizeof line - 1;
    if (n > 0) sys_write(fd, line, (size_t)n);
}

__attribute__((noreturn)) static void die(const char *what)
{
    say(2, "ktrace-testprog: %s: %s\n", what, strerror(errno));
    sys_exit(1);
}

static long check(long rc, const char *what)
{
    if (rc < 0) die(what);
    return rc;
}

/* Parses a non-negative count argument; a bad one ends the program. */
static long count_arg(const char *s)
{
    char *end;
    long n = strtol(s, &end, 10);
    if (*s == '\0' || *end != '\0' || n < 0) { errno = EINVAL; die(s); }
    return n;
}

static void join_path(char *out, size_t size, const char *dir, const char *name)
{
    if ((size_t)snprintf(out, size, "%s/%s", dir, name) >= size) { errno = ENAMETOOLONG; die(dir); }
}

static void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    syscall(SYS_nanosleep, &ts, NULL);
}

static pid_t wait_child(pid_t pid)
{
    int status;
    return (pid_t)check(syscall(SYS_wait4, pid, &status, 0, NULL), "wait4");
}

/* ---- scenarios ---- */

static int paths(char **argv)
{
    const char *dir = argv[0];
    char f[4096], missing[4096], d[4096], e[4096], l[4096], target[64];
    join_path(f, sizeof f, dir, "f");
    join_path(missing, sizeof missing, dir, "nonexistent");
    join_path(d, sizeof d, dir, "d");
    join_path(e, sizeof e, dir, "e");
    join_path(l, sizeof l, dir, "l");

    int fd = (int)check(syscall(SYS_openat, AT_FDCWD, f, O_WRONLY | O_CREAT | O_TRUNC, 0644), "openat");
    check(sys_write(fd, "hello", 5), "write");
    sys_close(fd);
    char st[256];   /* room for struct stat on x86_64 and struct stat64 on i386 */
    check(syscall(SYS_FSTATAT, AT_FDCWD, f, st, 0), "fstatat");
    syscall(SYS_faccessat, AT_FDCWD, missing, F_OK, 0);   /* fails with ENOENT */
    check(syscall(SYS_mkdir, d, 0755), "mkdir");
    check(syscall(SYS_renameat, AT_FDCWD, d, AT_FDCWD, e), "renameat");
    check(syscall(SYS_unlinkat, AT_FDCWD, e, AT_REMOVEDIR), "unlinkat");
    check(syscall(SYS_symlinkat, "f", AT_FDCWD, l), "symlinkat");
    check(syscall(SYS_readlinkat, AT_FDCWD, l, target, sizeof target), "readlinkat");
    check(syscall(SYS_chdir, dir), "chdir");
    return 0;
}

static int io(char **argv)
{
    (void)argv;
    char buf[64];
    int p[2];
    check(syscall(SYS_pipe2, p, 0), "pipe2");
    check(sys_write(p[1], "ping\n", 5), "write");
    check(sys_read(p[0], buf, 5), "read");

    struct iovec out[2] = { { "ab", 2 }, { "cde", 3 } };
    check(syscall(SYS_writev, p[1], out, 2), "writev");
    char in0[2], in1[3];
    struct iovec in[2] = { { in0, sizeof in0 }, { in1, sizeof in1 } };
    check(syscall(SYS_readv, p[0], in, 2), "readv");

    int file = (int)check(syscall(SYS_memfd_create, "ktrace-testprog", 0), "memfd_create");
    check(syscall(SYS_pwrite64, file, "0123456789", 10, 100), "pwrite64");
    check(syscall(SYS_pread64, file, buf, 10, 100), "pread64");

    /* Larger than the default genio capture size, smaller than a pipe's buffer. */
    static char big[10000];
    for (size_t i = 0; i < sizeof big; i++) big[i] = (char)('a' + i % 26);
    check(sys_write(p[1], big, sizeof big), "write big");
    check(sys_read(p[0], big, sizeof big), "read big");

    int sv[2];
    check(syscall(SYS_socketpair, AF_UNIX, SOCK_DGRAM, 0, sv), "socketpair");
    check(syscall(SYS_sendto, sv[0], "dgram", 5, 0, NULL, 0), "sendto");
    check(syscall(SYS_recvfrom, sv[1], buf, sizeof buf, 0, NULL, NULL), "recvfrom");

    struct iovec parts[2] = { { "msg", 3 }, { "-one", 4 } };
    struct msghdr sent = { .msg_iov = parts, .msg_iovlen = 2 };
    check(syscall(SYS_sendmsg, sv[0], &sent, 0), "sendmsg");
    struct iovec whole = { buf, sizeof buf };
    struct msghdr received = { .msg_iov = &whole, .msg_iovlen = 1 };
    check(syscall(SYS_recvmsg, sv[1], &received, 0), "recvmsg");

    sys_close(p[0]);
    sys_close(p[1]);
    sys_close(file);
    sys_close(sv[0]);
    sys_close(sv[1]);
    sys_read(p[0], buf, 1);   /* fails with EBADF */
    return 0;
}

static void on_signal(int sig) { (void)sig; }

static int signals(char **argv)
{
    (void)argv;
    struct sigaction sa = { .sa_handler = on_signal };
    sigemptyset(&sa.sa_mask);
    check(sigaction(SIGUSR1, &sa, NULL), "sigaction SIGUSR1");
    check(sys_kill_self(SIGUSR1), "kill SIGUSR1");
    sa.sa_handler = SIG_IGN;
    check(sigaction(SIGUSR2, &sa, NULL), "sigaction SIGUSR2");
    check(sys_kill_self(SIGUSR2), "kill SIGUSR2");
    return 0;
}

/* Asks N times for SIGUSR1's action (a null `act`: nothing changes), then as `signals`. */
static int sigquery(char **argv)
{
    long n = count_arg(argv[0]);
    char old[32];   /* struct kernel_sigaction: handler, flags, restorer, mask */
    for (long i = 0; i < n; i++) check(syscall(SYS_rt_sigaction, SIGUSR1, NULL, old, 8), "rt_sigaction query");
    return signals(argv);
}

/* Sets SIGUSR1's handler N times (each call changes the action), then as `signals`. */
static int sigsets(char **argv)
{
    long n = count_arg(argv[0]);
    struct sigaction sa = { .sa_handler = on_signal };
    sigemptyset(&sa.sa_mask);
    for (long i = 0; i < n; i++) check(sigaction(SIGUSR1, &sa, NULL), "sigaction SIGUSR1");
    return signals(argv);
}

static int sigdefault(char **argv) { (void)argv; sys_kill_self(SIGTERM); return 1; }
static int sigkill(char **argv) { (void)argv; sys_kill_self(SIGKILL); return 1; }

static int sigstop(char **argv)
{
    (void)argv;
    check(sys_kill_self(SIGSTOP), "kill SIGSTOP");
    return 0;   /* reached once continued */
}

static int sigchld(char **argv)
{
    (void)argv;
    pid_t pid = (pid_t)check(fork(), "fork");   /* libc's fork: a clone(2) */
    if (pid == 0) sys_exit(3);
    wait_child(pid);
    return 0;
}

static int thread_dev_null = -1;

static void *write_index(void *arg)
{
    char text[32];
    int n = snprintf(text, sizeof text, "%ld\n", (long)(intptr_t)arg);
    sys_write(thread_dev_null, text, (size_t)n);
    return NULL;
}

static int threads(char **argv)
{
    long n = count_arg(argv[0]);
    pthread_t *ids = calloc((size_t)n + 1, sizeof *ids);
    if (!ids) die("calloc");
    thread_dev_null = (int)check(open_dev_null(), "open /dev/null");
    for (long i = 0; i < n; i++) {
        errno = pthread_create(&ids[i], NULL, write_index, (void *)(intptr_t)i);
        if (errno) die("pthread_create");
    }
    for (long i = 0; i < n; i++) pthread_join(ids[i], NULL);
    free(ids);
    return 0;
}

static void *exec_from_thread(void *arg)
{
    char **argv = arg;
    execv(argv[0], argv);
    die(argv[0]);
    return NULL;
}

__attribute__((noreturn)) static int thread_exec(char **argv)
{
    pthread_t id;
    errno = pthread_create(&id, NULL, exec_from_thread, argv);
    if (errno) die("pthread_create");
    for (;;) sleep_ms(10000);   /* the exec in the other thread ends this */
}

static int fork_scenario(char **argv)
{
    (void)argv;
    pid_t pid = (pid_t)check(syscall(SYS_fork), "fork");   /* the fork(2) system call itself */
    if (pid == 0) {
        long fd = open_dev_null();
        sys_write((int)fd, "child\n", 6);
        sys_exit(7);
    }
    wait_child(pid);
    return 0;
}

static int vfork_scenario(char **argv)
{
    (void)argv;
    pid_t pid = vfork();
    if (pid < 0) die("vfork");
    if (pid == 0) {
        char *args[] = { "/bin/true", NULL };
        syscall(SYS_execve, args[0], args, environ);
        _exit(127);
    }
    wait_child(pid);
    return 0;
}

/* A vfork parent that stays blocked for a while: the child sleeps before
 * exiting, so a tracer can attach to and detach from the waiting parent. */
static int vfork_wait_scenario(char **argv)
{
    (void)argv;
    pid_t pid = vfork();
    if (pid < 0) die("vfork");
    if (pid == 0) {
        struct timespec ts = { 1, 500000000 };
        syscall(SYS_nanosleep, &ts, NULL);
        syscall(SYS_exit, 0);
    }
    wait_child(pid);
    return 0;
}

static int utrace_scenario(char **argv)
{
    (void)argv;
    unsigned char bytes[16];
    for (int i = 0; i < 16; i++) bytes[i] = (unsigned char)i;
    int first = utrace("hello utrace", 12);
    int second = utrace(bytes, sizeof bytes);
    say(1, "%d\n", first);
    say(1, "%d\n", second);
    return 0;
}

__attribute__((noreturn)) static int loop(char **argv)
{
    (void)argv;
    say(1, "%ld\n", (long)syscall(SYS_getpid));
    for (;;) {
        sys_getppid();
        sleep_ms(10);
    }
}

/* A SIGUSR1 handler, its address written to FILE ("0x..."), then as loop. */
__attribute__((noreturn)) static int caught_loop(char **argv)
{
    struct sigaction sa = { .sa_handler = on_signal };
    sigemptyset(&sa.sa_mask);
    check(sigaction(SIGUSR1, &sa, NULL), "sigaction SIGUSR1");
    int fd = (int)check(open(argv[0], O_WRONLY | O_CREAT | O_TRUNC, 0644), "open");
    say(fd, "%p\n", (void *)on_signal);
    sys_close(fd);
    loop(argv);
}

static int readpipe(char **argv)
{
    (void)argv;
    char buf[4096];
    long n = check(sys_read(0, buf, sizeof buf), "read");
    sys_write(1, buf, (size_t)n);
    return 0;
}

static int getppid_loop(char **argv)
{
    long n = count_arg(argv[0]);
    for (long i = 0; i < n; i++) sys_getppid();
    return 0;
}

static int access_loop(char **argv)
{
    long n = count_arg(argv[0]);
    for (long i = 0; i < n; i++) syscall(SYS_access, "/", F_OK);
    return 0;
}

/* Structs whose i386 layouts differ from x86-64's: nanosleep 1 ms, setitimer
 * ITIMER_REAL to 100 s then back to 0, getrlimit RLIMIT_NOFILE. */
static int structs(char **argv)
{
    (void)argv;
    long ts[2] = { 0, 1000000 };   /* a long per field: the ABI's own timespec */
    check(syscall(SYS_nanosleep, ts, NULL), "nanosleep");
    long timer[4] = { 0, 0, 100, 0 }, off[4] = { 0, 0, 0, 0 };
    check(syscall(SYS_setitimer, ITIMER_REAL, timer, NULL), "setitimer");
    check(syscall(SYS_setitimer, ITIMER_REAL, off, NULL), "setitimer");
    unsigned long limit[2];
    check(syscall(SYS_getrlimit, RLIMIT_NOFILE, limit), "getrlimit");
    return 0;
}

/* What a program can see of its own scheduling: ktrace must never change it. */
static int sched_scenario(char **argv)
{
    long n = count_arg(argv[0]);
    for (long i = 0; i < n; i++) sys_getppid();
    cpu_set_t set;
    check(sched_getaffinity(0, sizeof set, &set), "sched_getaffinity");
    say(1, "cpus %d policy %d nice %d\n", CPU_COUNT(&set), sched_getscheduler(0), getpriority(PRIO_PROCESS, 0));
    return 0;
}

static int rw(char **argv)
{
    long n = count_arg(argv[0]);
    static char block[4096];
    int zero = (int)check(syscall(SYS_openat, AT_FDCWD, "/dev/zero", O_RDONLY), "open /dev/zero");
    int null = (int)check(open_dev_null(), "open /dev/null");
    for (long i = 0; i < n; i++) {
        check(sys_read(zero, block, sizeof block), "read");
        check(sys_write(null, block, sizeof block), "write");
    }
    return 0;
}

/* An i386 system call from this 64-bit process: the kernel takes the i386 table and
 * truncates pointers to 32 bits, so the buffer must live below 4 GiB. */
static long int80(long nr, long a1, long a2, long a3)
{
    long ret;
    __asm__ volatile ("int $0x80"
                      : "=a"(ret)
                      : "a"(nr), "b"(a1), "c"(a2), "d"(a3)
                      : INT80_CLOBBERS);
    return ret;
}

enum { I386_WRITE = 4, I386_GETPID = 20 };

static int int80_scenario(char **argv)
{
    (void)argv;
    char *low = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
    if (low == MAP_FAILED) die("mmap");
    memcpy(low, "int80\n", 6);
    if (int80(I386_GETPID, 0, 0, 0) <= 0) return 1;
    return int80(I386_WRITE, 1, (long)(uintptr_t)low, 6) == 6 ? 0 : 1;
}

static int setuid_helper(char **argv)
{
    (void)argv;
    long uid = syscall(SYS_getuid);   /* separate statements fix the call order */
    long euid = syscall(SYS_geteuid);
    say(1, "%ld %ld\n", uid, euid);
    return 0;
}

static int exitcode(char **argv) { sys_exit((int)count_arg(argv[0])); return 0; }

static int comm(char **argv)
{
    check(syscall(SYS_prctl, PR_SET_NAME, argv[0], 0, 0, 0), "prctl");
    sys_getppid();
    return 0;
}

/* Path i's byte k (the tests rebuild it): '/' every 51 bytes, letters between. */
static void fill_path(char *p, size_t n)
{
    for (size_t k = 0; k < n; k++) p[k] = k % 51 == 0 ? '/' : (char)('a' + k % 26);
    p[n] = 0;
}

/* Two faccessat(F_OK) calls on an N-byte path (N < 4000): one that starts 100 bytes
   before the end of a page and goes on into the next, one whose NUL is the last byte
   of a page with nothing mapped after it. */
static int longpath(char **argv)
{
    size_t n = (size_t)count_arg(argv[0]);
    if (n >= 4000) return 2;
    char *pages = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (pages == MAP_FAILED) die("mmap");
    char *across = pages + 4096 - 100;
    fill_path(across, n);
    syscall(SYS_faccessat, AT_FDCWD, across, F_OK);
    check(munmap(pages + 4096, 4096), "munmap");
    char *atEnd = pages + 4096 - (n + 1);
    fill_path(atEnd, n);
    syscall(SYS_faccessat, AT_FDCWD, atEnd, F_OK);
    return 0;
}

/* A sandbox that forbids seccomp(2) (EPERM), as some container runtimes do, around
   PATH ARGS: a ktrace run in it cannot load its filter. */
static int no_seccomp(char **argv)
{
#if defined(__x86_64__)
    struct sock_filter insns[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 0, 3),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_seccomp, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog prog = { .len = sizeof insns / sizeof insns[0], .filter = insns };
    check(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl");
    check(syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog), "seccomp");
    execv(argv[0], argv);
    die("execv");
#else
    (void)argv;
    return 2;
#endif
}

/* ---- the table ---- */

struct scenario {
    const char *name;
    int (*run)(char **argv);   /* argv: the scenario's own arguments */
    int min_args;
    const char *args;
    const char *does;
};

static const struct scenario scenarios[] = {
    { "paths", paths, 1, "DIR", "openat+write+close DIR/f, newfstatat (i386: fstatat64), faccessat (ENOENT), mkdir d, "
                                "renameat d e, unlinkat e, symlinkat f l, readlinkat l, chdir DIR; DIR should be empty" },
    { "io", io, 0, "", "pipe2, write/read, writev/readv, pwrite64/pread64 on a memfd, 10000-byte write/read, "
                       "sendto/recvfrom and sendmsg/recvmsg on a socketpair, read on a closed fd (EBADF)" },
    { "signals", signals, 0, "", "SIGUSR1 to a handler, SIGUSR2 ignored, exit 0" },
    { "sigquery", sigquery, 1, "N", "N rt_sigaction(SIGUSR1, NULL, &old) queries, then as signals" },
    { "sigsets", sigsets, 1, "N", "N rt_sigaction(SIGUSR1, &act, NULL) sets, then as signals" },
    { "sigdefault", sigdefault, 0, "", "kill(self, SIGTERM) with the default action: dies by the signal" },
    { "sigchld", sigchld, 0, "", "libc fork (a clone); the child exits 3; the parent wait4s it" },
    { "sigstop", sigstop, 0, "", "kill(self, SIGSTOP); exits 0 once continued" },
    { "sigkill", sigkill, 0, "", "kill(self, SIGKILL)" },
    { "threads", threads, 1, "N", "N threads, each writes its index and a newline to /dev/null" },
    { "thread-exec", thread_exec, 1, "PATH [ARG...]", "a non-leader thread execv()s PATH; the leader sleeps" },
    { "fork", fork_scenario, 0, "", "fork(2); the child writes \"child\\n\" to /dev/null and exits 7; the parent wait4s" },
    { "vfork", vfork_scenario, 0, "", "vfork; the child execve()s /bin/true; the parent wait4s" },
    { "vfork-wait", vfork_wait_scenario, 0, "", "vfork; the child sleeps 1.5 s and exits; the parent wait4s" },
    { "utrace", utrace_scenario, 0, "", "utrace(\"hello utrace\", 12), utrace(bytes 00..0f, 16); prints both results" },
    { "loop", loop, 0, "", "prints its pid, then getppid + 10 ms nanosleep forever" },
    { "caught-loop", caught_loop, 1, "FILE", "a SIGUSR1 handler, its address written to FILE, then as loop" },
    { "readpipe", readpipe, 0, "", "one read(0) and prints what it got" },
    { "getppid", getppid_loop, 1, "N", "N getppid calls" },
    { "structs", structs, 0, "", "nanosleep 1 ms, setitimer ITIMER_REAL 100 s then 0, getrlimit RLIMIT_NOFILE" },
    { "sched", sched_scenario, 1, "N", "N getppid calls, then prints \"cpus C policy P nice N\" (its affinity and scheduling)" },
    { "access", access_loop, 1, "N", "N access(\"/\", F_OK) calls" },
    { "rw", rw, 1, "N", "N 4 KiB reads from /dev/zero, each followed by a write to /dev/null" },
    { "int80", int80_scenario, 0, "", "i386 getpid, then i386 write(1, \"int80\\n\", 6), through int $0x80" },
    { "setuid-helper", setuid_helper, 0, "", "prints \"UID EUID\"" },
    { "exitcode", exitcode, 1, "N", "exit(N)" },
    { "comm", comm, 1, "NAME", "prctl(PR_SET_NAME, NAME), then getppid" },
    { "longpath", longpath, 1, "N", "faccessat on an N-byte path across a page boundary, then on one ending a mapping" },
    { "no-seccomp", no_seccomp, 1, "PATH [ARG...]", "execv()s PATH where seccomp(2) fails with EPERM (x86-64 only)" },
};

static int usage(void)
{
    say(2, "usage: ktrace-testprog SCENARIO [ARGS]\n");
    for (size_t i = 0; i < sizeof scenarios / sizeof scenarios[0]; i++) {
        const struct scenario *s = &scenarios[i];
        say(2, "  %-13s %-13s %s\n", s->name, s->args, s->does);
    }
    return 2;
}

int main(int argc, char **argv)
{
    if (argc < 2) return usage();
    for (size_t i = 0; i < sizeof scenarios / sizeof scenarios[0]; i++) {
        const struct scenario *s = &scenarios[i];
        if (strcmp(argv[1], s->name) != 0) continue;
        if (argc - 2 < s->min_args) return usage();
        return s->run(argv + 2);
    }
    return usage();
}
