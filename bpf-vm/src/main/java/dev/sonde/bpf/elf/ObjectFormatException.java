package dev.sonde.bpf.elf;

/**
 * A BPF object file that cannot be loaded: malformed ELF, BTF or .BTF.ext, or a construct the
 * loader does not support. The message always names where the problem is (a section by name or
 * index, and the offset, field or relocation that is wrong), because the user's only tool for
 * fixing it is their compiler invocation and the object file.
 */
public final class ObjectFormatException extends Exception {
    private static final long serialVersionUID = 1L;

    public ObjectFormatException(String message) {
        super(message);
    }
}
