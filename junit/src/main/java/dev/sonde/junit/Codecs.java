package dev.sonde.junit;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The codecs {@link Codec#of} gives: raw bytes, little-endian integers, records as C structs. */
final class Codecs {
    private static final VarHandle I16 = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle I32 = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle I64 = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final Map<Class<?>, Codec<?>> CACHE = new ConcurrentHashMap<>();

    private Codecs() {
    }

    @SuppressWarnings("unchecked")
    static <T> Codec<T> of(Class<T> type) {
        Codec<?> c = CACHE.get(type);
        if (c == null) {
            c = create(type, 0);
            CACHE.put(type, c);
        }
        return (Codec<T>) c;
    }

    private static Codec<?> create(Class<?> type, int size) {
        if (type == byte[].class) {
            return size > 0 ? new Fixed(size, false) : RAW;
        }
        if (type == String.class) {
            if (size <= 0) {
                throw new IllegalArgumentException("a String is a char[n]: give it @Size(n)");
            }
            return new Fixed(size, true);
        }
        if (type == long.class || type == Long.class) {
            return new Scalar(8, 'J');
        }
        if (type == int.class || type == Integer.class) {
            return new Scalar(4, 'I');
        }
        if (type == short.class || type == Short.class) {
            return new Scalar(2, 'S');
        }
        if (type == byte.class || type == Byte.class) {
            return new Scalar(1, 'B');
        }
        if (type == char.class || type == Character.class) {
            return new Scalar(2, 'C');
        }
        if (type == boolean.class || type == Boolean.class) {
            return new Scalar(1, 'Z');
        }
        if (type == double.class || type == Double.class) {
            return new Scalar(8, 'D');
        }
        if (type == float.class || type == Float.class) {
            return new Scalar(4, 'F');
        }
        if (type.isRecord()) {
            return new Struct(type);
        }
        throw new IllegalArgumentException(type.getName()
            + " has no C layout: use a record, a boxed integer or byte[]");
    }

    private static final Codec<byte[]> RAW = new Codec<>() {
        @Override
        public int size() {
            return -1;
        }

        @Override
        public byte[] decode(byte[] bytes, int off, int len) {
            return Arrays.copyOfRange(bytes, off, off + len);
        }

        @Override
        public void encode(byte[] value, byte[] out, int off) {
            System.arraycopy(value, 0, out, off, value.length);
        }
    };

    /** u8 x[n] as byte[], or char x[n] as a NUL-terminated UTF-8 String. */
    private record Fixed(int size, boolean string) implements Codec<Object> {
        @Override
        public Object decode(byte[] bytes, int off, int len) {
            if (!string) {
                return Arrays.copyOfRange(bytes, off, off + size);
            }
            int n = 0;
            while (n < size && bytes[off + n] != 0) {
                n++;
            }
            return new String(bytes, off, n, StandardCharsets.UTF_8);
        }

        @Override
        public void encode(Object value, byte[] out, int off) {
            byte[] b = string ? ((String) value).getBytes(StandardCharsets.UTF_8) : (byte[]) value;
            int n = Math.min(b.length, string ? size - 1 : size);
            System.arraycopy(b, 0, out, off, n);
            Arrays.fill(out, off + n, off + size, (byte) 0);
        }
    }

    private record Scalar(int size, char kind) implements Codec<Object> {
        @Override
        public int alignment() {
            return size;
        }

        @Override
        public Object decode(byte[] b, int off, int len) {
            switch (kind) {
                case 'J': return (long) I64.get(b, off);
                case 'I': return (int) I32.get(b, off);
                case 'S': return (short) I16.get(b, off);
                case 'C': return (char) (short) I16.get(b, off);
                case 'B': return b[off];
                case 'Z': return b[off] != 0;
                case 'D': return Double.longBitsToDouble((long) I64.get(b, off));
                case 'F': return Float.intBitsToFloat((int) I32.get(b, off));
                default: throw new IllegalStateException("kind " + kind);
            }
        }

        @Override
        public void encode(Object v, byte[] b, int off) {
            switch (kind) {
                case 'J': I64.set(b, off, (long) v); break;
                case 'I': I32.set(b, off, (int) v); break;
                case 'S': I16.set(b, off, (short) v); break;
                case 'C': I16.set(b, off, (short) (char) v); break;
                case 'B': b[off] = (byte) v; break;
                case 'Z': b[off] = (byte) ((boolean) v ? 1 : 0); break;
                case 'D': I64.set(b, off, Double.doubleToRawLongBits((double) v)); break;
                case 'F': I32.set(b, off, Float.floatToRawIntBits((float) v)); break;
                default: throw new IllegalStateException("kind " + kind);
            }
        }
    }

    /** A record as a C struct: components in order at their natural alignment. */
    private static final class Struct implements Codec<Object> {
        private final Class<?> type;
        private final RecordComponent[] components;
        private final Method[] accessors;
        private final Codec<Object>[] fields;
        private final int[] offsets;
        private final int size;
        private final int alignment;
        private final Constructor<?> constructor;

        @SuppressWarnings("unchecked")
        Struct(Class<?> type) {
            this.type = type;
            components = type.getRecordComponents();
            fields = new Codec[components.length];
            offsets = new int[components.length];
            accessors = new Method[components.length];
            Class<?>[] types = new Class<?>[components.length];
            int off = 0;
            int align = 1;
            for (int i = 0; i < components.length; i++) {
                RecordComponent rc = components[i];
                Size sz = rc.getAnnotation(Size.class);
                types[i] = rc.getType();
                accessors[i] = rc.getAccessor();
                accessors[i].setAccessible(true);
                try {
                    fields[i] = (Codec<Object>) create(rc.getType(), sz == null ? 0 : sz.value());
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(type.getSimpleName() + "." + rc.getName() + ": " + e.getMessage(), e);
                }
                if (fields[i].size() < 0) {
                    throw new IllegalArgumentException(type.getSimpleName() + "." + rc.getName()
                        + ": a byte[] inside a record is a u8[n]: give it @Size(n)");
                }
                int a = fields[i].alignment();
                off = (off + a - 1) / a * a;
                offsets[i] = off;
                off += fields[i].size();
                align = Math.max(align, a);
            }
            alignment = align;
            size = (off + align - 1) / align * align;
            try {
                constructor = type.getDeclaredConstructor(types);
                constructor.setAccessible(true);
            } catch (NoSuchMethodException | RuntimeException e) {
                throw new IllegalArgumentException(type.getName() + ": no canonical constructor to decode with", e);
            }
        }

        @Override
        public int size() {
            return size;
        }

        @Override
        public int alignment() {
            return alignment;
        }

        @Override
        public Object decode(byte[] bytes, int off, int len) {
            if (len < size) {
                throw new IllegalArgumentException(type.getSimpleName() + " is " + size + " bytes, got " + len);
            }
            Object[] args = new Object[fields.length];
            for (int i = 0; i < fields.length; i++) {
                args[i] = fields[i].decode(bytes, off + offsets[i], fields[i].size());
            }
            try {
                return constructor.newInstance(args);
            } catch (InvocationTargetException e) {
                throw new IllegalArgumentException(type.getSimpleName() + " rejected its bytes: " + e.getCause(), e.getCause());
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void encode(Object value, byte[] out, int off) {
            Arrays.fill(out, off, off + size, (byte) 0);
            for (int i = 0; i < fields.length; i++) {
                Object v;
                try {
                    v = accessors[i].invoke(value);
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException(type.getSimpleName() + "." + components[i].getName(), e);
                }
                fields[i].encode(v, out, off + offsets[i]);
            }
        }

        /** The layout, as {@code struct Edge { long ns @0; ... } (32 bytes)}, for error messages. */
        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder("struct ").append(type.getSimpleName()).append(" {");
            for (int i = 0; i < fields.length; i++) {
                sb.append(' ').append(components[i].getName()).append(" @").append(offsets[i]).append(';');
            }
            return sb.append(" } (").append(size).append(" bytes)").toString();
        }
    }
}
