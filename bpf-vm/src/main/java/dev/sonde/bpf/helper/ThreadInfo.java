package dev.sonde.bpf.helper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The current thread as tracing helpers describe it (DESIGN.md §3, §4): pid_tgid = (JVM pid << 32)
 * | low 32 bits of the Java thread id; comm = the first 15 bytes of the thread name in UTF-8, a NUL,
 * zero padding. Computed without allocation on every call.
 */
public final class ThreadInfo {
    private ThreadInfo() {
    }

    public static final long PID = ProcessHandle.current().pid();
    private static final long UID_GID = readUidGid();

    @SuppressWarnings("deprecation") // Thread.getId: threadId() is JDK 19+
    public static long pidTgid() {
        return PID << 32 | (Thread.currentThread().getId() & 0xffffffffL);
    }

    public static long uidGid() {
        return UID_GID;
    }

    /**
     * Writes the current thread's comm into {@code dst[off, off+size)}: at most size−1 bytes of its
     * name's UTF-8 (and at most 15), a NUL, then zeros up to size.
     */
    public static void comm(byte[] dst, int off, int size) {
        if (size <= 0) {
            return;
        }
        String name = Thread.currentThread().getName();
        int limit = Math.min(size - 1, 15);
        int n = 0;
        for (int i = 0; i < name.length() && n < limit; i++) {
            char c = name.charAt(i);
            if (c < 0x80) {
                dst[off + n++] = (byte) c;
                continue;
            }
            int cp = c;
            if (Character.isHighSurrogate(c) && i + 1 < name.length() && Character.isLowSurrogate(name.charAt(i + 1))) {
                cp = Character.toCodePoint(c, name.charAt(++i));
            } else if (Character.isSurrogate(c)) {
                cp = '?';
            }
            int len = cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            // Cut at the byte limit even inside a character, as "the first 15 bytes" says.
            for (int k = 0; k < len && n < limit; k++) {
                dst[off + n++] = (byte) utf8Byte(cp, len, k);
            }
        }
        for (int k = n; k < size; k++) {
            dst[off + k] = 0;
        }
    }

    private static int utf8Byte(int cp, int len, int k) {
        if (k == 0) {
            return switch (len) {
                case 2 -> 0xc0 | cp >> 6;
                case 3 -> 0xe0 | cp >> 12;
                default -> 0xf0 | cp >> 18;
            };
        }
        int shift = 6 * (len - 1 - k);
        return 0x80 | (cp >> shift) & 0x3f;
    }

    /** gid << 32 | uid from /proc/self/status (the real ids); 0 where /proc is missing. */
    private static long readUidGid() {
        try {
            long uid = 0;
            long gid = 0;
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    uid = Long.parseLong(line.substring(4).trim().split("\\s+")[0]);
                } else if (line.startsWith("Gid:")) {
                    gid = Long.parseLong(line.substring(4).trim().split("\\s+")[0]);
                }
            }
            return gid << 32 | uid;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
