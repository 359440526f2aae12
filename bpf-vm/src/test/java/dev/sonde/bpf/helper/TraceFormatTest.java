package dev.sonde.bpf.helper;

import dev.sonde.bpf.vm.Errno;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sonde.bpf.vm.Cpu;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The kernel's printf rules, case by case; expected strings are what glibc/bstr_printf give. */
class TraceFormatTest {
    private final Cpu cpu = new Cpu(0);
    private final TraceFormat fmt = new TraceFormat();

    @ParameterizedTest(name = "[{0}] with {1} -> [{2}]")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
        "n=%d|42|n=42",
        "%d|-1|-1",
        "%d|4294967295|-1",                 // %d takes the low 32 bits, sign-extended
        "%ld|4294967295|4294967295",
        "%lld|-9223372036854775808|-9223372036854775808",
        "%u|-1|4294967295",
        "%lu|-1|18446744073709551615",
        "%llu|-1|18446744073709551615",
        "%x|255|ff",
        "%X|255|FF",
        "%#x|255|0xff",
        "%lx|-1|ffffffffffffffff",
        "%08x|48879|0000beef",
        "%-6d|7|'7     '",
        "%6d|-7|'    -7'",
        "%+d|5|+5",
        "% d|5|' 5'",
        "%.3d|5|005",
        "%o|8|10",
        "%c|65|A",
        "%hhd|255|-1",
        "%hd|65535|-1",
        "%p|4096|0x1000",
        "%px|255|0xff",
        "100%%|0|100%",
    })
    void formatsOneArgument(String format, long arg, String expected) {
        assertEquals(expected, run(format, arg));
    }

    @ParameterizedTest(name = "[{0}] is rejected")
    @CsvSource({"%q", "%", "%l", "%d %d %d %d"})
    void rejectsBadFormatsAndTooFewArguments(String format) {
        byte[] f = format.getBytes(StandardCharsets.US_ASCII);
        byte[] args = new byte[24];
        int n = fmt.format(cpu, ProbeEnv.NONE, f, 0, f.length, args, 0, 3, new byte[64], 0, 64);
        assertEquals(-Errno.EINVAL, n);
    }

    @org.junit.jupiter.api.Test
    void readsStringsFromProgramMemoryAndCutsAtCapacity() {
        byte[] mem = "hello\0world".getBytes(StandardCharsets.US_ASCII);
        long addr = cpu.bindCaller(0, mem, 0, mem.length, false);
        assertEquals("[hello]", run("[%s]", addr));
        assertEquals("[  hello]", run("[%7s]", addr));
        assertEquals("[he]", run("[%.2s]", addr));
        assertEquals("[world]", run("[%s]", addr + 6));
        assertEquals("[]", run("[%s]", 12345)); // no such memory: empty, as the kernel prints

        byte[] f = "%d-%d".getBytes(StandardCharsets.US_ASCII);
        byte[] args = new byte[16];
        args[0] = 12;
        args[8] = 34;
        byte[] out = new byte[3];
        assertEquals(5, fmt.format(cpu, ProbeEnv.NONE, f, 0, f.length, args, 0, 2, out, 0, 3));
        assertEquals("12-", new String(out, StandardCharsets.US_ASCII));
    }

    private String run(String format, long arg) {
        byte[] f = format.getBytes(StandardCharsets.US_ASCII);
        byte[] args = new byte[8];
        for (int k = 0; k < 8; k++) {
            args[k] = (byte) (arg >>> (8 * k));
        }
        byte[] out = new byte[128];
        int n = fmt.format(cpu, ProbeEnv.NONE, f, 0, f.length, args, 0, 1, out, 0, out.length);
        return new String(out, 0, n, StandardCharsets.US_ASCII);
    }
}
