package dev.sonde.bpf.vm;

import dev.sonde.bpf.mem.Addr;

/**
 * Runs pre-decoded programs (see {@link Program} for the layout). One step is: charge the budget,
 * read one int, dispatch on its opcode byte. Rows that share an opcode byte are told apart by the
 * variant bits the decoder already put in the word, never by re-reading a field.
 *
 * <p>The case labels are RFC 9669 opcode bytes; the rows they implement are named beside them and
 * {@code InterpreterCoverageTest} checks that every row of {@link dev.sonde.bpf.isa.Op} reaches its
 * case. Reaching the default branch means the program was not prepared by {@link Program#load}: a
 * bug, which throws.
 *
 * <p>A run never throws into its caller: a bad access, an exhausted budget or a failing helper
 * ends the run with r0 = 0 and the fault recorded on the {@link Cpu}.
 */
public final class Interpreter {
    private Interpreter() {
    }

    /** Runs {@code p} with r1..r2 set; returns r0, or 0 when the run faulted (see {@link Cpu#faulted}). */
    public static long run(Program p, Cpu cpu, long r1, long r2) {
        return run(p, cpu, r1, r2, 0, 0, 0);
    }

    public static long run(Program p, Cpu cpu, long r1, long r2, long r3, long r4, long r5) {
        long[] r = cpu.regs;
        r[1] = r1;
        r[2] = r2;
        r[3] = r3;
        r[4] = r4;
        r[5] = r5;
        r[10] = Addr.framePointer(0);
        cpu.faulted = false;
        cpu.faultPcKnown = false;
        cpu.faultCause = null;
        cpu.depth = 0;
        cpu.tailCalls = 0;
        cpu.tailTarget = null;
        cpu.budget = p.budget;
        // Pairs with the volatile write in RegionTable.register: regions registered before this
        // run started are visible to it.
        cpu.globals = cpu.table.snapshot();
        cpu.current = p;
        try {
            return loop(p, cpu, 0, 0);
        } catch (FaultSignal f) {
            return 0;
        } finally {
            cpu.current = null;
        }
    }

    /**
     * Calls the function at a code address ({@code lddw src=4}) of the running program with r1..r5,
     * in a new frame, and returns its r0: for helpers such as bpf_loop. Registers r6..r10 of the
     * caller are preserved. A fault inside the callback aborts the whole run, as any fault does.
     */
    public static long callback(Cpu cpu, long codeAddr, long r1, long r2, long r3, long r4, long r5) {
        Program p = cpu.current;
        int slot = Addr.offset(codeAddr);
        if (p == null || Addr.region(codeAddr) != Addr.CODE || slot < 0 || slot >= p.insns.length
                || p.insns[slot] == null) {
            throw cpu.fault(FaultKind.BAD_CODE_ADDRESS, codeAddr, 0);
        }
        int depth = cpu.depth;
        if (depth + 1 >= Addr.MAX_FRAMES) {
            throw cpu.fault(FaultKind.CALL_DEPTH, 0, 0);
        }
        long[] r = cpu.regs;
        long s6 = r[6];
        long s7 = r[7];
        long s8 = r[8];
        long s9 = r[9];
        long s10 = r[10];
        r[1] = r1;
        r[2] = r2;
        r[3] = r3;
        r[4] = r4;
        r[5] = r5;
        r[10] = Addr.framePointer(depth + 1);
        cpu.depth = depth + 1;
        long result = loop(p, cpu, slot, depth + 1);
        cpu.depth = depth;
        r[6] = s6;
        r[7] = s7;
        r[8] = s8;
        r[9] = s9;
        r[10] = s10;
        return result;
    }

    /**
     * Continues a run begun elsewhere (by the JIT) at slot {@code pc} of {@code p}, with the
     * registers, budget and call depth the Cpu holds now. Returns r0, or 0 after a fault.
     */
    public static long resume(Program p, Cpu cpu, int pc) {
        cpu.current = p;
        try {
            return loop(p, cpu, pc, cpu.depth);
        } catch (FaultSignal f) {
            return 0;
        }
    }

    /** Takes the tail call a helper requested ({@link Cpu#tailCallPending}) and continues there. */
    public static long resumeTailCall(Cpu cpu) {
        Program p = cpu.tailTarget;
        cpu.tailTarget = null;
        return resume(p, cpu, 0);
    }

    /**
     * Executes from {@code startPc} until an exit at call depth {@code baseDepth}. A fault records
     * its instruction (the innermost one, when callbacks nest) and unwinds with the Cpu's signal.
     */
    @SuppressWarnings("fallthrough")
    private static long loop(Program p, Cpu cpu, int startPc, int baseDepth) {
        long[] r = cpu.regs;
        int[] code = p.code;
        int[] aux = p.aux;
        long[] imm = p.imm;
        long[] magic = p.magic;
        Helper[] helpers = p.helpers;
        long budget = cpu.budget;
        int pc = startPc;
        int i = startPc;
        try {
        for (;;) {
            i = pc++;
            if (--budget < 0) {
                throw cpu.fault(FaultKind.BUDGET_EXHAUSTED, 0, 0);
            }
            int w = code[i];
            int d = (w >>> 12) & 15;
            int s = (w >>> 16) & 15;
            switch (w & 0xff) {
                // ---- ALU64 --------------------------------------------------------------------
                case 0x07 -> r[d] += imm[i];                                  // ADD64_K
                case 0x0f -> r[d] += r[s];                                    // ADD64_X
                case 0x17 -> r[d] -= imm[i];                                  // SUB64_K
                case 0x1f -> r[d] -= r[s];                                    // SUB64_X
                case 0x27 -> r[d] *= imm[i];                                  // MUL64_K
                case 0x2f -> r[d] *= r[s];                                    // MUL64_X
                case 0x37 -> r[d] = aux[i] != 0                               // DIV64_K, SDIV64_K
                    ? Reciprocal.div(r[d], imm[i], magic[i], aux[i] - 1) : div64(w, r[d], imm[i]);
                case 0x3f -> r[d] = div64(w, r[d], r[s]);                     // DIV64_X, SDIV64_X
                case 0x47 -> r[d] |= imm[i];                                  // OR64_K
                case 0x4f -> r[d] |= r[s];                                    // OR64_X
                case 0x57 -> r[d] &= imm[i];                                  // AND64_K
                case 0x5f -> r[d] &= r[s];                                    // AND64_X
                case 0x67 -> r[d] <<= imm[i];                                 // LSH64_K
                case 0x6f -> r[d] <<= r[s];                                   // LSH64_X
                case 0x77 -> r[d] >>>= imm[i];                                // RSH64_K
                case 0x7f -> r[d] >>>= r[s];                                  // RSH64_X
                case 0x87 -> r[d] = -r[d];                                    // NEG64
                case 0x97 -> r[d] = aux[i] != 0                               // MOD64_K, SMOD64_K
                    ? Reciprocal.rem(r[d], imm[i], magic[i], aux[i] - 1) : mod64(w, r[d], imm[i]);
                case 0x9f -> r[d] = mod64(w, r[d], r[s]);                     // MOD64_X, SMOD64_X
                case 0xa7 -> r[d] ^= imm[i];                                  // XOR64_K
                case 0xaf -> r[d] ^= r[s];                                    // XOR64_X
                case 0xb7 -> r[d] = imm[i];                                   // MOV64_K
                case 0xbf -> r[d] = movsx64(w, r[s]);                         // MOV64_X, MOVSX64_*
                case 0xc7 -> r[d] >>= imm[i];                                 // ARSH64_K
                case 0xcf -> r[d] >>= r[s];                                   // ARSH64_X
                case 0xd7 -> r[d] = bswap(w, r[d]);                           // BSWAP16/32/64
                // ---- ALU32: operate on the low half, zero-extend the result -------------------
                case 0x04 -> r[d] = u32((int) r[d] + (int) imm[i]);           // ADD32_K
                case 0x0c -> r[d] = u32((int) r[d] + (int) r[s]);             // ADD32_X
                case 0x14 -> r[d] = u32((int) r[d] - (int) imm[i]);           // SUB32_K
                case 0x1c -> r[d] = u32((int) r[d] - (int) r[s]);             // SUB32_X
                case 0x24 -> r[d] = u32((int) r[d] * (int) imm[i]);           // MUL32_K
                case 0x2c -> r[d] = u32((int) r[d] * (int) r[s]);             // MUL32_X
                case 0x34 -> r[d] = aux[i] != 0                               // DIV32_K, SDIV32_K
                    ? Reciprocal.quotient(r[d] & 0xffffffffL, magic[i], aux[i] - 1) : div32(w, (int) r[d], (int) imm[i]);
                case 0x3c -> r[d] = div32(w, (int) r[d], (int) r[s]);         // DIV32_X, SDIV32_X
                case 0x44 -> r[d] = u32((int) r[d] | (int) imm[i]);           // OR32_K
                case 0x4c -> r[d] = u32((int) r[d] | (int) r[s]);             // OR32_X
                case 0x54 -> r[d] = u32((int) r[d] & (int) imm[i]);           // AND32_K
                case 0x5c -> r[d] = u32((int) r[d] & (int) r[s]);             // AND32_X
                case 0x64 -> r[d] = u32((int) r[d] << (int) imm[i]);          // LSH32_K
                case 0x6c -> r[d] = u32((int) r[d] << (int) r[s]);            // LSH32_X
                case 0x74 -> r[d] = u32((int) r[d] >>> (int) imm[i]);         // RSH32_K
                case 0x7c -> r[d] = u32((int) r[d] >>> (int) r[s]);           // RSH32_X
                case 0x84 -> r[d] = u32(-(int) r[d]);                         // NEG32
                case 0x94 -> r[d] = aux[i] != 0                               // MOD32_K, SMOD32_K
                    ? Reciprocal.rem(r[d] & 0xffffffffL, imm[i] & 0xffffffffL, magic[i], aux[i] - 1)
                    : mod32(w, (int) r[d], (int) imm[i]);
                case 0x9c -> r[d] = mod32(w, (int) r[d], (int) r[s]);         // MOD32_X, SMOD32_X
                case 0xa4 -> r[d] = u32((int) r[d] ^ (int) imm[i]);           // XOR32_K
                case 0xac -> r[d] = u32((int) r[d] ^ (int) r[s]);             // XOR32_X
                case 0xb4 -> r[d] = u32((int) imm[i]);                        // MOV32_K
                case 0xbc -> r[d] = movsx32(w, r[s]);                         // MOV32_X, MOVSX32_*
                case 0xc4 -> r[d] = u32((int) r[d] >> (int) imm[i]);          // ARSH32_K
                case 0xcc -> r[d] = u32((int) r[d] >> (int) r[s]);            // ARSH32_X
                case 0xd4 -> r[d] = toLe(w, r[d]);                            // LE16/32/64
                case 0xdc -> r[d] = bswap(w, r[d]);                           // BE16/32/64
                // ---- JMP (64-bit compares) ----------------------------------------------------
                case 0x05 -> pc = aux[i];                                     // JA
                case 0x15 -> { if (r[d] == imm[i]) pc = aux[i]; }             // JEQ64_K
                case 0x1d -> { if (r[d] == r[s]) pc = aux[i]; }               // JEQ64_X
                case 0x25 -> { if (Long.compareUnsigned(r[d], imm[i]) > 0) pc = aux[i]; }  // JGT64_K
                case 0x2d -> { if (Long.compareUnsigned(r[d], r[s]) > 0) pc = aux[i]; }    // JGT64_X
                case 0x35 -> { if (Long.compareUnsigned(r[d], imm[i]) >= 0) pc = aux[i]; } // JGE64_K
                case 0x3d -> { if (Long.compareUnsigned(r[d], r[s]) >= 0) pc = aux[i]; }   // JGE64_X
                case 0x45 -> { if ((r[d] & imm[i]) != 0) pc = aux[i]; }       // JSET64_K
                case 0x4d -> { if ((r[d] & r[s]) != 0) pc = aux[i]; }         // JSET64_X
                case 0x55 -> { if (r[d] != imm[i]) pc = aux[i]; }             // JNE64_K
                case 0x5d -> { if (r[d] != r[s]) pc = aux[i]; }               // JNE64_X
                case 0x65 -> { if (r[d] > imm[i]) pc = aux[i]; }              // JSGT64_K
                case 0x6d -> { if (r[d] > r[s]) pc = aux[i]; }                // JSGT64_X
                case 0x75 -> { if (r[d] >= imm[i]) pc = aux[i]; }             // JSGE64_K
                case 0x7d -> { if (r[d] >= r[s]) pc = aux[i]; }               // JSGE64_X
                case 0xa5 -> { if (Long.compareUnsigned(r[d], imm[i]) < 0) pc = aux[i]; }  // JLT64_K
                case 0xad -> { if (Long.compareUnsigned(r[d], r[s]) < 0) pc = aux[i]; }    // JLT64_X
                case 0xb5 -> { if (Long.compareUnsigned(r[d], imm[i]) <= 0) pc = aux[i]; } // JLE64_K
                case 0xbd -> { if (Long.compareUnsigned(r[d], r[s]) <= 0) pc = aux[i]; }   // JLE64_X
                case 0xc5 -> { if (r[d] < imm[i]) pc = aux[i]; }              // JSLT64_K
                case 0xcd -> { if (r[d] < r[s]) pc = aux[i]; }                // JSLT64_X
                case 0xd5 -> { if (r[d] <= imm[i]) pc = aux[i]; }             // JSLE64_K
                case 0xdd -> { if (r[d] <= r[s]) pc = aux[i]; }               // JSLE64_X
                // ---- JMP32 (compare the low halves) -------------------------------------------
                case 0x06 -> pc = aux[i];                                     // JA32 (gotol)
                case 0x16 -> { if ((int) r[d] == (int) imm[i]) pc = aux[i]; } // JEQ32_K
                case 0x1e -> { if ((int) r[d] == (int) r[s]) pc = aux[i]; }   // JEQ32_X
                case 0x26 -> { if (Integer.compareUnsigned((int) r[d], (int) imm[i]) > 0) pc = aux[i]; }  // JGT32_K
                case 0x2e -> { if (Integer.compareUnsigned((int) r[d], (int) r[s]) > 0) pc = aux[i]; }    // JGT32_X
                case 0x36 -> { if (Integer.compareUnsigned((int) r[d], (int) imm[i]) >= 0) pc = aux[i]; } // JGE32_K
                case 0x3e -> { if (Integer.compareUnsigned((int) r[d], (int) r[s]) >= 0) pc = aux[i]; }   // JGE32_X
                case 0x46 -> { if (((int) r[d] & (int) imm[i]) != 0) pc = aux[i]; }  // JSET32_K
                case 0x4e -> { if (((int) r[d] & (int) r[s]) != 0) pc = aux[i]; }    // JSET32_X
                case 0x56 -> { if ((int) r[d] != (int) imm[i]) pc = aux[i]; } // JNE32_K
                case 0x5e -> { if ((int) r[d] != (int) r[s]) pc = aux[i]; }   // JNE32_X
                case 0x66 -> { if ((int) r[d] > (int) imm[i]) pc = aux[i]; }  // JSGT32_K
                case 0x6e -> { if ((int) r[d] > (int) r[s]) pc = aux[i]; }    // JSGT32_X
                case 0x76 -> { if ((int) r[d] >= (int) imm[i]) pc = aux[i]; } // JSGE32_K
                case 0x7e -> { if ((int) r[d] >= (int) r[s]) pc = aux[i]; }   // JSGE32_X
                case 0xa6 -> { if (Integer.compareUnsigned((int) r[d], (int) imm[i]) < 0) pc = aux[i]; }  // JLT32_K
                case 0xae -> { if (Integer.compareUnsigned((int) r[d], (int) r[s]) < 0) pc = aux[i]; }    // JLT32_X
                case 0xb6 -> { if (Integer.compareUnsigned((int) r[d], (int) imm[i]) <= 0) pc = aux[i]; } // JLE32_K
                case 0xbe -> { if (Integer.compareUnsigned((int) r[d], (int) r[s]) <= 0) pc = aux[i]; }   // JLE32_X
                case 0xc6 -> { if ((int) r[d] < (int) imm[i]) pc = aux[i]; }  // JSLT32_K
                case 0xce -> { if ((int) r[d] < (int) r[s]) pc = aux[i]; }    // JSLT32_X
                case 0xd6 -> { if ((int) r[d] <= (int) imm[i]) pc = aux[i]; } // JSLE32_K
                case 0xde -> { if ((int) r[d] <= (int) r[s]) pc = aux[i]; }   // JSLE32_X
                // ---- memory -------------------------------------------------------------------
                case 0x61 -> r[d] = cpu.load32(r[s] + aux[i]);                // LDX_W
                case 0x69 -> r[d] = cpu.load16(r[s] + aux[i]);                // LDX_H
                case 0x71 -> r[d] = cpu.load8(r[s] + aux[i]);                 // LDX_B
                case 0x79 -> r[d] = cpu.load64(r[s] + aux[i]);                // LDX_DW
                case 0x81 -> r[d] = (int) cpu.load32(r[s] + aux[i]);          // LDXS_W
                case 0x89 -> r[d] = (short) cpu.load16(r[s] + aux[i]);        // LDXS_H
                case 0x91 -> r[d] = (byte) cpu.load8(r[s] + aux[i]);          // LDXS_B
                case 0x62 -> cpu.store32(r[d] + aux[i], imm[i]);              // ST_W
                case 0x6a -> cpu.store16(r[d] + aux[i], imm[i]);              // ST_H
                case 0x72 -> cpu.store8(r[d] + aux[i], imm[i]);               // ST_B
                case 0x7a -> cpu.store64(r[d] + aux[i], imm[i]);              // ST_DW
                case 0x63 -> cpu.store32(r[d] + aux[i], r[s]);                // STX_W
                case 0x6b -> cpu.store16(r[d] + aux[i], r[s]);                // STX_H
                case 0x73 -> cpu.store8(r[d] + aux[i], r[s]);                 // STX_B
                case 0x7b -> cpu.store64(r[d] + aux[i], r[s]);                // STX_DW
                case 0xc3, 0xdb, 0xcb, 0xd3 -> Atomics.execute(cpu, w, d, s, aux[i]); // ATOMIC*, LOAD_ACQ_*, STORE_REL_*
                case 0x18 -> { r[d] = imm[i]; pc++; }                         // LDDW, LDDW_* (resolved at load)
                // ---- calls --------------------------------------------------------------------
                case 0x85 -> {
                    if ((w & 0xf00) == 0) {                                   // CALL (helper)
                        cpu.budget = budget;
                        callHelper(cpu, helpers, aux[i]);
                        budget = cpu.budget;
                        if (cpu.tailTarget != null) {                         // bpf_tail_call succeeded
                            p = cpu.tailTarget;
                            cpu.tailTarget = null;
                            cpu.current = p;
                            code = p.code;
                            aux = p.aux;
                            imm = p.imm;
                            magic = p.magic;
                            helpers = p.helpers;
                            pc = 0;
                        }
                    } else {                                                  // CALL_LOCAL
                        pc = enter(cpu, pc, aux[i]);
                    }
                }
                case 0x8d -> {                                                // CALLX
                    cpu.budget = budget;
                    long id = r[d];
                    if (id < 0 || id >= helpers.length || helpers[(int) id] == null) {
                        throw cpu.fault(FaultKind.BAD_HELPER, id, 0);
                    }
                    callHelper(cpu, helpers, (int) id);
                    budget = cpu.budget;
                }
                case 0x95 -> {                                                // EXIT
                    if (cpu.depth == baseDepth) {
                        cpu.budget = budget;
                        return r[0];
                    }
                    pc = leave(cpu);
                }
                case 0x00 -> throw cpu.fault(FaultKind.FELL_OFF_END, 0, 0);   // sentinel / lddw tail
                default -> throw new AssertionError(String.format(
                    "interpreter has no case for code 0x%03x at insn %d: program not prepared by Program.load", w & 0xfff, i));
            }
        }
        } catch (FaultSignal f) {
            if (!cpu.faultPcKnown) {
                cpu.faultPcKnown = true;
                cpu.faultPc = i;
            }
            throw f;
        } catch (RuntimeException | StackOverflowError e) {
            // A helper broke its contract; the run ends as a fault so the caller is unharmed.
            if (!cpu.faultPcKnown) {
                cpu.faultPcKnown = true;
                cpu.faultPc = i;
                cpu.faulted = true;
                cpu.faultKind = FaultKind.HELPER_ERROR;
                cpu.faultCause = e;
            }
            throw cpu.signal;
        }
    }

    private static void callHelper(Cpu cpu, Helper[] helpers, int id) {
        long[] r = cpu.regs;
        r[0] = helpers[id].call(cpu, r[1], r[2], r[3], r[4], r[5]);
    }

    /** bpf-to-bpf call: saves r6..r9 and the return slot, gives the callee the next frame. */
    private static int enter(Cpu cpu, int returnPc, int target) {
        int depth = cpu.depth;
        if (depth + 1 >= Addr.MAX_FRAMES) {
            throw cpu.fault(FaultKind.CALL_DEPTH, 0, 0);
        }
        long[] r = cpu.regs;
        int k = depth * 4;
        cpu.savedRegs[k] = r[6];
        cpu.savedRegs[k + 1] = r[7];
        cpu.savedRegs[k + 2] = r[8];
        cpu.savedRegs[k + 3] = r[9];
        cpu.returnPc[depth] = returnPc;
        cpu.depth = depth + 1;
        r[10] = Addr.framePointer(depth + 1);
        return target;
    }

    private static int leave(Cpu cpu) {
        int depth = cpu.depth - 1;
        long[] r = cpu.regs;
        int k = depth * 4;
        r[6] = cpu.savedRegs[k];
        r[7] = cpu.savedRegs[k + 1];
        r[8] = cpu.savedRegs[k + 2];
        r[9] = cpu.savedRegs[k + 3];
        r[10] = Addr.framePointer(depth);
        cpu.depth = depth;
        return cpu.returnPc[depth];
    }

    static long u32(int v) {
        return v & 0xffffffffL;
    }

    private static boolean signed(int w) {
        return (w & 0xf00) != 0;
    }

    static long div64(int w, long a, long b) {
        if (b == 0) {
            return 0;
        }
        return signed(w) ? a / b : Unsigned.div(a, b);
    }

    static long mod64(int w, long a, long b) {
        if (b == 0) {
            return a;
        }
        return signed(w) ? a % b : Unsigned.rem(a, b);
    }

    static long div32(int w, int a, int b) {
        if (b == 0) {
            return 0;
        }
        return u32(signed(w) ? a / b : Integer.divideUnsigned(a, b));
    }

    static long mod32(int w, int a, int b) {
        if (b == 0) {
            return u32(a);
        }
        return u32(signed(w) ? a % b : Integer.remainderUnsigned(a, b));
    }

    /** MOV64_X (variant 0) or MOVSX64 from 8, 16, 32 bits (variants 1..3). */
    static long movsx64(int w, long v) {
        return switch ((w >>> 8) & 15) {
            case 0 -> v;
            case 1 -> (byte) v;
            case 2 -> (short) v;
            default -> (int) v;
        };
    }

    /** MOV32_X (variant 0) or MOVSX32 from 8, 16 bits (variants 1, 2). */
    static long movsx32(int w, long v) {
        return switch ((w >>> 8) & 15) {
            case 0 -> u32((int) v);
            case 1 -> u32((byte) v);
            default -> u32((short) v);
        };
    }

    /** Variants 1..3 select widths 16, 32, 64. */
    static long bswap(int w, long v) {
        return switch ((w >>> 8) & 15) {
            case 1 -> Short.reverseBytes((short) v) & 0xffffL;
            case 2 -> u32(Integer.reverseBytes((int) v));
            default -> Long.reverseBytes(v);
        };
    }

    /** On a little-endian machine, to-LE truncates to the width and zero-extends. */
    static long toLe(int w, long v) {
        return switch ((w >>> 8) & 15) {
            case 1 -> v & 0xffffL;
            case 2 -> v & 0xffffffffL;
            default -> v;
        };
    }
}
