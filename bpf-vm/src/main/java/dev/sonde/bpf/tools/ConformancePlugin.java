package dev.sonde.bpf.tools;

import dev.sonde.bpf.elf.ObjectFormatException;
import dev.sonde.bpf.helper.Helpers;
import dev.sonde.bpf.helper.ProbeEnv;
import dev.sonde.bpf.helper.TraceLine;
import dev.sonde.bpf.helper.TracePipe;
import dev.sonde.bpf.object.BpfObject;
import dev.sonde.bpf.object.LoadOptions;
import dev.sonde.bpf.object.LoadedProgram;
import dev.sonde.bpf.verifier.ProgramType;
import dev.sonde.bpf.verifier.Verifier;
import dev.sonde.bpf.verifier.VerifierConfig;
import dev.sonde.bpf.verifier.VerifierException;
import dev.sonde.bpf.slot.ExecutionSlots;
import dev.sonde.bpf.vm.Cpu;
import dev.sonde.bpf.exec.ExecMode;
import dev.sonde.bpf.exec.Executable;
import dev.sonde.bpf.vm.LoadException;
import dev.sonde.bpf.vm.Options;
import dev.sonde.bpf.vm.Program;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * The bpf_conformance plugin: runs one program given as hex on stdin and prints r0 in hex
 * (protocol in {@code conformance/README.md}; options in {@link PluginOptions#USAGE}). Started by
 * {@code bin/sonde-bpf-plugin}, one process per test.
 *
 * <p>Every failure is one line on stderr, so a runner that shows stderr shows the reason: the load
 * error (naming the instruction) or the fault ({@link Cpu#describeFault}).
 */
public final class ConformancePlugin {
    static final int OK = 0;
    /** The program was rejected or its run faulted. */
    static final int PROGRAM_FAILED = 1;
    /** The command line was bad, or asks for what is not built yet. */
    static final int BAD_INVOCATION = 2;

    private static final String NAME = "sonde-bpf-plugin";

    private ConformancePlugin() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.in, System.out, System.err));
    }

    /** Does what {@link #main} does with the given streams; returns the exit status. */
    static int run(String[] args, InputStream in, PrintStream out, PrintStream err) {
        PluginOptions opts;
        try {
            opts = PluginOptions.parse(args);
        } catch (PluginOptions.UsageException e) {
            err.println(NAME + ": " + e.getMessage());
            err.print(PluginOptions.USAGE);
            return BAD_INVOCATION;
        }
        if (opts.help()) {
            out.print(PluginOptions.USAGE);
            return OK;
        }
        byte[] input;
        try {
            input = Hex.parse(new String(in.readAllBytes(), StandardCharsets.US_ASCII));
        } catch (Hex.HexException e) {
            err.println(NAME + ": decode error: stdin: " + e.getMessage());
            return PROGRAM_FAILED;
        } catch (IOException e) {
            err.println(NAME + ": cannot read stdin: " + e.getMessage());
            return BAD_INVOCATION;
        }
        Program program;
        try {
            program = load(input, opts, err);
        } catch (LoadException | ObjectFormatException e) {
            err.println(NAME + ": load error: " + oneLine(e.getMessage()));
            return PROGRAM_FAILED;
        }
        byte[] memory = opts.memory();
        Cpu cpu = SLOTS.tryEnter();
        long r1 = memory == null ? 0 : cpu.bindCaller(0, memory, 0, memory.length, true);
        long r2 = memory == null ? 0 : memory.length;
        ExecMode mode = opts.engine() == PluginOptions.Engine.JIT ? ExecMode.JIT : ExecMode.INTERPRET;
        Executable exe = Executable.of(program, mode);
        if (exe.declined() != null) {
            err.println(NAME + ": the JIT declined the program (" + oneLine(exe.declined()) + "); it runs on the interpreter");
        }
        long r0 = exe.run(cpu, r1, r2);
        SLOTS.exit(cpu);
        if (cpu.faulted()) {
            err.println(NAME + ": fault: " + oneLine(cpu.describeFault()));
            return PROGRAM_FAILED;
        }
        out.println(Long.toHexString(r0));
        return OK;
    }

    /** One slot: the plugin runs one program once, on its main thread. */
    private static final ExecutionSlots SLOTS = new ExecutionSlots(1);

    /** Prepares what stdin held: raw instructions, or an object whose program --section names. */
    private static Program load(byte[] input, PluginOptions opts, PrintStream err)
            throws LoadException, ObjectFormatException {
        Options options = Options.defaults()
            .withCpuVersion(opts.cpu())
            .withBudget(opts.budget());
        int memLen = opts.memory() == null ? -1 : opts.memory().length;
        return switch (opts.input()) {
            case RAW -> {
                Program p = Program.load("stdin", input, options.withHelpers(ConformanceHelpers.table()));
                if (opts.verify()) {
                    VerifierConfig cfg = (memLen >= 0 ? VerifierConfig.raw(memLen) : VerifierConfig.of(ProgramType.RAW))
                        .withHelpers(ConformanceHelpers.table())
                        .withCpuVersion(opts.cpu());
                    try {
                        Verifier.verify(p.insns(), cfg);
                    } catch (VerifierException e) {
                        throw new LoadException(e.insn(), "rejected by the verifier: "
                            + e.getMessage().replaceFirst("^insn \\d+: ", ""), e);
                    }
                }
                yield p;
            }
            case ELF -> {
                TracePipe pipe = (cpu, msg, off, len) -> err.println(TraceLine.format(Thread.currentThread().getName(),
                    Thread.currentThread().getId(), cpu.id, System.nanoTime(), msg, off, len));
                BpfObject object = BpfObject.load("stdin.o", input, SLOTS,
                    LoadOptions.of(options.withHelpers(Helpers.all(ProbeEnv.NONE, pipe)))
                        .withVerify(opts.verify()).withMode(ExecMode.INTERPRET).withRawMemory(memLen));
                yield pick(object, opts.section()).program();
            }
        };
    }

    private static LoadedProgram pick(BpfObject object, String section) throws LoadException {
        for (LoadedProgram p : object.programs()) {
            if (section == null || p.section().equals(section)) {
                return p;
            }
        }
        if (section == null) {
            throw new LoadException(-1, "the object has no program section");
        }
        StringBuilder have = new StringBuilder();
        object.programs().forEach(p -> have.append(have.length() == 0 ? "" : ", ").append(p.section()));
        throw new LoadException(-1, "no program in section " + section + " (the object has: " + have + ")");
    }

    private static String oneLine(String s) {
        return s.replaceAll("\\s*\\R\\s*", " ");
    }
}
