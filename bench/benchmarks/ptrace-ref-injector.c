/*
 * Reference injector for `npm run bench:ptrace`: the minimal C way to make a thread call
 * madvise(2) through ptrace, against which hintbench's TypeScript injector is measured.
 *
 *   seize, interrupt, wait, getregs, setregs (rip = a `syscall` in the vDSO, madvise's
 *   arguments, orig_rax = -1), single-step until rip = insn + 2, restore, detach.
 *
 * Blocking waitpid(__WALL) waits; no signal-mask handling, no safety net (a tracer killed
 * mid-way leaves the target to die of SIGTRAP). `--sequence=sigframe` instead issues the
 * system calls of hintbench's sigframe method in the same order (rseq configuration,
 * process_vm_readv checks, XSAVE read, a frame-sized process_vm_writev below the red zone,
 * setregs to a `syscall ... ret` gadget, blocked mask, two PTRACE_SYSCALL stops, restore
 * mask and registers, detach), so that the cost of the safer sequence itself can be told
 * from the cost of TypeScript. Its frame bytes are zero: only for timing, never a safety net.
 *
 * Protocol: one request per stdin line, `PID ADDR LEN ADVICE` (ADDR hex or decimal); one
 * answer per line on stdout, `LATENCY_NS RET SEIZE_NS` (RET = madvise's return value, or
 * -1000-errno when a ptrace call failed; SEIZE_NS the part before PTRACE_INTERRUPT: the seize,
 * and for the sigframe sequence the pin check, which a tracer keeping its target seized would
 * not repeat). Latency runs from before PTRACE_SEIZE to after PTRACE_DETACH, on
 * CLOCK_MONOTONIC, as the TypeScript injector measures it.
 *
 *   gcc -O2 -o ptrace-ref-injector ptrace-ref-injector.c
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef PTRACE_GET_RSEQ_CONFIGURATION
#define PTRACE_GET_RSEQ_CONFIGURATION 0x420f
#endif
#ifndef NT_X86_XSTATE
#define NT_X86_XSTATE 0x202
#endif

static uint64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

/* Address of the first 0f 05 in the target's [vdso], and of a `syscall; ... ret` gadget. */
struct code { int pid; uint64_t syscall_insn; uint64_t gadget; int gadget_leave; };

static int find_code(int pid, struct code *c) {
  char path[64], line[512];
  snprintf(path, sizeof path, "/proc/%d/maps", pid);
  FILE *f = fopen(path, "r");
  if (!f) return -1;
  uint64_t lo = 0, hi = 0;
  while (fgets(line, sizeof line, f)) {
    if (strstr(line, "[vdso]")) { sscanf(line, "%" SCNx64 "-%" SCNx64, &lo, &hi); break; }
  }
  fclose(f);
  if (!lo) return -1;
  size_t n = hi - lo;
  unsigned char *buf = malloc(n);
  snprintf(path, sizeof path, "/proc/%d/mem", pid);
  int fd = open(path, O_RDONLY);
  if (fd < 0 || pread(fd, buf, n, (off_t)lo) != (ssize_t)n) { if (fd >= 0) close(fd); free(buf); return -1; }
  close(fd);
  c->pid = pid; c->syscall_insn = 0; c->gadget = 0;
  for (size_t i = 0; i + 2 < n; i++) {
    if (buf[i] != 0x0f || buf[i + 1] != 0x05) continue;
    if (!c->syscall_insn) c->syscall_insn = lo + i;
    if (!c->gadget && (buf[i + 2] == 0xc3 || buf[i + 2] == 0xc9)) { c->gadget = lo + i; c->gadget_leave = buf[i + 2] == 0xc9; }
  }
  free(buf);
  return c->syscall_insn ? 0 : -1;
}

/* When the part before PTRACE_INTERRUPT ended (now_ns()), per injection. */
static uint64_t seized_at;

static int wait_stop(int pid) {
  int st;
  for (;;) {
    int r = waitpid(pid, &st, __WALL);
    if (r == pid) return st;
    if (r < 0 && errno != EINTR) return -1;
  }
}

static long inject_step(const struct code *c, int pid, uint64_t addr, uint64_t len, int advice) {
  struct user_regs_struct saved, w;
  if (ptrace(PTRACE_SEIZE, pid, 0, 0)) return -1000 - errno;
  seized_at = now_ns();
  ptrace(PTRACE_INTERRUPT, pid, 0, 0);
  if (wait_stop(pid) < 0) return -1000 - errno;
  ptrace(PTRACE_GETREGS, pid, 0, &saved);
  w = saved;
  w.rip = c->syscall_insn; w.rax = 28; w.orig_rax = (uint64_t)-1; w.rdi = addr; w.rsi = len; w.rdx = (uint64_t)advice;
  ptrace(PTRACE_SETREGS, pid, 0, &w);
  for (int i = 0; i < 10000; i++) {
    ptrace(PTRACE_SINGLESTEP, pid, 0, 0);
    int st = wait_stop(pid);
    if (st < 0 || !WIFSTOPPED(st)) return -1000 - ESRCH;
    ptrace(PTRACE_GETREGS, pid, 0, &w);
    if (w.rip == c->syscall_insn + 2) break;
  }
  long ret = (long)w.rax;
  ptrace(PTRACE_SETREGS, pid, 0, &saved);
  ptrace(PTRACE_DETACH, pid, 0, 0);
  return ret;
}

static unsigned char xstate[16384];
static unsigned char frame[20480];

static long inject_sigframe_sequence(const struct code *c, int pid, uint64_t addr, uint64_t len, int advice) {
  struct user_regs_struct saved, w;
  uint64_t mask, all = ~0ull, conf[3], word = 0;
  if (!c->gadget) return -1000 - ENOENT;
  if (ptrace(PTRACE_SEIZE, pid, 0, PTRACE_O_TRACESYSGOOD)) return -1000 - errno;
  kill(pid, 0); /* stands for the pin check */
  seized_at = now_ns();
  ptrace(PTRACE_INTERRUPT, pid, 0, 0);
  if (wait_stop(pid) < 0) return -1000 - errno;
  ptrace(PTRACE_GETREGS, pid, 0, &saved);
  ptrace(PTRACE_GETSIGMASK, pid, sizeof mask, &mask);
  ptrace(PTRACE_GET_RSEQ_CONFIGURATION, pid, sizeof conf, conf);
  struct iovec l = { &word, 8 }, r = { (void *)(conf[0] + 8), 8 };
  if (conf[0]) process_vm_readv(pid, &l, 1, &r, 1, 0);
  struct iovec lc = { frame, 12 }, rc = { (void *)c->gadget, 12 };
  process_vm_readv(pid, &lc, 1, &rc, 1, 0);
  struct iovec xs = { xstate, sizeof xstate };
  ptrace(PTRACE_GETREGSET, pid, NT_X86_XSTATE, &xs);
  size_t flen = xs.iov_len + 460;
  uint64_t low = ((saved.rsp - 128 - flen) & ~(uint64_t)63);
  memset(frame, 0, flen);
  struct iovec lf = { frame, flen }, rf = { (void *)low, flen };
  process_vm_writev(pid, &lf, 1, &rf, 1, 0);
  w = saved;
  w.rip = c->gadget; w.rax = 28; w.orig_rax = (uint64_t)-1; w.rdi = addr; w.rsi = len; w.rdx = (uint64_t)advice;
  w.rsp = low; w.rbp = low;
  ptrace(PTRACE_SETREGS, pid, 0, &w);
  ptrace(PTRACE_SETSIGMASK, pid, sizeof all, &all);
  for (int stop = 0; stop < 2; stop++) {
    ptrace(PTRACE_SYSCALL, pid, 0, 0);
    int st = wait_stop(pid);
    if (st < 0 || !WIFSTOPPED(st)) return -1000 - ESRCH;
  }
  ptrace(PTRACE_GETREGS, pid, 0, &w);
  long ret = (long)w.rax;
  ptrace(PTRACE_SETSIGMASK, pid, sizeof mask, &mask);
  ptrace(PTRACE_SETREGS, pid, 0, &saved);
  ptrace(PTRACE_DETACH, pid, 0, 0);
  return ret;
}

int main(int argc, char **argv) {
  int sigframe = argc > 1 && strcmp(argv[1], "--sequence=sigframe") == 0;
  struct code c = { 0 };
  char line[256];
  setvbuf(stdout, NULL, _IOLBF, 0);
  while (fgets(line, sizeof line, stdin)) {
    int pid, advice;
    uint64_t addr, len;
    if (sscanf(line, "%d %" SCNi64 " %" SCNu64 " %d", &pid, &addr, &len, &advice) != 4) { printf("0 -1022\n"); continue; }
    if (c.pid != pid && find_code(pid, &c) != 0) { printf("0 -1002\n"); continue; }
    uint64_t t0 = now_ns();
    seized_at = t0;
    long ret = sigframe ? inject_sigframe_sequence(&c, pid, addr, len, advice) : inject_step(&c, pid, addr, len, advice);
    uint64_t t1 = now_ns();
    printf("%" PRIu64 " %ld %" PRIu64 "\n", t1 - t0, ret, seized_at - t0);
  }
  return 0;
}
