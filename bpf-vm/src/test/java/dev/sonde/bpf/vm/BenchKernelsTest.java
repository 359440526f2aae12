package dev.sonde.bpf.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.sonde.bpf.testing.Resources;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The benchmark kernels of shared/bench give the documented results through the interpreter. */
class BenchKernelsTest {
    private static final byte[] INPUT = Resources.benchInput();

    @ParameterizedTest(name = "fletcher16 over {0} bytes = {1}")
    @CsvSource({"80, d4b5", "160, d340", "320, 8673", "640, baf0", "1280, 17fe", "2560, 5961"})
    void fletcher16MatchesTheReadme(int len, String expected) throws LoadException {
        assertEquals(Long.parseLong(expected, 16), run("fletcher16", len));
    }

    @ParameterizedTest(name = "{0} over {1} bytes agrees with plain Java")
    @CsvSource({"fnv1a64, 80", "fnv1a64, 2560", "bubble64, 256"})
    void otherKernelsAgreeWithPlainJava(String kernel, int len) throws LoadException {
        long expected = kernel.equals("fnv1a64") ? fnv1a64(INPUT, len) : bubble64(INPUT, len);
        assertEquals(expected, run(kernel, len));
    }

    private static long run(String kernel, int len) throws LoadException {
        byte[] text = Resources.section(Resources.bytes("/bench/" + kernel + ".bpf.o"), ".text");
        Program p = Program.load(kernel, text, Options.defaults().withCpuVersion(1));
        Cpu cpu = new Cpu(0);
        long mem = cpu.bindCaller(0, INPUT, 0, len, false);
        long r0 = Interpreter.run(p, cpu, mem, len);
        assertFalse(cpu.faulted(), cpu::describeFault);
        return r0;
    }

    static long fnv1a64(byte[] d, int len) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < len; i++) {
            h ^= d[i] & 0xff;
            h *= 0x100000001b3L;
        }
        return h;
    }

    static long bubble64(byte[] d, int len) {
        int[] a = new int[64];
        for (int i = 0; i < 64; i++) {
            a[i] = (d[4 * i] & 0xff) | (d[4 * i + 1] & 0xff) << 8 | (d[4 * i + 2] & 0xff) << 16 | (d[4 * i + 3] & 0xff) << 24;
        }
        for (int i = 0; i < 63; i++) {
            for (int j = 0; j < 63 - i; j++) {
                if (Integer.compareUnsigned(a[j], a[j + 1]) > 0) {
                    int t = a[j];
                    a[j] = a[j + 1];
                    a[j + 1] = t;
                }
            }
        }
        long s = 0;
        for (int i = 0; i < 64; i++) {
            s += (long) (i + 1) * (a[i] & 0xffffffffL);
        }
        return s;
    }
}
