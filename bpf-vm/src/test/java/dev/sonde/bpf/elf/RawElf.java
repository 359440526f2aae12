package dev.sonde.bpf.elf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A deliberately naive reader of well-formed ELF64 files, independent of {@link ElfFile}, used by
 * the fuzz tests to find where structures sit in an example before mutating them.
 */
final class RawElf {
    record Header(int index, int at, String name, int type, long offset, long size, int link, int info) {
    }

    final byte[] bytes;
    final List<Header> sections = new ArrayList<>();

    RawElf(byte[] bytes) {
        this.bytes = bytes;
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int shoff = (int) b.getLong(40);
        int shnum = b.getShort(60) & 0xffff;
        int shstrndx = b.getShort(62) & 0xffff;
        int strOff = (int) b.getLong(shoff + shstrndx * 64 + 24);
        for (int i = 0; i < shnum; i++) {
            int at = shoff + i * 64;
            int nameOff = b.getInt(at);
            int end = strOff + nameOff;
            while (bytes[end] != 0) {
                end++;
            }
            sections.add(new Header(i, at, new String(bytes, strOff + nameOff, end - strOff - nameOff, StandardCharsets.US_ASCII),
                b.getInt(at + 4), b.getLong(at + 24), b.getLong(at + 32), b.getInt(at + 40), b.getInt(at + 44)));
        }
    }

    Header section(String name) {
        return sections.stream().filter(s -> s.name().equals(name)).findFirst().orElse(null);
    }

    List<Header> ofType(int type) {
        return sections.stream().filter(s -> s.type() == type).toList();
    }

    static void put32(byte[] b, long at, long v) {
        if (at < 0 || at + 4 > b.length) {
            return;
        }
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt((int) at, (int) v);
    }

    static void put64(byte[] b, long at, long v) {
        if (at < 0 || at + 8 > b.length) {
            return;
        }
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong((int) at, v);
    }

    static void put16(byte[] b, long at, int v) {
        if (at < 0 || at + 2 > b.length) {
            return;
        }
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putShort((int) at, (short) v);
    }

    /** File offset of the symbol-table entry of the symbol with this name. */
    int symbol(String name) {
        Header symtab = ofType(ElfLayout.SHT_SYMTAB).get(0);
        Header strtab = sections.get(symtab.link());
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (long at = symtab.offset(); at < symtab.offset() + symtab.size(); at += 24) {
            int off = (int) strtab.offset() + b.getInt((int) at);
            int end = off;
            while (bytes[end] != 0) {
                end++;
            }
            if (new String(bytes, off, end - off, StandardCharsets.US_ASCII).equals(name)) {
                return (int) at;
            }
        }
        throw new IllegalArgumentException("no symbol " + name);
    }

    /** File offset of the first occurrence of {@code text} + NUL inside a section. */
    int string(String section, String text) {
        Header h = section(section);
        byte[] want = (text + "\0").getBytes(StandardCharsets.US_ASCII);
        outer:
        for (int at = (int) h.offset(); at + want.length <= h.offset() + h.size(); at++) {
            for (int k = 0; k < want.length; k++) {
                if (bytes[at + k] != want[k]) {
                    continue outer;
                }
            }
            return at;
        }
        throw new IllegalArgumentException("no string " + text + " in " + section);
    }
}
