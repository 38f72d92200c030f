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

long cpt_seize(pid_t pid, unsigned long options) { return ptrace(PTRACE_SEIZE, pid, 0, options); }
long cpt_interrupt(pid_t pid) { return ptrace(PTRACE_INTERRUPT, pid, 0, 0); }
long cpt_syscall(pid_t pid, int sig) { return ptrace(PTRACE_SYSCALL, pid, 0, (long)sig); }
long cpt_cont(pid_t pid, int sig) { return ptrace(PTRACE_CONT, pid, 0, (long)sig); }
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
         * cannot fail a read whose string ends before it. */
        uint64_t a = addr + done;
        size_t chunk = 4096 - (a & 4095);
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
