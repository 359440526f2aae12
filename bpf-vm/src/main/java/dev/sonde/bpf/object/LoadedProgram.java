package dev.sonde.bpf.object;

import dev.sonde.bpf.elf.LinkedProgram;
import dev.sonde.bpf.elf.SecName;
import dev.sonde.bpf.exec.Executable;
import dev.sonde.bpf.verifier.Proof;
import dev.sonde.bpf.vm.Program;

/**
 * One program of a loaded object: its C function name, its SEC name parsed, the prepared program,
 * what runs it (JIT or interpreter), the verifier's proof (null when the object was loaded
 * without verification) and the linked form it came from (for source lines and disassembly).
 */
public record LoadedProgram(String objectName, String name, String section, SecName secName, Program program,
                            Executable executable, Proof proof, LinkedProgram linked) {

    /** "file.c:line" of an instruction, or "" when the object has no line info for it. */
    public String sourceLine(int slot) {
        return linked.lineAt(slot).map(l -> l.location()).orElse("");
    }
}
