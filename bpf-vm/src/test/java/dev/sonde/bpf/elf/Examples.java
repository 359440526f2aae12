package dev.sonde.bpf.elf;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** The example objects and dumps on the test class path. */
final class Examples {
    private Examples() {
    }

    /** The eleven example objects of /work/shared/reference/examples, without ".o". */
    static final List<String> NAMES = List.of("a_kprobe_hash", "b_kretprobe_ringbuf", "c_globals_printk",
        "d_subprog_call", "e_bounded_loop", "f_atomics_v3", "g_cpu_v4", "h_misc_helpers", "i_args_snprintf",
        "j_acq_rel_v4", "k_prog_array_values");

    static byte[] object(String name) {
        return resource("/examples/" + name + ".o");
    }

    static BpfObjectFile parse(String name) throws ObjectFormatException {
        return BpfObjectFile.parse(name + ".o", object(name));
    }

    static String dump(String name) {
        return new String(resource("/elf/" + name + ".dump.txt"), StandardCharsets.UTF_8);
    }

    static byte[] resource(String path) {
        try (InputStream in = Examples.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + path);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String text(String path) {
        return new String(resource(path), StandardCharsets.UTF_8);
    }

    /**
     * The part of a dump after the first "### " line matching {@code commandRegex} (e.g.
     * {@code llvm-readelf-\\d+ -S}: the tool versions differ between examples), up to the next "###".
     */
    static String dumpPart(String dump, String commandRegex) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^### " + commandRegex + ".*$").matcher(dump);
        if (!m.find()) {
            throw new IllegalStateException("no part '" + commandRegex + "' in dump");
        }
        int start = m.end() + 1;
        int end = dump.indexOf("\n###", start);
        return end < 0 ? dump.substring(start) : dump.substring(start, end + 1);
    }

    static long le32(byte[] b, int p) {
        return (b[p] & 0xff) | (b[p + 1] & 0xff) << 8 | (b[p + 2] & 0xff) << 16 | (long) (b[p + 3] & 0xff) << 24;
    }

    static int imm(byte[] insns, int slot) {
        return (int) le32(insns, slot * 8 + 4);
    }

    static int nextImm(byte[] insns, int slot) {
        return (int) le32(insns, slot * 8 + 12);
    }

    static int src(byte[] insns, int slot) {
        return (insns[slot * 8 + 1] & 0xff) >>> 4;
    }

    static int opcode(byte[] insns, int slot) {
        return insns[slot * 8] & 0xff;
    }
}
