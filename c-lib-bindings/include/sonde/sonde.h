/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * libsonde: the C client of Sonde's control socket (protocol version 2, notes/control-protocol.md).
 *
 * A C program drives the eBPF VM inside a traced JVM as a libbpf program drives the kernel:
 *
 *     struct sonde *s = sonde_open_pid(pid);              // NULL and errno on failure
 *     int obj  = sonde_object_open_file(s, "count.bpf.o", NULL);
 *     int prog = sonde_program_find(s, obj, "on_pay");
 *     int link = sonde_attach(s, prog, NULL, 0, 0);       // NULL target: the SEC name
 *     int map  = sonde_map_find(s, obj, "calls");
 *     sonde_map_lookup_elem(s, map, &key, sizeof(key), &val, sizeof(val));
 *     sonde_close(s);                                      // releases every handle
 *
 * Handles are small integers valid on their connection only, like file descriptors; closing the
 * connection releases them (a link whose last reference goes is detached, an object nothing refers
 * to is closed). Every int-returning function returns >= 0 on success and a negative errno value
 * on failure; sonde_strerror() gives the agent's message for it (or the library's own). Functions
 * returning a pointer return NULL and set errno.
 *
 * Threads: there is no global state. One struct sonde may be shared by threads: a mutex serialises
 * each request with its reply. The last error message is per connection, so with several threads
 * on one connection sonde_strerror() may show another thread's message; use one connection per
 * thread where that matters. A ring buffer is polled by one thread at a time (it is a
 * single-consumer ring); its callback may call into the same connection.
 *
 * Link with -lsonde (libsonde.so or libsonde.a; the static one also needs -lpthread).
 */
#ifndef __SONDE_SONDE_H__
#define __SONDE_SONDE_H__

#include <stddef.h>
#include <sys/types.h>
#include <linux/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) && !defined(SONDE_API)
#define SONDE_API __attribute__((visibility("default")))
#elif !defined(SONDE_API)
#define SONDE_API
#endif

/*
 * Wire constants. Each SONDE_<NAME> below mirrors ControlProtocol.<NAME> of the agent
 * (agent/src/main/java/dev/sonde/agent/control/ControlProtocol.java); HeaderDescriptorTest
 * checks every one between the begin and end markers against the descriptor (and that the
 * descriptor has no constant missing here).
 *
 * Frame (all integers little-endian, no padding):
 *  0               4       6       8               12
 *  +---------------+-------+-------+---------------+---------------------------+
 *  | length  u32   | ver   | op    | seq   u32     | payload (length - 8)      |
 *  +---------------+-------+-------+---------------+---------------------------+
 */
/* wire constants: begin */
#define SONDE_VERSION 2
#define SONDE_HEADER 12
#define SONDE_OFF_LENGTH 0
#define SONDE_OFF_VERSION 4
#define SONDE_OFF_OP 6
#define SONDE_OFF_SEQ 8
#define SONDE_OFF_PAYLOAD 12
#define SONDE_MIN_LENGTH 8 /* the least length: ver, op, seq */
#define SONDE_MAX_FRAME (16 << 20)
#define SONDE_MAX_HANDLES 4096
#define SONDE_REPLY 0x8000
#define SONDE_OP_ERROR 0xFFFF

#define SONDE_OP_HELLO 0x0001
#define SONDE_OP_OBJ_LOAD_PATH 0x0010
#define SONDE_OP_OBJ_LOAD_BYTES 0x0011
#define SONDE_OP_PROG_FIND 0x0012
#define SONDE_OP_MAP_FIND 0x0013
#define SONDE_OP_LIST 0x0014
#define SONDE_OP_INFO 0x0015
#define SONDE_OP_GET_BY_ID 0x0016
#define SONDE_OP_CLOSE 0x0017
#define SONDE_OP_ATTACH 0x0020
#define SONDE_OP_DETACH 0x0021
#define SONDE_OP_MAP_LOOKUP 0x0030
#define SONDE_OP_MAP_UPDATE 0x0031
#define SONDE_OP_MAP_DELETE 0x0032
#define SONDE_OP_MAP_NEXT_KEY 0x0033
#define SONDE_OP_MAP_DUMP 0x0034
#define SONDE_OP_DUMP_JSON 0x0035
#define SONDE_OP_RINGBUF_POLL 0x0040
#define SONDE_OP_RINGBUF_SHM 0x0041
#define SONDE_OP_TRACE_READ 0x0050
#define SONDE_OP_STATS 0x0060
#define SONDE_OP_SYM 0x0070
#define SONDE_OP_METHODS 0x0071
#define SONDE_OP_PIN 0x0080
#define SONDE_OP_UNPIN 0x0081
#define SONDE_OP_GET_PINNED 0x0082
#define SONDE_OP_RELEASE 0x0090

#define SONDE_KIND_OBJECT 1
#define SONDE_KIND_PROG 2
#define SONDE_KIND_MAP 3
#define SONDE_KIND_LINK 4

/* ATTACH flags */
#define SONDE_ATTACH_PENDING 0x1

/* Program types in PROG entries (sonde_info.prog_type) */
#define SONDE_PROG_TYPE_OTHER 0
#define SONDE_PROG_TYPE_KPROBE 1
#define SONDE_PROG_TYPE_KRETPROBE 2
#define SONDE_PROG_TYPE_TIMER 3

/* The errno values the agent answers with (Linux's), under the descriptor's names. */
#define SONDE_EPERM 1
#define SONDE_ENOENT 2
#define SONDE_E2BIG 7
#define SONDE_EBADF 9
#define SONDE_EAGAIN 11
#define SONDE_ENOMEM 12
#define SONDE_EACCES 13
#define SONDE_EBUSY 16
#define SONDE_EEXIST 17
#define SONDE_EINVAL 22
#define SONDE_EMFILE 24
#define SONDE_ENOSPC 28
#define SONDE_EPROTO 71
#define SONDE_EMSGSIZE 90
#define SONDE_EOPNOTSUPP 95

/*
 * The shared-memory ring (RINGBUF_SHM): the kernel's layout without the double mapping.
 *  0       8              4096    4104           8192
 *  +-------+--------------+-------+--------------+---------------------------+
 *  | cons  |              | prod  |              | data: data_size bytes     |
 *  | u64   |              | u64   |              | (a power of two)          |
 *  +-------+--------------+-------+--------------+---------------------------+
 *  record at data[pos & (data_size-1)]: len u32 (bit 31 BUSY, bit 30 DISCARD), pad u32, then
 *  len bytes, the whole rounded up to 8; a record may wrap around the end of data.
 */
#define SONDE_SHM_OFF_CONS 0
#define SONDE_SHM_OFF_PROD 4096
#define SONDE_SHM_OFF_DATA 8192
#define SONDE_RB_HEADER 8
#define SONDE_RB_BUSY_BIT 0x80000000u
#define SONDE_RB_DISCARD_BIT 0x40000000u
/* wire constants: end */

/* The frame header as a C struct, for programs that speak the protocol themselves. */
struct sonde_frame_header {
	__u32 length;
	__u16 version;
	__u16 op;
	__u32 seq;
} __attribute__((packed));

/* ---- connections ---- */

struct sonde;

/* Connects to the agent of JVM pid, at $XDG_RUNTIME_DIR/sonde-<pid>.sock else /tmp's (the
 * agent's default); says HELLO. NULL and errno (ENOENT: no socket; EPROTO: another version). */
SONDE_API struct sonde *sonde_open_pid(pid_t pid);
/* Connects to the socket at path (the agent's socket= option). */
SONDE_API struct sonde *sonde_open_path(const char *path);
/* Closes the connection: the agent releases every handle of it. NULL is ignored. */
SONDE_API void sonde_close(struct sonde *s);
/* The traced JVM's pid and agent version from HELLO. */
SONDE_API pid_t sonde_pid(const struct sonde *s);
SONDE_API const char *sonde_agent_version(const struct sonde *s);
/* The message of err, a negative errno returned by a call on s: the agent's (or libsonde's)
 * message when it was the last error of s, else strerror's text. Valid until the next call on s. */
SONDE_API const char *sonde_strerror(struct sonde *s, int err);

/* ---- objects, programs, maps, links ---- */

/* Loads an ELF object from a file the JVM can read (the path is resolved by the agent; relative
 * paths are made absolute here). name NULL or "": the file name. Returns an OBJECT handle. */
SONDE_API int sonde_object_open_file(struct sonde *s, const char *path, const char *name);
/* Loads an ELF object from memory. Returns an OBJECT handle. */
SONDE_API int sonde_object_open_mem(struct sonde *s, const void *elf, size_t size, const char *name);
/* Finds a program (C function name) or map of an object. Returns a PROG / MAP handle. */
SONDE_API int sonde_program_find(struct sonde *s, int obj, const char *name);
SONDE_API int sonde_map_find(struct sonde *s, int obj, const char *name);
/* Attaches a program. target NULL or "": its SEC name; else a SEC-like target such as
 * "kprobe.multi/com.shop.*::pay*". flags: SONDE_ATTACH_PENDING. Returns a LINK handle. */
SONDE_API int sonde_attach(struct sonde *s, int prog, const char *target, __u64 cookie, unsigned flags);
/* Detaches a link now (no run starts after it returns); its handle stays open until closed. */
SONDE_API int sonde_detach(struct sonde *s, int link);
/* Drops a handle of any kind (a link whose last reference goes is detached). */
SONDE_API int sonde_handle_close(struct sonde *s, int handle);
/* A handle on the object, program, map or link with that global id. */
SONDE_API int sonde_get_by_id(struct sonde *s, int kind, __u32 id);

struct sonde_stats {
	__u64 run_cnt;
	__u64 run_time_ns;
	__u64 nmissed;
	__u64 faults;
};

/* One entry of LIST / INFO. Which fields are set depends on kind; strings are NUL-terminated
 * and cut to fit. */
struct sonde_info {
	int kind;
	__u32 id;
	__u32 obj_id;       /* PROG, MAP */
	__u32 prog_id;      /* LINK */
	char name[256];     /* OBJECT, PROG, MAP */
	char section[512];  /* PROG */
	char target[512];   /* LINK */
	char pinned[256];   /* LINK: its pin name, "" if none */
	__u16 progs, maps;  /* OBJECT */
	__u32 refs;         /* OBJECT */
	__u8 prog_type;     /* PROG: SONDE_PROG_TYPE_* */
	__u32 insns;        /* PROG */
	__u32 map_type;     /* MAP: BPF_MAP_TYPE_* */
	__u32 key_size, value_size, max_entries, map_flags; /* MAP */
	__u64 cookie;       /* LINK */
	__u32 methods;      /* LINK: methods instrumented */
	__u8 open;          /* LINK: 1 while attached */
	struct sonde_stats stats; /* PROG, LINK */
};

/* Describes a handle. */
SONDE_API int sonde_info(struct sonde *s, int handle, struct sonde_info *info);
/* Calls cb for every object, program, map or link of the JVM; cb returning non-zero stops the
 * walk and is returned. Returns the number of entries otherwise. */
typedef int (*sonde_info_fn)(void *ctx, const struct sonde_info *info);
SONDE_API int sonde_list(struct sonde *s, int kind, sonde_info_fn cb, void *ctx);
/* Run counters of a program or link handle; handle 0: the whole JVM. */
SONDE_API int sonde_stats(struct sonde *s, int handle, struct sonde_stats *stats);

/* ---- maps (sizes as libbpf's bpf_map__*_elem: exactly the map's key and value sizes; a per-CPU
 * map's value is one round_up(value_size, 8) slice per execution slot) ---- */

SONDE_API int sonde_map_lookup_elem(struct sonde *s, int map, const void *key, size_t key_sz,
				    void *value, size_t value_sz);
/* flags: BPF_ANY 0, BPF_NOEXIST 1, BPF_EXIST 2 */
SONDE_API int sonde_map_update_elem(struct sonde *s, int map, const void *key, size_t key_sz,
				    const void *value, size_t value_sz, __u64 flags);
SONDE_API int sonde_map_delete_elem(struct sonde *s, int map, const void *key, size_t key_sz);
/* The key after key (key NULL: the first key); -ENOENT after the last. */
SONDE_API int sonde_map_get_next_key(struct sonde *s, int map, const void *key, void *next_key,
				     size_t key_sz);
/* Up to max entries (0: as many as fit in a frame) in one request; cb as for sonde_list.
 * Returns the entries passed to cb. */
typedef int (*sonde_map_entry_fn)(void *ctx, const void *key, size_t key_sz, const void *value,
				  size_t value_sz);
SONDE_API int sonde_map_dump(struct sonde *s, int map, unsigned max, sonde_map_entry_fn cb, void *ctx);
/* The map dump of DESIGN.md §4 as JSON (name NULL or "": every map and program); malloc'd, the
 * caller frees it. NULL and errno on failure. */
SONDE_API char *sonde_dump_json(struct sonde *s, const char *name);

/* ---- ring buffers ---- */

struct sonde_ring_buffer;
/* Called for each record, in order; data is valid during the call only. A negative return stops
 * the poll, which returns it. */
typedef int (*sonde_ring_sample_fn)(void *ctx, void *data, size_t size);

/* flags: 0 (shared memory where the agent offers it, else the socket), or one of: */
#define SONDE_RB_FORCE_SHM 0x1    /* shared memory or fail */
#define SONDE_RB_FORCE_SOCKET 0x2 /* records over the socket (RINGBUF_POLL) */

/* A consumer of a RINGBUF map. It holds its own handle on the map, so the caller may close map.
 * NULL and errno on failure (EBUSY: the ring has a consumer already). */
SONDE_API struct sonde_ring_buffer *sonde_ring_buffer_new(struct sonde *s, int map,
							  sonde_ring_sample_fn cb, void *ctx,
							  unsigned flags);
/* Consumes the records that are there; when there are none, waits up to timeout_ms (0: does not
 * wait, < 0: waits without bound) for one. Returns the records consumed or a negative errno. */
SONDE_API int sonde_ring_buffer_poll(struct sonde_ring_buffer *rb, int timeout_ms);
/* Consumes what is there without waiting. */
SONDE_API int sonde_ring_buffer_consume(struct sonde_ring_buffer *rb);
/* 1 if records come through shared memory, 0 over the socket. */
SONDE_API int sonde_ring_buffer_is_shm(const struct sonde_ring_buffer *rb);
/* Drops counted by the agent as of the last socket poll (0 in shared-memory mode: read the
 * program's stats or the agent's drop count instead). */
SONDE_API __u64 sonde_ring_buffer_dropped(const struct sonde_ring_buffer *rb);
/* Stops consuming; the agent stops the mirror. Call it before sonde_close of its connection.
 * NULL is ignored. */
SONDE_API void sonde_ring_buffer_free(struct sonde_ring_buffer *rb);

/* ---- trace pipe, symbols, methods, pins ---- */

/* printk lines since this connection's first read, waiting up to timeout_ms for one; cb gets each
 * NUL-terminated line. Returns the lines read. */
typedef int (*sonde_line_fn)(void *ctx, const char *line);
SONDE_API int sonde_trace_read(struct sonde *s, unsigned max, unsigned timeout_ms, sonde_line_fn cb, void *ctx);
/* The method at a synthetic address (from bpf_get_func_ip, stacks): its symbol into buf (cut to
 * size, NUL-terminated) and its line (or -1) into *line if line is not NULL. -ENOENT if none. */
SONDE_API int sonde_sym(struct sonde *s, __u64 addr, char *buf, size_t size, int *line);
/* Calls cb for each loaded method matching a target pattern ("kprobe/" optional). Returns the
 * count (or cb's non-zero return). */
typedef int (*sonde_method_fn)(void *ctx, const char *symbol, __u64 addr, const char *params);
SONDE_API int sonde_methods(struct sonde *s, const char *pattern, sonde_method_fn cb, void *ctx);
/* Pins a handle's object under a name (a reference that outlives the connection). */
SONDE_API int sonde_pin(struct sonde *s, int handle, const char *name);
SONDE_API int sonde_unpin(struct sonde *s, const char *name);
/* A handle on a pinned object; its kind into *kind if kind is not NULL. */
SONDE_API int sonde_get_pinned(struct sonde *s, const char *name, int *kind);
/* Lets a JVM started with -javaagent:...=hold=<s> run main (after this client attached with
 * SONDE_ATTACH_PENDING); the JVM's exit then waits for this connection to close. 0 also when no
 * hold is pending. */
SONDE_API int sonde_release(struct sonde *s);

#ifdef __cplusplus
}
#endif

#endif /* __SONDE_SONDE_H__ */
