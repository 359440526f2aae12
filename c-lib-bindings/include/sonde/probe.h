/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Sonde probe programs: the one header a probe includes.
 *
 *     #include <sonde/probe.h>
 *
 *     SEC("kprobe/com.shop.Cart::add")
 *     int BPF_KPROBE(on_add, long item, int qty) { ... }
 *
 * Compile with the stock toolchain (Debian's clang-14 and libbpf-dev):
 *
 *     clang -O2 -g -target bpf -D__TARGET_ARCH_x86 -I<sonde>/c-lib-bindings/include -c p.bpf.c -o p.bpf.o
 *
 * It stands in for vmlinux.h: it gives the kernel types the stock bpf_helpers.h and bpf_tracing.h
 * need, declares struct pt_regs with the kernel's field names (so no -I/usr/include/x86_64-linux-gnu
 * is needed), adds the sixth-argument accessor that libbpf 1.1 lacks, and declares Sonde's JVM
 * helpers. The layout of struct pt_regs is fixed by DESIGN.md §3 and checked against the Java
 * descriptor by a test.
 */
#ifndef __SONDE_PROBE_H__
#define __SONDE_PROBE_H__

/* bpf_tracing.h picks the kernel register names (di, si, …) when vmlinux.h is present. */
#ifndef __VMLINUX_H__
#define __VMLINUX_H__
#endif

typedef signed char __s8;
typedef unsigned char __u8;
typedef short __s16;
typedef unsigned short __u16;
typedef int __s32;
typedef unsigned int __u32;
typedef long long __s64;
typedef unsigned long long __u64;
typedef __u16 __be16;
typedef __u32 __be32;
typedef __u32 __wsum;
typedef __u8 u8;
typedef __s8 s8;
typedef __u16 u16;
typedef __s16 s16;
typedef __u32 u32;
typedef __s32 s32;
typedef __u64 u64;
typedef __s64 s64;
typedef _Bool bool;
#define true 1
#define false 0

/*
 * The context of a kprobe/kretprobe on a Java method (DESIGN.md §3): 21 eight-byte fields,
 * 168 bytes, read-only.
 *   di, si, dx, cx, r8, r9  declared parameters 1..6 (not `this`)
 *   sp                      stack snapshot: [sp+0] caller's address, [sp+8] parameter 7, …
 *   ax                      return value (kretprobe); the throwable's handle on an exceptional exit
 *   ip                      the method's synthetic address (== bpf_get_func_ip)
 *   r12                     `this` (0 for static methods; at a constructor's entry 0)
 *   flags                   bit 0 set on an exceptional exit
 */
struct pt_regs {
	unsigned long r15;
	unsigned long r14;
	unsigned long r13;
	unsigned long r12;
	unsigned long bp;
	unsigned long bx;
	unsigned long r11;
	unsigned long r10;
	unsigned long r9;
	unsigned long r8;
	unsigned long ax;
	unsigned long cx;
	unsigned long dx;
	unsigned long si;
	unsigned long di;
	unsigned long orig_ax;
	unsigned long ip;
	unsigned long cs;
	unsigned long flags;
	unsigned long sp;
	unsigned long ss;
};

/* Map types and flags of the uapi (values as in linux/bpf.h). */
enum bpf_map_type {
	BPF_MAP_TYPE_UNSPEC = 0,
	BPF_MAP_TYPE_HASH = 1,
	BPF_MAP_TYPE_ARRAY = 2,
	BPF_MAP_TYPE_PROG_ARRAY = 3,
	BPF_MAP_TYPE_PERF_EVENT_ARRAY = 4,
	BPF_MAP_TYPE_PERCPU_HASH = 5,
	BPF_MAP_TYPE_PERCPU_ARRAY = 6,
	BPF_MAP_TYPE_STACK_TRACE = 7,
	BPF_MAP_TYPE_LRU_HASH = 9,
	BPF_MAP_TYPE_LRU_PERCPU_HASH = 10,
	BPF_MAP_TYPE_RINGBUF = 27,
};

enum {
	BPF_ANY = 0,
	BPF_NOEXIST = 1,
	BPF_EXIST = 2,
	BPF_F_LOCK = 4,
};

enum {
	BPF_F_NO_PREALLOC = (1U << 0),
	BPF_F_RDONLY_PROG = (1U << 7),
};

#define BPF_F_INDEX_MASK 0xffffffffULL
#define BPF_F_CURRENT_CPU BPF_F_INDEX_MASK

enum {
	BPF_F_SKIP_FIELD_MASK = 0xffULL,
	BPF_F_USER_STACK = (1ULL << 8),
	BPF_F_FAST_STACK_CMP = (1ULL << 9),
	BPF_F_REUSE_STACKID = (1ULL << 10),
	BPF_F_USER_BUILD_ID = (1ULL << 11),
};

enum {
	BPF_RB_NO_WAKEUP = (1ULL << 0),
	BPF_RB_FORCE_WAKEUP = (1ULL << 1),
};

enum {
	BPF_RB_AVAIL_DATA = 0,
	BPF_RB_RING_SIZE = 1,
	BPF_RB_CONS_POS = 2,
	BPF_RB_PROD_POS = 3,
};

#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

/* libbpf 1.1 stops at five register arguments; a Java method's sixth parameter is in r9. */
#ifndef PT_REGS_PARM6
#define PT_REGS_PARM6(x) (((const struct pt_regs *)(x))->r9)
#endif
#ifndef ___bpf_kprobe_args6
#define ___bpf_kprobe_args6(x, args...) ___bpf_kprobe_args5(args), (void *)PT_REGS_PARM6(ctx)
#endif

/* Parameter n >= 7 of the probed method, from the stack snapshot (8 bytes each, DESIGN.md §3). */
#define SONDE_PARM(ctx, n) ({ \
	unsigned long ___v = 0; \
	bpf_probe_read_kernel(&___v, sizeof(___v), (void *)((ctx)->sp + 8 * ((n) - 6))); \
	___v; })

/* 1 when a kretprobe fires on an exceptional exit (PT_REGS_RC is then the throwable's handle). */
#define SONDE_EXCEPTIONAL(ctx) ((int)((ctx)->flags & 1))

/*
 * Sonde's JVM helpers: ids from the reserved range 0x5300..0x53ff, which Linux does not use.
 * Each copies a NUL-terminated UTF-8 name into buf (at most size-1 bytes and a NUL) and returns
 * the bytes written including the NUL, or a negative errno (-EFAULT for a handle that names no
 * object; buf is then zeroed).
 */
/* The binary name of the probed method's class, e.g. "com.shop.Cart$Line". */
static long (* const sonde_get_class_name)(void *ctx, char *buf, __u32 size) = (void *) 0x5300;
/* The probed method's name ("<init>" for constructors). */
static long (* const sonde_get_method_name)(void *ctx, char *buf, __u32 size) = (void *) 0x5301;
/* The current thread's whole name (bpf_get_current_comm gives its first 15 bytes). */
static long (* const sonde_get_thread_name)(char *buf, __u32 size) = (void *) 0x5302;
/* The class name of the object a handle refers to. */
static long (* const sonde_get_object_class)(__u64 handle, char *buf, __u32 size) = (void *) 0x5303;

#endif /* __SONDE_PROBE_H__ */
