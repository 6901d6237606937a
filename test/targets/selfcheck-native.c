/*
 * Native self-checking targets for ptrace-injection tests (x86_64, Linux, glibc >= 2.35).
 * Built by workloads/selfcheck-native.ts with the system C compiler.
 *
 *   selfcheck-native regs   The main thread loops: load known patterns into rax, rbx, rcx,
 *                           rdx, rsi, rdi, rbp, r8-r10, r12-r15, ymm0-15, MXCSR and the x87
 *                           control word; spin ~1 ms; store them all; compare (mismatches
 *                           are counted per register); every loop also sleeps 200 us in
 *                           nanosleep (must return 0 after >= 200 us: an interrupted sleep
 *                           restarts), checks that its signal mask is unchanged, and every
 *                           8 loops re-verifies a 4 MiB region's checksums.
 *   selfcheck-native rseq   Thread A (main) and thread B are pinned to one CPU. B increments
 *                           a counter forever. A runs an rseq critical section: read B's
 *                           counter, spin, read it again, commit a store. The kernel aborts
 *                           a section whose thread was preempted, so B can only have run in
 *                           between if A was taken off the CPU without the abort: a commit
 *                           that sees B's counter changed is a violation. `move-rseq` on
 *                           stdin makes A move its rseq registration to another area between
 *                           two sections (unregister, clear the old area's rseq_cs, register
 *                           the other one), as a program that manages its own rseq may.
 *
 * stdout: one JSON `ready` line ({pid, mode, region: {startAddr, lengthBytes}}), then one JSON
 * status line per `status` line on stdin; `exit` or EOF ends the process. A separate I/O
 * thread serves stdin, so the checked main thread never blocks on it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/rseq.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define RSEQ_SIG_X86 0x53053053u
#define REGION_BYTES (4u << 20)

/* ---- counters (written by the checked thread, read racily by the I/O thread) ---- */
static volatile long loops, reg_mismatch, sleep_errors, short_sleeps, mask_errors, mem_errors, mem_checks;
static volatile long commits, aborts, violations, bcount;
static const char *first_bad_reg = "";
static const char *mode;
static uint32_t *region;

/* ---- register check ---- */
/* Slots: 0 rax 1 rbx 2 rcx 3 rdx 4 rsi 5 rdi 6 rbp 7 r8 8 r9 9 r10 10 r12 11 r13 12 r14 13 r15 14 mxcsr 15 fpucw */
static const char *const REG_NAMES[16] = { "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "r8", "r9", "r10", "r12", "r13", "r14", "r15", "mxcsr", "x87cw" };
uint64_t rc_pat[16] __attribute__((aligned(64)));
uint64_t rc_out[16] __attribute__((aligned(64)));
uint8_t rc_ypat[16 * 32] __attribute__((aligned(64)));
uint8_t rc_yout[16 * 32] __attribute__((aligned(64)));
uint64_t rc_spins;
uint32_t rc_saved_mxcsr;
uint16_t rc_saved_fpucw;

void regcheck_run(void);
__asm__(
  ".text\n.globl regcheck_run\n.type regcheck_run,@function\nregcheck_run:\n"
  "  push %rbx\n push %rbp\n push %r12\n push %r13\n push %r14\n push %r15\n"
  "  stmxcsr rc_saved_mxcsr(%rip)\n fnstcw rc_saved_fpucw(%rip)\n"
  "  ldmxcsr rc_pat+112(%rip)\n fldcw rc_pat+120(%rip)\n"
  "  vmovdqu rc_ypat+0(%rip),%ymm0\n vmovdqu rc_ypat+32(%rip),%ymm1\n vmovdqu rc_ypat+64(%rip),%ymm2\n vmovdqu rc_ypat+96(%rip),%ymm3\n"
  "  vmovdqu rc_ypat+128(%rip),%ymm4\n vmovdqu rc_ypat+160(%rip),%ymm5\n vmovdqu rc_ypat+192(%rip),%ymm6\n vmovdqu rc_ypat+224(%rip),%ymm7\n"
  "  vmovdqu rc_ypat+256(%rip),%ymm8\n vmovdqu rc_ypat+288(%rip),%ymm9\n vmovdqu rc_ypat+320(%rip),%ymm10\n vmovdqu rc_ypat+352(%rip),%ymm11\n"
  "  vmovdqu rc_ypat+384(%rip),%ymm12\n vmovdqu rc_ypat+416(%rip),%ymm13\n vmovdqu rc_ypat+448(%rip),%ymm14\n vmovdqu rc_ypat+480(%rip),%ymm15\n"
  "  mov rc_spins(%rip),%r11\n"
  "  mov rc_pat+0(%rip),%rax\n mov rc_pat+8(%rip),%rbx\n mov rc_pat+16(%rip),%rcx\n mov rc_pat+24(%rip),%rdx\n"
  "  mov rc_pat+32(%rip),%rsi\n mov rc_pat+40(%rip),%rdi\n mov rc_pat+48(%rip),%rbp\n mov rc_pat+56(%rip),%r8\n"
  "  mov rc_pat+64(%rip),%r9\n mov rc_pat+72(%rip),%r10\n mov rc_pat+80(%rip),%r12\n mov rc_pat+88(%rip),%r13\n"
  "  mov rc_pat+96(%rip),%r14\n mov rc_pat+104(%rip),%r15\n"
  "1: dec %r11\n jnz 1b\n"
  "  mov %rax,rc_out+0(%rip)\n mov %rbx,rc_out+8(%rip)\n mov %rcx,rc_out+16(%rip)\n mov %rdx,rc_out+24(%rip)\n"
  "  mov %rsi,rc_out+32(%rip)\n mov %rdi,rc_out+40(%rip)\n mov %rbp,rc_out+48(%rip)\n mov %r8,rc_out+56(%rip)\n"
  "  mov %r9,rc_out+64(%rip)\n mov %r10,rc_out+72(%rip)\n mov %r12,rc_out+80(%rip)\n mov %r13,rc_out+88(%rip)\n"
  "  mov %r14,rc_out+96(%rip)\n mov %r15,rc_out+104(%rip)\n"
  "  stmxcsr rc_out+112(%rip)\n fnstcw rc_out+120(%rip)\n"
  "  vmovdqu %ymm0,rc_yout+0(%rip)\n vmovdqu %ymm1,rc_yout+32(%rip)\n vmovdqu %ymm2,rc_yout+64(%rip)\n vmovdqu %ymm3,rc_yout+96(%rip)\n"
  "  vmovdqu %ymm4,rc_yout+128(%rip)\n vmovdqu %ymm5,rc_yout+160(%rip)\n vmovdqu %ymm6,rc_yout+192(%rip)\n vmovdqu %ymm7,rc_yout+224(%rip)\n"
  "  vmovdqu %ymm8,rc_yout+256(%rip)\n vmovdqu %ymm9,rc_yout+288(%rip)\n vmovdqu %ymm10,rc_yout+320(%rip)\n vmovdqu %ymm11,rc_yout+352(%rip)\n"
  "  vmovdqu %ymm12,rc_yout+384(%rip)\n vmovdqu %ymm13,rc_yout+416(%rip)\n vmovdqu %ymm14,rc_yout+448(%rip)\n vmovdqu %ymm15,rc_yout+480(%rip)\n"
  "  vzeroupper\n ldmxcsr rc_saved_mxcsr(%rip)\n fldcw rc_saved_fpucw(%rip)\n"
  "  pop %r15\n pop %r14\n pop %r13\n pop %r12\n pop %rbp\n pop %rbx\n ret\n"
  ".size regcheck_run, .-regcheck_run\n");

static uint64_t mix(uint64_t x) {
  x ^= x >> 33; x *= 0xff51afd7ed558ccdull; x ^= x >> 33; x *= 0xc4ceb9fe1a85ec53ull; x ^= x >> 33;
  return x;
}

static uint32_t region_word(size_t i) { return (uint32_t)mix(i * 0x9e3779b97f4a7c15ull + 7); }

static void fill_region(void) {
  for (size_t i = 0; i < REGION_BYTES / 4; i++) region[i] = region_word(i);
}

static long verify_region(void) {
  long bad = 0;
  for (size_t i = 0; i < REGION_BYTES / 4; i++) if (region[i] != region_word(i)) { bad++; i |= 1023; }
  return bad;
}

static sigset_t expected_mask;

static void regs_loop(void) {
  struct timespec nap = { 0, 200000 };
  rc_spins = 2000000;
  for (uint64_t n = 1;; n++) {
    for (int i = 0; i < 14; i++) rc_pat[i] = mix(n * 31 + (uint64_t)i);
    rc_pat[14] = 0x1f80 | ((n & 3) << 13);    /* MXCSR: masked exceptions, rounding mode varies */
    rc_pat[15] = 0x037f & ~(uint64_t)0x0c00;   /* x87 CW default with rounding bits */
    rc_pat[15] |= (n & 3) << 10;
    for (int i = 0; i < 16 * 32; i++) rc_ypat[i] = (uint8_t)mix(n * 977 + (uint64_t)i);
    regcheck_run();
    for (int i = 0; i < 16; i++) {
      uint64_t want = rc_pat[i], got = rc_out[i];
      if (i == 14) { want &= 0xffff; got &= 0xffff; }
      if (i == 15) { want &= 0x0f3f; got &= 0x0f3f; }
      if (want != got) { reg_mismatch++; first_bad_reg = REG_NAMES[i]; }
    }
    if (memcmp(rc_ypat, rc_yout, sizeof rc_ypat) != 0) { reg_mismatch++; first_bad_reg = "ymm"; }
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    long r = syscall(SYS_nanosleep, &nap, NULL);
    clock_gettime(CLOCK_MONOTONIC, &b);
    if (r != 0) sleep_errors++;
    else if ((b.tv_sec - a.tv_sec) * 1000000000L + (b.tv_nsec - a.tv_nsec) < 200000) short_sleeps++;
    sigset_t cur;
    pthread_sigmask(SIG_SETMASK, NULL, &cur);
    for (int s = 1; s < 32; s++) if (sigismember(&cur, s) != sigismember(&expected_mask, s)) { mask_errors++; break; }
    if (n % 8 == 0) { mem_errors += verify_region(); mem_checks++; }
    loops++;
  }
}

/* ---- rseq ---- */
long rseq_cs_run(struct rseq *rs, volatile long *b, volatile long *counter, long spins);
__asm__(
  ".text\n.globl rseq_cs_run\n.type rseq_cs_run,@function\nrseq_cs_run:\n"
  "  leaq rseq_cs_desc(%rip), %rax\n"
  "  movq %rax, 8(%rdi)\n"
  ".Lcs_start:\n"
  "  movq (%rsi), %r8\n"
  "  movq %rcx, %r9\n"
  "2: decq %r9\n jnz 2b\n"
  "  movq (%rsi), %r10\n"
  "  movq (%rdx), %rax\n"
  "  incq %rax\n"
  "  movq %rax, (%rdx)\n"
  ".Lcs_post:\n"
  "  xorl %eax, %eax\n"
  "  cmpq %r8, %r10\n"
  "  je 3f\n"
  "  movl $2, %eax\n"
  "3: ret\n"
  "  .byte 0x0f, 0xb9, 0x3d\n"
  "  .long 0x53053053\n"
  ".Lcs_abort:\n"
  "  movl $1, %eax\n"
  "  ret\n"
  ".size rseq_cs_run, .-rseq_cs_run\n"
  ".data\n.balign 32\nrseq_cs_desc:\n"
  "  .long 0, 0\n"
  "  .quad .Lcs_start, .Lcs_post - .Lcs_start, .Lcs_abort\n"
  ".text\n");

static int shared_cpu;

static void pin_to(int cpu) {
  cpu_set_t s;
  CPU_ZERO(&s);
  CPU_SET(cpu, &s);
  sched_setaffinity(0, sizeof s, &s);
}

static void *bump(void *arg) {
  (void)arg;
  pin_to(shared_cpu);
  for (;;) bcount++;
  return NULL;
}

static struct rseq own_rseq[2] __attribute__((aligned(32)));
static unsigned rseq_len;
static volatile int move_requested;
static volatile long rseq_moves;

static struct rseq *thread_rseq(void) {
  if (__rseq_size > 0) {
    rseq_len = __rseq_size < 32 ? 32 : __rseq_size; /* what glibc registered */
    return (struct rseq *)((char *)__builtin_thread_pointer() + __rseq_offset);
  }
  rseq_len = sizeof own_rseq[0];
  if (syscall(SYS_rseq, &own_rseq[0], rseq_len, 0, RSEQ_SIG_X86) != 0) { perror("rseq"); exit(2); }
  return &own_rseq[0];
}

/* Unregisters `from` and registers the other own area; returns it. */
static struct rseq *move_rseq(struct rseq *from) {
  struct rseq *to = from == &own_rseq[0] ? &own_rseq[1] : &own_rseq[0];
  if (syscall(SYS_rseq, from, rseq_len, RSEQ_FLAG_UNREGISTER, RSEQ_SIG_X86) != 0) { perror("rseq unregister"); exit(2); }
  from->rseq_cs = 0;
  memset(to, 0, sizeof *to);
  to->cpu_id = (uint32_t)RSEQ_CPU_ID_UNINITIALIZED;
  rseq_len = sizeof *to;
  if (syscall(SYS_rseq, to, rseq_len, 0, RSEQ_SIG_X86) != 0) { perror("rseq register"); exit(2); }
  return to;
}

static void rseq_loop(void) {
  cpu_set_t allowed;
  sched_getaffinity(0, sizeof allowed, &allowed);
  for (shared_cpu = 0; !CPU_ISSET(shared_cpu, &allowed); shared_cpu++) {}
  pin_to(shared_cpu);
  struct rseq *rs = thread_rseq();
  pthread_t t;
  pthread_create(&t, NULL, bump, NULL);
  static volatile long counter;
  for (;;) {
    long r = rseq_cs_run(rs, &bcount, &counter, 3000);
    if (r == 1) aborts++;
    else { commits++; if (r == 2) violations++; }
    loops++;
    if (move_requested) {
      rs = move_rseq(rs);
      move_requested = 0;
      rseq_moves++;
    }
  }
}

/* ---- I/O thread ---- */
static void *serve(void *arg) {
  (void)arg;
  char line[128];
  while (fgets(line, sizeof line, stdin)) {
    if (strncmp(line, "exit", 4) == 0) exit(0);
    if (strncmp(line, "move-rseq", 9) == 0) { /* answered with a status line once moved */
      long before = rseq_moves;
      move_requested = 1;
      while (rseq_moves == before) usleep(100);
    }
    if (strncmp(line, "status", 6) == 0 || strncmp(line, "move-rseq", 9) == 0) {
      printf("{\"type\":\"status\",\"mode\":\"%s\",\"loops\":%ld,\"regMismatches\":%ld,\"firstBadReg\":\"%s\",\"sleepErrors\":%ld,\"shortSleeps\":%ld,"
             "\"maskErrors\":%ld,\"memErrors\":%ld,\"memChecks\":%ld,\"commits\":%ld,\"aborts\":%ld,\"violations\":%ld,\"bcount\":%ld,\"rseqMoves\":%ld}\n",
             mode, loops, reg_mismatch, first_bad_reg, sleep_errors, short_sleeps, mask_errors, mem_errors, mem_checks, commits, aborts, violations, bcount, rseq_moves);
      fflush(stdout);
    }
  }
  exit(0);
  return NULL;
}

int main(int argc, char **argv) {
  mode = argc > 1 ? argv[1] : "regs";
  if (strcmp(mode, "regs") != 0 && strcmp(mode, "rseq") != 0) { fprintf(stderr, "usage: %s regs|rseq\n", argv[0]); return 2; }
  region = mmap(NULL, REGION_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (region == MAP_FAILED) { perror("mmap"); return 2; }
  fill_region();
  /* A distinctive mask for the checked thread: SIGURG and SIGWINCH blocked. */
  sigemptyset(&expected_mask);
  sigaddset(&expected_mask, SIGURG);
  sigaddset(&expected_mask, SIGWINCH);
  pthread_t io;
  sigset_t none;
  sigemptyset(&none);
  pthread_sigmask(SIG_SETMASK, &none, NULL);
  pthread_create(&io, NULL, serve, NULL);
  pthread_sigmask(SIG_SETMASK, &expected_mask, NULL);
  printf("{\"type\":\"ready\",\"pid\":%d,\"mode\":\"%s\",\"region\":{\"startAddr\":%lu,\"lengthBytes\":%u}}\n", getpid(), mode, (unsigned long)(uintptr_t)region, REGION_BYTES);
  fflush(stdout);
  if (strcmp(mode, "rseq") == 0) rseq_loop();
  else regs_loop();
  return 0;
}
