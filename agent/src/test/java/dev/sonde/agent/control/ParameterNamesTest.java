package dev.sonde.agent.control;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Parameter names read from class files (LocalVariableTable; this build compiles with -g). */
class ParameterNamesTest {
    @SuppressWarnings("unused")
    static final class Sample {
        Sample(String title, long id) {
        }

        static int add(long a, double b, int[] c, String d) {
            return 0;
        }

        void none() {
        }
    }

    @Test
    void namesComeFromTheLocalVariableTable() {
        Map<String, List<String>> names = ParameterNames.of(Sample.class);
        assertEquals(List.of("a", "b", "c", "d"), names.get("add(JD[ILjava/lang/String;)I"));
        assertEquals(List.of("title", "id"), names.get("<init>(Ljava/lang/String;J)V"));
        assertEquals(List.of(), names.get("none()V"));
    }

    @Test
    void slotsSkipThisAndWidenLongAndDouble() {
        assertArrayEquals(new int[] {0, 2, 4, 5}, ParameterNames.parameterSlots("(JD[ILjava/lang/String;)I", true));
        assertArrayEquals(new int[] {1, 2, 4}, ParameterNames.parameterSlots("([[JJLx;)V", false));
    }

    @Test
    void aClassWithoutBytesHasNoNames() {
        Runnable lambda = () -> { };
        assertEquals(Map.of(), ParameterNames.of(lambda.getClass()));
        assertNull(ParameterNames.of(String.class).get("nonexistent()V"));
    }
}
