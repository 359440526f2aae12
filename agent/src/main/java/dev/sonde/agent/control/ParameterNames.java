package dev.sonde.agent.control;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Parameter names from a class file, for METHODS: the {@code MethodParameters} attribute (javac
 * {@code -parameters}) when a method has one, else the parameters' entries of the method's
 * {@code LocalVariableTable} (javac {@code -g}, Maven's default), else none. Reads the bytes the
 * class's loader serves for {@code <name>.class} (JVMS §4: only the constant pool's UTF-8 entries
 * and the methods' attributes are looked at; everything else is skipped by its length).
 *
 * <p>A class whose bytes cannot be found (generated, hidden) or do not parse gets no names; this
 * never throws.
 */
final class ParameterNames {
    private ParameterNames() {
    }

    /** name + descriptor → parameter names, for the methods of {@code c} whose class file names them all. */
    static Map<String, List<String>> of(Class<?> c) {
        byte[] bytes = bytes(c);
        if (bytes == null) {
            return Map.of();
        }
        try {
            return parse(bytes);
        } catch (IOException | RuntimeException e) {
            return Map.of();
        }
    }

    private static byte[] bytes(Class<?> c) {
        String res = c.getName().replace('.', '/') + ".class";
        try {
            ClassLoader l = c.getClassLoader();
            try (InputStream in = l != null ? l.getResourceAsStream(res) : ClassLoader.getSystemResourceAsStream(res)) {
                return in == null ? null : in.readAllBytes();
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    static Map<String, List<String>> parse(byte[] bytes) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
        if (in.readInt() != 0xCAFEBABE) {
            throw new IOException("not a class file");
        }
        in.readUnsignedShort();
        in.readUnsignedShort();
        int count = in.readUnsignedShort();
        String[] utf8 = new String[count];
        for (int i = 1; i < count; i++) {
            int tag = in.readUnsignedByte();
            switch (tag) {
                case 1 -> utf8[i] = in.readUTF();
                case 3, 4, 9, 10, 11, 12, 17, 18 -> in.skipNBytes(4);
                case 5, 6 -> {
                    in.skipNBytes(8);
                    i++;   // takes two entries
                }
                case 7, 8, 16, 19, 20 -> in.skipNBytes(2);
                case 15 -> in.skipNBytes(3);
                default -> throw new IOException("constant pool tag " + tag);
            }
        }
        in.skipNBytes(6);   // access, this, super
        in.skipNBytes(2L * in.readUnsignedShort());   // interfaces
        int fields = in.readUnsignedShort();
        for (int i = 0; i < fields; i++) {
            in.skipNBytes(6);
            skipAttributes(in);
        }
        Map<String, List<String>> out = new HashMap<>();
        int methods = in.readUnsignedShort();
        for (int i = 0; i < methods; i++) {
            int access = in.readUnsignedShort();
            String name = utf8[in.readUnsignedShort()];
            String desc = utf8[in.readUnsignedShort()];
            int[] slots = parameterSlots(desc, (access & 0x0008) != 0);
            String[] fromParams = null;
            String[] fromLocals = new String[slots.length];
            int attrs = in.readUnsignedShort();
            for (int a = 0; a < attrs; a++) {
                String an = utf8[in.readUnsignedShort()];
                long len = Integer.toUnsignedLong(in.readInt());
                if ("MethodParameters".equals(an)) {
                    int n = in.readUnsignedByte();
                    String[] ps = new String[n];
                    for (int k = 0; k < n; k++) {
                        int ni = in.readUnsignedShort();
                        in.readUnsignedShort();
                        ps[k] = ni == 0 ? null : utf8[ni];
                    }
                    fromParams = ps;
                } else if ("Code".equals(an)) {
                    in.skipNBytes(4);   // max_stack, max_locals
                    in.skipNBytes(Integer.toUnsignedLong(in.readInt()));   // code
                    in.skipNBytes(8L * in.readUnsignedShort());            // exception table
                    int cattrs = in.readUnsignedShort();
                    for (int k = 0; k < cattrs; k++) {
                        String cn = utf8[in.readUnsignedShort()];
                        long clen = Integer.toUnsignedLong(in.readInt());
                        if ("LocalVariableTable".equals(cn)) {
                            int n = in.readUnsignedShort();
                            for (int v = 0; v < n; v++) {
                                int start = in.readUnsignedShort();
                                in.readUnsignedShort();
                                String vn = utf8[in.readUnsignedShort()];
                                in.readUnsignedShort();
                                int index = in.readUnsignedShort();
                                int p = Arrays.binarySearch(slots, index);
                                if (start == 0 && p >= 0) {
                                    fromLocals[p] = vn;
                                }
                            }
                        } else {
                            in.skipNBytes(clen);
                        }
                    }
                } else {
                    in.skipNBytes(len);
                }
            }
            List<String> names = complete(fromParams != null && fromParams.length == slots.length ? fromParams : fromLocals);
            if (names != null && name != null && desc != null) {
                out.put(name + desc, names);
            }
        }
        return out;
    }

    private static List<String> complete(String[] names) {
        List<String> out = new ArrayList<>(names.length);
        for (String n : names) {
            if (n == null || n.isEmpty()) {
                return null;
            }
            out.add(n);
        }
        return out;
    }

    private static void skipAttributes(DataInputStream in) throws IOException {
        int n = in.readUnsignedShort();
        for (int i = 0; i < n; i++) {
            in.skipNBytes(2);
            in.skipNBytes(Integer.toUnsignedLong(in.readInt()));
        }
    }

    /** The local-variable slot of each parameter: after {@code this} unless static; long and double take two. */
    static int[] parameterSlots(String desc, boolean isStatic) {
        List<Integer> slots = new ArrayList<>();
        int slot = isStatic ? 0 : 1;
        int i = 1;
        while (i < desc.length() && desc.charAt(i) != ')') {
            slots.add(slot);
            char c = desc.charAt(i);
            int start = i;
            while (desc.charAt(i) == '[') {
                i++;
            }
            if (desc.charAt(i) == 'L') {
                i = desc.indexOf(';', i);
            }
            i++;
            slot += (start == i - 1 && (c == 'J' || c == 'D')) ? 2 : 1;
        }
        return slots.stream().mapToInt(Integer::intValue).toArray();
    }
}
