package dev.sonde.agent.cli;

import dev.sonde.agent.Json;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code sonde ringbuf --format "struct { u32 pid; u64 ts; char comm[16]; }"}: a record's layout
 * as the C struct the probe writes, laid out by C's rules for x86-64 (each field aligned to its
 * element size, so {@code u32 a; u64 b;} has 4 bytes of padding between them), little-endian.
 *
 * <p>Types: {@code u8 u16 u32 u64 s8 s16 s32 s64} (also with {@code __} in front, {@code int},
 * {@code long}, {@code unsigned int}, {@code unsigned long}); arrays {@code T name[N]};
 * {@code char name[N]} is a NUL-terminated string. Unsigned values print in decimal, arrays of
 * numbers as {@code [a, b]}. A record shorter than the struct is an error line; bytes past it
 * are ignored.
 */
final class RecordFormat {
    private record Field(String name, int size, boolean signed, boolean chars, int count, int offset) {
    }

    private static final Pattern FIELD = Pattern.compile(
        "\\s*((?:unsigned\\s+|signed\\s+)?[A-Za-z_][A-Za-z0-9_]*)\\s+([A-Za-z_][A-Za-z0-9_]*)\\s*(?:\\[\\s*(\\d+)\\s*\\])?\\s*");

    private final List<Field> fields;
    private final int size;

    private RecordFormat(List<Field> fields, int size) {
        this.fields = fields;
        this.size = size;
    }

    static RecordFormat parse(String text) throws SondeCli.UsageException {
        String t = text.trim();
        if (t.startsWith("struct")) {
            t = t.substring("struct".length()).trim();
            int brace = t.indexOf('{');
            if (brace < 0 || !t.endsWith("}") && !t.endsWith("};")) {
                throw new SondeCli.UsageException("--format: '" + text + "' is not 'struct { <type> <name>; ... }'");
            }
            t = t.substring(brace + 1, t.lastIndexOf('}'));
        }
        List<Field> fields = new ArrayList<>();
        int off = 0;
        int align = 1;
        for (String decl : t.split(";")) {
            if (decl.isBlank()) {
                continue;
            }
            Matcher m = FIELD.matcher(decl);
            if (!m.matches()) {
                throw new SondeCli.UsageException("--format: cannot read the field '" + decl.trim() + "' (e.g. 'u32 pid', 'char comm[16]')");
            }
            String type = m.group(1).replaceAll("\\s+", " ");
            int count = m.group(3) == null ? 1 : Integer.parseInt(m.group(3));
            if (count <= 0 || count > 1 << 20) {
                throw new SondeCli.UsageException("--format: field " + m.group(2) + " has " + count + " elements");
            }
            int sz;
            boolean signed;
            boolean chars = false;
            switch (type.startsWith("__") ? type.substring(2) : type) {
                case "u8", "unsigned char" -> { sz = 1; signed = false; }
                case "s8", "signed char" -> { sz = 1; signed = true; }
                case "char" -> { sz = 1; signed = false; chars = m.group(3) != null; }
                case "u16", "unsigned short" -> { sz = 2; signed = false; }
                case "s16", "short" -> { sz = 2; signed = true; }
                case "u32", "unsigned int", "unsigned" -> { sz = 4; signed = false; }
                case "s32", "int", "signed int" -> { sz = 4; signed = true; }
                case "u64", "unsigned long", "unsigned long long" -> { sz = 8; signed = false; }
                case "s64", "long", "long long" -> { sz = 8; signed = true; }
                default -> throw new SondeCli.UsageException("--format: unknown type '" + type + "' of field " + m.group(2)
                    + " (types: u8 u16 u32 u64 s8 s16 s32 s64 char int long)");
            }
            off = (off + sz - 1) / sz * sz;
            align = Math.max(align, sz);
            fields.add(new Field(m.group(2), sz, signed, chars, count, off));
            off += sz * count;
        }
        if (fields.isEmpty()) {
            throw new SondeCli.UsageException("--format: the struct has no fields");
        }
        return new RecordFormat(List.copyOf(fields), (off + align - 1) / align * align);
    }

    int size() {
        return size;
    }

    /** {@code name=value} pairs separated by spaces (strings quoted). */
    String text(byte[] r) {
        StringBuilder b = new StringBuilder();
        for (Field f : check(r)) {
            if (b.length() > 0) {
                b.append(' ');
            }
            b.append(f.name).append('=').append(f.chars ? Json.quote(string(r, f)) : value(r, f));
        }
        return b.toString();
    }

    /** A JSON object of the fields (numbers as numbers, strings as strings, arrays as arrays). */
    String json(byte[] r) {
        StringBuilder b = new StringBuilder("{");
        for (Field f : check(r)) {
            if (b.length() > 1) {
                b.append(',');
            }
            b.append(Json.quote(f.name)).append(':').append(f.chars ? Json.quote(string(r, f)) : value(r, f));
        }
        return b.append('}').toString();
    }

    private List<Field> check(byte[] r) {
        Field last = fields.get(fields.size() - 1);
        if (r.length < last.offset + last.size * last.count) {
            throw new IllegalArgumentException("record of " + r.length + " bytes is shorter than the format's "
                + (last.offset + last.size * last.count));
        }
        return fields;
    }

    private static String string(byte[] r, Field f) {
        int end = f.offset;
        while (end < f.offset + f.count && r[end] != 0) {
            end++;
        }
        return new String(r, f.offset, end - f.offset, StandardCharsets.UTF_8);
    }

    private static String value(byte[] r, Field f) {
        if (f.count == 1) {
            return number(r, f.offset, f.size, f.signed);
        }
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < f.count; i++) {
            b.append(i > 0 ? ", " : "").append(number(r, f.offset + i * f.size, f.size, f.signed));
        }
        return b.append(']').toString();
    }

    private static String number(byte[] r, int off, int size, boolean signed) {
        long x = 0;
        for (int i = 0; i < size; i++) {
            x |= (r[off + i] & 0xffL) << (8 * i);
        }
        if (signed && size < 8) {
            x = x << (64 - 8 * size) >> (64 - 8 * size);
        }
        return signed ? Long.toString(x) : Long.toUnsignedString(x);
    }
}
