package dev.sonde.junit;

/**
 * Bytes of a map key, map value or ring-buffer record to a Java value and back, in the program's
 * layout (little-endian, C natural alignment). {@link #of} gives the codec of a type:
 *
 * <ul>
 * <li>{@code byte[]}: the bytes as they are, of any size;</li>
 * <li>{@code Long}, {@code Integer}, {@code Short}, {@code Byte}: u64/u32/u16/u8 (the bits; read
 *     them unsigned with {@code Long.toUnsignedString} and friends);</li>
 * <li>a record: a C struct with one field per component, in order, each at its natural alignment
 *     (long/double 8, int/float 4, short/char 2, byte/boolean 1; {@code byte[]} and
 *     {@code String} components are {@code @Size(n)} arrays; nested records align as their widest
 *     field), the struct padded to its own alignment, exactly as clang lays it out for BPF.</li>
 * </ul>
 */
public interface Codec<T> {
    /** Size in bytes, or -1 when any size fits (byte[]). */
    int size();

    /** The value in {@code bytes[off, off + len)}; {@code len} is at least {@link #size()}. */
    T decode(byte[] bytes, int off, int len);

    /** Writes {@code value} into {@code out[off, off + size)}. */
    void encode(T value, byte[] out, int off);

    /** The alignment the value needs inside a struct. */
    default int alignment() {
        return 1;
    }

    default T decode(byte[] bytes) {
        return decode(bytes, 0, bytes.length);
    }

    /** A fresh buffer of {@code size} bytes (or of {@code fit} for byte[]) holding {@code value}. */
    default byte[] encode(T value, int fit) {
        byte[] out = new byte[size() < 0 ? fit : size()];
        encode(value, out, 0);
        return out;
    }

    /** The codec of {@code type}; throws IllegalArgumentException naming what cannot be laid out. */
    static <T> Codec<T> of(Class<T> type) {
        return Codecs.of(type);
    }
}
