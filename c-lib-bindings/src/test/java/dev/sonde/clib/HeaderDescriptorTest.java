package dev.sonde.clib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sonde.agent.control.ControlProtocol;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * libsonde's header mirrors the agent's wire descriptor: every {@code SONDE_<NAME>} between the
 * "wire constants" markers of {@code include/sonde/sonde.h} equals {@code ControlProtocol.<NAME>}
 * (op codes, kinds, flags, the header size and field offsets, the shared-memory ring's layout),
 * and every {@code public static final int} of the descriptor is in the header. The frame header
 * struct's size and offsets are checked against the same defines by {@code _Static_assert} in
 * {@code test/test_offline.c}.
 */
class HeaderDescriptorTest {
    private static final Path HEADER = Path.of("include/sonde/sonde.h");
    private static final Pattern DEFINE = Pattern.compile("^#define\\s+SONDE_([A-Z0-9_]+)\\s+(.+?)\\s*(/\\*.*)?$");
    private static final Pattern SHIFT = Pattern.compile("\\(?\\s*(\\w+)\\s*<<\\s*(\\w+)\\s*\\)?");

    /** The header's wire constants by name without the SONDE_ prefix. */
    static Map<String, Long> headerConstants(List<String> lines) {
        Map<String, Long> out = new TreeMap<>();
        boolean in = false;
        for (String line : lines) {
            if (line.contains("wire constants: begin")) {
                in = true;
            } else if (line.contains("wire constants: end")) {
                in = false;
            } else if (in) {
                Matcher m = DEFINE.matcher(line.trim());
                if (m.matches()) {
                    out.put(m.group(1), evaluate(m.group(2)));
                }
            }
        }
        return out;
    }

    /** A define's value: a decimal or hex literal (u suffix allowed) or (a << b). */
    static long evaluate(String text) {
        String t = text.trim();
        Matcher m = SHIFT.matcher(t);
        if (m.matches()) {
            return literal(m.group(1)) << literal(m.group(2));
        }
        return literal(t.replaceAll("^\\((.*)\\)$", "$1"));
    }

    private static long literal(String s) {
        String t = s.trim().replaceAll("[uUlL]+$", "");
        return t.startsWith("0x") || t.startsWith("0X") ? Long.parseLong(t.substring(2), 16) : Long.parseLong(t);
    }

    /** The descriptor's public static final int fields by name. */
    static Map<String, Long> descriptorConstants(Class<?> descriptor) throws IllegalAccessException {
        Map<String, Long> out = new TreeMap<>();
        for (Field f : descriptor.getFields()) {
            int mod = f.getModifiers();
            if (Modifier.isStatic(mod) && Modifier.isFinal(mod) && f.getType() == int.class) {
                out.put(f.getName(), (long) f.getInt(null));
            }
        }
        return out;
    }

    /** Every disagreement, one line each; empty when the two agree. */
    static List<String> mismatches(Map<String, Long> header, Map<String, Long> descriptor) {
        List<String> out = new ArrayList<>();
        header.forEach((name, v) -> {
            Long d = descriptor.get(name);
            if (d == null) {
                out.add("SONDE_" + name + " = " + v + " has no ControlProtocol." + name);
            } else if (d.longValue() != v && (d & 0xffffffffL) != (v & 0xffffffffL)) {
                out.add("SONDE_" + name + " = " + v + " but ControlProtocol." + name + " = " + d);
            }
        });
        descriptor.forEach((name, d) -> {
            if (!header.containsKey(name)) {
                out.add("ControlProtocol." + name + " = " + d + " is missing from sonde.h");
            }
        });
        return out;
    }

    @Test
    void headerAgreesWithDescriptor() throws IOException, IllegalAccessException {
        Map<String, Long> header = headerConstants(Files.readAllLines(HEADER));
        Map<String, Long> descriptor = descriptorConstants(ControlProtocol.class);
        assertTrue(header.size() >= 40, "too few wire constants found in " + HEADER + ": " + header.keySet());
        List<String> bad = mismatches(header, descriptor);
        assertTrue(bad.isEmpty(), "sonde.h and ControlProtocol disagree:\n  " + String.join("\n  ", bad));
    }

    @Test
    void oneDisagreementIsReported() {
        Map<String, Long> descriptor = Map.of("OP_HELLO", 1L, "HEADER", 12L, "OFF_SEQ", 8L);
        assertTrue(mismatches(new TreeMap<>(descriptor), descriptor).isEmpty());
        Map<String, Long> header = new TreeMap<>(descriptor);
        header.put("OFF_SEQ", 9L);
        assertEquals(List.of("SONDE_OFF_SEQ = 9 but ControlProtocol.OFF_SEQ = 8"), mismatches(header, descriptor));
        header.remove("OFF_SEQ");
        assertEquals(List.of("ControlProtocol.OFF_SEQ = 8 is missing from sonde.h"), mismatches(header, descriptor));
    }

    @Test
    void definesAreEvaluated() {
        Map<String, Long> h = headerConstants(List.of("/* wire constants: begin */",
                "#define SONDE_MAX_FRAME (16 << 20)", "#define SONDE_OP_ERROR 0xFFFF",
                "#define SONDE_RINGBUF_BUSY 0x80000000u  /* bit 31 */", "#define SONDE_HEADER 12",
                "/* wire constants: end */", "#define SONDE_RB_FORCE_SHM 0x1"));
        assertEquals(Map.of("MAX_FRAME", 16L << 20, "OP_ERROR", 0xffffL, "RINGBUF_BUSY", 1L << 31, "HEADER", 12L), h);
        assertFalse(h.containsKey("RB_FORCE_SHM"));
    }
}
