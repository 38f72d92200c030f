#ifndef CPTRACE_H
#define CPTRACE_H
/* Thin shims for the parts of ptrace, wait(2) and fork that Swift cannot call
 * directly (variadic ptrace, status macros, unions in siginfo_t). No logic here. */
#include <stdint.h>
#include <sys/types.h>

/* Macros, not an enum, so that Swift imports them as Int32. */
#define CPT_O_TRACESYSGOOD 1
#define CPT_O_TRACEFORK 2
#define CPT_O_TRACEVFORK 4
#define CPT_O_TRACECLONE 8
#define CPT_O_TRACEEXEC 0x10
#define CPT_O_TRACEVFORKDONE 0x20
#define CPT_O_TRACEEXIT 0x40
#define CPT_O_TRACESECCOMP 0x80
#define CPT_O_EXITKILL 0x100000
#define CPT_EVENT_FORK 1
#define CPT_EVENT_VFORK 2
#define CPT_EVENT_CLONE 3
#define CPT_EVENT_EXEC 4
#define CPT_EVENT_VFORK_DONE 5
#define CPT_EVENT_EXIT 6
#define CPT_EVENT_SECCOMP 7
#define CPT_EVENT_STOP 128
#define CPT_WALL 0x40000000
#define CPT_OP_NONE 0
#define CPT_OP_ENTRY 1
#define CPT_OP_EXIT 2
#define CPT_OP_SECCOMP 3

/* PTRACE_GET_SYSCALL_INFO, flattened. */
struct cpt_syscall_info {
    uint8_t op;
    uint32_t arch;
    uint64_t nr;          /* entry and seccomp stops */
    uint64_t args[6];     /* entry and seccomp stops */
    int64_t rval;         /* exit stops */
    uint8_t is_error;     /* exit stops */
    uint32_t ret_data;    /* seccomp stops */
};

struct cpt_siginfo { int signo; int code; int errno_; int pid; int uid; };

long cpt_seize(pid_t pid, unsigned long options);
long cpt_interrupt(pid_t pid);
long cpt_syscall(pid_t pid, int sig);
long cpt_cont(pid_t pid, int sig);
/* PTRACE_SINGLESTEP: delivering a caught signal so, the tracee stops (SIGTRAP) at the
 * first instruction of its handler. */
long cpt_singlestep(pid_t pid, int sig);
/* The instruction pointer of a stopped tracee (rip; an i386 tracee's eip, widened). */
long cpt_get_ip(pid_t pid, uint64_t *ip);
long cpt_listen(pid_t pid);
long cpt_detach(pid_t pid, int sig);
long cpt_setoptions(pid_t pid, unsigned long options);
long cpt_geteventmsg(pid_t pid, unsigned long *msg);
long cpt_getsiginfo(pid_t pid, struct cpt_siginfo *out);
long cpt_getsigmask(pid_t pid, uint64_t *mask);
int cpt_get_syscall_info(pid_t pid, struct cpt_syscall_info *out);
/* Sets the return value register (rax) of a tracee stopped at syscall exit. */
long cpt_set_return(pid_t pid, long value);

/* Copies tracee memory: process_vm_readv, with PTRACE_PEEKDATA as the fallback.
 * Returns the number of bytes copied (short at an unmapped page), -1 on error. */
ssize_t cpt_read_mem(pid_t pid, void *dst, uint64_t addr, size_t len);
/* Copies one gather list in a single process_vm_readv (no fallback); returns bytes. */
ssize_t cpt_read_gather(pid_t pid, void *dst, size_t dstlen, const uint64_t *bases, const uint64_t *lens, int count);
/* Copies a NUL-terminated string of at most max-1 bytes, never reading past the page
 * holding its NUL. Returns its length (the result is NUL-terminated), -1 on error. */
ssize_t cpt_read_string(pid_t pid, char *dst, uint64_t addr, size_t max);

int cpt_wifexited(int s);
int cpt_wexitstatus(int s);
int cpt_wifsignaled(int s);
int cpt_wtermsig(int s);
int cpt_wifstopped(int s);
int cpt_wstopsig(int s);
int cpt_wcoredump(int s);
int cpt_wevent(int s);

/* fork(2) for Swift (which marks it unavailable). Only called while single-threaded. */
pid_t cpt_fork(void);
int cpt_set_ptracer(pid_t pid);
/* True if the file carries file capabilities (security.capability). */
int cpt_has_file_caps(const char *path);
int cpt_pipe_cloexec(int fds[2]);
/* A flag the control thread raises (with a signal, so that a blocked waitpid
 * returns EINTR) when a request waits for the tracer thread. */
void cpt_install_wakeup(int sig);
int cpt_take_wakeup(void);
int cpt_wakeup_pending(void);
int cpt_tgkill(pid_t tgid, pid_t tid, int sig);
pid_t cpt_gettid(void);
/* accept4(SOCK_CLOEXEC) and SO_PEERCRED, which need _GNU_SOURCE. */
int cpt_accept(int fd);
int cpt_peer_cred(int fd, pid_t *pid, uid_t *uid);
/* syslog(LOG_NOTICE, "%s", message): syslog is variadic. */
void cpt_syslog_notice(const char *message);
int cpt_execvp(const char *file, char *const argv[]);
/* The number of CPUs in the calling thread's affinity mask (1 if unknown). */
int cpt_usable_cpus(void);
int cpt_task_cpu(pid_t tid);
int cpt_signal_sets(pid_t pid, uint64_t *ignored, uint64_t *caught);
int cpt_share_start(void);
int cpt_share_cpu(int cpu);
int cpt_share_rescued(void);
void cpt_share_writer(void);
void cpt_share_boost_writer(void);
void cpt_share_settle(void);
int cpt_share_crowded(void);
void cpt_share_release(void);
long cpt_share_rescues(void);
/* Stops handled so far, for the watchdog (a relaxed store: one plain move). */
extern long cpt_share_progress;
static inline void cpt_share_progressed(long stops) {
    __atomic_store_n(&cpt_share_progress, stops, __ATOMIC_RELAXED);
}
/* memfd_create(name, MFD_CLOEXEC). */
int cpt_memfd(const char *name);
/* Loads a classic BPF seccomp program (count 8-byte instructions) into the calling
 * thread, setting no_new_privs first if the kernel demands it. Returns 0 or an errno. */
int cpt_seccomp_load(const void *instructions, unsigned short count);
#endif
