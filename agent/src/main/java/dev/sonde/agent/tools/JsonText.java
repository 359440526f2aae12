package dev.sonde.agent.tools;

import dev.sonde.agent.Json;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The tools' {@code --json} output: a value built of maps (insertion order kept), lists, strings,
 * numbers, booleans and null, written as one line of JSON. {@link Json#parse} reads it back.
 */
final class JsonText {
    private JsonText() {
    }

    static String of(Object value) {
        StringBuilder b = new StringBuilder();
        write(value, b);
        return b.toString();
    }

    private static void write(Object v, StringBuilder b) {
        if (v == null) {
            b.append("null");
        } else if (v instanceof String s) {
            b.append(Json.quote(s));
        } else if (v instanceof Double d) {
            b.append(d.isNaN() || d.isInfinite() ? "null" : stripZero(d));
        } else if (v instanceof Number || v instanceof Boolean) {
            b.append(v);
        } else if (v instanceof Map<?, ?> m) {
            b.append('{');
            Iterator<? extends Map.Entry<?, ?>> it = m.entrySet().iterator();
            while (it.hasNext()) {
                Map.Entry<?, ?> e = it.next();
                b.append(Json.quote(String.valueOf(e.getKey()))).append(':');
                write(e.getValue(), b);
                if (it.hasNext()) {
                    b.append(',');
                }
            }
            b.append('}');
        } else if (v instanceof List<?> l) {
            b.append('[');
            for (int i = 0; i < l.size(); i++) {
                if (i > 0) {
                    b.append(',');
                }
                write(l.get(i), b);
            }
            b.append(']');
        } else {
            throw new IllegalArgumentException("not a JSON value: " + v.getClass().getName());
        }
    }

    private static String stripZero(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }
}
