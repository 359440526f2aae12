package dev.sonde.bpf.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Test resources: bytes from the classpath, and the benchmark input of shared/bench/README.md. */
public final class Resources {
    private Resources() {
    }

    public static byte[] bytes(String path) {
        try (InputStream in = Resources.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalArgumentException("no resource " + path);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** 4096 bytes of xorshift32 with seed 0x12345678, one byte per step (bench/README.md). */
    public static byte[] benchInput() {
        byte[] buf = new byte[4096];
        int x = 0x12345678;
        for (int i = 0; i < buf.length; i++) {
            x ^= x << 13;
            x ^= x >>> 17;
            x ^= x << 5;
            buf[i] = (byte) x;
        }
        return buf;
    }

    /**
     * The bytes of one section of an ELF64 object, found by name. Test-only and trusting: the real
     * loader is {@code dev.sonde.bpf.elf}; this exists so VM tests need nothing but the VM.
     */
    public static byte[] section(byte[] elf, String name) {
        ByteBuffer b = ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN);
        long shoff = b.getLong(0x28);
        int shentsize = b.getShort(0x3a) & 0xffff;
        int shnum = b.getShort(0x3c) & 0xffff;
        int shstrndx = b.getShort(0x3e) & 0xffff;
        int strOff = (int) b.getLong((int) shoff + shstrndx * shentsize + 0x18);
        for (int i = 0; i < shnum; i++) {
            int h = (int) shoff + i * shentsize;
            int nameOff = b.getInt(h);
            int end = strOff + nameOff;
            while (elf[end] != 0) {
                end++;
            }
            String n = new String(elf, strOff + nameOff, end - strOff - nameOff, StandardCharsets.US_ASCII);
            if (n.equals(name)) {
                int off = (int) b.getLong(h + 0x18);
                int size = (int) b.getLong(h + 0x20);
                byte[] out = new byte[size];
                System.arraycopy(elf, off, out, 0, size);
                return out;
            }
        }
        throw new IllegalArgumentException("no section " + name);
    }
}
