package dev.sonde.bpf.verifier;

/**
 * What verification of an accepted program established, for the JIT and for statistics.
 *
 * @param access      per slot: the fact about the memory access there, or null (no memory
 *                    instruction, or never reached on any feasible path)
 * @param reached     per slot: some feasible path executes it
 * @param stackDepth  per slot of a function start: bytes of stack that function uses (0 elsewhere)
 * @param insnsVisited instructions the exploration visited
 * @param statesKept  explored states kept for pruning
 * @param log         the verifier's statistics lines
 */
public record Proof(AccessFact[] access, boolean[] reached, int[] stackDepth, long insnsVisited, int statesKept,
                    String log) {

    public AccessFact access(int slot) {
        return access[slot];
    }
}
