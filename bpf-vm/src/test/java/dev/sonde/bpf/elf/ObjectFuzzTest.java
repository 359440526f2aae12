package dev.sonde.bpf.elf;

import static org.junit.jupiter.api.Assertions.*;

import dev.sonde.bpf.isa.Decoder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Mutated example objects either parse into a consistent model or fail with an
 * {@link ObjectFormatException} that names where; nothing else may escape, and no case may hang.
 *
 * <p>Each case derives its own seed from the fixed base seed and its number, so a failure message's
 * "case N seed S" is enough to replay it with {@link #runCase}.
 */
class ObjectFuzzTest {
    private static final long BASE_SEED = Long.getLong("sonde.fuzz.seed", 0x50_4E_44_45L);  // "SNDE"
    private static final int BATCH = 1000;
    /** What a message must mention so that the user can find the problem. */
    private static final Pattern NAMES_A_PLACE = Pattern.compile("section|offset|\\.BTF|ELF header|symbol|relocation");

    enum Mutation {
        TRUNCATE, FLIP_BITS, RANDOM_BYTES, SECTION_HEADER, RELOCATION, BTF_HEADER, BTF_TYPES, BTF_EXT, SYMBOL, ELF_HEADER,
        CODE, COMBINED
    }

    private static final List<byte[]> ORIGINALS = new ArrayList<>();
    private static final List<RawElf> LAYOUTS = new ArrayList<>();

    static {
        for (String n : Examples.NAMES) {
            byte[] b = Examples.object(n);
            ORIGINALS.add(b);
            LAYOUTS.add(new RawElf(b));
        }
    }

    private volatile String current = "none yet";

    @Test
    void mutatedObjectsParseOrFailCleanly() {
        run(Integer.getInteger("sonde.fuzz.cases", 24_000));
    }

    @Test
    @Tag("long")
    void mutatedObjectsParseOrFailCleanlyLong() {
        run(400_000);
    }

    private void run(int cases) {
        int[] rejected = new int[Mutation.values().length];
        int[] parsed = new int[Mutation.values().length];
        for (int start = 0; start < cases; start += BATCH) {
            int from = start;
            int to = Math.min(cases, start + BATCH);
            // A hang shows up as this timeout; 'current' then says which case was running.
            assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
                for (int i = from; i < to; i++) {
                    long seed = BASE_SEED * 0x9E3779B97F4A7C15L + i;
                    current = "case " + i + " seed " + seed;
                    Mutation m = runCase(seed);
                    if (m != null) {
                        rejected[m.ordinal()]++;
                    } else {
                        parsed[mutationOf(seed).ordinal()]++;
                    }
                }
            }, () -> "timed out at " + current);
        }
        for (Mutation m : Mutation.values()) {
            assertTrue(rejected[m.ordinal()] > 0, m + " never produced an ObjectFormatException: the mutation is not biting");
        }
        int totalParsed = Arrays.stream(parsed).sum();
        assertTrue(totalParsed > 0, "some mutations (e.g. in DWARF bytes) must leave a loadable object");
    }

    private static Mutation mutationOf(long seed) {
        return Mutation.values()[new Random(seed).nextInt(Mutation.values().length)];
    }

    /** Runs one case; returns its mutation if the object was rejected, null if it parsed. */
    Mutation runCase(long seed) {
        Random r = new Random(seed);
        Mutation m = Mutation.values()[r.nextInt(Mutation.values().length)];
        int which = r.nextInt(ORIGINALS.size());
        byte[] bytes = mutate(m, ORIGINALS.get(which).clone(), LAYOUTS.get(which), r);
        String label = current + " (" + m + " of " + Examples.NAMES.get(which) + ")";
        try {
            BpfObjectFile obj = BpfObjectFile.parse("fuzz.o", bytes);
            checkConsistent(obj, label);
            return null;
        } catch (ObjectFormatException e) {
            String msg = e.getMessage();
            assertNotNull(msg, label);
            assertTrue(msg.startsWith("fuzz.o: ") && msg.length() > "fuzz.o: ".length(), label + ": " + msg);
            assertTrue(NAMES_A_PLACE.matcher(msg).find(), label + ": message names no section or offset: " + msg);
            return m;
        } catch (Throwable t) {
            throw new AssertionError(label + ": " + t, t);
        }
    }

    /** What a successful parse promises: decodable programs whose refs point at real maps and code. */
    private static void checkConsistent(BpfObjectFile obj, String label) throws Exception {
        for (LinkedProgram p : obj.programs()) {
            Decoder.decode(p.insns());
            for (Ref ref : p.refs()) {
                switch (ref.kind()) {
                    case MAP -> assertTrue(ref.mapIndex() >= 0 && ref.mapIndex() < obj.maps().size(), label);
                    case MAP_VALUE -> {
                        assertTrue(ref.mapIndex() >= 0 && ref.mapIndex() < obj.maps().size(), label);
                        assertTrue(ref.offset() >= 0 && ref.offset() < obj.maps().get(ref.mapIndex()).valueSize(), label);
                    }
                    case FUNC -> assertTrue(p.functions().stream().anyMatch(f -> f.slot() == ref.target()), label);
                }
            }
            for (LineInfo l : p.lineInfo()) {
                assertTrue(l.slot() >= 0 && l.slot() < p.slots(), label);
            }
        }
    }

    private static byte[] mutate(Mutation m, byte[] b, RawElf elf, Random r) {
        switch (m) {
            case TRUNCATE -> {
                return Arrays.copyOf(b, r.nextInt(b.length));
            }
            case FLIP_BITS -> {
                for (int k = 1 + r.nextInt(8); k > 0; k--) {
                    int at = r.nextInt(b.length);
                    b[at] ^= (byte) (1 << r.nextInt(8));
                }
            }
            case RANDOM_BYTES -> {
                int at = r.nextInt(b.length);
                for (int k = 1 + r.nextInt(16); k > 0 && at < b.length; k--, at++) {
                    b[at] = (byte) r.nextInt();
                }
            }
            case SECTION_HEADER -> {
                RawElf.Header h = elf.sections.get(1 + r.nextInt(elf.sections.size() - 1));
                int[] fields = {0, 4, 8, 24, 32, 40, 44, 56};
                int f = fields[r.nextInt(fields.length)];
                if (f == 8 || f == 24 || f == 32 || f == 56) {
                    RawElf.put64(b, h.at() + f, interesting(r, b.length, h.size()));
                } else {
                    RawElf.put32(b, h.at() + f, interesting(r, elf.sections.size(), h.size()));
                }
            }
            case RELOCATION -> {
                List<RawElf.Header> rels = elf.ofType(ElfLayout.SHT_REL);
                RawElf.Header h = rels.get(r.nextInt(rels.size()));
                long entry = h.offset() + 16L * r.nextInt((int) Math.max(1, h.size() / 16));
                switch (r.nextInt(3)) {
                    case 0 -> RawElf.put32(b, entry + 12, interesting(r, 40, 20));        // symbol index
                    case 1 -> RawElf.put32(b, entry + 8, r.nextInt(12));                   // type
                    default -> RawElf.put64(b, entry, interesting(r, 0x200, 0x40));         // r_offset
                }
            }
            case BTF_HEADER -> {
                RawElf.Header h = elf.section(".BTF");
                int f = r.nextInt(6) * 4;
                if (f == 0) {
                    RawElf.put16(b, h.offset() + r.nextInt(2) * 2, r.nextInt(0x10000));
                } else {
                    RawElf.put32(b, h.offset() + f, interesting(r, h.size(), h.size() - 24));
                }
            }
            case BTF_TYPES -> {
                RawElf.Header h = elf.section(".BTF");
                long typeLen = Integer.toUnsignedLong(java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                    .getInt((int) h.offset() + 12));
                long at = h.offset() + 24 + 4L * r.nextInt((int) Math.max(1, typeLen / 4));
                long v = switch (r.nextInt(4)) {
                    case 0 -> (long) r.nextInt(20) << 24 | r.nextInt(8);       // info: kind, small vlen
                    case 1 -> (long) r.nextInt(32) << 24 | r.nextInt(0x10000); // info: any kind, any vlen
                    case 2 -> r.nextInt(64);                                     // a type id
                    default -> interesting(r, 2000, 600);                       // a name offset or size
                };
                RawElf.put32(b, at, v);
            }
            case BTF_EXT -> {
                RawElf.Header h = elf.section(".BTF.ext");
                long at = h.offset() + 4L * r.nextInt((int) (h.size() / 4));
                RawElf.put32(b, at, interesting(r, h.size(), 16));
            }
            case SYMBOL -> {
                RawElf.Header h = elf.ofType(ElfLayout.SHT_SYMTAB).get(0);
                long sym = h.offset() + 24L * r.nextInt((int) (h.size() / 24));
                switch (r.nextInt(4)) {
                    case 0 -> RawElf.put32(b, sym, interesting(r, 400, 20));              // st_name
                    case 1 -> RawElf.put16(b, sym + 6, (int) interesting(r, 40, 0xfff1));  // st_shndx
                    case 2 -> RawElf.put64(b, sym + 8, interesting(r, 0x200, 8));          // st_value
                    default -> RawElf.put64(b, sym + 16, interesting(r, 0x200, 8));        // st_size
                }
            }
            case ELF_HEADER -> {
                int[] fields = {16, 18, 40, 58, 60, 62, 4, 5};
                int f = fields[r.nextInt(fields.length)];
                if (f == 40) {
                    RawElf.put64(b, f, interesting(r, b.length, 64));
                } else if (f == 4 || f == 5) {
                    b[f] = (byte) r.nextInt(4);
                } else {
                    RawElf.put16(b, f, (int) interesting(r, elf.sections.size(), 64));
                }
            }
            case CODE -> {
                List<RawElf.Header> code = elf.sections.stream()
                    .filter(s -> s.type() == ElfLayout.SHT_PROGBITS && s.size() >= 8 && elf.sections.indexOf(s) > 0
                        && (s.name().startsWith("k") || s.name().equals(".text")))
                    .toList();
                RawElf.Header h = code.get(r.nextInt(code.size()));
                long at = h.offset() + 8L * r.nextInt((int) (h.size() / 8));
                switch (r.nextInt(3)) {
                    case 0 -> b[(int) at] = (byte) (r.nextBoolean() ? 0x18 : 0x85);                 // make an lddw / call
                    case 1 -> b[(int) at + 1] = (byte) (r.nextInt(16) << 4 | r.nextInt(16));     // src/dst
                    default -> RawElf.put32(b, at + 4, interesting(r, 64, 8));                    // imm
                }
            }
            case COMBINED -> {
                for (int k = 2 + r.nextInt(2); k > 0; k--) {
                    Mutation inner = Mutation.values()[r.nextInt(Mutation.COMBINED.ordinal())];
                    if (inner != Mutation.TRUNCATE) {
                        b = mutate(inner, b, elf, r);
                    }
                }
            }
        }
        return b;
    }

    /** Values that sit on the edges parsers get wrong. */
    private static long interesting(Random r, long limit, long near) {
        return switch (r.nextInt(10)) {
            case 0 -> 0;
            case 1 -> -1;
            case 2 -> 0xffffffffL;
            case 3 -> limit;
            case 4 -> limit + 1 + r.nextInt(8);
            case 5 -> near + r.nextInt(17) - 8;
            case 6 -> Long.MAX_VALUE - r.nextInt(4);
            case 7 -> 0x7fffffffL + r.nextInt(3);
            case 8 -> r.nextInt((int) Math.min(Integer.MAX_VALUE, Math.max(1, limit * 2)));
            default -> r.nextLong();
        };
    }
}
