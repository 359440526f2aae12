package dev.sonde.bpf.tools;

import dev.sonde.bpf.vm.Options;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The command line of {@code bin/sonde-bpf-plugin}: {@code [MEMORY-HEX] [options]}.
 *
 * <p>Blank arguments are skipped and an option argument holding spaces is split, because runners
 * differ: older bpf_conformance runners always pass argv[1] (empty without {@code -- mem}) and all
 * plugin options as one argv[2]; newer ones leave the memory out. So a test without memory and a
 * test with an empty {@code -- mem} both run with r1 = 0, r2 = 0.
 *
 * @param memory  the input memory, or null when none was given
 * @param engine  how to run the program
 * @param input   what stdin holds
 * @param section with {@link Input#ELF}: the section to run, or null for the first program
 * @param verify  whether to verify before running
 * @param cpu     the {@code -mcpu} level whose instructions are accepted, 1..4
 * @param budget  the instruction budget of one run
 * @param help    whether {@code --help} was given
 */
public record PluginOptions(byte[] memory, Engine engine, Input input, String section, boolean verify,
                            int cpu, long budget, boolean help) {

    public enum Engine { INTERPRET, JIT }

    public enum Input {
        /** One line of hex: 8 little-endian bytes per instruction slot. */
        RAW,
        /** An ELF object file, in hex. */
        ELF
    }

    /** A command line that cannot be obeyed; the plugin prints the message and the usage, and exits 2. */
    public static final class UsageException extends Exception {
        UsageException(String message) {
            super(message);
        }
    }

    public static final String USAGE = String.join("\n",
        "usage: sonde-bpf-plugin [MEMORY-HEX] [options] < PROGRAM-HEX",
        "Runs one eBPF program on Sonde's VM, as the bpf_conformance runner expects of a plugin:",
        "stdin holds the program as hex (8 little-endian bytes per instruction); MEMORY-HEX, if",
        "given, is copied into writable memory that r1 points to, r2 holding its length (else",
        "r1 = r2 = 0); r0 is printed in hex on stdout.",
        "options:",
        "  --interpret      run on the interpreter (default)",
        "  --jit            run JIT-compiled code (the interpreter when the JIT declines, with a note on stderr)",
        "  --elf            stdin holds an ELF object file in hex; maps and global data are created",
        "  --section NAME   with --elf: the section of the program to run",
        "  --verify         verify the program first (r1 = read-write memory of exactly the given length, r2 its length)",
        "  --cpu vN         accept the instructions of clang -mcpu=vN, v1..v4 (default v4)",
        "  --budget N       abort a run after N instructions (default " + Options.DEFAULT_BUDGET + ")",
        "  --help           print this text",
        "exit status: 0 r0 printed; 1 program rejected or run faulted (one line on stderr);",
        "             2 bad command line, or an option that is not available yet",
        "");

    public static PluginOptions parse(String[] args) throws UsageException {
        Deque<String> tokens = new ArrayDeque<>();
        List<String> positional = new ArrayList<>();
        for (String a : args) {
            String s = a.strip();
            if (s.isEmpty()) {
                continue;
            }
            if (s.startsWith("-")) {
                for (String t : s.split("\\s+")) {
                    tokens.add(t);
                }
            } else if (tokens.isEmpty() && positional.isEmpty()) {
                positional.add(a);
            } else if (!tokens.isEmpty() && takesValue(lastOption(tokens))) {
                tokens.add(s);
            } else {
                throw new UsageException("unexpected argument '" + s + "' (the memory must come first)");
            }
        }
        byte[] memory = null;
        if (!positional.isEmpty()) {
            try {
                memory = Hex.parse(positional.get(0));
            } catch (Hex.HexException e) {
                throw new UsageException("memory argument: " + e.getMessage());
            }
        }
        Engine engine = Engine.INTERPRET;
        Input input = Input.RAW;
        String section = null;
        boolean verify = false;
        int cpu = 4;
        long budget = Options.DEFAULT_BUDGET;
        boolean help = false;
        while (!tokens.isEmpty()) {
            String t = tokens.poll();
            String value = null;
            int eq = t.indexOf('=');
            if (eq > 0) {
                value = t.substring(eq + 1);
                t = t.substring(0, eq);
            }
            if (takesValue(t) && value == null) {
                value = tokens.poll();
                if (value == null || value.startsWith("--")) {
                    throw new UsageException(t + " needs a value");
                }
            } else if (!takesValue(t) && value != null) {
                throw new UsageException(t + " takes no value");
            }
            switch (t) {
                case "--interpret" -> engine = Engine.INTERPRET;
                case "--jit" -> engine = Engine.JIT;
                case "--elf" -> input = Input.ELF;
                case "--section" -> section = value;
                case "--verify" -> verify = true;
                case "--cpu" -> cpu = cpu(value);
                case "--budget" -> budget = budget(value);
                case "--help", "-h" -> help = true;
                default -> throw new UsageException("unknown option '" + t + "'");
            }
        }
        if (section != null && input != Input.ELF) {
            throw new UsageException("--section needs --elf");
        }
        return new PluginOptions(memory, engine, input, section, verify, cpu, budget, help);
    }

    private static boolean takesValue(String option) {
        return option.equals("--section") || option.equals("--cpu") || option.equals("--budget");
    }

    private static String lastOption(Deque<String> tokens) {
        String last = tokens.peekLast();
        int eq = last.indexOf('=');
        return eq > 0 ? "" : last;
    }

    private static int cpu(String v) throws UsageException {
        if (!v.matches("v?[1-4]")) {
            throw new UsageException("--cpu takes v1, v2, v3 or v4, not '" + v + "'");
        }
        return v.charAt(v.length() - 1) - '0';
    }

    private static long budget(String v) throws UsageException {
        try {
            long b = Long.parseLong(v);
            if (b > 0) {
                return b;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UsageException("--budget takes a positive number of instructions, not '" + v + "'");
    }
}
