#ifndef KTRACE_UTRACE_H
#define KTRACE_UTRACE_H
#include <stddef.h>
/* Linux has no utrace(2); ktrace reserves this otherwise invalid syscall number. */
#define KTRACE_UTRACE_SYSCALL 0x7574
/* Records len bytes at addr as a KTR_USER record when ktrace traces the caller with
 * the 'u' facility. Returns 0, traced or not (as FreeBSD's utrace does when not traced). */
int utrace(const void *addr, size_t len);
#endif
