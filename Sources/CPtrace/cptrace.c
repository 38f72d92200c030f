#define _GNU_SOURCE
#include "cptrace.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <sys/syscall.h>
#include <sys/socket.h>
#include <syslog.h>
#include <linux/ptrace.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/mman.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <pthread.h>
#include <stdatomic.h>

long cpt_seize(pid_t pid, unsigned long options) { return ptrace(PTRACE_SEIZE, pid, 0, options); }
long cpt_interrupt(pid_t pid) { return ptrace(PTRACE_INTERRUPT, pid, 0, 0); }
long cpt_syscall(pid_t pid, int sig) { return ptrace(PTRACE_SYSCALL, pid, 0, (long)sig); }
long cpt_cont(pid_t pid, int sig) { return ptrace(PTRACE_CONT, pid, 0, (long)sig); }
long cpt_singlestep(pid_t pid, int sig) { return ptrace(PTRACE_SINGLESTEP, pid, 0, (long)sig); }
long cpt_listen(pid_t pid) { return ptrace(PTRACE_LISTEN, pid, 0, 0); }
long cpt_detach(pid_t pid, int sig) { return ptrace(PTRACE_DETACH, pid, 0, (long)sig); }
long cpt_setoptions(pid_t pid, unsigned long options) { return ptrace(PTRACE_SETOPTIONS, pid, 0, options); }
long cpt_geteventmsg(pid_t pid, unsigned long *msg) { return ptrace(PTRACE_GETEVENTMSG, pid, 0, msg); }

long cpt_getsiginfo(pid_t pid, struct cpt_siginfo *out)
{
    siginfo_t si;
    long r = ptrace(PTRACE_GETSIGINFO, pid, 0, &si);
    if (r == 0) {
        out->signo = si.si_signo; out->code = si.si_code; out->errno_ = si.si_errno;
        out->pid = si.si_pid; out->uid = (int)si.si_uid;
    }
    return r;
}

long cpt_getsigmask(pid_t pid, uint64_t *mask) { return ptrace(PTRACE_GETSIGMASK, pid, sizeof *mask, mask); }

int cpt_get_syscall_info(pid_t pid, struct cpt_syscall_info *out)
{
    struct ptrace_syscall_info i;
    long r = ptrace(PTRACE_GET_SYSCALL_INFO, pid, sizeof i, &i);
    if (r <= 0) return -1;
    out->op = i.op;
    out->arch = i.arch;
    switch (i.op) {
    case PTRACE_SYSCALL_INFO_ENTRY:
        out->nr = i.entry.nr;
        memcpy(out->args, i.entry.args, sizeof out->args);
        break;
    case PTRACE_SYSCALL_INFO_EXIT:
        out->rval = i.exit.rval;
        out->is_error = i.exit.is_error;
        break;
    case PTRACE_SYSCALL_INFO_SECCOMP:
        out->nr = i.seccomp.nr;
        memcpy(out->args, i.seccomp.args, sizeof out->args);
        out->ret_data = i.seccomp.ret_data;
        break;
    }
    return 0;
}

long cpt_get_ip(pid_t pid, uint64_t *ip)
{
    errno = 0;
    long v = ptrace(PTRACE_PEEKUSER, pid, offsetof(struct user_regs_struct, rip), 0);
    if (errno) return -1;
    *ip = (uint64_t)v;
    return 0;
}

long cpt_set_return(pid_t pid, long value)
{
    return ptrace(PTRACE_POKEUSER, pid, offsetof(struct user_regs_struct, rax), value);
}

static ssize_t peek_copy(pid_t pid, char *dst, uint64_t addr, size_t len)
{
    size_t done = 0;
    while (done < len) {
        uint64_t a = addr + done;
        uint64_t aligned = a & ~(uint64_t)7;
        errno = 0;
        long w = ptrace(PTRACE_PEEKDATA, pid, (void *)aligned, 0);
        if (errno) return done ? (ssize_t)done : -1;
        size_t off = a - aligned, n = 8 - off;
        if (n > len - done) n = len - done;
        memcpy(dst + done, (char *)&w + off, n);
        done += n;
    }
    return (ssize_t)done;
}

ssize_t cpt_read_mem(pid_t pid, void *dst, uint64_t addr, size_t len)
{
    if (len == 0) return 0;
    struct iovec local = { dst, len }, remote = { (void *)(uintptr_t)addr, len };
    ssize_t r = process_vm_readv(pid, &local, 1, &remote, 1, 0);
    if (r >= 0) return r;
    if (errno == ENOSYS || errno == EPERM) return peek_copy(pid, dst, addr, len);
    return -1;
}

ssize_t cpt_read_gather(pid_t pid, void *dst, size_t dstlen, const uint64_t *bases, const uint64_t *lens, int count)
{
    struct iovec local = { dst, dstlen }, remote[64];
    if (count > 64) count = 64;
    for (int i = 0; i < count; i++) { remote[i].iov_base = (void *)(uintptr_t)bases[i]; remote[i].iov_len = lens[i]; }
    return process_vm_readv(pid, &local, 1, remote, count, 0);
}

ssize_t cpt_read_string(pid_t pid, char *dst, uint64_t addr, size_t max)
{
    size_t done = 0;
    if (max == 0) return -1;
    while (done < max - 1) {
        /* Read up to the end of the current page so that an unmapped next page
         * cannot fail a read whose string ends before it; the first read takes at
         * most 256 bytes, enough for most paths: copying kilobytes of cold memory
         * cost more than the second read that a longer string needs. */
        uint64_t a = addr + done;
        size_t chunk = 4096 - (a & 4095);
        if (done == 0 && chunk > 256) chunk = 256;
        if (chunk > max - 1 - done) chunk = max - 1 - done;
        ssize_t r = cpt_read_mem(pid, dst + done, a, chunk);
        if (r <= 0) { if (done == 0) return -1; break; }
        char *nul = memchr(dst + done, 0, (size_t)r);
        if (nul) return nul - dst;
        done += (size_t)r;
        if ((size_t)r < chunk) break;
    }
    dst[done] = 0;
    return (ssize_t)done;
}

int cpt_wifexited(int s) { return WIFEXITED(s); }
int cpt_wexitstatus(int s) { return WEXITSTATUS(s); }
int cpt_wifsignaled(int s) { return WIFSIGNALED(s); }
int cpt_wtermsig(int s) { return WTERMSIG(s); }
int cpt_wifstopped(int s) { return WIFSTOPPED(s); }
int cpt_wstopsig(int s) { return WSTOPSIG(s); }
int cpt_wcoredump(int s) { return WCOREDUMP(s); }
int cpt_wevent(int s) { return (unsigned)s >> 16; }

pid_t cpt_fork(void) { return fork(); }

int cpt_set_ptracer(pid_t pid)
{
#ifdef PR_SET_PTRACER
    return prctl(PR_SET_PTRACER, (unsigned long)pid, 0, 0, 0);
#else
    (void)pid; return 0;
#endif
}

int cpt_has_file_caps(const char *path) { return getxattr(path, "security.capability", NULL, 0) > 0; }

int cpt_pipe_cloexec(int fds[2]) { return pipe2(fds, O_CLOEXEC); }

static volatile sig_atomic_t wakeup_pending;
static void on_wakeup(int sig) { (void)sig; wakeup_pending = 1; }

void cpt_install_wakeup(int sig)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_wakeup;   /* no SA_RESTART: waitpid must return EINTR */
    sigaction(sig, &sa, NULL);
}

int cpt_wakeup_pending(void) { return wakeup_pending != 0; }

int cpt_take_wakeup(void)
{
    if (!wakeup_pending) return 0;
    wakeup_pending = 0;
    return 1;
}

int cpt_tgkill(pid_t tgid, pid_t tid, int sig) { return (int)syscall(SYS_tgkill, tgid, tid, sig); }
pid_t cpt_gettid(void) { return (pid_t)syscall(SYS_gettid); }

int cpt_accept(int fd) { return accept4(fd, NULL, NULL, SOCK_CLOEXEC); }

int cpt_peer_cred(int fd, pid_t *pid, uid_t *uid)
{
    struct ucred c;
    socklen_t len = sizeof c;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &c, &len) != 0) return -1;
    *pid = c.pid;
    *uid = c.uid;
    return 0;
}

void cpt_syslog_notice(const char *message) { syslog(LOG_NOTICE, "%s", message); }

int cpt_execvp(const char *file, char *const argv[]) { return execvp(file, argv); }

int cpt_memfd(const char *name) { return memfd_create(name, MFD_CLOEXEC); }

int cpt_seccomp_load(const void *instructions, unsigned short count)
{
    struct sock_fprog prog = { .len = count, .filter = (struct sock_filter *)instructions };
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) == 0) return 0;
    /* Without CAP_SYS_ADMIN the kernel wants no_new_privs first. */
    if (errno != EACCES || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return errno;
    return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) == 0 ? 0 : errno;
}

int cpt_usable_cpus(void)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) != 0) return 1;
    return CPU_COUNT(&set);
}

/* ---- Sharing the tracee's CPU (TracerEngine/CPUSharing.swift) ---- */

/* Field `field` (1-based, 3 or more) of a /proc stat line held in `buf`, or NULL.
   The command name (field 2) may hold spaces and parentheses: count from its last ')'. */
static const char *stat_field(const char *buf, int field)
{
    const char *s = strrchr(buf, ')');
    if (!s) return NULL;
    for (int at = 2; *s; s++) {
        if (*s == ' ' && ++at == field) return s + 1;
    }
    return NULL;
}

/* The signals a process ignores and catches (SigIgn, SigCgt of /proc/<pid>/status,
   bit n-1 for signal n). Returns 0, or -1 if the file cannot be read. Parsed here:
   splitting the file into Swift strings took a tenth of a millisecond of each start. */
int cpt_signal_sets(pid_t pid, uint64_t *ignored, uint64_t *caught)
{
    char path[48], buf[4096];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) return -1;
    buf[n] = 0;
    const char *ign = strstr(buf, "\nSigIgn:\t"), *cgt = strstr(buf, "\nSigCgt:\t");
    if (!ign || !cgt) return -1;
    *ignored = strtoull(ign + 9, NULL, 16);
    *caught = strtoull(cgt + 9, NULL, 16);
    return 0;
}

/* The CPU a thread last ran on: field 39 of /proc/<tid>/stat. The file of the last
   thread asked about stays open (the same one, usually): a read of it fails once that
   thread is gone, even if its tid is reused, and the file is then opened anew.
   Called from the tracer thread only. */
int cpt_task_cpu(pid_t tid)
{
    static int fd = -1;
    static pid_t fd_tid;
    char buf[1024];
    for (int fresh = 0; fresh < 2; fresh++) {
        if (fd < 0 || fd_tid != tid) {
            if (fd >= 0) close(fd);
            char path[48];
            snprintf(path, sizeof path, "/proc/%d/stat", (int)tid);
            fd = open(path, O_RDONLY | O_CLOEXEC);
            fd_tid = tid;
            if (fd < 0) return -1;
            fresh = 1;
        }
        ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
        if (n > 0) {
            buf[n] = 0;
            const char *cpu = stat_field(buf, 39);
            return cpu ? atoi(cpu) : -1;
        }
        close(fd);
        fd = -1;
    }
    return -1;
}

static cpu_set_t share_mask;          /* the tracer's affinity before any pinning */
static pid_t share_tid;               /* the tracer thread */
static pid_t share_writer;            /* the writer thread, once it has said so (atomic) */
static pthread_t share_watchdog_thread;
static int share_stat_fd = -1;        /* the tracer thread's /proc/self/task/<tid>/stat */
static int share_loadavg_fd = -1;
static int share_cpus;
static pthread_mutex_t share_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t share_cond = PTHREAD_COND_INITIALIZER;
static int share_armed;               /* sharing: under share_lock */
static int share_writer_idle;         /* under share_lock */
long cpt_share_progress;
static _Atomic int share_rescued;
static _Atomic long share_rescues;

static int set_policy(pid_t tid, int idle)
{
    struct sched_param sp = { 0 };
    return sched_setscheduler(tid, idle ? SCHED_IDLE : SCHED_OTHER, &sp);
}

/* The tracer thread's scheduling state (field 3): 'R' when it could run. */
static char tracer_state(void)
{
    char buf[512];
    ssize_t n = pread(share_stat_fd, buf, sizeof buf - 1, 0);
    if (n <= 0) return '?';
    buf[n] = 0;
    const char *state = stat_field(buf, 3);
    return state ? *state : '?';
}

/* Under share_lock. */
static void writer_policy(int idle)
{
    pid_t writer = __atomic_load_n(&share_writer, __ATOMIC_RELAXED);
    if (writer && share_writer_idle != idle && set_policy(writer, idle) == 0)
        __atomic_store_n(&share_writer_idle, idle, __ATOMIC_RELAXED);
}

/* Back to normal scheduling on every CPU, under share_lock, from any thread. */
static void share_undo(void)
{
    set_policy(share_tid, 0);
    sched_setaffinity(share_tid, sizeof share_mask, &share_mask);
    writer_policy(0);
    pthread_setaffinity_np(share_watchdog_thread, sizeof share_mask, &share_mask);
    share_armed = 0;
}

/* The watchdog: while the tracer thread runs at SCHED_IDLE, another program that
   keeps its CPU busy would starve it, and every tracee with it. When the tracer
   could run but has handled no stop for two ticks, put it back. The watchdog runs at
   normal priority, off the shared CPU. */
static void *share_watchdog(void *unused)
{
    (void)unused;
    long last = -1;
    int starving = 0, idle = 0;
    for (;;) {
        pthread_mutex_lock(&share_lock);
        while (!share_armed) { pthread_cond_wait(&share_cond, &share_lock); last = -1; starving = 0; idle = 0; }
        pthread_mutex_unlock(&share_lock);
        /* Ticks of 10 ms; of 100 ms while the tracer sleeps with nothing to do (a traced
           daemon waiting for work), so as not to wake a CPU 100 times a second for nothing. */
        struct timespec tick = { 0, (idle ? 100 : 10) * 1000 * 1000 };
        nanosleep(&tick, NULL);
        long now = __atomic_load_n(&cpt_share_progress, __ATOMIC_RELAXED);
        char state = tracer_state();
        idle = now == last && state == 'S';
        if (now != last || state != 'R') { last = now; starving = 0; continue; }
        if (++starving < 2) continue;
        pthread_mutex_lock(&share_lock);
        if (share_armed) {
            share_undo();
            atomic_fetch_add(&share_rescues, 1);
            atomic_store(&share_rescued, 1);
        }
        pthread_mutex_unlock(&share_lock);
    }
    return NULL;
}

static void *share_probe(void *unused)
{
    (void)unused;
    if (set_policy(0, 1) != 0 || set_policy(0, 0) != 0) return (void *)(intptr_t)errno;
    return NULL;
}

/* Starts the watchdog, from the tracer thread before it changes its scheduling.
   0, or the reason sharing is not possible here. SCHED_IDLE is entered freely but left
   only with CAP_SYS_NICE or a high enough RLIMIT_NICE: a throwaway thread tries both
   ways first, so that no thread that matters enters a state it cannot leave. */
int cpt_share_start(void)
{
    if (sched_getaffinity(0, sizeof share_mask, &share_mask) != 0) return errno;
    pthread_t probe;
    void *probed;
    if (pthread_create(&probe, NULL, share_probe, NULL) != 0 || pthread_join(probe, &probed) != 0) return EAGAIN;
    if (probed) return (int)(intptr_t)probed;
    share_cpus = CPU_COUNT(&share_mask);
    share_loadavg_fd = open("/proc/loadavg", O_RDONLY | O_CLOEXEC);
    if (share_loadavg_fd < 0) return errno;
    share_tid = (pid_t)syscall(SYS_gettid);
    char path[64];
    snprintf(path, sizeof path, "/proc/self/task/%d/stat", (int)share_tid);
    share_stat_fd = open(path, O_RDONLY | O_CLOEXEC);
    if (share_stat_fd < 0) return errno;
    int err = pthread_create(&share_watchdog_thread, NULL, share_watchdog, NULL);
    if (err) return err;
    pthread_detach(share_watchdog_thread);
    return 0;
}

/* The writer thread names itself: it runs at SCHED_IDLE too while sharing, since a
   normal thread on the shared CPU would make the kernel wake the tracee elsewhere. */
void cpt_share_writer(void) { __atomic_store_n(&share_writer, (pid_t)syscall(SYS_gettid), __ATOMIC_RELAXED); }

/* The tracer waits for the writer (a full pool, a flush): the writer must not starve. */
void cpt_share_boost_writer(void)
{
    if (!__atomic_load_n(&share_writer_idle, __ATOMIC_RELAXED)) return;
    pthread_mutex_lock(&share_lock);
    writer_policy(0);
    pthread_mutex_unlock(&share_lock);
}

/* Pins the tracer thread to `cpu` at SCHED_IDLE, where the kernel prefers to wake
   the tracee it resumes (a CPU running only SCHED_IDLE threads counts as idle). */
int cpt_share_cpu(int cpu)
{
    cpu_set_t one, others = share_mask;
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    CPU_CLR(cpu, &others);
    pthread_mutex_lock(&share_lock);
    int err = 0;
    if (sched_setaffinity(0, sizeof one, &one) != 0 || (!share_armed && set_policy(0, 1) != 0)) {
        err = errno;
        share_undo();
    } else {
        writer_policy(1);
        if (CPU_COUNT(&others) > 0) pthread_setaffinity_np(share_watchdog_thread, sizeof others, &others);
        if (!share_armed) {
            share_armed = 1;
            pthread_cond_signal(&share_cond);
        }
    }
    pthread_mutex_unlock(&share_lock);
    return err;
}

/* Re-idles a writer boosted since the last call (the tracer no longer waits on it). */
void cpt_share_settle(void)
{
    if (__atomic_load_n(&share_writer_idle, __ATOMIC_RELAXED)) return;
    pthread_mutex_lock(&share_lock);
    if (share_armed) writer_policy(1);
    pthread_mutex_unlock(&share_lock);
}

/* Whether other programs keep as many threads running as the tracer has CPUs: then
   the shared CPU is busy too, and a SCHED_IDLE tracer would wait behind them at each
   stop. (/proc/loadavg's fourth field counts the threads running right now, this
   one included.) */
int cpt_share_crowded(void)
{
    char buf[128];
    ssize_t n = pread(share_loadavg_fd, buf, sizeof buf - 1, 0);
    if (n <= 0) return 1;
    buf[n] = 0;
    const char *s = buf;
    for (int spaces = 0; *s && spaces < 3; s++) if (*s == ' ') spaces++;
    return atoi(s) - 1 >= share_cpus;
}

/* Back to normal scheduling, from the tracer thread. */
void cpt_share_release(void)
{
    pthread_mutex_lock(&share_lock);
    if (share_armed) share_undo();
    pthread_mutex_unlock(&share_lock);
}

/* Whether the watchdog has put the tracer back since the last call. */
int cpt_share_rescued(void)
{
    /* Called at every stop: a plain load, and the locked exchange only when set. */
    if (!atomic_load_explicit(&share_rescued, memory_order_relaxed)) return 0;
    return atomic_exchange_explicit(&share_rescued, 0, memory_order_relaxed);
}

long cpt_share_rescues(void) { return atomic_load(&share_rescues); }
